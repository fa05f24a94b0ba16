/**
 * What one draw costs on the liveloot/v1 path (worker/raffle/drawSlots.ts), in the database and in
 * the Worker, for a sample of 50, 500 (what the Worker reads) and 5,000 candidates, luck off and on:
 * read_draw_entrants for 1 slot and for 100 slots in one statement, decideDraw's CPU time, one
 * record_draw(decision) call, and the bytes each draw's published entrant and item lists take in
 * the draws table. Run with `npx tsx bench/draw.ts` (option `--minutes N`, default 20: raffle
 * minutes measured per row, 100 slots each; the 5,000 rows run a third of them). Uses the Postgres
 * server in DATABASE_URL (default 127.0.0.1:5432) and creates and drops its own database.
 */
import { randomBytes, randomInt } from "node:crypto";
import { parseArgs } from "node:util";
import pg from "pg";
import { createMigratedTestDatabase } from "../test/support/testDatabase";
import type { Queryable } from "../worker/db/Database";
import { type Candidate, type EntrantsRead, readDrawEntrants, recordDraw } from "../worker/db/draws";
import { formatSlotLabel, randomnessFromSignature } from "../worker/fairness/livelootV1";
import { sampleWithoutReplacement } from "../worker/lib/randomness";
import { decideSlot } from "../worker/raffle/drawSlots";
import { formatNumber, formatTable } from "./support/formatTable";

const sampleSizes = [50, 500, 5_000];
/** Raffles (one per guild) drawn each minute: the 100 slots of the batched read. */
const rafflesPerMinute = 100;
/** Single-slot reads per minute, each for another raffle. */
const singleReadsPerMinute = 5;
/** Viewers in each channel's chat; every slot reads a uniform sample of them. */
const chatSize = 10_000;
/** Share of the chat with activity points in the guild (weights 100–500 when luck is on). */
const shareWithPoints = 0.6;
const itemsPerGuild = 10;
const excludedPerGuild = 20;
const cooldownMinutes = 30;
const firstMinute = Date.parse("2026-03-01T00:00:00Z");
const dayMilliseconds = 24 * 60 * 60 * 1000;

const { values } = parseArgs({ options: { minutes: { type: "string", default: "20" } } });
const measuredMinutes = Number(values.minutes);
if (!Number.isInteger(measuredMinutes) || measuredMinutes < 3) throw new Error("--minutes must be a whole number ≥ 3");

interface CaseResult {
  sampleSize: number;
  luck: boolean;
  minutes: number;
  entrants: number;
  totalWeight: number;
  readOne: number[];
  readHundred: number[];
  decideCpu: number[];
  decideWall: number[];
  makeRaffle: number[];
  decisionBytes: number;
  storage: { stored: number; json: number; row: number };
}

// Outside vitest there is no global setup to ask: the server comes from DATABASE_URL or the default.
const database = await createMigratedTestDatabase(
  process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres",
);
const client = new pg.Client({ connectionString: database.url });
try {
  await client.connect();
  // The Worker's own query functions, over one connection (as the tick's one WebSocket session).
  const queryable: Queryable = {
    query: async <Row extends object>(text: string, parameters: unknown[] = []) =>
      (await client.query(text, parameters)).rows as Row[],
    batch: () => Promise.reject(new Error("not used")),
  };
  const chat = createChat();
  const guilds = await seedGuilds(client, chat);
  const results: CaseResult[] = [];
  let caseIndex = 0;
  for (const sampleSize of sampleSizes) {
    for (const luck of [false, true]) {
      // Each row a day later than the one before: its own raffles, no cooldown carried over.
      const start = firstMinute + caseIndex * dayMilliseconds;
      caseIndex += 1;
      const minutes = sampleSize > 500 ? Math.ceil(measuredMinutes / 3) : measuredMinutes;
      results.push(await measureCase(client, queryable, guilds, chat, { sampleSize, luck, minutes, start }));
      process.stderr.write(`measured ${sampleSize} candidates, luck ${luck ? "on" : "off"}\n`);
    }
  }
  console.log(formatResults(results));
} finally {
  await client.end();
  await database.drop();
}

interface Guild {
  id: string;
  broadcasterId: string;
  broadcasterLogin: string;
}

/**
 * A chat as Twitch gives it: user ids of 8 to 10 digits, logins of 4 to 20 characters, a few
 * known bots, the guild's excluded viewers and the broadcaster among them.
 */
function createChat(): Candidate[] {
  const ids = new Set<string>();
  while (ids.size < chatSize) ids.add(String(randomInt(10_000_000, 1_300_000_000)));
  const chatters = [...ids].map((id) => {
    const login = createLogin();
    return { id, login, name: login.replace(/^./, (first) => first.toUpperCase()) };
  });
  const special = [
    "nightbot",
    "streamelements",
    ...Array.from({ length: excludedPerGuild }, (_unused, index) => `excluded_${index}`),
  ];
  special.forEach((login, index) => {
    chatters[index] = { id: chatters[index]?.id ?? "", login, name: login };
  });
  return chatters;
}

function createLogin(): string {
  const letters = "abcdefghijklmnopqrstuvwxyz";
  const characters = `${letters}${letters}0123456789_`;
  let login = letters[randomInt(letters.length)] ?? "a";
  for (let length = randomInt(4, 21); login.length < length; ) login += characters[randomInt(characters.length)];
  return login;
}

/**
 * 100 guilds as a busy one has them: ten unlimited items with mixed weights, twenty excluded
 * viewers (all of them in the chat), activity points for 60 % of the chat (0–1,000, so luck
 * weights span 100–500), each guild on a channel of its own.
 */
async function seedGuilds(connection: pg.Client, chat: Candidate[]): Promise<Guild[]> {
  const guilds = Array.from({ length: rafflesPerMinute }, (_unused, index) => ({
    id: String(900_000_000_000_000_000n + BigInt(index)),
    broadcasterId: String(5_000_000 + index),
    broadcasterLogin: `streamer_${index}`,
  }));
  await connection.query("insert into guilds (id) select unnest($1::text[])", [guilds.map((guild) => guild.id)]);
  for (const guild of guilds) {
    await connection.query("select insert_items($1, $2::jsonb)", [
      guild.id,
      JSON.stringify(
        Array.from({ length: itemsPerGuild }, (_unused, index) => ({
          name: `Steam key: game number ${index + 1}`,
          weight: index + 1,
        })),
      ),
    ]);
  }
  await connection.query(
    `insert into excluded_viewers (guild_id, twitch_login)
     select g, 'excluded_' || n from unnest($1::text[]) g, generate_series(0, $2 - 1) n`,
    [guilds.map((guild) => guild.id), excludedPerGuild],
  );
  const withPoints = chat.filter(() => randomInt(1_000) < shareWithPoints * 1_000);
  await connection.query(
    `insert into viewer_points (guild_id, broadcaster_id, viewer_user_id, viewer_login, viewer_display_name, points)
     select g.id, g.broadcaster_id, v.id, v.login, v.login, v.points
     from unnest($1::text[], $2::text[]) g(id, broadcaster_id)
     cross join unnest($3::text[], $4::text[], $5::bigint[]) v(id, login, points)`,
    [
      guilds.map((guild) => guild.id),
      guilds.map((guild) => guild.broadcasterId),
      withPoints.map((viewer) => viewer.id),
      withPoints.map((viewer) => viewer.login),
      withPoints.map(() => randomInt(1_001)),
    ],
  );
  await connection.query("analyze");
  return guilds;
}

interface CaseOptions {
  sampleSize: number;
  luck: boolean;
  minutes: number;
  start: number;
}

/**
 * One row: a running raffle in each of the 100 guilds, drawn every minute for `minutes` minutes
 * (plus one warm-up minute not counted) the way drawSlots does it, without the beacon wait: one
 * read of all 100 slots, then per slot decideDraw and record_draw. Before that read, a few
 * single-slot reads of the same minute (read-only, so they change nothing).
 */
async function measureCase(
  connection: pg.Client,
  queryable: Queryable,
  guilds: Guild[],
  chat: Candidate[],
  options: CaseOptions,
): Promise<CaseResult> {
  await connection.query(
    "update raffles set status = 'stopped', status_reason = 'stopped_by_user', stopped_at = now() where status <> 'stopped'",
  );
  const raffles = await connection.query<{ id: string }>(
    `insert into raffles (guild_id, discord_channel_id, twitch_broadcaster_id, twitch_broadcaster_login,
       every_minutes, cooldown_minutes, next_slot_at, luck)
     select g.id, '1' || g.broadcaster_id, g.broadcaster_id, g.login, 1, $4, $5, $6
     from unnest($1::text[], $2::text[], $3::text[]) with ordinality g(id, broadcaster_id, login, position)
     order by g.position
     returning id`,
    [
      guilds.map((guild) => guild.id),
      guilds.map((guild) => guild.broadcasterId),
      guilds.map((guild) => guild.broadcasterLogin),
      cooldownMinutes,
      new Date(options.start),
      options.luck,
    ],
  );
  const raffleIds = raffles.rows.map((row) => String(row.id));
  const result: CaseResult = {
    sampleSize: options.sampleSize,
    luck: options.luck,
    minutes: options.minutes,
    entrants: 0,
    totalWeight: 0,
    readOne: [],
    readHundred: [],
    decideCpu: [],
    decideWall: [],
    makeRaffle: [],
    decisionBytes: 0,
    storage: { stored: 0, json: 0, row: 0 },
  };
  let entrantsSum = 0;
  let weightSum = 0;
  let decisionBytesSum = 0;
  let counted = 0;
  for (let minute = 0; minute <= options.minutes; minute += 1) {
    const warmUp = minute === 0;
    const slotAt = options.start + minute * 60_000;
    // Each slot reads its own uniform sample of the chat, as drawSlots does.
    const requests = raffleIds.map((raffleId) => ({
      raffleId,
      slotAt,
      kind: "scheduled" as const,
      candidates: sampleWithoutReplacement(chat, options.sampleSize),
    }));

    for (let single = 0; single < singleReadsPerMinute; single += 1) {
      const request = requests[(minute * singleReadsPerMinute + single) % requests.length];
      if (!request) throw new Error("no request");
      const [read, milliseconds] = await time(() => readDrawEntrants(queryable, [request]));
      expectReady(read);
      if (!warmUp) result.readOne.push(milliseconds);
    }

    const [reads, readMilliseconds] = await time(() => readDrawEntrants(queryable, requests));
    if (!warmUp) result.readHundred.push(readMilliseconds);

    // One beacon round per minute for all its slots, as drawSlots waits for one round per read.
    const signature = randomBytes(48).toString("hex");
    const randomness = await randomnessFromSignature(signature);
    const round = 10_000_000 + Math.floor(slotAt / 3_000);
    const entrantsReadAt = slotAt + 200;

    for (const [position, read] of reads.entries()) {
      if (read.outcome !== "ready") throw new Error(`read_draw_entrants answered ${read.outcome}`);
      const cpuStart = process.cpuUsage();
      const wallStart = performance.now();
      // Exactly as drawSlots decides a slot: livelootV1.decideDraw, then the record record_draw stores.
      const recorded = await decideSlot(read, formatSlotLabel(slotAt), entrantsReadAt, {
        round,
        signature,
        randomness,
      });
      const decideWall = performance.now() - wallStart;
      const cpu = process.cpuUsage(cpuStart);
      if (recorded.winner === null) throw new Error("nobody eligible: the seed should always have entrants");
      const request = requests[position];
      if (!request) throw new Error("no request");
      const [drawn, makeMilliseconds] = await time(() =>
        recordDraw(queryable, { raffleId: read.raffleId, slotAt, kind: "scheduled", decision: recorded }),
      );
      // A bench that measured refusals would flatter the numbers: every slot must be drawn.
      if (drawn.outcome !== "drawn") throw new Error(`record_draw answered ${drawn.outcome}`);
      if (warmUp) continue;
      result.decideCpu.push((cpu.user + cpu.system) / 1000);
      result.decideWall.push(decideWall);
      result.makeRaffle.push(makeMilliseconds);
      entrantsSum += read.entrants.length;
      weightSum += read.entrants.reduce((sum, entrant) => sum + entrant.weight, 0);
      decisionBytesSum += Buffer.byteLength(JSON.stringify(recorded));
      counted += 1;
    }
  }
  result.entrants = entrantsSum / counted;
  result.totalWeight = weightSum / counted;
  result.decisionBytes = decisionBytesSum / counted;

  const storage = await connection.query<{ stored: string; json: string; row: string }>(
    // Since 0025 a draw names its items list (stored once per server and list) instead of holding
    // it: the list is counted here with every draw, as the record publishes it.
    `select avg(pg_column_size(d.entrants) + pg_column_size(coalesce(d.items, l.items))) as stored,
       avg(octet_length(d.entrants::text) + octet_length(coalesce(d.items, l.items)::text)) as json,
       avg(pg_column_size(d.*)) as row
     from draws d left join draw_item_lists l on l.id = d.item_list_id where d.raffle_id = any($1::bigint[])`,
    [raffleIds],
  );
  const row = storage.rows[0];
  result.storage = { stored: Number(row?.stored), json: Number(row?.json), row: Number(row?.row) };
  return result;
}

function expectReady(reads: EntrantsRead[]): void {
  for (const read of reads) {
    if (read.outcome !== "ready") throw new Error(`read_draw_entrants answered ${read.outcome}`);
  }
}

async function time<Value>(run: () => Promise<Value>): Promise<[Value, number]> {
  const start = performance.now();
  const value = await run();
  return [value, performance.now() - start];
}

/** Nearest rank. */
function computePercentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

function formatMilliseconds(value: number): string {
  return formatNumber(value, value < 10 ? 2 : 1);
}

function formatResults(results: readonly CaseResult[]): string {
  const label = (result: CaseResult) => `${formatNumber(result.sampleSize)}, luck ${result.luck ? "on" : "off"}`;
  const p50 = (values: readonly number[]) => formatMilliseconds(computePercentile(values, 0.5));
  const p95 = (values: readonly number[]) => formatMilliseconds(computePercentile(values, 0.95));
  const timing = formatTable(
    [
      "candidates",
      "entrants",
      "read 1 p50",
      "p95",
      "read 100 p50",
      "p95",
      "decide CPU p50",
      "wall p50",
      "record_draw p50",
      "p95",
      "DB ms/slot",
    ],
    results.map((result) => [
      label(result),
      formatNumber(result.entrants),
      p50(result.readOne),
      p95(result.readOne),
      p50(result.readHundred),
      p95(result.readHundred),
      p50(result.decideCpu),
      p50(result.decideWall),
      p50(result.makeRaffle),
      p95(result.makeRaffle),
      formatMilliseconds(
        computePercentile(result.readHundred, 0.5) / rafflesPerMinute + computePercentile(result.makeRaffle, 0.5),
      ),
    ]),
  );
  const storage = formatTable(
    [
      "candidates",
      "entrants",
      "decision sent",
      "stored entrants+items",
      "as JSON text",
      "stored/JSON",
      "whole row",
      "per day, 1/min",
    ],
    results.map((result) => [
      label(result),
      formatNumber(result.entrants),
      `${formatNumber(result.decisionBytes)} B`,
      `${formatNumber(result.storage.stored)} B`,
      `${formatNumber(result.storage.json)} B`,
      `${formatNumber((100 * result.storage.stored) / result.storage.json)} %`,
      `${formatNumber(result.storage.row)} B`,
      `${formatNumber((result.storage.row * 1440) / 1024 / 1024, 1)} MiB`,
    ]),
  );
  const samples = results
    .map((result) => `${formatNumber(result.sampleSize)}: ${formatNumber(result.minutes)} minutes`)
    .join(", ");
  return [
    `liveloot/v1 draw path, ${rafflesPerMinute} running raffles (one per guild), a ${formatNumber(chatSize)}-viewer chat ` +
      `sampled per slot, ${itemsPerGuild} items, ${excludedPerGuild} excluded viewers, cooldown ${cooldownMinutes} min.`,
    `Measured minutes per row (${rafflesPerMinute} slots each, after one warm-up minute): ${samples}.`,
    "",
    "Time per slot, ms (one connection, round trip included; decideDraw in this Node process)",
    timing,
    `read 1: read_draw_entrants for one slot (${singleReadsPerMinute} per minute); read 100: one call for all ` +
      `${rafflesPerMinute} slots of the minute. decide: livelootV1.decideDraw (sort, hash, HMAC words), CPU time of ` +
      "the process. DB ms/slot: read 100 p50 / 100 + record_draw p50.",
    "",
    "Storage per draw (averages over the row's draws)",
    storage,
    "decision sent: the JSON record_draw receives. stored: pg_column_size(entrants) + pg_column_size(items), after",
    "TOAST's compression (pglz unless default_toast_compression says otherwise); as JSON text: their text form.",
    "whole row: pg_column_size of the draws row; per day: a raffle drawing every minute, 1,440 rows (indexes not counted).",
  ].join("\n");
}
