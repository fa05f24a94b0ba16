// No Node imports (here or in what this imports): Worker tests use this client from inside workerd.
import { z } from "zod";
import { FakeControlClient } from "./shared/FakeControlClient";
import {
  type TwitchAppInput,
  type TwitchAuthorizationCodeInput,
  type TwitchChatMessage,
  type TwitchChattersInput,
  type TwitchDropReason,
  type TwitchEventSubDelivery,
  type TwitchEventSubFault,
  type TwitchEventSubFaultInput,
  type TwitchEventSubSubscription,
  type TwitchFollow,
  type TwitchFollowInput,
  type TwitchRateLimitInput,
  type TwitchSettings,
  type TwitchSettingsInput,
  type TwitchStreamInput,
  type TwitchSubscription,
  type TwitchSubscriptionInput,
  type TwitchTokenLifetimeInput,
  type TwitchTokenStatus,
  type TwitchUser,
  type TwitchUserInput,
  type TwitchViewerChatMessageInput,
  type TwitchViewerChatMessageResult,
  twitchAuthorizationCodeSchema,
  twitchChatMessageListSchema,
  twitchEventSubDeliveryListSchema,
  twitchEventSubFaultSchema,
  twitchEventSubSubscriptionListSchema,
  twitchEventSubSubscriptionSchema,
  twitchFollowListSchema,
  twitchFollowSchema,
  twitchSettingsViewSchema,
  twitchSubscriptionListSchema,
  twitchSubscriptionSchema,
  twitchTokenStatusListSchema,
  twitchUserSchema,
  twitchViewerChatMessageResultSchema,
} from "./twitch/twitchControlSchemas";

export type { CallRecord } from "./shared/controlSchemas";
export { describeSecret } from "./shared/describeSecret";
export type * from "./twitch/twitchControlSchemas";

const countSchema = z.object({ count: z.number().int() });
const totalSchema = z.object({ total: z.number().int() });
const faultListSchema = z.object({ faults: z.array(twitchEventSubFaultSchema) });

export interface EventSubDeliveryFilter {
  /** Only records after this sequence number (see `readLastEventSubDelivery`). */
  since?: number;
  subscriptionId?: string;
  broadcasterId?: string;
  messageType?: "notification" | "webhook_callback_verification";
}

/** Typed client of the Twitch fake's control API (`<url>/_control/…`). */
export class TwitchControl extends FakeControlClient {
  /** Registers another app (client id + secret); several can coexist. */
  async registerApp(app: TwitchAppInput): Promise<void> {
    await this.requestJson("POST", "/_control/apps", app, undefined);
  }

  async upsertUsers(users: TwitchUserInput[]): Promise<void> {
    await this.requestJson("PUT", "/_control/users", { users }, undefined);
  }

  async setLive(broadcasterId: string, stream: TwitchStreamInput = {}): Promise<void> {
    await this.requestJson("PUT", `/_control/streams/${encodeURIComponent(broadcasterId)}`, stream, undefined);
  }

  async setOffline(broadcasterId: string): Promise<void> {
    await this.requestJson("DELETE", `/_control/streams/${encodeURIComponent(broadcasterId)}`, undefined, undefined);
  }

  /** Replaces the chatter list: `{ chatters: [...] }`, or `{ count: 2500 }` for `viewer_00001`…. Returns the total. */
  async setChatters(broadcasterId: string, input: TwitchChattersInput): Promise<number> {
    return (
      await this.requestJson("PUT", `/_control/chatters/${encodeURIComponent(broadcasterId)}`, input, totalSchema)
    ).total;
  }

  async addModerator(broadcasterId: string, moderatorId: string): Promise<void> {
    await this.requestJson("POST", "/_control/moderators", { broadcasterId, moderatorId }, undefined);
  }

  /** Lifetime of tokens issued from now on, for a user, a client, or both. */
  async setTokenLifetime(rule: TwitchTokenLifetimeInput): Promise<void> {
    await this.requestJson("PUT", "/_control/token-lifetimes", rule, undefined);
  }

  /** Makes every access token of the user expire now (Helix and validate answer 401). */
  async expireAccessTokens(userId: string): Promise<number> {
    return (
      await this.requestJson(
        "POST",
        `/_control/users/${encodeURIComponent(userId)}/expire-access-tokens`,
        undefined,
        countSchema,
      )
    ).count;
  }

  /** Kills the user's refresh tokens, as when they disconnect the app on Twitch. */
  async revokeRefreshTokens(userId: string): Promise<number> {
    return (
      await this.requestJson(
        "POST",
        `/_control/users/${encodeURIComponent(userId)}/revoke-refresh-tokens`,
        undefined,
        countSchema,
      )
    ).count;
  }

  /** The user's tokens, described but never shown. */
  async listTokens(userId: string): Promise<TwitchTokenStatus[]> {
    return (
      await this.requestJson(
        "GET",
        `/_control/users/${encodeURIComponent(userId)}/tokens`,
        undefined,
        twitchTokenStatusListSchema,
      )
    ).tokens;
  }

  /** A code as if the user had clicked Authorize, without the consent page. */
  async mintAuthorizationCode(input: TwitchAuthorizationCodeInput): Promise<string> {
    return (await this.requestJson("POST", "/_control/authorization-codes", input, twitchAuthorizationCodeSchema)).code;
  }

  async setRateLimit(input: TwitchRateLimitInput): Promise<void> {
    await this.requestJson("PUT", "/_control/rate-limits", input, undefined);
  }

  async listEventSubSubscriptions(clientId?: string): Promise<TwitchEventSubSubscription[]> {
    const query = clientId === undefined ? "" : `?clientId=${encodeURIComponent(clientId)}`;
    return (
      await this.requestJson(
        "GET",
        `/_control/eventsub-subscriptions${query}`,
        undefined,
        twitchEventSubSubscriptionListSchema,
      )
    ).subscriptions;
  }

  /** E.g. `enabled` after a test has answered the challenge itself. */
  async setEventSubSubscriptionStatus(subscriptionId: string, status: string): Promise<TwitchEventSubSubscription> {
    return this.requestJson(
      "PUT",
      `/_control/eventsub-subscriptions/${encodeURIComponent(subscriptionId)}/status`,
      { status },
      twitchEventSubSubscriptionSchema,
    );
  }

  async listChatMessages(broadcasterId?: string): Promise<TwitchChatMessage[]> {
    const query = broadcasterId === undefined ? "" : `?broadcasterId=${encodeURIComponent(broadcasterId)}`;
    return (await this.requestJson("GET", `/_control/chat-messages${query}`, undefined, twitchChatMessageListSchema))
      .messages;
  }

  /** Every later message to this channel answers `is_sent: false` with this reason; `null` stops it. */
  async setChatDropReason(broadcasterId: string, dropReason: TwitchDropReason | null): Promise<void> {
    const path = `/_control/chat-drops/${encodeURIComponent(broadcasterId)}`;
    if (dropReason === null) await this.requestJson("DELETE", path, undefined, undefined);
    else await this.requestJson("PUT", path, dropReason, undefined);
  }

  /**
   * Fake-wide settings; `eventSubDelivery: true` makes the fake send challenges and stream
   * notifications to the callbacks (global: for `npm run dev` and tests with their own fake).
   */
  async updateSettings(settings: TwitchSettingsInput): Promise<TwitchSettings> {
    return this.requestJson("PUT", "/_control/settings", settings, twitchSettingsViewSchema);
  }

  /** Drop, duplicate or delay the next EventSub messages that match (see `TwitchEventSubFaultInput`). */
  async injectEventSubFault(fault: TwitchEventSubFaultInput): Promise<TwitchEventSubFault> {
    return this.requestJson("POST", "/_control/eventsub-faults", fault, twitchEventSubFaultSchema);
  }

  async listEventSubFaults(): Promise<TwitchEventSubFault[]> {
    return (await this.requestJson("GET", "/_control/eventsub-faults", undefined, faultListSchema)).faults;
  }

  async removeEventSubFault(id: string): Promise<void> {
    await this.requestJson("DELETE", `/_control/eventsub-faults/${encodeURIComponent(id)}`, undefined, undefined);
  }

  /** Every attempt to deliver an EventSub message (challenge or notification), oldest first. */
  async listEventSubDeliveries(filter: EventSubDeliveryFilter = {}): Promise<TwitchEventSubDelivery[]> {
    return (await this.requestDeliveries(filter)).deliveries;
  }

  /** The sequence number of the latest delivery record: pass it as `since`. */
  async readLastEventSubDelivery(): Promise<number> {
    return (await this.requestDeliveries({ since: Number.MAX_SAFE_INTEGER })).lastSequence;
  }

  /**
   * The viewer follows the broadcaster since `followedAt` (RFC3339; default now). A new follow
   * sends `channel.follow` to the broadcaster's enabled subscriptions; moving its time does not.
   * The viewer must be a user or a chatter of some channel.
   */
  async setFollow(broadcasterId: string, userId: string, followedAt?: string): Promise<TwitchFollow> {
    return this.requestJson(
      "PUT",
      `/_control/follows/${encodeURIComponent(broadcasterId)}/${encodeURIComponent(userId)}`,
      followedAt === undefined ? {} : { followedAt },
      twitchFollowSchema,
    );
  }

  /** Many follows in one call (e.g. 5,000 synthetic chatters), same rules as `setFollow`. */
  async setFollows(broadcasterId: string, follows: TwitchFollowInput[]): Promise<TwitchFollow[]> {
    return (
      await this.requestJson(
        "PUT",
        `/_control/follows/${encodeURIComponent(broadcasterId)}`,
        { follows },
        twitchFollowListSchema,
      )
    ).follows;
  }

  /** Unfollows (no event: Twitch has none). Throws when the viewer did not follow. */
  async removeFollow(broadcasterId: string, userId: string): Promise<void> {
    await this.requestJson(
      "DELETE",
      `/_control/follows/${encodeURIComponent(broadcasterId)}/${encodeURIComponent(userId)}`,
      undefined,
      undefined,
    );
  }

  /** The viewer subscribes (tier `1000` by default); a new subscriber sends `channel.subscribe`. */
  async setSubscription(broadcasterId: string, subscription: TwitchSubscriptionInput): Promise<TwitchSubscription> {
    const { userId, ...rest } = subscription;
    return this.requestJson(
      "PUT",
      `/_control/subscriptions/${encodeURIComponent(broadcasterId)}/${encodeURIComponent(userId)}`,
      rest,
      twitchSubscriptionSchema,
    );
  }

  async setSubscriptions(
    broadcasterId: string,
    subscriptions: TwitchSubscriptionInput[],
  ): Promise<TwitchSubscription[]> {
    return (
      await this.requestJson(
        "PUT",
        `/_control/subscriptions/${encodeURIComponent(broadcasterId)}`,
        { subscriptions },
        twitchSubscriptionListSchema,
      )
    ).subscriptions;
  }

  /** Ends the subscription. Throws when there was none. */
  async removeSubscription(broadcasterId: string, userId: string): Promise<void> {
    await this.requestJson(
      "DELETE",
      `/_control/subscriptions/${encodeURIComponent(broadcasterId)}/${encodeURIComponent(userId)}`,
      undefined,
      undefined,
    );
  }

  /** Get Users `created_at` of the account (a chatter who is not a user yet becomes one). */
  async setUserCreatedAt(userId: string, createdAt: string): Promise<TwitchUser> {
    return this.requestJson(
      "PUT",
      `/_control/users/${encodeURIComponent(userId)}/created-at`,
      { createdAt },
      twitchUserSchema,
    );
  }

  /**
   * A viewer says something in the broadcaster's chat: a signed `channel.chat.message` goes to
   * every enabled subscription of that broadcaster (with EventSub delivery on).
   */
  async postChatMessage(
    broadcasterId: string,
    message: TwitchViewerChatMessageInput,
  ): Promise<TwitchViewerChatMessageResult> {
    return this.requestJson(
      "POST",
      `/_control/chat/${encodeURIComponent(broadcasterId)}/viewer-messages`,
      message,
      twitchViewerChatMessageResultSchema,
    );
  }

  private async requestDeliveries(filter: EventSubDeliveryFilter) {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(filter)) if (value !== undefined) query.set(name, String(value));
    return this.requestJson(
      "GET",
      `/_control/eventsub-deliveries?${query.toString()}`,
      undefined,
      twitchEventSubDeliveryListSchema.extend({ lastSequence: z.number().int() }),
    );
  }
}
