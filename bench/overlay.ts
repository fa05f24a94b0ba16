/**
 * The on-stream overlay's cost: the time from a draw's record to its message on a connected
 * overlay socket (p50 and p99 over 100 draws), and what one tick costs without an overlay link, with
 * a link and no page open, and with two pages open (wall time, subrequests, database statements).
 * The Worker runs under wrangler's local runtime, its Durable Object included, against the fakes
 * with 50 ms of latency. See bench/README.md.
 *
 * Run with `npx tsx bench/overlay.ts` (about 5 minutes: one tick per draw, each waiting for its
 * beacon round). DATABASE_URL and REDIS_URL are used when set, like the tests do.
 */
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { WebSocket } from "ws";
import { computeSha256Hex } from "../worker/fairness/bytes";
import { overlayTokenPurpose } from "../worker/overlay/overlayLinks";
import { TokenCipher } from "../worker/security/TokenCipher";
import { DatabaseProbe } from "./support/DatabaseProbe";
import { measureTick, type TickMeasurement } from "./support/measureTick";
import { seedLiveRaffles } from "./support/seedLiveRaffles";
import { startBenchStack } from "./support/startBenchStack";
import { startBenchWorker } from "./support/startBenchWorker";
import { TickLog } from "./support/TickLog";

const directory = join(dirname(fileURLToPath(import.meta.url)), "..");
const fakeLatencyMilliseconds = 50;
const latencyDraws = Number(process.env.OVERLAY_BENCH_DRAWS ?? 100);
const minute = 60_000;

const stack = await startBenchStack({
  postgresServerUrl: process.env.DATABASE_URL || undefined,
  redisUrl: process.env.REDIS_URL || undefined,
  fakeLatencyMilliseconds,
});
process.once("SIGINT", () => {
  void stack.stop().finally(() => process.exit(130));
});
try {
  const firstSlotAt = Math.floor(Date.now() / minute) * minute;
  const seeded = await seedLiveRaffles(stack, { batch: 40, count: 1, chattersPerChannel: 50, firstSlotAt });
  const guild = seeded.guilds[0];
  if (!guild) throw new Error("no guild seeded");
  const bindings = stack.createBindings({ fanoutThreshold: 100_000 });
  const tickLog = new TickLog();
  const worker = await startBenchWorker({ directory, bindings, onLogLine: tickLog.receiveLine });
  // One short session per statement: the probe counts statements once no other session is open.
  const database = { query: (text: string, values: unknown[]) => queryOnce(stack.databaseUrl, text, values) };
  try {
    const context = { stack, worker, tickLog, probe: new DatabaseProbe(stack.databaseUrl) };
    const run = { path: "direct" as const, raffles: 1 };
    let slotAt = firstSlotAt;
    const tick = async (label: string): Promise<TickMeasurement> => {
      const measured = await measureTick(context, { ...run, minute: "warm", scheduledTime: slotAt });
      slotAt += minute;
      console.error(`${label}: ${measured.tickMilliseconds.toFixed(0)} ms`);
      return measured;
    };
    // The first minute pays for the isolate (app token, chatter cache): not measured.
    await tick("warm-up");
    const ticksPerCase = 5;
    const measureCase = async (label: string) => {
      const ticks: TickMeasurement[] = [];
      for (let index = 0; index < ticksPerCase; index += 1) ticks.push(await tick(label));
      return { label, ticks };
    };
    const withoutLink = await measureCase("no overlay link");
    const token = randomBytes(32).toString("base64url");
    const cipher = await TokenCipher.fromBase64Key(bindings.TOKEN_ENCRYPTION_KEY ?? "");
    const sealed = await cipher.seal(token, overlayTokenPurpose(guild.guildId));
    await database.query(
      "insert into overlay_links (guild_id, token_digest, token_ciphertext, token_key_id) values ($1, $2, $3, $4)",
      [guild.guildId, await computeSha256Hex(token), sealed.ciphertext, sealed.keyId],
    );
    const linkNoPage = await measureCase("link, no page open");
    const sockets = [await connectOverlay(worker.origin, token), await connectOverlay(worker.origin, token)];
    const twoPages = await measureCase("link, two pages open");

    console.error(`measuring ${latencyDraws} draws to two open overlays…`);
    const received: number[] = [];
    for (let draw = 0; draw < latencyDraws; draw += 1) await tick("latency");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const rows = await database.query(
      "select draw_number, extract(epoch from created_at) * 1000 as recorded_at from draws where guild_id = $1",
      [guild.guildId],
    );
    const recordedAt = new Map(rows.map((row) => [Number(row.draw_number), Number(row.recorded_at)]));
    const socket = sockets[0];
    for (const [drawNumber, arrivedAt] of socket?.arrivals ?? []) {
      const recorded = recordedAt.get(drawNumber);
      if (recorded !== undefined) received.push(arrivedAt - recorded);
    }
    const perSocket = sockets.map((entry) => entry.arrivals.size);
    const duplicates = sockets.reduce((sum, entry) => sum + entry.duplicates, 0);
    received.sort((a, b) => a - b);
    for (const entry of sockets) entry.socket.close();

    console.log("## Overlay: from the draw's record to the message on a connected socket\n");
    console.log(
      `draws: ${received.length} of ${latencyDraws + ticksPerCase} (per socket: ${perSocket.join(", ")}; duplicates: ${duplicates})`,
    );
    console.log(
      `p50: ${percentile(received, 0.5).toFixed(0)} ms, p99: ${percentile(received, 0.99).toFixed(0)} ms, max: ${(received.at(-1) ?? 0).toFixed(0)} ms\n`,
    );
    console.log(`## One tick (one live raffle, warm chatter cache), median of ${ticksPerCase}\n`);
    console.log("| overlay | tick wall ms | HTTP subrequests | Neon WebSockets | database statements |");
    console.log("| --- | ---: | ---: | ---: | ---: |");
    for (const measured of [withoutLink, linkNoPage, twoPages]) {
      const median = (read: (tick: TickMeasurement) => number) =>
        percentile(
          measured.ticks.map(read).sort((a, b) => a - b),
          0.5,
        );
      console.log(
        `| ${measured.label} | ${median((entry) => entry.tickMilliseconds).toFixed(0)} | ${median((entry) => entry.subrequests.http)} | ${median((entry) => entry.subrequests.neonWebSockets)} | ${median((entry) => entry.databaseStatements)} |`,
      );
    }
  } finally {
    await worker.stop();
    await seeded.remove();
  }
} finally {
  await stack.stop();
}

/** An OBS page's socket: when each draw's message arrived (the first time), and repeats. */
async function connectOverlay(origin: string, token: string) {
  const url = new URL(`/overlay/${token}/live`, origin);
  url.protocol = "ws:";
  const socket = new WebSocket(url);
  const arrivals = new Map<number, number>();
  const entry = { socket, arrivals, duplicates: 0 };
  socket.on("message", (data) => {
    const arrivedAt = Date.now();
    const event = JSON.parse(String(data)) as { type: string; draw?: { draw_number: number } };
    if (event.type !== "draw" || !event.draw) return;
    if (arrivals.has(event.draw.draw_number)) entry.duplicates += 1;
    else arrivals.set(event.draw.draw_number, arrivedAt);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  return entry;
}

async function queryOnce(databaseUrl: string, text: string, values: unknown[]): Promise<pg.QueryResultRow[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(text, values)).rows;
  } finally {
    await client.end();
  }
}

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}
