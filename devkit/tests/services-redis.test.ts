import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimKeyPrefix, replaceDatabaseNumber } from "../services/claimRedisDatabase";
import { type RedisService, startRedis } from "../services/redis";

/** A plain client for looking behind the services' backs; closed at the end of each test. */
async function useRedis<Result>(redisUrl: string, use: (redis: Redis) => Promise<Result>): Promise<Result> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0 });
  redis.on("error", () => {});
  await redis.connect();
  try {
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

function readDatabaseNumber(redisUrl: string): number {
  return Number(new URL(redisUrl).pathname.slice(1));
}

describe("startRedis without a configured server", () => {
  it("spawns a throwaway redis-server that keeps nothing on disk and dies at stop", async () => {
    const server = await startRedis({});
    try {
      expect(server.kind).toBe("server");
      expect(server.redisUrl).toMatch(/^redis:\/\/127\.0\.0\.1:\d+\/0$/);
      await useRedis(server.redisUrl, async (redis) => {
        expect(await redis.ping()).toBe("PONG");
        expect(await redis.config("GET", "save")).toEqual(["save", ""]);
        expect(await redis.config("GET", "appendonly")).toEqual(["appendonly", "no"]);
        expect(await redis.config("GET", "bind")).toEqual(["bind", "127.0.0.1"]);
      });
    } finally {
      await server.stop();
    }
    await expect(useRedis(server.redisUrl, (redis) => redis.ping())).rejects.toThrow();
    await server.stop();
  });
});

describe("startRedis with a configured server", () => {
  let throwaway: RedisService | undefined;
  let serverUrl: string;

  beforeAll(async () => {
    // The machine's Redis when there is one; the claim scheme only ever touches its own keys.
    if (process.env.REDIS_URL) {
      serverUrl = process.env.REDIS_URL;
    } else {
      throwaway = await startRedis({});
      serverUrl = throwaway.redisUrl;
    }
  });

  afterAll(async () => {
    await throwaway?.stop();
  });

  it("gives concurrent runs different databases and empties and releases them at stop", async () => {
    const [first, second] = await Promise.all([
      startRedis({ redisUrl: serverUrl }),
      startRedis({ redisUrl: serverUrl }),
    ]);
    const marker = `test:marker:${randomBytes(6).toString("hex")}`;
    let claims: (string | null)[] = [];
    try {
      expect(first.kind).toBe("configured");
      const numbers = [readDatabaseNumber(first.redisUrl), readDatabaseNumber(second.redisUrl)];
      expect(numbers[0]).not.toBe(numbers[1]);
      for (const number of numbers) {
        expect(number).toBeGreaterThanOrEqual(1);
        expect(number).toBeLessThanOrEqual(15);
      }
      await useRedis(first.redisUrl, (redis) => redis.set(marker, "first"));
      expect(await useRedis(second.redisUrl, (redis) => redis.get(marker))).toBeNull();
      claims = await useRedis(replaceDatabaseNumber(serverUrl, 0), (redis) =>
        Promise.all(numbers.map((number) => redis.get(`${claimKeyPrefix}${number}`))),
      );
      expect(claims[0]).toMatch(/^[0-9a-f-]{36}$/);
      expect(claims[1]).toMatch(/^[0-9a-f-]{36}$/);
      expect(claims[0]).not.toBe(claims[1]);
    } finally {
      await Promise.all([first.stop(), second.stop()]);
    }
    expect(await useRedis(first.redisUrl, (redis) => redis.exists(marker))).toBe(0);
    const claimsAfterStop = await useRedis(replaceDatabaseNumber(serverUrl, 0), (redis) =>
      Promise.all(
        [first, second].map((service) => redis.get(`${claimKeyPrefix}${readDatabaseNumber(service.redisUrl)}`)),
      ),
    );
    // Another run may claim a released number at once, but never with our run's id.
    expect(claimsAfterStop[0]).not.toBe(claims[0]);
    expect(claimsAfterStop[1]).not.toBe(claims[1]);
    await first.stop();
  });
});

describe("startRedis claims on a server of its own", () => {
  let throwaway: RedisService;

  beforeAll(async () => {
    throwaway = await startRedis({});
  });

  afterAll(async () => {
    await throwaway?.stop();
  });

  it("empties the claimed database at start", async () => {
    await useRedis(replaceDatabaseNumber(throwaway.redisUrl, 1), (redis) => redis.set("left:over", "by a crashed run"));
    const claimed = await startRedis({ redisUrl: throwaway.redisUrl });
    try {
      expect(readDatabaseNumber(claimed.redisUrl)).toBe(1);
      expect(await useRedis(claimed.redisUrl, (redis) => redis.dbsize())).toBe(0);
    } finally {
      await claimed.stop();
    }
  });

  it("fails clearly when every database is claimed", async () => {
    const control = replaceDatabaseNumber(throwaway.redisUrl, 0);
    const keys = Array.from({ length: 15 }, (_, index) => `${claimKeyPrefix}${index + 1}`);
    await useRedis(control, (redis) => redis.mset(Object.fromEntries(keys.map((key) => [key, "another-run"]))));
    try {
      await expect(startRedis({ redisUrl: throwaway.redisUrl })).rejects.toThrow(
        /Every Redis database 1\.\.15 is claimed/,
      );
    } finally {
      await useRedis(control, (redis) => redis.del(...keys));
    }
  });
});
