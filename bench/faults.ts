/**
 * The long fault run of issue 21: test/worker/integration/fault-run-integration.test.ts at the
 * length of a stream (default 240 simulated minutes, a 4-hour stream) instead of CI's 30. It runs
 * inside workerd through vitest, against the local Postgres, Redis and the fakes, like the tests;
 * each of its two runs prints its seed and a table (ticks, draws, faults by kind, deliveries,
 * duplicates, lost) and fails naming the seed when a draw or notice is lost or repeated.
 *
 *   npx tsx bench/faults.ts [--minutes 240] [--seed N] [--only recoverable|outbox]
 *
 * `--only recoverable` runs only the faults this Worker recovers from by itself; `--only outbox`
 * only the run with 403s, HTML 429s and the loot-ran-out notice. See bench/README.md.
 */
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const testNames = {
  recoverable: "delivers every draw exactly once",
  outbox: "also after 403s",
} as const;

const usage = "usage: npx tsx bench/faults.ts [--minutes 240] [--seed N] [--only recoverable|outbox]";

function readArguments(argv: string[]): { minutes: number; seed: number | undefined; only: string | undefined } {
  let minutes = 240;
  let seed: number | undefined;
  let only: string | undefined;
  for (let index = 0; index < argv.length; index += 1) {
    const name = argv[index];
    const value = argv[index + 1] ?? "";
    index += 1;
    if (name === "--minutes") minutes = readPositiveInteger(value, name);
    else if (name === "--seed") seed = readPositiveInteger(value, name);
    else if (name === "--only" && (value === "recoverable" || value === "outbox")) only = testNames[value];
    else throw new Error(`${name} ${value}?\n${usage}`);
  }
  return { minutes, seed, only };
}

function readPositiveInteger(text: string, name: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} needs a whole number above 0\n${usage}`);
  return value;
}

const options = readArguments(process.argv.slice(2));
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const result = spawnSync(
  process.execPath,
  [
    join(root, "scripts/with-node22.mjs"),
    "vitest",
    "run",
    "test/worker/integration/fault-run-integration.test.ts",
    ...(options.only ? ["-t", options.only] : []),
  ],
  {
    cwd: root,
    stdio: "inherit",
    env: {
      ...process.env,
      LIVELOOT_FAULT_MINUTES: String(options.minutes),
      ...(options.seed === undefined ? {} : { LIVELOOT_FAULT_SEED: String(options.seed) }),
    },
  },
);
process.exit(result.status ?? 1);
