import { randomInt } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMigratedTestDatabase, type MigratedTestDatabase } from "../../support/testDatabase";

/** make_raffle against real Postgres: probabilities, stock, slots, cooldowns, eligibility. */

const wordRange = 2n ** 48n;

interface Candidate {
  id: string;
  login: string;
  name: string;
}

interface DrawResult {
  outcome: string;
  chatters_seen?: number | null;
  excluded_count?: number | null;
  cooling_down_count?: number | null;
  nobody_eligible_minutes?: number | null;
  nobody_eligible_notice?: boolean | null;
  draw_id: string | null;
  item_id: string | null;
  item_name: string | null;
  winner_twitch_user_id: string | null;
  winner_twitch_login: string | null;
  winner_twitch_display_name: string | null;
}

interface RaffleSetup {
  guildId: string;
  raffleId: string;
  itemIds: string[];
  broadcasterId: string;
}

interface RaffleOptions {
  items?: Array<{ name?: string; weight: number; stock?: number | null; enabled?: boolean }>;
  everyMinutes?: number;
  cooldownMinutes?: number;
  status?: "running" | "paused" | "stopped";
  nextSlotAt?: Date;
  luck?: boolean;
  announceInTwitch?: boolean;
  /** Defaults to `broadcaster`; points are per broadcaster, so luck tests take their own. */
  broadcasterId?: string;
}

const broadcaster: Candidate = { id: "1000", login: "the_streamer", name: "The_Streamer" };
const baseSlot = new Date("2026-03-01T20:00:00Z");

let database: MigratedTestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  database = await createMigratedTestDatabase();
  // This file commits some 20,000 draws; a throwaway database need not wait for each to reach disk.
  pool = new pg.Pool({ connectionString: database.url, max: 24, options: "-c synchronous_commit=off" });
});

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

function addMinutes(date: Date, minutes: number): Date {
  return new Date(date.getTime() + minutes * 60_000);
}

function addMilliseconds(date: Date, milliseconds: number): Date {
  return new Date(date.getTime() + milliseconds);
}

function createViewer(number: number): Candidate {
  return { id: String(5000 + number), login: `viewer_${number}`, name: `Viewer_${number}` };
}

/** A fresh guild with a running raffle and its items, so tests never share state. */
async function createRaffle(options: RaffleOptions = {}): Promise<RaffleSetup> {
  const guildId = String(randomInt(1, 2 ** 47));
  await pool.query("insert into guilds (id) values ($1)", [guildId]);
  const itemIds: string[] = [];
  for (const [index, item] of (options.items ?? [{ weight: 1 }]).entries()) {
    const inserted = await pool.query<{ id: string }>(
      "insert into loot_items (guild_id, name, weight, stock, enabled) values ($1, $2, $3, $4, $5) returning id",
      [guildId, item.name ?? `Item ${index + 1}`, item.weight, item.stock ?? null, item.enabled ?? true],
    );
    itemIds.push(inserted.rows[0]?.id ?? "");
  }
  const status = options.status ?? "running";
  const raffle = await pool.query<{ id: string }>(
    `insert into raffles (guild_id, discord_channel_id, twitch_broadcaster_id, twitch_broadcaster_login,
       every_minutes, cooldown_minutes, status, status_reason, stopped_at, next_slot_at, luck, announce_in_twitch)
     values ($1, '42', $2, $3, $4, $5, $6,
       case when $6 = 'running' then null when $6 = 'paused' then 'twitch_needs_reauth' else 'stopped_by_user' end,
       case when $6 = 'stopped' then now() end, $7, $8, $9)
     returning id`,
    [
      guildId,
      options.broadcasterId ?? broadcaster.id,
      broadcaster.login,
      options.everyMinutes ?? 1,
      options.cooldownMinutes ?? 0,
      status,
      options.nextSlotAt ?? baseSlot,
      options.luck ?? false,
      options.announceInTwitch ?? false,
    ],
  );
  return {
    guildId,
    raffleId: raffle.rows[0]?.id ?? "",
    itemIds,
    broadcasterId: options.broadcasterId ?? broadcaster.id,
  };
}

async function makeRaffle(
  raffleId: string,
  slotAt: Date,
  candidates: Candidate[] | unknown,
  randomWords: Array<number | bigint | string>,
  kind: "scheduled" | "manual" = "manual",
  client: pg.Pool | pg.PoolClient = pool,
): Promise<DrawResult> {
  const result = await client.query<DrawResult>("select * from make_raffle($1, $2, $3, $4::jsonb, $5::bigint[])", [
    raffleId,
    slotAt,
    kind,
    JSON.stringify(candidates),
    randomWords.map(String),
  ]);
  const row = result.rows[0];
  if (!row) throw new Error("make_raffle returned no row");
  return row;
}

async function readRaffle(raffleId: string) {
  const result = await pool.query<{ draw_count: number; last_slot_at: Date | null; next_slot_at: Date }>(
    "select draw_count, last_slot_at, next_slot_at from raffles where id = $1",
    [raffleId],
  );
  const row = result.rows[0];
  if (!row) throw new Error(`raffle ${raffleId} not found`);
  return row;
}

async function countDraws(raffleId: string): Promise<number> {
  const result = await pool.query<{ count: number }>(
    "select count(*)::integer as count from draws where raffle_id = $1",
    [raffleId],
  );
  return result.rows[0]?.count ?? -1;
}

async function readStock(itemId: string): Promise<number | null> {
  const result = await pool.query<{ stock: number | null }>("select stock from loot_items where id = $1", [itemId]);
  return result.rows[0]?.stock ?? null;
}

/** splitmix64, keeping the top 48 bits: a small seeded source of uniform words for repeatable tests. */
function createSeededWordSource(seed: bigint): () => bigint {
  const mask = (1n << 64n) - 1n;
  let state = seed & mask;
  return () => {
    state = (state + 0x9e3779b97f4a7c15n) & mask;
    let mixed = state;
    mixed = ((mixed ^ (mixed >> 30n)) * 0xbf58476d1ce4e5b9n) & mask;
    mixed = ((mixed ^ (mixed >> 27n)) * 0x94d049bb133111ebn) & mask;
    mixed ^= mixed >> 31n;
    return mixed >> 16n;
  };
}

function createCryptoWord(): bigint {
  const halves = crypto.getRandomValues(new Uint32Array(2));
  return (BigInt((halves[0] ?? 0) & 0xffff) << 32n) | BigInt(halves[1] ?? 0);
}

/** The reference algorithm: first word under the rejection limit, mod the total, walk by id. */
function chooseItemIndex(weights: number[], words: bigint[]): number | undefined {
  return chooseWeighted(weights, words)?.index;
}

/**
 * Rejection sampling as make_raffle does it: the first word (from `firstWord` on) below
 * 2^48 - (2^48 mod total) is reduced mod total, and the weights are walked in order.
 */
function chooseWeighted(
  weights: number[],
  words: bigint[],
  firstWord = 0,
): { index: number; roll: bigint; wordIndex: number } | undefined {
  const total = BigInt(weights.reduce((sum, weight) => sum + weight, 0));
  const limit = wordRange - (wordRange % total);
  const wordIndex = words.findIndex((word, index) => index >= firstWord && word < limit);
  if (wordIndex === -1) return undefined;
  const roll = (words[wordIndex] ?? 0n) % total;
  let cumulative = 0n;
  for (const [index, weight] of weights.entries()) {
    cumulative += BigInt(weight);
    if (roll < cumulative) return { index, roll, wordIndex };
  }
  return undefined;
}

/** The reference luck draw: the item takes the first accepted word, the winner the next one. */
function chooseLuckyWinnerIndex(itemWeights: number[], candidateWeights: number[], words: bigint[]) {
  const item = chooseWeighted(itemWeights, words);
  return item && chooseWeighted(candidateWeights, words, item.wordIndex + 1)?.index;
}

/** make_raffle's luck weight in hundredths: 1 + points/100, at most 5x. */
function computeLuckWeight(points: bigint): number {
  return Number(100n + (points < 400n ? points : 400n));
}

/** The same streamer under an id of its own, so its viewers' points are not shared with other tests. */
function createBroadcasterId(): string {
  return String(randomInt(1, 2 ** 47));
}

/** Points belong to a guild within a channel: `owner` is the raffle's, unless a test says otherwise. */
async function givePoints(
  viewer: Candidate,
  points: bigint,
  owner: { guildId: string; broadcasterId: string },
): Promise<void> {
  await pool.query(
    `insert into viewer_points (guild_id, broadcaster_id, viewer_user_id, viewer_login, viewer_display_name, points)
     values ($1, $2, $3, $4, $5, $6)
     on conflict (guild_id, broadcaster_id, viewer_user_id) do update set points = excluded.points`,
    [owner.guildId, owner.broadcasterId, viewer.id, viewer.login, viewer.name, String(points)],
  );
}

/** A uniformly random order from a seeded word source (sorting by random keys). */
function shuffleSeeded<Item>(items: readonly Item[], nextWord: () => bigint): Item[] {
  return items
    .map((item) => ({ item, key: nextWord() }))
    .sort((left, right) => (left.key < right.key ? -1 : left.key > right.key ? 1 : 0))
    .map(({ item }) => item);
}

function computeChiSquare(observed: number[], weights: number[]): number {
  const total = observed.reduce((sum, count) => sum + count, 0);
  const weightSum = weights.reduce((sum, weight) => sum + weight, 0);
  return observed.reduce((sum, count, index) => {
    const expected = (total * (weights[index] ?? 0)) / weightSum;
    return sum + (count - expected) ** 2 / expected;
  }, 0);
}

/** Draws `count` times on parallel connections, distinct manual slots, one candidate unless told. */
async function drawMany(
  setup: RaffleSetup,
  count: number,
  createWords: () => bigint[],
  createCandidates: () => Candidate[] = () => [createViewer(1)],
): Promise<DrawResult[]> {
  const wordsPerDraw = Array.from({ length: count }, createWords);
  const candidatesPerDraw = Array.from({ length: count }, createCandidates);
  const results: DrawResult[] = new Array(count);
  const connections = 8;
  await Promise.all(
    Array.from({ length: connections }, async (_unused, connection) => {
      for (let index = connection; index < count; index += connections) {
        results[index] = await makeRaffle(
          setup.raffleId,
          addMilliseconds(baseSlot, index),
          candidatesPerDraw[index] ?? [],
          wordsPerDraw[index] ?? [],
        );
      }
    }),
  );
  return results;
}

/**
 * Holds the raffle's row lock while `calls` are started, waits until all of them are queued on
 * it, then lets go, so the calls really run at the same moment rather than one after another.
 */
function runAllAtOnce<Result>(raffleId: string, calls: Array<() => Promise<Result>>): Promise<Result[]> {
  return runWhileHolding("select 1 from raffles where id = $1 for update", [raffleId], calls);
}

/**
 * Runs `holdStatement` in an open transaction, starts `calls`, waits until every one of them is
 * waiting for a lock, then commits the transaction and returns their results.
 */
async function runWhileHolding<Result>(
  holdStatement: string,
  values: unknown[],
  calls: Array<() => Promise<Result>>,
): Promise<Result[]> {
  const blocker = await pool.connect();
  try {
    await blocker.query("begin");
    await blocker.query(holdStatement, values);
    const running = calls.map((call) => call());
    for (let attempt = 0; ; attempt += 1) {
      // Polled on another connection: inside the blocker's transaction pg_stat_activity is a snapshot.
      const waiting = await pool.query<{ count: number }>(
        "select count(*)::integer as count from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query like '%make_raffle%'",
      );
      if ((waiting.rows[0]?.count ?? 0) >= calls.length) break;
      if (attempt > 500) throw new Error("concurrent calls never queued on the lock");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await blocker.query("commit");
    return await Promise.all(running);
  } finally {
    blocker.release();
  }
}

function countOutcomes(results: DrawResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const result of results) counts[result.outcome] = (counts[result.outcome] ?? 0) + 1;
  return counts;
}

describe("make_raffle item choice", () => {
  const weights = [1, 2, 3, 4, 10];

  it("honours weights over 4000 seeded draws, exactly as the reference algorithm picks", async () => {
    const setup = await createRaffle({ items: weights.map((weight) => ({ weight })) });
    const nextWord = createSeededWordSource(20260301n);

    const results = await drawMany(setup, 4000, () => [nextWord(), nextWord()]);

    const rows = await pool.query<{ item_id: string; random_words: string[] }>(
      "select item_id, random_words from draws where raffle_id = $1",
      [setup.raffleId],
    );
    expect(rows.rows).toHaveLength(4000);
    for (const row of rows.rows) {
      const expectedIndex = chooseItemIndex(weights, row.random_words.map(BigInt));
      expect(row.item_id).toBe(setup.itemIds[expectedIndex ?? -1]);
    }
    const observed = setup.itemIds.map((itemId) => results.filter((result) => result.item_id === itemId).length);
    // Fixed seed, so the statistic is fixed too: held to the 95% critical value for 4 degrees of freedom.
    expect(computeChiSquare(observed, weights)).toBeLessThan(9.488);
  });

  it("honours weights with fresh crypto randomness (loose threshold: p < 1e-6 to fail)", async () => {
    const setup = await createRaffle({ items: weights.map((weight) => ({ weight })) });

    const results = await drawMany(setup, 3000, () => [createCryptoWord(), createCryptoWord()]);

    expect(countOutcomes(results)).toEqual({ drawn: 3000 });
    const observed = setup.itemIds.map((itemId) => results.filter((result) => result.item_id === itemId).length);
    expect(computeChiSquare(observed, weights)).toBeLessThan(33.4);
  });

  it("rejects words at or above 2^48 - (2^48 mod total) and uses the next one", async () => {
    // total 3: 2^48 mod 3 = 1, so the limit is 2^48 - 1 and only the very top word is rejected.
    const small = await createRaffle({ items: [{ weight: 1 }, { weight: 2 }] });
    const topWord = wordRange - 1n;
    expect(topWord % 3n).toBe(0n); // accepted, it would pick the first item

    const rejectedThenTwo = await makeRaffle(small.raffleId, baseSlot, [createViewer(1)], [topWord, 2n]);
    const justUnderLimit = await makeRaffle(small.raffleId, addMinutes(baseSlot, 1), [createViewer(1)], [topWord - 1n]);

    expect(rejectedThenTwo).toMatchObject({ outcome: "drawn", item_id: small.itemIds[1] });
    expect(justUnderLimit).toMatchObject({ outcome: "drawn", item_id: small.itemIds[1] }); // (2^48 - 2) mod 3 = 2
    const rolls = await pool.query<{ item_roll: string }>(
      "select item_roll from draws where raffle_id = $1 order by slot_at",
      [small.raffleId],
    );
    expect(rolls.rows.map((row) => row.item_roll)).toEqual(["2", "2"]);

    // A total whose rejection zone is large: 2^48 mod 1999999 = 1170543 words are rejected.
    const large = await createRaffle({ items: [{ weight: 1_000_000 }, { weight: 999_999 }] });
    const total = 1_999_999n;
    const limit = wordRange - (wordRange % total);
    expect(wordRange % total).toBeGreaterThan(1_000_000n);

    const atLimitThenUnder = await makeRaffle(large.raffleId, baseSlot, [createViewer(1)], [limit, limit - 1n]);
    const aboveLimitThenZero = await makeRaffle(
      large.raffleId,
      addMinutes(baseSlot, 1),
      [createViewer(1)],
      [wordRange - 1n, limit + 12345n, 0n],
    );

    expect(atLimitThenUnder).toMatchObject({ outcome: "drawn", item_id: large.itemIds[1] }); // roll = total - 1
    expect(aboveLimitThenZero).toMatchObject({ outcome: "drawn", item_id: large.itemIds[0] }); // roll = 0
  });

  it("returns need_randomness, changing nothing, when every word is rejected", async () => {
    const setup = await createRaffle({ items: [{ weight: 1, stock: 5 }, { weight: 2 }] });
    const before = await readRaffle(setup.raffleId);

    const result = await makeRaffle(
      setup.raffleId,
      baseSlot,
      [createViewer(1)],
      [wordRange - 1n, wordRange - 1n],
      "scheduled",
    );
    const none = await makeRaffle(setup.raffleId, baseSlot, [createViewer(1)], [], "scheduled");

    expect(result.outcome).toBe("need_randomness");
    expect(none.outcome).toBe("need_randomness");
    expect(await readRaffle(setup.raffleId)).toEqual(before);
    expect(await countDraws(setup.raffleId)).toBe(0);
    expect(await readStock(setup.itemIds[0] ?? "")).toBe(5);
  });

  it("refuses words outside [0, 2^48) and malformed input", async () => {
    const setup = await createRaffle();

    await expect(makeRaffle(setup.raffleId, baseSlot, [createViewer(1)], [wordRange])).rejects.toMatchObject({
      code: "22023",
    });
    await expect(makeRaffle(setup.raffleId, baseSlot, [createViewer(1)], [-1n])).rejects.toMatchObject({
      code: "22023",
    });
    await expect(makeRaffle(setup.raffleId, baseSlot, { id: "1" }, [1n])).rejects.toMatchObject({ code: "22023" });
    await expect(makeRaffle(setup.raffleId, baseSlot, [{ login: "no_id" }], [1n])).rejects.toMatchObject({
      code: "22023",
    });
    await expect(
      pool.query("select * from make_raffle($1, $2, 'sometimes', '[]', '{1}')", [setup.raffleId, baseSlot]),
    ).rejects.toMatchObject({ code: "22023" });
  });
});

describe("make_raffle stock", () => {
  it("gives exactly `stock` wins and never goes below zero with 20 connections drawing at once", async () => {
    const setup = await createRaffle({ items: [{ weight: 1, stock: 7 }] });
    const calls = Array.from({ length: 20 }, (_unused, connection) => async () => {
      const results: DrawResult[] = [];
      for (let round = 0; round < 3; round += 1) {
        const slot = addMilliseconds(baseSlot, connection * 10 + round);
        results.push(await makeRaffle(setup.raffleId, slot, [createViewer(connection)], [createCryptoWord()]));
      }
      return results;
    });

    const results = (await runAllAtOnce(setup.raffleId, calls)).flat();

    expect(countOutcomes(results)).toEqual({ drawn: 7, no_items: 53 });
    expect(await readStock(setup.itemIds[0] ?? "")).toBe(0);
    expect(await countDraws(setup.raffleId)).toBe(7);
    expect((await readRaffle(setup.raffleId)).draw_count).toBe(7);
  });

  it("sees a loot edit that empties the stock mid-draw and returns no_items instead of failing", async () => {
    const setup = await createRaffle({ items: [{ weight: 1, stock: 1 }] });

    const [result] = await runWhileHolding(
      "update loot_items set stock = 0 where id = $1",
      [setup.itemIds[0]],
      [() => makeRaffle(setup.raffleId, baseSlot, [createViewer(1)], [1n])],
    );

    expect(result?.outcome).toBe("no_items");
    expect(await readStock(setup.itemIds[0] ?? "")).toBe(0);
    expect(await countDraws(setup.raffleId)).toBe(0);
  });

  it("takes stock only from the item drawn and leaves unlimited items unlimited", async () => {
    const setup = await createRaffle({ items: [{ weight: 1, stock: 2 }, { weight: 1 }] });

    // roll 0 picks the first item, roll 1 the second (total weight 2).
    await makeRaffle(setup.raffleId, baseSlot, [createViewer(1)], [0n]);
    await makeRaffle(setup.raffleId, addMinutes(baseSlot, 1), [createViewer(1)], [1n]);
    await makeRaffle(setup.raffleId, addMinutes(baseSlot, 2), [createViewer(1)], [0n]);
    const afterStockRunsOut = await makeRaffle(setup.raffleId, addMinutes(baseSlot, 3), [createViewer(1)], [0n]);

    expect(await readStock(setup.itemIds[0] ?? "")).toBe(0);
    expect(await readStock(setup.itemIds[1] ?? "")).toBeNull();
    // With the first item exhausted the pool is the second alone: roll 0 now lands on it.
    expect(afterStockRunsOut).toMatchObject({ outcome: "drawn", item_id: setup.itemIds[1] });
    await expect(
      pool.query("update loot_items set stock = -1 where id = $1", [setup.itemIds[0]]),
    ).rejects.toMatchObject({
      code: "23514",
    });
  });
});

describe("make_raffle slots", () => {
  it("draws a slot once when 20 connections race for it", async () => {
    const setup = await createRaffle();
    const calls = Array.from(
      { length: 20 },
      (_unused, connection) => () =>
        makeRaffle(setup.raffleId, baseSlot, [createViewer(connection)], [createCryptoWord()], "scheduled"),
    );

    const results = await runAllAtOnce(setup.raffleId, calls);

    expect(countOutcomes(results)).toEqual({ drawn: 1, slot_taken: 19 });
    expect(await countDraws(setup.raffleId)).toBe(1);
  });

  it("draws once per interval when overlapping ticks bring consecutive minutes at once", async () => {
    const setup = await createRaffle({ everyMinutes: 60 });
    const calls = Array.from(
      { length: 20 },
      (_unused, minute) => () =>
        makeRaffle(setup.raffleId, addMinutes(baseSlot, minute), [createViewer(minute)], [1n], "scheduled"),
    );

    const results = await runAllAtOnce(setup.raffleId, calls);

    expect(countOutcomes(results)).toEqual({ drawn: 1, slot_taken: 19 });
  });

  it("keeps the schedule: a replayed or early scheduled slot is taken, the next one is drawn", async () => {
    const setup = await createRaffle({ everyMinutes: 5 });

    const first = await makeRaffle(setup.raffleId, baseSlot, [createViewer(1)], [1n], "scheduled");
    const replay = await makeRaffle(setup.raffleId, baseSlot, [createViewer(2)], [1n], "scheduled");
    const tooEarly = await makeRaffle(setup.raffleId, addMinutes(baseSlot, 4), [createViewer(2)], [1n], "scheduled");
    const manualMeanwhile = await makeRaffle(
      setup.raffleId,
      addMinutes(baseSlot, 2),
      [createViewer(3)],
      [1n],
      "manual",
    );
    const due = await makeRaffle(setup.raffleId, addMinutes(baseSlot, 5), [createViewer(2)], [1n], "scheduled");

    expect([first, replay, tooEarly, manualMeanwhile, due].map((result) => result.outcome)).toEqual([
      "drawn",
      "slot_taken",
      "slot_taken",
      "drawn",
      "drawn",
    ]);
    expect(await readRaffle(setup.raffleId)).toEqual({
      draw_count: 3,
      last_slot_at: addMinutes(baseSlot, 5),
      next_slot_at: addMinutes(baseSlot, 10),
    });
  });

  it("records the draw with its evidence and a pending announcement", async () => {
    const setup = await createRaffle({ items: [{ name: "Golden Sword", weight: 3 }] });
    const candidates = [broadcaster, createViewer(1), createViewer(2)];

    const result = await makeRaffle(setup.raffleId, baseSlot, candidates, [wordRange - 1n, 7n], "scheduled");

    expect(result).toEqual({
      outcome: "drawn",
      draw_id: expect.any(String),
      item_id: setup.itemIds[0],
      item_name: "Golden Sword",
      winner_twitch_user_id: "5001",
      winner_twitch_login: "viewer_1",
      winner_twitch_display_name: "Viewer_1",
      chatters_seen: null,
      excluded_count: null,
      cooling_down_count: null,
      cooldown_minutes: null,
      nobody_eligible_minutes: null,
      nobody_eligible_notice: null,
    });
    const draw = await pool.query("select * from draws where id = $1", [result.draw_id]);
    expect(draw.rows[0]).toMatchObject({
      kind: "scheduled",
      slot_at: baseSlot,
      guild_id: setup.guildId,
      item_name: "Golden Sword",
      random_words: [String(wordRange - 1n), "7"],
      item_roll: "1",
      item_pool: [{ id: Number(setup.itemIds[0]), weight: 3 }],
      candidates: [broadcaster, createViewer(1)],
      candidate_count: 3,
      announcement_status: "pending",
      announcement_attempts: 0,
      announcement_message_id: null,
    });
  });
});

describe("make_raffle eligibility", () => {
  it("skips the broadcaster, default and guild bots and excluded viewers, case-insensitively", async () => {
    const setup = await createRaffle();
    await pool.query("insert into known_bots (guild_id, twitch_login) values ($1, 'our_guild_bot')", [setup.guildId]);
    await pool.query("insert into excluded_viewers (guild_id, twitch_login) values ($1, 'the_moderator')", [
      setup.guildId,
    ]);
    const skipped: Candidate[] = [
      broadcaster,
      { id: "77", login: "The_Streamer", name: "Same login, other id" },
      { id: "11", login: "Nightbot", name: "Nightbot" },
      { id: "12", login: "streamelements", name: "StreamElements" },
      { id: "13", login: "sery_bot", name: "Sery_Bot" },
      { id: "14", login: "our_guild_bot", name: "OurGuildBot" },
      { id: "15", login: "THE_MODERATOR", name: "The_Moderator" },
    ];

    const result = await makeRaffle(setup.raffleId, baseSlot, [...skipped, createViewer(1), createViewer(2)], [1n]);

    expect(result).toMatchObject({ outcome: "drawn", winner_twitch_login: "viewer_1" });
    const draw = await pool.query<{ candidates: Candidate[] }>("select candidates from draws where id = $1", [
      result.draw_id,
    ]);
    expect(draw.rows[0]?.candidates).toHaveLength(skipped.length + 1);
  });

  it("keeps another guild's bots and exclusions to that guild", async () => {
    const other = await createRaffle();
    await pool.query("insert into known_bots (guild_id, twitch_login) values ($1, 'viewer_1')", [other.guildId]);
    await pool.query("insert into excluded_viewers (guild_id, twitch_login) values ($1, 'viewer_1')", [other.guildId]);
    const setup = await createRaffle();

    const result = await makeRaffle(setup.raffleId, baseSlot, [createViewer(1)], [1n]);

    expect(result).toMatchObject({ outcome: "drawn", winner_twitch_login: "viewer_1" });
  });

  it("holds the cooldown until cooldown_minutes after the win", async () => {
    const setup = await createRaffle({ cooldownMinutes: 30 });
    const [alice, bob] = [createViewer(1), createViewer(2)];

    const first = await makeRaffle(setup.raffleId, baseSlot, [alice, bob], [1n], "scheduled");
    const second = await makeRaffle(setup.raffleId, addMinutes(baseSlot, 1), [alice, bob], [1n], "scheduled");
    const third = await makeRaffle(setup.raffleId, addMinutes(baseSlot, 29), [alice, bob], [1n], "scheduled");
    const fourth = await makeRaffle(setup.raffleId, addMinutes(baseSlot, 30), [alice, bob], [1n], "scheduled");

    expect([first, second, third, fourth].map((result) => result.winner_twitch_login)).toEqual([
      "viewer_1",
      "viewer_2",
      null,
      "viewer_1",
    ]);
    expect(third.outcome).toBe("no_eligible");
  });

  it("holds the cooldown when 20 draws race", async () => {
    const setup = await createRaffle({ cooldownMinutes: 30 });
    const calls = Array.from(
      { length: 20 },
      (_unused, connection) => () =>
        makeRaffle(
          setup.raffleId,
          addMilliseconds(baseSlot, connection),
          [createViewer(1), createViewer(2)],
          [createCryptoWord()],
        ),
    );

    const results = await runAllAtOnce(setup.raffleId, calls);

    expect(countOutcomes(results)).toEqual({ drawn: 2, no_eligible: 18 });
    const winners = results.flatMap((result) => (result.winner_twitch_login ? [result.winner_twitch_login] : []));
    expect(winners.sort()).toEqual(["viewer_1", "viewer_2"]);
  });

  it("lets the same viewer win every time when the cooldown is 0", async () => {
    const setup = await createRaffle({ cooldownMinutes: 0 });

    const results = [];
    for (let minute = 0; minute < 3; minute += 1) {
      results.push(
        await makeRaffle(setup.raffleId, addMinutes(baseSlot, minute), [createViewer(1)], [1n], "scheduled"),
      );
    }

    expect(results.map((result) => result.outcome)).toEqual(["drawn", "drawn", "drawn"]);
  });
});

describe("make_raffle outcomes", () => {
  it("returns no_items, changing nothing, when no enabled item has stock", async () => {
    const empty = await createRaffle({ items: [] });
    const exhausted = await createRaffle({
      items: [
        { weight: 5, stock: 0 },
        { weight: 5, enabled: false },
      ],
    });
    const before = await readRaffle(exhausted.raffleId);

    const results = [
      await makeRaffle(empty.raffleId, baseSlot, [createViewer(1)], [1n], "scheduled"),
      await makeRaffle(exhausted.raffleId, baseSlot, [createViewer(1)], [1n], "scheduled"),
      await makeRaffle(exhausted.raffleId, baseSlot, [], [1n], "manual"),
    ];

    expect(results.map((result) => result.outcome)).toEqual(["no_items", "no_items", "no_items"]);
    expect(await readRaffle(exhausted.raffleId)).toEqual(before);
  });

  it("returns no_eligible and skips the scheduled slot, but not for a manual draw", async () => {
    const setup = await createRaffle({ everyMinutes: 10 });

    const manual = await makeRaffle(setup.raffleId, baseSlot, [broadcaster], [1n], "manual");
    const afterManual = await readRaffle(setup.raffleId);
    const scheduled = await makeRaffle(setup.raffleId, baseSlot, [], [1n], "scheduled");
    const afterScheduled = await readRaffle(setup.raffleId);
    const sameSlotWithViewers = await makeRaffle(setup.raffleId, baseSlot, [createViewer(1)], [1n], "scheduled");

    expect([manual.outcome, scheduled.outcome, sameSlotWithViewers.outcome]).toEqual([
      "no_eligible",
      "no_eligible",
      "slot_taken",
    ]);
    expect(afterManual).toMatchObject({ draw_count: 0, last_slot_at: null, next_slot_at: baseSlot });
    expect(afterScheduled).toEqual({ draw_count: 0, last_slot_at: baseSlot, next_slot_at: addMinutes(baseSlot, 10) });
    expect(await countDraws(setup.raffleId)).toBe(0);
  });

  it("returns not_running for a stopped or unknown raffle, and for a paused one on schedule", async () => {
    const stopped = await createRaffle({ status: "stopped" });
    const paused = await createRaffle({ status: "paused" });

    const results = [
      await makeRaffle(stopped.raffleId, baseSlot, [createViewer(1)], [1n], "scheduled"),
      await makeRaffle(stopped.raffleId, baseSlot, [createViewer(1)], [1n], "manual"),
      await makeRaffle("999999999", baseSlot, [createViewer(1)], [1n], "manual"),
      await makeRaffle(paused.raffleId, baseSlot, [createViewer(1)], [1n], "scheduled"),
      // A pause stops the schedule, not the streamer: /raffle draw still works.
      await makeRaffle(paused.raffleId, baseSlot, [createViewer(1)], [1n], "manual"),
    ];

    expect(results.map((result) => result.outcome)).toEqual([
      "not_running",
      "not_running",
      "not_running",
      "not_running",
      "drawn",
    ]);
    expect(await countDraws(stopped.raffleId)).toBe(0);
  });
});

describe("make_raffle in a server with several raffles (0008)", () => {
  /** `/raffle stop`, then `/raffle start` in the same server: a new raffle row, the old one stopped. */
  async function stopAndStartAgain(setup: RaffleSetup, options: { cooldownMinutes: number; luck?: boolean }) {
    await pool.query(
      "update raffles set status = 'stopped', status_reason = 'stopped_by_user', stopped_at = now() where id = $1",
      [setup.raffleId],
    );
    const raffle = await pool.query<{ id: string }>(
      `insert into raffles (guild_id, discord_channel_id, twitch_broadcaster_id, twitch_broadcaster_login,
         cooldown_minutes, next_slot_at, luck)
       values ($1, '42', $2, $3, $4, $5, $6) returning id`,
      [setup.guildId, setup.broadcasterId, broadcaster.login, options.cooldownMinutes, baseSlot, options.luck ?? false],
    );
    return { ...setup, raffleId: raffle.rows[0]?.id ?? "" };
  }

  async function readDrawNumbers(guildId: string): Promise<number[]> {
    const result = await pool.query<{ draw_number: number }>(
      "select draw_number from draws where guild_id = $1 order by id",
      [guildId],
    );
    return result.rows.map((row) => row.draw_number);
  }

  for (const luck of [false, true]) {
    it(`holds a winner's cooldown across a stop and a start in the same server${luck ? " (luck)" : ""}`, async () => {
      const first = await createRaffle({ cooldownMinutes: 30, luck, broadcasterId: createBroadcasterId() });
      const [alice, bob] = [createViewer(1), createViewer(2)];
      const won = await makeRaffle(first.raffleId, baseSlot, [alice], [1n, 1n], "scheduled");
      expect(won.winner_twitch_login).toBe("viewer_1");

      const second = await stopAndStartAgain(first, { cooldownMinutes: 30, luck });
      const results = [
        await makeRaffle(second.raffleId, addMinutes(baseSlot, 1), [alice], [1n, 1n], "scheduled"),
        await makeRaffle(second.raffleId, addMinutes(baseSlot, 2), [alice, bob], [1n, 1n], "scheduled"),
        await makeRaffle(second.raffleId, addMinutes(baseSlot, 30), [alice], [1n, 1n], "scheduled"),
      ];

      expect(results.map((result) => result.winner_twitch_login ?? result.outcome)).toEqual([
        "no_eligible",
        "viewer_2",
        "viewer_1",
      ]);
      expect(results[0]).toMatchObject({ chatters_seen: 1, excluded_count: 0, cooling_down_count: 1 });
    });
  }

  it("holds the new raffle's cooldown, not the old one's, over the server's earlier wins", async () => {
    const first = await createRaffle({ cooldownMinutes: 0 });
    await makeRaffle(first.raffleId, baseSlot, [createViewer(1)], [1n], "scheduled");
    const second = await stopAndStartAgain(first, { cooldownMinutes: 10 });

    const during = await makeRaffle(second.raffleId, addMinutes(baseSlot, 9), [createViewer(1)], [1n], "scheduled");
    const after = await makeRaffle(second.raffleId, addMinutes(baseSlot, 10), [createViewer(1)], [1n], "scheduled");

    expect([during.outcome, after.outcome]).toEqual(["no_eligible", "drawn"]);
  });

  it("leaves another server's winners free to win here", async () => {
    const elsewhere = await createRaffle({ cooldownMinutes: 30 });
    const here = await createRaffle({ cooldownMinutes: 30 });
    await makeRaffle(elsewhere.raffleId, baseSlot, [createViewer(1)], [1n], "scheduled");

    const result = await makeRaffle(here.raffleId, addMinutes(baseSlot, 1), [createViewer(1)], [1n], "scheduled");

    expect(result).toMatchObject({ outcome: "drawn", winner_twitch_login: "viewer_1" });
  });

  it("numbers draws per server, continuing across raffles, while each raffle counts its own", async () => {
    const first = await createRaffle();
    await makeRaffle(first.raffleId, baseSlot, [createViewer(1)], [1n], "scheduled");
    await makeRaffle(first.raffleId, addMinutes(baseSlot, 1), [createViewer(1)], [1n], "manual");
    const second = await stopAndStartAgain(first, { cooldownMinutes: 0 });
    await makeRaffle(second.raffleId, addMinutes(baseSlot, 2), [createViewer(1)], [1n], "scheduled");
    const other = await createRaffle();
    await makeRaffle(other.raffleId, baseSlot, [createViewer(1)], [1n], "scheduled");

    expect(await readDrawNumbers(first.guildId)).toEqual([1, 2, 3]);
    expect(await readDrawNumbers(other.guildId)).toEqual([1]);
    expect((await readRaffle(first.raffleId)).draw_count).toBe(2);
    expect((await readRaffle(second.raffleId)).draw_count).toBe(1);
    const guild = await pool.query("select draw_count from guilds where id = $1", [first.guildId]);
    expect(guild.rows).toEqual([{ draw_count: 3 }]);
  });

  it("numbers draws racing on 20 connections one after another, and refuses a repeated number", async () => {
    const setup = await createRaffle();
    const calls = Array.from(
      { length: 20 },
      (_unused, connection) => () =>
        makeRaffle(setup.raffleId, addMilliseconds(baseSlot, connection), [createViewer(1)], [createCryptoWord()]),
    );

    // The guild row, not the raffle's, is held: each call locks its raffle, then queues on the guild.
    await runWhileHolding("select 1 from guilds where id = $1 for update", [setup.guildId], calls);

    expect((await readDrawNumbers(setup.guildId)).sort((left, right) => left - right)).toEqual(
      Array.from({ length: 20 }, (_unused, index) => index + 1),
    );
    await expect(
      pool.query(
        `insert into draws (raffle_id, guild_id, kind, slot_at, item_name, winner_twitch_user_id, winner_twitch_login,
           winner_twitch_display_name, random_words, item_roll, item_pool, candidates, candidate_count, draw_number)
         values ($1, $2, 'manual', now(), 'Copy', '1', 'someone', 'Someone', '{1}', 0, '[]', '[]', 1, 7)`,
        [setup.raffleId, setup.guildId],
      ),
    ).rejects.toMatchObject({ code: "23505", constraint: "draws_guild_draw_number" });
  });

  it("reads the server's recent wins through an index (draws_guild_history)", async () => {
    const client = await pool.connect();
    let plan: string;
    try {
      await client.query("begin");
      // Tables this small are always scanned; forbid that to see whether the index fits the query.
      await client.query("set local enable_seqscan = off");
      const explained = await client.query<{ "QUERY PLAN": string }>(
        "explain select winner_twitch_user_id from draws where guild_id = $1 and slot_at > $2",
        ["123", baseSlot],
      );
      plan = explained.rows.map((row) => row["QUERY PLAN"]).join("\n");
    } finally {
      await client.query("rollback");
      client.release();
    }

    // Both conditions bound the index range: only the window's draws are read.
    expect(plan).toContain("draws_guild_history");
    expect(plan).toMatch(/Index Cond: \(\(\(?guild_id\)?(::text)? = '123'::text\) AND \(slot_at > /);
  });
});

describe("make_raffle when nobody is eligible (0008)", () => {
  async function readEmptySlot(raffleId: string) {
    const result = await pool.query(
      `select last_empty_slot_at, last_empty_candidates, last_empty_excluded, last_empty_cooling_down, empty_minutes,
         nobody_eligible_notified_at
       from raffles where id = $1`,
      [raffleId],
    );
    return result.rows[0];
  }

  for (const luck of [false, true]) {
    it(`says how many were in chat, excluded and on cooldown${luck ? " (luck)" : ""}`, async () => {
      const setup = await createRaffle({ cooldownMinutes: 30, luck, broadcasterId: createBroadcasterId() });
      await pool.query("insert into excluded_viewers (guild_id, twitch_login) values ($1, 'the_moderator')", [
        setup.guildId,
      ]);
      const [alice, bob] = [createViewer(1), createViewer(2)];
      await makeRaffle(setup.raffleId, baseSlot, [alice], [1n, 1n], "scheduled");
      await makeRaffle(setup.raffleId, addMinutes(baseSlot, 1), [bob], [1n, 1n], "scheduled");
      const chat = [
        { ...broadcaster, id: setup.broadcasterId },
        { id: "11", login: "Nightbot", name: "Nightbot" },
        { id: "15", login: "the_moderator", name: "The_Moderator" },
        alice,
        bob,
      ];

      const manual = await makeRaffle(setup.raffleId, addMinutes(baseSlot, 2), chat, [1n, 1n], "manual");
      const afterManual = await readEmptySlot(setup.raffleId);
      const scheduled = await makeRaffle(setup.raffleId, addMinutes(baseSlot, 2), chat, [1n, 1n], "scheduled");
      const emptyChat = await makeRaffle(setup.raffleId, addMinutes(baseSlot, 3), [], [1n, 1n], "scheduled");

      const why = {
        outcome: "no_eligible",
        chatters_seen: 5,
        excluded_count: 3,
        cooling_down_count: 2,
        cooldown_minutes: 30,
      };
      expect(manual).toMatchObject({ ...why, nobody_eligible_minutes: null, nobody_eligible_notice: null });
      expect(afterManual).toMatchObject({ last_empty_slot_at: null, empty_minutes: 0 });
      expect(scheduled).toMatchObject({ ...why, nobody_eligible_minutes: 1, nobody_eligible_notice: false });
      expect(emptyChat).toMatchObject({ chatters_seen: 0, excluded_count: 0, cooling_down_count: 0 });
      expect(await readEmptySlot(setup.raffleId)).toEqual({
        last_empty_slot_at: addMinutes(baseSlot, 3),
        last_empty_candidates: 0,
        last_empty_excluded: 0,
        last_empty_cooling_down: 0,
        empty_minutes: 2,
        nobody_eligible_notified_at: null,
      });
    });
  }

  it("asks for one notice after 5 live minutes of empty slots, and again only after a draw", async () => {
    const setup = await createRaffle({ cooldownMinutes: 30 });
    const alice = createViewer(1);
    await makeRaffle(setup.raffleId, baseSlot, [alice], [1n], "scheduled");

    const run = async (fromMinute: number, toMinute: number) => {
      const results = [];
      for (let minute = fromMinute; minute <= toMinute; minute += 1) {
        results.push(await makeRaffle(setup.raffleId, addMinutes(baseSlot, minute), [alice], [1n], "scheduled"));
      }
      return results.map((result) => [result.nobody_eligible_minutes, result.nobody_eligible_notice]);
    };

    expect(await run(1, 7)).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [4, false],
      [5, true],
      [6, false],
      [7, false],
    ]);
    expect(await readEmptySlot(setup.raffleId)).toMatchObject({
      empty_minutes: 7,
      nobody_eligible_notified_at: addMinutes(baseSlot, 5),
    });

    // A manual draw ends the run: the next run is counted from 1 and told about again.
    const drawn = await makeRaffle(setup.raffleId, addMinutes(baseSlot, 7.5), [createViewer(2)], [1n], "manual");
    expect(drawn.outcome).toBe("drawn");
    expect(await readEmptySlot(setup.raffleId)).toMatchObject({ empty_minutes: 0, nobody_eligible_notified_at: null });
    expect((await run(8, 12)).map(([, notice]) => notice)).toEqual([false, false, false, false, true]);
  });

  it("counts a slot of every N minutes as N live minutes after the first", async () => {
    const setup = await createRaffle({ everyMinutes: 5 });

    const first = await makeRaffle(setup.raffleId, baseSlot, [], [1n], "scheduled");
    const second = await makeRaffle(setup.raffleId, addMinutes(baseSlot, 5), [], [1n], "scheduled");
    // Offline for an hour: the next live slot adds one interval, not the hour.
    const third = await makeRaffle(setup.raffleId, addMinutes(baseSlot, 70), [], [1n], "scheduled");

    expect(
      [first, second, third].map((result) => [result.nobody_eligible_minutes, result.nobody_eligible_notice]),
    ).toEqual([
      [1, false],
      [6, true],
      [11, false],
    ]);
  });
});

describe("make_raffle luck", () => {
  // Points 0, 100, 300 and 1000 weigh 1, 2, 4 and 5 (the last one capped at 5x).
  const luckyViewers = [createViewer(1), createViewer(2), createViewer(3), createViewer(4)];
  const luckyPoints = [0n, 100n, 300n, 1000n];
  const expectedWeights = [1, 2, 4, 5];
  const itemWeights = [1, 2, 3];

  async function createLuckyRaffle(options: RaffleOptions = {}): Promise<RaffleSetup> {
    const setup = await createRaffle({
      items: itemWeights.map((weight) => ({ weight })),
      luck: true,
      broadcasterId: createBroadcasterId(),
      ...options,
    });
    for (const [index, viewer] of luckyViewers.entries()) {
      await givePoints(viewer, luckyPoints[index] ?? 0n, setup);
    }
    return setup;
  }

  function countWinners(results: DrawResult[]): number[] {
    return luckyViewers.map((viewer) => results.filter((result) => result.winner_twitch_user_id === viewer.id).length);
  }

  it("follows 1 + points/100 capped at 5x over 4000 seeded draws, exactly as the reference algorithm picks", async () => {
    const setup = await createLuckyRaffle();
    const nextWord = createSeededWordSource(20260307n);

    const results = await drawMany(
      setup,
      4000,
      () => [nextWord(), nextWord(), nextWord(), nextWord()],
      () => [...luckyViewers],
    );

    expect(countOutcomes(results)).toEqual({ drawn: 4000 });
    const rows = await pool.query<{ winner_twitch_user_id: string; random_words: string[] }>(
      "select winner_twitch_user_id, random_words from draws where raffle_id = $1",
      [setup.raffleId],
    );
    const hundredths = luckyPoints.map(computeLuckWeight);
    expect(hundredths).toEqual(expectedWeights.map((weight) => weight * 100));
    for (const row of rows.rows) {
      const expectedIndex = chooseLuckyWinnerIndex(itemWeights, hundredths, row.random_words.map(BigInt));
      expect(row.winner_twitch_user_id).toBe(luckyViewers[expectedIndex ?? -1]?.id);
    }
    const observed = countWinners(results);
    const chiSquare = computeChiSquare(observed, expectedWeights);
    console.info(
      `luck on, seeded: winners ${observed.join("/")} for weights 1/2/4/5, chi-square ${chiSquare.toFixed(3)}`,
    );
    // Fixed seed, so the statistic is fixed too: held to the 95% critical value for 3 degrees of freedom.
    expect(chiSquare).toBeLessThan(7.815);
  });

  it("follows the weights with fresh crypto randomness and shuffled candidates (loose threshold: p < 1e-6 to fail)", async () => {
    const setup = await createLuckyRaffle();

    const results = await drawMany(
      setup,
      2000,
      () => Array.from({ length: 4 }, createCryptoWord),
      () => shuffleSeeded(luckyViewers, createCryptoWord),
    );

    expect(countOutcomes(results)).toEqual({ drawn: 2000 });
    const observed = countWinners(results);
    const chiSquare = computeChiSquare(observed, expectedWeights);
    console.info(
      `luck on, fresh: winners ${observed.join("/")} for weights 1/2/4/5, chi-square ${chiSquare.toFixed(3)}`,
    );
    expect(chiSquare).toBeLessThan(30.66);
  });

  it("leaves the chance uniform when luck is off, whatever the points", async () => {
    const setup = await createLuckyRaffle({ luck: false });
    const nextWord = createSeededWordSource(20260308n);
    const orders = Array.from({ length: 3000 }, () => shuffleSeeded(luckyViewers, nextWord));
    let drawIndex = 0;

    const results = await drawMany(
      setup,
      3000,
      () => [nextWord(), nextWord(), nextWord(), nextWord()],
      () => orders[drawIndex++] ?? [],
    );

    expect(countOutcomes(results)).toEqual({ drawn: 3000 });
    // Without luck the winner is the first eligible candidate in the order given, as before.
    for (const [index, result] of results.entries()) {
      expect(result.winner_twitch_user_id).toBe(orders[index]?.[0]?.id);
    }
    const observed = countWinners(results);
    const chiSquare = computeChiSquare(observed, [1, 1, 1, 1]);
    const againstLuck = computeChiSquare(observed, expectedWeights);
    console.info(
      `luck off, seeded: winners ${observed.join("/")}, chi-square ${chiSquare.toFixed(3)} against uniform, ${againstLuck.toFixed(1)} against 1/2/4/5`,
    );
    expect(chiSquare).toBeLessThan(7.815);
    expect(againstLuck).toBeGreaterThan(100);
    const recorded = await pool.query<{ luck: boolean; winner_roll: string | null }>(
      "select distinct luck, winner_roll from draws where raffle_id = $1",
      [setup.raffleId],
    );
    expect(recorded.rows).toEqual([{ luck: false, winner_roll: null }]);
  });

  it("weighs 100 + points in hundredths, capped at 500, counting only points in the raffle's channel", async () => {
    const setup = await createRaffle({ luck: true, broadcasterId: createBroadcasterId() });
    const viewers = Array.from({ length: 8 }, (_unused, index) => createViewer(index + 1));
    const points = [0n, 50n, 399n, 400n, 401n, 1_000_000_000_000n, 9_223_372_036_854_775_807n];
    for (const [index, value] of points.entries()) {
      await givePoints(viewers[index] as Candidate, value, setup);
    }
    // Viewer 8 is a star in another channel, but has no points in this one.
    await givePoints(viewers[7] as Candidate, 1_000_000n, {
      guildId: setup.guildId,
      broadcasterId: createBroadcasterId(),
    });

    const result = await makeRaffle(setup.raffleId, baseSlot, viewers, [createCryptoWord(), createCryptoWord()]);

    expect(result.outcome).toBe("drawn");
    const draw = await pool.query<{ candidates: Array<{ id: string; weight: number }> }>(
      "select candidates from draws where id = $1",
      [result.draw_id],
    );
    expect(draw.rows[0]?.candidates).toEqual([
      { id: "5001", weight: 100 },
      { id: "5002", weight: 150 },
      { id: "5003", weight: 499 },
      { id: "5004", weight: 500 },
      { id: "5005", weight: 500 },
      { id: "5006", weight: 500 },
      { id: "5007", weight: 500 },
      { id: "5008", weight: 100 },
    ]);
  });

  it("rolls the winner with the word after the item's, rejecting as for items, or asks for more words", async () => {
    // Items weigh 1 + 2 = 3, so only the top word is rejected for the item. Viewers weigh 100 + 200.
    const setup = await createRaffle({
      items: [{ weight: 1 }, { weight: 2 }],
      luck: true,
      broadcasterId: createBroadcasterId(),
    });
    const [alice, bob] = [createViewer(1), createViewer(2)];
    await givePoints(bob, 100n, setup);
    const topWord = wordRange - 1n;
    const winnerLimit = wordRange - (wordRange % 300n);
    let slot = 0;
    const draw = (words: bigint[]) => makeRaffle(setup.raffleId, addMinutes(baseSlot, slot++), [alice, bob], words);

    const skippingBoth = await draw([topWord, 1n, winnerLimit, 150n]);
    const roll99 = await draw([1n, 99n]);
    const roll100 = await draw([1n, 100n]);
    const itemWordOnly = await draw([1n]);
    const itemTakesTheLast = await draw([topWord, topWord, 1n]);
    const winnerWordsRejected = await draw([1n, winnerLimit, wordRange - 1n]);

    expect(skippingBoth).toMatchObject({
      outcome: "drawn",
      item_id: setup.itemIds[1],
      winner_twitch_login: "viewer_2",
    });
    expect(roll99).toMatchObject({ outcome: "drawn", winner_twitch_login: "viewer_1" });
    expect(roll100).toMatchObject({ outcome: "drawn", winner_twitch_login: "viewer_2" });
    expect([itemWordOnly, itemTakesTheLast, winnerWordsRejected].map((result) => result.outcome)).toEqual([
      "need_randomness",
      "need_randomness",
      "need_randomness",
    ]);
    expect(await countDraws(setup.raffleId)).toBe(3);
    const recorded = await pool.query("select item_roll, winner_roll, luck from draws where id = $1", [
      skippingBoth.draw_id,
    ]);
    expect(recorded.rows[0]).toEqual({ item_roll: "1", winner_roll: "150", luck: true });

    // The same single word is enough without luck.
    const withoutLuck = await createRaffle({ items: [{ weight: 1 }, { weight: 2 }] });
    expect((await makeRaffle(withoutLuck.raffleId, baseSlot, [alice, bob], [1n])).outcome).toBe("drawn");
  });

  it("never lets the broadcaster, bots or excluded viewers win, however many points they have", async () => {
    const setup = await createRaffle({ luck: true, broadcasterId: createBroadcasterId() });
    await pool.query("insert into known_bots (guild_id, twitch_login) values ($1, 'our_guild_bot')", [setup.guildId]);
    await pool.query("insert into excluded_viewers (guild_id, twitch_login) values ($1, 'the_moderator')", [
      setup.guildId,
    ]);
    const ineligible: Candidate[] = [
      { id: setup.broadcasterId, login: "renamed_streamer", name: "Same id, other login" },
      { id: "77", login: "The_Streamer", name: "Same login, other id" },
      { id: "11", login: "Nightbot", name: "Nightbot" },
      { id: "14", login: "our_guild_bot", name: "OurGuildBot" },
      { id: "15", login: "THE_MODERATOR", name: "The_Moderator" },
    ];
    for (const candidate of ineligible) {
      await givePoints({ ...candidate, login: candidate.login.toLowerCase() }, 1_000_000n, setup);
    }
    const viewer = createViewer(1);

    const results = await drawMany(
      setup,
      200,
      () => [createCryptoWord(), createCryptoWord()],
      () => [...ineligible, viewer],
    );

    expect(countOutcomes(results)).toEqual({ drawn: 200 });
    expect(new Set(results.map((result) => result.winner_twitch_login))).toEqual(new Set(["viewer_1"]));
    const recorded = await pool.query<{ candidates: unknown }>(
      "select distinct candidates from draws where raffle_id = $1",
      [setup.raffleId],
    );
    expect(recorded.rows).toEqual([{ candidates: [{ id: viewer.id, weight: 100 }] }]);
    expect(
      (await makeRaffle(setup.raffleId, addMinutes(baseSlot, 1), ineligible, [createCryptoWord()], "scheduled"))
        .outcome,
    ).toBe("no_eligible");
  });

  it("holds the cooldown for lucky viewers, also when 20 draws race", async () => {
    const setup = await createRaffle({ luck: true, cooldownMinutes: 30, broadcasterId: createBroadcasterId() });
    const [alice, bob] = [createViewer(1), createViewer(2)];
    await givePoints(alice, 1_000_000n, setup);

    const first = await makeRaffle(setup.raffleId, baseSlot, [alice], [1n, 1n], "scheduled");
    const second = await makeRaffle(setup.raffleId, addMinutes(baseSlot, 1), [alice, bob], [1n, 1n], "scheduled");
    expect([first.winner_twitch_login, second.winner_twitch_login]).toEqual(["viewer_1", "viewer_2"]);

    const racing = await createRaffle({ luck: true, cooldownMinutes: 30, broadcasterId: setup.broadcasterId });
    const calls = Array.from(
      { length: 20 },
      (_unused, connection) => () =>
        makeRaffle(
          racing.raffleId,
          addMilliseconds(baseSlot, connection),
          [alice, bob],
          [createCryptoWord(), createCryptoWord()],
        ),
    );
    const results = await runAllAtOnce(racing.raffleId, calls);

    expect(countOutcomes(results)).toEqual({ drawn: 2, no_eligible: 18 });
    const winners = results.flatMap((result) => (result.winner_twitch_login ? [result.winner_twitch_login] : []));
    expect(winners.sort()).toEqual(["viewer_1", "viewer_2"]);
  });

  it("validates every candidate, since all of them take part", async () => {
    const setup = await createRaffle({ luck: true });

    await expect(
      makeRaffle(setup.raffleId, baseSlot, [createViewer(1), { login: "no_id" }], [1n, 1n]),
    ).rejects.toMatchObject({ code: "22023", message: expect.stringContaining("candidate 1") });
    await expect(makeRaffle(setup.raffleId, baseSlot, [createViewer(1), "someone"], [1n, 1n])).rejects.toMatchObject({
      code: "22023",
    });
  });

  it("records the mode, the weights and a pending Twitch announcement when the raffle asks for one", async () => {
    const broadcasterId = createBroadcasterId();
    const lucky = await createRaffle({
      items: [{ name: "Golden Sword", weight: 3 }],
      luck: true,
      announceInTwitch: true,
      broadcasterId,
    });
    const plain = await createRaffle({ items: [{ name: "Golden Sword", weight: 3 }], broadcasterId });
    await givePoints(createViewer(2), 250n, lucky);
    const candidates = [{ ...broadcaster, id: broadcasterId }, createViewer(1), createViewer(2)];

    const luckyResult = await makeRaffle(lucky.raffleId, baseSlot, candidates, [7n, 120n], "scheduled");
    const plainResult = await makeRaffle(plain.raffleId, baseSlot, candidates, [7n, 120n], "scheduled");

    const luckyDraw = await pool.query("select * from draws where id = $1", [luckyResult.draw_id]);
    expect(luckyDraw.rows[0]).toMatchObject({
      luck: true,
      item_roll: "1",
      winner_roll: "120", // 120 mod 450: past viewer 1's 100, into viewer 2's 350
      winner_twitch_login: "viewer_2",
      candidates: [
        { id: "5001", weight: 100 },
        { id: "5002", weight: 350 },
      ],
      candidate_count: 3,
      announcement_status: "pending",
      twitch_announcement_status: "pending",
      twitch_message_id: null,
    });
    const plainDraw = await pool.query("select * from draws where id = $1", [plainResult.draw_id]);
    expect(plainDraw.rows[0]).toMatchObject({
      luck: false,
      winner_roll: null,
      winner_twitch_login: "viewer_1",
      candidates: [{ ...broadcaster, id: broadcasterId }, createViewer(1)],
      twitch_announcement_status: "none",
    });
  });
});
