/**
 * What one minute of raffles costs: for 10, 100 and 1,000 due live raffles, the wall time of the
 * tick, its subrequests and its database round trips, on a cold minute (Get Chatters) and the
 * warm one after it, plus 100 raffles through the queue fan-out. The Worker runs under wrangler
 * against the Twitch and Discord fakes with injected latency. See bench/README.md.
 *
 * Run with `npx tsx bench/tick.ts`. DATABASE_URL (a Postgres server URL) and REDIS_URL are used
 * when set, like the tests do; otherwise a throwaway Postgres and Redis are started.
 */
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chatterCacheSeconds } from "../worker/cache/chatterCache";
import type { BenchReport } from "./support/BenchReport";
import { formatReport } from "./support/formatReport";
import { productionFanoutThreshold, type RaffleMinutes, runRaffleMinutes } from "./support/runRaffleMinutes";
import { startBenchStack } from "./support/startBenchStack";

const directSizes = [10, 100, 1_000];
const fanoutSize = 100;
const fakeLatencyMilliseconds = 50;
const chattersPerChannel = 50;
const directory = join(dirname(fileURLToPath(import.meta.url)), "..");

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
  const run = { chattersPerChannel, directory };
  const direct: RaffleMinutes[] = [];
  for (const [index, raffles] of directSizes.entries()) {
    console.error(`measuring ${raffles} raffles, direct path…`);
    direct.push(await runRaffleMinutes(stack, { ...run, path: "direct", raffles, batch: index + 1 }));
  }
  console.error(`measuring ${fanoutSize} raffles through the queue…`);
  const fanout = await runRaffleMinutes(stack, {
    ...run,
    path: "fan-out",
    raffles: fanoutSize,
    batch: directSizes.length + 1,
  });
  const report: BenchReport = {
    fakeLatencyMilliseconds,
    chattersPerChannel,
    queueBatchSize: await readQueueBatchSize(join(directory, "wrangler.toml")),
    chatterCacheSeconds,
    productionFanoutThreshold,
    direct,
    fanout,
  };
  if (stack.postgresKind === "pglite") {
    console.log("Warning: Postgres is PGlite (one shared session); set DATABASE_URL for representative numbers.\n");
  }
  console.log(formatReport(report));
} finally {
  await stack.stop();
}

/** The queue consumer's `max_batch_size`: how many raffles one consumer invocation may draw. */
async function readQueueBatchSize(wranglerTomlPath: string): Promise<number> {
  const match = /^\s*max_batch_size\s*=\s*(\d+)/m.exec(await readFile(wranglerTomlPath, "utf8"));
  if (!match?.[1]) throw new Error(`no max_batch_size in ${wranglerTomlPath}`);
  return Number(match[1]);
}
