import { type GateName, listGates, type RaffleGates } from "../domain/gates";

/** Scopes the link flow cannot do without: Get Chatters needs moderator:read:chatters. */
export const requiredTwitchScopes = ["moderator:read:chatters"] as const;

/**
 * Scopes for the optional features, asked for too: winners in Twitch chat (user:write:chat) and
 * activity points from follows, subs, gifts and cheers. A grant without them still links; the
 * features that need a missing scope stay off.
 */
export const optionalTwitchScopes = [
  "user:write:chat",
  "moderator:read:followers",
  "channel:read:subscriptions",
  "bits:read",
] as const;

export const requestedTwitchScopes = [...requiredTwitchScopes, ...optionalTwitchScopes];

/**
 * The scopes each gate's question needs from the linked streamer (docs/platform-limits.md, "Twitch"; Twitch API
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
