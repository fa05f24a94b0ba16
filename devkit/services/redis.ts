import { claimRedisDatabase } from "./claimRedisDatabase";
import { startRedisServer } from "./startRedisServer";

/** Where the Redis came from: a shared server we claimed a database on, or one we spawned. */
export type RedisKind = "configured" | "server";

export interface RedisService {
  /** URL including the database number, e.g. `redis://127.0.0.1:6379/7`. */
  redisUrl: string;
  kind: RedisKind;
  stop(): Promise<void>;
}

/**
 * Finds a Redis database for this run alone. With `redisUrl`, claims a free database number 1..15
 * on that server, empty at start and emptied and given back at stop. Without, spawns a throwaway
 * `redis-server` and kills it at stop.
 */
export async function startRedis(options: { redisUrl?: string } = {}): Promise<RedisService> {
  if (options.redisUrl) {
    const claim = await claimRedisDatabase(options.redisUrl);
    return { redisUrl: claim.redisUrl, kind: "configured", stop: claim.release };
  }
  return { ...(await startRedisServer()), kind: "server" };
}
