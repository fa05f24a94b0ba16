import * as z from "zod/mini";
import type { AdminOperationId } from "./adminApi";

/**
 * What each /admin operation answers. Not imported by the Worker (it would only add bytes): the
 * OpenAPI build documents these, and the integration tests parse every real answer with them,
 * so the document cannot drift from the code. Timestamps are ISO 8601 strings.
 */

const timestamp = z.string();
const optionalTimestamp = z.nullable(z.string());

export const errorResponse = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.optional(z.array(z.object({ path: z.string(), message: z.string() }))),
  }),
});

function page<Item extends z.ZodMiniType>(item: Item) {
  return z.object({ items: z.array(item), next_cursor: z.nullable(z.string()) });
}

const link = z.object({
  guild_id: z.string(),
  twitch_user_id: z.string(),
  twitch_login: z.string(),
  twitch_display_name: z.string(),
  scopes: z.array(z.string()),
  status: z.enum(["active", "needs_reauth"]),
  needs_reauth: z.boolean(),
  access_token_expires_at: timestamp,
  last_validated_at: optionalTimestamp,
  reauth_notified_at: optionalTimestamp,
  linked_by_discord_user_id: z.string(),
  created_at: timestamp,
  updated_at: timestamp,
});

const storedSubscription = z.object({
  id: z.string(),
  twitch_subscription_id: z.string(),
  broadcaster_id: z.string(),
  type: z.string(),
  version: z.string(),
  condition: z.record(z.string(), z.string()),
  status: z.string(),
  status_changed_at: timestamp,
  created_at: timestamp,
  guild_ids: z.array(z.string()),
});

const twitchSubscription = z.object({
  id: z.string(),
  status: z.string(),
  type: z.string(),
  version: z.string(),
  condition: z.record(z.string(), z.string()),
  callback: z.nullable(z.string()),
  created_at: optionalTimestamp,
});

const raffle = z.object({
  id: z.string(),
  public_id: z.string(),
  guild_id: z.string(),
  discord_channel_id: z.string(),
  twitch_broadcaster_id: z.string(),
  twitch_broadcaster_login: z.string(),
  status: z.enum(["running", "paused", "stopped"]),
  status_reason: z.nullable(z.string()),
  every_minutes: z.number(),
  cooldown_minutes: z.number(),
  luck: z.boolean(),
  announce_in_twitch: z.boolean(),
  started_at: timestamp,
  stopped_at: optionalTimestamp,
  next_slot_at: timestamp,
  draw_count: z.number(),
});

const drawSummary = z.object({
  id: z.string(),
  draw_number: z.nullable(z.number()),
  kind: z.enum(["scheduled", "manual"]),
  slot_at: timestamp,
  item_name: z.string(),
  winner_twitch_user_id: z.string(),
  winner_twitch_login: z.string(),
  winner_twitch_display_name: z.string(),
  candidate_count: z.number(),
  algorithm: z.nullable(z.string()),
  beacon_round: z.nullable(z.string()),
  announcement_status: z.enum(["pending", "delivered", "failed"]),
  created_at: timestamp,
});

const draw = z.object({
  ...drawSummary.shape,
  raffle_id: z.string(),
  raffle_public_id: z.string(),
  guild_id: z.string(),
  item_id: z.nullable(z.string()),
  luck: z.boolean(),
  slot_label: z.nullable(z.string()),
  beacon_signature: z.nullable(z.string()),
  randomness: z.nullable(z.string()),
  entrants_read_at: optionalTimestamp,
  entrants: z.nullable(z.array(z.unknown())),
  entrants_sha256: z.nullable(z.string()),
  items: z.nullable(z.array(z.unknown())),
  items_sha256: z.nullable(z.string()),
  winner_roll: z.nullable(z.string()),
  item_roll: z.nullable(z.string()),
  announcement_attempts: z.number(),
  announcement_next_attempt_at: timestamp,
  announcement_message_id: z.nullable(z.string()),
  announcement_last_error: z.nullable(z.string()),
  announced_at: optionalTimestamp,
  twitch_announcement_status: z.string(),
  twitch_announcement_attempts: z.number(),
  twitch_message_id: z.nullable(z.string()),
  twitch_announcement_error: z.nullable(z.string()),
});

const eventSubMessage = z.object({
  message_id: z.string(),
  message_type: z.string(),
  subscription_type: z.nullable(z.string()),
  received_at: timestamp,
});

const points = z.object({
  guild_id: z.string(),
  broadcaster_id: z.string(),
  viewer_user_id: z.string(),
  viewer_login: z.string(),
  viewer_display_name: z.string(),
  points: z.union([z.string(), z.number()]),
  updated_at: timestamp,
});

const lootItem = z.object({
  id: z.string(),
  name: z.string(),
  weight: z.number(),
  stock: z.nullable(z.number()),
  enabled: z.boolean(),
  created_at: timestamp,
  updated_at: timestamp,
});

export const adminResponses: Record<AdminOperationId, z.ZodMiniType> = {
  listLinks: page(link),
  refreshLink: z.object({
    guild_id: z.string(),
    status: z.string(),
    scopes: z.array(z.string()),
    access_token_expires_at: timestamp,
  }),
  deleteLink: z.object({
    guild_id: z.string(),
    twitch_login: z.string(),
    tokens_revoked: z.boolean(),
    raffle_stopped: z.boolean(),
  }),
  listSubscriptions: page(z.union([storedSubscription, twitchSubscription])),
  createSubscription: z.object({
    twitch_subscription_id: z.string(),
    type: z.string(),
    version: z.string(),
    status: z.string(),
  }),
  deleteSubscription: z.object({ id: z.string(), deleted_stored: z.boolean() }),
  repairSubscriptions: z.object({
    guild_id: z.string(),
    created: z.number(),
    shared: z.number(),
    failed: z.number(),
  }),
  listRaffles: page(raffle),
  listDraws: page(drawSummary),
  readDraw: draw,
  listEvents: page(eventSubMessage),
  listPoints: page(points),
  listLoot: page(lootItem),
  readKeys: z.object({
    current: z.string(),
    previous: z.nullable(z.string()),
    sealed_with_previous: z.object({ tokens: z.number(), codes: z.number() }),
  }),
};
