import { randomBytes } from "node:crypto";
import { type RedisKind, startRedis } from "./redis";
import { RedisServerNotFoundError } from "./startRedisServer";
import { startUpstashBridge } from "./upstashBridge";

/** Where the data behind the endpoint lives: a claimed database, a throwaway redis-server, or memory. */
export type UpstashEndpointKind = RedisKind | "memory";

/** An Upstash REST endpoint on this machine: the bridge and whatever it serves from. */
export interface UpstashEndpoint {
  /** `UPSTASH_REDIS_REST_URL`. */
  url: string;
  /** `UPSTASH_REDIS_REST_TOKEN`. */
  token: string;
  kind: UpstashEndpointKind;
  /** The Redis behind the bridge, database number included; absent in memory. */
  redisUrl?: string;
  /** Set in memory: tell the developer, it is for development only. */
  warning?: string;
  /** Stops the bridge, then the Redis; safe to call more than once. */
  stop(): Promise<void>;
}

/** An endpoint in front of a real Redis. */
export interface RedisUpstashEndpoint extends UpstashEndpoint {
  kind: RedisKind;
  redisUrl: string;
}

export interface UpstashEndpointOptions {
  /** A Redis server to claim a database on (`REDIS_URL`); without it a throwaway redis-server is started. */
  redisUrl?: string;
  /** The token the bridge requires; random when omitted. */
  token?: string;
  /**
   * Without `redisUrl` and without `redis-server` on PATH, serve from memory (with `warning`)
   * instead of throwing. `npm run dev` allows it; tests never do, they need a real Redis.
   */
  allowInMemory: boolean;
}

export const inMemoryWarning =
  "Redis: no REDIS_URL and no redis-server on PATH, so the Upstash bridge keeps its data in this process's " +
  "memory. This is for development only: it knows only the commands LiveLoot uses and loses everything at " +
  "stop. Install Redis (e.g. `apt-get install redis-server`) or set REDIS_URL to use a real one.";

/**
 * Starts the Upstash bridge in front of, in order: a database claimed on `redisUrl`; a throwaway
 * `redis-server`; with `allowInMemory` and no `redis-server` binary, an in-memory store. Any other
 * failure is thrown, so a Redis that is there but broken is never silently replaced.
 */
export function startUpstashEndpoint(
  options: UpstashEndpointOptions & { allowInMemory: false },
): Promise<RedisUpstashEndpoint>;
export function startUpstashEndpoint(options: UpstashEndpointOptions): Promise<UpstashEndpoint>;
export async function startUpstashEndpoint(options: UpstashEndpointOptions): Promise<UpstashEndpoint> {
  const token = options.token ?? randomBytes(24).toString("base64url");
  let redis: Awaited<ReturnType<typeof startRedis>>;
  try {
    redis = await startRedis({ redisUrl: options.redisUrl });
  } catch (error) {
    if (!options.allowInMemory || options.redisUrl || !(error instanceof RedisServerNotFoundError)) throw error;
    const bridge = await startUpstashBridge({ inMemory: true, token });
    return { url: bridge.url, token, kind: "memory", warning: inMemoryWarning, stop: bridge.stop };
  }
  try {
    const bridge = await startUpstashBridge({ redisUrl: redis.redisUrl, token });
    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= (async () => {
        try {
          await bridge.stop();
        } finally {
          await redis.stop();
        }
      })();
      return stopping;
    };
    return { url: bridge.url, token, kind: redis.kind, redisUrl: redis.redisUrl, stop };
  } catch (error) {
    await redis.stop().catch(() => {
      // The start failure is the error worth reporting.
    });
    throw error;
  }
}
