import type { Queryable } from "./Database";

interface EventSubMessage {
  messageId: string;
  messageType: string;
  subscriptionType: string | undefined;
}

/** Records a message id; false when it was seen before (a redelivery). */
export async function recordEventSubMessage(database: Queryable, message: EventSubMessage): Promise<boolean> {
  const rows = await database.query(
    `insert into twitch_eventsub_messages (message_id, message_type, subscription_type) values ($1, $2, $3)
     on conflict (message_id) do nothing returning message_id`,
    [message.messageId, message.messageType, message.subscriptionType ?? null],
  );
  return rows.length === 1;
}

/** How long a message id is kept: far past Twitch's 10-minute replay window and its retries. */
export const eventSubMessageRetentionMilliseconds = 24 * 60 * 60_000;
/** Rows one tick deletes at most, so a backlog is worked off over several minutes. */
const purgeBatchSize = 10_000;

/**
 * Deletes message ids received more than a day before `now`, the oldest first and at most
 * `purgeBatchSize` of them: one statement along twitch_eventsub_messages_by_age. Returns how
 * many went.
 */
export async function purgeOldEventSubMessages(database: Queryable, now: number): Promise<number> {
  const rows = await database.query<{ purged: number }>(
    `with purged as (
       delete from twitch_eventsub_messages where message_id in (
         select message_id from twitch_eventsub_messages where received_at < $1 order by received_at limit $2
       ) returning 1
     )
     select count(*)::int as purged from purged`,
    [new Date(now - eventSubMessageRetentionMilliseconds), purgeBatchSize],
  );
  return rows[0]?.purged ?? 0;
}
