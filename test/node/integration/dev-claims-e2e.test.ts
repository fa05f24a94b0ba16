import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { devFixtures } from "../../../scripts/dev/devFixtures";
import { type BrowserDevStack, runCommand, startBrowserDevStack } from "../../support/browserDevStack";
import { chromiumPath } from "../../support/chromium";

const hasChromium = existsSync(chromiumPath);
if (!hasChromium) console.warn(`dev-claims-e2e skipped: ${chromiumPath} is missing (apt-get install chromium).`);

const giveawaysChannel = devFixtures.channels[1];
const stepTimeout = { timeout: 20_000 };
const viewers = ["alice_viewer", "bob_builds", "carol_cat", "dave_dev"];
const codes = ["KEY-AAAA-1111-ZZ", "KEY-BBBB-2222-YY"];

/**
 * Prize delivery as a streamer and the viewers live it in `npm run dev` (issue 14's "done when"):
 * codes imported, a draw, the winner's claim page, a wrong viewer refused, the right one shown the
 * code, an unclaimed prize expiring and redrawn, the redraw's winner claiming it. Everything goes
 * through the playground, the announcements' link buttons and the fake Twitch consent page.
 */
describe.skipIf(!hasChromium)("claiming a prize in the npm run dev playground, in headless Chromium", () => {
  let started: BrowserDevStack | undefined;
  let context: BrowserContext;
  let workerOutput: string[] = [];

  beforeAll(async () => {
    started = await startBrowserDevStack({ name: "claims-e2e", redisUrl: inject("redisUrl") });
    ({ context, workerOutput } = started);
  }, 120_000);

  afterAll(() => started?.stop(), 60_000);

  test("codes → draw → wrong viewer refused → winner sees the code → unclaimed prize redrawn → redraw claimed", async () => {
    const stack = started?.stack;
    if (!stack?.playgroundUrl) throw new Error("the dev stack did not start a playground");
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    try {
      await page.goto(stack.playgroundUrl);
      await runCommand(page, "twitch connect");
      const linkButton = page.getByRole("link", { name: "Link Twitch" });
      await linkButton.waitFor(stepTimeout);
      const [linkPage] = await Promise.all([context.waitForEvent("page"), linkButton.click()]);
      await linkPage.getByRole("link", { name: "Continue to Twitch" }).click();
      await linkPage.getByRole("button", { name: "Authorize" }).click();
      await linkPage.getByText(`Linked as ${devFixtures.twitchStreamer.displayName}`).waitFor(stepTimeout);
      await linkPage.close();

      await page.getByRole("button", { name: "Go live" }).click();
      await page.getByLabel("Who is in chat").fill(viewers.join("\n"));
      await page.getByRole("button", { name: "Save chatters" }).click();
      await page.getByText(`Saved: ${viewers.length} in chat.`).waitFor(stepTimeout);

      await runCommand(page, "loot add", async () => {
        await page.locator("#option-name").fill("Steam key");
        await page.locator("#option-weight").fill("1");
      });
      await page.getByText("Added Steam key").waitFor(stepTimeout);
      await runCommand(page, "loot codes", async () => {
        await page.locator("#option-name").fill("Steam key");
        // A Discord text option is one line: codes are comma-separated (or a file).
        await page.locator("#option-codes").fill(codes.join(", "));
      });
      await page.getByText("Prize codes added to Steam key: 2.").waitFor(stepTimeout);

      await runCommand(page, "raffle start", async () => {
        await page.locator("#option-channel").selectOption(giveawaysChannel.id);
        await page.locator("#option-cooldown").fill("0");
        await page.locator("#option-claim").fill("2");
      });
      await page.getByText("Raffle started for").waitFor(stepTimeout);

      // Minute 1: the first draw, with a claim.
      const channelPanel = page.locator(`section[data-channel-id="${giveawaysChannel.id}"]`);
      const winnerEmbeds = channelPanel.locator(".embed", { hasText: "We have a winner!" });
      await advanceOneMinute(page);
      await expect.poll(() => winnerEmbeds.count(), { timeout: 20_000 }).toBe(1);
      const firstWinner = await readWinner(winnerEmbeds.first());
      const firstClaim = await readClaimLink(channelPanel, 0);
      const stranger = viewers.find((login) => login !== firstWinner) ?? "";

      // Another viewer signs in: refused, and told nothing about the prize.
      const refused = await signIn(firstClaim, stranger);
      expect(refused.status).toBe(403);
      expect(refused.text).toContain("Not your prize");
      for (const code of codes) expect(refused.text).not.toContain(code);
      expect(refused.text).not.toContain("Steam key");

      // The winner signs in: the code, once per visit; a second visit shows it again.
      const claimed = await signIn(firstClaim, firstWinner);
      expect(claimed.status).toBe(200);
      const firstCode = codes.find((code) => claimed.text.includes(code));
      expect(firstCode).toBeDefined();
      expect((await signIn(firstClaim, firstWinner)).text).toContain(firstCode);
      // The announcement says so.
      await channelPanel.getByText(`Claimed by ${firstWinner}`).waitFor(stepTimeout);

      // Minute 2: the second code's draw; nobody claims it.
      await advanceOneMinute(page);
      await expect.poll(() => winnerEmbeds.count(), { timeout: 20_000 }).toBe(2);
      const secondWinner = await readWinner(winnerEmbeds.nth(1));

      // Its 2 minutes pass: the tick redraws among the slot's other entrants and announces it.
      for (let minute = 0; minute < 3; minute += 1) await advanceOneMinute(page);
      const redraw = channelPanel.locator(".embed", { hasText: "did not claim" });
      await redraw.first().waitFor(stepTimeout);
      const redrawText = await redraw.first().innerText();
      expect(redrawText).toContain(secondWinner);
      const newWinner = viewers.find((login) => login !== secondWinner && redrawText.includes(login)) ?? "";
      expect(newWinner).not.toBe("");

      // The new winner claims it: the other code.
      const redrawClaim = await readClaimLinkIn(redraw.first());
      const redrawn = await signIn(redrawClaim, newWinner);
      expect(redrawn.status).toBe(200);
      expect(redrawn.text).toContain(codes.find((code) => code !== firstCode));
      // The first winner's claim link is not the redraw's.
      expect(redrawClaim).not.toBe(firstClaim);
      expect(pageErrors).toEqual([]);
      // No code ever reached the Worker's log.
      for (const code of codes) expect(workerOutput.join("\n")).not.toContain(code);
    } catch (error) {
      console.error(`--- worker output ---\n${workerOutput.slice(-60).join("\n")}`);
      await page
        .screenshot({ path: join(tmpdir(), "liveloot-claims-e2e-failure.png"), fullPage: true })
        .catch(() => {});
      throw error;
    } finally {
      await page.close();
    }
  }, 180_000);

  /** Opens a claim link, signs in on the fake consent page as `login`; the claim page's answer. */
  async function signIn(claimUrl: string, login: string): Promise<{ status: number; text: string }> {
    const viewerPage = await context.newPage();
    try {
      await viewerPage.goto(claimUrl);
      await viewerPage.getByRole("link", { name: "Sign in with Twitch" }).click();
      await viewerPage.getByLabel(new RegExp(`\\(${login},`)).check();
      const [response] = await Promise.all([
        viewerPage.waitForResponse((candidate) => new URL(candidate.url()).pathname === "/claim/callback"),
        viewerPage.getByRole("button", { name: "Authorize" }).click(),
      ]);
      await viewerPage.waitForLoadState();
      return { status: response.status(), text: await viewerPage.locator("body").innerText() };
    } finally {
      await viewerPage.close();
    }
  }
});

async function advanceOneMinute(page: Page): Promise<void> {
  const before = await page.locator("#last-tick").innerText();
  await page.getByRole("button", { name: "Advance one minute" }).click();
  await expect.poll(async () => page.locator("#last-tick").innerText(), { timeout: 20_000 }).not.toBe(before);
  await page.locator('#last-tick[data-outcome="ok"]').waitFor(stepTimeout);
}

async function readWinner(embed: Locator): Promise<string> {
  const text = await embed.innerText();
  const winner = viewers.find((login) => text.includes(login));
  if (!winner) throw new Error(`no viewer named in: ${text}`);
  return winner;
}

async function readClaimLink(panel: Locator, index: number): Promise<string> {
  const link = panel.getByRole("link", { name: "Claim your prize" }).nth(index);
  return (await link.getAttribute("href")) ?? "";
}

async function readClaimLinkIn(embed: Locator): Promise<string> {
  // The link buttons follow the embed in the same message.
  const message = embed.locator("xpath=ancestor::*[.//a[contains(., 'Claim your prize')]][1]");
  const href = await message.getByRole("link", { name: "Claim your prize" }).first().getAttribute("href");
  return href ?? "";
}
