import type { TwitchControl } from "../../devkit/fakes/twitchControl";
import { testCredentials } from "../../devkit/localBindings";
import { tokenResponseSchema } from "../../worker/twitch/twitch.external";

/** A user's tokens as Twitch issued them, before the Worker's encryption. */
export interface UserTokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  scopes: string[];
}

const redirectUri = `${testCredentials.publicBaseUrl}/twitch/callback`;

/**
 * Real tokens from the Twitch fake, as if the user had clicked Authorize: a code minted through
 * the control API, exchanged at `/oauth2/token` like the Worker's callback does.
 */
export async function mintUserTokens(
  twitch: TwitchControl,
  twitchUrl: string,
  userId: string,
  scopes: string[],
): Promise<UserTokens> {
  const code = await twitch.mintAuthorizationCode({
    userId,
    clientId: testCredentials.twitchClientId,
    redirectUri,
    scopes,
  });
  const response = await fetch(`${twitchUrl}/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      client_id: testCredentials.twitchClientId,
      client_secret: testCredentials.twitchClientSecret,
      code,
      grant_type: "authorization_code",
      redirect_uri: redirectUri,
    }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`the Twitch fake refused the code exchange (${response.status}): ${text}`);
  const grant = tokenResponseSchema.parse(JSON.parse(text));
  if (grant.refresh_token === undefined) throw new Error("the Twitch fake issued no refresh token");
  return {
    accessToken: grant.access_token,
    refreshToken: grant.refresh_token,
    expiresAt: Date.now() + grant.expires_in * 1000,
    scopes: grant.scope.length > 0 ? grant.scope : scopes,
  };
}
