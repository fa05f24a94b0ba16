import { Redis } from "@upstash/redis/cloudflare";
import type { Config } from "../env";

export type { Redis };

/**
 * Upstash's own client (`@upstash/redis/cloudflare`, over its REST API). Redis is only a cache
 * here, so the client does not retry on its own (`retry: false`): callers fall back to the source
 * of truth instead of waiting. Commands issued together without an explicit pipeline (a command's
 * reads side by side) travel as one request (`enableAutoPipelining`), so they cost one subrequest.
 * Values are JSON-encoded on write and decoded on read (`automaticDeserialization`, the default).
 */
export function createRedis(config: Pick<Config, "upstashRedisRestUrl" | "upstashRedisRestToken">): Redis {
  return new Redis({
    url: config.upstashRedisRestUrl,
    token: config.upstashRedisRestToken,
    retry: false,
    enableTelemetry: false,
    enableAutoPipelining: true,
  });
}
