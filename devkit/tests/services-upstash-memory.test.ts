// The in-memory mode of the Upstash bridge, which `npm run dev` uses on a machine without Redis.
// Other tests never use it: they run against a real Redis. Here the same commands are sent to
// both, and their answers compared.
import { randomBytes } from "node:crypto";
import { errors, Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readChatterCount, readChatterSamples, writeChatters } from "../../worker/cache/chatterCache";
import { createRedis } from "../../worker/cache/createRedis";
import { MemoryRedisStore } from "../services/MemoryRedisStore";
import { startUpstashBridge, type UpstashBridge } from "../services/upstashBridge";
import { type RedisUpstashEndpoint, startUpstashEndpoint } from "../services/upstashEndpoint";

const token = randomBytes(18).toString("base64url");
let memory: UpstashBridge;
/** `@upstash/redis` at its default options: base64 responses, auto-pipelining. */
let client: Redis;

beforeAll(async () => {
  memory = await startUpstashBridge({ inMemory: true, token });
  client = new Redis({ url: memory.url, token, enableTelemetry: false });
});

afterAll(async () => {
  await memory?.stop();
});

function createKey(label: string): string {
  return `test:${label}:${randomBytes(6).toString("hex")}`;
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** One raw REST call, plain text: the answer exactly as the bridge writes it. */
async function post(url: string, path: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

describe("the in-memory Upstash bridge with @upstash/redis", () => {
  it("answers PING and stores strings, JSON and numbers with GET/SET, DEL and EXISTS", async () => {
    const [text, object, number] = [createKey("text"), createKey("object"), createKey("number")];
    expect(await client.ping()).toBe("PONG");
    expect(await client.set(text, "Olá, mundo — 🎁")).toBe("OK");
    expect(await client.get(text)).toBe("Olá, mundo — 🎁");
    await client.set(object, { prize: "Sword", weight: 10, tags: ["rare"] });
    expect(await client.get(object)).toEqual({ prize: "Sword", weight: 10, tags: ["rare"] });
    await client.set(number, 42);
    expect(await client.get(number)).toBe(42);
    expect(await client.exists(text, object, createKey("missing"))).toBe(2);
    expect(await client.del(text, object, createKey("missing"))).toBe(2);
    expect(await client.get(text)).toBeNull();
  });

  it("honours SET NX, XX and GET", async () => {
    const key = createKey("conditional");
    expect(await client.set(key, "first", { nx: true })).toBe("OK");
    expect(await client.set(key, "second", { nx: true })).toBeNull();
    expect(await client.set(createKey("missing"), "x", { xx: true })).toBeNull();
    expect(await client.set(key, "third", { xx: true, get: true })).toBe("first");
    expect(await client.get(key)).toBe("third");
  });

  it("counts with INCR and INCRBY, and refuses what is not an integer", async () => {
    const key = createKey("counter");
    expect(await Promise.all([client.incr(key), client.incr(key), client.incrby(key, 40)])).toEqual([1, 2, 42]);
    await client.set(key, "many");
    await expect(client.incr(key)).rejects.toThrow(/value is not an integer or out of range/);
  });

  it("expires keys with SET EX/PX, EXPIRE and TTL", async () => {
    const [key, soon, set] = [createKey("ttl"), createKey("soon"), createKey("set")];
    await client.set(key, "v", { ex: 100 });
    const ttl = await client.ttl(key);
    expect(ttl).toBeGreaterThan(98);
    expect(ttl).toBeLessThanOrEqual(100);
    await client.set(key, "no expiry now");
    expect(await client.ttl(key)).toBe(-1);
    expect(await client.expire(key, 50)).toBe(1);
    expect(await client.ttl(key)).toBe(50);
    expect(await client.expire(createKey("missing"), 50)).toBe(0);
    expect(await client.ttl(createKey("missing"))).toBe(-2);

    await client.set(soon, "gone in 30 ms", { px: 30 });
    await client.sadd(set, "a", "b");
    await client.pexpire(set, 30);
    expect(await client.get(soon)).toBe("gone in 30 ms");
    await sleep(60);
    expect(await client.get(soon)).toBeNull();
    expect(await client.ttl(soon)).toBe(-2);
    expect(await client.exists(set)).toBe(0);
    expect(await client.scard(set)).toBe(0);
  });

  it("keeps sets: SADD, SREM, SCARD, SMEMBERS, SISMEMBER", async () => {
    const set = createKey("set");
    expect(await client.sadd(set, "ana", "bia", "caio", "ana")).toBe(3);
    expect(await client.srem(set, "caio", "nobody")).toBe(1);
    expect(await client.scard(set)).toBe(2);
    expect((await client.smembers(set)).sort()).toEqual(["ana", "bia"]);
    expect(await client.sismember(set, "bia")).toBe(1);
    expect(await client.srem(set, "ana", "bia")).toBe(2);
    expect(await client.exists(set)).toBe(0);
    await client.set(set, "a string now");
    await expect(client.sadd(set, "x")).rejects.toThrow(/WRONGTYPE/);
  });

  it("samples with SRANDMEMBER: distinct members for a positive count, repeats for a negative one", async () => {
    const set = createKey("sample");
    const members = Array.from({ length: 100 }, (_, index) => `viewer_${index}`);
    await client.sadd(set, members[0] as string, ...members.slice(1));

    const fifty = await client.srandmember<string[]>(set, 50);
    expect(fifty).toHaveLength(50);
    expect(new Set(fifty).size).toBe(50);
    for (const member of fifty ?? []) expect(members).toContain(member);
    expect((await client.srandmember<string[]>(set, 500))?.sort()).toEqual([...members].sort());

    const repeated = await client.srandmember<string[]>(set, -300);
    expect(repeated).toHaveLength(300);
    for (const member of repeated ?? []) expect(members).toContain(member);
    // 300 draws from 100 members cannot all differ; and they are not all the same one.
    expect(new Set(repeated).size).toBeLessThan(300);
    expect(new Set(repeated).size).toBeGreaterThan(1);

    expect(members).toContain(await client.srandmember(set));
    expect(await client.srandmember(createKey("missing"))).toBeNull();
    expect(await client.srandmember(createKey("missing"), 3)).toEqual([]);
    // Every sample is a fresh draw, not the same first members each time.
    const firsts = new Set(await Promise.all(Array.from({ length: 20 }, () => client.srandmember(set))));
    expect(firsts.size).toBeGreaterThan(1);
  });

  it("runs a pipeline and a transaction", async () => {
    const [key, set] = [createKey("pipeline"), createKey("multi")];
    expect(await client.pipeline().set(key, 1).incrby(key, 2).get(key).ttl(key).exec()).toEqual(["OK", 3, 3, -1]);
    expect(await client.multi().sadd(set, "OK", "x").scard(set).expire(set, 60).ttl(set).exec()).toEqual([2, 2, 1, 60]);
  });

  it("serves the Worker's chatter cache (worker/cache/chatterCache.ts)", async () => {
    // The Worker's client as createRedis configures it (no retries, automatic pipelining).
    const worker = createRedis({ upstashRedisRestUrl: memory.url, upstashRedisRestToken: token });
    const [broadcasterId, absentId] = [randomBytes(4).toString("hex"), randomBytes(4).toString("hex")];
    const chatters = Array.from({ length: 2500 }, (_, index) => ({
      id: String(index),
      login: `viewer_${index}`,
      name: `Viewer ${index}`,
    }));
    await writeChatters(worker, broadcasterId, chatters, Date.now());
    expect(await readChatterCount(worker, broadcasterId)).toBe(2500);
    const samples = await readChatterSamples(worker, [broadcasterId, absentId], 200, Date.now());
    expect([...samples.keys()]).toEqual([broadcasterId]);
    const sample = samples.get(broadcasterId);
    expect(sample?.total).toBe(2500);
    expect(sample?.sample).toHaveLength(200);
    expect(new Set(sample?.sample.map((chatter) => chatter.id)).size).toBe(200);
  });

  it("names the commands it knows when asked for another", async () => {
    await expect(client.exec(["HSET", "h", "f", "v"])).rejects.toThrow(errors.UpstashError);
    await expect(client.exec(["HSET", "h", "f", "v"])).rejects.toThrow(
      /unknown command 'HSET'.*in-memory Redis of npm run dev supports only PING/,
    );
  });
});

describe("MemoryRedisStore expiry on its own clock", () => {
  it("expires exactly at the deadline, rounds TTL like Redis, and INCR keeps the TTL", () => {
    let now = 1_000_000;
    const store = new MemoryRedisStore(() => now);
    expect(store.execute(["SET", "k", "1", "EX", "10"])).toBe("OK");
    now += 9_400;
    expect(store.execute(["TTL", "k"])).toBe(1);
    expect(store.execute(["PTTL", "k"])).toBe(600);
    expect(store.execute(["INCR", "k"])).toBe(2);
    expect(store.execute(["PTTL", "k"])).toBe(600);
    now += 599;
    expect(store.execute(["GET", "k"])).toBe("2");
    now += 1;
    expect(store.execute(["GET", "k"])).toBeNull();
    expect(store.execute(["TTL", "k"])).toBe(-2);
    expect(store.execute(["INCR", "k"])).toBe(1);
    expect(store.execute(["TTL", "k"])).toBe(-1);
  });

  it("SET drops the TTL unless KEEPTTL; PERSIST removes it; expired keys leave DBSIZE", () => {
    let now = 0;
    const store = new MemoryRedisStore(() => now);
    store.execute(["SET", "a", "1", "PX", "100"]);
    store.execute(["SET", "a", "2", "KEEPTTL"]);
    expect(store.execute(["PTTL", "a"])).toBe(100);
    store.execute(["SET", "a", "3"]);
    expect(store.execute(["PTTL", "a"])).toBe(-1);
    store.execute(["SADD", "s", "x"]);
    store.execute(["EXPIRE", "s", "5"]);
    expect(store.execute(["PERSIST", "s"])).toBe(1);
    expect(store.execute(["TTL", "s"])).toBe(-1);
    store.execute(["SETEX", "b", "1", "v"]);
    expect(store.execute(["DBSIZE"])).toBe(3);
    now += 1000;
    expect(store.execute(["DBSIZE"])).toBe(2);
    store.execute(["EXPIRE", "s", "0"]);
    expect(store.execute(["EXISTS", "s"])).toBe(0);
  });
});

describe("the in-memory bridge answers like the bridge in front of a real Redis", () => {
  let real: RedisUpstashEndpoint;
  /** A store of its own, so that DBSIZE counts the same keys on both sides. */
  let inMemory: UpstashBridge;
  let redisMajorVersion = 0;

  beforeAll(async () => {
    // Never in memory: this endpoint is the reference.
    real = await startUpstashEndpoint({ redisUrl: process.env.REDIS_URL, token, allowInMemory: false });
    inMemory = await startUpstashBridge({ inMemory: true, token });
    const info = (await post(real.url, "/", ["INFO", "server"])).body as { result: string };
    redisMajorVersion = Number(/redis_version:(\d+)/.exec(info.result)?.[1]);
  });

  afterAll(async () => {
    await inMemory?.stop();
    await real?.stop();
  });

  /** Sends the same commands, one request each, to both bridges; answers side by side. */
  async function sendToBoth(commands: (string | number)[][]): Promise<{ real: unknown[]; memory: unknown[] }> {
    const answers = { real: [] as unknown[], memory: [] as unknown[] };
    for (const command of commands) {
      answers.real.push([command.join(" "), await post(real.url, "/", command)]);
      answers.memory.push([command.join(" "), await post(inMemory.url, "/", command)]);
    }
    return answers;
  }

  it("gives the same replies and errors for strings, counters, expiry and sets", async () => {
    const p = `differential:${randomBytes(4).toString("hex")}:`;
    const commands: (string | number)[][] = [
      ["PING"],
      ["PING", "hello"],
      ["ECHO", "é"],
      ["SET", `${p}k`, "v"],
      ["GET", `${p}k`],
      ["SET", `${p}k`, "v2", "NX"],
      ["SET", `${p}k`, "v3", "XX"],
      ["SET", `${p}k`, "v4", "GET"],
      ["SET", `${p}new`, "v", "XX", "GET"],
      ["SET", `${p}k`, "v", "EX", 0],
      ["SET", `${p}k`, "v", "EX", "soon"],
      ["SET", `${p}k`, "v", "NX", "XX"],
      ["SET", `${p}k`, "v", "EX", 10, "PX", 10],
      ["SET", `${p}k`, "v", "KEEPTTL", "EX", 10],
      ["SET", `${p}k`, "v", "EX"],
      ["SET", `${p}ttl`, "v", "NX", "EX", 100],
      ["TTL", `${p}ttl`],
      ["SET", `${p}ttl`, "w", "KEEPTTL"],
      ["TTL", `${p}ttl`],
      ["SETEX", `${p}setex`, 100, "v"],
      ["TTL", `${p}setex`],
      ["SETEX", `${p}setex`, 0, "v"],
      ["PSETEX", `${p}setex`, -5, "v"],
      ["GET", `${p}missing`],
      ["GET"],
      ["GET", `${p}k`, "extra"],
      ["EXISTS", `${p}k`, `${p}missing`, `${p}k`],
      ["DEL", `${p}k`, `${p}missing`],
      ["INCR", `${p}counter`],
      ["INCRBY", `${p}counter`, 41],
      ["DECR", `${p}counter`],
      ["DECRBY", `${p}counter`, -3],
      ["INCRBY", `${p}counter`, "1.5"],
      ["INCRBY", `${p}counter`, "+1"],
      ["INCRBY", `${p}counter`, "01"],
      ["SET", `${p}text`, "abc"],
      ["INCR", `${p}text`],
      ["SET", `${p}big`, "9223372036854775807"],
      ["INCR", `${p}big`],
      ["INCRBY", `${p}counter`, "9223372036854775808"],
      ["SADD", `${p}set`, "a", "b", "c", "a"],
      ["SADD", `${p}set`],
      ["SCARD", `${p}set`],
      ["SISMEMBER", `${p}set`, "a"],
      ["SREM", `${p}set`, "a", "z"],
      ["SCARD", `${p}missing`],
      ["SMEMBERS", `${p}missing`],
      ["GET", `${p}set`],
      ["SADD", `${p}text`, "x"],
      ["SRANDMEMBER", `${p}text`, 2],
      ["SRANDMEMBER", `${p}set`, "two"],
      ["SRANDMEMBER", `${p}set`, 1, 2],
      ["SRANDMEMBER", `${p}missing`],
      ["SRANDMEMBER", `${p}missing`, 3],
      ["SRANDMEMBER", `${p}missing`, -3],
      ["SRANDMEMBER", `${p}set`, 0],
      ["SADD", `${p}one`, "x"],
      ["SRANDMEMBER", `${p}one`],
      ["SRANDMEMBER", `${p}one`, 5],
      ["SRANDMEMBER", `${p}one`, -3],
      ["EXPIRE", `${p}set`, 100],
      ["TTL", `${p}set`],
      ["PERSIST", `${p}set`],
      ["TTL", `${p}set`],
      ["PERSIST", `${p}set`],
      ["EXPIRE", `${p}missing`, 10],
      ["EXPIRE", `${p}set`, "ten"],
      ["EXPIRE", `${p}set`, -1],
      ["EXISTS", `${p}set`],
      ["TTL", `${p}missing`],
      ["PTTL", `${p}missing`],
      ["TYPE", `${p}text`],
      ["TYPE", `${p}one`],
      ["TYPE", `${p}missing`],
      ["PEXPIRE", `${p}one`, 100_000],
      ["TTL", `${p}one`],
    ];
    if (redisMajorVersion >= 7) {
      commands.push(
        ["EXPIRE", `${p}one`, 50, "NX"],
        ["EXPIRE", `${p}one`, 200, "GT"],
        ["TTL", `${p}one`],
        ["EXPIRE", `${p}one`, 300, "LT"],
        ["EXPIRE", `${p}one`, 50, "LT"],
        ["TTL", `${p}one`],
        ["EXPIRE", `${p}one`, 50, "NX", "XX"],
        ["EXPIRE", `${p}one`, 50, "GT", "LT"],
        ["EXPIRE", `${p}one`, 50, "SOON"],
        ["PERSIST", `${p}one`],
        ["EXPIRE", `${p}one`, 50, "XX"],
        ["EXPIRE", `${p}one`, 50, "GT"],
        ["EXPIRE", `${p}one`, 50, "LT"],
        ["TTL", `${p}one`],
      );
    }
    // The real endpoint's claimed database holds only what this test wrote, so DBSIZE compares too.
    commands.push(["DBSIZE"], ["FLUSHDB"], ["DBSIZE"]);
    const answers = await sendToBoth(commands);
    expect(answers.memory).toEqual(answers.real);
  });

  it("gives the same answers to pipelines and transactions, and discards a transaction alike", async () => {
    const p = `differential:${randomBytes(4).toString("hex")}:`;
    const bodies: [string, (string | number)[][]][] = [
      [
        "/pipeline",
        [
          ["SET", `${p}a`, 1],
          ["INCR", `${p}a`],
          ["SADD", `${p}a`, "x"],
          ["GET", `${p}a`],
        ],
      ],
      [
        "/multi-exec",
        [
          ["SET", `${p}b`, 1],
          ["SADD", `${p}b`, "x"],
          ["INCRBY", `${p}b`, 5],
          ["GET", `${p}b`],
        ],
      ],
      ["/multi-exec", [["SET", `${p}c`, 1], ["GET"], ["INCR", `${p}c`]]],
      ["/pipeline", [["GET", `${p}c`]]],
    ];
    for (const [path, body] of bodies) {
      expect(await post(inMemory.url, path, body), path).toEqual(await post(real.url, path, body));
    }
    const unknown = [
      ["SET", `${p}d`, 1],
      ["NOPE", "x"],
    ];
    const realAnswer = await post(real.url, "/multi-exec", unknown);
    const memoryAnswer = await post(inMemory.url, "/multi-exec", unknown);
    expect(memoryAnswer.status).toBe(realAnswer.status);
    const expectedStart = (realAnswer.body as { error: string }).error;
    expect(expectedStart).toMatch(/^EXECABORT .* ERR unknown command 'NOPE'/);
    expect((memoryAnswer.body as { error: string }).error.startsWith(expectedStart.trimEnd())).toBe(true);
    expect((await post(inMemory.url, "/", ["EXISTS", `${p}d`])).body).toEqual({ result: 0 });
  });
});
