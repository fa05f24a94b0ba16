import { gateLookupCallsPerSlot } from "../../worker/raffle/applyGates";
import { countAllSubrequests } from "./BenchReport";
import { formatNumber, formatSeconds, formatTable } from "./formatTable";
import type { TickMeasurement } from "./measureTick";
import type { GatesRun } from "./runGatedMinutes";
import type { FollowerLookupModel } from "./simulateFollowerLookups";

/** The gates table, the followers gate's warm-up, and what `channel.chat.message` costs. */
export function formatGatesReport(run: GatesRun, models: readonly FollowerLookupModel[]): string {
  return [
    "Raffle gates (raffle/applyGates.ts): per raffle-minute, direct path, one Worker for all rows",
    `(${run.rows[0]?.raffles ?? 0} raffles per row; minute 1 cold: no chatters nor gate facts cached; 2 and 3 right after it).`,
    formatGateRows(run),
    "subreq: outbound HTTP + Neon WebSockets per raffle; Δ: minus the same minute of the no-gates row of that chat size;",
    "DB: the tick's databaseQueries; Upstash req: HTTP requests (subrequests), cmds: Redis commands in them (what Upstash",
    "bills); Users/Subs/Follows/Chatters: Helix calls per raffle (Get Users, Get Broadcaster Subscriptions, Get Channel",
    "Followers, Get Chatters); drawn: slots with a winner (the others found nobody eligible); tick: the whole tick.",
    "",
    formatWarmUp(run),
    "",
    formatModels(models),
    ...formatProblems(run.rows.flatMap((row) => row.minutes)),
    "",
    ...formatChatMessageCost(),
  ].join("\n");
}

function formatGateRows(run: GatesRun): string {
  const baseline = (chatters: number, minute: number) =>
    run.rows.find((row) => row.label === "no gates" && row.chattersPerChannel === chatters)?.minutes[minute];
  const perRaffle = (value: number, raffles: number) => formatNumber(value / raffles, 1);
  return formatTable(
    [
      "gate",
      "chat",
      "min",
      "drawn",
      "subreq",
      "Δ subreq",
      "DB",
      "Upstash req",
      "cmds",
      "Users",
      "Subs",
      "Follows",
      "Chatters",
      "tick",
    ],
    run.rows.flatMap((row) =>
      row.minutes.map((tick, minute) => {
        const base = baseline(row.chattersPerChannel, minute);
        const counts = tick.subrequests;
        return [
          row.label,
          formatNumber(row.chattersPerChannel),
          `${minute + 1}${minute === 0 ? " cold" : ""}`,
          `${tick.summary.drawn}/${row.raffles}`,
          perRaffle(countAllSubrequests(tick), row.raffles),
          base === undefined
            ? "–"
            : formatSigned((countAllSubrequests(tick) - countAllSubrequests(base)) / row.raffles),
          perRaffle(tick.summary.databaseQueries, row.raffles),
          perRaffle(counts.upstash, row.raffles),
          perRaffle(counts.upstashCommands, row.raffles),
          perRaffle(counts.helixUsers, row.raffles),
          perRaffle(counts.helixSubscriptions, row.raffles),
          perRaffle(counts.helixFollowers, row.raffles),
          perRaffle(counts.helixChatters, row.raffles),
          formatSeconds(tick.tickMilliseconds),
        ];
      }),
    ),
  );
}

function formatWarmUp(run: GatesRun): string {
  const { followersWarmUp: warmUp } = run;
  const steps = warmUp.knownAfterMinute;
  const last = steps.at(-1);
  const done = last !== undefined && last.fewest >= warmUp.chattersPerChannel;
  const trail = steps
    .map((step, index) => `${index + 1}: ${step.fewest === step.most ? step.fewest : `${step.fewest}–${step.most}`}`)
    .join(", ");
  return [
    `Followers gate warm-up, measured: followers_only, ${warmUp.chattersPerChannel} chatters (the whole chat is the sample), ` +
      `${warmUp.raffles} raffles, ${gateLookupCallsPerSlot} Get Channel Followers calls per raffle-minute.`,
    `Chatters known after each minute (fewest–most over the raffles): ${trail}.`,
    done
      ? `Every chatter known after minute ${steps.length}; draws per minute: ${steps.map((step) => step.drawn).join(", ")}.`
      : `Not every chatter was known after ${steps.length} minutes.`,
  ].join("\n");
}

function formatModels(models: readonly FollowerLookupModel[]): string {
  return [
    `Followers gate warm-up, modelled (support/simulateFollowerLookups.ts): a fresh sample of min(chat, 500) each minute,`,
    `${gateLookupCallsPerSlot} lookups a minute, answers kept at least 3 h (one bucket of cache/gateFacts.ts), following or not, no follows meanwhile.`,
    formatTable(
      ["chat", "followers", "sample", "sample / 4", "whole sample known at", "known share, steady", "eligible/slot"],
      models.map((model) => [
        formatNumber(model.chatSize),
        `${formatNumber(model.followerShare * 100)} %`,
        formatNumber(model.sampleSize),
        `${formatNumber(model.idealMinutes)} min`,
        model.firstFullyKnownMinute === undefined
          ? `never in ${formatNumber(model.horizonMinutes / 60)} h`
          : `minute ${formatNumber(model.firstFullyKnownMinute)}`,
        `${formatNumber(model.steadyKnownShare * 100, 1)} %`,
        formatNumber(model.steadyEligible, 1),
      ]),
    ),
    "sample / 4: the minutes a fixed sample would need if no answer expired; steady: over the model's last two hours.",
  ].join("\n");
}

function formatProblems(measurements: readonly TickMeasurement[]): string[] {
  const problems = measurements.flatMap((entry) => entry.problems);
  if (problems.length === 0) return ["The Worker logged no warning or error during the gated ticks."];
  return [
    `The Worker logged ${problems.length} warnings or errors during the gated ticks; the first ones:`,
    ...problems.slice(0, 5).map((line) => `  ${line.slice(0, 300)}`),
  ];
}

/**
 * Plans (bench/README.md cites them): Workers Free 100,000 requests a day; Workers Paid 10 million
 * a month included, then $0.30 per million; Upstash Free 500,000 commands a month, pay-as-you-go
 * $0.20 per 100,000 commands.
 */
const plans = {
  workersFreePerDay: 100_000,
  workersPaidIncludedPerMonth: 10_000_000,
  workersPaidPerMillion: 0.3,
  upstashFreePerMonth: 500_000,
  upstashPer100k: 0.2,
};
const daysPerMonth = 30;

/** One Worker invocation and one Upstash command per chat message (worker/twitch/handleEventSub.ts). */
export function formatChatMessageCost(): string[] {
  const viewers = 10_000;
  const rates = [
    { label: "1 per 100 viewers", perViewerMinute: 1 / 100 },
    { label: "1 per 10 viewers", perViewerMinute: 1 / 10 },
  ];
  const rows = rates.flatMap((rate) => {
    const perMinute = viewers * rate.perViewerMinute;
    return [
      { rate, schedule: "4 h a day", minutesPerDay: 240, perMinute },
      { rate, schedule: "live 24 h", minutesPerDay: 1_440, perMinute },
    ];
  });
  const dollars = (value: number) => `$${formatNumber(value, 2)}`;
  return [
    `channel.chat.message (the active_minutes gate): each message is one Worker invocation (a request) and one Upstash`,
    `command (a SET); ${formatNumber(viewers)} viewers in chat, messages per viewer-minute assumed (see bench/README.md).`,
    formatTable(
      [
        "msgs/min",
        "rate",
        "streamed",
        "msgs/day",
        "msgs/month",
        "Workers Free",
        "Workers Paid beyond 10 M",
        "Upstash Free",
        "Upstash PAYG",
      ],
      rows.map((row) => {
        const perDay = row.perMinute * row.minutesPerDay;
        const perMonth = perDay * daysPerMonth;
        const freeMinutes = plans.workersFreePerDay / row.perMinute;
        const paidBeyond = Math.max(0, perMonth - plans.workersPaidIncludedPerMonth);
        const upstashFreeHours = plans.upstashFreePerMonth / row.perMinute / 60;
        return [
          formatNumber(row.perMinute),
          row.rate.label,
          row.schedule,
          formatNumber(perDay),
          formatNumber(perMonth),
          perDay > plans.workersFreePerDay ? `used up after ${formatNumber(freeMinutes)} min` : "fits",
          `${dollars((paidBeyond / 1_000_000) * plans.workersPaidPerMillion)}/month`,
          perMonth > plans.upstashFreePerMonth
            ? `used up after ${formatNumber(upstashFreeHours, 1)} h of stream`
            : "fits",
          `${dollars((perMonth / 100_000) * plans.upstashPer100k)}/month`,
        ];
      }),
    ),
    "Workers Free: 100,000 requests a day for the whole account (the ticks, commands and pages count too); Workers Paid:",
    "$5 a month with 10 M requests included, $0.30 per further million; Upstash Free: 500,000 commands a month (the",
    "ticks' own commands count too), pay-as-you-go $0.20 per 100,000. A month is 30 days of the schedule.",
  ];
}

function formatSigned(value: number): string {
  const text = formatNumber(Math.abs(value), 1);
  if (text === "0.0") return "0.0";
  return `${value < 0 ? "−" : "+"}${text}`;
}
