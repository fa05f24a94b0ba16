/**
 * How long one make_raffle call takes when the Worker passes the whole chatter list versus a
 * fixed-size random sample of it. Run with `npx tsx bench/draw.ts`; uses the Postgres server in
 * DATABASE_URL (default 127.0.0.1:5432) and creates and drops its own database.
 */
import { randomInt } from "node:crypto";
import pg from "pg";
import { createMigratedTestDatabase } from "../test/support/testDatabase";

interface Candidate {
  id: string;
  login: string;
  name: string;
}

interface Measurement {
  chatterCount: number;
  mode: string;
  bytesPerCall: number;
  medianMilliseconds: number;
  p99Milliseconds: number;
  preparationMilliseconds: number;
}

const chatterCounts = [1_000, 10_000, 100_000];
// 50 as a floor; 500 is what worker/raffle/drawWinner.ts sends.
const sampleSizes = [50, 500];
const callsPerCase = 200;

// Outside vitest there is no global setup to ask: the server comes from DATABASE_URL or the default.
const database = await createMigratedTestDatabase(
  process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres",
);
const client = new pg.Client({ connectionString: database.url });
try {
  await client.connect();
  const raffleId = await createBenchRaffle(client);
  let slot = Date.parse("2026-03-01T00:00:00Z");
  const measurements: Measurement[] = [];
  for (const chatterCount of chatterCounts) {
    const chatters = createChatters(chatterCount);
    for (const sampleSize of [undefined, ...sampleSizes]) {
      const mode = sampleSize === undefined ? "full" : `sample ${sampleSize}`;
      const latencies: number[] = [];
      const preparations: number[] = [];
      let bytes = 0;
      for (let call = 0; call < callsPerCase; call += 1) {
        const preparationStart = performance.now();
        const candidates = sampleSize === undefined ? shuffleAll(chatters) : sampleUniformly(chatters, sampleSize);
        const candidatesJson = JSON.stringify(candidates);
        preparations.push(performance.now() - preparationStart);
        bytes += Buffer.byteLength(candidatesJson);

        slot += 60_000;
        const start = performance.now();
        const result = await client.query<{ outcome: string }>(
          "select outcome from make_raffle($1, $2, 'scheduled', $3::jsonb, $4::bigint[])",
          [raffleId, new Date(slot), candidatesJson, [createWord(), createWord()]],
        );
        latencies.push(performance.now() - start);
        if (result.rows[0]?.outcome !== "drawn") throw new Error(`unexpected outcome ${result.rows[0]?.outcome}`);
      }
      measurements.push({
        chatterCount,
        mode,
        bytesPerCall: Math.round(bytes / callsPerCase),
        medianMilliseconds: computePercentile(latencies, 0.5),
        p99Milliseconds: computePercentile(latencies, 0.99),
        preparationMilliseconds: computePercentile(preparations, 0.5),
      });
    }
  }
  const stored = await client.query<{ average_bytes: string }>(
    "select round(avg(pg_column_size(candidates))) as average_bytes from draws",
  );
  printMeasurements(measurements);
  console.log(`\nstored per draw (examined candidates only): ${stored.rows[0]?.average_bytes} bytes on average`);
} finally {
  await client.end();
  await database.drop();
}

/** A guild like a busy one: ten items, a few exclusions, cooldown 30, a draw every minute. */
async function createBenchRaffle(connection: pg.Client): Promise<string> {
  await connection.query("insert into guilds (id) values ('1')");
  await connection.query(`select insert_items('1', $1::jsonb)`, [
    JSON.stringify(Array.from({ length: 10 }, (_unused, index) => ({ name: `Item ${index}`, weight: index + 1 }))),
  ]);
  await connection.query(
    "insert into excluded_viewers (guild_id, twitch_login) select '1', 'excluded_' || n from generate_series(1, 20) n",
  );
  const raffle = await connection.query<{ id: string }>(
    `insert into raffles (guild_id, discord_channel_id, twitch_broadcaster_id, twitch_broadcaster_login,
       every_minutes, cooldown_minutes, next_slot_at)
     values ('1', '2', '3', 'streamer', 1, 30, '2026-03-01T00:00:00Z') returning id`,
  );
  return raffle.rows[0]?.id ?? "";
}

function createChatters(count: number): Candidate[] {
  return Array.from({ length: count }, (_unused, index) => ({
    id: String(10_000_000 + index),
    login: `chatter_${index}`,
    name: `Chatter_${index}`,
  }));
}

/** Fisher–Yates over a copy: what the Worker would do to send every chatter in random order. */
function shuffleAll(chatters: Candidate[]): Candidate[] {
  const shuffled = [...chatters];
  for (let index = shuffled.length - 1; index > 0; index -= 1) {
    const other = randomInt(index + 1);
    [shuffled[index], shuffled[other]] = [shuffled[other] as Candidate, shuffled[index] as Candidate];
  }
  return shuffled;
}

/**
 * The first `size` steps of Fisher–Yates, with the swaps kept in a map instead of a copy of the
 * list: a uniform random sample in random order, in O(size) rather than O(chatters).
 */
function sampleUniformly(chatters: Candidate[], size: number): Candidate[] {
  const swapped = new Map<number, number>();
  const sample: Candidate[] = [];
  for (let index = 0; index < Math.min(size, chatters.length); index += 1) {
    const other = index + randomInt(chatters.length - index);
    const picked = swapped.get(other) ?? other;
    swapped.set(other, swapped.get(index) ?? index);
    sample.push(chatters[picked] as Candidate);
  }
  return sample;
}

function createWord(): number {
  return randomInt(2 ** 24) * 2 ** 24 + randomInt(2 ** 24); // two 24-bit halves: uniform in [0, 2^48)
}

function computePercentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

function printMeasurements(measurements: Measurement[]): void {
  const header = ["candidates", "mode", "bytes/call", "median ms", "p99 ms", "prep ms (median)"];
  const rows = measurements.map((measurement) => [
    measurement.chatterCount.toLocaleString("en-US"),
    measurement.mode,
    measurement.bytesPerCall.toLocaleString("en-US"),
    measurement.medianMilliseconds.toFixed(2),
    measurement.p99Milliseconds.toFixed(2),
    measurement.preparationMilliseconds.toFixed(2),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const format = (cells: string[]) =>
    cells
      .map((cell, column) => (column < 2 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)))
      .join("  ");
  console.log(`make_raffle latency, ${callsPerCase} calls per row (one connection, round trip included)`);
  console.log(format(header));
  for (const row of rows) console.log(format(row));
}
