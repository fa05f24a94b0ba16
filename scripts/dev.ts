/**
 * `npm run dev`: the whole app on this machine. Without `.dev.vars`: Postgres (DATABASE_URL, else a
 * local cluster, else embedded PGlite; data kept in .local/dev), Redis (REDIS_URL, else a throwaway
 * redis-server, else in memory: development only) behind the Upstash bridge, the Neon wsproxy, fake Discord and Twitch, migrations,
 * `wrangler dev`, a ticker and the playground. With `.dev.vars`: `wrangler dev` on your own
 * accounts and the ticker only. Ctrl-C stops everything it started.
 */
import { existsSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { formatDevSummary } from "./dev/formatDevSummary";
import { type DevStack, repositoryRoot, startDevStack } from "./dev/startDevStack";

const usage = `usage: npm run dev [-- --worker-port 8787 --playground-port 8790 --data-dir .local/dev]

Without .dev.vars: LiveLoot with local Postgres and Redis, fake Discord and Twitch, and the playground.
With .dev.vars: wrangler dev with your own accounts, and the every-minute ticker.
--data-dir holds the kept Postgres data and the generated wrangler env file.
Environment: DATABASE_URL (use this database), REDIS_URL (claim a database on this Redis; without it
a throwaway redis-server, else an in-memory store for development only).`;
/** A second Ctrl-C later than this forces the exit. */
const repeatedSignalMilliseconds = 1500;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      "worker-port": { type: "string", default: "8787" },
      "playground-port": { type: "string", default: "8790" },
      "data-dir": { type: "string", default: join(repositoryRoot, ".local", "dev") },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const workerPort = readPort(values["worker-port"]);
  const playgroundPort = readPort(values["playground-port"]);
  const dataDirectory = resolve(values["data-dir"]);
  const mode = existsSync(join(repositoryRoot, ".dev.vars")) ? "dev-vars" : "fakes";
  const databaseUrl = process.env.DATABASE_URL || undefined;
  let stack: DevStack | undefined;
  let stopRequestedAt: number | undefined;

  const stopAndExit = async () => {
    try {
      await stack?.stop();
    } catch (error) {
      console.error("Some parts did not stop cleanly:", error);
      process.exitCode = 1;
    }
    process.exit();
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      if (stopRequestedAt !== undefined) {
        // npm, with-node22 and tsx each pass Ctrl-C on, so one press arrives several times at once.
        if (Date.now() - stopRequestedAt < repeatedSignalMilliseconds) return;
        console.error("\nStopping at once; a local Postgres may be left running.");
        process.exit(130);
      }
      stopRequestedAt = Date.now();
      console.log("\nStopping LiveLoot…");
      if (stack !== undefined) void stopAndExit();
      // While starting, the start finishes (or fails) first and stops what it started.
    });
  }

  console.log(
    mode === "dev-vars"
      ? "Found .dev.vars: starting wrangler dev with your own accounts…"
      : "Starting LiveLoot locally (Postgres, Redis, fake Discord and Twitch, wrangler dev)…",
  );
  stack = await startDevStack({
    mode,
    workerPort,
    playgroundPort,
    database:
      databaseUrl === undefined
        ? { source: "kept", dataDirectory: join(dataDirectory, "postgres"), databaseName: "liveloot_dev" }
        : { source: "existing", databaseUrl },
    redisUrl: process.env.REDIS_URL || undefined,
    envFile: join(dataDirectory, "worker.env"),
    time: "wall",
    onWorkerOutput: (line) => console.log(line),
  });
  if (stopRequestedAt !== undefined) {
    await stopAndExit();
    return;
  }
  console.log(formatDevSummary(stack, relative(process.cwd(), join(dataDirectory, "postgres")) || "."));
}

function readPort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`${text} is not a port\n${usage}`);
  return port;
}

main().catch((error: unknown) => {
  console.error(`\nnpm run dev could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
