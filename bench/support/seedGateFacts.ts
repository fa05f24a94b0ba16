import { connectRedis } from "../../devkit/services/connectRedis";
import { chatFactKey, gateFactBucketKeys, gateFactSeconds } from "../../worker/cache/gateFacts";
import { mapWithConcurrency } from "../../worker/lib/mapWithConcurrency";
import { createSeededRandom } from "./createSeededRandom";
import type { BenchGuild } from "./seedLiveRaffles";
import type { BenchStack } from "./startBenchStack";

/**
 * Who a benchmark chatter is to the raffle gates. Facts go together as in a real chat: the
 * subscribers follow (for months) and mostly chat; followers chat more than passers-by.
 *
 * | tier         | share | follows            | subscribed | account          | last chat (before the first slot) |
 * |--------------|-------|--------------------|------------|------------------|-----------------------------------|
 * | subscriber   | 20 %  | 60 days            | yes        | 3 years          | half 2 min, half none             |
 * | follower     | 25 %  | half 30 d, half 2 d| no         | 80 % 3 y, 20 % 5 d | 30 % 2 min, 10 % 30 min, else none |
 * | passer-by    | 55 %  | no                 | no         | 60 % 3 y, 40 % 5 d | 10 % 2 min, 10 % 30 min, else none |
 *
 * So, once everything is known: followers 45 % of the chat, followers of 7 days or more 32.5 %,
 * subscribers 20 %, accounts of 30 days or more 70 %, chatted within 10 minutes 20.5 %, and all
 * gates together (an active subscriber of an old account following for 7 days) 10 %.
 */
export interface ChatterFacts {
  id: string;
  followedAt: number | undefined;
  subscribed: boolean;
  createdAt: number;
  lastChatAt: number | undefined;
}

const minute = 60_000;
const day = 24 * 60 * minute;
const oldAccount = 3 * 365 * day;
const newAccount = 5 * day;

/** The chatters the Twitch fake makes for `{ count }` (`<broadcasterId>00001`…), with their facts. */
export function describeChatters(broadcasterId: string, count: number, firstSlotAt: number): ChatterFacts[] {
  const random = createSeededRandom(hashText(broadcasterId));
  return Array.from({ length: count }, (_, index) => {
    const id = `${broadcasterId}${String(index + 1).padStart(5, "0")}`;
    const tier = random();
    const [a, b, c] = [random(), random(), random()];
    if (tier < 0.2) {
      return {
        id,
        followedAt: firstSlotAt - 60 * day,
        subscribed: true,
        createdAt: firstSlotAt - oldAccount,
        lastChatAt: a < 0.5 ? firstSlotAt - 2 * minute : undefined,
      };
    }
    if (tier < 0.45) {
      return {
        id,
        followedAt: firstSlotAt - (b < 0.5 ? 30 : 2) * day,
        subscribed: false,
        createdAt: firstSlotAt - (c < 0.8 ? oldAccount : newAccount),
        lastChatAt: a < 0.3 ? firstSlotAt - 2 * minute : a < 0.4 ? firstSlotAt - 30 * minute : undefined,
      };
    }
    return {
      id,
      followedAt: undefined,
      subscribed: false,
      createdAt: firstSlotAt - (c < 0.6 ? oldAccount : newAccount),
      lastChatAt: a < 0.1 ? firstSlotAt - 2 * minute : a < 0.2 ? firstSlotAt - 30 * minute : undefined,
    };
  });
}

/**
 * Gives every chatter of the guilds' channels its facts: on the Twitch fake (every chatter a user
 * with its `created_at`, so Get Users answers for all; follows; subscriptions), and the last chat
 * message straight into Redis under the key the Worker's EventSub handler writes
 * (`liveloot:gate:chat:{broadcaster}:{viewer}`, the message's time in ms, kept 60 min): the bench
 * does not deliver `channel.chat.message` through EventSub.
 */
export async function seedGateFacts(
  stack: BenchStack,
  guilds: readonly BenchGuild[],
  chattersPerChannel: number,
  firstSlotAt: number,
): Promise<Map<string, ChatterFacts[]>> {
  const chattersByBroadcaster = new Map(
    guilds.map((guild) => [
      guild.broadcasterId,
      describeChatters(guild.broadcasterId, chattersPerChannel, firstSlotAt),
    ]),
  );
  const redis = await connectRedis(stack.redisUrl);
  try {
    await mapWithConcurrency(guilds, 4, async (guild) => {
      const chatters = chattersByBroadcaster.get(guild.broadcasterId) ?? [];
      const iso = (time: number) => new Date(time).toISOString();
      for (let start = 0; start < chatters.length; start += 1000) {
        await stack.twitch.upsertUsers(
          chatters.slice(start, start + 1000).map((chatter) => ({
            id: chatter.id,
            login: `viewer_${chatter.id}`,
            createdAt: iso(chatter.createdAt),
          })),
        );
      }
      const follows = chatters.flatMap((chatter) =>
        chatter.followedAt === undefined ? [] : [{ userId: chatter.id, followedAt: iso(chatter.followedAt) }],
      );
      if (follows.length > 0) await stack.twitch.setFollows(guild.broadcasterId, follows);
      const subscriptions = chatters.filter((chatter) => chatter.subscribed).map((chatter) => ({ userId: chatter.id }));
      if (subscriptions.length > 0) await stack.twitch.setSubscriptions(guild.broadcasterId, subscriptions);
      const pipeline = redis.pipeline();
      for (const chatter of chatters) {
        if (chatter.lastChatAt === undefined) continue;
        pipeline.set(chatFactKey(guild.broadcasterId, chatter.id), chatter.lastChatAt, "EX", gateFactSeconds.chat);
      }
      await pipeline.exec();
    });
  } finally {
    redis.disconnect();
  }
  return chattersByBroadcaster;
}

/**
 * How many of each broadcaster's chatters have a cached follow fact (known to the followers gate)
 * at `now`, the scheduled time of the minute just measured (the bucket the Worker read and wrote).
 */
export async function countKnownFollows(
  redisUrl: string,
  chattersByBroadcaster: ReadonlyMap<string, readonly ChatterFacts[]>,
  now: number,
): Promise<number[]> {
  const redis = await connectRedis(redisUrl);
  try {
    const counts: number[] = [];
    for (const [broadcasterId, chatters] of chattersByBroadcaster) {
      if (chatters.length === 0) {
        counts.push(0);
        continue;
      }
      const ids = chatters.map((chatter) => chatter.id);
      const [current, previous] = gateFactBucketKeys("follow", broadcasterId, now);
      const [inCurrent, inPrevious] = await Promise.all([redis.hmget(current, ...ids), redis.hmget(previous, ...ids)]);
      counts.push(ids.filter((_, index) => inCurrent[index] !== null || inPrevious[index] !== null).length);
    }
    return counts;
  } finally {
    redis.disconnect();
  }
}

function hashText(text: string): number {
  let hash = 2_166_136_261;
  for (const character of text) hash = Math.imul(hash ^ (character.codePointAt(0) ?? 0), 16_777_619);
  return hash >>> 0;
}
