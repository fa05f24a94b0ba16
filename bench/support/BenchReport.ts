import { type CostLine, fitCostLine } from "./fitCostLine";
import type { TickMeasurement, TickMinute } from "./measureTick";
import type { RaffleMinutes } from "./runRaffleMinutes";

/** Everything the benchmark measured, and the settings it ran with. */
export interface BenchReport {
  fakeLatencyMilliseconds: number;
  chattersPerChannel: number;
  /** `max_batch_size` of the queue consumer in wrangler.toml. */
  queueBatchSize: number;
  /** TTL of the chatter cache (worker/cache/chatterCache.ts). */
  chatterCacheSeconds: number;
  /** TICK_FANOUT_THRESHOLD when not set (worker/env.ts), which the fan-out runs use. */
  productionFanoutThreshold: number;
  direct: RaffleMinutes[];
  fanout: RaffleMinutes | undefined;
}

/** Workers Free allows 50 subrequests per invocation; the Paid plan 10,000. */
export const freePlanSubrequests = 50;
export const paidPlanSubrequests = 10_000;
/** Discord's global limit per bot. */
export const discordRequestsPerSecond = 50;

/** Subrequests as Workers count them: outbound HTTP plus the database WebSockets. */
export function countAllSubrequests(measurement: TickMeasurement): number {
  return measurement.subrequests.http + measurement.subrequests.neonWebSockets;
}

export function listMeasurements(report: BenchReport): TickMeasurement[] {
  return [...report.direct, ...(report.fanout ? [report.fanout] : [])].flatMap((minutes) => [
    minutes.cold,
    minutes.warm,
  ]);
}

/** One quantity of the direct-path ticks of one minute kind, split into per raffle and shared. */
export function fitMinuteCost(
  direct: readonly TickMeasurement[],
  minute: TickMinute,
  read: (measurement: TickMeasurement) => number,
): CostLine {
  return fitCostLine(
    direct.filter((entry) => entry.minute === minute).map((entry) => ({ raffles: entry.raffles, value: read(entry) })),
  );
}
