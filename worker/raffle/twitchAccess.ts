import type { AppContext } from "../context";
import { listLinksAwaitingReauthNotice, type TwitchLink } from "../db/twitchLinks";
import { HelixClient } from "../twitch/HelixClient";
import { TwitchApiError } from "../twitch/TwitchApiError";
import { loadFreshLink, openAccessToken, refreshLink, TwitchNeedsReauthError } from "../twitch/userTokens";
import { validateDueLinks } from "../twitch/validateLinks";
import { pauseForTwitchReauth } from "./lifecycle";

/** Links per tick whose pending re-authorization notice is sent (the same budget as validation). */
const reauthNoticesPerTick = 20;

/**
 * Calls Twitch as the guild's streamer, the one way to: with the link's user token, refreshed
 * ahead of expiry (twitch/userTokens.ts), and refreshed once more and retried if Twitch still
 * answers 401. Twitch code only reports a link that needs re-authorization; here the domain
 * reacts at once (the raffle pauses, its channel is told once) and the error still reaches the
 * caller, who renders or skips.
 */
export async function callWithUserToken<Result>(
  app: AppContext,
  guildId: string,
  call: (helix: HelixClient, link: TwitchLink) => Promise<Result>,
  /** The link when the caller already read it (the tick does, with the due raffles). */
  preloaded?: TwitchLink,
): Promise<Result> {
  try {
    let link = await loadFreshLink(app, guildId, preloaded);
    try {
      return await call(new HelixClient(app.config, await openAccessToken(app, link)), link);
    } catch (error) {
      if (!(error instanceof TwitchApiError) || error.status !== 401) throw error;
      app.log.warn("Twitch answered 401; refreshing the token once", { guildId });
      link = await refreshLink(app, link);
      return await call(new HelixClient(app.config, await openAccessToken(app, link)), link);
    }
  } catch (error) {
    if (error instanceof TwitchNeedsReauthError) await pauseForTwitchReauth(app, guildId);
    throw error;
  }
}

/**
 * The tick's Twitch link upkeep: the hourly validation Twitch requires, then the reaction to
 * every link found needing re-authorization since the last tick, by whichever path found it
 * (validation, a draw, a command, the queue), so each such raffle pauses and is told once.
 */
export async function maintainTwitchLinks(
  app: AppContext,
): Promise<{ validated: number; failed: number; reauthNotices: number }> {
  const validation = await validateDueLinks(app);
  const awaiting = await listLinksAwaitingReauthNotice(app.database, reauthNoticesPerTick);
  for (const guildId of awaiting) await pauseForTwitchReauth(app, guildId);
  return { ...validation, reauthNotices: awaiting.length };
}
