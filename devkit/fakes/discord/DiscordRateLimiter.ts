import { createHash } from "node:crypto";
import type { DiscordRateLimit } from "./discordControlSchemas";

/** Discord's create-message bucket: about 5 per 5 seconds per channel. */
export const defaultChannelMessageLimit: DiscordRateLimit = { limit: 5, windowSeconds: 5 };

interface Window {
  used: number;
  resetAtMilliseconds: number;
}

export interface DiscordRateLimitDecision {
  allowed: boolean;
  headers: Record<string, string>;
  retryAfterSeconds: number;
}

/** Per-route, per-channel windows with Discord's `X-RateLimit-*` headers. */
export class DiscordRateLimiter {
  private readonly limits = new Map<string, DiscordRateLimit>();
  private readonly windows = new Map<string, Window>();

  setLimit(channelId: string, limit: DiscordRateLimit): void {
    this.limits.set(channelId, limit);
  }

  takeRequest(route: string, channelId: string): DiscordRateLimitDecision {
    const { limit, windowSeconds } = this.limits.get(channelId) ?? defaultChannelMessageLimit;
    const key = `${route} ${channelId}`;
    const now = Date.now();
    let window = this.windows.get(key);
    if (window === undefined || now >= window.resetAtMilliseconds) {
      window = { used: 0, resetAtMilliseconds: now + windowSeconds * 1000 };
      this.windows.set(key, window);
    }
    const allowed = window.used < limit;
    if (allowed) window.used += 1;
    const resetAfterSeconds = (window.resetAtMilliseconds - now) / 1000;
    return {
      allowed,
      retryAfterSeconds: resetAfterSeconds,
      headers: createRateLimitHeaders(route, limit, Math.max(0, limit - window.used), window.resetAtMilliseconds),
    };
  }

  clear(): void {
    this.limits.clear();
    this.windows.clear();
  }
}

export function createRateLimitHeaders(
  route: string,
  limit: number,
  remaining: number,
  resetAtMilliseconds: number,
): Record<string, string> {
  return {
    "x-ratelimit-limit": String(limit),
    "x-ratelimit-remaining": String(remaining),
    "x-ratelimit-reset": (resetAtMilliseconds / 1000).toFixed(3),
    "x-ratelimit-reset-after": (Math.max(0, resetAtMilliseconds - Date.now()) / 1000).toFixed(3),
    "x-ratelimit-bucket": createHash("sha1").update(route).digest("hex").slice(0, 32),
  };
}

/** Headers and body of a 429, as Discord sends them. */
export function createRateLimitedHeaders(
  route: string,
  limit: number,
  retryAfterSeconds: number,
  global: boolean,
): Record<string, string> {
  return {
    ...createRateLimitHeaders(route, limit, 0, Date.now() + retryAfterSeconds * 1000),
    "retry-after": String(Math.ceil(retryAfterSeconds)),
    "x-ratelimit-scope": global ? "global" : "user",
    ...(global ? { "x-ratelimit-global": "true" } : {}),
  };
}
