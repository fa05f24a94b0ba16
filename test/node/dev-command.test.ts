import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, test } from "vitest";
import { repositoryRoot } from "../../scripts/dev/startDevStack";
import { findFreePort } from "../../scripts/services/findFreePort";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase";

// With the developer's own .dev.vars, `npm run dev` would start against their real accounts.
const hasDevVars = existsSync(join(repositoryRoot, ".dev.vars"));
if (hasDevVars) console.warn("dev-command skipped: this checkout has a .dev.vars, so npm run dev would use it.");

describe.skipIf(hasDevVars)("npm run dev (scripts/dev.ts)", () => {
  let child: ChildProcess | undefined;
  let database: TestDatabase | undefined;
  let dataDirectory = "";

  afterAll(async () => {
    if (child?.pid !== undefined && child.exitCode === null) process.kill(-child.pid, "SIGKILL");
    await database?.drop();
    if (dataDirectory !== "") await rm(dataDirectory, { recursive: true, force: true });
  });

  test("prints where the playground and the Worker are, and one Ctrl-C stops everything", async () => {
    database = await createTestDatabase();
    dataDirectory = await mkdtemp(join(tmpdir(), "liveloot-dev-command-"));
    const [workerPort, playgroundPort] = [await findFreePort(), await findFreePort()];
    // As `npm run dev` runs it; its own process group, so that a signal reaches every process at
    // once like Ctrl-C in a terminal, and with-node22 and tsx pass it on a second and third time.
    child = spawn(
      process.execPath,
      [
        "scripts/with-node22.mjs",
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
      {
        cwd: repositoryRoot,
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, DATABASE_URL: database.url, REDIS_URL: inject("redisUrl") },
      },
    );
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child?.once("exit", (code) => resolve(code)));

    await expect.poll(() => output, { timeout: 60_000, interval: 250 }).toContain("Press Ctrl-C to stop everything.");
    expect(output).toContain(`Playground  http://127.0.0.1:${playgroundPort}`);
    expect(output).toContain(`Worker      http://127.0.0.1:${workerPort}`);
    expect(output).toContain("your DATABASE_URL");
    expect(existsSync(join(dataDirectory, "worker.env"))).toBe(true);
    expect((await fetch(`http://127.0.0.1:${playgroundPort}/api/setup`)).status).toBe(200);
    const health = await fetch(`http://127.0.0.1:${workerPort}/health`);
    expect(await health.json()).toMatchObject({ status: "ok" });

    if (child.pid === undefined) throw new Error("no pid");
    process.kill(-child.pid, "SIGINT");
    expect(await exited, output).toBe(0);
    expect(output).toContain("Stopping LiveLoot…");
    expect(output).not.toContain("Stopping at once");
    await expect(fetch(`http://127.0.0.1:${workerPort}/health`)).rejects.toThrow();
    await expect(fetch(`http://127.0.0.1:${playgroundPort}/`)).rejects.toThrow();
  }, 90_000);
});
