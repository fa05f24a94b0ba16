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

/**
 * stream.online / stream.offline: records the message id and updates the broadcaster's active
 * raffles in one statement, so a redelivered message changes nothing and a failed one changes
 * nothing either (Twitch will deliver it again).
 */
export async function recordStreamLiveness(
  database: Queryable,
  message: EventSubMessage,
  stream: { broadcasterId: string; isLive: boolean; now: number },
): Promise<{ isNew: boolean; raffles: number }> {
  const rows = await database.query<{ is_new: boolean; raffles: string }>(
    `with new_message as (
       insert into twitch_eventsub_messages (message_id, message_type, subscription_type) values ($1, $2, $3)
       on conflict (message_id) do nothing returning message_id
     ), updated as (
       update raffles set is_live = $5, live_checked_at = $6
       where twitch_broadcaster_id = $4 and status in ('running', 'paused') and exists (select 1 from new_message)
       returning id
     )
     select exists (select 1 from new_message) as is_new, (select count(*) from updated) as raffles`,
    [
      message.messageId,
      message.messageType,
      message.subscriptionType ?? null,
      stream.broadcasterId,
      stream.isLive,
      new Date(stream.now),
    ],
  );
  return { isNew: Boolean(rows[0]?.is_new), raffles: Number(rows[0]?.raffles ?? 0) };
}
