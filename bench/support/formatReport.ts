import { type BenchReport, countAllSubrequests, fitMinuteCost, listMeasurements } from "./BenchReport";
import { describeLimits } from "./describeLimits";
import { formatNumber, formatSeconds, formatTable } from "./formatTable";
import type { TickMeasurement, TickMinute } from "./measureTick";

const minuteLabels: Record<TickMinute, string> = {
  cold: "1st: cold, Get Chatters",
  warm: "2nd: warm, cached chatters",
};

/** The printed result: per-raffle costs, per-tick totals, the shared overhead, and what they mean. */
export function formatReport(report: BenchReport): string {
  const measurements = listMeasurements(report);
  return [
    `LiveLoot tick benchmark: ${report.fakeLatencyMilliseconds} ms of latency on every Twitch and Discord fake call, ` +
      `${report.chattersPerChannel} chatters per channel, 3 loot items per guild, one channel per raffle.`,
    "Direct rows run with TICK_FANOUT_THRESHOLD=100000 so the scheduled handler does all the work; in production",
    `more than ${report.productionFanoutThreshold} live raffles would fan out through the queue, which the ` +
      `fan-out rows measure (threshold ${report.productionFanoutThreshold}).`,
    "",
    "Per raffle (subrequests = outbound HTTP to Twitch, Discord, Upstash and drand, plus Neon WebSocket connections)",
    formatTable(
      [
        "raffles",
        "minute",
        "path",
        "tick",
        "beacon wait",
        "all announced",
        "HTTP",
        "Neon WS",
        "subrequests",
        "DB round trips",
      ],
      measurements.map((entry) => [
        formatNumber(entry.raffles),
        minuteLabels[entry.minute],
        entry.path,
        formatSeconds(entry.tickMilliseconds),
        entry.beaconWaitMilliseconds === undefined ? "–" : formatSeconds(entry.beaconWaitMilliseconds),
        formatSeconds(entry.settledMilliseconds),
        formatNumber(entry.subrequests.http / entry.raffles, 2),
        formatNumber(entry.subrequests.neonWebSockets / entry.raffles, 2),
        formatNumber(countAllSubrequests(entry) / entry.raffles, 2),
        formatNumber(entry.databaseRoundTrips / entry.raffles, 2),
      ]),
    ),
    "tick: the scheduled handler; all announced: until the last winner of the minute was posted (on the fan-out",
    "path, by the queue consumers). beacon wait: the longest from reading a slot's entrants to the drand round's",
    "publication (quicknet's 3 s period: 0 to 3 s, once per tick or consumer batch, whatever the number of raffles).",
    "DB round trips: the tick's databaseQueries on the direct path, Postgres' count on the fan-out path.",
    "",
    "Totals per tick, by kind",
    formatTotals(measurements),
    'DB (tick line): databaseQueries of the Worker\'s "tick finished" line (the scheduled handler only).',
    "DB (Postgres): statements Postgres counted (transactions minus sessions), queue consumers included; it can run",
    "a few higher than the tick line. Discord peak: the most posts within one second.",
    "",
    "Per raffle and shared per tick, direct path (line through the 10- and 1,000-raffle ticks)",
    formatOverhead(report.direct.flatMap((minutes) => [minutes.cold, minutes.warm])),
    "",
    formatCacheSurvival(report),
    ...formatProblems(measurements),
    "",
    "What this means",
    ...describeLimits(report).map((line) => `- ${line}`),
  ].join("\n");
}

function formatTotals(measurements: TickMeasurement[]): string {
  return formatTable(
    [
      "raffles",
      "minute",
      "path",
      "Twitch auth",
      "validate",
      "EventSub",
      "Get Streams",
      "Get Chatters",
      "Discord",
      "Upstash",
      "drand",
      "other",
      "HTTP",
      "Neon WS",
      "DB (tick line)",
      "DB (Postgres)",
      "Discord peak",
    ],
    measurements.map((entry) => {
      const counts = entry.subrequests;
      return [
        formatNumber(entry.raffles),
        entry.minute,
        entry.path,
        ...[
          counts.twitchAuth,
          counts.twitchValidate,
          counts.helixEventSub,
          counts.helixStreams,
          counts.helixChatters,
          counts.discordMessages,
          counts.upstash,
          counts.drand,
          counts.twitchOther + counts.discordOther,
          counts.http,
          counts.neonWebSockets,
          entry.summary.databaseQueries,
          entry.databaseStatements,
        ].map((value) => formatNumber(value)),
        `${formatNumber(entry.discordPeakPerSecond)}/s`,
      ];
    }),
  );
}

function formatOverhead(direct: TickMeasurement[]): string {
  const minutes: TickMinute[] = ["cold", "warm"];
  return formatTable(
    [
      "minute",
      "HTTP/raffle",
      "WS/raffle",
      "DB/raffle",
      "ms/raffle",
      "shared HTTP",
      "shared WS",
      "shared DB",
      "shared ms",
    ],
    minutes.map((minute) => {
      const lines = [
        fitMinuteCost(direct, minute, (entry) => entry.subrequests.http),
        fitMinuteCost(direct, minute, (entry) => entry.subrequests.neonWebSockets),
        fitMinuteCost(direct, minute, (entry) => entry.databaseRoundTrips),
        fitMinuteCost(direct, minute, (entry) => entry.tickMilliseconds),
      ];
      return [
        minute,
        ...lines.map((line, index) => formatNumber(line.perRaffle, index === 3 ? 1 : 2)),
        ...lines.map((line) => formatNumber(line.shared, 0)),
      ];
    }),
  );
}

function formatCacheSurvival(report: BenchReport): string {
  const counts = [...report.direct, ...(report.fanout ? [report.fanout] : [])]
    .map(
      (minutes) =>
        `${formatNumber(minutes.cachedAtNextMinute)}/${formatNumber(minutes.cold.raffles)} (${minutes.cold.path})`,
    )
    .join(", ");
  return (
    `Chatter cache (TTL ${report.chatterCacheSeconds} s): lists still cached 60 s after the cold tick started: ${counts}. ` +
    "The warm rows run right after the cold tick; a real next minute comes 60 s later."
  );
}

function formatProblems(measurements: TickMeasurement[]): string[] {
  const problems = measurements.flatMap((entry) => entry.problems);
  if (problems.length === 0) return ["The Worker logged no warning or error during any measured tick."];
  return [
    `The Worker logged ${problems.length} warnings or errors during the measured ticks; the first ones:`,
    ...problems.slice(0, 5).map((line) => `  ${line.slice(0, 300)}`),
  ];
}
