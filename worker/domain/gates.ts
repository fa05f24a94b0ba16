/**
 * Who may win a raffle besides "present in chat" (docs/contract.md, `/raffle start` gates): chat presence
 * alone is what channel-point miners and silent chat joiners fake. Each gate is a question about a
 * viewer that Twitch answers (raffle/applyGates.ts asks, cache/gateFacts.ts remembers; the scopes each needs are in
 * twitch/scopes.ts, the columns that store them in db/gateColumns.ts); the
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

/** Why a gate could not be checked (raffles.gate_failure_reason). */
export type GateFailureReason = "twitch" | "scope" | "cache" | "subscription";
