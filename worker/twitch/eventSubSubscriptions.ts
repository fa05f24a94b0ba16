import type { AppContext } from "../context";
import {
  attachGuild,
  type ChannelSubscription,
  deleteUnneededSubscriptions,
  detachGuild,
  listChannelSubscriptions,
  listSubscriptions,
  saveSubscription,
} from "../db/eventSubSubscriptions";
import { findTwitchLink } from "../db/twitchLinks";
import { describeError } from "../log";
import { getAppAccessToken } from "./appAccessToken";
import type { EventSubType } from "./eventSubTypes";
import { HelixClient } from "./HelixClient";
import { chatGateScopes } from "./scopes";
import { TwitchApiError } from "./TwitchApiError";

export interface DesiredSubscription {
  type: EventSubType;
  version: string;
  condition: Record<string, string>;
}

/**
 * The subscriptions a link should have. Each needs the scope Twitch names for it
 * (https://dev.twitch.tv/docs/eventsub/eventsub-subscription-types/); a grant without that scope simply goes without the feature.
 */
export function listDesiredSubscriptions(
  broadcasterId: string,
  scopes: readonly string[],
  /** A running or paused raffle of the guild uses the chat gate (`active_minutes`). */
  usesChatGate = false,
): DesiredSubscription[] {
  const has = (scope: string) => scopes.includes(scope);
  const when = (wanted: boolean, ...subscriptions: DesiredSubscription[]) => (wanted ? subscriptions : []);
  const broadcaster = { broadcaster_user_id: broadcasterId };
  return [
    { type: "stream.online", version: "1", condition: broadcaster },
    { type: "stream.offline", version: "1", condition: broadcaster },
    ...when(has("moderator:read:followers"), {
      type: "channel.follow",
      version: "2",
      condition: { ...broadcaster, moderator_user_id: broadcasterId },
    }),
    ...when(
      has("channel:read:subscriptions"),
      { type: "channel.subscribe", version: "1", condition: broadcaster },
      { type: "channel.subscription.gift", version: "1", condition: broadcaster },
    ),
    ...when(has("bits:read"), { type: "channel.cheer", version: "1", condition: broadcaster }),
    { type: "channel.raid", version: "1", condition: { to_broadcaster_user_id: broadcasterId } },
    // The chat gate (`active_minutes`), only while a raffle uses it and the link has its scopes:
    // it costs one Worker invocation per chat message (README, "Who may win").
    ...when(usesChatGate && chatGateScopes.every(has), {
      type: "channel.chat.message",
      version: "1",
      condition: { ...broadcaster, user_id: broadcasterId },
    }),
  ];
}

/** Whether the guild's running or paused raffle uses the chat gate (its subscription is wanted then only). */
async function guildUsesChatGate(app: AppContext, guildId: string): Promise<boolean> {
  const rows = await app.database.query<{ uses: boolean }>(
    `select exists (select 1 from raffles where guild_id = $1 and status in ('running', 'paused')
       and active_minutes > 0) as uses`,
    [guildId],
  );
  return rows[0]?.uses === true;
}

/** Same condition, whatever the key order (jsonb does not keep it). */
function isSameCondition(left: Record<string, string>, right: Record<string, string>): boolean {
  const keys = Object.keys(left);
  return keys.length === Object.keys(right).length && keys.every((key) => left[key] === right[key]);
}

/** Working, or waiting for Twitch's challenge for less than 10 minutes: nothing to do. */
function isHealthy(stored: ChannelSubscription, wanted: DesiredSubscription): boolean {
  if (stored.version !== wanted.version) return false;
  return (
    stored.status === "enabled" ||
    (stored.status === "webhook_callback_verification_pending" && !stored.verificationStuck)
  );
}

/**
 * Gives a guild's link the subscriptions it needs, with the app token, and lets go of ones it
 * should no longer have. Subscriptions belong to the channel: one that another guild's link made
 * is shared (the guild is recorded beside it); one missing, revoked, failed or pending for more
 * than 10 minutes is re-created, for every guild it serves; Twitch's 409 (it already has one)
 * counts as covered. Used after linking, by the hourly repair, and when a raffle using the chat
 * gate starts or stops. Failures are logged per subscription; the next repair tries again.
 */
export async function syncSubscriptions(
  app: AppContext,
  link: { guildId: string; twitchUserId: string; scopes: readonly string[] },
): Promise<{ created: number; shared: number; failed: number }> {
  const desired = listDesiredSubscriptions(link.twitchUserId, link.scopes, await guildUsesChatGate(app, link.guildId));
  const serving = await listSubscriptions(app.database, link.guildId);
  const channel = await listChannelSubscriptions(app.database, link.twitchUserId);
  const findWanted = (stored: ChannelSubscription) =>
    desired.find((wanted) => wanted.type === stored.type && isSameCondition(stored.condition, wanted.condition));
  let helix: HelixClient | undefined;
  const openHelix = async () => {
    helix ??= new HelixClient(app.config, await getAppAccessToken(app));
    return helix;
  };
  let created = 0;
  let shared = 0;
  let failed = 0;

  // A scope no longer granted, or a re-link to another channel: the guild lets go; Twitch's
  // subscription goes only with the last guild that needed it.
  const unwanted = serving.filter((stored) => stored.broadcasterId !== link.twitchUserId || !findWanted(stored));
  const orphaned = [
    ...(unwanted.length > 0
      ? await detachGuild(
          app.database,
          link.guildId,
          unwanted.map((stored) => stored.id),
        )
      : []),
    ...(await deleteUnneededSubscriptions(
      app.database,
      channel.filter((stored) => stored.guildIds.length === 0 && !findWanted(stored)).map((stored) => stored.id),
    )),
  ];
  if (orphaned.length > 0) await deleteAtTwitch(app, await openHelix(), orphaned, link.guildId);

  for (const wanted of desired) {
    const existing = channel.find(
      (stored) => stored.type === wanted.type && isSameCondition(stored.condition, wanted.condition),
    );
    try {
      if (existing && isHealthy(existing, wanted)) {
        if (!existing.guildIds.includes(link.guildId)) {
          await attachGuild(app.database, existing.id, link.guildId);
          shared += 1;
        }
        continue;
      }
      const twitch = await openHelix();
      if (existing) await twitch.deleteEventSubSubscription(existing.twitchSubscriptionId);
      const subscription = await createOrFindSubscription(app, twitch, wanted, link.twitchUserId);
      await saveSubscription(
        app.database,
        {
          twitchSubscriptionId: subscription.id,
          broadcasterId: link.twitchUserId,
          type: wanted.type,
          version: wanted.version,
          condition: wanted.condition,
          status: subscription.status,
        },
        link.guildId,
      );
      if (subscription.existed) shared += 1;
      else created += 1;
    } catch (error) {
      failed += 1;
      app.log.warn("could not create an EventSub subscription", {
        guildId: link.guildId,
        type: wanted.type,
        status: error instanceof TwitchApiError ? error.status : undefined,
        error: describeError(error),
      });
    }
  }
  return { created, shared, failed };
}

/**
 * Creates the subscription; when Twitch answers 409 (it has one for this type, condition and
 * callback: made for another guild, or left over from a deletion that failed), finds that one.
 */
async function createOrFindSubscription(
  app: AppContext,
  helix: HelixClient,
  wanted: DesiredSubscription,
  broadcasterId: string,
): Promise<{ id: string; status: string; existed: boolean }> {
  const callback = `${app.config.publicBaseUrl}/twitch/eventsub`;
  try {
    const created = await helix.createEventSubSubscription({
      ...wanted,
      callback,
      secret: app.config.twitchEventSubSecret,
    });
    return { ...created, existed: false };
  } catch (error) {
    if (!(error instanceof TwitchApiError) || error.status !== 409) throw error;
    const existing = (await helix.listEventSubSubscriptions(broadcasterId)).find(
      (entry) =>
        entry.type === wanted.type &&
        entry.version === wanted.version &&
        entry.callback === callback &&
        isSameCondition(entry.condition, wanted.condition),
    );
    if (!existing) throw error;
    return { id: existing.id, status: existing.status, existed: true };
  }
}

async function deleteAtTwitch(
  app: AppContext,
  helix: HelixClient,
  subscriptions: { twitchSubscriptionId: string; type: string }[],
  guildId: string,
): Promise<void> {
  for (const entry of subscriptions) {
    await helix.deleteEventSubSubscription(entry.twitchSubscriptionId).catch((error: unknown) => {
      // Left at Twitch, it is found again through the 409 of the next create.
      app.log.warn("could not delete an EventSub subscription at Twitch", {
        guildId,
        type: entry.type,
        error: describeError(error),
      });
    });
  }
}

/**
 * On /twitch disconnect: the guild lets go of its subscriptions. Those no other guild linking
 * the channel needs are deleted here and at Twitch; the others keep serving those guilds.
 */
export async function deleteSubscriptions(app: AppContext, guildId: string): Promise<void> {
  const orphaned = await detachGuild(app.database, guildId);
  if (orphaned.length === 0) return;
  let helix: HelixClient;
  try {
    helix = new HelixClient(app.config, await getAppAccessToken(app));
  } catch (error) {
    // The disconnect goes on; what is left at Twitch is found again through a later 409.
    app.log.warn("could not delete EventSub subscriptions at Twitch", { guildId, error: describeError(error) });
    return;
  }
  await deleteAtTwitch(app, helix, orphaned, guildId);
}

/**
 * A raffle using the chat gate started or stopped: the guild's `channel.chat.message`
 * subscription is made or let go now rather than at the next hourly repair (a link without the
 * chat gate's scopes has nothing to change). Never throws: a failure waits for the repair.
 */
export async function syncChatGateSubscription(app: AppContext, guildId: string): Promise<void> {
  try {
    const link = await findTwitchLink(app.database, guildId);
    if (link?.status !== "active" || !chatGateScopes.every((scope) => link.scopes.includes(scope))) return;
    await syncSubscriptions(app, { guildId, twitchUserId: link.twitchUserId, scopes: link.scopes });
  } catch (error) {
    app.log.warn("could not update the chat gate's subscription; the hourly repair will", {
      guildId,
      error: describeError(error),
    });
  }
}
