import { type ChildProcess, spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { findFreePort } from "./findFreePort";

/** A Redis server that answers on `redisUrl` until `stop()`. */
export interface RunningRedis {
  redisUrl: string;
  stop(): Promise<void>;
}

const startAttempts = 3;
const readyTimeoutMilliseconds = 10_000;
const stopTimeoutMilliseconds = 5_000;

/**
 * Spawns a throwaway `redis-server` on a free port of 127.0.0.1 that keeps nothing on disk,
 * and kills it at stop. Throws a clear error when there is no `redis-server` on PATH.
 */
export async function startRedisServer(): Promise<RunningRedis> {
  for (let attempt = 1; ; attempt++) {
    const port = await findFreePort();
    const child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", tmpdir()],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    try {
      await waitUntilReady(child);
    } catch (error) {
      child.kill("SIGKILL");
      // Another process may have taken the port between finding and binding it.
      if (error instanceof RedisServerNotFoundError || attempt >= startAttempts) throw error;
      continue;
    }
    let stopping: Promise<void> | undefined;
    return {
      redisUrl: `redis://127.0.0.1:${port}/0`,
      stop() {
        stopping ??= stopChild(child);
        return stopping;
      },
    };
  }
}

/** There is no `redis-server` on PATH. */
export class RedisServerNotFoundError extends Error {
  constructor() {
    super(
      "redis-server was not found on PATH. Install Redis (e.g. `apt-get install redis-server` or " +
        "`brew install redis`) or set REDIS_URL to a running Redis.",
    );
  }
}

function waitUntilReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(
      () => finish(new Error(`redis-server was not ready after ${readyTimeoutMilliseconds} ms:\n${output}`)),
      readyTimeoutMilliseconds,
    );
    const collect = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      if (output.includes("Ready to accept connections")) finish();
    };
    const onError = (error: NodeJS.ErrnoException) => {
      finish(error.code === "ENOENT" ? new RedisServerNotFoundError() : error);
    };
    const onExit = (code: number | null) => finish(new Error(`redis-server exited with code ${code}:\n${output}`));
    function finish(error?: Error) {
      clearTimeout(timer);
      child.stdout?.off("data", collect);
      child.stderr?.off("data", collect);
      child.off("error", onError);
      child.off("exit", onExit);
      // Keep draining its log so that a full pipe never blocks the server.
      child.stdout?.resume();
      child.stderr?.resume();
      if (error === undefined) resolve();
      else reject(error);
    }
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    child.once("error", onError);
    child.once("exit", onExit);
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), stopTimeoutMilliseconds);
  await exited;
  clearTimeout(timer);
}
