import type { AppContext } from "../context";
import { TwitchApiError } from "./TwitchApiError";
import { tokenResponseSchema } from "./twitch.external";

interface CachedToken {
  accessToken: string;
  expiresAt: number;
}

// App tokens (client credentials) live for weeks and cannot be refreshed; one per client per
// isolate is enough, fetched again shortly before it expires or when Twitch rejects it.
const cachedTokens = new Map<string, CachedToken>();
const renewAheadMilliseconds = 10 * 60 * 1000;

/** A Twitch app access token (client credentials), for calls that need no user: Get Streams. */
export async function getAppAccessToken(app: AppContext, options: { forceNew?: boolean } = {}): Promise<string> {
  const cacheKey = `${app.config.twitchAuthBaseUrl}|${app.config.twitchClientId}`;
  const cached = cachedTokens.get(cacheKey);
  if (cached && !options.forceNew && cached.expiresAt - renewAheadMilliseconds > Date.now()) return cached.accessToken;
  const url = `${app.config.twitchAuthBaseUrl}/token`;
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      client_id: app.config.twitchClientId,
      client_secret: app.config.twitchClientSecret,
      grant_type: "client_credentials",
    }),
  });
  const text = await response.text();
  if (!response.ok) throw new TwitchApiError(response.status, url, text);
  const grant = tokenResponseSchema.parse(JSON.parse(text));
  cachedTokens.set(cacheKey, { accessToken: grant.access_token, expiresAt: Date.now() + grant.expires_in * 1000 });
  return grant.access_token;
}
