import type * as z from "zod/mini";
import type { Config } from "../env";
import { maximumChatterPages } from "../lib/subrequestBudget";
import { TwitchApiError, TwitchRateLimitedError } from "./TwitchApiError";
import {
  channelFollowersResponseSchema,
  chatMessageResponseSchema,
  chattersResponseSchema,
  eventSubCreatedSchema,
  eventSubListSchema,
  streamsResponseSchema,
  subscriptionsResponseSchema,
  usersResponseSchema,
} from "./twitch.external";

/** How long a call may wait for Helix's bucket to refill before giving up for this tick. */
const maximumRateLimitWaitMilliseconds = 2_000;

export interface TwitchUser {
  id: string;
  login: string;
  displayName: string;
  /** When the account was created (ms); Get Users gives it, Get Chatters does not. */
  createdAt?: number;
}

export interface LiveStream {
  broadcasterId: string;
  broadcasterLogin: string;
  title: string;
  viewerCount: number;
  startedAt: string | undefined;
}

/** An EventSub subscription as Get EventSub Subscriptions lists it. */
export interface EventSubSubscriptionListing {
  id: string;
  status: string;
  type: string;
  version: string;
  condition: Record<string, string>;
  callback: string;
  createdAt: string | undefined;
}

type HelixSettings = Pick<Config, "twitchApiBaseUrl" | "twitchClientId">;

/** Helix calls with one access token (user or app). A 401 surfaces as TwitchApiError(401). */
export class HelixClient {
  constructor(
    private readonly settings: HelixSettings,
    private readonly accessToken: string,
  ) {}

  async getUsers(query: { ids?: string[]; logins?: string[] } = {}): Promise<TwitchUser[]> {
    const search = new URLSearchParams();
    for (const id of query.ids ?? []) search.append("id", id);
    for (const login of query.logins ?? []) search.append("login", login);
    const body = await this.get("/users", search, usersResponseSchema);
    return body.data.map((user) => ({
      id: user.id,
      login: user.login,
      displayName: user.display_name,
      ...(user.created_at === undefined ? {} : { createdAt: Date.parse(user.created_at) }),
    }));
  }

  /**
   * When `userId` followed the broadcaster (ms), or undefined: Get Channel Followers with
   * `user_id` answers that one follow or none (scope `moderator:read:followers`, as the
   * broadcaster or a moderator).
   */
  async getFollowedAt(broadcasterId: string, userId: string): Promise<number | undefined> {
    const search = new URLSearchParams({ broadcaster_id: broadcasterId, user_id: userId });
    const body = await this.get("/channels/followers", search, channelFollowersResponseSchema);
    const follow = body.data.find((row) => row.user_id === userId);
    return follow === undefined ? undefined : Date.parse(follow.followed_at);
  }

  /**
   * One page (100, newest first) of the broadcaster's followers, Get Channel Followers without
   * `user_id`: the follows, the channel's follower `total`, and the cursor of the next page.
   */
  async getFollowersPage(
    broadcasterId: string,
    after?: string,
  ): Promise<{ follows: { userId: string; followedAt: number }[]; total: number; cursor: string | undefined }> {
    const search = new URLSearchParams({ broadcaster_id: broadcasterId, first: "100" });
    if (after) search.set("after", after);
    const body = await this.get("/channels/followers", search, channelFollowersResponseSchema);
    return {
      follows: body.data.map((row) => ({ userId: row.user_id, followedAt: Date.parse(row.followed_at) })),
      total: body.total ?? body.data.length,
      cursor: body.pagination?.cursor || undefined,
    };
  }

  /**
   * Which of up to 100 users subscribe to the broadcaster: Get Broadcaster Subscriptions with
   * `user_id`s (scope `channel:read:subscriptions`, as the broadcaster) lists only subscribers.
   */
  async getSubscriberIds(broadcasterId: string, userIds: readonly string[]): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    if (userIds.length > 100) throw new RangeError("Get Broadcaster Subscriptions takes at most 100 user ids");
    const search = new URLSearchParams({ broadcaster_id: broadcasterId });
    for (const id of userIds) search.append("user_id", id);
    const body = await this.get("/subscriptions", search, subscriptionsResponseSchema);
    return new Set(body.data.map((row) => row.user_id));
  }

  /** Live streams among up to 100 broadcasters; an absent broadcaster is offline. */
  async getLiveStreams(broadcasterIds: string[]): Promise<LiveStream[]> {
    if (broadcasterIds.length === 0) return [];
    if (broadcasterIds.length > 100) throw new RangeError("Get Streams takes at most 100 user ids");
    const search = new URLSearchParams({ first: "100", type: "live" });
    for (const id of broadcasterIds) search.append("user_id", id);
    const body = await this.get("/streams", search, streamsResponseSchema);
    return body.data.map((stream) => ({
      broadcasterId: stream.user_id,
      broadcasterLogin: stream.user_login,
      title: stream.title ?? "",
      viewerCount: stream.viewer_count ?? 0,
      startedAt: stream.started_at,
    }));
  }

  /** The chatters, following the cursor 1000 at a time for at most `maximumPages` pages. */
  async getChatters(
    broadcasterId: string,
    moderatorId: string,
    maximumPages = maximumChatterPages,
  ): Promise<TwitchUser[]> {
    const chatters: TwitchUser[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      pages += 1;
      const search = new URLSearchParams({ broadcaster_id: broadcasterId, moderator_id: moderatorId, first: "1000" });
      if (cursor) search.set("after", cursor);
      const page = await this.get("/chat/chatters", search, chattersResponseSchema);
      for (const chatter of page.data) {
        chatters.push({ id: chatter.user_id, login: chatter.user_login, displayName: chatter.user_name });
      }
      cursor = page.pagination?.cursor || undefined;
    } while (cursor && pages < maximumPages);
    return chatters;
  }

  /** Creates an EventSub webhook subscription (app token only); Twitch answers 202, pending verification. */
  async createEventSubSubscription(subscription: {
    type: string;
    version: string;
    condition: Record<string, string>;
    callback: string;
    secret: string;
  }): Promise<{ id: string; status: string }> {
    const body = await this.send(
      "POST",
      "/eventsub/subscriptions",
      {
        type: subscription.type,
        version: subscription.version,
        condition: subscription.condition,
        transport: { method: "webhook", callback: subscription.callback, secret: subscription.secret },
      },
      eventSubCreatedSchema,
    );
    const created = body.data[0];
    if (!created) throw new TwitchApiError(202, "/eventsub/subscriptions", "no subscription in the answer");
    return { id: created.id, status: created.status };
  }

  /** Deletes a subscription; one Twitch no longer knows counts as deleted. */
  async deleteEventSubSubscription(subscriptionId: string): Promise<void> {
    const url = `${this.settings.twitchApiBaseUrl}/eventsub/subscriptions?${new URLSearchParams({ id: subscriptionId })}`;
    const response = await fetch(url, { method: "DELETE", headers: this.headers() });
    if (response.ok || response.status === 404) return;
    throw new TwitchApiError(response.status, url, await response.text());
  }

  /**
   * Get EventSub Subscriptions whose condition names the user (app token; Twitch takes one filter
   * at a time): how a 409 on create is resolved to the subscription that already exists. The
   * first page (100) is plenty for the few types LiveLoot subscribes a channel to.
   */
  async listEventSubSubscriptions(userId: string): Promise<EventSubSubscriptionListing[]> {
    return (await this.readEventSubSubscriptionPage(new URLSearchParams({ user_id: userId }))).subscriptions;
  }

  /** One page (Twitch's, up to 100) of every subscription of the app token's client, and the next cursor. */
  async listAllEventSubSubscriptions(
    after?: string,
  ): Promise<{ subscriptions: EventSubSubscriptionListing[]; cursor: string | undefined }> {
    return this.readEventSubSubscriptionPage(new URLSearchParams(after ? { after } : {}));
  }

  private async readEventSubSubscriptionPage(search: URLSearchParams) {
    const body = await this.get("/eventsub/subscriptions", search, eventSubListSchema);
    return {
      subscriptions: body.data.map((entry) => ({
        id: entry.id,
        status: entry.status,
        type: entry.type,
        version: entry.version,
        condition: entry.condition,
        callback: entry.transport.callback ?? "",
        createdAt: entry.created_at,
      })),
      cursor: body.pagination?.cursor || undefined,
    };
  }

  /** Send Chat Message as the token's user; a 200 can still be dropped, so `isSent` is checked. */
  async sendChatMessage(
    broadcasterId: string,
    senderId: string,
    message: string,
  ): Promise<{ messageId: string; isSent: boolean; dropReason: string | undefined }> {
    const body = await this.send(
      "POST",
      "/chat/messages",
      { broadcaster_id: broadcasterId, sender_id: senderId, message: message.slice(0, 500) },
      chatMessageResponseSchema,
    );
    const sent = body.data[0];
    return {
      messageId: sent?.message_id ?? "",
      isSent: sent?.is_sent ?? false,
      dropReason: sent?.drop_reason?.message ?? sent?.drop_reason?.code,
    };
  }

  private headers(): Record<string, string> {
    return { authorization: `Bearer ${this.accessToken}`, "client-id": this.settings.twitchClientId };
  }

  private async send<Schema extends z.ZodMiniType>(
    method: "POST",
    path: string,
    payload: unknown,
    schema: Schema,
  ): Promise<z.output<Schema>> {
    const url = `${this.settings.twitchApiBaseUrl}${path}`;
    const response = await fetch(url, {
      method,
      headers: { ...this.headers(), "content-type": "application/json" },
      body: JSON.stringify(payload),
    });
    const text = await response.text();
    if (!response.ok) throw new TwitchApiError(response.status, url, text);
    return schema.parse(JSON.parse(text));
  }

  private async get<Schema extends z.ZodMiniType>(
    path: string,
    search: URLSearchParams,
    schema: Schema,
  ): Promise<z.output<Schema>> {
    const url = `${this.settings.twitchApiBaseUrl}${path}?${search}`;
    for (let attempt = 0; ; attempt += 1) {
      const response = await fetch(url, { headers: this.headers() });
      const text = await response.text();
      if (response.ok) return schema.parse(JSON.parse(text));
      if (response.status !== 429) throw new TwitchApiError(response.status, url, text);
      const resetAt = Number(response.headers.get("ratelimit-reset")) * 1000 || undefined;
      const wait = resetAt === undefined ? undefined : resetAt - Date.now();
      if (attempt > 0 || wait === undefined || wait > maximumRateLimitWaitMilliseconds) {
        throw new TwitchRateLimitedError(url, text, resetAt);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(wait, 0)));
    }
  }
}
