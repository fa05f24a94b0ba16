import { randomBytes } from "node:crypto";
import { errors, Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisService, startRedis } from "../services/redis";
import { startUpstashBridge, type UpstashBridge } from "../services/upstashBridge";

let redis: RedisService;
let bridge: UpstashBridge;
/** `@upstash/redis` at its default options: base64 responses, auto-pipelining, read-your-writes. */
let client: Redis;
const token = randomBytes(18).toString("base64url");

beforeAll(async () => {
  redis = await startRedis({ redisUrl: process.env.REDIS_URL });
  bridge = await startUpstashBridge({ redisUrl: redis.redisUrl, token });
  client = new Redis({ url: bridge.url, token, enableTelemetry: false });
});

afterAll(async () => {
  await bridge?.stop();
  await redis?.stop();
});

function createKey(label: string): string {
  return `test:${label}:${randomBytes(6).toString("hex")}`;
}

/** One raw REST call, for what the SDK hides: statuses, encodings, refusals. */
async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${bridge.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

describe("startUpstashBridge with @upstash/redis at default options", () => {
  it("stores strings, JSON objects, unicode and numbers", async () => {
    const text = createKey("text");
    const object = createKey("object");
    const unicode = createKey("unicode");
    const number = createKey("number");
    expect(await client.set(text, "hello")).toBe("OK");
    expect(await client.get(text)).toBe("hello");

    await client.set(object, { prize: "Sword", weight: 10, tags: ["rare", "shiny"] });
    expect(await client.get(object)).toEqual({ prize: "Sword", weight: 10, tags: ["rare", "shiny"] });

    await client.set(unicode, "Olá, mundo — 🎁 ganhador");
    expect(await client.get(unicode)).toBe("Olá, mundo — 🎁 ganhador");

    await client.set(number, 42);
    expect(await client.get(number)).toBe(42);
    expect(await client.incrby(number, 3)).toBe(45);
    expect(await client.get(createKey("missing"))).toBeNull();
  });

  it("answers commands issued in the same tick (auto-pipelined) in order", async () => {
    const counter = createKey("counter");
    const results = await Promise.all([client.incr(counter), client.incr(counter), client.incr(counter)]);
    expect(results).toEqual([1, 2, 3]);
  });

  it("runs a pipeline", async () => {
    const key = createKey("pipeline");
    const results = await client.pipeline().set(key, "a").append(key, "bc").get(key).strlen(key).exec();
    expect(results).toEqual(["OK", 3, "abc", 3]);
  });

  it("runs a transaction", async () => {
    const key = createKey("multi");
    const list = createKey("list");
    const results = await client.multi().set(key, 10).incrby(key, 5).rpush(list, "OK", "x").lrange(list, 0, -1).exec();
    expect(results).toEqual(["OK", 15, 2, ["OK", "x"]]);
  });

  it("handles sets", async () => {
    const set = createKey("set");
    expect(await client.sadd(set, "ana", "bia", "caio")).toBe(3);
    expect(await client.scard(set)).toBe(3);
    expect(["ana", "bia", "caio"]).toContain(await client.srandmember(set));
    const two = await client.srandmember<string[]>(set, 2);
    expect(two).toHaveLength(2);
    expect(new Set(two).size).toBe(2);
    expect((await client.smembers(set)).sort()).toEqual(["ana", "bia", "caio"]);
  });

  it("handles expiry", async () => {
    const key = createKey("expiring");
    await client.set(key, "soon gone");
    expect(await client.ttl(key)).toBe(-1);
    expect(await client.expire(key, 100)).toBe(1);
    const ttl = await client.ttl(key);
    expect(ttl).toBeGreaterThan(90);
    expect(ttl).toBeLessThanOrEqual(100);
    await client.set(key, "gone", { px: 1 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await client.get(key)).toBeNull();
    expect(await client.ttl(key)).toBe(-2);
  });

  it("rejects an unknown command with an UpstashError", async () => {
    await expect(client.exec(["NOSUCHCOMMAND", "x"])).rejects.toThrow(errors.UpstashError);
    await expect(client.exec(["NOSUCHCOMMAND", "x"])).rejects.toThrow(/unknown command/i);
  });

  it("rejects a wrong token", async () => {
    const intruder = new Redis({ url: bridge.url, token: "wrong-token", enableTelemetry: false });
    await expect(intruder.get("anything")).rejects.toThrow(/Unauthorized/);
  });
});

describe("startUpstashBridge on the wire", () => {
  it("requires the bearer token, POST and a known path", async () => {
    const noToken = await fetch(bridge.url, { method: "POST", body: '["PING"]' });
    expect(noToken.status).toBe(401);
    expect(await noToken.json()).toEqual({ error: "Unauthorized" });

    const wrongToken = await post("/", ["PING"], { authorization: "Bearer nope" });
    expect(wrongToken).toEqual({ status: 401, body: { error: "Unauthorized" } });

    const get = await fetch(bridge.url, { headers: { authorization: `Bearer ${token}` } });
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");

    expect((await post("/set/foo/bar", null)).status).toBe(404);
  });

  it("answers plain text without Upstash-Encoding", async () => {
    const key = createKey("plain");
    expect(await post("/", ["SET", key, "é"])).toEqual({ status: 200, body: { result: "OK" } });
    expect(await post("/", ["GET", key])).toEqual({ status: 200, body: { result: "é" } });
    expect(await post("/", ["STRLEN", key])).toEqual({ status: 200, body: { result: 2 } });
  });

  it("base64-encodes every string but a top-level OK, keeping numbers and nil, binary-safely", async () => {
    const key = createKey("encoded");
    const base64 = { "upstash-encoding": "base64" };
    expect(await post("/", ["SET", key, "é"], base64)).toEqual({ status: 200, body: { result: "OK" } });
    // GETRANGE cuts "é" (c3 a9) in half: only a binary-safe bridge returns the lone byte c3.
    expect(await post("/", ["GETRANGE", key, 0, 0], base64)).toEqual({ status: 200, body: { result: "ww==" } });
    expect(await post("/", ["MGET", key, createKey("missing")], base64)).toEqual({
      status: 200,
      body: { result: ["w6k=", null] },
    });
    const list = createKey("nested");
    await post("/", ["RPUSH", list, "OK", "a"]);
    expect(await post("/", ["LRANGE", list, 0, -1], base64)).toEqual({
      status: 200,
      body: { result: ["T0s=", "YQ=="] },
    });
    const stream = createKey("stream");
    await post("/", ["XADD", stream, "1-1", "field", "v"]);
    expect(await post("/", ["XRANGE", stream, "-", "+"], base64)).toEqual({
      status: 200,
      body: { result: [["MS0x", ["ZmllbGQ=", "dg=="]]] },
    });
  });

  it("reports a Redis error with 400", async () => {
    const key = createKey("wrongtype");
    await post("/", ["SET", key, "text"]);
    const response = await post("/", ["INCR", key]);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: expect.stringMatching(/not an integer/) });
    expect((await post("/", "not a command")).status).toBe(400);
    expect((await post("/", [])).status).toBe(400);
  });

  it("answers each pipeline command on its own", async () => {
    const key = createKey("pipeline");
    const response = await post("/pipeline", [["SET", key, "1"], ["NOSUCHCOMMAND"], ["INCR", key]]);
    expect(response.status).toBe(200);
    expect(response.body).toEqual([
      { result: "OK" },
      { error: expect.stringMatching(/unknown command/i) },
      { result: 2 },
    ]);
  });

  it("runs multi-exec atomically and discards a transaction with a bad command", async () => {
    const key = createKey("transaction");
    const committed = await post("/multi-exec", [
      ["SET", key, "a"],
      ["INCR", key],
      ["GET", key],
    ]);
    expect(committed.body).toEqual([
      { result: "OK" },
      { error: expect.stringMatching(/not an integer/) },
      { result: "a" },
    ]);

    const discarded = await post("/multi-exec", [["SET", key, "b"], ["NOSUCHCOMMAND"]]);
    expect(discarded.status).toBe(400);
    expect(discarded.body).toEqual({ error: expect.stringMatching(/EXECABORT.*unknown command/i) });
    expect((await post("/", ["GET", key])).body).toEqual({ result: "a" });

    const refused = await post("/multi-exec", [
      ["SET", key, "c"],
      ["SELECT", "0"],
    ]);
    expect(refused.status).toBe(400);
    expect((await post("/", ["GET", key])).body).toEqual({ result: "a" });
  });

  it("refuses commands that block or break isolation", async () => {
    for (const command of [
      ["SUBSCRIBE", "channel"],
      ["MONITOR"],
      ["SELECT", "0"],
      ["FLUSHALL"],
      ["SHUTDOWN"],
      ["BLPOP", "list", "0"],
      ["XREAD", "BLOCK", "0", "STREAMS", "s", "$"],
      ["MULTI"],
      ["copy", "a", "b", "db", "0"],
    ]) {
      const response = await post("/", command);
      expect(response.status, command.join(" ")).toBe(400);
      expect(response.body).toEqual({ error: expect.stringContaining("not supported by the local Upstash bridge") });
    }
  });

  it("accepts and ignores a sync token", async () => {
    expect(await post("/", ["PING"], { "upstash-sync-token": "some-token" })).toEqual({
      status: 200,
      body: { result: "PONG" },
    });
  });
});
