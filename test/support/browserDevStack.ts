import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { type DevStack, startDevStack } from "../../scripts/dev/startDevStack";
import { chromiumFlags, chromiumPath } from "./chromium";
import { createTestDatabase, type TestDatabase } from "./testDatabase";

/** `npm run dev`'s stack on a fresh database of this run, and headless Chromium beside it. */
export interface BrowserDevStack {
  stack: DevStack;
  browser: Browser;
  /** A context that answers Chromium's favicon requests itself (the fakes would log them as unexpected). */
  context: BrowserContext;
  database: TestDatabase;
  /** Every line the Worker printed: shown when a test fails, scanned for secrets. */
  workerOutput: string[];
  /** Stops everything started, in reverse order; safe after a partial start. */
  stop(): Promise<void>;
}

/** Starts the stack (ticks only by hand: the test decides when a minute passes) and the browser. */
export async function startBrowserDevStack(options: { name: string; redisUrl: string }): Promise<BrowserDevStack> {
  const temporaryDirectory = await mkdtemp(join(tmpdir(), `liveloot-${options.name}-`));
  const database = await createTestDatabase();
  const workerOutput: string[] = [];
  const [stack, browser] = await Promise.all([
    startDevStack({
      mode: "fakes",
      workerPort: 0,
      playgroundPort: 0,
      database: { source: "existing", databaseUrl: database.url },
      // A database of its own on this run's Redis.
      redisUrl: options.redisUrl,
      envFile: join(temporaryDirectory, "worker.env"),
      automaticTicks: false,
      onWorkerOutput: (line) => workerOutput.push(line),
    }),
    chromium.launch({ executablePath: chromiumPath, args: chromiumFlags }),
  ]);
  const context = await browser.newContext();
  await context.route("**/favicon.ico", (route) => route.fulfill({ status: 204 }));
  return {
    stack,
    browser,
    context,
    database,
    workerOutput,
    async stop() {
      await browser.close();
      await stack.stop();
      await database.drop();
      await rm(temporaryDirectory, { recursive: true, force: true });
    },
  };
}

/** In the playground: picks a command in the form, fills its options and presses Run. */
export async function runCommand(page: Page, commandKey: string, fillOptions?: () => Promise<void>): Promise<void> {
  await page.getByLabel("Command", { exact: true }).selectOption(commandKey);
  await fillOptions?.();
  await page.getByRole("button", { name: "Run", exact: true }).click();
}
