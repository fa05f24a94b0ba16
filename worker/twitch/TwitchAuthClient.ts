import type { Config } from "../env";
import { RefreshTokenRejectedError, TwitchApiError } from "./TwitchApiError";
import { tokenResponseSchema, validateResponseSchema } from "./twitch.external";

type AuthSettings = Pick<Config, "twitchAuthBaseUrl" | "twitchClientId" | "twitchClientSecret">;

/** A user token pair as the app keeps it. */
export interface TokenGrant {
  accessToken: string;
  refreshToken: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  scopes: string[];
}

export interface TokenIdentity {
  userId: string;
  login: string;
  scopes: string[];
  clientId: string;
  expiresInSeconds: number;
}

async function postForm(settings: AuthSettings, path: string, form: Record<string, string>): Promise<Response> {
  return fetch(`${settings.twitchAuthBaseUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form),
  });
}

async function readGrant(
  response: Response,
  url: string,
  now: number,
  previousRefreshToken?: string,
): Promise<TokenGrant> {
  const text = await response.text();
  if (!response.ok) throw new TwitchApiError(response.status, url, text);
  const parsed = tokenResponseSchema.parse(JSON.parse(text));
  const refreshToken = parsed.refresh_token ?? previousRefreshToken;
  if (!refreshToken) throw new TwitchApiError(response.status, url, "token response carried no refresh_token");
  return {
    accessToken: parsed.access_token,
    refreshToken,
    expiresAt: now + parsed.expires_in * 1000,
    scopes: parsed.scope,
  };
}

/**
 * Authorization-code exchange (OAuth step 3). `redirectPath` is the callback the code was sent to:
 * the streamer link's, or the claim sign-in's `/claim/callback`.
 */
export async function exchangeCode(
  settings: AuthSettings & Pick<Config, "publicBaseUrl">,
  code: string,
  now: number,
  redirectPath = "/twitch/callback",
) {
  const path = "/token";
  const response = await postForm(settings, path, {
    client_id: settings.twitchClientId,
    client_secret: settings.twitchClientSecret,
    code,
    grant_type: "authorization_code",
    redirect_uri: `${settings.publicBaseUrl}${redirectPath}`,
  });
  return readGrant(response, `${settings.twitchAuthBaseUrl}${path}`, now);
}

/** Trades a refresh token for a new pair; Twitch may rotate the refresh token, so keep the new one. */
export async function refreshAccessToken(settings: AuthSettings, refreshToken: string, now: number) {
  const url = `${settings.twitchAuthBaseUrl}/token`;
  const response = await postForm(settings, "/token", {
    client_id: settings.twitchClientId,
    client_secret: settings.twitchClientSecret,
    grant_type: "refresh_token",
    refresh_token: refreshToken,
  });
  if (response.status === 400 || response.status === 401) {
    throw new RefreshTokenRejectedError(url, await response.text());
  }
  return readGrant(response, url, now, refreshToken);
}

/** GET /oauth2/validate: who the token belongs to; `undefined` when Twitch says it is invalid. */
export async function validateAccessToken(
  settings: Pick<Config, "twitchAuthBaseUrl">,
  accessToken: string,
): Promise<TokenIdentity | undefined> {
  const url = `${settings.twitchAuthBaseUrl}/validate`;
  const response = await fetch(url, { headers: { authorization: `OAuth ${accessToken}` } });
  const text = await response.text();
  if (response.status === 401) return undefined;
  if (!response.ok) throw new TwitchApiError(response.status, url, text);
  const parsed = validateResponseSchema.parse(JSON.parse(text));
  if (!parsed.user_id || !parsed.login) throw new TwitchApiError(response.status, url, "not a user token");
  return {
    userId: parsed.user_id,
    login: parsed.login,
    scopes: parsed.scopes ?? [],
    clientId: parsed.client_id,
    expiresInSeconds: parsed.expires_in,
  };
}

/** Revokes a token at Twitch. An already-invalid token counts as revoked. */
export async function revokeToken(settings: AuthSettings, token: string): Promise<void> {
  const url = `${settings.twitchAuthBaseUrl}/revoke`;
  const response = await postForm(settings, "/revoke", { client_id: settings.twitchClientId, token });
  if (response.ok || response.status === 400) return;
  throw new TwitchApiError(response.status, url, await response.text());
}
