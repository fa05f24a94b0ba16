/**
 * What one minute of raffles costs: for 10, 100 and 1,000 due live raffles, the wall time of the
 * tick, its subrequests and its database round trips, on a cold minute (Get Chatters) and the
 * warm one after it, plus 100 raffles through the queue fan-out; then the raffle gates: each gate
 * alone and all of them, for 50 and 5,000 chatters per channel, cold and warm; then the server
 * limits: 13 raffles at the limits, one at the limits beside twelve small ones, with the Worker's
 * CPU and memory. The Worker runs under wrangler against the Twitch and Discord fakes with injected
 * latency. See bench/README.md.
 *
 * Run with `npx tsx bench/tick.ts` (`--gates-only`: only the gates part; `--no-gates`: without it;
 * `--limits-only`: only the server limits; `--no-limits`: without them).
 * DATABASE_URL (a Postgres server URL) and REDIS_URL are used when set, like the tests do;
 * otherwise a throwaway Postgres and Redis are started.
 */
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chatterCacheSeconds } from "../worker/cache/chatterCache";
import type { BenchReport } from "./support/BenchReport";
import { formatGatesReport } from "./support/formatGatesReport";
import { formatLimitsReport } from "./support/formatLimitsReport";
import { formatReport } from "./support/formatReport";
import { runGatedMinutes } from "./support/runGatedMinutes";
import { type LimitScenario, runLimitRows } from "./support/runLimitRows";
import { productionFanoutThreshold, type RaffleMinutes, runRaffleMinutes } from "./support/runRaffleMinutes";
import { simulateFollowerLookups } from "./support/simulateFollowerLookups";
import { startBenchStack } from "./support/startBenchStack";

const directSizes = [10, 100, 1_000];
const fanoutSize = 100;
const fakeLatencyMilliseconds = 50;
const chattersPerChannel = 50;
const directory = join(dirname(fileURLToPath(import.meta.url)), "..");
/** The gates part: raffles per row, chat sizes, minutes per row (1 cold + warm), followers warm-up cap. */
const gatedRaffles = 5;
const gatedChatSizes = [50, 5_000];
const gatedMinutesPerRow = 3;
const followersWarmUpMinutes = 20;
/** Follower share of the bench's chat (support/seedGateFacts.ts), for the followers gate's model. */
const followerShare = 0.45;
/** The server-limit rows (issue 21): the Free plan's 13 raffles, all or one of them at the limits. */
const limitScenarios: LimitScenario[] = [
  { label: "no raffle due", raffles: 0, atLimit: 0 },
  { label: "1 small", raffles: 1, atLimit: 0 },
  { label: "13 small", raffles: 13, atLimit: 0 },
  { label: "1 at the limits + 12 small", raffles: 13, atLimit: 1 },
  { label: "13 at the limits", raffles: 13, atLimit: 13 },
];
const arguments_ = new Set(process.argv.slice(2));
const limitsOnly = arguments_.has("--limits-only");
const runsTicks = !arguments_.has("--gates-only") && !limitsOnly;
const runsGates = !arguments_.has("--no-gates") && !limitsOnly;
const runsLimits = !arguments_.has("--no-limits") && !arguments_.has("--gates-only");

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
  if (stack.postgresKind === "pglite") {
    console.log("Warning: Postgres is PGlite (one shared session); set DATABASE_URL for representative numbers.\n");
  }
  if (runsTicks) console.log(formatReport(await measureTicks()));
  if (runsGates) {
    const gates = await runGatedMinutes(stack, {
      directory,
      firstBatch: directSizes.length + 2,
      raffles: gatedRaffles,
      chatSizes: gatedChatSizes,
      minutesPerRow: gatedMinutesPerRow,
      warmUpMinutes: followersWarmUpMinutes,
    });
    const models = [50, 500, 5_000, 10_000].map((chatSize) => simulateFollowerLookups(chatSize, followerShare));
    if (runsTicks) console.log("");
    console.log(formatGatesReport(gates, models));
  }
  if (runsLimits) {
    const rows = await runLimitRows(stack, {
      directory,
      // After the ticks' batches and the gates' (runGatedMinutes numbers its own from firstBatch).
      firstBatch: 60,
      scenarios: limitScenarios,
      smallChatters: chattersPerChannel,
    });
    if (runsTicks || runsGates) console.log("");
    console.log(formatLimitsReport(rows));
  }
} finally {
  await stack.stop();
}

async function measureTicks(): Promise<BenchReport> {
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
  return {
    fakeLatencyMilliseconds,
    chattersPerChannel,
    queueBatchSize: await readQueueBatchSize(join(directory, "wrangler.toml")),
    chatterCacheSeconds,
    productionFanoutThreshold,
    direct,
    fanout,
  };
}

/** The queue consumer's `max_batch_size`: how many raffles one consumer invocation may draw. */
async function readQueueBatchSize(wranglerTomlPath: string): Promise<number> {
  const match = /^\s*max_batch_size\s*=\s*(\d+)/m.exec(await readFile(wranglerTomlPath, "utf8"));
  if (!match?.[1]) throw new Error(`no max_batch_size in ${wranglerTomlPath}`);
  return Number(match[1]);
}
