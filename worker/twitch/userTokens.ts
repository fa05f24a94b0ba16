import type { AppContext } from "../context";
import {
  claimRefreshLease,
  findTwitchLink,
  markNeedsReauth,
  releaseRefreshLease,
  storeRefreshedTokens,
  type TwitchLink,
} from "../db/twitchLinks";
import { describeError } from "../log";
import { getTokenCipher, tokenPurpose } from "../security/keys";
import { type SealedSecret, UnreadableSecretError } from "../security/TokenCipher";
import { RefreshTokenRejectedError } from "./TwitchApiError";
import { refreshAccessToken, revokeToken, type TokenGrant } from "./TwitchAuthClient";

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

/**
 * The guild was unlinked or re-linked to another Twitch account while this call was refreshing
 * its token: the call was made for an account the guild no longer has.
 */
export class TwitchLinkChangedError extends TwitchNotLinkedError {
  constructor(guildId: string) {
    super(guildId);
    this.message = "the guild's Twitch link changed while its token was refreshed";
    this.name = "TwitchLinkChangedError";
  }
}

/**
 * Why a link needs a new authorization: Twitch refused its refresh token, its stored tokens no
 * longer open (their encryption key was removed), or it was already marked so.
 */
export type ReauthReason = "refresh_rejected" | "token_unreadable" | "already_marked";

/**
 * The link needs the streamer to link again. Twitch code only reports this (and records it on
 * the link); whoever called decides what it means for the raffle (raffle/lifecycle.ts).
 */
export class TwitchNeedsReauthError extends Error {
  constructor(
    readonly guildId: string,
    readonly reason: ReauthReason = "already_marked",
  ) {
    super(`the Twitch link needs a new authorization (${reason})`);
    this.name = "TwitchNeedsReauthError";
  }
}

/**
 * The guild's link, ready for a call as its streamer: refreshed when it expires within
 * `refreshAheadMilliseconds`. The one caller is raffle/twitchAccess.ts `callWithUserToken`, which
 * also reacts to a link that needs re-authorization; Twitch code only reports it.
 */
export async function loadFreshLink(app: AppContext, guildId: string, preloaded?: TwitchLink): Promise<TwitchLink> {
  const link = preloaded?.status === "active" ? preloaded : await loadUsableLink(app, guildId);
  return link.accessTokenExpiresAt - app.now() < refreshAheadMilliseconds ? refreshLink(app, link) : link;
}

async function loadUsableLink(app: AppContext, guildId: string): Promise<TwitchLink> {
  const link = await findTwitchLink(app.database, guildId);
  if (!link) throw new TwitchNotLinkedError(guildId);
  if (link.status === "needs_reauth") throw new TwitchNeedsReauthError(guildId);
  return link;
}

/** The link's access token in clear. A token that no longer opens marks the link needs_reauth. */
export async function openAccessToken(app: AppContext, link: TwitchLink): Promise<string> {
  return openLinkToken(app, link, link.accessToken, tokenPurpose.accessToken(link.guildId));
}

async function openLinkToken(app: AppContext, link: TwitchLink, sealed: SealedSecret, purpose: string) {
  const cipher = await getTokenCipher(app.config);
  try {
    return await cipher.open(sealed, purpose);
  } catch (error) {
    if (!(error instanceof UnreadableSecretError)) throw error;
    // Failing every minute would not bring the key back: only a new link can.
    app.log.error("a stored Twitch token does not open; the link needs re-authorization", {
      guildId: link.guildId,
      keyId: error.keyId,
    });
    await reportNeedsReauth(app, link, "token_unreadable");
    throw error;
  }
}

/**
 * Records that `link` needs re-authorization and throws TwitchNeedsReauthError. When the link
 * changed meanwhile (a re-link or refresh won the race), it is not this link that died: returns.
 */
async function reportNeedsReauth(app: AppContext, link: TwitchLink, reason: ReauthReason): Promise<void> {
  if (await markNeedsReauth(app.database, link.guildId, link.refreshToken)) {
    app.log.warn("Twitch link needs re-authorization", { guildId: link.guildId, reason });
    throw new TwitchNeedsReauthError(link.guildId, reason);
  }
  const current = await findTwitchLink(app.database, link.guildId);
  if (current?.status === "needs_reauth" && current.refreshToken.ciphertext === link.refreshToken.ciphertext) {
    throw new TwitchNeedsReauthError(link.guildId, reason);
  }
}

/**
 * Refreshes under a lease so that concurrent callers spend the refresh token once: the
 * loser waits for the winner's new token instead of refreshing again. The new pair is stored
 * only if the link still holds the refresh token spent here.
 */
export async function refreshLink(app: AppContext, link: TwitchLink): Promise<TwitchLink> {
  const guildId = link.guildId;
  if (!(await claimRefreshLease(app.database, guildId, link.accessToken, Date.now(), refreshLeaseMilliseconds))) {
    return waitForConcurrentRefresh(app, link);
  }
  let grant: TokenGrant;
  try {
    const refreshToken = await openLinkToken(app, link, link.refreshToken, tokenPurpose.refreshToken(guildId));
    grant = await refreshAccessToken(app.config, refreshToken, app.now());
  } catch (error) {
    if (error instanceof RefreshTokenRejectedError) {
      await reportNeedsReauth(app, link, "refresh_rejected");
      return readCurrentLink(app, link);
    }
    await releaseRefreshLease(app.database, guildId, link.refreshToken);
    throw error;
  }
  const cipher = await getTokenCipher(app.config);
  const tokens = {
    accessToken: await cipher.seal(grant.accessToken, tokenPurpose.accessToken(guildId)),
    refreshToken: await cipher.seal(grant.refreshToken, tokenPurpose.refreshToken(guildId)),
    accessTokenExpiresAt: grant.expiresAt,
    scopes: grant.scopes.length > 0 ? grant.scopes : link.scopes,
  };
  if (await storeRefreshedTokens(app.database, guildId, link.refreshToken, tokens)) {
    app.log.info("Twitch token refreshed", { guildId });
    return { ...link, ...tokens };
  }
  app.log.warn("the Twitch link changed during a refresh; the new tokens were not stored", { guildId });
  try {
    return await readCurrentLink(app, link);
  } catch (error) {
    // Another account (or none) holds the guild now: nobody will ever use these tokens.
    if (error instanceof TwitchLinkChangedError) await revokeGrant(app, guildId, grant);
    throw error;
  }
}

/**
 * The guild's link as stored now, when it is still the same Twitch account and usable; the
 * typed error that says why not otherwise.
 */
async function readCurrentLink(app: AppContext, link: TwitchLink): Promise<TwitchLink> {
  const current = await findTwitchLink(app.database, link.guildId);
  if (!current || current.twitchUserId !== link.twitchUserId) throw new TwitchLinkChangedError(link.guildId);
  if (current.status === "needs_reauth") throw new TwitchNeedsReauthError(link.guildId);
  return current;
}

async function waitForConcurrentRefresh(app: AppContext, link: TwitchLink): Promise<TwitchLink> {
  for (let attempt = 0; attempt < leaseWaitAttempts; attempt += 1) {
    const current = await readCurrentLink(app, link);
    // Someone else stored a new pair (before or while we waited): use it.
    if (current.accessToken.ciphertext !== link.accessToken.ciphertext) return current;
    await new Promise((resolve) => setTimeout(resolve, leaseWaitStepMilliseconds));
  }
  throw new Error("timed out waiting for a concurrent Twitch token refresh");
}

async function revokeGrant(app: AppContext, guildId: string, grant: TokenGrant): Promise<void> {
  for (const token of [grant.accessToken, grant.refreshToken]) {
    await revokeToken(app.config, token).catch((error: unknown) =>
      app.log.warn("could not revoke an orphaned Twitch token", { guildId, error: describeError(error) }),
    );
  }
}

/**
 * Revokes a link's tokens at Twitch, best effort, one by one: true when Twitch confirmed both.
 * A token that no longer opens (its key is gone) cannot be revoked and counts as unconfirmed.
 */
export async function revokeLinkTokens(app: AppContext, link: TwitchLink): Promise<boolean> {
  const cipher = await getTokenCipher(app.config);
  const sealedTokens = [
    { sealed: link.accessToken, purpose: tokenPurpose.accessToken(link.guildId) },
    { sealed: link.refreshToken, purpose: tokenPurpose.refreshToken(link.guildId) },
  ];
  let confirmed = true;
  for (const { sealed, purpose } of sealedTokens) {
    try {
      await revokeToken(app.config, await cipher.open(sealed, purpose));
    } catch (error) {
      confirmed = false;
      app.log.warn("could not revoke a Twitch token", {
        guildId: link.guildId,
        twitchUserId: link.twitchUserId,
        error: describeError(error),
      });
    }
  }
  return confirmed;
}
