import type { AppContext } from "../context";
import { readGuildLocale } from "../db/guilds";
import { pauseActiveRaffle } from "../db/raffles";
import {
  claimRefreshLease,
  findTwitchLink,
  markNeedsReauth,
  releaseRefreshLease,
  storeRefreshedTokens,
  type TwitchLink,
} from "../db/twitchLinks";
import { createChannelMessage } from "../discord/DiscordRestClient";
import { resolveLocale, translate } from "../i18n/translate";
import { getTokenCipher, tokenPurpose } from "../security/keys";
import { HelixClient } from "./HelixClient";
import { RefreshTokenRejectedError, TwitchApiError } from "./TwitchApiError";
import { refreshAccessToken } from "./TwitchAuthClient";

/** Refresh this long before Twitch's expiry, so a tick never starts with a dying token. */
const refreshAheadMilliseconds = 5 * 60 * 1000;
const refreshLeaseMilliseconds = 30 * 1000;
const leaseWaitStepMilliseconds = 200;
const leaseWaitAttempts = 25;

export class TwitchNotLinkedError extends Error {
  constructor(readonly guildId: string) {
    super("no Twitch account is linked to this guild");
    this.name = "TwitchNotLinkedError";
  }
}

export class TwitchNeedsReauthError extends Error {
  constructor(readonly guildId: string) {
    super("the Twitch link needs a new authorization");
    this.name = "TwitchNeedsReauthError";
  }
}

/**
 * Runs `call` with the guild's user token: refreshed ahead of expiry, and refreshed once
 * more and retried if Twitch still answers 401.
 */
export async function callWithUserToken<Result>(
  app: AppContext,
  guildId: string,
  call: (helix: HelixClient, link: TwitchLink) => Promise<Result>,
  /** The link when the caller already read it (the tick does, with the due raffles). */
  preloaded?: TwitchLink,
): Promise<Result> {
  let link = preloaded?.status === "active" ? preloaded : await loadUsableLink(app, guildId);
  if (link.accessTokenExpiresAt - app.now() < refreshAheadMilliseconds) link = await refreshLink(app, link);
  try {
    return await call(new HelixClient(app.config, await openAccessToken(app, link)), link);
  } catch (error) {
    if (!(error instanceof TwitchApiError) || error.status !== 401) throw error;
    app.log.warn("Twitch answered 401; refreshing the token once", { guildId });
    link = await refreshLink(app, link);
    return call(new HelixClient(app.config, await openAccessToken(app, link)), link);
  }
}

async function loadUsableLink(app: AppContext, guildId: string): Promise<TwitchLink> {
  const link = await findTwitchLink(app.database, guildId);
  if (!link) throw new TwitchNotLinkedError(guildId);
  if (link.status === "needs_reauth") throw new TwitchNeedsReauthError(guildId);
  return link;
}

export async function openAccessToken(app: AppContext, link: TwitchLink): Promise<string> {
  const cipher = await getTokenCipher(app.config);
  return cipher.open(link.accessToken, tokenPurpose.accessToken(link.guildId));
}

/**
 * Refreshes under a lease so that concurrent callers spend the refresh token once: the
 * loser waits for the winner's new token instead of refreshing again.
 */
export async function refreshLink(app: AppContext, link: TwitchLink): Promise<TwitchLink> {
  const guildId = link.guildId;
  if (!(await claimRefreshLease(app.database, guildId, link.accessToken, app.now(), refreshLeaseMilliseconds))) {
    return waitForConcurrentRefresh(app, link);
  }
  const cipher = await getTokenCipher(app.config);
  try {
    const refreshToken = await cipher.open(link.refreshToken, tokenPurpose.refreshToken(guildId));
    const grant = await refreshAccessToken(app.config, refreshToken, app.now());
    const tokens = {
      accessToken: await cipher.seal(grant.accessToken, tokenPurpose.accessToken(guildId)),
      refreshToken: await cipher.seal(grant.refreshToken, tokenPurpose.refreshToken(guildId)),
      accessTokenExpiresAt: grant.expiresAt,
      scopes: grant.scopes.length > 0 ? grant.scopes : link.scopes,
    };
    await storeRefreshedTokens(app.database, guildId, tokens);
    app.log.info("Twitch token refreshed", { guildId });
    return { ...link, ...tokens };
  } catch (error) {
    if (error instanceof RefreshTokenRejectedError) {
      await handleDeadRefreshToken(app, guildId);
      throw new TwitchNeedsReauthError(guildId);
    }
    await releaseRefreshLease(app.database, guildId);
    throw error;
  }
}

async function waitForConcurrentRefresh(app: AppContext, link: TwitchLink): Promise<TwitchLink> {
  for (let attempt = 0; attempt < leaseWaitAttempts; attempt += 1) {
    const current = await findTwitchLink(app.database, link.guildId);
    if (!current) throw new TwitchNotLinkedError(link.guildId);
    if (current.status === "needs_reauth") throw new TwitchNeedsReauthError(link.guildId);
    // Someone else stored a new pair (before or while we waited): use it.
    if (current.accessToken.ciphertext !== link.accessToken.ciphertext) return current;
    await new Promise((resolve) => setTimeout(resolve, leaseWaitStepMilliseconds));
  }
  throw new Error("timed out waiting for a concurrent Twitch token refresh");
}

/** Twitch refused the refresh token: pause the raffle and tell its channel, once. */
export async function handleDeadRefreshToken(app: AppContext, guildId: string): Promise<void> {
  const firstToKnow = await markNeedsReauth(app.database, guildId, app.now());
  const raffle = await pauseActiveRaffle(app.database, guildId, "twitch_needs_reauth");
  app.log.warn("Twitch refresh token rejected; link needs re-authorization", { guildId, notify: firstToKnow });
  if (!firstToKnow || !raffle) return;
  try {
    const locale = resolveLocale(await readGuildLocale(app.database, guildId));
    await createChannelMessage(
      app.config,
      raffle.discordChannelId,
      { content: translate(locale, "twitchNeedsReauthNotice") },
      `reauth-${guildId}`.slice(0, 25),
    );
  } catch (error) {
    app.log.error("could not tell the raffle channel about the dead Twitch link", { error, guildId });
  }
}
