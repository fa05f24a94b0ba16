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
