/**
 * Discord's per-route rate limits, as the response headers report them (docs/platform-limits.md, "Discord").
 * Keyed by route + channel (the top-level resource), remembered for the isolate's life, so a
 * burst of posts to one channel waits for the bucket instead of collecting 429s.
 */
interface BucketState {
  remaining: number;
  resetAt: number;
}

const buckets = new Map<string, BucketState>();

/** How long to wait before the next call on this route (0 when there is room). */
export function readBucketWait(routeKey: string, now: number = Date.now()): number {
  const bucket = buckets.get(routeKey);
  if (!bucket || bucket.remaining > 0 || bucket.resetAt <= now) return 0;
  return bucket.resetAt - now;
}

export function recordBucket(routeKey: string, headers: Headers, now: number = Date.now()): void {
  const remaining = Number(headers.get("x-ratelimit-remaining"));
  const resetAfter = Number(headers.get("x-ratelimit-reset-after"));
  if (!headers.has("x-ratelimit-remaining") || !Number.isFinite(remaining) || !Number.isFinite(resetAfter)) return;
  buckets.set(routeKey, { remaining, resetAt: now + resetAfter * 1000 });
}

/**
 * Discord allows a bot 50 requests per second across all routes. Posts from one invocation are
 * paced below that (the tick can announce hundreds of winners in a minute).
 */
export const globalRequestsPerSecond = 40;
const recentRequests: number[] = [];

/** How long to wait before the next bot request so that this isolate stays under the global limit. */
export function reserveGlobalSlot(now: number = Date.now()): number {
  while (recentRequests.length > 0 && (recentRequests[0] ?? 0) <= now - 1_000) recentRequests.shift();
  const wait = recentRequests.length < globalRequestsPerSecond ? 0 : (recentRequests[0] ?? now) + 1_000 - now;
  recentRequests.push(now + wait);
  return wait;
}
