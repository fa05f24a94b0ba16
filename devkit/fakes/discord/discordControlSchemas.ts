// No Node imports: shared by the Discord fake's control routes and `discordControl.ts` (Node and workerd).
import { z } from "zod";

export const discordApplicationSchema = z.object({ applicationId: z.string().min(1), botToken: z.string().min(1) });
export type DiscordApplication = z.infer<typeof discordApplicationSchema>;

export const discordChannelSchema = z.object({
  id: z.string().min(1),
  guildId: z.string().min(1),
  /** The bot cannot see it: posting answers 403 Missing Access. */
  forbidden: z.boolean().default(false),
});
export type DiscordChannelInput = z.input<typeof discordChannelSchema>;
export type DiscordChannel = z.output<typeof discordChannelSchema>;

/** A guild (server) the fake knows; `PUT /_control/guilds/:id`. */
export const discordGuildInputSchema = z.object({
  /** Discord's guild names are 2–100 characters. */
  name: z.string().min(2).max(100),
  ownerId: z.string().min(1).optional(),
  /** An icon hash, or null (no icon). */
  icon: z.string().min(1).nullable().optional(),
  /** false: the bot is not in the guild, so `GET /guilds/:id` answers 403 Missing Access. */
  botMember: z.boolean().optional(),
});
export type DiscordGuildInput = z.input<typeof discordGuildInputSchema> & { id: string };
export const discordGuildSchema = z.object({
  id: z.string(),
  name: z.string(),
  ownerId: z.string(),
  icon: z.string().nullable(),
  botMember: z.boolean(),
});
export type DiscordGuild = z.infer<typeof discordGuildSchema>;

/** Per-channel limit on creating messages; Discord's own is about 5 per 5 seconds. */
export const discordRateLimitSchema = z.object({
  limit: z.number().int().min(0),
  windowSeconds: z.number().positive(),
});
export type DiscordRateLimit = z.infer<typeof discordRateLimitSchema>;

export const discordSettingsSchema = z.object({
  /** Unknown channels spring into existence on first post (for `npm run dev`). */
  autoCreateChannels: z.boolean().optional(),
  /** Unknown interaction tokens are accepted and registered on first use (for `npm run dev`). */
  autoRegisterInteractions: z.boolean().optional(),
});
export type DiscordSettings = z.infer<typeof discordSettingsSchema>;

/** An attachment object as Discord gives it (message.attachments, data.resolved.attachments). */
export const discordAttachmentSchema = z.object({
  id: z.string(),
  filename: z.string(),
  size: z.number().int(),
  url: z.string(),
  proxy_url: z.string(),
  content_type: z.string().optional(),
});
export type DiscordAttachment = z.infer<typeof discordAttachmentSchema>;

/** `POST /_control/attachments`: a file a user uploads, to pass to a command's attachment option. */
export const discordAttachmentInputSchema = z.object({
  filename: z.string().min(1).max(1024),
  /** The file's text. */
  content: z.string(),
  contentType: z.string().min(1).optional(),
  /** The channel it is uploaded in (part of the URL, as on Discord's CDN). */
  channelId: z.string().min(1).optional(),
});
export type DiscordAttachmentInput = z.input<typeof discordAttachmentInputSchema>;

/** A message in Discord's wire shape (the fields the fake fills). */
export const discordMessageSchema = z.looseObject({
  id: z.string(),
  channel_id: z.string(),
  content: z.string(),
  embeds: z.array(z.record(z.string(), z.unknown())),
  components: z.array(z.unknown()),
  attachments: z.array(discordAttachmentSchema).default([]),
  flags: z.number().int(),
  timestamp: z.string(),
  edited_timestamp: z.string().nullable(),
  nonce: z.union([z.string(), z.number()]).optional(),
});
export type DiscordMessage = z.infer<typeof discordMessageSchema>;
export const discordMessageListSchema = z.object({ messages: z.array(discordMessageSchema) });

export const discordInteractionInputSchema = z.object({
  interactionToken: z.string().min(1),
  applicationId: z.string().optional(),
  interactionId: z.string().optional(),
  /** Where the interaction happened; the messages' `channel_id`. */
  channelId: z.string().default("0"),
  /** RFC3339; an old one makes the token expire (15 minutes) or the callback too late (3 seconds). */
  createdAt: z.iso.datetime({ offset: true }).optional(),
});
export type DiscordInteractionInput = z.input<typeof discordInteractionInputSchema>;

/**
 * The Worker's HTTP answer to an interaction, as the test harness or the playground received it
 * (`POST /_control/interactions/:token/response`). Give `bodyText` (the raw text, which may not
 * be JSON) or `body` (already parsed).
 */
export const discordInteractionAnswerSchema = z.object({
  status: z.number().int(),
  body: z.unknown().optional(),
  bodyText: z.string().optional(),
  /** The answer's Content-Type header; when given it must be JSON. */
  contentType: z.string().optional(),
  /** The interaction's type (2 command, 3 component, 4 autocomplete, …): the answer's type must fit it. */
  interactionType: z.number().int().min(1).max(5).optional(),
});
export type DiscordInteractionAnswer = z.input<typeof discordInteractionAnswerSchema>;

/** What Discord makes of that answer: accepted, or refused with its error body and the reasons in words. */
export type DiscordInteractionAnswerVerdict =
  | { ok: true }
  | { ok: false; status: number; error: unknown; problems: string[] };

export const discordWebhookEventSchema = z.object({
  kind: z.enum([
    "callback",
    "httpResponse",
    "editOriginal",
    "deleteOriginal",
    "createFollowUp",
    "editFollowUp",
    "deleteFollowUp",
  ]),
  messageId: z.string().nullable(),
  /** What the Worker sent (the callback body, the edit, the follow-up). */
  body: z.unknown(),
  at: z.string(),
});
export type DiscordWebhookEvent = z.infer<typeof discordWebhookEventSchema>;

export const discordInteractionStateSchema = z.object({
  applicationId: z.string(),
  interactionId: z.string(),
  createdAt: z.string(),
  /** The type of the initial response (callback endpoint or recorded HTTP answer), else null. */
  callbackType: z.number().int().nullable(),
  original: discordMessageSchema.nullable(),
  followUps: z.array(discordMessageSchema),
  events: z.array(discordWebhookEventSchema),
});
export type DiscordInteractionState = z.infer<typeof discordInteractionStateSchema>;

export const discordCommandListSchema = z.object({ commands: z.array(z.record(z.string(), z.unknown())) });
