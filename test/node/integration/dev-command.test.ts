import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, test } from "vitest";
import { findFreePort } from "../../../devkit/services/findFreePort";
import { inMemoryWarning } from "../../../devkit/services/upstashEndpoint";
import { repositoryRoot } from "../../../scripts/dev/startDevStack";
import { createTestDatabase, type TestDatabase } from "../../support/testDatabase";

// With the developer's own .dev.vars, `npm run dev` would start against their real accounts.
const hasDevVars = existsSync(join(repositoryRoot, ".dev.vars"));
if (hasDevVars) console.warn("dev-command skipped: this checkout has a .dev.vars, so npm run dev would use it.");

interface DevCommand {
  child: ChildProcess;
  workerPort: number;
  playgroundPort: number;
  readOutput(): string;
  exited: Promise<number | null>;
}

describe.skipIf(hasDevVars)("npm run dev (scripts/dev.ts)", () => {
  const children: ChildProcess[] = [];
  const temporaryDirectories: string[] = [];
  let database: TestDatabase | undefined;

  afterAll(async () => {
    for (const child of children) {
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, "SIGKILL");
    }
    await database?.drop();
    for (const directory of temporaryDirectories) await rm(directory, { recursive: true, force: true });
  });

  async function createTemporaryDirectory(prefix: string): Promise<string> {
    const directory = await mkdtemp(join(tmpdir(), prefix));
    temporaryDirectories.push(directory);
    return directory;
  }

  /** Runs the command as `npm run dev` does, with this environment and a data directory of its own. */
  async function startDevCommand(env: NodeJS.ProcessEnv, dataDirectory: string): Promise<DevCommand> {
    const [workerPort, playgroundPort] = [await findFreePort(), await findFreePort()];
    // Its own process group, so that a signal reaches every process at once like Ctrl-C in a
    // terminal, and with-node22 and tsx pass it on a second and third time.
    const child = spawn(
      process.execPath,
      [
        // The same command line as package.json's "dev" script.
        "scripts/with-node22.mjs",
        "node",
        "--import",
        "tsx",
        "scripts/dev.ts",
        "--worker-port",
        String(workerPort),
        "--playground-port",
        String(playgroundPort),
        // Not .local/dev: a developer's running `npm run dev` keeps its files.
        "--data-dir",
        dataDirectory,
      ],
      { cwd: repositoryRoot, detached: true, stdio: ["ignore", "pipe", "pipe"], env },
    );
    children.push(child);
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    return { child, workerPort, playgroundPort, readOutput: () => output, exited };
  }

  /**
   * Waits for the summary, checks that everything answers, then presses Ctrl-C once: SIGINT to the
   * whole process group as a terminal sends it, or with `group: false` to the first process only.
   */
  async function expectRunningThenStopped(command: DevCommand, { group = true } = {}): Promise<void> {
    const { child, workerPort, playgroundPort, readOutput, exited } = command;
    await expect
      .poll(readOutput, { timeout: 90_000, interval: 250 })
      .toMatch(/Press Ctrl-C to stop everything\.|could not start/);
    const output = readOutput();
    expect(output).toContain(`Playground  http://127.0.0.1:${playgroundPort}`);
    expect(output).toContain(`Worker      http://127.0.0.1:${workerPort}`);
    expect((await fetch(`http://127.0.0.1:${playgroundPort}/api/setup`)).status).toBe(200);
    const health = await fetch(`http://127.0.0.1:${workerPort}/health`);
    expect(await health.json(), output).toMatchObject({ status: "ok" });

    if (child.pid === undefined) throw new Error("no pid");
    process.kill(group ? -child.pid : child.pid, "SIGINT");
    expect(await exited, readOutput()).toBe(0);
    expect(readOutput()).toContain("Stopping LiveLoot…");
    expect(readOutput()).not.toContain("Stopping at once");
    await expect(fetch(`http://127.0.0.1:${workerPort}/health`)).rejects.toThrow();
    await expect(fetch(`http://127.0.0.1:${playgroundPort}/`)).rejects.toThrow();
  }

  test("prints where the playground and the Worker are, and one Ctrl-C stops everything", async () => {
    database = await createTestDatabase();
    const dataDirectory = await createTemporaryDirectory("liveloot-dev-command-");
    const command = await startDevCommand(
      { ...process.env, DATABASE_URL: database.url, REDIS_URL: inject("redisUrl") },
      dataDirectory,
    );
    await expectRunningThenStopped(command);
    expect(command.readOutput()).toContain("your DATABASE_URL");
    expect(command.readOutput()).toContain("your REDIS_URL");
    expect(command.readOutput()).not.toContain(inMemoryWarning);
    expect(existsSync(join(dataDirectory, "worker.env"))).toBe(true);
  }, 120_000);

  test("runs with neither Postgres nor Redis on PATH: PGlite and Redis in memory, with a warning", async () => {
    // A PATH with Node alone: no redis-server, no pg_config, nothing else of the machine's.
    const binDirectory = await createTemporaryDirectory("liveloot-dev-path-");
    await symlink(process.execPath, join(binDirectory, "node"));
    const dataDirectory = await createTemporaryDirectory("liveloot-dev-embedded-");
    const { DATABASE_URL: _database, REDIS_URL: _redis, ...environment } = process.env;
    const command = await startDevCommand({ ...environment, PATH: binDirectory }, dataDirectory);
    // Not to the group: tsx gives scripts/dev.ts 30 ms to acknowledge each signal it passes on, else
    // it kills it (exit 130), and PGlite, running in that process, can block it for longer.
    await expectRunningThenStopped(command, { group: false });
    const output = command.readOutput();
    expect(output).toContain("embedded PGlite");
    expect(output).toContain("Redis in memory (development only)");
    expect(output).toContain(`Warning: ${inMemoryWarning}`);
    expect(existsSync(join(dataDirectory, "postgres", "pglite"))).toBe(true);
  }, 150_000);
});
