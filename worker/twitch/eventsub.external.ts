import * as z from "zod/mini";

/** EventSub webhook bodies (https://dev.twitch.tv/docs/eventsub/handling-webhook-events/), parsed after the signature check. */
export const subscriptionSchema = z.object({
  id: z.string(),
  type: z.string(),
  version: z.string(),
  status: z.string(),
  condition: z.record(z.string(), z.string()),
});

export const verificationBodySchema = z.object({
  challenge: z.string().check(z.minLength(1)),
  subscription: subscriptionSchema,
});
export const revocationBodySchema = z.object({ subscription: subscriptionSchema });
export const notificationBodySchema = z.object({
  subscription: subscriptionSchema,
  event: z.record(z.string(), z.unknown()),
});

/** stream.online carries started_at (RFC3339); stream.offline only the broadcaster. */
export const streamEventSchema = z.object({
  broadcaster_user_id: z.string().check(z.regex(/^[0-9]{1,20}$/)),
  started_at: z.optional(z.string()),
});
