import { formatNumber, formatTable } from "./formatTable";
import type { BatchCounts, BatchResult } from "./measureCommand";

/** One command at one concurrency, with the PING of the same concurrency to compare against. */
export interface CommandRow {
  label: string;
  concurrency: number;
  result: BatchResult;
  ping: BatchResult;
}

export interface CommandReport {
  samplesPerRow: number;
  fakeLatencyMilliseconds: number;
  roundTripSources: { webSocket: string; http: string };
  rows: CommandRow[];
  /** Warnings and errors the Worker logged while measuring. */
  problems: string[];
}

/** The nearest-rank percentile (p in 0…100) of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((left, right) => left - right);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

/** A per-command mean: whole numbers as such, otherwise two decimals (a sign something varied). */
function formatPerCommand(total: number, samples: number): string {
  const mean = total / samples;
  return Math.abs(mean - Math.round(mean)) < 0.005 ? formatNumber(Math.round(mean)) : formatNumber(mean, 2);
}

function formatRatio(value: number, reference: number): string {
  return `${formatNumber(value / reference, 1)}×`;
}

function describeCounts(counts: BatchCounts, samples: number): string[] {
  return [
    formatPerCommand(counts.roundTripsWebSocket, samples),
    formatPerCommand(counts.roundTripsHttp, samples),
    formatPerCommand(counts.webSockets, samples),
    formatPerCommand(counts.upstashRequests, samples),
    formatPerCommand(counts.twitchCalls, samples),
    formatPerCommand(counts.discordCalls, samples),
  ];
}

export function formatCommandReport(report: CommandReport): string {
  const headers = [
    "command",
    "conc.",
    "p50 ms",
    "p99 ms",
    "p50/PING",
    "p99/PING",
    "DB trips WS",
    "DB trips HTTP",
    "WebSockets",
    "Upstash",
    "Twitch",
    "Discord",
  ];
  const rows: string[][] = [];
  for (const row of report.rows) {
    const answers = row.result.samples.map((sample) => sample.answerMilliseconds);
    const pings = row.ping.samples.map((sample) => sample.answerMilliseconds);
    const p50 = percentile(answers, 50);
    const p99 = percentile(answers, 99);
    const isPing = row.result === row.ping;
    const edits = row.result.samples.flatMap((sample) =>
      sample.editMilliseconds === undefined ? [] : [sample.editMilliseconds],
    );
    rows.push([
      edits.length > 0 ? `${row.label} (the defer)` : row.label,
      String(row.concurrency),
      formatNumber(p50, 1),
      formatNumber(p99, 1),
      isPing ? "1.0×" : formatRatio(p50, percentile(pings, 50)),
      isPing ? "1.0×" : formatRatio(p99, percentile(pings, 99)),
      ...describeCounts(row.result.counts, row.result.samples.length),
    ]);
    if (edits.length > 0) {
      rows.push([
        "  ↳ until the edit reached Discord",
        String(row.concurrency),
        formatNumber(percentile(edits, 50), 1),
        formatNumber(percentile(edits, 99), 1),
        ...Array.from({ length: 8 }, () => ""),
      ]);
    }
  }
  const lines = [
    `${report.samplesPerRow} samples per row after warm-up; Twitch and Discord fakes answer after ${report.fakeLatencyMilliseconds} ms.`,
    "Latency: the HTTP answer to the signed interaction, from sending it to the end of its body.",
    "Counts are per command (batch total / samples), taken outside the Worker;",
    `DB round trips over the WebSocket = ${report.roundTripSources.webSocket};`,
    `over HTTP = ${report.roundTripSources.http}.`,
    "",
    formatTable(headers, rows),
  ];
  if (report.problems.length > 0) {
    lines.push(
      "",
      `The Worker logged ${report.problems.length} warning(s) or error(s):`,
      ...report.problems.slice(0, 10),
    );
  }
  return lines.join("\n");
}
