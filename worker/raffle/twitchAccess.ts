import type { AppContext } from "../context";
import { listLinksAwaitingReauthNotice, type TwitchLink } from "../db/twitchLinks";
import type { HelixClient } from "../twitch/HelixClient";
import * as userTokens from "../twitch/userTokens";
import { validateDueLinks } from "../twitch/validateLinks";
import { pauseForTwitchReauth } from "./lifecycle";

/** Links per tick whose pending re-authorization notice is sent (the same budget as validation). */
const reauthNoticesPerTick = 20;

/**
 * Calls Twitch as the guild's streamer (twitch/userTokens.ts). Twitch code only reports a link
 * that needs re-authorization; here the domain reacts at once (the raffle pauses, its channel is
 * told once) and the error still reaches the caller, who renders or skips.
 */
export async function callWithUserToken<Result>(
  app: AppContext,
  guildId: string,
  call: (helix: HelixClient, link: TwitchLink) => Promise<Result>,
  preloaded?: TwitchLink,
): Promise<Result> {
  try {
    return await userTokens.callWithUserToken(app, guildId, call, preloaded);
  } catch (error) {
    if (error instanceof userTokens.TwitchNeedsReauthError) await pauseForTwitchReauth(app, guildId);
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
