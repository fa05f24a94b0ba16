/**
 * The CPU cost of checking one drand quicknet signature (bls-unchained-g1-rfc9380) with
 * @noble/curves, as `npm run verify` and the public page do: whether the Worker could afford it
 * within the Workers Free plan's 10 ms of CPU per invocation. Run with `npx tsx bench/bls.ts`
 * (options: `--runs N` warm verifications, default 200; `--cold-runs N` fresh processes, default 5).
 * Needs nothing else: the signature is a real quicknet round, the vector of
 * test/node/integration/fairness-beacon-signature.test.ts.
 */
import { execFileSync } from "node:child_process";
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { bls12_381 } from "@noble/curves/bls12-381.js";
import {
  computeRoundMessage,
  unchainedG1SignatureDst,
  verifyBeaconSignature,
} from "../scripts/fairness/verifyBeaconSignature";
import { quicknet } from "../worker/fairness/beacon";
import { parseHex } from "../worker/fairness/bytes";

/** Real quicknet round 657413, as api.drand.sh serves it. */
const round657413 = {
  round: 657413,
  signature: "b713718a38ae728dfd477991af2822e08d2f305e47718cef9f7848ce4050e7be41076862b98fad56e91a6b85b89cd97b",
};

/** The Workers Free plan's CPU time per invocation (HTTP request or Cron Trigger). */
const freePlanCpuMilliseconds = 10;

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "200" },
    "cold-runs": { type: "string", default: "5" },
    // Internal: one cold verification in this fresh process, printed as JSON for the parent.
    "cold-only": { type: "boolean", default: false },
  },
});

if (values["cold-only"]) {
  console.log(JSON.stringify(await measureOnce()));
} else {
  await runBenchmark(Number(values.runs), Number(values["cold-runs"]));
}

interface Timing {
  wallMilliseconds: number;
  cpuMilliseconds: number;
}

/** One whole verification (message hash, hash to G1, pairing check), wall and CPU time of this process. */
async function measureOnce(): Promise<Timing> {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const valid = await verifyBeaconSignature(round657413, quicknet.publicKey);
  const wallMilliseconds = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  // A bench that measured a refusal would flatter the numbers: the vector must verify.
  if (!valid) throw new Error("quicknet round 657413 did not verify");
  return { wallMilliseconds, cpuMilliseconds: (cpu.user + cpu.system) / 1000 };
}

async function runBenchmark(runs: number, coldRuns: number): Promise<void> {
  if (!Number.isInteger(runs) || runs < 10) throw new Error("--runs must be a whole number of at least 10");
  if (!Number.isInteger(coldRuns) || coldRuns < 0) throw new Error("--cold-runs must be a whole number");

  // Cold: the first verification of a fresh process, so it pays module set-up, the curve's
  // precomputed tables and unoptimized (not yet JIT-compiled) code, as a fresh isolate would.
  const cold = [await measureOnce(), ...measureInFreshProcesses(coldRuns)];

  // Warm: the same verification again and again in this process.
  const warm: Timing[] = [];
  for (let run = 0; run < runs; run += 1) warm.push(await measureOnce());

  // Where the warm time goes: the hash to G1 of the round's message, then the pairing check.
  const signatures = bls12_381.shortSignatures;
  const message = await computeRoundMessage(round657413.round);
  const signature = parseHex(round657413.signature);
  const publicKey = parseHex(quicknet.publicKey);
  const hashes: number[] = [];
  const pairings: number[] = [];
  for (let run = 0; run < Math.min(runs, 100); run += 1) {
    const hashStart = performance.now();
    const point = signatures.hash(message, unchainedG1SignatureDst);
    hashes.push(performance.now() - hashStart);
    const pairingStart = performance.now();
    if (!signatures.verify(signature, point, publicKey)) throw new Error("the pairing check failed");
    pairings.push(performance.now() - pairingStart);
  }

  const warmCpu = warm.map((timing) => timing.cpuMilliseconds);
  const warmWall = warm.map((timing) => timing.wallMilliseconds);
  const coldCpu = cold.map((timing) => timing.cpuMilliseconds);
  const coldWall = cold.map((timing) => timing.wallMilliseconds);

  console.log(
    `BLS verification of one drand quicknet round (@noble/curves, Node ${process.version}, ${cpus()[0]?.model ?? "unknown CPU"})\n`,
  );
  printTable(
    ["measure", "runs", "median ms", "p95 ms", "min ms", "max ms"],
    [
      describeRow("cold, wall (first call of a process)", coldWall),
      describeRow("cold, CPU", coldCpu),
      describeRow("warm, wall", warmWall),
      describeRow("warm, CPU", warmCpu),
      describeRow("  warm: hash to G1", hashes),
      describeRow("  warm: pairing check", pairings),
    ],
  );
  const coldMedian = computePercentile(coldCpu, 0.5);
  const warmMedian = computePercentile(warmCpu, 0.5);
  console.log(
    `\nWorkers Free plan: ${freePlanCpuMilliseconds} ms of CPU per invocation. One verification costs ` +
      `${formatMilliseconds(warmMedian)} ms warm (${(warmMedian / freePlanCpuMilliseconds).toFixed(1)}x the budget) ` +
      `and ${formatMilliseconds(coldMedian)} ms cold (${(coldMedian / freePlanCpuMilliseconds).toFixed(1)}x).`,
  );
  console.log(
    warmMedian > freePlanCpuMilliseconds
      ? "Verdict: the Worker does not verify BLS; it checks randomness = sha256(signature) and the round number, and the public page and `npm run verify` check the signature."
      : "Verdict: a warm verification fits the budget; the cold one decides whether a fresh isolate could afford it.",
  );
}

/** `--cold-only` in new Node processes, each printing the timing of its single first verification. */
function measureInFreshProcesses(count: number): Timing[] {
  const script = process.argv[1];
  if (!script || count === 0) return [];
  return Array.from({ length: count }, () => {
    const output = execFileSync(process.execPath, [...process.execArgv, script, "--cold-only"], { encoding: "utf8" });
    const parsed: unknown = JSON.parse(output.trim().split("\n").at(-1) ?? "");
    if (!isTiming(parsed)) throw new Error(`a cold run printed ${output}`);
    return parsed;
  });
}

function isTiming(value: unknown): value is Timing {
  if (typeof value !== "object" || value === null) return false;
  const timing = value as Record<string, unknown>;
  return typeof timing.wallMilliseconds === "number" && typeof timing.cpuMilliseconds === "number";
}

function describeRow(label: string, samples: number[]): string[] {
  return [
    label,
    String(samples.length),
    formatMilliseconds(computePercentile(samples, 0.5)),
    formatMilliseconds(computePercentile(samples, 0.95)),
    formatMilliseconds(Math.min(...samples)),
    formatMilliseconds(Math.max(...samples)),
  ];
}

/** Nearest rank, as the other bench scripts count percentiles. */
function computePercentile(samples: number[], fraction: number): number {
  const sorted = [...samples].sort((first, second) => first - second);
  return sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

function formatMilliseconds(milliseconds: number): string {
  return milliseconds.toFixed(milliseconds < 10 ? 2 : 1);
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column]?.length ?? 0)));
  const format = (row: string[]) =>
    row
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)))
      .join("  ");
  console.log(format(header));
  console.log(widths.map((width) => "-".repeat(width)).join("  "));
  for (const row of rows) console.log(format(row));
}
