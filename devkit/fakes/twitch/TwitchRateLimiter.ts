/** Twitch's documented Helix bucket: 800 points per minute. */
const defaultLimit = 800;
const windowMilliseconds = 60_000;

interface Bucket {
  used: number;
  windowStartMilliseconds: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  headers: Record<string, string>;
}

/**
 * Helix buckets: one per client id for app tokens, one per client id and user for user tokens.
 * Simplified to a fixed one-minute window that refills whole at `Ratelimit-Reset`.
 */
export class TwitchRateLimiter {
  private readonly limits = new Map<string, number>();
  private readonly buckets = new Map<string, Bucket>();

  setLimit(clientId: string, userId: string | undefined, limit: number): void {
    this.limits.set(createBucketKey(clientId, userId), limit);
  }

  /** Takes one point; every Helix answer carries the resulting headers. */
  takePoint(clientId: string, userId: string | undefined): RateLimitDecision {
    const key = createBucketKey(clientId, userId);
    const limit = this.limits.get(key) ?? this.limits.get(createBucketKey(clientId, undefined)) ?? defaultLimit;
    const now = Date.now();
    let bucket = this.buckets.get(key);
    if (bucket === undefined || now >= bucket.windowStartMilliseconds + windowMilliseconds) {
      bucket = { used: 0, windowStartMilliseconds: now };
      this.buckets.set(key, bucket);
    }
    const allowed = bucket.used < limit;
    if (allowed) bucket.used += 1;
    const resetEpochSeconds = Math.ceil((bucket.windowStartMilliseconds + windowMilliseconds) / 1000);
    return { allowed, headers: createRateLimitHeaders(limit, Math.max(0, limit - bucket.used), resetEpochSeconds) };
  }

  clear(): void {
    this.limits.clear();
    this.buckets.clear();
  }
}

export function createRateLimitHeaders(
  limit: number,
  remaining: number,
  resetEpochSeconds: number,
): Record<string, string> {
  return {
    "ratelimit-limit": String(limit),
    "ratelimit-remaining": String(remaining),
    "ratelimit-reset": String(resetEpochSeconds),
  };
}

function createBucketKey(clientId: string, userId: string | undefined): string {
  return userId === undefined ? `app:${clientId}` : `user:${clientId}:${userId}`;
}
