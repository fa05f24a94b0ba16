import type { AppContext } from "../context";
import {
  deleteSubscriptionRecords,
  listSubscriptions,
  type StoredSubscription,
  saveSubscription,
} from "../db/eventSubSubscriptions";
import { describeError } from "../log";
import { getAppAccessToken } from "./appAccessToken";
import { HelixClient } from "./HelixClient";
import { TwitchApiError } from "./TwitchApiError";

export interface DesiredSubscription {
  type: string;
  version: string;
  condition: Record<string, string>;
}

/** Statuses that need no action: working, or waiting for our answer to Twitch's challenge. */
const healthyStatuses = new Set(["enabled", "webhook_callback_verification_pending"]);

/**
 * The subscriptions a link should have. Each needs the scope Twitch names for it
 * (platform-facts §2.9); a grant without that scope simply goes without the feature.
 */
export function listDesiredSubscriptions(broadcasterId: string, scopes: readonly string[]): DesiredSubscription[] {
  const has = (scope: string) => scopes.includes(scope);
  const broadcaster = { broadcaster_user_id: broadcasterId };
  return [
    { type: "stream.online", version: "1", condition: broadcaster },
    { type: "stream.offline", version: "1", condition: broadcaster },
    ...(has("moderator:read:followers")
      ? [{ type: "channel.follow", version: "2", condition: { ...broadcaster, moderator_user_id: broadcasterId } }]
      : []),
    ...(has("channel:read:subscriptions")
      ? [
          { type: "channel.subscribe", version: "1", condition: broadcaster },
          { type: "channel.subscription.gift", version: "1", condition: broadcaster },
        ]
      : []),
    ...(has("bits:read") ? [{ type: "channel.cheer", version: "1", condition: broadcaster }] : []),
    { type: "channel.raid", version: "1", condition: { to_broadcaster_user_id: broadcasterId } },
  ];
}

function isSameCondition(stored: StoredSubscription, desired: DesiredSubscription): boolean {
  return stored.version === desired.version && JSON.stringify(stored.condition) === JSON.stringify(desired.condition);
}

/**
 * Creates the subscriptions a guild's link is missing (or whose Twitch status went bad), with
 * the app token, and removes ones it should no longer have. Used after linking and by the
 * hourly repair. Failures are logged per subscription; the next repair tries again.
 */
export async function syncSubscriptions(
  app: AppContext,
  link: { guildId: string; twitchUserId: string; scopes: readonly string[] },
): Promise<{ created: number; failed: number }> {
  const desired = listDesiredSubscriptions(link.twitchUserId, link.scopes);
  const stored = await listSubscriptions(app.database, link.guildId);
  const helix = new HelixClient(app.config, await getAppAccessToken(app));
  const callback = `${app.config.publicBaseUrl}/twitch/eventsub`;
  let created = 0;
  let failed = 0;

  const unwanted = stored.filter((entry) => !desired.some((wanted) => wanted.type === entry.type));
  for (const entry of unwanted) await helix.deleteEventSubSubscription(entry.twitchSubscriptionId).catch(() => {});
  if (unwanted.length > 0)
    await deleteSubscriptionRecords(
      app.database,
      link.guildId,
      unwanted.map((entry) => entry.type),
    );

  for (const wanted of desired) {
    const existing = stored.find((entry) => entry.type === wanted.type);
    if (existing && healthyStatuses.has(existing.status) && isSameCondition(existing, wanted)) continue;
    try {
      if (existing) await helix.deleteEventSubSubscription(existing.twitchSubscriptionId);
      const subscription = await helix.createEventSubSubscription({
        ...wanted,
        callback,
        secret: app.config.twitchEventSubSecret,
      });
      await saveSubscription(app.database, {
        guildId: link.guildId,
        twitchSubscriptionId: subscription.id,
        type: wanted.type,
        version: wanted.version,
        condition: wanted.condition,
        status: subscription.status,
      });
      created += 1;
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
  return { created, failed };
}

/** Removes every subscription of a guild, at Twitch and here (on /twitch disconnect). */
export async function deleteSubscriptions(app: AppContext, guildId: string): Promise<void> {
  const stored = await listSubscriptions(app.database, guildId);
  if (stored.length === 0) return;
  const helix = new HelixClient(app.config, await getAppAccessToken(app));
  for (const entry of stored) {
    await helix.deleteEventSubSubscription(entry.twitchSubscriptionId).catch((error: unknown) => {
      app.log.warn("could not delete an EventSub subscription at Twitch", {
        guildId,
        type: entry.type,
        error: describeError(error),
      });
    });
  }
  await deleteSubscriptionRecords(app.database, guildId);
}
