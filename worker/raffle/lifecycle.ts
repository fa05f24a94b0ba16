import type { AppContext } from "../context";
import { readGuildLocale } from "../db/guilds";
import { recordNotice } from "../db/notices";
import { stopRaffleByUser } from "../db/raffleStart";
import {
  findActiveRaffle,
  pauseActiveRaffle,
  pauseRunningRaffle,
  type RaffleStatusReason,
  type RaffleSummary,
  resumePausedRaffle,
  retargetActiveRaffle,
  stopActiveRaffle,
} from "../db/raffles";
import { claimReauthNotice, findTwitchLink } from "../db/twitchLinks";
import { type Locale, type MessageKey, resolveLocale, translate } from "../i18n/translate";
import { describeError } from "../log";
import { syncChatGateSubscription } from "../twitch/eventSubSubscriptions";
import { startOutboxPass } from "./announceDraw";
import { deliverNotices } from "./deliverNotices";

/** Why a raffle ends: the streamer stopped it, the loot ran out, or Twitch was unlinked. */
export type StopReason = Extract<RaffleStatusReason, "stopped_by_user" | "no_items" | "twitch_disconnected">;

/**
 * Stops the guild's running or paused raffle; undefined when there was none. The streamer's own
 * stop also counts the server's winners so far, in the same statement (its reply names them).
 */
export async function stopRaffle(
  app: AppContext,
  guildId: string,
  reason: StopReason,
): Promise<{ raffle: RaffleSummary | undefined; totalDraws: number | undefined } | undefined> {
  const result =
    reason === "stopped_by_user"
      ? await stopRaffleByUser(app.database, guildId, app.now()).then((stopped) =>
          stopped ? { raffle: undefined, totalDraws: stopped.totalDraws } : undefined,
        )
      : await stopActiveRaffle(app.database, guildId, reason, app.now()).then((raffle) =>
          raffle ? { raffle, totalDraws: undefined } : undefined,
        );
  // Nothing needs the channel's chat messages any more (they cost a request each).
  if (result) app.runInBackground(syncChatGateSubscription(app, guildId));
  return result;
}

/**
 * The loot ran out: stop the raffle and say so in its channel, in the server's language, once
 * (the notice's key names the raffle, so a replayed slot records nothing new), through the outbox.
 */
export async function stopForEmptyLoot(app: AppContext, raffle: { id: string; guildId: string }): Promise<void> {
  const stopped = await stopRaffle(app, raffle.guildId, "no_items");
  if (!stopped?.raffle) return;
  app.log.info("raffle stopped: the loot ran out", { raffleId: stopped.raffle.id, guildId: raffle.guildId });
  await notifyRaffleChannel(app, raffle.guildId, "raffleOutOfItems", {}, `noitems-${raffle.id}`, {
    channelId: stopped.raffle.discordChannelId,
    raffleId: stopped.raffle.id,
  });
}

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
 * Says something in the guild's raffle channel (or `target`'s channel, when the caller already
 * knows it, e.g. of a raffle just stopped), in the server's language, through the notices' outbox:
 * recorded once per `dedupeKey` (a replayed slot or event adds nothing), posted now, and retried
 * by the tick like an announcement until Discord takes it. Never throws: true when it was posted.
 */
export async function notifyRaffleChannel(
  app: AppContext,
  guildId: string,
  messageKey: MessageKey,
  /** Or, for words that depend on the server's language, what gives them in that language. */
  parameters: Record<string, string | number> | ((locale: Locale) => Record<string, string | number>),
  dedupeKey: string,
  target?: { channelId: string; raffleId: string | undefined },
): Promise<boolean> {
  try {
    const raffle = target ? undefined : await findActiveRaffle(app.database, guildId);
    const channelId = target?.channelId ?? raffle?.discordChannelId;
    if (!channelId) return false;
    const locale = resolveLocale(await readGuildLocale(app.database, guildId));
    return await postNotice(app, {
      guildId,
      raffleId: target ? target.raffleId : raffle?.id,
      channelId,
      dedupeKey,
      messageKey,
      content: translate(locale, messageKey, typeof parameters === "function" ? parameters(locale) : parameters),
    });
  } catch (error) {
    app.log.warn("could not record a notice for the raffle channel", {
      guildId,
      messageKey,
      error: describeError(error),
    });
    return false;
  }
}

/**
 * Records a rendered notice in the outbox (once per guild and `dedupeKey`) and posts it now; the
 * tick retries it like an announcement. True when it was posted now. Throws if it cannot be recorded.
 */
export async function postNotice(
  app: AppContext,
  notice: {
    guildId: string;
    raffleId: string | undefined;
    channelId: string;
    dedupeKey: string;
    messageKey: MessageKey;
    content: string;
  },
): Promise<boolean> {
  const noticeId = await recordNotice(app.database, notice, app.now());
  if (noticeId === undefined) return false;
  const results = await deliverNotices(app, { noticeIds: [noticeId], includeDue: false }, startOutboxPass());
  return results.some((result) => result.outcome === "delivered");
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
  // Once per broken link (claimReauthNotice): a link that breaks again later is told again.
  await notifyRaffleChannel(app, guildId, "twitchNeedsReauthNotice", {}, `reauth-${app.now()}`, {
    channelId: raffle.discordChannelId,
    raffleId: raffle.id,
  });
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
