import type { AppContext } from "../context";
import { ensureGuild } from "../db/guilds";
import { consumeOAuthState } from "../db/oauthStates";
import { saveTwitchLink } from "../db/twitchLinks";
import type { OAuthFailure } from "../i18n/oauthFailures";
import { type MessageKey, translate } from "../i18n/translate";
import { isBoundBrowser } from "../security/BrowserBinding";
import { getStateKey, getTokenCipher, tokenPurpose } from "../security/keys";
import { verifyState } from "../security/OAuthState";
import { syncSubscriptions } from "../twitch/eventSubSubscriptions";
import { HelixClient } from "../twitch/HelixClient";
import { requiredTwitchScopes } from "../twitch/scopes";
import { exchangeCode, revokeToken, type TokenGrant, validateAccessToken } from "../twitch/TwitchAuthClient";
import type { TwitchLinkListener } from "../twitch/TwitchLinkListener";
import { revokeLinkTokens } from "../twitch/userTokens";
import { renderLinkFailurePage, renderOAuthFailurePage, twitchLinkFlow } from "./handleLinkPage";
import { renderMessagePage, resolveBrowserLocale } from "./renderMessagePage";

/**
 * GET /twitch/callback: Twitch's redirect after consent. Verifies the signed single-use state, and
 * that it comes back to the browser that opened the link page, before anything else (no code is
 * exchanged and the state is not spent for a bad one), then links the account.
 */
export async function handleOAuthCallback(
  request: Request,
  app: AppContext,
  listener: TwitchLinkListener,
): Promise<Response> {
  const url = new URL(request.url);
  const locale = resolveBrowserLocale(request.headers.get("accept-language"));
  const fail = (key: MessageKey, parameters: Record<string, string> = {}) =>
    renderLinkFailurePage(locale, key, 400, parameters);
  const failOAuth = (failure: OAuthFailure) => renderOAuthFailurePage(locale, failure);

  const stateParameter = url.searchParams.get("state");
  if (!stateParameter) return failOAuth("invalidState");
  const verification = await verifyState(stateParameter, await getStateKey(app.config), app.now());
  if (!verification.ok) {
    app.log.warn("Twitch callback with a bad state", { reason: verification.reason });
    return failOAuth(verification.reason === "expired" ? "expiredState" : "invalidState");
  }
  const claims = verification.claims;
  if (!(await isBoundBrowser(request, twitchLinkFlow, claims.browserDigest))) {
    // An authorize URL taken out of the browser that opened the link page: perhaps sent to a
    // streamer so that their consent links someone else's server. The same page as a forged state.
    app.log.warn("Twitch callback from a browser that did not open the link page", { guildId: claims.guildId });
    return failOAuth("invalidState");
  }
  const stored = await consumeOAuthState(app.database, claims.nonce, app.now());
  if (!stored) {
    app.log.warn("Twitch callback with a used or unknown state", { guildId: claims.guildId });
    return failOAuth("reusedState");
  }
  if (
    stored.guildId !== claims.guildId ||
    stored.discordUserId !== claims.userId ||
    stored.browserDigest !== claims.browserDigest
  )
    return failOAuth("invalidState");

  if (url.searchParams.get("error")) {
    app.log.info("streamer cancelled the Twitch consent", { guildId: claims.guildId });
    await listener.cancelled(app, stored, locale);
    return failOAuth("denied");
  }
  const code = url.searchParams.get("code");
  if (!code) return failOAuth("notConfirmed");

  let grant: TokenGrant;
  try {
    grant = await exchangeCode(app.config, code, app.now());
  } catch (error) {
    app.log.warn("Twitch code exchange failed", { error, guildId: claims.guildId });
    return failOAuth("notConfirmed");
  }
  const identity = await validateAccessToken(app.config, grant.accessToken);
  if (!identity) return failOAuth("notConfirmed");
  const missingScope = requiredTwitchScopes.find((scope) => !identity.scopes.includes(scope));
  if (missingScope) {
    await revokeToken(app.config, grant.accessToken).catch(() => {});
    return fail("callbackMissingScope", { scope: missingScope });
  }
  const displayName = await fetchDisplayName(app, grant.accessToken, identity.userId, identity.login);

  const cipher = await getTokenCipher(app.config);
  await ensureGuild(app.database, claims.guildId);
  const replaced = await saveTwitchLink(app.database, {
    guildId: claims.guildId,
    twitchUserId: identity.userId,
    twitchLogin: identity.login,
    twitchDisplayName: displayName,
    scopes: identity.scopes,
    accessToken: await cipher.seal(grant.accessToken, tokenPurpose.accessToken(claims.guildId)),
    refreshToken: await cipher.seal(grant.refreshToken, tokenPurpose.refreshToken(claims.guildId)),
    accessTokenExpiresAt: app.now() + identity.expiresInSeconds * 1000,
    linkedByDiscordUserId: claims.userId,
    now: app.now(),
  });
  app.log.info("Twitch account linked", {
    guildId: claims.guildId,
    twitchUserId: identity.userId,
    replacedTwitchUserId: replaced?.twitchUserId,
  });
  if (replaced && replaced.twitchUserId !== identity.userId) {
    // The old account's tokens are of no use to anyone now. Best effort, after the answer.
    app.runInBackground(revokeLinkTokens(app, replaced));
  }
  await listener.linked(app, {
    request: stored,
    locale,
    twitchUserId: identity.userId,
    twitchLogin: identity.login,
    displayName,
  });
  // Subscriptions need a few Twitch calls; the browser need not wait for them.
  app.runInBackground(
    syncSubscriptions(app, { guildId: claims.guildId, twitchUserId: identity.userId, scopes: identity.scopes }),
  );

  return renderMessagePage({
    locale,
    title: translate(locale, "callbackLinkedTitle"),
    message: translate(locale, "callbackLinkedBody", {
      name: displayName,
      server: await listener.readServerName(app, claims.guildId),
    }),
    status: 200,
    success: true,
  });
}

async function fetchDisplayName(app: AppContext, accessToken: string, userId: string, login: string): Promise<string> {
  try {
    const [user] = await new HelixClient(app.config, accessToken).getUsers({ ids: [userId] });
    return user?.displayName || login;
  } catch {
    return login;
  }
}
