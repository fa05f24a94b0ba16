import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { devFixtures } from "../../../scripts/dev/devFixtures";
import type { DevStack } from "../../../scripts/dev/startDevStack";
import { type BrowserDevStack, runCommand, startBrowserDevStack } from "../../support/browserDevStack";
import { chromiumPath } from "../../support/chromium";
import type { TestDatabase } from "../../support/testDatabase";

const hasChromium = existsSync(chromiumPath);
if (!hasChromium) {
  console.warn(`dev-playground-e2e skipped: ${chromiumPath} is missing (apt-get install chromium).`);
}

const giveawaysChannel = devFixtures.channels[1];
const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const stepTimeout = { timeout: 15_000 };

describe.skipIf(!hasChromium)("the playground of npm run dev, in headless Chromium", () => {
  let started: BrowserDevStack | undefined;
  let stack: DevStack | undefined;
  let database: TestDatabase | undefined;
  let context: BrowserContext;
  let workerOutput: string[] = [];

  beforeAll(async () => {
    started = await startBrowserDevStack({ name: "dev-e2e", redisUrl: inject("redisUrl") });
    ({ stack, database, context, workerOutput } = started);
  }, 120_000);

  afterAll(() => started?.stop(), 60_000);

  test("link Twitch through the link page, go live with chatters, add loot, start a raffle, advance a minute, see the winner", async () => {
    if (!stack?.playgroundUrl) throw new Error("the dev stack did not start a playground");
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    try {
      await page.goto(stack.playgroundUrl);

      // /twitch connect: the link button opens LiveLoot's link page in a new tab, which names the
      // server and continues to the fake Twitch consent page.
      await runCommand(page, "twitch connect");
      const linkButton = page.getByRole("link", { name: "Link Twitch" });
      await linkButton.waitFor(stepTimeout);
      const [linkPage] = await Promise.all([context.waitForEvent("page"), linkButton.click()]);
      await linkPage.getByText("LiveLoot Playground").waitFor(stepTimeout);
      await linkPage.getByRole("link", { name: "Continue to Twitch" }).click();
      await linkPage.getByRole("button", { name: "Authorize" }).click();
      await linkPage.getByText(`Linked as ${devFixtures.twitchStreamer.displayName}`).waitFor(stepTimeout);
      await linkPage.close();
      // The Worker edits the ephemeral /twitch connect reply once the link is stored.
      await page.getByText("is now linked to this server").waitFor(stepTimeout);

      // The streamer's main path: already live, with people in chat, then the giveaway starts.
      await page.getByRole("button", { name: "Go live" }).click();
      await page.getByText("Live now").waitFor(stepTimeout);
      await page.getByLabel("Who is in chat").fill("alice_viewer\nbob_builds\nnightbot");
      await page.getByRole("button", { name: "Save chatters" }).click();
      await page.getByText("Saved: 3 in chat.").waitFor(stepTimeout);

      await runCommand(page, "loot add", async () => {
        await page.locator("#option-name").fill("Golden Sword");
        await page.locator("#option-weight").fill("10");
      });
      await page.getByText("Added Golden Sword").waitFor(stepTimeout);

      await runCommand(page, "raffle start", async () => {
        await page.locator("#option-channel").selectOption(giveawaysChannel.id);
      });
      await page.getByText("Raffle started for").waitFor(stepTimeout);

      await page.getByRole("button", { name: "Advance one minute" }).click();
      await page.locator('#last-tick[data-outcome="ok"]').waitFor(stepTimeout);

      const channelPanel = page.locator(`section[data-channel-id="${giveawaysChannel.id}"]`);
      const winnerEmbed = channelPanel.locator(".embed", { hasText: "We have a winner!" });
      await winnerEmbed.waitFor(stepTimeout);
      const announcement = await winnerEmbed.innerText();
      expect(announcement).toContain("Golden Sword");
      expect(announcement).toMatch(/alice_viewer|bob_builds/);
      expect(announcement).not.toContain("nightbot");
      expect(pageErrors).toEqual([]);
    } catch (error) {
      console.error(`--- worker output ---\n${workerOutput.slice(-60).join("\n")}`);
      await page.screenshot({ path: join(tmpdir(), "liveloot-dev-e2e-failure.png"), fullPage: true }).catch(() => {});
      throw error;
    }
  }, 60_000);

  test("both draws verify: the winner's Verify link, the page's Verify buttons, npm run verify; a tampered one fails both", async () => {
    if (!stack?.playgroundUrl || !stack.drandChainInfoUrl || !database) throw new Error("the dev stack is incomplete");
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    try {
      await page.goto(stack.playgroundUrl);
      // A manual draw beside the scheduled one of the test before.
      await runCommand(page, "raffle draw");
      const channelPanel = page.locator(`section[data-channel-id="${giveawaysChannel.id}"]`);
      const winners = channelPanel.locator(".embed", { hasText: "We have a winner!" });
      await expect.poll(() => winners.count(), { timeout: 20_000 }).toBe(2);

      // The announcement's link button opens the raffle's public page at that draw.
      const verifyLink = channelPanel.getByRole("link", { name: "Verify this draw" }).last();
      const [rafflePage] = await Promise.all([context.waitForEvent("page"), verifyLink.click()]);
      rafflePage.on("pageerror", (error) => pageErrors.push(error.message));
      await rafflePage.waitForLoadState();
      const pageUrl = new URL(rafflePage.url());
      expect(pageUrl.pathname).toMatch(/^\/r\/[A-Za-z0-9_-]{22}$/);
      expect(pageUrl.hash).toMatch(/^#draw-\d+$/);
      await rafflePage.getByText("Twitch does not sponsor or endorse broadcaster promotions").waitFor(stepTimeout);
      const buttons = rafflePage.getByRole("button", { name: "Verify" });
      expect(await buttons.count()).toBe(2);
      for (let index = 0; index < 2; index += 1) await buttons.nth(index).click();
      await expect.poll(() => rafflePage.locator(".result.ok").count(), { timeout: 20_000 }).toBe(2);
      for (const text of await rafflePage.locator(".result.ok").allInnerTexts()) {
        expect(text).toContain("✓ Verified: the beacon's signature, both lists and the picks match.");
      }

      // npm run verify, from outside, against the fake beacon's chain.
      const pageAddress = `${pageUrl.origin}${pageUrl.pathname}`;
      const verified = await runVerify(pageAddress, stack.drandChainInfoUrl);
      expect(verified.code, verified.output).toBe(0);
      expect(verified.output).toContain("All 2 draw(s) verify.");

      // A forger gives the manual draw to someone else: both verifiers say so.
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        await client.query(
          // The scheduled winner is on cooldown, so the manual draw's only entrant is the other viewer.
          `update draws set winner_twitch_user_id = (select winner_twitch_user_id from draws where kind = 'scheduled')
           where kind = 'manual'`,
        );
      } finally {
        await client.end();
      }
      const tampered = await runVerify(pageAddress, stack.drandChainInfoUrl);
      expect(tampered.code).toBe(1);
      expect(tampered.output).toMatch(
        /✗ draw \d+ .*winner_user_id is "\d+", but Pick\("winner", entrants\) gives "\d+"/,
      );
      await rafflePage.reload();
      const manualDraw = rafflePage.locator("li", { has: rafflePage.locator('button[data-slot^="manual-"]') });
      await manualDraw.getByRole("button", { name: "Verify" }).click();
      await manualDraw.locator(".result.bad").waitFor(stepTimeout);
      expect(await manualDraw.locator(".result").innerText()).toContain("winner_user_id");
      expect(pageErrors).toEqual([]);
      await rafflePage.close();
    } catch (error) {
      console.error(`--- worker output ---\n${workerOutput.slice(-60).join("\n")}`);
      await page.screenshot({ path: join(tmpdir(), "liveloot-dev-e2e-failure.png"), fullPage: true }).catch(() => {});
      throw error;
    } finally {
      await page.close();
    }
  }, 90_000);

  test("stop() stops the Worker and the playground", async () => {
    if (!stack?.playgroundUrl) throw new Error("the dev stack did not start a playground");
    const { workerUrl, playgroundUrl } = stack;
    await stack.stop();
    await expect(fetch(`${workerUrl}/health`)).rejects.toThrow();
    await expect(fetch(playgroundUrl)).rejects.toThrow();
  }, 30_000);
});

/** `npm run verify -- URL --chain-info URL`, as an operator runs it (the script behind it, under this Node). */
function runVerify(pageUrl: string, chainInfoUrl: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "scripts/verify.ts", pageUrl, "--chain-info", chainInfoUrl],
      { cwd: repositoryRoot, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}
