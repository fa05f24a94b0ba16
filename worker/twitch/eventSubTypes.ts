/**
 * Every EventSub type LiveLoot subscribes a linked channel to, the one list:
 * eventSubSubscriptions.ts picks from it by the link's scopes, and the operator API accepts exactly
 * these. It imports nothing, so scripts/buildAdminOpenApi.ts can load it under plain Node.
 */
export const eventSubTypes = [
  "stream.online",
  "stream.offline",
  "channel.follow",
  "channel.subscribe",
  "channel.subscription.gift",
  "channel.cheer",
  "channel.raid",
  "channel.chat.message",
] as const;

export type EventSubType = (typeof eventSubTypes)[number];
