import type { AppContext } from "../context";
import { readGuildLocale } from "../db/guilds";
import {
  findActiveRaffle,
  pauseActiveRaffle,
  pauseRunningRaffle,
  type RaffleStatusReason,
  type RaffleSummary,
  resumePausedRaffle,
  retargetActiveRaffle,
} from "../db/raffles";
import { claimReauthNotice, findTwitchLink } from "../db/twitchLinks";
import { createChannelMessage } from "../discord/DiscordRestClient";
import { type MessageKey, resolveLocale, translate } from "../i18n/translate";
import { describeError } from "../log";

/** Why a raffle waits without drawing until someone (or something) fixes the cause. */
export type PauseReason = Extract<
  RaffleStatusReason,
  "twitch_needs_reauth" | "channel_unavailable" | "chatters_forbidden"
>;

/** Pauses a new Twitch link clears: a link that needed re-authorization, chat the old account could not read. */
export const reasonsClearedByRelink: PauseReason[] = ["twitch_needs_reauth", "chatters_forbidden"];

/** Pauses the guild's running (or already paused) raffle for `reason`; the raffle, if there is one. */
export async function pauseRaffle(
  app: AppContext,
  guildId: string,
  reason: PauseReason,
): Promise<RaffleSummary | undefined> {
  const raffle = await pauseActiveRaffle(app.database, guildId, reason);
  if (raffle) app.log.warn("raffle paused", { guildId, raffleId: raffle.id, reason });
  return raffle;
}

/**
 * Pauses this raffle for `reason`, and only while it is running: a late result about an older
 * raffle (an announcement retried after a stop and a start, a draw of a raffle stopped meanwhile)
 * never pauses the guild's newer one. The raffle, if it was paused now.
 */
export async function pauseThisRaffle(
  app: AppContext,
  raffleId: string,
  reason: PauseReason,
): Promise<RaffleSummary | undefined> {
  const raffle = await pauseRunningRaffle(app.database, raffleId, reason);
  if (raffle) app.log.warn("raffle paused", { guildId: raffle.guildId, raffleId: raffle.id, reason });
  return raffle;
}

/**
 * Posts a notice in the guild's raffle channel (or `channelId`, when the caller already knows
 * it, e.g. of a raffle just stopped), in the server's language. The nonce makes a retried post
 * return the first message instead of posting twice. Never throws: true when it was posted.
 */
export async function notifyRaffleChannel(
  app: AppContext,
  guildId: string,
  messageKey: MessageKey,
  parameters: Record<string, string | number>,
  nonce: string,
  channelId?: string,
): Promise<boolean> {
  try {
    const targetChannelId = channelId ?? (await findActiveRaffle(app.database, guildId))?.discordChannelId;
    if (!targetChannelId) return false;
    const locale = resolveLocale(await readGuildLocale(app.database, guildId));
    await createChannelMessage(
      app.config,
      targetChannelId,
      { content: translate(locale, messageKey, parameters) },
      nonce.slice(0, 25),
    );
    return true;
  } catch (error) {
    app.log.warn("could not post a notice in the raffle channel", {
      guildId,
      messageKey,
      error: describeError(error),
    });
    return false;
  }
}

/**
 * The guild's Twitch link needs a new authorization (Twitch refused its refresh token, or its
 * tokens no longer open): the raffle pauses, and its channel is told once per broken link.
 * Safe to call again and from several places; a link re-made since is left alone.
 */
export async function pauseForTwitchReauth(app: AppContext, guildId: string): Promise<void> {
  const link = await findTwitchLink(app.database, guildId);
  if (link?.status !== "needs_reauth") return;
  const raffle = await pauseRaffle(app, guildId, "twitch_needs_reauth");
  if (!(await claimReauthNotice(app.database, guildId, app.now())) || !raffle) return;
  await notifyRaffleChannel(app, guildId, "twitchNeedsReauthNotice", {}, `reauth-${guildId}`, raffle.discordChannelId);
}

/**
 * A Twitch account was (re-)linked: the raffle follows it (its chat, its broadcaster excluded
 * from winning) and runs again if it was paused for a reason the new link clears.
 */
export async function resumeAfterRelink(
  app: AppContext,
  guildId: string,
  broadcaster: { id: string; login: string },
): Promise<RaffleSummary | undefined> {
  await retargetActiveRaffle(app.database, guildId, broadcaster);
  return resumePausedRaffle(app.database, guildId, reasonsClearedByRelink, app.now());
}
