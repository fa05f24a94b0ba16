import type { Redis } from "./createRedis";

/**
 * What Twitch said about a viewer, for the raffle gates (raffle/applyGates.ts), kept as long as
 * the fact is likely to stay true (see cache/README.md).
 *
 * Follows, subscriptions and account ages live in hashes, one per fact (and channel) and time
 * bucket, a field per viewer: a slot reads hundreds of viewers with one HMGET per bucket and writes
 * what it learned with one HSET, where a key per viewer would cost Upstash one command per viewer
 * (a 5,000-viewer chat learning 400 subscriptions a minute is 400 SETs, 2 HSET + EXPIRE here). A
 * fact is written to the current bucket and read from the current and the previous one; a bucket
 * lives two bucket lengths, so a fact is kept between one and two of them:
 *
 * | fact    | key                                                | field → value                              | bucket | kept     |
 * |---------|----------------------------------------------------|--------------------------------------------|--------|----------|
 * | follow  | `liveloot:gate:follow:{broadcaster}:{bucket}`      | viewer → followed at (ms), 0 not following | 3 h    | 3–6 h    |
 * | sub     | `liveloot:gate:sub:{broadcaster}:{bucket}`         | viewer → 1 subscribed, 0 not               | 30 min | 30–60 min|
 * | created | `liveloot:gate:created:{bucket}`                   | viewer → account created at (ms)           | 15 days| 15–30 days|
 *
 * The last chat is one string per viewer, `liveloot:gate:chat:{broadcaster}:{viewer}` = when the
 * message arrived (ms), kept 60 min (the longest `active_minutes`): EventSub writes it once per
 * message, one SET, and no key means no message in the last hour. Per channel,
 * `liveloot:gate:follower-total:{broadcaster}` (1 h) tells the follower gate whether reading the
 * whole follower list is cheaper than asking viewer by viewer.
 *
 * A follow and a subscription pushed by EventSub are written at once (a new follower passes the gate
 * without a lookup, so "not following" can be kept as long as a follow); an unfollow has no event,
 * so a follow is asked again within 6 hours. Buckets are numbered by the caller's "now" (a tick's
 * scheduled minute), like the chatter cache's freshness.
 */
export type GateFact = "follow" | "sub" | "created" | "chat";

type BucketedFact = Exclude<GateFact, "chat">;

/** Bucket lengths: a fact is kept one to two of them. */
export const gateFactBucketSeconds: Record<BucketedFact, number> = {
  follow: 3 * 3600,
  sub: 1800,
  created: 15 * 86_400,
};

export const gateFactSeconds = {
  /** The longest `active_minutes` is 60. */
  chat: 3600,
  followerTotal: 3600,
} as const;

function bucketKey(fact: BucketedFact, broadcasterId: string, bucket: number): string {
  return fact === "created" ? `liveloot:gate:created:${bucket}` : `liveloot:gate:${fact}:${broadcasterId}:${bucket}`;
}

/** The hashes a fact is read from at `now`: the current bucket's, then the previous one's. */
export function gateFactBucketKeys(fact: BucketedFact, broadcasterId: string, now: number): [string, string] {
  const bucket = Math.floor(now / 1000 / gateFactBucketSeconds[fact]);
  return [bucketKey(fact, broadcasterId, bucket), bucketKey(fact, broadcasterId, bucket - 1)];
}

export function chatFactKey(broadcasterId: string, viewerId: string): string {
  return `liveloot:gate:chat:${broadcasterId}:${viewerId}`;
}

export function followerTotalKey(broadcasterId: string): string {
  return `liveloot:gate:follower-total:${broadcasterId}`;
}

/** A fact's value as stored; anything else (a missing key, another layout) reads as unknown. */
function decodeFact(value: unknown): number | undefined {
  const number = typeof value === "number" ? value : typeof value === "string" ? Number(value) : Number.NaN;
  return Number.isFinite(number) && number >= 0 ? number : undefined;
}

export interface GateFactsRead {
  /** `values.get(fact).get(viewerId)`: what is known. */
  values: Map<GateFact, Map<string, number>>;
  /** The channel's follower count when last read (with the follow fact), else undefined. */
  followerTotal: number | undefined;
}

/**
 * Facts of many viewers in one round trip: two HMGETs per bucketed fact, one MGET for the chat,
 * and the follower count with follows.
 */
export async function readGateFacts(
  redis: Redis,
  broadcasterId: string,
  facts: readonly GateFact[],
  viewerIds: readonly string[],
  now: number,
): Promise<GateFactsRead> {
  const values = new Map<GateFact, Map<string, number>>(facts.map((fact) => [fact, new Map()]));
  if (facts.length === 0 || viewerIds.length === 0) return { values, followerTotal: undefined };
  const pipeline = redis.pipeline();
  const replies: { fact: GateFact; index: number }[] = [];
  let index = 0;
  for (const fact of facts) {
    if (fact === "chat") {
      pipeline.mget(...viewerIds.map((viewerId) => chatFactKey(broadcasterId, viewerId)));
      replies.push({ fact, index: index++ });
    } else {
      for (const key of gateFactBucketKeys(fact, broadcasterId, now)) {
        pipeline.hmget(key, ...viewerIds);
        replies.push({ fact, index: index++ });
      }
    }
  }
  const withTotal = facts.includes("follow");
  if (withTotal) pipeline.get(followerTotalKey(broadcasterId));
  const results: unknown[] = await pipeline.exec();
  // The current bucket comes first: a fact already found there is not replaced by an older one.
  // MGET answers a list in the order asked; @upstash/redis answers HMGET as an object by field
  // (null when no field is set).
  for (const reply of replies) {
    const found = results[reply.index];
    const byViewer = values.get(reply.fact) as Map<string, number>;
    if (typeof found !== "object" || found === null) continue;
    const readValue = Array.isArray(found)
      ? (_viewerId: string, position: number) => found[position]
      : (viewerId: string) => (found as Record<string, unknown>)[viewerId];
    viewerIds.forEach((viewerId, position) => {
      const value = decodeFact(readValue(viewerId, position));
      if (value !== undefined && !byViewer.has(viewerId)) byViewer.set(viewerId, value);
    });
  }
  return { values, followerTotal: withTotal ? decodeFact(results[index]) : undefined };
}

export interface LearnedFact {
  fact: GateFact;
  broadcasterId: string;
  viewerId: string;
  value: number;
}

/**
 * Writes what was learned (and a channel's follower count, when read), in one round trip: one
 * HSET and one EXPIRE per bucketed fact and channel, one SET per chat message.
 */
export async function writeGateFacts(
  redis: Redis,
  learned: readonly LearnedFact[],
  now: number,
  followerTotal?: { broadcasterId: string; total: number },
): Promise<void> {
  if (learned.length === 0 && !followerTotal) return;
  const pipeline = redis.pipeline();
  if (followerTotal) {
    pipeline.set(followerTotalKey(followerTotal.broadcasterId), followerTotal.total, {
      ex: gateFactSeconds.followerTotal,
    });
  }
  const hashes = new Map<string, { fact: BucketedFact; fields: Record<string, number> }>();
  for (const entry of learned) {
    if (entry.fact === "chat") {
      pipeline.set(chatFactKey(entry.broadcasterId, entry.viewerId), entry.value, { ex: gateFactSeconds.chat });
      continue;
    }
    const [key] = gateFactBucketKeys(entry.fact, entry.broadcasterId, now);
    const hash = hashes.get(key) ?? { fact: entry.fact, fields: {} };
    hash.fields[entry.viewerId] = entry.value;
    hashes.set(key, hash);
  }
  for (const [key, hash] of hashes) {
    pipeline.hset(key, hash.fields);
    pipeline.expire(key, 2 * gateFactBucketSeconds[hash.fact]);
  }
  await pipeline.exec();
}
