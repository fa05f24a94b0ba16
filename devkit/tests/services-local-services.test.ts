import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { neonConfig, Pool } from "@neondatabase/serverless";
import { Redis as UpstashRedis } from "@upstash/redis";
import { Redis } from "ioredis";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { claimKeyPrefix, replaceDatabaseNumber } from "../services/claimRedisDatabase";
import { startLocalServices } from "../services/localServices";

const expectedStartedKind = spawnSync("pg_config", ["--bindir"]).status === 0 ? "cluster" : "pglite";

async function readClaim(redisUrl: string): Promise<string | null> {
  const databaseNumber = new URL(redisUrl).pathname.slice(1);
  const redis = new Redis(replaceDatabaseNumber(redisUrl, 0), { lazyConnect: true, maxRetriesPerRequest: 0 });
  redis.on("error", () => {});
  await redis.connect();
  try {
    return await redis.get(`${claimKeyPrefix}${databaseNumber}`);
  } finally {
    redis.disconnect();
  }
}

async function listDatabases(serverUrl: string, name: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return (await client.query("select datname from pg_database where datname = $1", [name])).rows;
  } finally {
    await client.end();
  }
}

describe("startLocalServices", () => {
  it("starts everything the Worker needs and undoes it all at stop", async () => {
    const databaseName = `liveloot_test_${randomBytes(6).toString("hex")}`;
    const services = await startLocalServices({
      postgresServerUrl: process.env.DATABASE_URL,
      redisUrl: process.env.REDIS_URL,
      databaseName,
      upstashToken: "local-token",
    });
    let claim: string | null = null;
    try {
      expect(services.postgresKind).toBe(process.env.DATABASE_URL ? "configured" : expectedStartedKind);
      expect(new URL(services.databaseUrl).pathname).toBe(`/${databaseName}`);
      expect(services.neonWsProxy).toMatch(/^127\.0\.0\.1:\d+\/v1$/);
      expect(services.upstashToken).toBe("local-token");
      expect(services.redisUrl).toMatch(/^redis:\/\/.+\/\d+$/);

      neonConfig.wsProxy = services.neonWsProxy;
      neonConfig.useSecureWebSocket = false;
      neonConfig.pipelineTLS = false;
      neonConfig.pipelineConnect = false;
      const pool = new Pool({ connectionString: services.databaseUrl, max: 1 });
      pool.on("error", () => {});
      try {
        const { rows } = await pool.query("select current_database() as name");
        expect(rows).toEqual([{ name: databaseName }]);
      } finally {
        await pool.end();
      }

      const upstash = new UpstashRedis({
        url: services.upstashUrl,
        token: services.upstashToken,
        enableTelemetry: false,
      });
      await upstash.set("greeting", { text: "olá" });
      expect(await upstash.get("greeting")).toEqual({ text: "olá" });
      if (process.env.REDIS_URL) claim = await readClaim(services.redisUrl);
    } finally {
      await services.stop();
    }

    await services.stop();
    await expect(fetch(services.upstashUrl, { method: "POST" })).rejects.toThrow();
    await expect(fetch(`http://${services.neonWsProxy}`)).rejects.toThrow();
    if (process.env.DATABASE_URL) {
      expect(await listDatabases(services.postgresServerUrl, databaseName)).toEqual([]);
    }
    if (process.env.REDIS_URL) {
      expect(claim).not.toBeNull();
      expect(await readClaim(services.redisUrl)).not.toBe(claim);
    }
  });

  it("stops what it started when a later step fails", async () => {
    const databaseName = `liveloot_test_${randomBytes(6).toString("hex")}`;
    // Nothing listens on port 1, so Redis fails after Postgres, the database and the proxy started.
    await expect(
      startLocalServices({
        postgresServerUrl: process.env.DATABASE_URL,
        redisUrl: "redis://127.0.0.1:1",
        databaseName,
      }),
    ).rejects.toThrow(/Could not connect to Redis at redis:\/\/127\.0\.0\.1:1\/0: .*ECONNREFUSED/);
    if (process.env.DATABASE_URL) {
      expect(await listDatabases(process.env.DATABASE_URL, databaseName)).toEqual([]);
    }
  });
});
