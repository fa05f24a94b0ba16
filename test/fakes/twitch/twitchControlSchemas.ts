// No Node imports: shared by the Twitch fake's control routes and `twitchControl.ts` (Node and workerd).
import { z } from "zod";

export const twitchAppSchema = z.object({
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  /** Exact redirect URIs the app registered; empty means any URI is accepted. */
  redirectUris: z.array(z.string()).default([]),
});
export type TwitchAppInput = z.input<typeof twitchAppSchema>;
export type TwitchApp = z.output<typeof twitchAppSchema>;

export const twitchUserSchema = z.object({
  id: z.string().min(1),
  login: z.string().min(1),
  displayName: z.string().optional(),
  broadcasterType: z.enum(["", "affiliate", "partner"]).default(""),
  description: z.string().default(""),
  email: z.string().optional(),
  createdAt: z.string().default("2020-01-01T00:00:00Z"),
});
export type TwitchUserInput = z.input<typeof twitchUserSchema>;
export type TwitchUser = z.output<typeof twitchUserSchema>;

export const twitchStreamSchema = z.object({
  title: z.string().default("Fake stream"),
  gameId: z.string().default("509658"),
  gameName: z.string().default("Just Chatting"),
  viewerCount: z.number().int().min(0).default(0),
  /** RFC3339; defaults to the moment the stream is set live. */
  startedAt: z.string().optional(),
  language: z.string().default("en"),
  tags: z.array(z.string()).default([]),
});
export type TwitchStreamInput = z.input<typeof twitchStreamSchema>;

export const twitchChatterSchema = z.object({
  id: z.string().min(1),
  login: z.string().min(1),
  displayName: z.string().optional(),
});
export type TwitchChatter = z.infer<typeof twitchChatterSchema>;

/** Either the whole list, or N synthetic chatters `<loginPrefix>00001`… with ids `<broadcasterId>00001`…. */
export const twitchChattersInputSchema = z.union([
  z.object({ chatters: z.array(twitchChatterSchema) }),
  z.object({ count: z.number().int().min(0).max(1_000_000), loginPrefix: z.string().default("viewer_") }),
]);
export type TwitchChattersInput = z.input<typeof twitchChattersInputSchema>;

export const twitchModeratorSchema = z.object({ broadcasterId: z.string().min(1), moderatorId: z.string().min(1) });

/** Lifetime of tokens issued from now on; the most specific rule wins (user, then client, then default). */
export const twitchTokenLifetimeSchema = z.object({
  clientId: z.string().optional(),
  userId: z.string().optional(),
  /** Zero or negative: tokens are issued already expired. */
  seconds: z.number().int(),
});
export type TwitchTokenLifetimeInput = z.infer<typeof twitchTokenLifetimeSchema>;

export const twitchRateLimitSchema = z.object({
  clientId: z.string().min(1),
  /** Omitted: the app-token bucket of the client and every user bucket of it without its own limit. */
  userId: z.string().optional(),
  limit: z.number().int().min(0),
});
export type TwitchRateLimitInput = z.infer<typeof twitchRateLimitSchema>;

export const twitchAuthorizationCodeInputSchema = z.object({
  userId: z.string().min(1),
  clientId: z.string().min(1),
  redirectUri: z.string().min(1),
  scopes: z.array(z.string()),
});
export type TwitchAuthorizationCodeInput = z.infer<typeof twitchAuthorizationCodeInputSchema>;
export const twitchAuthorizationCodeSchema = z.object({ code: z.string() });

/** A token as the control API shows it: never the token itself, only its description. */
export const twitchTokenStatusSchema = z.object({
  kind: z.enum(["access", "refresh"]),
  tokenDescription: z.string(),
  clientId: z.string(),
  userId: z.string().nullable(),
  scopes: z.array(z.string()),
  issuedAt: z.string(),
  /** Access tokens only. */
  expiresAt: z.string().nullable(),
  expired: z.boolean(),
  revoked: z.boolean(),
  /** Refresh tokens: used for a refresh and so replaced. */
  used: z.boolean(),
  validationCount: z.number().int(),
  lastValidatedAt: z.string().nullable(),
});
export type TwitchTokenStatus = z.infer<typeof twitchTokenStatusSchema>;
export const twitchTokenStatusListSchema = z.object({ tokens: z.array(twitchTokenStatusSchema) });

/** An EventSub subscription in Twitch's wire shape, plus the client that owns it. */
export const twitchEventSubSubscriptionSchema = z.object({
  id: z.string(),
  status: z.string(),
  type: z.string(),
  version: z.string(),
  condition: z.record(z.string(), z.string()),
  created_at: z.string(),
  transport: z.object({ method: z.literal("webhook"), callback: z.string() }),
  cost: z.number().int(),
  clientId: z.string(),
});
export type TwitchEventSubSubscription = z.infer<typeof twitchEventSubSubscriptionSchema>;
export const twitchEventSubSubscriptionListSchema = z.object({
  subscriptions: z.array(twitchEventSubSubscriptionSchema),
});
export const twitchEventSubStatusSchema = z.object({ status: z.string().min(1) });

export const twitchDropReasonSchema = z.object({ code: z.string(), message: z.string() });
export type TwitchDropReason = z.infer<typeof twitchDropReasonSchema>;

export const twitchChatMessageSchema = z.object({
  messageId: z.string(),
  broadcasterId: z.string(),
  senderId: z.string(),
  message: z.string(),
  replyParentMessageId: z.string().nullable(),
  clientId: z.string(),
  sentAt: z.string(),
  isSent: z.boolean(),
  dropReason: twitchDropReasonSchema.nullable(),
});
export type TwitchChatMessage = z.infer<typeof twitchChatMessageSchema>;
export const twitchChatMessageListSchema = z.object({ messages: z.array(twitchChatMessageSchema) });
