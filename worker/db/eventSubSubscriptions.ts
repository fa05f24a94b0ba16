import type { Queryable } from "./Database";

export interface StoredSubscription {
  guildId: string;
  twitchSubscriptionId: string;
  type: string;
  version: string;
  condition: Record<string, string>;
  status: string;
}

interface SubscriptionRow {
  guild_id: string;
  twitch_subscription_id: string;
  type: string;
  version: string;
  condition: Record<string, string>;
  status: string;
}

function mapSubscription(row: SubscriptionRow): StoredSubscription {
  return {
    guildId: row.guild_id,
    twitchSubscriptionId: row.twitch_subscription_id,
    type: row.type,
    version: row.version,
    condition: row.condition,
    status: row.status,
  };
}

export async function listSubscriptions(database: Queryable, guildId: string): Promise<StoredSubscription[]> {
  const rows = await database.query<SubscriptionRow>(
    `select guild_id, twitch_subscription_id, type, version, condition, status
     from twitch_eventsub_subscriptions where guild_id = $1 order by type`,
    [guildId],
  );
  return rows.map(mapSubscription);
}

/**
 * Stores a created subscription, replacing the guild's previous one of that type. A challenge
 * that came before this (recordVerification) is applied by a second statement, which runs after
 * the first is committed: a challenge handled concurrently either sees the row or has left its
 * record for this statement to find.
 */
export async function saveSubscription(database: Queryable, subscription: StoredSubscription): Promise<void> {
  await insertSubscription(database, subscription);
  await database.query(
    `with early as (
       delete from twitch_eventsub_early_verifications where twitch_subscription_id = $1 returning 1
     )
     update twitch_eventsub_subscriptions set status = 'enabled'
     where twitch_subscription_id = $1 and status = 'webhook_callback_verification_pending'
       and exists (select 1 from early)`,
    [subscription.twitchSubscriptionId],
  );
}

/** A verification challenge answered: the subscription is enabled, or remembered until it is stored. */
export async function recordVerification(database: Queryable, twitchSubscriptionId: string): Promise<void> {
  await database.query(
    `with updated as (
       update twitch_eventsub_subscriptions set status = 'enabled' where twitch_subscription_id = $1 returning 1
     )
     insert into twitch_eventsub_early_verifications (twitch_subscription_id)
     select $1 where not exists (select 1 from updated)
     on conflict (twitch_subscription_id) do nothing`,
    [twitchSubscriptionId],
  );
}

async function insertSubscription(database: Queryable, subscription: StoredSubscription): Promise<void> {
  await database.query(
    `insert into twitch_eventsub_subscriptions (guild_id, twitch_subscription_id, type, version, condition, status)
     values ($1, $2, $3, $4, $5::jsonb, $6)
     on conflict (guild_id, type) do update set twitch_subscription_id = excluded.twitch_subscription_id,
       version = excluded.version, condition = excluded.condition, status = excluded.status`,
    [
      subscription.guildId,
      subscription.twitchSubscriptionId,
      subscription.type,
      subscription.version,
      JSON.stringify(subscription.condition),
      subscription.status,
    ],
  );
}

/** Twitch's word on a subscription (verified, revoked …); returns the guild and type it belongs to. */
export async function updateSubscriptionStatus(
  database: Queryable,
  twitchSubscriptionId: string,
  status: string,
): Promise<{ guildId: string; type: string; changed: boolean } | undefined> {
  const rows = await database.query<{ guild_id: string; type: string; previous: string }>(
    `with old as (
       select twitch_subscription_id, status from twitch_eventsub_subscriptions
       where twitch_subscription_id = $1 for update
     )
     update twitch_eventsub_subscriptions s set status = $2 from old
     where s.twitch_subscription_id = old.twitch_subscription_id
     returning s.guild_id, s.type, old.status as previous`,
    [twitchSubscriptionId, status],
  );
  const row = rows[0];
  return row ? { guildId: row.guild_id, type: row.type, changed: row.previous !== status } : undefined;
}

export async function deleteSubscriptionRecords(database: Queryable, guildId: string, types?: string[]): Promise<void> {
  await database.query(
    "delete from twitch_eventsub_subscriptions where guild_id = $1 and ($2::text[] is null or type = any($2::text[]))",
    [guildId, types ?? null],
  );
}
