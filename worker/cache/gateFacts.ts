import type { UpstashRedis as Redis } from "./upstashRedis";

/**
 * What Twitch said about a viewer, for the raffle gates (raffle/applyGates.ts), one Redis string
 * per viewer and fact with a TTL that matches how fast the fact changes (see cache/README.md):
 *
 * | fact      | key                                         | value                          | kept |
 * |-----------|---------------------------------------------|--------------------------------|------|
 * | follow    | `liveloot:gate:follow:{broadcaster}:{viewer}` | followed at (ms), 0: not following | 6 h |
 * | subscriber| `liveloot:gate:sub:{broadcaster}:{viewer}`    | 1 subscribed, 0 not             | 1 h |
 * | created   | `liveloot:gate:created:{viewer}`              | account created at (ms), 0: not returned | 30 days, 1 h for 0 |
 * | chat      | `liveloot:gate:chat:{broadcaster}:{viewer}`   | last chat message at (ms)       | 60 min |
 *
 * and per channel `liveloot:gate:follower-total:{broadcaster}` (the channel's follower count, 1 h),
 * which tells the follower gate whether reading the whole follower list is cheaper than asking
 * viewer by viewer.
 *
 * A follow, a subscription and a chat message pushed by EventSub are written at once (a new
 * follower passes the gate without a lookup, so "not following" can be kept as long as a follow);
 * an unfollow has no event, so a follow is asked again after 6 hours. The chat fact exists only
 * by EventSub: no key means no message in the last hour.
 */
export type GateFact = "follow" | "sub" | "created" | "chat";

export const gateFactSeconds = {
  follow: 6 * 3600,
  /** A new follow is pushed by `channel.follow`, so "not following" is kept as long. */
  notFollowing: 6 * 3600,
  /** Get Users did not return the account (suspended, deleted): asked again within the hour. */
  notReturned: 3600,
  followerTotal: 3600,
  sub: 3600,
  created: 30 * 86_400,
  /** The longest `active_minutes` is 60. */
  chat: 3600,
} as const;

export function gateFactKey(fact: GateFact, broadcasterId: string, viewerId: string): string {
  return fact === "created"
    ? `liveloot:gate:created:${viewerId}`
    : `liveloot:gate:${fact}:${broadcasterId}:${viewerId}`;
}

/** A fact's value as stored; anything else (a missing key, another layout) reads as unknown. */
function decodeFact(value: unknown): number | undefined {
  const number = typeof value === "number" ? value : typeof value === "string" ? Number(value) : Number.NaN;
  return Number.isFinite(number) && number >= 0 ? number : undefined;
}

export function followerTotalKey(broadcasterId: string): string {
  return `liveloot:gate:follower-total:${broadcasterId}`;
}

export interface GateFactsRead {
  /** `values.get(fact).get(viewerId)`: what is known. */
  values: Map<GateFact, Map<string, number>>;
  /** The channel's follower count when last read (with the follow fact), else undefined. */
  followerTotal: number | undefined;
}

/** Facts of many viewers in one round trip (one MGET per fact, and the follower count with follows). */
export async function readGateFacts(
  redis: Redis,
  broadcasterId: string,
  facts: readonly GateFact[],
  viewerIds: readonly string[],
): Promise<GateFactsRead> {
  const known = new Map<GateFact, Map<string, number>>(facts.map((fact) => [fact, new Map()]));
  if (facts.length === 0 || viewerIds.length === 0) return { values: known, followerTotal: undefined };
  const pipeline = redis.pipeline();
  for (const fact of facts) pipeline.mget(...viewerIds.map((viewerId) => gateFactKey(fact, broadcasterId, viewerId)));
  if (facts.includes("follow")) pipeline.get(followerTotalKey(broadcasterId));
  const results: unknown[] = await pipeline.exec();
  facts.forEach((fact, index) => {
    const values = results[index];
    const byViewer = known.get(fact) as Map<string, number>;
    if (!Array.isArray(values)) return;
    viewerIds.forEach((viewerId, position) => {
      const value = decodeFact(values[position]);
      if (value !== undefined) byViewer.set(viewerId, value);
    });
  });
  return { values: known, followerTotal: facts.includes("follow") ? decodeFact(results[facts.length]) : undefined };
}

export interface LearnedFact {
  fact: GateFact;
  broadcasterId: string;
  viewerId: string;
  value: number;
}

function secondsToKeep(learned: LearnedFact): number {
  if (learned.fact === "follow") return learned.value > 0 ? gateFactSeconds.follow : gateFactSeconds.notFollowing;
  if (learned.fact === "created" && learned.value === 0) return gateFactSeconds.notReturned;
  return gateFactSeconds[learned.fact];
}

/** Writes what was learned (and a channel's follower count, when read), in one round trip. */
export async function writeGateFacts(
  redis: Redis,
  learned: readonly LearnedFact[],
  followerTotal?: { broadcasterId: string; total: number },
): Promise<void> {
  if (learned.length === 0 && !followerTotal) return;
  const pipeline = redis.pipeline();
  if (followerTotal) {
    pipeline.set(followerTotalKey(followerTotal.broadcasterId), followerTotal.total, {
      ex: gateFactSeconds.followerTotal,
    });
  }
  for (const entry of learned) {
    pipeline.set(gateFactKey(entry.fact, entry.broadcasterId, entry.viewerId), entry.value, {
      ex: secondsToKeep(entry),
    });
  }
  await pipeline.exec();
}
