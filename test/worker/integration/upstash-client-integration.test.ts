import { errors } from "@upstash/redis/cloudflare";
import { describe, expect, inject, it } from "vitest";
import { createRedis } from "../../../worker/cache/createRedis";

// The Worker's Upstash client (@upstash/redis/cloudflare, as createRedis configures it) against the
// local Upstash endpoint (the same REST API, backed by a real Redis): the answers the cache modules
// rely on come back in the shapes they read, and errors surface as errors.
const config = { upstashRedisRestUrl: inject("upstashUrl"), upstashRedisRestToken: inject("upstashToken") };
const redis = createRedis(config);
const prefix = `liveloot:test:upstash:${crypto.randomUUID()}`;

describe("the Worker's Upstash client", () => {
  it("stores JSON values and plain strings, and reads them back as written", async () => {
    await redis.pipeline().set(`${prefix}:json`, { count: 3, fetchedAt: 1_700_000_000_000 }, { ex: 30 }).exec();
    expect(await redis.get(`${prefix}:json`)).toEqual({ count: 3, fetchedAt: 1_700_000_000_000 });
    expect(await redis.ttl(`${prefix}:json`)).toBeGreaterThan(0);
    expect(await redis.get(`${prefix}:missing`)).toBeNull();
    expect(await redis.ping()).toBe("PONG");
  });

  it("answers a pipeline in order: sets, samples, counters, hashes by field", async () => {
    const key = `${prefix}:set`;
    const members = ['["1","a","A"]', '["2","b","B"]', '["3","c","C"]'];
    const [deleted, added, expired, sample] = await redis
      .pipeline()
      .del(key)
      .sadd(key, ...(members as [string, ...string[]]))
      .expire(key, 30)
      .srandmember(key, 2)
      .exec();
    expect([deleted, added, expired]).toEqual([0, 3, 1]);
    expect(sample).toHaveLength(2);
    for (const member of sample as unknown[])
      expect([
        ["1", "a", "A"],
        ["2", "b", "B"],
        ["3", "c", "C"],
      ]).toContainEqual(member);
    expect(await redis.incr(`${prefix}:counter`)).toBe(1);
    expect(await redis.incr(`${prefix}:counter`)).toBe(2);
    expect(await redis.expire(`${prefix}:counter`, 30)).toBe(1);
    const hash = `${prefix}:hash`;
    const [, fields, none] = await redis
      .pipeline()
      .hset(hash, { "101": 1_700_000_000, "102": 0 })
      .hmget(hash, "101", "102", "103")
      .hmget(`${prefix}:no-hash`, "101")
      .exec();
    expect(fields).toEqual({ "101": 1_700_000_000, "102": 0, "103": null });
    expect(none).toBeNull();
  });

  it("sends commands issued together as one request (automatic pipelining)", async () => {
    const [first, second, third] = await Promise.all([
      redis.incr(`${prefix}:together`),
      redis.incr(`${prefix}:together`),
      redis.get(`${prefix}:together`),
    ]);
    expect([first, second, third]).toEqual([1, 2, 2]);
  });

  it("runs a transaction through /multi-exec: results in order, EXPIRE NX never extends, a discarded one throws", async () => {
    const key = `${prefix}:transaction`;
    const [first, firstExpiry, firstTtl] = await redis.multi().incr(key).expire(key, 30, "NX").ttl(key).exec();
    expect([first, firstExpiry]).toEqual([1, 1]);
    expect(firstTtl).toBe(30);
    const [second, secondExpiry] = await redis.multi().incr(key).expire(key, 600, "NX").ttl(key).exec();
    expect([second, secondExpiry]).toEqual([2, 0]);
    expect(await redis.ttl(key)).toBeLessThanOrEqual(30);
    expect(await redis.multi().decr(key).exec()).toEqual([1]);
    // A wrong number of arguments discards the whole transaction: nothing of it runs.
    await expect(redis.multi().incr(key).hset(key, {}).exec()).rejects.toBeInstanceOf(errors.UpstashError);
    expect(await redis.get(key)).toBe(1);
  });

  it("throws Upstash's error for a failing command, alone or in a pipeline, and for a wrong token", async () => {
    await redis.pipeline().sadd(`${prefix}:a-set`, "x").exec();
    await expect(redis.pipeline().incr(`${prefix}:a-set`).exec()).rejects.toThrow(/WRONGTYPE|not an integer/);
    await expect(redis.pipeline().get(`${prefix}:a-set`).exec()).rejects.toThrow(/WRONGTYPE/);
    const stranger = createRedis({ ...config, upstashRedisRestToken: "not-the-token" });
    await expect(stranger.ping()).rejects.toBeInstanceOf(errors.UpstashError);
  });
});
