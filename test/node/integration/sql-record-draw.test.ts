import { createHash, randomBytes, randomInt } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DrandControl } from "../../../devkit/fakes/drandControl";
import {
  decideDraw,
  firstRoundAfter,
  formatManualSlotLabel,
  formatSlotLabel,
  randomnessFromSignature,
} from "../../../worker/fairness/livelootV1";
import type { DrawRecordJson, WeightedRecordLine } from "../../../worker/fairness/raffleRecord";
import { verifyDrawRecord } from "../../../worker/fairness/verifyDrawRecord";
import { createMigratedTestDatabase, type MigratedTestDatabase } from "../../support/testDatabase";

/**
 * read_draw_entrants and record_draw against real Postgres. The Worker reads a slot's entrants
 * and items (read_draw_entrants), decides with liveloot/v1 (worker/fairness/livelootV1.ts) and
 * has record_draw record that decision; these tests build every decision the same way.
 */

type DrawKind = "scheduled" | "manual";

interface Candidate {
  id: string;
  login: string;
  name: string;
}

/** One row of read_draw_entrants. */
interface EntrantsRow {
  raffle_id: string;
  outcome: string;
  public_id: string | null;
  entrants: Array<{ id: string; login: string; name: string; weight: number }> | null;
  items: Array<{ id: string; name: string; weight: number }> | null;
  chatters_seen: number;
  excluded_count: number | null;
  cooling_down_count: number | null;
  cooldown_minutes: number | null;
}

/** record_draw's `decision` argument, as the Worker builds it. */
interface Decision {
  slot: string;
  entrants_read_at: string;
  round: number | null;
  signature: string | null;
  randomness: string;
  entrants: WeightedRecordLine[];
  entrants_sha256: string;
  items: WeightedRecordLine[];
  items_sha256: string;
  item_id: string | null;
  winner: Candidate | null;
  chatters_seen: number;
  excluded_count: number;
  cooling_down_count: number;
}

interface DecisionOptions {
  /** A signed drand round; without one the randomness is fresh bytes and round/signature are null. */
  beacon?: { round: number; signature: string };
  entrantsReadAt?: Date;
}

interface DrawResult {
  outcome: string;
  chatters_seen?: number | null;
  excluded_count?: number | null;
  cooling_down_count?: number | null;
  cooldown_minutes?: number | null;
  nobody_eligible_minutes?: number | null;
  nobody_eligible_notice?: boolean | null;
  draw_id: string | null;
  item_id: string | null;
  item_name: string | null;
  winner_twitch_user_id: string | null;
  winner_twitch_login: string | null;
  winner_twitch_display_name: string | null;
}

/** A whole draw as the Worker runs it: read, decide (when ready), record. */
interface SlotDraw {
  /** record_draw's outcome, or read_draw_entrants' when the slot was not ready. */
  outcome: string;
  read: EntrantsRow;
  decision: Decision | null;
  made: DrawResult | null;
}

interface RaffleSetup {
  guildId: string;
  raffleId: string;
  publicId: string;
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
  // A throwaway database need not wait for each of this file's commits to reach disk.
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

/** A random id of `digits` digits (no leading zero): Twitch ids run to about 10 today, snowflakes 19. */
function createLongId(digits: number): string {
  let id = String(randomInt(1, 10));
  while (id.length < digits) id += String(randomInt(0, 10));
  return id;
}

/** The same streamer under an id of its own, so its viewers' points are not shared with other tests. */
function createBroadcasterId(): string {
  return createLongId(10);
}

function computeSha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** A fresh guild (a 19-digit snowflake) with a raffle and its items, so tests never share state. */
async function createRaffle(options: RaffleOptions = {}): Promise<RaffleSetup> {
  const guildId = createLongId(19);
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
  const raffle = await pool.query<{ id: string; public_id: string }>(
    `insert into raffles (guild_id, discord_channel_id, twitch_broadcaster_id, twitch_broadcaster_login,
       every_minutes, cooldown_minutes, status, status_reason, stopped_at, next_slot_at, luck, announce_in_twitch)
     values ($1, '42', $2, $3, $4, $5, $6,
       case when $6 = 'running' then null when $6 = 'paused' then 'twitch_needs_reauth' else 'stopped_by_user' end,
       case when $6 = 'stopped' then now() end, $7, $8, $9)
     returning id, public_id`,
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
    publicId: raffle.rows[0]?.public_id ?? "",
    itemIds,
    broadcasterId: options.broadcasterId ?? broadcaster.id,
  };
}

/** `/raffle stop`, then `/raffle start` in the same server: a new raffle row, the old one stopped. */
async function stopAndStartAgain(
  setup: RaffleSetup,
  options: { cooldownMinutes: number; luck?: boolean },
): Promise<RaffleSetup> {
  await pool.query(
    "update raffles set status = 'stopped', status_reason = 'stopped_by_user', stopped_at = now() where id = $1",
    [setup.raffleId],
  );
  const raffle = await pool.query<{ id: string; public_id: string }>(
    `insert into raffles (guild_id, discord_channel_id, twitch_broadcaster_id, twitch_broadcaster_login,
       cooldown_minutes, next_slot_at, luck)
     values ($1, '42', $2, $3, $4, $5, $6) returning id, public_id`,
    [setup.guildId, setup.broadcasterId, broadcaster.login, options.cooldownMinutes, baseSlot, options.luck ?? false],
  );
  return { ...setup, raffleId: raffle.rows[0]?.id ?? "", publicId: raffle.rows[0]?.public_id ?? "" };
}

interface DrawRequest {
  raffleId: string;
  slotAt: Date;
  kind: DrawKind;
  candidates: unknown;
}

async function readDrawEntrants(requests: DrawRequest[]): Promise<EntrantsRow[]> {
  const result = await pool.query<EntrantsRow>("select * from read_draw_entrants($1::jsonb)", [
    JSON.stringify(
      requests.map((request) => ({
        raffle_id: request.raffleId,
        slot_at: request.slotAt.toISOString(),
        kind: request.kind,
        candidates: request.candidates,
      })),
    ),
  ]);
  return result.rows;
}

async function readSlot(
  raffleId: string,
  slotAt: Date,
  candidates: unknown,
  kind: DrawKind = "manual",
): Promise<EntrantsRow> {
  const [row] = await readDrawEntrants([{ raffleId, slotAt, kind, candidates }]);
  if (!row) throw new Error("read_draw_entrants returned no row");
  return row;
}

/**
 * The decision the Worker makes from a ready row: both lists sorted and hashed by liveloot/v1,
 * item and winner picked with the round's randomness (or fresh bytes without a beacon).
 */
async function buildDecision(
  read: EntrantsRow,
  slotAt: Date,
  kind: DrawKind,
  options: DecisionOptions = {},
): Promise<Decision> {
  if (read.outcome !== "ready" || !read.entrants || !read.items || !read.public_id) {
    throw new Error(`cannot decide a slot that is ${read.outcome}`);
  }
  const entrantsById = new Map(read.entrants.map((entrant) => [entrant.id, entrant]));
  const itemsById = new Map(read.items.map((item) => [item.id, item]));
  const randomness = options.beacon
    ? Buffer.from(await randomnessFromSignature(options.beacon.signature), "hex")
    : randomBytes(32);
  const slot =
    kind === "scheduled"
      ? formatSlotLabel(slotAt.getTime())
      : formatManualSlotLabel(randomBytes(9).toString("base64url"));
  const decided = await decideDraw({
    randomness,
    raffle: read.public_id,
    slot,
    entrants: read.entrants.map(({ id, weight }) => ({ id, weight })),
    items: read.items.map(({ id, weight }) => ({ id, weight })),
  });
  const winner = decided.winnerUserId === null ? undefined : entrantsById.get(decided.winnerUserId);
  return {
    slot,
    entrants_read_at: (options.entrantsReadAt ?? new Date()).toISOString(),
    round: options.beacon?.round ?? null,
    signature: options.beacon?.signature ?? null,
    randomness: randomness.toString("hex"),
    entrants: decided.entrants.entries.map(
      ({ id, weight }): WeightedRecordLine => [id, entrantsById.get(id)?.login ?? "", weight],
    ),
    entrants_sha256: decided.entrants.sha256,
    items: decided.items.entries.map(
      ({ id, weight }): WeightedRecordLine => [id, itemsById.get(id)?.name ?? "", weight],
    ),
    items_sha256: decided.items.sha256,
    item_id: decided.itemId,
    winner: winner ? { id: winner.id, login: winner.login, name: winner.name } : null,
    chatters_seen: read.chatters_seen,
    excluded_count: read.excluded_count ?? 0,
    cooling_down_count: read.cooling_down_count ?? 0,
  };
}

async function makeRaffle(
  raffleId: string,
  slotAt: Date,
  kind: DrawKind,
  decision: unknown,
  client: pg.Pool | pg.PoolClient = pool,
): Promise<DrawResult> {
  const result = await client.query<DrawResult>("select * from record_draw($1, $2, $3, $4::jsonb)", [
    raffleId,
    slotAt,
    kind,
    JSON.stringify(decision),
  ]);
  const row = result.rows[0];
  if (!row) throw new Error("record_draw returned no row");
  return row;
}

/** Reads, decides and records one slot, as the Worker does. */
async function drawSlot(
  raffleId: string,
  slotAt: Date,
  candidates: unknown,
  kind: DrawKind = "manual",
  options: DecisionOptions = {},
): Promise<SlotDraw> {
  const read = await readSlot(raffleId, slotAt, candidates, kind);
  if (read.outcome !== "ready") return { outcome: read.outcome, read, decision: null, made: null };
  const decision = await buildDecision(read, slotAt, kind, options);
  const made = await makeRaffle(raffleId, slotAt, kind, decision);
  return { outcome: made.outcome, read, decision, made };
}

/** A ready read and its decision, to record later (after something changed, or all at once). */
async function prepareDraw(raffleId: string, slotAt: Date, candidates: Candidate[], kind: DrawKind = "manual") {
  const read = await readSlot(raffleId, slotAt, candidates, kind);
  const decision = await buildDecision(read, slotAt, kind);
  return { read, decision, make: (client?: pg.PoolClient) => makeRaffle(raffleId, slotAt, kind, decision, client) };
}

function winnerOf(draw: SlotDraw): string | null {
  return draw.made?.winner_twitch_login ?? null;
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

async function readGuildDrawCount(guildId: string): Promise<number | undefined> {
  const result = await pool.query<{ draw_count: number }>("select draw_count from guilds where id = $1", [guildId]);
  return result.rows[0]?.draw_count;
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
        "select count(*)::integer as count from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query like '%record_draw%'",
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

function countOutcomes(results: Array<{ outcome: string }>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const result of results) counts[result.outcome] = (counts[result.outcome] ?? 0) + 1;
  return counts;
}

describe("read_draw_entrants eligibility", () => {
  it("leaves out the broadcaster, default and guild bots and excluded viewers, case-insensitively", async () => {
    const setup = await createRaffle();
    await pool.query("insert into known_bots (guild_id, twitch_login) values ($1, 'our_guild_bot')", [setup.guildId]);
    await pool.query("insert into excluded_viewers (guild_id, twitch_login) values ($1, 'the_moderator')", [
      setup.guildId,
    ]);
    const skipped: Candidate[] = [
      { id: broadcaster.id, login: "renamed_streamer", name: "Same id, other login" },
      { id: "77", login: "The_Streamer", name: "Same login, other id" },
      { id: "11", login: "Nightbot", name: "Nightbot" },
      { id: "12", login: "streamelements", name: "StreamElements" },
      { id: "13", login: "sery_bot", name: "Sery_Bot" },
      { id: "14", login: "our_guild_bot", name: "OurGuildBot" },
      { id: "15", login: "THE_MODERATOR", name: "The_Moderator" },
    ];

    const read = await readSlot(setup.raffleId, baseSlot, [createViewer(2), ...skipped, createViewer(1)]);

    expect(read).toMatchObject({ outcome: "ready", chatters_seen: 9, excluded_count: 7, cooling_down_count: 0 });
    // In the order given, logins lower-cased, weight 1 without luck.
    expect(read.entrants).toEqual([
      { id: "5002", login: "viewer_2", name: "Viewer_2", weight: 1 },
      { id: "5001", login: "viewer_1", name: "Viewer_1", weight: 1 },
    ]);
  });

  it("keeps another guild's bots and exclusions to that guild", async () => {
    const other = await createRaffle();
    await pool.query("insert into known_bots (guild_id, twitch_login) values ($1, 'viewer_1')", [other.guildId]);
    await pool.query("insert into excluded_viewers (guild_id, twitch_login) values ($1, 'viewer_2')", [other.guildId]);
    const setup = await createRaffle();

    const read = await readSlot(setup.raffleId, baseSlot, [createViewer(1), createViewer(2)]);

    expect(read.entrants?.map((entrant) => entrant.login)).toEqual(["viewer_1", "viewer_2"]);
    expect(read.excluded_count).toBe(0);
  });

  it("counts a viewer listed twice once, keeps the first listing, and takes the login as a blank name", async () => {
    const setup = await createRaffle();
    const longId = createLongId(19);
    const candidates = [
      { id: longId, login: "Long_Id", name: "" },
      createViewer(1),
      { id: longId, login: "long_id_renamed", name: "Renamed" },
      createViewer(1),
    ];

    const read = await readSlot(setup.raffleId, baseSlot, candidates);

    expect(read).toMatchObject({ chatters_seen: 2, excluded_count: 0, cooling_down_count: 0 });
    expect(read.entrants).toEqual([
      { id: longId, login: "long_id", name: "Long_Id", weight: 1 },
      { id: "5001", login: "viewer_1", name: "Viewer_1", weight: 1 },
    ]);
  });

  it("holds the cooldown until cooldown_minutes after the win, over the guild's wins in any raffle", async () => {
    const first = await createRaffle({ cooldownMinutes: 30 });
    const [alice, bob] = [createViewer(1), createViewer(2)];
    expect(winnerOf(await drawSlot(first.raffleId, baseSlot, [alice], "scheduled"))).toBe("viewer_1");
    // A stop and a start reset nothing: the new raffle's cooldown runs over the old raffle's wins.
    const second = await stopAndStartAgain(first, { cooldownMinutes: 30 });

    const reads = await readDrawEntrants(
      [1, 29, 30].map((minute) => ({
        raffleId: second.raffleId,
        slotAt: addMinutes(baseSlot, minute),
        kind: "scheduled" as const,
        candidates: [alice, bob],
      })),
    );

    expect(reads.map((read) => read.entrants?.map((entrant) => entrant.login))).toEqual([
      ["viewer_2"],
      ["viewer_2"],
      ["viewer_1", "viewer_2"],
    ]);
    expect(reads.map((read) => [read.cooling_down_count, read.cooldown_minutes])).toEqual([
      [1, 30],
      [1, 30],
      [0, 30],
    ]);
  });

  it("counts a win after the slot's own minute (a manual draw seconds later) as within the cooldown", async () => {
    const setup = await createRaffle({ cooldownMinutes: 5 });
    expect(
      (await drawSlot(setup.raffleId, addMilliseconds(baseSlot, 40_000), [createViewer(1)], "manual")).outcome,
    ).toBe("drawn");

    const lateTick = await readSlot(setup.raffleId, baseSlot, [createViewer(1)], "scheduled");

    expect(lateTick).toMatchObject({ outcome: "ready", entrants: [], cooling_down_count: 1 });
  });

  it("applies the new raffle's cooldown, not the old one's, and 0 lets a winner win again at once", async () => {
    const first = await createRaffle({ cooldownMinutes: 0 });
    expect((await drawSlot(first.raffleId, baseSlot, [createViewer(1)], "scheduled")).outcome).toBe("drawn");
    const right = await readSlot(first.raffleId, addMinutes(baseSlot, 1), [createViewer(1)], "scheduled");
    const second = await stopAndStartAgain(first, { cooldownMinutes: 10 });

    const during = await readSlot(second.raffleId, addMinutes(baseSlot, 9), [createViewer(1)], "scheduled");
    const after = await readSlot(second.raffleId, addMinutes(baseSlot, 10), [createViewer(1)], "scheduled");

    expect(right.entrants).toHaveLength(1);
    expect(during.entrants).toEqual([]);
    expect(after.entrants).toHaveLength(1);
  });

  it("leaves another server's winners free to win here", async () => {
    const elsewhere = await createRaffle({ cooldownMinutes: 30 });
    const here = await createRaffle({ cooldownMinutes: 30 });
    expect((await drawSlot(elsewhere.raffleId, baseSlot, [createViewer(1)], "scheduled")).outcome).toBe("drawn");

    const read = await readSlot(here.raffleId, addMinutes(baseSlot, 1), [createViewer(1)], "scheduled");

    expect(read).toMatchObject({ cooling_down_count: 0, entrants: [expect.objectContaining({ id: "5001" })] });
  });

  it("counts a chatter both blocked and cooling down as blocked", async () => {
    const setup = await createRaffle({ cooldownMinutes: 30 });
    expect((await drawSlot(setup.raffleId, baseSlot, [createViewer(1)], "scheduled")).outcome).toBe("drawn");
    await pool.query("insert into excluded_viewers (guild_id, twitch_login) values ($1, 'viewer_1')", [setup.guildId]);

    const read = await readSlot(setup.raffleId, addMinutes(baseSlot, 1), [createViewer(1)], "scheduled");

    expect(read).toMatchObject({ entrants: [], chatters_seen: 1, excluded_count: 1, cooling_down_count: 0 });
  });
});

describe("read_draw_entrants luck", () => {
  it("weighs 100 + min(points, 400), counting only points of the raffle's guild and channel", async () => {
    const setup = await createRaffle({ luck: true, broadcasterId: createBroadcasterId() });
    const viewers = Array.from({ length: 9 }, (_unused, index) => createViewer(index + 1));
    const points = [0n, 50n, 399n, 400n, 401n, 1_000_000_000_000n, 9_223_372_036_854_775_807n];
    for (const [index, value] of points.entries()) {
      await givePoints(viewers[index] as Candidate, value, setup);
    }
    // Viewer 8 is a star in another channel of this guild, viewer 9 in this channel for another guild.
    await givePoints(viewers[7] as Candidate, 1_000_000n, {
      guildId: setup.guildId,
      broadcasterId: createBroadcasterId(),
    });
    const otherGuild = await createRaffle({ broadcasterId: setup.broadcasterId });
    await givePoints(viewers[8] as Candidate, 1_000_000n, otherGuild);

    const read = await readSlot(setup.raffleId, baseSlot, viewers);

    expect(read.entrants?.map((entrant) => entrant.weight)).toEqual([100, 150, 499, 500, 500, 500, 500, 100, 100]);
  });

  it("weighs everyone 1 without luck, whatever their points", async () => {
    const setup = await createRaffle({ luck: false, broadcasterId: createBroadcasterId() });
    await givePoints(createViewer(1), 300n, setup);

    const read = await readSlot(setup.raffleId, baseSlot, [createViewer(1), createViewer(2)]);

    expect(read.entrants?.map((entrant) => entrant.weight)).toEqual([1, 1]);
  });

  it("never lets the broadcaster, bots or excluded viewers in, however many points they have", async () => {
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

    const read = await readSlot(setup.raffleId, baseSlot, [...ineligible, createViewer(1)]);

    expect(read).toMatchObject({ excluded_count: 5, entrants: [{ id: "5001", weight: 100 }] });
  });
});

describe("read_draw_entrants outcomes", () => {
  it("answers not_running for a stopped or unknown raffle and a paused one on schedule; a pause keeps /raffle draw", async () => {
    const stopped = await createRaffle({ status: "stopped" });
    const paused = await createRaffle({ status: "paused" });
    const candidates = [createViewer(1)];

    const reads = await readDrawEntrants([
      { raffleId: stopped.raffleId, slotAt: baseSlot, kind: "scheduled", candidates },
      { raffleId: stopped.raffleId, slotAt: baseSlot, kind: "manual", candidates },
      { raffleId: "999999999999", slotAt: baseSlot, kind: "manual", candidates },
      { raffleId: paused.raffleId, slotAt: baseSlot, kind: "scheduled", candidates },
      { raffleId: paused.raffleId, slotAt: baseSlot, kind: "manual", candidates },
    ]);

    expect(reads.map((read) => read.outcome)).toEqual([
      "not_running",
      "not_running",
      "not_running",
      "not_running",
      "ready",
    ]);
    expect(reads[0]).toMatchObject({ public_id: null, entrants: null, items: null, chatters_seen: 1 });
    expect(reads[4]).toMatchObject({ raffle_id: paused.raffleId, public_id: paused.publicId });
  });

  it("answers slot_taken for a drawn slot and for a scheduled slot before next_slot_at, not for a manual one", async () => {
    const setup = await createRaffle({ everyMinutes: 5 });
    expect((await drawSlot(setup.raffleId, baseSlot, [createViewer(1)], "scheduled")).outcome).toBe("drawn");
    const manualSlot = addMilliseconds(baseSlot, 90_500);
    expect((await drawSlot(setup.raffleId, manualSlot, [createViewer(1)], "manual")).outcome).toBe("drawn");
    const candidates = [createViewer(2)];

    const reads = await readDrawEntrants([
      { raffleId: setup.raffleId, slotAt: baseSlot, kind: "scheduled", candidates },
      { raffleId: setup.raffleId, slotAt: baseSlot, kind: "manual", candidates },
      { raffleId: setup.raffleId, slotAt: manualSlot, kind: "manual", candidates },
      { raffleId: setup.raffleId, slotAt: addMinutes(baseSlot, 4), kind: "scheduled", candidates },
      { raffleId: setup.raffleId, slotAt: addMinutes(baseSlot, 4), kind: "manual", candidates },
      { raffleId: setup.raffleId, slotAt: addMinutes(baseSlot, 5), kind: "scheduled", candidates },
    ]);

    expect(reads.map((read) => read.outcome)).toEqual([
      "slot_taken",
      "slot_taken",
      "slot_taken",
      "slot_taken",
      "ready",
      "ready",
    ]);
  });

  it("lists the enabled items with stock left, or unlimited, by id, and answers no_items when there are none", async () => {
    const setup = await createRaffle({
      items: [
        { name: "Sword", weight: 3, stock: 2 },
        { name: "Empty", weight: 5, stock: 0 },
        { name: "Hidden", weight: 5, enabled: false },
        { name: "Shield", weight: 1_000_000 },
      ],
    });
    const empty = await createRaffle({ items: [] });
    const exhausted = await createRaffle({
      items: [
        { weight: 5, stock: 0 },
        { weight: 5, enabled: false },
      ],
    });

    const reads = await readDrawEntrants(
      [setup, empty, exhausted].map((raffle) => ({
        raffleId: raffle.raffleId,
        slotAt: baseSlot,
        kind: "scheduled" as const,
        candidates: [createViewer(1)],
      })),
    );

    expect(reads[0]?.items).toEqual([
      { id: setup.itemIds[0], name: "Sword", weight: 3 },
      { id: setup.itemIds[3], name: "Shield", weight: 1_000_000 },
    ]);
    expect(reads.map((read) => read.outcome)).toEqual(["ready", "no_items", "no_items"]);
    expect(reads[1]).toMatchObject({ items: null, entrants: null });
  });

  it("reads an empty chat as ready with no entrants", async () => {
    const setup = await createRaffle();

    const read = await readSlot(setup.raffleId, baseSlot, [], "scheduled");

    expect(read).toMatchObject({
      outcome: "ready",
      entrants: [],
      chatters_seen: 0,
      excluded_count: 0,
      cooling_down_count: 0,
    });
  });

  it("answers many requests in one call, in the order given, the same raffle more than once", async () => {
    const first = await createRaffle({ cooldownMinutes: 7 });
    const second = await createRaffle({ status: "stopped" });
    const third = await createRaffle();
    const requests: DrawRequest[] = [
      { raffleId: third.raffleId, slotAt: baseSlot, kind: "scheduled", candidates: [createViewer(3)] },
      { raffleId: second.raffleId, slotAt: baseSlot, kind: "scheduled", candidates: [] },
      { raffleId: first.raffleId, slotAt: baseSlot, kind: "scheduled", candidates: [createViewer(1)] },
      { raffleId: first.raffleId, slotAt: addMinutes(baseSlot, 1), kind: "manual", candidates: [createViewer(2)] },
    ];

    const reads = await readDrawEntrants(requests);

    expect(reads.map((read) => [read.raffle_id, read.outcome, read.entrants?.map((entrant) => entrant.id)])).toEqual([
      [third.raffleId, "ready", ["5003"]],
      [second.raffleId, "not_running", undefined],
      [first.raffleId, "ready", ["5001"]],
      [first.raffleId, "ready", ["5002"]],
    ]);
    expect(reads[2]).toMatchObject({ public_id: first.publicId, cooldown_minutes: 7 });
  });

  it("reads without waiting for a draw that holds the raffle's lock", async () => {
    const setup = await createRaffle();
    const blocker = await pool.connect();
    try {
      await blocker.query("begin");
      await blocker.query("select 1 from raffles where id = $1 for update", [setup.raffleId]);
      await blocker.query("select 1 from loot_items where guild_id = $1 for update", [setup.guildId]);
      const client = await pool.connect();
      try {
        await client.query("set statement_timeout = 2000");
        const result = await client.query<EntrantsRow>("select * from read_draw_entrants($1::jsonb)", [
          JSON.stringify([
            {
              raffle_id: setup.raffleId,
              slot_at: baseSlot.toISOString(),
              kind: "manual",
              candidates: [createViewer(1)],
            },
          ]),
        ]);
        expect(result.rows[0]?.outcome).toBe("ready");
      } finally {
        await client.query("reset statement_timeout");
        client.release();
      }
    } finally {
      await blocker.query("rollback");
      blocker.release();
    }
  });

  it("refuses malformed requests with invalid_parameter_value", async () => {
    const setup = await createRaffle();
    const request = (overrides: Record<string, unknown>) => ({
      raffle_id: setup.raffleId,
      slot_at: baseSlot.toISOString(),
      kind: "manual",
      candidates: [createViewer(1)],
      ...overrides,
    });
    const malformed: unknown[] = [
      { requests: "not an array" },
      [request({ kind: "sometimes" })],
      [request({ kind: undefined })],
      [request({ slot_at: undefined })],
      [request({ candidates: { id: "1", login: "one" } })],
      [request({ candidates: ["someone"] })],
      [request({ candidates: [createViewer(1), { login: "no_id" }] })],
      [request({ candidates: [{ id: "12a", login: "letters" }] })],
      [request({ candidates: [{ id: "-5", login: "negative" }] })],
      [request({ candidates: [{ id: "1.5", login: "fraction" }] })],
      [request({ candidates: [{ id: "", login: "empty" }] })],
      [request({ candidates: [{ id: "5" }] })],
      // One bad request refuses the whole call.
      [request({}), request({ candidates: [{ id: "x", login: "bad" }] })],
    ];

    for (const requests of malformed) {
      await expect(
        pool.query("select * from read_draw_entrants($1::jsonb)", [JSON.stringify(requests)]),
        JSON.stringify(requests),
      ).rejects.toMatchObject({ code: "22023" });
    }
    // The same request, well formed, is read.
    expect(
      (await pool.query("select * from read_draw_entrants($1::jsonb)", [JSON.stringify([request({})])])).rows,
    ).toHaveLength(1);
  });
});

describe("record_draw records the decision", () => {
  it("stores every proof column exactly as decided, with a signed round of the beacon, and the draw verifies", async () => {
    const drand = new DrandControl(inject("drandFake").url);
    const chainInfo = await drand.readChainInfo();
    const chain = { genesisSeconds: chainInfo.genesis_time, periodSeconds: chainInfo.period };
    const setup = await createRaffle({
      items: [
        { name: "Golden Sword", weight: 3, stock: 4 },
        { name: "Shield", weight: 2 },
      ],
      luck: true,
      broadcasterId: createBroadcasterId(),
    });
    // Ids of every length, so a text sort ("10" < "9") and an integer sort differ.
    const longViewer = { id: createLongId(19), login: "Long_Viewer", name: "Long Viewer" };
    const candidates = [
      longViewer,
      { id: "10", login: "ten", name: "Ten" },
      { id: setup.broadcasterId, login: broadcaster.login, name: broadcaster.name },
      { id: "9", login: "nine", name: "" },
    ];
    await givePoints({ ...longViewer, login: "long_viewer" }, 250n, setup);
    const read = await readSlot(setup.raffleId, baseSlot, candidates, "scheduled");
    const entrantsReadAt = new Date();
    const round = firstRoundAfter(entrantsReadAt.getTime(), chain);
    const beacon = await drand.readRound(round);
    const decision = await buildDecision(read, baseSlot, "scheduled", {
      beacon: { round, signature: beacon.signature },
      entrantsReadAt,
    });

    const result = await makeRaffle(setup.raffleId, baseSlot, "scheduled", decision);

    expect(decision.randomness).toBe(beacon.randomness);
    expect(decision.entrants).toEqual([
      ["9", "nine", 100],
      ["10", "ten", 100],
      [longViewer.id, "long_viewer", 350],
    ]);
    expect(decision.entrants_sha256).toBe(computeSha256Hex(`9:100\n10:100\n${longViewer.id}:350\n`));
    expect(decision.items_sha256).toBe(computeSha256Hex(`${setup.itemIds[0]}:3\n${setup.itemIds[1]}:2\n`));
    const winner = decision.winner as Candidate;
    const chosenItemIndex = setup.itemIds.indexOf(decision.item_id ?? "");
    expect(result).toEqual({
      outcome: "drawn",
      draw_id: expect.any(String),
      item_id: decision.item_id,
      item_name: ["Golden Sword", "Shield"][chosenItemIndex],
      winner_twitch_user_id: winner.id,
      winner_twitch_login: winner.login,
      winner_twitch_display_name: winner.name,
      chatters_seen: null,
      excluded_count: null,
      cooling_down_count: null,
      cooldown_minutes: null,
      nobody_eligible_minutes: null,
      nobody_eligible_notice: null,
    });
    const draw = await pool.query("select * from draws where id = $1", [result.draw_id]);
    expect(draw.rows[0]).toMatchObject({
      raffle_id: setup.raffleId,
      guild_id: setup.guildId,
      kind: "scheduled",
      slot_at: baseSlot,
      item_id: decision.item_id,
      winner_twitch_user_id: winner.id,
      candidate_count: 4,
      luck: true,
      winner_roll: null,
      draw_number: 1,
      algorithm: "liveloot/v1",
      slot_label: "2026-03-01T20:00Z",
      beacon_round: String(round),
      beacon_signature: beacon.signature,
      randomness: beacon.randomness,
      entrants_read_at: entrantsReadAt,
      entrants: decision.entrants,
      entrants_sha256: decision.entrants_sha256,
      // The items list is stored once per server and hash (0025), the draw names it.
      items: null,
      item_list_id: expect.any(String),
      items_sha256: decision.items_sha256,
      random_words: null,
      item_roll: null,
      item_pool: null,
      candidates: null,
      announcement_status: "pending",
      announcement_attempts: 0,
      announcement_message_id: null,
      twitch_announcement_status: "none",
    });

    // What is stored is a record anyone can recompute: nothing differs from liveloot/v1.
    const row = draw.rows[0];
    const list = await pool.query("select items, items_sha256 from draw_item_lists where id = $1", [row.item_list_id]);
    expect(list.rows[0]).toEqual({ items: decision.items, items_sha256: decision.items_sha256 });
    const record: DrawRecordJson = {
      slot: row.slot_label,
      draw_number: row.draw_number,
      round: Number(row.beacon_round),
      signature: row.beacon_signature,
      randomness: row.randomness,
      entrants_read_at: (row.entrants_read_at as Date).toISOString(),
      entrants: row.entrants,
      entrants_sha256: row.entrants_sha256,
      items: list.rows[0].items,
      items_sha256: row.items_sha256,
      item_id: row.item_id,
      winner_user_id: row.winner_twitch_user_id,
      redraws: [],
    };
    expect(await verifyDrawRecord(record, setup.publicId, chain)).toEqual([]);
    expect(await verifyDrawRecord({ ...record, winner_user_id: "1" }, setup.publicId, chain)).not.toEqual([]);
  });

  it("stores a draw without a beacon as round and signature null, with its own randomness", async () => {
    const setup = await createRaffle({ items: [{ name: "Sword", weight: 1 }] });
    const longViewer = { id: createLongId(10), login: "someone", name: "Someone" };

    const draw = await drawSlot(setup.raffleId, baseSlot, [longViewer], "manual");

    expect(draw.outcome).toBe("drawn");
    const stored = await pool.query(
      "select slot_label, beacon_round, beacon_signature, randomness, entrants, entrants_sha256 from draws where id = $1",
      [draw.made?.draw_id],
    );
    expect(stored.rows[0]).toEqual({
      slot_label: draw.decision?.slot,
      beacon_round: null,
      beacon_signature: null,
      randomness: draw.decision?.randomness,
      entrants: [[longViewer.id, "someone", 1]],
      entrants_sha256: computeSha256Hex(`${longViewer.id}:1\n`),
    });
    expect(draw.decision?.slot).toMatch(/^manual-[A-Za-z0-9_-]{12}$/);
    expect(draw.decision?.randomness).toMatch(/^[0-9a-f]{64}$/);
  });

  it("records a pending Twitch announcement only when the raffle announces there", async () => {
    const announcing = await createRaffle({ announceInTwitch: true });
    const quiet = await createRaffle();

    const results = [
      await drawSlot(announcing.raffleId, baseSlot, [createViewer(1)], "scheduled"),
      await drawSlot(quiet.raffleId, baseSlot, [createViewer(1)], "scheduled"),
    ];

    const statuses = await pool.query<{ twitch_announcement_status: string; twitch_message_id: string | null }>(
      "select twitch_announcement_status, twitch_message_id from draws where id = any($1::bigint[]) order by id",
      [results.map((result) => result.made?.draw_id)],
    );
    expect(statuses.rows).toEqual([
      { twitch_announcement_status: "pending", twitch_message_id: null },
      { twitch_announcement_status: "none", twitch_message_id: null },
    ]);
  });
});

describe("record_draw stock", () => {
  it("takes stock only from the item drawn and leaves unlimited items unlimited", async () => {
    const setup = await createRaffle({
      items: [{ weight: 1, stock: 2 }, { weight: 1 }],
    });
    const [limited = "", unlimited = ""] = setup.itemIds;
    let limitedWins = 0;
    let minute = 0;

    // Each draw picks either item with chance 1/2: 60 draws without two of the limited one has chance ~2^-54.
    while (limitedWins < 2 && minute < 60) {
      const draw = await drawSlot(setup.raffleId, addMinutes(baseSlot, minute), [createViewer(1)], "manual");
      minute += 1;
      expect(draw.outcome).toBe("drawn");
      if (draw.made?.item_id === limited) limitedWins += 1;
      expect(await readStock(limited)).toBe(2 - limitedWins);
      expect(await readStock(unlimited)).toBeNull();
    }

    expect(limitedWins).toBe(2);
    // Gone from the drawable items: only the unlimited one is read, and drawn, from now on.
    const after = await drawSlot(setup.raffleId, addMinutes(baseSlot, minute), [createViewer(1)], "manual");
    expect(after.read.items?.map((item) => item.id)).toEqual([unlimited]);
    expect(after.made).toMatchObject({ outcome: "drawn", item_id: unlimited });
    expect(await readStock(limited)).toBe(0);
    await expect(pool.query("update loot_items set stock = -1 where id = $1", [limited])).rejects.toMatchObject({
      code: "23514",
    });
  });

  it("draws the last unit once, then reads no_items", async () => {
    const setup = await createRaffle({ items: [{ weight: 1, stock: 1 }] });

    const first = await drawSlot(setup.raffleId, baseSlot, [createViewer(1)]);
    const second = await drawSlot(setup.raffleId, addMinutes(baseSlot, 1), [createViewer(1)]);

    expect([first.outcome, second.outcome]).toEqual(["drawn", "no_items"]);
    expect(await readStock(setup.itemIds[0] ?? "")).toBe(0);
  });

  it("gives exactly `stock` wins and never goes below zero with 20 connections recording at once", async () => {
    const setup = await createRaffle({ items: [{ weight: 1, stock: 7 }] });
    const prepared = [];
    for (let connection = 0; connection < 20; connection += 1) {
      const rounds = [];
      for (let round = 0; round < 3; round += 1) {
        const slot = addMilliseconds(baseSlot, connection * 10 + round);
        rounds.push(await prepareDraw(setup.raffleId, slot, [createViewer(connection)]));
      }
      prepared.push(rounds);
    }
    const calls = prepared.map((rounds) => async () => {
      const results: DrawResult[] = [];
      for (const draw of rounds) results.push(await draw.make());
      return results;
    });

    const results = (await runAllAtOnce(setup.raffleId, calls)).flat();

    // Every decision was made while 7 were left; the 8th record finds the item gone.
    expect(countOutcomes(results)).toEqual({ drawn: 7, no_items: 53 });
    expect(await readStock(setup.itemIds[0] ?? "")).toBe(0);
    expect(await countDraws(setup.raffleId)).toBe(7);
    expect((await readRaffle(setup.raffleId)).draw_count).toBe(7);
  });

  it("sees a loot edit that empties the stock mid-draw and returns no_items instead of failing", async () => {
    const setup = await createRaffle({ items: [{ weight: 1, stock: 1 }] });
    const draw = await prepareDraw(setup.raffleId, baseSlot, [createViewer(1)]);

    const [result] = await runWhileHolding(
      "update loot_items set stock = 0 where id = $1",
      [setup.itemIds[0]],
      [() => draw.make()],
    );

    expect(result?.outcome).toBe("no_items");
    expect(await readStock(setup.itemIds[0] ?? "")).toBe(0);
    expect(await countDraws(setup.raffleId)).toBe(0);
  });
});

describe("record_draw slots", () => {
  it("draws a slot once: the same slot recorded twice is taken", async () => {
    const setup = await createRaffle();
    const first = await prepareDraw(setup.raffleId, baseSlot, [createViewer(1)], "scheduled");
    const second = await prepareDraw(setup.raffleId, baseSlot, [createViewer(2)], "scheduled");

    const results = [await first.make(), await second.make(), await first.make()];

    expect(results.map((result) => result.outcome)).toEqual(["drawn", "slot_taken", "slot_taken"]);
    expect(await countDraws(setup.raffleId)).toBe(1);
  });

  it("draws a slot once when two calls record it at the same moment, and once when 20 do", async () => {
    const pair = await createRaffle();
    const pairDraws = [
      await prepareDraw(pair.raffleId, baseSlot, [createViewer(1)], "scheduled"),
      await prepareDraw(pair.raffleId, baseSlot, [createViewer(2)], "scheduled"),
    ];
    const crowd = await createRaffle();
    const crowdDraws = [];
    for (let connection = 0; connection < 20; connection += 1) {
      crowdDraws.push(await prepareDraw(crowd.raffleId, baseSlot, [createViewer(connection)], "scheduled"));
    }

    const pairResults = await runAllAtOnce(
      pair.raffleId,
      pairDraws.map((draw) => () => draw.make()),
    );
    const crowdResults = await runAllAtOnce(
      crowd.raffleId,
      crowdDraws.map((draw) => () => draw.make()),
    );

    expect(countOutcomes(pairResults)).toEqual({ drawn: 1, slot_taken: 1 });
    expect(countOutcomes(crowdResults)).toEqual({ drawn: 1, slot_taken: 19 });
    expect(await countDraws(pair.raffleId)).toBe(1);
    expect(await countDraws(crowd.raffleId)).toBe(1);
  });

  it("draws once per interval when overlapping ticks bring consecutive minutes at once", async () => {
    const setup = await createRaffle({ everyMinutes: 60 });
    const draws = [];
    for (let minute = 0; minute < 20; minute += 1) {
      draws.push(await prepareDraw(setup.raffleId, addMinutes(baseSlot, minute), [createViewer(minute)], "scheduled"));
    }

    const results = await runAllAtOnce(
      setup.raffleId,
      draws.map((draw) => () => draw.make()),
    );

    expect(countOutcomes(results)).toEqual({ drawn: 1, slot_taken: 19 });
  });

  it("keeps the schedule: a replayed or early scheduled slot is taken, a manual one between is drawn", async () => {
    const setup = await createRaffle({ everyMinutes: 5 });
    // Each decision is made before the draw that takes its slot, as a late tick would.
    const replay = await prepareDraw(setup.raffleId, baseSlot, [createViewer(2)], "scheduled");
    const tooEarly = await prepareDraw(setup.raffleId, addMinutes(baseSlot, 4), [createViewer(2)], "scheduled");

    const first = await drawSlot(setup.raffleId, baseSlot, [createViewer(1)], "scheduled");
    const afterFirst = await readRaffle(setup.raffleId);
    const results = [await replay.make(), await tooEarly.make()];
    const manual = await drawSlot(setup.raffleId, addMinutes(baseSlot, 2), [createViewer(3)], "manual");
    const afterManual = await readRaffle(setup.raffleId);
    const due = await drawSlot(setup.raffleId, addMinutes(baseSlot, 5), [createViewer(2)], "scheduled");

    expect([first.outcome, ...results.map((result) => result.outcome), manual.outcome, due.outcome]).toEqual([
      "drawn",
      "slot_taken",
      "slot_taken",
      "drawn",
      "drawn",
    ]);
    expect(afterFirst).toEqual({ draw_count: 1, last_slot_at: baseSlot, next_slot_at: addMinutes(baseSlot, 5) });
    // A manual draw moves no schedule.
    expect(afterManual).toEqual({ draw_count: 2, last_slot_at: baseSlot, next_slot_at: addMinutes(baseSlot, 5) });
    expect(await readRaffle(setup.raffleId)).toEqual({
      draw_count: 3,
      last_slot_at: addMinutes(baseSlot, 5),
      next_slot_at: addMinutes(baseSlot, 10),
    });
  });
});

describe("record_draw when things changed since the read", () => {
  it("answers not_running once the raffle is stopped or paused (on schedule), and draws manually while paused", async () => {
    const stopped = await createRaffle();
    const paused = await createRaffle();
    const stoppedDraw = await prepareDraw(stopped.raffleId, baseSlot, [createViewer(1)], "scheduled");
    const pausedScheduled = await prepareDraw(paused.raffleId, baseSlot, [createViewer(1)], "scheduled");
    const pausedManual = await prepareDraw(paused.raffleId, addMinutes(baseSlot, 1), [createViewer(1)], "manual");
    await pool.query(
      "update raffles set status = 'stopped', status_reason = 'stopped_by_user', stopped_at = now() where id = $1",
      [stopped.raffleId],
    );
    await pool.query("update raffles set status = 'paused', status_reason = 'twitch_needs_reauth' where id = $1", [
      paused.raffleId,
    ]);

    const results = [
      await stoppedDraw.make(),
      await pausedScheduled.make(),
      await pausedManual.make(),
      await makeRaffle("999999999999", baseSlot, "manual", stoppedDraw.decision),
    ];

    expect(results.map((result) => result.outcome)).toEqual(["not_running", "not_running", "drawn", "not_running"]);
    expect(await countDraws(stopped.raffleId)).toBe(0);
  });

  it("answers no_items, changing nothing, when every item ran out since the read", async () => {
    const setup = await createRaffle({
      items: [
        { weight: 1, stock: 3 },
        { weight: 2, stock: 3 },
      ],
    });
    const draw = await prepareDraw(setup.raffleId, baseSlot, [createViewer(1)], "scheduled");
    await pool.query("update loot_items set stock = 0 where guild_id = $1", [setup.guildId]);
    const before = await readRaffle(setup.raffleId);

    const result = await draw.make();

    expect(result.outcome).toBe("no_items");
    expect(await readRaffle(setup.raffleId)).toEqual(before);
    expect(await readGuildDrawCount(setup.guildId)).toBe(0);
  });

  it("answers stale, changing nothing, when the winner won elsewhere in the guild since the read", async () => {
    const setup = await createRaffle({ cooldownMinutes: 30, items: [{ weight: 1, stock: 5 }] });
    const scheduled = await prepareDraw(setup.raffleId, baseSlot, [createViewer(1)], "scheduled");
    const manual = await prepareDraw(setup.raffleId, addMilliseconds(baseSlot, 20_000), [createViewer(1)], "manual");

    const won = await manual.make();
    const before = await readRaffle(setup.raffleId);
    const result = await scheduled.make();

    expect([won.outcome, result.outcome]).toEqual(["drawn", "stale"]);
    expect(result).toMatchObject({ draw_id: null, winner_twitch_user_id: null, item_id: null });
    expect(await readRaffle(setup.raffleId)).toEqual(before);
    expect(await readStock(setup.itemIds[0] ?? "")).toBe(4);
    expect(await readGuildDrawCount(setup.guildId)).toBe(1);
    // Read again, the slot has nobody left to win.
    expect((await readSlot(setup.raffleId, baseSlot, [createViewer(1)], "scheduled")).entrants).toEqual([]);
  });

  it("answers stale when the winner was excluded or listed as a bot since the read", async () => {
    const setup = await createRaffle();
    const excluded = await prepareDraw(setup.raffleId, baseSlot, [createViewer(1)], "manual");
    const botted = await prepareDraw(setup.raffleId, addMinutes(baseSlot, 1), [createViewer(2)], "manual");
    // Excluded in the guild with another case: logins compare case-insensitively.
    await pool.query("insert into excluded_viewers (guild_id, twitch_login) values ($1, 'viewer_1')", [setup.guildId]);
    await pool.query("insert into known_bots (guild_id, twitch_login) values ($1, 'viewer_2')", [setup.guildId]);

    const results = [await excluded.make(), await botted.make()];

    expect(results.map((result) => result.outcome)).toEqual(["stale", "stale"]);
    expect(await countDraws(setup.raffleId)).toBe(0);
  });

  it("answers stale when the chosen item ran out or was disabled since the read, while others are left", async () => {
    const setup = await createRaffle({
      items: [
        { name: "A", weight: 1, stock: 1 },
        { name: "B", weight: 1, stock: 1 },
        { name: "C", weight: 1 },
      ],
    });
    const draw = await prepareDraw(setup.raffleId, baseSlot, [createViewer(1)], "manual");
    const chosen = draw.decision.item_id;
    const otherItems = setup.itemIds.filter((itemId) => itemId !== chosen);
    await pool.query("update loot_items set stock = 0 where id = $1", [chosen]);

    const outOfStock = await draw.make();
    await pool.query("update loot_items set stock = 1, enabled = false where id = $1", [chosen]);
    const disabled = await draw.make();

    expect([outOfStock.outcome, disabled.outcome]).toEqual(["stale", "stale"]);
    expect(await countDraws(setup.raffleId)).toBe(0);
    for (const itemId of otherItems) expect([1, null]).toContain(await readStock(itemId));
  });

  it("holds the cooldown when 20 recorded decisions race, each made before any win", async () => {
    const setup = await createRaffle({ cooldownMinutes: 30 });
    const draws = [];
    for (let connection = 0; connection < 20; connection += 1) {
      // Half the slots saw only viewer 1 in chat, half only viewer 2: each decision names its winner.
      const viewer = createViewer(connection < 10 ? 1 : 2);
      draws.push(await prepareDraw(setup.raffleId, addMilliseconds(baseSlot, connection), [viewer], "manual"));
    }

    const results = await runAllAtOnce(
      setup.raffleId,
      draws.map((draw) => () => draw.make()),
    );

    expect(countOutcomes(results)).toEqual({ drawn: 2, stale: 18 });
    const winners = results.flatMap((result) => (result.winner_twitch_login ? [result.winner_twitch_login] : []));
    expect(winners.sort()).toEqual(["viewer_1", "viewer_2"]);
  });
});

describe("record_draw refuses a decision that is not what will be published", () => {
  it("refuses lists that do not hash to their hashes, and a winner or item outside them", async () => {
    const setup = await createRaffle({ items: [{ weight: 1 }, { weight: 2 }] });
    const read = await readSlot(setup.raffleId, baseSlot, [createViewer(1), createViewer(2)]);
    const decision = await buildDecision(read, baseSlot, "manual");
    const otherItem = setup.itemIds.find((itemId) => itemId !== decision.item_id);
    const [firstEntrant, secondEntrant] = decision.entrants;
    const refused: Array<[string, unknown]> = [
      ["entrants hash", { ...decision, entrants_sha256: computeSha256Hex("5001:1\n") }],
      ["items hash", { ...decision, items_sha256: "0".repeat(64) }],
      ["missing hash", { ...decision, entrants_sha256: undefined }],
      ["a weight changed", { ...decision, entrants: [firstEntrant, [secondEntrant?.[0], secondEntrant?.[1], 2]] }],
      ["an entrant dropped", { ...decision, entrants: [firstEntrant] }],
      ["winner not an entrant", { ...decision, winner: { id: "6000", login: "outsider", name: "Outsider" } }],
      ["winner without an id", { ...decision, winner: { login: "viewer_1", name: "Viewer_1" } }],
      ["item not listed", { ...decision, items: [], items_sha256: computeSha256Hex("") }],
      ["no item", { ...decision, item_id: null }],
      ["a winner of nobody", { ...decision, entrants: [], entrants_sha256: computeSha256Hex("") }],
      ["nobody of somebody", { ...decision, winner: null }],
      ["not an object", [decision]],
      ["entrants not an array", { ...decision, entrants: "5001:1\n" }],
    ];
    expect(otherItem).toBeDefined();

    for (const [why, bad] of refused) {
      await expect(makeRaffle(setup.raffleId, baseSlot, "manual", bad), why).rejects.toMatchObject({ code: "22023" });
    }
    await expect(makeRaffle(setup.raffleId, baseSlot, "sometimes" as DrawKind, decision)).rejects.toMatchObject({
      code: "22023",
    });
    expect(await countDraws(setup.raffleId)).toBe(0);
    // The decision itself is fine.
    expect((await makeRaffle(setup.raffleId, baseSlot, "manual", decision)).outcome).toBe("drawn");
  });

  it("refuses lists that hash to their hashes but are not in the canonical form the verifier recomputes", async () => {
    // record_draw hashes the lines in the order given; a list that is not sorted by id as integers
    // (or repeats an id, or weighs 0) would be stored, and published, with a hash no verifier gets.
    const setup = await createRaffle();
    const read = await readSlot(setup.raffleId, baseSlot, [
      { id: "10", login: "ten", name: "Ten" },
      { id: "9", login: "nine", name: "Nine" },
    ]);
    const decision = await buildDecision(read, baseSlot, "manual");
    expect(decision.entrants.map(([id]) => id)).toEqual(["9", "10"]);
    const listed = (lines: WeightedRecordLine[]) => ({
      ...decision,
      entrants: lines,
      entrants_sha256: computeSha256Hex(lines.map(([id, , weight]) => `${id}:${weight}\n`).join("")),
    });
    const [nine, ten] = decision.entrants as [WeightedRecordLine, WeightedRecordLine];
    const refused: Array<[string, unknown]> = [
      ["sorted as text", listed([ten, nine])],
      ["an id twice", listed([nine, nine, ten])],
      ["a weight of 0", listed([[nine[0], nine[1], 0], ten])],
      ["an id that is not digits", listed([nine, ten, ["x11", "eleven", 1]])],
    ];

    for (const [why, bad] of refused) {
      await expect(makeRaffle(setup.raffleId, baseSlot, "manual", bad), why).rejects.toMatchObject({ code: "22023" });
    }
    expect(await countDraws(setup.raffleId)).toBe(0);
  });
});

describe("record_draw when nobody is eligible (0008)", () => {
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
      expect(winnerOf(await drawSlot(setup.raffleId, baseSlot, [alice], "scheduled"))).toBe("viewer_1");
      expect(winnerOf(await drawSlot(setup.raffleId, addMinutes(baseSlot, 1), [bob], "scheduled"))).toBe("viewer_2");
      const chat = [
        { ...broadcaster, id: setup.broadcasterId },
        { id: "11", login: "Nightbot", name: "Nightbot" },
        { id: "15", login: "the_moderator", name: "The_Moderator" },
        alice,
        bob,
      ];

      const manual = await drawSlot(setup.raffleId, addMinutes(baseSlot, 2), chat, "manual");
      const afterManual = await readEmptySlot(setup.raffleId);
      const scheduled = await drawSlot(setup.raffleId, addMinutes(baseSlot, 2), chat, "scheduled");
      const emptyChat = await drawSlot(setup.raffleId, addMinutes(baseSlot, 3), [], "scheduled");

      const why = {
        outcome: "no_eligible",
        chatters_seen: 5,
        excluded_count: 3,
        cooling_down_count: 2,
        cooldown_minutes: 30,
        draw_id: null,
        winner_twitch_user_id: null,
      };
      expect(manual.decision).toMatchObject({ entrants: [], winner: null, item_id: expect.any(String) });
      expect(manual.made).toMatchObject({ ...why, nobody_eligible_minutes: null, nobody_eligible_notice: null });
      expect(afterManual).toMatchObject({ last_empty_slot_at: null, empty_minutes: 0 });
      expect(scheduled.made).toMatchObject({ ...why, nobody_eligible_minutes: 1, nobody_eligible_notice: false });
      expect(emptyChat.made).toMatchObject({ chatters_seen: 0, excluded_count: 0, cooling_down_count: 0 });
      expect(await readEmptySlot(setup.raffleId)).toEqual({
        last_empty_slot_at: addMinutes(baseSlot, 3),
        last_empty_candidates: 0,
        last_empty_excluded: 0,
        last_empty_cooling_down: 0,
        empty_minutes: 2,
        nobody_eligible_notified_at: null,
      });
      expect(await countDraws(setup.raffleId)).toBe(2);
    });
  }

  it("skips the scheduled slot (a replay is then taken), and not for a manual draw", async () => {
    const setup = await createRaffle({ everyMinutes: 10 });

    const manual = await drawSlot(setup.raffleId, baseSlot, [broadcaster], "manual");
    const afterManual = await readRaffle(setup.raffleId);
    const emptyDecision = await prepareDraw(setup.raffleId, baseSlot, [], "scheduled");
    const scheduled = await emptyDecision.make();
    const afterScheduled = await readRaffle(setup.raffleId);
    const replayed = await emptyDecision.make();
    const sameSlotWithViewers = await readSlot(setup.raffleId, baseSlot, [createViewer(1)], "scheduled");

    expect([manual.outcome, scheduled.outcome, replayed.outcome, sameSlotWithViewers.outcome]).toEqual([
      "no_eligible",
      "no_eligible",
      "slot_taken",
      "slot_taken",
    ]);
    expect(afterManual).toEqual({ draw_count: 0, last_slot_at: null, next_slot_at: baseSlot });
    expect(afterScheduled).toEqual({ draw_count: 0, last_slot_at: baseSlot, next_slot_at: addMinutes(baseSlot, 10) });
    expect(await countDraws(setup.raffleId)).toBe(0);
  });

  it("asks for one notice after 5 live minutes of empty slots, and again only after a draw", async () => {
    const setup = await createRaffle({ cooldownMinutes: 30 });
    const alice = createViewer(1);
    expect((await drawSlot(setup.raffleId, baseSlot, [alice], "scheduled")).outcome).toBe("drawn");

    const run = async (fromMinute: number, toMinute: number) => {
      const results = [];
      for (let minute = fromMinute; minute <= toMinute; minute += 1) {
        results.push(await drawSlot(setup.raffleId, addMinutes(baseSlot, minute), [alice], "scheduled"));
      }
      return results.map((result) => [result.made?.nobody_eligible_minutes, result.made?.nobody_eligible_notice]);
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
    const drawn = await drawSlot(setup.raffleId, addMinutes(baseSlot, 7.5), [createViewer(2)], "manual");
    expect(drawn.outcome).toBe("drawn");
    expect(await readEmptySlot(setup.raffleId)).toMatchObject({ empty_minutes: 0, nobody_eligible_notified_at: null });
    expect((await run(8, 12)).map(([, notice]) => notice)).toEqual([false, false, false, false, true]);
  });

  it("counts a slot of every N minutes as N live minutes after the first", async () => {
    const setup = await createRaffle({ everyMinutes: 5 });

    const first = await drawSlot(setup.raffleId, baseSlot, [], "scheduled");
    const second = await drawSlot(setup.raffleId, addMinutes(baseSlot, 5), [], "scheduled");
    // Offline for an hour: the next live slot adds one interval, not the hour.
    const third = await drawSlot(setup.raffleId, addMinutes(baseSlot, 70), [], "scheduled");

    expect(
      [first, second, third].map((result) => [
        result.made?.nobody_eligible_minutes,
        result.made?.nobody_eligible_notice,
      ]),
    ).toEqual([
      [1, false],
      [6, true],
      [11, false],
    ]);
  });
});

describe("record_draw in a server with several raffles (0008)", () => {
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
      expect(winnerOf(await drawSlot(first.raffleId, baseSlot, [alice], "scheduled"))).toBe("viewer_1");

      const second = await stopAndStartAgain(first, { cooldownMinutes: 30, luck });
      const results = [
        await drawSlot(second.raffleId, addMinutes(baseSlot, 1), [alice], "scheduled"),
        await drawSlot(second.raffleId, addMinutes(baseSlot, 2), [alice, bob], "scheduled"),
        await drawSlot(second.raffleId, addMinutes(baseSlot, 30), [alice], "scheduled"),
      ];

      expect(results.map((result) => winnerOf(result) ?? result.outcome)).toEqual([
        "no_eligible",
        "viewer_2",
        "viewer_1",
      ]);
      expect(results[0]?.made).toMatchObject({ chatters_seen: 1, excluded_count: 0, cooling_down_count: 1 });
    });
  }

  it("numbers draws per server, continuing across raffles, while each raffle counts its own", async () => {
    const first = await createRaffle();
    await drawSlot(first.raffleId, baseSlot, [createViewer(1)], "scheduled");
    await drawSlot(first.raffleId, addMinutes(baseSlot, 1), [createViewer(1)], "manual");
    const second = await stopAndStartAgain(first, { cooldownMinutes: 0 });
    await drawSlot(second.raffleId, addMinutes(baseSlot, 2), [createViewer(1)], "scheduled");
    const other = await createRaffle();
    await drawSlot(other.raffleId, baseSlot, [createViewer(1)], "scheduled");

    expect(await readDrawNumbers(first.guildId)).toEqual([1, 2, 3]);
    expect(await readDrawNumbers(other.guildId)).toEqual([1]);
    expect((await readRaffle(first.raffleId)).draw_count).toBe(2);
    expect((await readRaffle(second.raffleId)).draw_count).toBe(1);
    expect(await readGuildDrawCount(first.guildId)).toBe(3);
    expect(await readGuildDrawCount(other.guildId)).toBe(1);
  });

  it("numbers draws racing on 20 connections one after another, and refuses a repeated number", async () => {
    const setup = await createRaffle();
    const draws = [];
    for (let connection = 0; connection < 20; connection += 1) {
      draws.push(await prepareDraw(setup.raffleId, addMilliseconds(baseSlot, connection), [createViewer(1)]));
    }

    // The guild row, not the raffle's, is held: each call locks its raffle, then queues on the guild.
    const results = await runWhileHolding(
      "select 1 from guilds where id = $1 for update",
      [setup.guildId],
      draws.map((draw) => () => draw.make()),
    );

    expect(countOutcomes(results)).toEqual({ drawn: 20 });
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
