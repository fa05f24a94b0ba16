import type { Queryable } from "./Database";

/**
 * One of Twitch's EventSub subscriptions. It belongs to the channel, not to a guild: Twitch
 * allows one per (type, condition, transport), so every guild linking the channel shares it, and
 * `guildIds` are the guilds that need it (sql/README.md, 0009).
 */
export interface StoredSubscription {
  twitchSubscriptionId: string;
  broadcasterId: string;
  type: string;
  version: string;
  condition: Record<string, string>;
  status: string;
  /** Still waiting for Twitch's challenge 10 minutes after it was created (database clock). */
  verificationStuck: boolean;
  guildIds: string[];
}

/** The row id of a stored subscription, kept when Twitch's subscription is re-created. */
export interface ChannelSubscription extends StoredSubscription {
  id: string;
}

interface SubscriptionRow {
  id: string;
  twitch_subscription_id: string;
  broadcaster_id: string;
  type: string;
  version: string;
  condition: Record<string, string>;
  status: string;
  verification_stuck: boolean;
  guild_ids: string[];
}

const selectSubscriptionColumns = `s.id, s.twitch_subscription_id, s.broadcaster_id, s.type, s.version, s.condition,
  s.status, (s.status = 'webhook_callback_verification_pending'
    and s.status_changed_at < now() - interval '10 minutes') as verification_stuck,
  array(select r.guild_id::text from twitch_eventsub_subscription_guilds r
        where r.subscription_id = s.id order by r.guild_id) as guild_ids`;

function mapSubscription(row: SubscriptionRow): ChannelSubscription {
  return {
    id: String(row.id),
    twitchSubscriptionId: row.twitch_subscription_id,
    broadcasterId: row.broadcaster_id,
    type: row.type,
    version: row.version,
    condition: row.condition,
    status: row.status,
    verificationStuck: row.verification_stuck,
    guildIds: row.guild_ids,
  };
}

/** The subscriptions that serve a guild (/twitch status, and what a repair compares). */
export async function listSubscriptions(database: Queryable, guildId: string): Promise<ChannelSubscription[]> {
  const rows = await database.query<SubscriptionRow>(
    `select ${selectSubscriptionColumns}
     from twitch_eventsub_subscription_guilds g join twitch_eventsub_subscriptions s on s.id = g.subscription_id
     where g.guild_id = $1 order by s.type`,
    [guildId],
  );
  return rows.map(mapSubscription);
}

/** Every stored subscription about a channel, whichever guilds need it. */
export async function listChannelSubscriptions(
  database: Queryable,
  broadcasterId: string,
): Promise<ChannelSubscription[]> {
  const rows = await database.query<SubscriptionRow>(
    `select ${selectSubscriptionColumns}
     from twitch_eventsub_subscriptions s where s.broadcaster_id = $1 order by s.type`,
    [broadcasterId],
  );
  return rows.map(mapSubscription);
}

/** A subscription as Twitch reported it, before it is stored (the guilds come with the save). */
export type SubscriptionToSave = Omit<StoredSubscription, "verificationStuck" | "guildIds">;

/**
 * Stores Twitch's subscription for its (type, condition), replacing one Twitch no longer has, and
 * records that the guild needs it. The same subscription reported again as pending (a 409 looked
 * up while its challenge is being answered) does not undo a verification already recorded.
 *
 * A challenge that came before this (recordVerification) is applied by a second statement, which
 * runs after the first is committed: a challenge handled concurrently either sees the row or has
 * left its record for this statement to find.
 */
export async function saveSubscription(
  database: Queryable,
  subscription: SubscriptionToSave,
  guildId: string,
): Promise<void> {
  await database.query(
    `with saved as (
       insert into twitch_eventsub_subscriptions as s
         (twitch_subscription_id, broadcaster_id, type, version, condition, status)
       values ($1, $2, $3, $4, $5::jsonb, $6)
       on conflict (type, condition) do update set
         twitch_subscription_id = excluded.twitch_subscription_id,
         broadcaster_id = excluded.broadcaster_id,
         version = excluded.version,
         status = case when s.twitch_subscription_id = excluded.twitch_subscription_id
                        and excluded.status = 'webhook_callback_verification_pending'
                       then s.status else excluded.status end,
         status_changed_at = case when s.twitch_subscription_id = excluded.twitch_subscription_id
                                   and (s.status = excluded.status
                                        or excluded.status = 'webhook_callback_verification_pending')
                                  then s.status_changed_at else now() end
       returning s.id
     )
     insert into twitch_eventsub_subscription_guilds (subscription_id, guild_id)
     select id, $7 from saved
     on conflict (guild_id, subscription_id) do nothing`,
    [
      subscription.twitchSubscriptionId,
      subscription.broadcasterId,
      subscription.type,
      subscription.version,
      JSON.stringify(subscription.condition),
      subscription.status,
      guildId,
    ],
  );
  await database.query(
    `with early as (
       delete from twitch_eventsub_early_verifications where twitch_subscription_id = $1 returning 1
     )
     update twitch_eventsub_subscriptions set status = 'enabled', status_changed_at = now()
     where twitch_subscription_id = $1 and status = 'webhook_callback_verification_pending'
       and exists (select 1 from early)`,
    [subscription.twitchSubscriptionId],
  );
}

/** Records that a guild needs a subscription already stored (another guild's link made it). */
export async function attachGuild(database: Queryable, subscriptionId: string, guildId: string): Promise<void> {
  await database.query(
    `insert into twitch_eventsub_subscription_guilds (subscription_id, guild_id) values ($1, $2)
     on conflict (guild_id, subscription_id) do nothing`,
    [subscriptionId, guildId],
  );
}

/**
 * A guild no longer needs these subscriptions (all of its own when `subscriptionIds` is
 * omitted: a disconnect). In the same statement, those no other guild needs are deleted here and
 * returned: the caller deletes them at Twitch. A subscription another guild still needs stays.
 */
export async function detachGuild(
  database: Queryable,
  guildId: string,
  subscriptionIds?: string[],
): Promise<{ twitchSubscriptionId: string; type: string }[]> {
  const rows = await database.query<{ twitch_subscription_id: string; type: string }>(
    `with detached as (
       delete from twitch_eventsub_subscription_guilds
       where guild_id = $1 and ($2::bigint[] is null or subscription_id = any($2::bigint[]))
       returning subscription_id
     )
     delete from twitch_eventsub_subscriptions s using detached d
     where s.id = d.subscription_id
       and not exists (
         select 1 from twitch_eventsub_subscription_guilds r where r.subscription_id = s.id and r.guild_id <> $1
       )
     returning s.twitch_subscription_id, s.type`,
    [guildId, subscriptionIds ?? null],
  );
  return rows.map((row) => ({ twitchSubscriptionId: row.twitch_subscription_id, type: row.type }));
}

/** Deletes stored subscriptions that no guild needs any more; returns those deleted. */
export async function deleteUnneededSubscriptions(
  database: Queryable,
  subscriptionIds: string[],
): Promise<{ twitchSubscriptionId: string; type: string }[]> {
  if (subscriptionIds.length === 0) return [];
  const rows = await database.query<{ twitch_subscription_id: string; type: string }>(
    `delete from twitch_eventsub_subscriptions s
     where s.id = any($1::bigint[])
       and not exists (select 1 from twitch_eventsub_subscription_guilds r where r.subscription_id = s.id)
     returning s.twitch_subscription_id, s.type`,
    [subscriptionIds],
  );
  return rows.map((row) => ({ twitchSubscriptionId: row.twitch_subscription_id, type: row.type }));
}

/** A verification challenge answered: the subscription is enabled, or remembered until it is stored. */
export async function recordVerification(database: Queryable, twitchSubscriptionId: string): Promise<void> {
  await database.query(
    `with updated as (
       update twitch_eventsub_subscriptions set status = 'enabled',
         status_changed_at = case when status = 'enabled' then status_changed_at else now() end
       where twitch_subscription_id = $1 returning 1
     )
     insert into twitch_eventsub_early_verifications (twitch_subscription_id)
     select $1 where not exists (select 1 from updated)
     on conflict (twitch_subscription_id) do nothing`,
    [twitchSubscriptionId],
  );
}

/** Twitch's word on a subscription (verified, revoked …); returns its type and the guilds it serves. */
export async function updateSubscriptionStatus(
  database: Queryable,
  twitchSubscriptionId: string,
  status: string,
): Promise<{ guildIds: string[]; type: string; changed: boolean } | undefined> {
  const rows = await database.query<{ guild_ids: string[]; type: string; previous: string }>(
    `with old as (
       select id, status from twitch_eventsub_subscriptions
       where twitch_subscription_id = $1 for update
     )
     update twitch_eventsub_subscriptions s set status = $2,
       status_changed_at = case when old.status = $2 then s.status_changed_at else now() end
     from old
     where s.id = old.id
     returning s.type, old.status as previous,
       array(select r.guild_id::text from twitch_eventsub_subscription_guilds r
             where r.subscription_id = s.id order by r.guild_id) as guild_ids`,
    [twitchSubscriptionId, status],
  );
  const row = rows[0];
  return row ? { guildIds: row.guild_ids, type: row.type, changed: row.previous !== status } : undefined;
}
