import { countSubrequests, findPeakCallsPerSecond, type SubrequestCounts } from "./countSubrequests";
import type { DatabaseProbe } from "./DatabaseProbe";
import type { BenchStack } from "./startBenchStack";
import type { BenchWorker } from "./startBenchWorker";
import { subtractCounts } from "./startCountingProxy";
import type { TickLog, TickSummary } from "./TickLog";

export type TickPath = "direct" | "fan-out";
/** "cold": the chatter cache is empty (Get Chatters); "warm": the minute after, cache filled. */
export type TickMinute = "cold" | "warm";

/** What one minute of raffles cost, seen from outside the Worker. */
export interface TickMeasurement {
  path: TickPath;
  raffles: number;
  minute: TickMinute;
  /** The scheduled handler, from trigger to return. */
  tickMilliseconds: number;
  /** Until every draw of the minute was announced (the queue consumers included, on the fan-out path). */
  settledMilliseconds: number;
  summary: TickSummary;
  subrequests: SubrequestCounts;
  /** Statements the Worker sent, as Postgres counted them (the scheduled handler and any queue consumers). */
  databaseStatements: number;
  /**
   * The database round trips reported: the tick's own count on the direct path (exact), Postgres'
   * count on the fan-out path, where the queue consumers do the work and log no count.
   */
  databaseRoundTrips: number;
  discordPeakPerSecond: number;
  /** From reading the entrants to the round's publication: the wall time the beacon adds. */
  beaconWaitMilliseconds: number | undefined;
  /** Warnings and errors the Worker logged meanwhile. */
  problems: string[];
}

export interface TickContext {
  stack: BenchStack;
  worker: BenchWorker;
  tickLog: TickLog;
  probe: DatabaseProbe;
}

const settlePollMilliseconds = 100;
const settleTimeoutMilliseconds = 240_000;

/** Runs the tick for `scheduledTime`, waits until its draws are announced, and collects what it cost. */
export async function measureTick(
  context: TickContext,
  run: {
    path: TickPath;
    raffles: number;
    minute: TickMinute;
    scheduledTime: number;
    /**
     * "all" (default): every raffle's draw is announced. "drawn": only the draws the tick's summary
     * counts (direct path only): a gated slot may find nobody eligible and announce nothing.
     */
    settle?: "all" | "drawn";
  },
): Promise<TickMeasurement> {
  const { stack, worker, tickLog, probe } = context;
  const transactionsBefore = await probe.readTransactions();
  const [twitchMark, discordMark, drandMark] = await Promise.all([
    stack.twitch.readLastSequence(),
    stack.discord.readLastSequence(),
    stack.drand.readLastSequence(),
  ]);
  const upstashBefore = stack.upstashProxy.readCounts();
  const neonBefore = stack.neonProxy.readCounts();
  tickLog.takeProblems();

  const startedAt = performance.now();
  await worker.runScheduled(run.scheduledTime);
  const tickMilliseconds = performance.now() - startedAt;
  const expectedDraws = run.settle === "drawn" ? (await tickLog.waitForSummary(run.scheduledTime)).drawn : run.raffles;
  await waitForDeliveries(probe, run.scheduledTime, expectedDraws);
  const settledMilliseconds = performance.now() - startedAt;

  const summary = await tickLog.waitForSummary(run.scheduledTime);
  const neon = subtractCounts(stack.neonProxy.readCounts(), neonBefore);
  const transactions = (await probe.readTransactions()) - transactionsBefore;
  // Opening a session is a transaction too (see DatabaseProbe).
  const databaseStatements = transactions - neon.upgrades;
  const [twitchCalls, discordCalls, drandCalls] = await Promise.all([
    stack.twitch.listCalls({ since: twitchMark }),
    stack.discord.listCalls({ since: discordMark }),
    stack.drand.listCalls({ since: drandMark }),
  ]);
  const { settle: _settle, ...described } = run;
  return {
    ...described,
    tickMilliseconds,
    settledMilliseconds,
    summary,
    subrequests: countSubrequests(
      twitchCalls,
      discordCalls,
      subtractCounts(stack.upstashProxy.readCounts(), upstashBefore),
      neon,
      drandCalls,
    ),
    databaseStatements,
    databaseRoundTrips: run.path === "direct" ? summary.databaseQueries : databaseStatements,
    discordPeakPerSecond: findPeakCallsPerSecond(discordCalls),
    beaconWaitMilliseconds: await probe.readBeaconWait(run.scheduledTime),
    problems: tickLog.takeProblems(),
  };
}

async function waitForDeliveries(probe: DatabaseProbe, slotAt: number, expected: number): Promise<void> {
  const deadline = performance.now() + settleTimeoutMilliseconds;
  let delivered = await probe.countDeliveredDraws(slotAt);
  while (delivered < expected) {
    if (performance.now() > deadline) {
      throw new Error(`only ${delivered} of ${expected} draws were announced within ${settleTimeoutMilliseconds} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, settlePollMilliseconds));
    delivered = await probe.countDeliveredDraws(slotAt);
  }
}
