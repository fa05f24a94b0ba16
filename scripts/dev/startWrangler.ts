import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { killProcessGroupNow, stopProcessGroup } from "./stopProcessGroup";

export interface WranglerOptions {
  /** The repository root (where wrangler.toml is). */
  directory: string;
  port: number;
  inspectorPort: number;
  /** Generated bindings (`--env-file`, which also makes wrangler ignore `.dev.vars`); omitted: wrangler reads `.dev.vars`. */
  envFile?: string;
  /** Receives wrangler's output line by line, once the Worker answers (before that it is kept for errors). */
  onOutput?: (line: string) => void;
  readyTimeoutMilliseconds?: number;
}

export interface RunningWrangler {
  url: string;
  stop(): Promise<void>;
}

const maximumKeptLines = 200;

/**
 * Runs `wrangler dev` as its own process group and waits until the Worker answers `/health`
 * (with any status: 503 only means a dependency is down). If wrangler exits first, the error
 * carries its last lines of output.
 */
export async function startWrangler(options: WranglerOptions): Promise<RunningWrangler> {
  const url = `http://127.0.0.1:${options.port}`;
  const args = [
    findWranglerBin(options.directory),
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(options.port),
    "--inspector-port",
    String(options.inspectorPort),
    "--show-interactive-dev-session=false",
    ...(options.envFile === undefined ? [] : ["--env-file", options.envFile]),
  ];
  const child = spawn(process.execPath, args, {
    cwd: options.directory,
    detached: true,
    windowsHide: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", FORCE_COLOR: process.stdout.isTTY ? "1" : "0" },
  });
  // If this process dies without stopping us, the group must not outlive it.
  const killOnExit = () => killProcessGroupNow(child);
  process.once("exit", killOnExit);

  const keptLines: string[] = [];
  let ready = false;
  const receiveLine = (line: string) => {
    if (ready && options.onOutput) {
      options.onOutput(line);
      return;
    }
    keptLines.push(line);
    if (keptLines.length > maximumKeptLines) keptLines.shift();
  };
  forwardLines(child, receiveLine);

  const stop = async () => {
    await stopProcessGroup(child);
    process.removeListener("exit", killOnExit);
  };
  try {
    await waitUntilAnswering(url, child, options.readyTimeoutMilliseconds ?? 90_000);
  } catch (error) {
    await stop();
    const output = keptLines.join("\n").trim();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- wrangler output ---\n${output}`);
  }
  ready = true;
  return { url, stop };
}

function findWranglerBin(directory: string): string {
  const require = createRequire(join(directory, "package.json"));
  return join(dirname(require.resolve("wrangler/package.json")), "bin", "wrangler.js");
}

function forwardLines(child: ChildProcess, receiveLine: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    let pending = "";
    stream?.setEncoding("utf8");
    stream?.on("data", (chunk: string) => {
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) receiveLine(line);
    });
    stream?.on("end", () => {
      if (pending !== "") receiveLine(pending);
    });
  }
}

async function waitUntilAnswering(url: string, child: ChildProcess, timeoutMilliseconds: number): Promise<void> {
  const deadline = Date.now() + timeoutMilliseconds;
  let exit: string | undefined;
  child.once("exit", (code, signal) => {
    exit = signal === null ? `exit code ${code}` : `signal ${signal}`;
  });
  while (Date.now() < deadline) {
    if (exit !== undefined) throw new Error(`wrangler dev stopped (${exit}) before the Worker answered`);
    try {
      await fetch(`${url}/health`, { signal: AbortSignal.timeout(10_000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`the Worker did not answer on ${url} within ${Math.round(timeoutMilliseconds / 1000)} s`);
}
