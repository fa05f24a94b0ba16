import type { z } from "zod";
import type { Config } from "../env";
import { TwitchApiError, TwitchRateLimitedError } from "./TwitchApiError";
import { chattersResponseSchema, streamsResponseSchema, usersResponseSchema } from "./twitch.external";

/** How long a call may wait for Helix's bucket to refill before giving up for this tick. */
const maximumRateLimitWaitMilliseconds = 2_000;

export interface TwitchUser {
  id: string;
  login: string;
  displayName: string;
}

export interface LiveStream {
  broadcasterId: string;
  broadcasterLogin: string;
  title: string;
  viewerCount: number;
  startedAt: string | undefined;
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
    return body.data.map((user) => ({ id: user.id, login: user.login, displayName: user.display_name }));
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

  /** Every chatter, following the cursor 1000 at a time. */
  async getChatters(broadcasterId: string, moderatorId: string): Promise<TwitchUser[]> {
    const chatters: TwitchUser[] = [];
    let cursor: string | undefined;
    do {
      const search = new URLSearchParams({ broadcaster_id: broadcasterId, moderator_id: moderatorId, first: "1000" });
      if (cursor) search.set("after", cursor);
      const page = await this.get("/chat/chatters", search, chattersResponseSchema);
      for (const chatter of page.data) {
        chatters.push({ id: chatter.user_id, login: chatter.user_login, displayName: chatter.user_name });
      }
      cursor = page.pagination?.cursor || undefined;
    } while (cursor);
    return chatters;
  }

  private async get<Schema extends z.ZodType>(
    path: string,
    search: URLSearchParams,
    schema: Schema,
  ): Promise<z.output<Schema>> {
    const url = `${this.settings.twitchApiBaseUrl}${path}?${search}`;
    for (let attempt = 0; ; attempt += 1) {
      const response = await fetch(url, {
        headers: { authorization: `Bearer ${this.accessToken}`, "client-id": this.settings.twitchClientId },
      });
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
