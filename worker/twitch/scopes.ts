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
