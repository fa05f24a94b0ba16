/** Scopes the link flow asks for. Get Chatters needs moderator:read:chatters; later features add more. */
export const requiredTwitchScopes = ["moderator:read:chatters"] as const;
