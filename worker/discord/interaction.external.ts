import * as z from "zod/mini";

/** Raw Discord interaction payloads (snake_case wire shapes), parsed at the boundary. */

export const InteractionType = {
  ping: 1,
  applicationCommand: 2,
  messageComponent: 3,
  autocomplete: 4,
  modalSubmit: 5,
} as const;

export const ResponseType = {
  pong: 1,
  channelMessage: 4,
  deferredChannelMessage: 5,
  deferredUpdateMessage: 6,
  updateMessage: 7,
  autocompleteResult: 8,
} as const;

export const ephemeralFlag = 1 << 6;

export interface CommandOptionData {
  name: string;
  type: number;
  value?: string | number | boolean | undefined;
  focused?: boolean | undefined;
  options?: CommandOptionData[] | undefined;
}

const commandOptionSchema: z.ZodMiniType<CommandOptionData> = z.lazy(() =>
  z.object({
    name: z.string(),
    type: z.number().check(z.int()),
    value: z.optional(z.union([z.string(), z.number(), z.boolean()])),
    focused: z.optional(z.boolean()),
    options: z.optional(z.array(commandOptionSchema)),
  }),
);

/**
 * An uploaded file, as an attachment option's `data.resolved.attachments[id]` carries it. Only the
 * fields LiveLoot reads; `url` is on Discord's CDN and is signed, so it is never logged.
 */
const attachmentSchema = z.object({
  id: z.string(),
  filename: z.string(),
  size: z.number().check(z.int(), z.nonnegative()),
  url: z.string(),
  content_type: z.optional(z.string()),
});

const userSchema = z.object({
  id: z.string(),
  username: z.string(),
  global_name: z.optional(z.nullable(z.string())),
});

export const interactionSchema = z.object({
  id: z.string(),
  application_id: z.string(),
  type: z.number().check(z.int()),
  token: z.string(),
  version: z.optional(z.number()),
  guild_id: z.optional(z.string()),
  channel_id: z.optional(z.string()),
  locale: z.optional(z.string()),
  guild_locale: z.optional(z.string()),
  context: z.optional(z.number().check(z.int())),
  member: z.optional(
    z.object({
      user: userSchema,
      permissions: z.string().check(z.regex(/^\d+$/)),
    }),
  ),
  user: z.optional(userSchema),
  data: z.optional(
    z.object({
      id: z.optional(z.string()),
      name: z.optional(z.string()),
      type: z.optional(z.number().check(z.int())),
      options: z.optional(z.array(commandOptionSchema)),
      custom_id: z.optional(z.string()),
      component_type: z.optional(z.number().check(z.int())),
      resolved: z.optional(z.looseObject({ attachments: z.optional(z.record(z.string(), attachmentSchema)) })),
    }),
  ),
});

export type InteractionData = z.infer<typeof interactionSchema>;
