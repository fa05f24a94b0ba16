import { countAllSubrequests, freePlanSubrequests } from "./BenchReport";
import { formatNumber, formatSeconds, formatTable } from "./formatTable";
import type { TickMinute } from "./measureTick";
import type { LimitRow } from "./runLimitRows";

/** Workers Free allows 10 ms of CPU per invocation (Paid: 30 s by default, up to 5 minutes). */
export const freePlanCpuMilliseconds = 10;
export const paidPlanDefaultCpuMilliseconds = 30_000;
const mebibyte = 1024 * 1024;

/** The printed result of the server-limit rows, and what they mean for the Workers plans. */
export function formatLimitsReport(rows: readonly LimitRow[]): string {
  const perRaffle = (value: number, raffles: number) => (raffles === 0 ? "–" : formatNumber(value / raffles, 2));
  const table = formatTable(
    [
      "scenario",
      "minute",
      "raffles",
      "drawn",
      "failed",
      "tick",
      "CPU main",
      "CPU all",
      "CPU/raffle",
      "peak RSS",
      "RSS growth",
      "subreq/raffle",
      "DB/raffle",
    ],
    rows.map((row) => {
      const { measurement } = row;
      const raffles = measurement.raffles;
      return [
        row.scenario.label,
        `${row.minuteNumber} ${row.minute}`,
        formatNumber(raffles),
        formatNumber(measurement.summary.drawn),
        formatNumber(measurement.summary.failed),
        formatSeconds(measurement.tickMilliseconds),
        `${formatNumber(row.mainThreadCpuMilliseconds, 1)} ms`,
        `${formatNumber(row.cpuMilliseconds, 1)} ms`,
        perRaffle(row.mainThreadCpuMilliseconds, raffles),
        `${formatNumber(row.peakResidentBytes / mebibyte, 1)} MiB`,
        `${formatNumber((row.peakResidentBytes - row.residentBeforeBytes) / mebibyte, 1)} MiB`,
        perRaffle(countAllSubrequests(measurement), raffles),
        perRaffle(measurement.databaseRoundTrips, raffles),
      ];
    }),
  );
  const lines = [
    "Server limits (issue 21): one Worker, direct path, warmed up; a raffle at the limit has 1,000 items with",
    "100-character names, 1,000 exclusions, 500 entrants and claims on; a small one 3 items and 50 chatters.",
    table,
    "CPU main: workerd's main thread (the Worker's JavaScript, plus workerd's own I/O handling: an upper bound of",
    "the CPU Cloudflare bills); CPU all: every workerd thread (V8's background compiler and GC too). CPU/raffle:",
    "CPU main / raffles (shared cost included). Minutes 1 and 3 read Get Chatters, 2 and 4 the cache. peak RSS: workerd's resident memory at its highest during the",
    "tick; RSS growth: above its level before the tick. subreq/raffle and DB/raffle: as in the tables above.",
  ];
  const plans = describePlans(rows);
  return [...lines, "", ...plans].join("\n");
}

/** One quantity split into per raffle (small, and at the limits) and shared per tick. */
export interface LimitCosts {
  minute: TickMinute;
  sharedCpuMilliseconds: number;
  smallCpuMillisecondsPerRaffle: number;
  limitCpuMillisecondsPerRaffle: number;
  sharedSubrequests: number;
  subrequestsPerRaffle: number;
  emptyTickCpuMilliseconds: number;
}

/**
 * Per raffle-minute and shared, per minute kind (means over the scenario's minutes of that kind):
 * a line through the 1- and 13-small ticks gives the shared cost and a small raffle's; a raffle at
 * the limits adds (13 at the limits − 13 small) / 13.
 */
export function fitLimitCosts(rows: readonly LimitRow[], minute: TickMinute): LimitCosts {
  const mean = (label: string, read: (row: LimitRow) => number) => {
    const selected = rows.filter((row) => row.scenario.label === label && row.minute === minute);
    if (selected.length === 0) throw new Error(`no ${minute} rows for ${label}`);
    return selected.reduce((sum, row) => sum + read(row), 0) / selected.length;
  };
  const cpu = (row: LimitRow) => row.mainThreadCpuMilliseconds;
  const subrequests = (row: LimitRow) => countAllSubrequests(row.measurement);
  const small = (mean(smallLabels.many, cpu) - mean(smallLabels.one, cpu)) / 12;
  const smallSubrequests = (mean(smallLabels.many, subrequests) - mean(smallLabels.one, subrequests)) / 12;
  return {
    minute,
    sharedCpuMilliseconds: mean(smallLabels.one, cpu) - small,
    smallCpuMillisecondsPerRaffle: small,
    limitCpuMillisecondsPerRaffle: small + (mean(smallLabels.atLimits, cpu) - mean(smallLabels.many, cpu)) / 13,
    sharedSubrequests: mean(smallLabels.one, subrequests) - smallSubrequests,
    subrequestsPerRaffle: smallSubrequests,
    emptyTickCpuMilliseconds: mean(smallLabels.none, cpu),
  };
}

/** The scenario labels the fit reads (bench/tick.ts names them so). */
export const smallLabels = {
  none: "no raffle due",
  one: "1 small",
  many: "13 small",
  atLimits: "13 at the limits",
} as const;

function describePlans(rows: readonly LimitRow[]): string[] {
  const lines: string[] = [];
  for (const minute of ["cold", "warm"] as const) {
    const costs = fitLimitCosts(rows, minute);
    const countFitting = (shared: number, perRaffle: number, budget: number) =>
      Math.max(Math.floor((budget - shared) / perRaffle), 0);
    lines.push(
      `${minute}: shared per tick ${formatNumber(costs.sharedCpuMilliseconds, 1)} ms CPU (a tick with nothing due: ` +
        `${formatNumber(costs.emptyTickCpuMilliseconds, 1)} ms) and ${formatNumber(costs.sharedSubrequests, 1)} subrequests; ` +
        `per raffle-minute ${formatNumber(costs.smallCpuMillisecondsPerRaffle, 2)} ms CPU small, ` +
        `${formatNumber(costs.limitCpuMillisecondsPerRaffle, 2)} ms at the limits, ` +
        `${formatNumber(costs.subrequestsPerRaffle, 2)} subrequests.`,
      `  Free (10 ms CPU, 50 subrequests): ${countFitting(costs.sharedCpuMilliseconds, costs.limitCpuMillisecondsPerRaffle, freePlanCpuMilliseconds)} raffles at the limits ` +
        `(${countFitting(costs.sharedCpuMilliseconds, costs.smallCpuMillisecondsPerRaffle, freePlanCpuMilliseconds)} small) by CPU, ` +
        `${countFitting(costs.sharedSubrequests, costs.subrequestsPerRaffle, freePlanSubrequests)} by subrequests. ` +
        `Paid (30 s CPU by default): ${formatNumber(countFitting(costs.sharedCpuMilliseconds, costs.limitCpuMillisecondsPerRaffle, paidPlanDefaultCpuMilliseconds))} at the limits by CPU.`,
    );
  }
  return lines;
}
