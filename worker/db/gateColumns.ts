import type { RaffleGates } from "../domain/gates";

/** `raffles` columns of the gates, for a select list (`prefix` is the table's alias). */
export function selectGateColumns(prefix: string): string {
  return ["followers_only", "min_follow_minutes", "subscribers_only", "min_account_days", "active_minutes"]
    .map((column) => `${prefix}.${column}`)
    .join(", ");
}

/**
 * `chat_pushed`: the channel's `channel.chat.message` subscription is enabled, whichever guild made
 * it (index twitch_eventsub_subscriptions_by_broadcaster); looked up only for a raffle with the chat
 * gate, the only reader. `prefix` is the raffles alias.
 */
export function selectChatPushed(prefix: string): string {
  return `(case when ${prefix}.active_minutes > 0 then exists (select 1 from twitch_eventsub_subscriptions s
     where s.broadcaster_id = ${prefix}.twitch_broadcaster_id and s.type = 'channel.chat.message'
       and s.status = 'enabled') else false end) as chat_pushed`;
}

export interface GateColumnsRow {
  followers_only: boolean;
  min_follow_minutes: number;
  subscribers_only: boolean;
  min_account_days: number;
  active_minutes: number;
}

export function mapGates(row: GateColumnsRow): RaffleGates {
  return {
    followersOnly: row.followers_only,
    minFollowMinutes: row.min_follow_minutes,
    subscribersOnly: row.subscribers_only,
    minAccountDays: row.min_account_days,
    activeMinutes: row.active_minutes,
  };
}
