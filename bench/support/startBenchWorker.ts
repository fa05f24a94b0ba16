import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findFreePort } from "../../devkit/services/findFreePort";
import { buildPageAssets } from "../../scripts/buildPageAssets";

/** The Worker of wrangler.toml under wrangler's local runtime (workerd), driven from Node. */
export interface BenchWorker {
  /** Where the Worker answers HTTP, e.g. `http://127.0.0.1:41234/` (what Discord would POST interactions to). */
  origin: string;
  /** Runs the scheduled handler for `scheduledTime` and resolves when it has finished. */
  runScheduled(scheduledTime: number): Promise<void>;
  stop(): Promise<void>;
}

export interface BenchWorkerOptions {
  /** The repository root, where wrangler.toml is. */
  directory: string;
  /** Every binding the Worker reads (vars and secrets), as strings. */
  bindings: Record<string, string>;
  /** Receives each line the Worker logs (console.log / warn / error). */
  onLogLine(line: string): void;
}

/**
 * wrangler prints its banner and binding table (values included) at "log" level, and tries to
 * download the `Request.cf` placeholder from the internet; neither belongs in a benchmark.
 */
function quietenWrangler(): void {
  process.env.WRANGLER_LOG ??= "error";
  process.env.WRANGLER_SEND_METRICS ??= "false";
  process.env.WRANGLER_WRITE_LOGS ??= "false";
  process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";
}

/**
 * Starts the Worker with wrangler's programmatic API: the same bundle and runtime as `wrangler
 * dev`, the queue binding of wrangler.toml included. State goes to a temporary directory, and
 * `.dev.vars` is not read (an env file that does not exist stands in), so only `bindings` configure it.
 */
export async function startBenchWorker(options: BenchWorkerOptions): Promise<BenchWorker> {
  quietenWrangler();
  // wrangler.toml's [assets] directory must exist before wrangler reads it.
  buildPageAssets();
  const { unstable_startWorker } = await import("wrangler");
  const stateDirectory = await mkdtemp(join(tmpdir(), "liveloot-bench-"));
  let worker: Awaited<ReturnType<typeof unstable_startWorker>> | undefined;
  try {
    worker = await unstable_startWorker({
      config: join(options.directory, "wrangler.toml"),
      envFiles: [join(stateDirectory, "none.env")],
      bindings: Object.fromEntries(
        Object.entries(options.bindings).map(([name, value]) => [name, { type: "plain_text", value }]),
      ),
      dev: {
        server: { hostname: "127.0.0.1", port: await findFreePort() },
        inspector: false,
        watch: false,
        persist: join(stateDirectory, "state"),
        structuredLogsHandler: (log: { message: string }) => {
          for (const line of log.message.split("\n")) if (line.trim() !== "") options.onLogLine(line);
        },
      },
    });
    const origin = await worker.url;
    // Loads the Worker's module (a request with no subrequests), so the first measured tick pays
    // for the tick and the isolate's first app token, not for the local runtime's first request.
    await (await worker.fetch(new URL("/", origin).href)).text();
    const started = worker;
    return {
      origin: origin.href,
      async runScheduled(scheduledTime) {
        // What `wrangler dev` serves for Cron Triggers; it answers once the handler has returned.
        // (Worker.scheduled() of this wrangler looks the Worker up in the wrong Miniflare.)
        const url = new URL("/cdn-cgi/local/scheduled", origin);
        url.search = new URLSearchParams({ cron: "* * * * *", time: String(scheduledTime), format: "json" }).toString();
        const response = await started.fetch(url.href);
        const text = await response.text();
        if (!response.ok) throw new Error(`the scheduled handler failed (${response.status}): ${text}`);
      },
      async stop() {
        await started.dispose();
        await rm(stateDirectory, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await worker?.dispose().catch(() => {
      // The start failure is the error worth reporting.
    });
    await rm(stateDirectory, { recursive: true, force: true });
    throw error;
  }
}
