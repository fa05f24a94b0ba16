import type { AppContext } from "../context";
import { ensureGuild } from "../db/guilds";
import { consumeOAuthState, type OAuthStateRecord } from "../db/oauthStates";
import { resumePausedRaffle, retargetActiveRaffle } from "../db/raffles";
import { saveTwitchLink } from "../db/twitchLinks";
import { createChannelMessage, editOriginalResponse } from "../discord/DiscordRestClient";
import type { MessageBody } from "../discord/message";
import { renderMessagePage, resolveBrowserLocale } from "../http/renderMessagePage";
import { type MessageKey, translate } from "../i18n/translate";
import { getStateKey, getTokenCipher, tokenPurpose } from "../security/keys";
import { verifyState } from "../security/OAuthState";
import { syncSubscriptions } from "./eventSubSubscriptions";
import { HelixClient } from "./HelixClient";
import { readServerName, renderLinkFailurePage } from "./handleLinkPage";
import { requiredTwitchScopes } from "./scopes";
import { exchangeCode, revokeToken, type TokenGrant, validateAccessToken } from "./TwitchAuthClient";

/** Interaction tokens live 15 minutes; leave a minute of margin before falling back to a bot post. */
const interactionTokenLifetimeMilliseconds = 14 * 60 * 1000;

/**
 * GET /twitch/callback: Twitch's redirect after consent. Verifies the signed single-use state
 * before anything else (no code is exchanged for a bad state), then links the account.
 */
export async function handleOAuthCallback(request: Request, app: AppContext): Promise<Response> {
  const url = new URL(request.url);
  const locale = resolveBrowserLocale(request.headers.get("accept-language"));
  const fail = (key: MessageKey, parameters: Record<string, string> = {}) =>
    renderLinkFailurePage(locale, key, 400, parameters);

  const stateParameter = url.searchParams.get("state");
  if (!stateParameter) return fail("callbackInvalidState");
  const verification = await verifyState(stateParameter, await getStateKey(app.config), app.now());
  if (!verification.ok) {
    app.log.warn("Twitch callback with a bad state", { reason: verification.reason });
    return fail(verification.reason === "expired" ? "callbackExpiredState" : "callbackInvalidState");
  }
  const claims = verification.claims;
  const stored = await consumeOAuthState(app.database, claims.nonce, app.now());
  if (!stored) {
    app.log.warn("Twitch callback with a used or unknown state", { guildId: claims.guildId });
    return fail("callbackReusedState");
  }
  if (stored.guildId !== claims.guildId || stored.discordUserId !== claims.userId) return fail("callbackInvalidState");

  if (url.searchParams.get("error")) {
    app.log.info("streamer cancelled the Twitch consent", { guildId: claims.guildId });
    // The reply's button is spent: say so there instead of leaving a button that leads nowhere.
    await tellDiscord(
      app,
      stored,
      { content: translate(locale, "twitchLinkCancelledInDiscord"), components: [] },
      {
        editOnly: true,
      },
    );
    return fail("callbackDenied");
  }
  const code = url.searchParams.get("code");
  if (!code) return fail("callbackExchangeFailed");

  let grant: TokenGrant;
  try {
    grant = await exchangeCode(app.config, code, app.now());
  } catch (error) {
    app.log.warn("Twitch code exchange failed", { error, guildId: claims.guildId });
    return fail("callbackExchangeFailed");
  }
  const identity = await validateAccessToken(app.config, grant.accessToken);
  if (!identity) return fail("callbackExchangeFailed");
  const missingScope = requiredTwitchScopes.find((scope) => !identity.scopes.includes(scope));
  if (missingScope) {
    await revokeToken(app.config, grant.accessToken).catch(() => {});
    return fail("callbackMissingScope", { scope: missingScope });
  }
  const displayName = await fetchDisplayName(app, grant.accessToken, identity.userId, identity.login);

  const cipher = await getTokenCipher(app.config);
  await ensureGuild(app.database, claims.guildId);
  await saveTwitchLink(app.database, {
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
  await retargetActiveRaffle(app.database, claims.guildId, { id: identity.userId, login: identity.login });
  const resumed = await resumePausedRaffle(
    app.database,
    claims.guildId,
    ["twitch_needs_reauth", "chatters_forbidden"],
    app.now(),
  );
  app.log.info("Twitch account linked", {
    guildId: claims.guildId,
    twitchUserId: identity.userId,
    raffleResumed: Boolean(resumed),
  });
  await tellDiscord(app, stored, {
    content: translate(locale, "twitchLinkedInDiscord", { name: displayName }),
    components: [],
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
      server: await readServerName(app, claims.guildId),
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

/**
 * Edits the ephemeral /twitch connect reply while its token lives; else, unless `editOnly`,
 * posts in the channel.
 */
async function tellDiscord(
  app: AppContext,
  state: OAuthStateRecord,
  body: MessageBody,
  options: { editOnly?: boolean } = {},
): Promise<void> {
  if (app.now() - state.createdAt < interactionTokenLifetimeMilliseconds) {
    try {
      const cipher = await getTokenCipher(app.config);
      const interactionToken = await cipher.open(state.interactionToken, tokenPurpose.interactionToken(state.nonce));
      await editOriginalResponse(app.config, state.discordApplicationId, interactionToken, body);
      return;
    } catch (error) {
      app.log.warn("could not edit the /twitch connect reply", { error, guildId: state.guildId });
    }
  }
  if (options.editOnly) return;
  try {
    await createChannelMessage(app.config, state.discordChannelId, { content: body.content });
  } catch (error) {
    app.log.error("could not tell Discord about the new Twitch link", { error, guildId: state.guildId });
  }
}
