import type { Queryable } from "./Database";

/**
 * The operator API's own reads (admin/adminHandlers.ts), as keyset pages: each query selects
 * `page_key` (text[]), the row's position in its order, and starts after `page.cursor` (null: from
 * the start). One row more than `page.limit` is read, so the caller knows whether a page follows.
 */
export interface AdminPage {
  cursor: string[] | null;
  limit: number;
}

export type AdminPageRow = Record<string, unknown> & { page_key: string[] };

const epochMicroseconds = (column: string) => `(extract(epoch from ${column}) * 1000000)::bigint`;

function readPageRows(
  database: Queryable,
  text: string,
  page: AdminPage,
  values: unknown[] = [],
): Promise<AdminPageRow[]> {
  return database.query<AdminPageRow>(text, [page.cursor, page.limit + 1, ...values]);
}

export function listLinksPage(database: Queryable, page: AdminPage): Promise<AdminPageRow[]> {
  return readPageRows(
    database,
    `select guild_id, twitch_user_id, twitch_login, twitch_display_name, scopes, status,
         status = 'needs_reauth' as needs_reauth, access_token_expires_at, last_validated_at, reauth_notified_at,
         linked_by_discord_user_id, created_at, updated_at, array[guild_id::text] as page_key
       from twitch_links where $1::text[] is null or guild_id > $1[1]
       order by guild_id limit $2`,
    page,
  );
}

export function listStoredSubscriptionsPage(database: Queryable, page: AdminPage): Promise<AdminPageRow[]> {
  return readPageRows(
    database,
    `select s.id::text, s.twitch_subscription_id, s.broadcaster_id, s.type, s.version, s.condition, s.status,
           s.status_changed_at, s.created_at,
           array(select g.guild_id::text from twitch_eventsub_subscription_guilds g
                 where g.subscription_id = s.id order by g.guild_id) as guild_ids,
           array[s.id::text] as page_key
         from twitch_eventsub_subscriptions s where $1::text[] is null or s.id > $1[1]::bigint
         order by s.id limit $2`,
    page,
  );
}

export function listRafflesPage(
  database: Queryable,
  page: AdminPage,
  guildId: string | null,
  status: string | null,
): Promise<AdminPageRow[]> {
  return readPageRows(
    database,
    `select id::text, public_id, guild_id, discord_channel_id, twitch_broadcaster_id, twitch_broadcaster_login,
         status, status_reason, every_minutes, cooldown_minutes, luck, announce_in_twitch, started_at, stopped_at,
         next_slot_at, draw_count, array[id::text] as page_key
       from raffles
       where ($1::text[] is null or id < $1[1]::bigint) and ($3::text is null or guild_id = $3)
         and ($4::text is null or status = $4)
       order by id desc limit $2`,
    page,
    [guildId, status],
  );
}

export function listDrawsPage(database: Queryable, page: AdminPage, raffleId: string): Promise<AdminPageRow[]> {
  return readPageRows(
    database,
    `select id::text, draw_number, kind, slot_at, item_name, winner_twitch_user_id, winner_twitch_login,
         winner_twitch_display_name, candidate_count, algorithm, beacon_round::text, announcement_status, created_at,
         array[id::text] as page_key
       from draws where raffle_id = $3 and ($1::text[] is null or id < $1[1]::bigint)
       order by id desc limit $2`,
    page,
    [raffleId],
  );
}

export function listEventSubMessagesPage(database: Queryable, page: AdminPage): Promise<AdminPageRow[]> {
  return readPageRows(
    database,
    `select message_id, message_type, subscription_type, received_at,
         array[${epochMicroseconds("received_at")}::text, message_id] as page_key
       from twitch_eventsub_messages
       where $1::text[] is null or (${epochMicroseconds("received_at")}, message_id) < ($1[1]::bigint, $1[2])
       order by ${epochMicroseconds("received_at")} desc, message_id desc limit $2`,
    page,
  );
}

export function listPointsPage(database: Queryable, page: AdminPage, guildId: string | null): Promise<AdminPageRow[]> {
  return readPageRows(
    database,
    `select guild_id, broadcaster_id, viewer_user_id, viewer_login, viewer_display_name, points, updated_at,
         array[${epochMicroseconds("updated_at")}::text, guild_id::text, broadcaster_id::text, viewer_user_id::text]
           as page_key
       from viewer_points
       where ($1::text[] is null
              or (${epochMicroseconds("updated_at")}, guild_id::text, broadcaster_id::text, viewer_user_id::text)
                 < ($1[1]::bigint, $1[2], $1[3], $1[4]))
         and ($3::text is null or guild_id = $3)
       order by ${epochMicroseconds("updated_at")} desc, guild_id::text desc, broadcaster_id::text desc,
         viewer_user_id::text desc
       limit $2`,
    page,
    [guildId],
  );
}

export function listLootPage(database: Queryable, page: AdminPage, guildId: string): Promise<AdminPageRow[]> {
  return readPageRows(
    database,
    `select id::text, name, weight, stock, enabled, created_at, updated_at, array[id::text] as page_key
       from loot_items where guild_id = $3 and ($1::text[] is null or id > $1[1]::bigint)
       order by id limit $2`,
    page,
    [guildId],
  );
}

/** Deletes our record of an EventSub subscription; true when there was one. */
export async function deleteStoredSubscription(database: Queryable, twitchSubscriptionId: string): Promise<boolean> {
  const rows = await database.query(
    "delete from twitch_eventsub_subscriptions where twitch_subscription_id = $1 returning id",
    [twitchSubscriptionId],
  );
  return rows.length > 0;
}

export async function findRaffleByPublicId(database: Queryable, publicId: string): Promise<{ id: string } | undefined> {
  const [raffle] = await database.query<{ id: string }>("select id::text from raffles where public_id = $1", [
    publicId,
  ]);
  return raffle;
}

/** One draw with everything the operator may see of it (never a token or a code: draws hold none). */
export async function readDrawForAdmin(
  database: Queryable,
  drawId: string,
): Promise<Record<string, unknown> | undefined> {
  const [draw] = await database.query<Record<string, unknown>>(
    `select d.id::text, d.raffle_id::text, r.public_id as raffle_public_id, d.guild_id, d.draw_number, d.kind,
         d.slot_at, d.item_id::text, d.item_name, d.winner_twitch_user_id, d.winner_twitch_login,
         d.winner_twitch_display_name, d.candidate_count, d.luck, d.created_at,
         d.algorithm, d.slot_label, d.beacon_round::text, d.beacon_signature, d.randomness, d.entrants_read_at,
         d.entrants, d.entrants_sha256,
         coalesce(d.items, (select l.items from draw_item_lists l where l.id = d.item_list_id)) as items, d.items_sha256, d.winner_roll::text, d.item_roll::text,
         d.announcement_status, d.announcement_attempts, d.announcement_next_attempt_at, d.announcement_message_id,
         d.announcement_last_error, d.announced_at, d.twitch_announcement_status, d.twitch_announcement_attempts,
         d.twitch_message_id, d.twitch_announcement_error
       from draws d join raffles r on r.id = d.raffle_id where d.id = $1`,
    [drawId],
  );
  return draw;
}
