import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, inject } from "vitest";
import { devFixtures } from "../../scripts/dev/devFixtures";
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
      time: "manual",
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

/**
 * The stack and browser for the tests of a `describe`: started before them, stopped after them.
 * Call inside the `describe`; the answer gives the started stack (throws before it started).
 */
export function useBrowserDevStack(name: string): () => BrowserDevStack {
  let started: BrowserDevStack | undefined;
  beforeAll(async () => {
    started = await startBrowserDevStack({ name, redisUrl: inject("redisUrl") });
  }, 120_000);
  afterAll(() => started?.stop(), 60_000);
  return () => {
    if (!started) throw new Error("the browser dev stack did not start");
    return started;
  };
}

/**
 * A new playground page for `use`: the page's script errors are collected for it to check; if it
 * throws, the Worker's last lines are printed and a screenshot is left in the temporary directory.
 */
export async function withPlaygroundPage(
  started: BrowserDevStack,
  failureName: string,
  use: (page: Page, pageErrors: string[]) => Promise<void>,
): Promise<void> {
  const { stack, context, workerOutput } = started;
  if (!stack.playgroundUrl) throw new Error("the dev stack did not start a playground");
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  try {
    await page.goto(stack.playgroundUrl);
    await use(page, pageErrors);
  } catch (error) {
    console.error(`--- worker output ---\n${workerOutput.slice(-80).join("\n")}`);
    await page
      .screenshot({ path: join(tmpdir(), `liveloot-${failureName}-failure.png`), fullPage: true })
      .catch(() => {});
    throw error;
  } finally {
    await page.close();
  }
}

/**
 * Follows a "Link Twitch" link button of a reply: LiveLoot's link page in a new tab, the fake
 * consent page (as the dev streamer), LiveLoot's "Linked as". Answers the scopes the consent page
 * asked for.
 */
export async function linkTwitchThrough(context: BrowserContext, button: Locator): Promise<string[]> {
  const streamer = devFixtures.twitchStreamer;
  const timeout = { timeout: 20_000 };
  await button.waitFor(timeout);
  const [linkPage] = await Promise.all([context.waitForEvent("page"), button.click()]);
  try {
    await linkPage.getByText(devFixtures.guild.name).waitFor(timeout);
    await linkPage.getByRole("link", { name: "Continue to Twitch" }).click();
    await linkPage.getByLabel(new RegExp(`\\(${streamer.login},`)).check();
    const scopes = await linkPage.locator("li > code").allInnerTexts();
    await linkPage.getByRole("button", { name: "Authorize" }).click();
    await linkPage.getByText(`Linked as ${streamer.displayName}`).waitFor(timeout);
    return scopes;
  } finally {
    await linkPage.close();
  }
}

/** "Advance one minute", then the text of the first winner announcement in that Discord channel. */
export async function advanceToWinner(page: Page, channelId: string): Promise<string> {
  await page.getByRole("button", { name: "Advance one minute" }).click();
  await page.locator('#last-tick[data-outcome="ok"]').waitFor({ timeout: 20_000 });
  const winnerEmbed = page.locator(`section[data-channel-id="${channelId}"] .embed`, { hasText: "We have a winner!" });
  await winnerEmbed.first().waitFor({ timeout: 20_000 });
  return winnerEmbed.first().innerText();
}
