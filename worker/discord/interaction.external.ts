import * as z from "zod";

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

const commandOptionSchema: z.ZodType<CommandOptionData> = z.lazy(() =>
  z.object({
    name: z.string(),
    type: z.number().int(),
    value: z.union([z.string(), z.number(), z.boolean()]).optional(),
    focused: z.boolean().optional(),
    options: z.array(commandOptionSchema).optional(),
  }),
);

const userSchema = z.object({
  id: z.string(),
  username: z.string(),
  global_name: z.string().nullable().optional(),
});

export const interactionSchema = z.object({
  id: z.string(),
  application_id: z.string(),
  type: z.number().int(),
  token: z.string(),
  version: z.number().optional(),
  guild_id: z.string().optional(),
  channel_id: z.string().optional(),
  locale: z.string().optional(),
  guild_locale: z.string().optional(),
  context: z.number().int().optional(),
  member: z
    .object({
      user: userSchema,
      permissions: z.string().regex(/^\d+$/),
    })
    .optional(),
  user: userSchema.optional(),
  data: z
    .object({
      id: z.string().optional(),
      name: z.string().optional(),
      type: z.number().int().optional(),
      options: z.array(commandOptionSchema).optional(),
      custom_id: z.string().optional(),
      component_type: z.number().int().optional(),
      resolved: z.unknown().optional(),
    })
    .optional(),
});

export type InteractionData = z.infer<typeof interactionSchema>;
