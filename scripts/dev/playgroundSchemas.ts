import { z } from "zod";

/** The playground's requests, checked at the dev server's boundary like any other outside JSON. */

const userSchema = z.object({
  name: z.string().trim().min(1).max(32),
  manageServer: z.boolean(),
  locale: z.enum(["en-US", "pt-BR"]),
});

const optionSchema = z.object({
  name: z.string().min(1).max(32),
  type: z.number().int().min(3).max(11),
  value: z.union([z.string().max(6000), z.number(), z.boolean()]),
  /** An attachment option's file, within the dev server's 1 MiB request limit. */
  file: z
    .object({
      filename: z.string().min(1).max(1024),
      contentType: z.string().max(255),
      content: z.string().max(1024 * 1024),
    })
    .optional(),
});

export const commandInputSchema = z.object({
  user: userSchema,
  channelId: z.string().regex(/^\d{1,20}$/),
  command: z.string().min(1).max(32),
  subcommandGroup: z.string().min(1).max(32).optional(),
  subcommand: z.string().min(1).max(32).optional(),
  options: z.array(optionSchema).max(25),
});

export const autocompleteInputSchema = commandInputSchema.extend({ focused: z.string().min(1).max(32) });

export const liveInputSchema = z.object({ live: z.boolean() });

export const chattersInputSchema = z.object({
  logins: z
    .array(
      z
        .string()
        .trim()
        .regex(/^[A-Za-z0-9_]{1,25}$/),
    )
    .max(1000),
});

/** An RFC3339 time with its offset (`Z` or `+01:00`), as the Twitch fake and Helix take it. */
const timeSchema = z.iso.datetime({
  offset: true,
  error: "must be an RFC3339 time with an offset, e.g. 2024-05-01T12:00:00Z",
});

export const subscriptionTierSchema = z.enum(["1000", "2000", "3000"]);

/** One save of a viewer's gate facts (the Viewers table); omitted facts stay as they are. */
export const viewerFactsInputSchema = z
  .strictObject({
    follow: z.strictObject({ following: z.boolean(), followedAt: timeSchema.optional() }).optional(),
    subscription: z.strictObject({ tier: z.enum(["none", ...subscriptionTierSchema.options]) }).optional(),
    createdAt: timeSchema.optional(),
  })
  .refine(
    (input) => input.follow !== undefined || input.subscription !== undefined || input.createdAt !== undefined,
    "give at least one of follow, subscription, createdAt",
  );

/** A viewer's chat message, as Twitch caps it (500 characters). */
export const viewerChatInputSchema = z.strictObject({ text: z.string().trim().min(1).max(500) });

/** What the Worker answers to an interaction (https://discord.com/developers/docs/interactions/receiving-and-responding), the parts the dev server reads. */
export const interactionResponseSchema = z.object({
  type: z.number().int(),
  data: z.record(z.string(), z.unknown()).optional(),
});

export const autocompleteResponseSchema = z.object({
  type: z.literal(8),
  data: z.object({ choices: z.array(z.object({ name: z.string(), value: z.union([z.string(), z.number()]) })) }),
});
