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

/** Fake-wide settings (`PUT /_control/settings`); omitted fields keep their value. */
export const twitchSettingsSchema = z.object({
  /**
   * Send the EventSub challenge to the callback of every new subscription and deliver
   * `stream.online`/`stream.offline` when a stream goes live or offline, as Twitch does. Off by
   * default: the Worker tests run inside workerd, which the fake cannot reach over HTTP.
   */
  eventSubDelivery: z.boolean().optional(),
});
export type TwitchSettingsInput = z.infer<typeof twitchSettingsSchema>;
export const twitchSettingsViewSchema = z.object({ eventSubDelivery: z.boolean() });
export type TwitchSettings = z.infer<typeof twitchSettingsViewSchema>;

/**
 * The real world between Twitch and a callback: the next `times` EventSub messages that match
 * are `drop`ped (lost, never retried), sent twice with the same message id (`duplicate`), or
 * sent `delayMilliseconds` late (`delay`). Filters narrow it, so parallel tests can share a fake.
 */
export const twitchEventSubFaultInputSchema = z.object({
  kind: z.enum(["drop", "duplicate", "delay"]),
  times: z.number().int().min(1).default(1),
  delayMilliseconds: z.number().int().min(0).max(600_000).default(0),
  messageType: z.enum(["notification", "webhook_callback_verification"]).optional(),
  subscriptionType: z.string().optional(),
  /** The condition's broadcaster (any condition field). */
  broadcasterId: z.string().optional(),
});
export type TwitchEventSubFaultInput = z.input<typeof twitchEventSubFaultInputSchema>;
export const twitchEventSubFaultSchema = twitchEventSubFaultInputSchema.extend({
  id: z.string(),
  remaining: z.number().int(),
});
export type TwitchEventSubFault = z.infer<typeof twitchEventSubFaultSchema>;

/** One attempt to deliver an EventSub message to a callback (or a message a fault dropped). */
export const twitchEventSubDeliverySchema = z.object({
  sequence: z.number().int(),
  messageId: z.string(),
  messageType: z.string(),
  /** `Twitch-Eventsub-Message-Retry`: 0 for the first attempt. */
  retry: z.number().int(),
  subscriptionId: z.string(),
  subscriptionType: z.string(),
  /** The first condition field's user, e.g. `broadcaster_user_id`. */
  broadcasterId: z.string(),
  callback: z.string(),
  /** `Twitch-Eventsub-Message-Timestamp` as sent. */
  timestamp: z.string(),
  /** The raw JSON body as sent (never the secret). */
  body: z.string(),
  /**
   * `delivered` (2xx; for a challenge also the right body), `failed` (another status, a wrong
   * challenge answer, or no answer), `dropped` (a `drop` fault: never sent).
   */
  outcome: z.enum(["delivered", "failed", "dropped"]),
  status: z.number().int().nullable(),
  detail: z.string().nullable(),
  duplicate: z.boolean(),
});
export type TwitchEventSubDelivery = z.infer<typeof twitchEventSubDeliverySchema>;
export const twitchEventSubDeliveryListSchema = z.object({ deliveries: z.array(twitchEventSubDeliverySchema) });

/** An RFC3339 time such as `2022-05-24T22:22:08Z`. */
const rfc3339Schema = z.string().refine((value) => !Number.isNaN(Date.parse(value)), "must be an RFC3339 time");

/**
 * A viewer's follow of a broadcaster (Get Channel Followers, `channel.follow`). The viewer must be
 * known to the fake: a user, or a chatter of any channel. `followedAt` defaults to now.
 */
export const twitchFollowInputSchema = z.object({ userId: z.string().min(1), followedAt: rfc3339Schema.optional() });
export type TwitchFollowInput = z.input<typeof twitchFollowInputSchema>;
export const twitchFollowsInputSchema = z.object({ follows: z.array(twitchFollowInputSchema) });
export const twitchFollowSchema = z.object({ broadcasterId: z.string(), userId: z.string(), followedAt: z.string() });
export type TwitchFollow = z.infer<typeof twitchFollowSchema>;
export const twitchFollowListSchema = z.object({ follows: z.array(twitchFollowSchema) });

/**
 * A viewer's subscription to a broadcaster (Get Broadcaster Subscriptions, `channel.subscribe`).
 * Tier `1000`/`2000`/`3000` count 1/2/6 subscriber points, as on Twitch. A gift names its gifter.
 */
export const twitchSubscriptionInputSchema = z.object({
  userId: z.string().min(1),
  tier: z.enum(["1000", "2000", "3000"]).default("1000"),
  isGift: z.boolean().default(false),
  /** Only with `isGift`; must be a known account. */
  gifterId: z.string().min(1).optional(),
  /** Defaults to `Channel Subscription (<broadcaster login>)`. */
  planName: z.string().optional(),
});
export type TwitchSubscriptionInput = z.input<typeof twitchSubscriptionInputSchema>;
export const twitchSubscriptionsInputSchema = z.object({ subscriptions: z.array(twitchSubscriptionInputSchema) });
export const twitchSubscriptionSchema = z.object({
  broadcasterId: z.string(),
  userId: z.string(),
  tier: z.enum(["1000", "2000", "3000"]),
  isGift: z.boolean(),
  gifterId: z.string().nullable(),
  planName: z.string(),
});
export type TwitchSubscription = z.infer<typeof twitchSubscriptionSchema>;
export const twitchSubscriptionListSchema = z.object({ subscriptions: z.array(twitchSubscriptionSchema) });

/** Account creation time shown by Get Users `created_at` (the account-age gate). */
export const twitchUserCreatedAtSchema = z.object({ createdAt: rfc3339Schema });

/** A chat badge as `channel.chat.message` carries it. */
export const twitchChatBadgeSchema = z.object({ set_id: z.string(), id: z.string(), info: z.string().default("") });

/**
 * A viewer's chat message: delivered as `channel.chat.message` to every enabled subscription of
 * the broadcaster. The chatter must be known (a user or a chatter of any channel) unless
 * `chatterLogin` is given. It does not change the chatter list of Get Chatters.
 */
export const twitchViewerChatMessageInputSchema = z.object({
  chatterId: z.string().min(1),
  text: z.string().min(1).max(500),
  chatterLogin: z.string().min(1).optional(),
  chatterDisplayName: z.string().min(1).optional(),
  /** `#RRGGBB`, or empty when the viewer never chose a colour. */
  color: z.string().default(""),
  badges: z.array(twitchChatBadgeSchema).default([]),
  /** Defaults to a fresh UUID. */
  messageId: z.string().min(1).optional(),
});
export type TwitchViewerChatMessageInput = z.input<typeof twitchViewerChatMessageInputSchema>;
export const twitchViewerChatMessageResultSchema = z.object({
  messageId: z.string(),
  /** Enabled `channel.chat.message` subscriptions the notification was scheduled for (0 with delivery off). */
  notifiedSubscriptions: z.number().int(),
});
export type TwitchViewerChatMessageResult = z.infer<typeof twitchViewerChatMessageResultSchema>;
