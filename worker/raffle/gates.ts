/**
 * Who may win a raffle besides "present in chat" (SPEC.md, `/raffle start` gates): chat presence
 * alone is what channel-point miners and silent chat joiners fake. Each gate is a question about a
 * viewer that Twitch answers (raffle/applyGates.ts asks, cache/gateFacts.ts remembers); the
 * entrants a draw publishes are the chat sample after the gates, so a draw stays recomputable.
 */
export interface RaffleGates {
  /** Only followers of the channel (any follow age). */
  followersOnly: boolean;
  /** Followers of at least this many minutes (0: none needed); more than 0 implies followers only. */
  minFollowMinutes: number;
  /** Only subscribers of the channel (any tier, gifted or not). */
  subscribersOnly: boolean;
  /** Twitch accounts at least this many days old (0: any). */
  minAccountDays: number;
  /** Viewers who chatted in the last this many minutes (0: any), from `channel.chat.message`. */
  activeMinutes: number;
}

export type GateName = "active" | "account_age" | "subscribers" | "followers";

export const noGates: RaffleGates = {
  followersOnly: false,
  minFollowMinutes: 0,
  subscribersOnly: false,
  minAccountDays: 0,
  activeMinutes: 0,
};

/**
 * The gates in force, in the order they are checked: the cheapest question first, so a costlier
 * one is asked only about viewers the cheaper ones let through. The last chat is already in Redis
 * (pushed by EventSub), account ages come 100 per Get Users call and never change, subscriptions
 * 100 per call, follows one viewer per call.
 */
export function listGates(gates: RaffleGates): GateName[] {
  const names: GateName[] = [];
  if (gates.activeMinutes > 0) names.push("active");
  if (gates.minAccountDays > 0) names.push("account_age");
  if (gates.subscribersOnly) names.push("subscribers");
  if (gates.followersOnly || gates.minFollowMinutes > 0) names.push("followers");
  return names;
}

/**
 * The scopes each gate's question needs from the linked streamer (platform-facts §2; Twitch API
 * reference): Get Channel Followers with `user_id` needs `moderator:read:followers`; Get
 * Broadcaster Subscriptions `channel:read:subscriptions`; Get Users none. `channel.chat.message`
 * over a webhook "requires user:read:chat scope from chatting user … additionally user:bot scope
 * from chatting user, and either channel:bot scope from broadcaster or moderator status": the
 * reading user is the broadcaster. Whether a broadcaster reading their own chat counts as "moderator
 * status" is not spelled out, so `channel:bot` is asked for too: the same person grants all three on
 * one consent page, and the subscription is authorized under either reading.
 */
export const gateScopes: Record<GateName, readonly string[]> = {
  active: ["user:read:chat", "user:bot", "channel:bot"],
  account_age: [],
  subscribers: ["channel:read:subscriptions"],
  followers: ["moderator:read:followers"],
};

/** The scopes of `gates` the link lacks, in a stable order (empty: every gate can be checked). */
export function findMissingGateScopes(gates: RaffleGates, scopes: readonly string[]): string[] {
  const missing = listGates(gates).flatMap((gate) => gateScopes[gate].filter((scope) => !scopes.includes(scope)));
  return [...new Set(missing)];
}

/** The chat gate's scopes, asked for on a link only while a raffle uses the gate. */
export const chatGateScopes = gateScopes.active;

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
