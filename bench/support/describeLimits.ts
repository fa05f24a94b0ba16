import { globalRequestsPerSecond } from "../../worker/discord/rateLimitBuckets";
import {
  type BenchReport,
  countAllSubrequests,
  discordRequestsPerSecond,
  fitMinuteCost,
  freePlanSubrequests,
  listMeasurements,
  paidPlanSubrequests,
} from "./BenchReport";
import { countRafflesWithin } from "./fitCostLine";
import { formatNumber } from "./formatTable";
import type { TickMeasurement, TickMinute } from "./measureTick";

/** The numbers read against Workers' subrequest limits and Discord's global rate limit. */
export function describeLimits(report: BenchReport): string[] {
  const direct = report.direct.flatMap((minutes) => [minutes.cold, minutes.warm]);
  const cold = fitMinuteCost(direct, "cold", countAllSubrequests);
  const warm = fitMinuteCost(direct, "warm", countAllSubrequests);
  const smallest = report.direct[0];
  return [
    `Workers Free (${freePlanSubrequests} subrequests per invocation): a direct tick costs about ` +
      `${formatNumber(cold.shared)} + ${formatNumber(cold.perRaffle, 1)} per raffle on a cold minute and ` +
      `${formatNumber(warm.shared)} + ${formatNumber(warm.perRaffle, 1)} per raffle on a warm one, so one invocation ` +
      `holds ${formatNumber(countRafflesWithin(freePlanSubrequests, cold))} raffles cold and ` +
      `${formatNumber(countRafflesWithin(freePlanSubrequests, warm))} warm` +
      (smallest
        ? ` (the ${smallest.cold.raffles}-raffle ticks used ${countAllSubrequests(smallest.cold)} and ` +
          `${countAllSubrequests(smallest.warm)})`
        : "") +
      `. With the default fan-out threshold of ${report.productionFanoutThreshold}, a direct tick may reach about ` +
      `${formatNumber(cold.shared + cold.perRaffle * report.productionFanoutThreshold)} on a cold minute.`,
    ...describeFanout(report),
    `Workers Paid (${formatNumber(paidPlanSubrequests)} per invocation): the direct path would hold about ` +
      `${formatNumber(countRafflesWithin(paidPlanSubrequests, cold))} raffles cold by subrequests, but wall time grows ` +
      `by ${describeMillisecondsPerRaffle(direct, "cold")} per raffle with ${report.fakeLatencyMilliseconds} ms APIs, ` +
      "so the queue, not the limit, is what lets it scale.",
    describeDiscordRate(report),
    `Database: ${describeDatabasePerRaffle(direct, "cold")} round trips per raffle on a cold minute and ` +
      `${describeDatabasePerRaffle(direct, "warm")} on a warm one; each is a Neon round trip in production ` +
      "(here a local Postgres with no network latency), so they add wall time the fakes' latency does not show.",
    "CPU time is not measured here (workerd under wrangler does not report it); the Free plan allows 10 ms per " +
      "invocation.",
  ];
}

function describeFanout(report: BenchReport): string[] {
  if (!report.fanout) return [];
  const perMessage = (entry: TickMeasurement) => countAllSubrequests(entry) / entry.raffles;
  const { cold, warm } = report.fanout;
  return [
    `Fan-out: ${formatNumber(cold.raffles)} raffles cost ${formatNumber(perMessage(cold), 2)} subrequests each on a ` +
      `cold minute and ${formatNumber(perMessage(warm), 2)} on a warm one (tick and consumers together, a database ` +
      `connection per message included); a consumer batch of ${report.queueBatchSize} messages is one invocation, ` +
      `about ${formatNumber(perMessage(cold) * report.queueBatchSize)} cold and ` +
      `${formatNumber(perMessage(warm) * report.queueBatchSize)} warm against the Free plan's ${freePlanSubrequests}. ` +
      `Locally the consumers drained them in ${formatNumber(cold.settledMilliseconds / 1000, 1)} s, one message at ` +
      `a time (Discord saw at most ${formatNumber(cold.discordPeakPerSecond)} posts/s); Cloudflare runs consumer ` +
      "invocations concurrently.",
  ];
}

function describeMillisecondsPerRaffle(direct: TickMeasurement[], minute: TickMinute): string {
  return `${formatNumber(fitMinuteCost(direct, minute, (entry) => entry.tickMilliseconds).perRaffle)} ms`;
}

function describeDatabasePerRaffle(direct: TickMeasurement[], minute: TickMinute): string {
  return formatNumber(fitMinuteCost(direct, minute, (entry) => entry.databaseRoundTrips).perRaffle, 1);
}

function describeDiscordRate(report: BenchReport): string {
  const peak = Math.max(...listMeasurements(report).map((entry) => entry.discordPeakPerSecond));
  const verdict =
    peak > discordRequestsPerSecond
      ? `above Discord's ${discordRequestsPerSecond}/s global limit per bot: the Worker's pacing ` +
        `(${globalRequestsPerSecond}/s per isolate) did not hold, so a big minute would meet global 429s`
      : `under Discord's ${discordRequestsPerSecond}/s global limit per bot: each isolate paces bot requests at ` +
        `${globalRequestsPerSecond}/s (concurrent queue consumers are separate isolates, each paced on its own)`;
  return (
    `Discord: announcements peaked at ${formatNumber(peak)} posts/s (${report.fakeLatencyMilliseconds} ms per post), ` +
    `${verdict}. A slower Discord lowers the direct path's rate; concurrent queue consumers raise it.`
  );
}
