import { describe, expect, inject, it } from "vitest";
import { UpstashError, UpstashRedis } from "../../../worker/cache/upstashRedis";

// The Worker's own Upstash REST client against the local Upstash endpoint (the same REST API,
// backed by a real Redis): what it writes reads back as written, and errors surface as errors.
const redis = new UpstashRedis({ url: inject("upstashUrl"), token: inject("upstashToken") });
const prefix = `liveloot:test:upstash:${crypto.randomUUID()}`;

describe("UpstashRedis", () => {
  it("stores JSON values and plain strings, and reads them back as written", async () => {
    await redis.pipeline().set(`${prefix}:json`, { count: 3, fetchedAt: 1_700_000_000_000 }, { ex: 30 }).exec();
    expect(await redis.get(`${prefix}:json`)).toEqual({ count: 3, fetchedAt: 1_700_000_000_000 });
    expect(await redis.ttl(`${prefix}:json`)).toBeGreaterThan(0);
    expect(await redis.get(`${prefix}:missing`)).toBeNull();
    expect(await redis.ping()).toBe("PONG");
  });

  it("answers a pipeline in order: sets, samples, counters", async () => {
    const key = `${prefix}:set`;
    const members = ['["1","a","A"]', '["2","b","B"]', '["3","c","C"]'];
    const [deleted, added, expired, sample] = await redis
      .pipeline()
      .del(key)
      .sadd(key, ...members)
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
    await expect(redis.multi().incr(key).hset(key).exec()).rejects.toBeInstanceOf(UpstashError);
    expect(await redis.get(key)).toBe(1);
  });

  it("throws Upstash's error for a failing command, alone or in a pipeline, and for a wrong token", async () => {
    await redis.pipeline().sadd(`${prefix}:a-set`, "x").exec();
    await expect(redis.incr(`${prefix}:a-set`)).rejects.toBeInstanceOf(UpstashError);
    await expect(redis.pipeline().get(`${prefix}:a-set`).exec()).rejects.toThrow(/WRONGTYPE/);
    const stranger = new UpstashRedis({ url: inject("upstashUrl"), token: "not-the-token" });
    await expect(stranger.ping()).rejects.toBeInstanceOf(UpstashError);
  });
});
