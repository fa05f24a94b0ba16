import { connectRedis } from "../../devkit/services/connectRedis";
import { chatterCountKey } from "../../worker/cache/chatterCache";

/**
 * How many broadcasters' cached chatter lists will still exist at `atMilliseconds` (wall clock),
 * judged by the TTL of the count key that marks a list as fresh (worker/cache/README.md).
 * Asked right after a cold tick with `at` = that tick's start + 60 s, it tells how much of the
 * cache a real next-minute tick could still use; the benchmark's own "warm" tick runs at once.
 */
export async function countCachedChattersAt(
  redisUrl: string,
  broadcasterIds: readonly string[],
  atMilliseconds: number,
): Promise<number> {
  const redis = await connectRedis(redisUrl);
  try {
    const pipeline = redis.pipeline();
    for (const broadcasterId of broadcasterIds) pipeline.pttl(chatterCountKey(broadcasterId));
    const answers = (await pipeline.exec()) ?? [];
    const askedAt = Date.now();
    return answers.filter(([error, remaining]) => {
      if (error !== null || typeof remaining !== "number" || remaining < 0) return false;
      return askedAt + remaining > atMilliseconds;
    }).length;
  } finally {
    redis.disconnect();
  }
}
