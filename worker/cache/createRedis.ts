import type { Config } from "../env";
import { UpstashRedis } from "./upstashRedis";

/**
 * The Upstash REST client (cache/upstashRedis.ts). Redis is only a cache here, so the client does
 * not retry on its own: callers fall back to the source of truth instead of waiting.
 */
export function createRedis(config: Pick<Config, "upstashRedisRestUrl" | "upstashRedisRestToken">): UpstashRedis {
  return new UpstashRedis({ url: config.upstashRedisRestUrl, token: config.upstashRedisRestToken });
}
