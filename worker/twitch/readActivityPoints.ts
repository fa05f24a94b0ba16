import * as z from "zod/mini";
import type { Activity } from "../db/viewerPoints";

/**
 * Who earns points for one EventSub notification, for which activity and how many times over
 * (gifted subs, bits); or undefined (anonymous, unknown type). Each guild linking the channel
 * multiplies it by its own point values (award_points).
 */
export interface ActivityPoints {
  broadcasterId: string;
  viewer: { id: string; login: string; displayName: string };
  activity: Activity;
  quantity: number;
}

const userFields = { user_id: z.string(), user_login: z.string(), user_name: z.string() };
const followSchema = z.object({ broadcaster_user_id: z.string(), ...userFields });
const subscribeSchema = z.object({ broadcaster_user_id: z.string(), ...userFields });
const giftSchema = z.object({
  broadcaster_user_id: z.string(),
  user_id: z.nullable(z.string()),
  user_login: z.nullable(z.string()),
  user_name: z.nullable(z.string()),
  total: z.number().check(z.int(), z.gte(0)),
  is_anonymous: z.optional(z.boolean()),
});
const cheerSchema = z.object({
  broadcaster_user_id: z.string(),
  user_id: z.nullable(z.string()),
  user_login: z.nullable(z.string()),
  user_name: z.nullable(z.string()),
  bits: z.number().check(z.int(), z.gte(0)),
  is_anonymous: z.optional(z.boolean()),
});
const raidSchema = z.object({
  from_broadcaster_user_id: z.string(),
  from_broadcaster_user_login: z.string(),
  from_broadcaster_user_name: z.string(),
  to_broadcaster_user_id: z.string(),
});

/**
 * Maps a notification to an activity: follow, subscribe, gift (per gifted sub, to the gifter),
 * cheer (per bit) and raid (to the raiding broadcaster). Anonymous gifts and cheers earn nobody
 * anything.
 */
export function readActivityPoints(type: string, event: unknown): ActivityPoints | undefined {
  switch (type) {
    case "channel.follow": {
      const parsed = followSchema.parse(event);
      return { broadcasterId: parsed.broadcaster_user_id, viewer: readUser(parsed), activity: "follow", quantity: 1 };
    }
    case "channel.subscribe": {
      const parsed = subscribeSchema.parse(event);
      return {
        broadcasterId: parsed.broadcaster_user_id,
        viewer: readUser(parsed),
        activity: "subscribe",
        quantity: 1,
      };
    }
    case "channel.subscription.gift": {
      const parsed = giftSchema.parse(event);
      if (parsed.is_anonymous || !parsed.user_id || !parsed.user_login) return undefined;
      return {
        broadcasterId: parsed.broadcaster_user_id,
        viewer: { id: parsed.user_id, login: parsed.user_login, displayName: parsed.user_name || parsed.user_login },
        activity: "gift",
        quantity: parsed.total,
      };
    }
    case "channel.cheer": {
      const parsed = cheerSchema.parse(event);
      if (parsed.is_anonymous || !parsed.user_id || !parsed.user_login) return undefined;
      return {
        broadcasterId: parsed.broadcaster_user_id,
        viewer: { id: parsed.user_id, login: parsed.user_login, displayName: parsed.user_name || parsed.user_login },
        activity: "cheer",
        quantity: parsed.bits,
      };
    }
    case "channel.raid": {
      const parsed = raidSchema.parse(event);
      return {
        broadcasterId: parsed.to_broadcaster_user_id,
        viewer: {
          id: parsed.from_broadcaster_user_id,
          login: parsed.from_broadcaster_user_login,
          displayName: parsed.from_broadcaster_user_name,
        },
        activity: "raid",
        quantity: 1,
      };
    }
    default:
      return undefined;
  }
}

function readUser(parsed: { user_id: string; user_login: string; user_name: string }) {
  return { id: parsed.user_id, login: parsed.user_login, displayName: parsed.user_name || parsed.user_login };
}
