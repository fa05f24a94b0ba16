import { Redis } from "@upstash/redis/cloudflare";
import type { Config } from "../env";

/**
 * The Upstash REST client. Redis is only a cache here, so the client does not retry on
 * its own: callers fall back to the source of truth instead of waiting.
 */
export function createRedis(config: Pick<Config, "upstashRedisRestUrl" | "upstashRedisRestToken">): Redis {
  return new Redis({
    url: config.upstashRedisRestUrl,
    token: config.upstashRedisRestToken,
    retry: false,
    enableTelemetry: false,
  });
}
