import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { connectRedis } from "./connectRedis";

/** A Redis database number held by this run until `release()`. */
export interface RedisDatabaseClaim {
  /** The server URL with the claimed database number, e.g. `redis://127.0.0.1:6379/7`. */
  redisUrl: string;
  databaseNumber: number;
  /** Empties the database and gives the number back. Safe to call more than once. */
  release(): Promise<void>;
}

export const claimKeyPrefix = "liveloot:database-claim:";
const firstDatabase = 1;
const lastDatabase = 15;
const claimSeconds = 2 * 60 * 60;
// A claim outlives a crashed run by at most claimSeconds; a live run keeps renewing its own.
const renewMilliseconds = 10 * 60 * 1000;

const releaseScript = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) end return 0`;
const renewScript = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("expire", KEYS[1], ARGV[2]) end return 0`;

/**
 * Claims a database number 1..15 on a shared Redis that no concurrent run uses, and empties it.
 * A claim is the key `liveloot:database-claim:<n>` in database 0, set with NX to this run's id.
 */
export async function claimRedisDatabase(serverUrl: string): Promise<RedisDatabaseClaim> {
  const runId = randomUUID();
  const claims = await connectRedis(replaceDatabaseNumber(serverUrl, 0));
  try {
    for (let databaseNumber = firstDatabase; databaseNumber <= lastDatabase; databaseNumber++) {
      const claimKey = `${claimKeyPrefix}${databaseNumber}`;
      if ((await claims.set(claimKey, runId, "EX", claimSeconds, "NX")) !== "OK") continue;
      const redisUrl = replaceDatabaseNumber(serverUrl, databaseNumber);
      let database: Redis;
      try {
        database = await connectRedis(redisUrl);
        await database.flushdb();
      } catch (error) {
        await claims.eval(releaseScript, 1, claimKey, runId).catch(() => {});
        throw error;
      }
      return holdClaim({ claims, database, claimKey, runId, redisUrl, databaseNumber });
    }
  } catch (error) {
    claims.disconnect();
    throw error;
  }
  claims.disconnect();
  throw new Error(
    `Every Redis database ${firstDatabase}..${lastDatabase} is claimed by another run ` +
      `(keys ${claimKeyPrefix}* in database 0; they expire ${claimSeconds / 3600} hours after a run stops renewing them)`,
  );
}

/** The same Redis URL pointing at another database number. */
export function replaceDatabaseNumber(redisUrl: string, databaseNumber: number): string {
  const url = new URL(redisUrl);
  url.pathname = `/${databaseNumber}`;
  return url.toString();
}

function holdClaim(held: {
  claims: Redis;
  database: Redis;
  claimKey: string;
  runId: string;
  redisUrl: string;
  databaseNumber: number;
}): RedisDatabaseClaim {
  const { claims, database, claimKey, runId } = held;
  const renewal = setInterval(() => {
    claims.eval(renewScript, 1, claimKey, runId, claimSeconds).catch(() => {
      // Missed renewals only shorten the claim; the next one tries again.
    });
  }, renewMilliseconds);
  renewal.unref();

  let releasing: Promise<void> | undefined;
  return {
    redisUrl: held.redisUrl,
    databaseNumber: held.databaseNumber,
    release() {
      releasing ??= (async () => {
        clearInterval(renewal);
        // Empty first, release after: once released, another run may claim the number and fill it.
        // Release even if emptying failed: the next run empties the database at start anyway.
        let failure: unknown;
        try {
          await database.flushdb();
        } catch (error) {
          failure = error;
        }
        try {
          await claims.eval(releaseScript, 1, claimKey, runId);
        } catch (error) {
          failure ??= error;
        }
        database.disconnect();
        claims.disconnect();
        if (failure !== undefined) throw failure;
      })();
      return releasing;
    },
  };
}
