import * as z from "zod/mini";
import type { LearnedFact } from "../cache/gateFacts";

const idPattern = /^[0-9]{1,20}$/;
const chatMessageSchema = z.object({
  broadcaster_user_id: z.string().check(z.regex(idPattern)),
  chatter_user_id: z.string().check(z.regex(idPattern)),
});
const followSchema = z.object({
  broadcaster_user_id: z.string().check(z.regex(idPattern)),
  user_id: z.string().check(z.regex(idPattern)),
  followed_at: z.optional(z.string()),
});
const subscribeSchema = z.object({
  broadcaster_user_id: z.string().check(z.regex(idPattern)),
  user_id: z.string().check(z.regex(idPattern)),
});

/**
 * What an EventSub notification tells the raffle gates (cache/gateFacts.ts) at once, without a
 * lookup: `channel.chat.message` v1 (a viewer chatted now: `receivedAt`, the Worker's clock, which
 * the gate compares with its slot's), `channel.follow` v2 (`followed_at`), `channel.subscribe` v1.
 * Undefined for other types; a malformed event of these types throws (the caller answers 400).
 */
export function readGateFact(type: string, event: unknown, receivedAt: number): LearnedFact | undefined {
  switch (type) {
    case "channel.chat.message": {
      const parsed = chatMessageSchema.parse(event);
      return {
        fact: "chat",
        broadcasterId: parsed.broadcaster_user_id,
        viewerId: parsed.chatter_user_id,
        value: receivedAt,
      };
    }
    case "channel.follow": {
      const parsed = followSchema.parse(event);
      const followedAt = parsed.followed_at === undefined ? Number.NaN : Date.parse(parsed.followed_at);
      return {
        fact: "follow",
        broadcasterId: parsed.broadcaster_user_id,
        viewerId: parsed.user_id,
        value: Number.isFinite(followedAt) && followedAt > 0 ? followedAt : receivedAt,
      };
    }
    case "channel.subscribe": {
      const parsed = subscribeSchema.parse(event);
      return { fact: "sub", broadcasterId: parsed.broadcaster_user_id, viewerId: parsed.user_id, value: 1 };
    }
    default:
      return undefined;
  }
}
