/**
 * What the slash commands a streamer uses most cost: for /loot list, /loot add, /loot remove's
 * autocomplete, /raffle status, /raffle history, /twitch status, /raffle start and /raffle stop,
 * p50 and p99 of the HTTP answer to the signed interaction at concurrency 1 and 20, against a
 * signed PING of the same run and concurrency, with the database round trips, Neon WebSockets,
 * Upstash requests and Twitch/Discord calls of each, counted outside the Worker. One Worker under
 * wrangler's local runtime, against the Twitch and Discord fakes. See bench/README.md.
 *
 * Run with `npx tsx bench/commands.ts`. DATABASE_URL (a Postgres server URL) and REDIS_URL are
 * used when set, like the tests do; otherwise a throwaway Postgres and Redis are started.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createCommandCases } from "./support/commandCases";
import { type CommandRow, formatCommandReport } from "./support/formatCommandReport";
import { type MeasureContext, measureBatch, measureStartStop, warmUp } from "./support/measureCommand";
import { countNeonHttpRoundTrips, countWireRoundTrips } from "./support/RoundTripCounter";
import { seedCommandGuilds } from "./support/seedCommandGuilds";
import { startBenchStack } from "./support/startBenchStack";
import { startBenchWorker } from "./support/startBenchWorker";
import { TickLog } from "./support/TickLog";

const concurrencyLevels = [1, 20];
const samplesPerRow = 200;
const fakeLatencyMilliseconds = 50;
const chattersPerChannel = 50;
const pastDraws = 200;
/** The tick's production setting; no tick runs here, it is only a binding the Worker needs. */
const productionFanoutThreshold = 50;
const directory = join(dirname(fileURLToPath(import.meta.url)), "..");
const highestConcurrency = Math.max(...concurrencyLevels);
const startedAt = performance.now();
const progress = (step: string) =>
  console.error(`${((performance.now() - startedAt) / 1000).toFixed(0).padStart(4)} s  ${step}`);

const stack = await startBenchStack({
  postgresServerUrl: process.env.DATABASE_URL || undefined,
  redisUrl: process.env.REDIS_URL || undefined,
  fakeLatencyMilliseconds,
});
// Ctrl-C: drop the database and give the Redis database back before leaving.
process.once("SIGINT", () => {
  void stack.stop().finally(() => process.exit(130));
});
try {
  progress("seeding…");
  const guilds = await seedCommandGuilds(stack, { laneCount: highestConcurrency, pastDraws, chattersPerChannel });
  const cases = createCommandCases(guilds, pastDraws);
  const log = new TickLog();
  const worker = await startBenchWorker({
    directory,
    bindings: stack.createBindings({ fanoutThreshold: productionFanoutThreshold }),
    onLogLine: (line) => {
      // BENCH_LOG=1 shows every line the Worker logs (to see why a check failed).
      if (process.env.BENCH_LOG) console.error(line);
      log.receiveLine(line);
    },
  });
  try {
    // Both of the Worker's ways to Postgres, counted outside it (support/RoundTripCounter.ts).
    const roundTrips = {
      webSocket: countWireRoundTrips(stack.neonWire, stack.neonProxy),
      http: countNeonHttpRoundTrips(stack.neonHttp, stack.databaseName),
    };
    const context: MeasureContext = { stack, workerUrl: worker.origin, roundTrips };

    progress("warming up…");
    for (const commandCase of [cases.ping, ...cases.commands]) {
      await warmUp(context, commandCase, { concurrency: 1, samples: 10 });
      await warmUp(context, commandCase, { concurrency: highestConcurrency, samples: 2 * highestConcurrency });
    }
    const startStop = { start: cases.raffleStart, stop: cases.raffleStop };
    await measureStartStop(context, startStop, { concurrency: 1, rounds: 5, count: false });
    await measureStartStop(context, startStop, { concurrency: highestConcurrency, rounds: 2, count: false });
    log.takeProblems();

    const rows: CommandRow[] = [];
    for (const concurrency of concurrencyLevels) {
      progress(`measuring at concurrency ${concurrency}…`);
      const batch = { concurrency, samples: samplesPerRow };
      const ping = await measureBatch(context, cases.ping, batch);
      rows.push({ label: cases.ping.label, concurrency, result: ping, ping });
      for (const commandCase of cases.commands) {
        rows.push({
          label: commandCase.label,
          concurrency,
          result: await measureBatch(context, commandCase, batch),
          ping,
        });
      }
      const { start, stop } = await measureStartStop(context, startStop, {
        concurrency,
        rounds: samplesPerRow / concurrency,
        count: true,
      });
      rows.push({ label: cases.raffleStart.label, concurrency, result: start, ping });
      rows.push({ label: `${cases.raffleStop.label} (resets start)`, concurrency, result: stop, ping });
    }
    progress("done");
    if (stack.postgresKind === "pglite") {
      console.log("Warning: Postgres is PGlite (one shared session); set DATABASE_URL for representative numbers.\n");
    }
    console.log(
      formatCommandReport({
        samplesPerRow,
        fakeLatencyMilliseconds,
        roundTripSources: { webSocket: roundTrips.webSocket.source, http: roundTrips.http.source },
        rows,
        problems: log.takeProblems(),
      }),
    );
  } finally {
    await worker.stop();
  }
} finally {
  await stack.stop();
}
