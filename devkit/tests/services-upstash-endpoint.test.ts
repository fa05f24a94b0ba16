import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inMemoryWarning, startUpstashEndpoint, type UpstashEndpoint } from "../services/upstashEndpoint";

const hasRedisServer = spawnSync("redis-server", ["--version"]).status === 0;

function connect(endpoint: UpstashEndpoint): Redis {
  return new Redis({ url: endpoint.url, token: endpoint.token, enableTelemetry: false, retry: false });
}

describe("startUpstashEndpoint", () => {
  let emptyDirectory = "";

  beforeAll(async () => {
    emptyDirectory = await mkdtemp(join(tmpdir(), "liveloot-no-redis-"));
  });

  afterAll(async () => {
    await rm(emptyDirectory, { recursive: true, force: true });
  });

  /** Runs `start` while PATH holds no redis-server (an empty directory only). */
  async function withoutRedisServer<Result>(start: () => Promise<Result>): Promise<Result> {
    const path = process.env.PATH;
    process.env.PATH = emptyDirectory;
    try {
      return await start();
    } finally {
      process.env.PATH = path;
    }
  }

  it("claims a database on REDIS_URL", async () => {
    const endpoint = await startUpstashEndpoint({ redisUrl: process.env.REDIS_URL, allowInMemory: true });
    try {
      expect(endpoint.kind).toBe(process.env.REDIS_URL ? "configured" : "server");
      expect(endpoint.redisUrl).toMatch(/^redis:\/\/.+\/\d+$/);
      expect(endpoint.warning).toBeUndefined();
      expect(await connect(endpoint).ping()).toBe("PONG");
    } finally {
      await endpoint.stop();
    }
    await expect(connect(endpoint).ping()).rejects.toThrow();
    await endpoint.stop();
  });

  it.skipIf(!hasRedisServer)(
    "starts a throwaway redis-server without REDIS_URL, even when memory is allowed",
    async () => {
      const endpoint = await startUpstashEndpoint({ allowInMemory: true, token: "chosen-token" });
      try {
        expect(endpoint).toMatchObject({ kind: "server", token: "chosen-token" });
        expect(endpoint.warning).toBeUndefined();
        expect(endpoint.redisUrl).toMatch(/^redis:\/\/127\.0\.0\.1:\d+\/0$/);
        expect(await connect(endpoint).set("key", "value")).toBe("OK");
      } finally {
        await endpoint.stop();
      }
    },
  );

  it("serves from memory, with a warning, when there is no redis-server and memory is allowed", async () => {
    const endpoint = await withoutRedisServer(() => startUpstashEndpoint({ allowInMemory: true }));
    try {
      expect(endpoint.kind).toBe("memory");
      expect(endpoint.redisUrl).toBeUndefined();
      expect(endpoint.warning).toBe(inMemoryWarning);
      expect(endpoint.warning).toMatch(/development only/);
      const client = connect(endpoint);
      await client.set("key", "value", { ex: 60 });
      expect(await client.get("key")).toBe("value");
    } finally {
      await endpoint.stop();
    }
    await expect(connect(endpoint).ping()).rejects.toThrow();
  });

  it("never falls back to memory when it is not allowed, as for the tests", async () => {
    await expect(withoutRedisServer(() => startUpstashEndpoint({ allowInMemory: false }))).rejects.toThrow(
      /redis-server was not found on PATH/,
    );
  });

  it("never replaces a configured Redis that does not answer", async () => {
    await expect(
      withoutRedisServer(() => startUpstashEndpoint({ redisUrl: "redis://127.0.0.1:1", allowInMemory: true })),
    ).rejects.toThrow(/Could not connect to Redis/);
  });
});
