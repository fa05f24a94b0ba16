import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import type { Page, WebSocketRoute } from "playwright-core";
import { describe, expect, test } from "vitest";
import { devFixtures } from "../../../scripts/dev/devFixtures";
import { advanceToWinner, linkTwitchThrough, runCommand, useBrowserDevStack } from "../../support/browserDevStack";
import { chromiumPath } from "../../support/chromium";
import { decodePng } from "../../support/decodePng";
import { queryDatabase } from "../../support/testDatabase";

const hasChromium = existsSync(chromiumPath);
if (!hasChromium) console.warn(`overlay-browser skipped: ${chromiumPath} is missing (apt-get install chromium).`);

const giveawaysChannel = devFixtures.channels[1];
const stepTimeout = { timeout: 20_000 };
const viewers = ["alice_viewer", "bob_builds", "carol_cat"];
const loot = "Common Crate:70, Rare Knife:25, Golden Dragon:5";
/** The longest a Twitch login (25) and an item name (100) can be. */
const longestLogin = "the_longest_login_name_xx";
const longestItem =
  "Limited Edition Golden Dragon Statue with a Signed Certificate of Authenticity and the Collector Boo";
/** A card stays 5 s (`?seconds=5`): long enough to look at, short enough for draws in a row. */
const overlayQuery = "?seconds=5";

/**
 * The on-stream overlay as OBS shows it, against `npm run dev` (issue 23): the streamer runs
 * /overlay in the playground and opens its URL at 1920×1080 in headless Chromium; each "Advance one
 * minute" draws, and the page spins the reel onto the drawn item and shows the winner's card. The
 * page's socket is cut mid-stream (Playwright routes it) and every draw is still shown exactly once.
 */
describe.skipIf(!hasChromium)("the overlay page against npm run dev, in headless Chromium", () => {
  const started = useBrowserDevStack("overlay");

  test("lands on the drawn item, names Discord's winner, survives a cut socket, stays transparent, speaks pt-BR", async () => {
    const { stack, context, workerOutput, database } = started();
    if (!stack.playgroundUrl) throw new Error("the dev stack did not start a playground");
    const playground = await context.newPage();
    const overlayPages: Page[] = [];
    const pageErrors: string[] = [];
    try {
      await playground.goto(stack.playgroundUrl);
      await runCommand(playground, "twitch connect");
      await linkTwitchThrough(context, playground.getByRole("link", { name: "Link Twitch" }));
      await playground.getByRole("button", { name: "Go live" }).click();
      await playground.getByLabel("Who is in chat").fill(viewers.join("\n"));
      await playground.getByRole("button", { name: "Save chatters" }).click();
      await playground.getByText(`Saved: ${viewers.length} in chat.`).waitFor(stepTimeout);
      await runCommand(playground, "loot import", () => playground.locator("#option-items").fill(loot));
      await playground
        .getByText(/^Imported/)
        .first()
        .waitFor(stepTimeout);
      await runCommand(playground, "raffle start", async () => {
        await playground.locator("#option-channel").selectOption(giveawaysChannel.id);
        await playground.locator("#option-cooldown").fill("0");
      });
      await playground.getByText("Raffle started for").waitFor(stepTimeout);
      await runCommand(playground, "overlay");
      const overlayLink = playground.getByRole("link", { name: "Open the overlay" }).first();
      await overlayLink.waitFor(stepTimeout);
      const overlayUrl = (await overlayLink.getAttribute("href")) ?? "";
      expect(overlayUrl).toMatch(new RegExp(`^${stack.workerUrl}/overlay/[A-Za-z0-9_-]{43}$`));

      // The playground's Overlay panel plays the same page.
      await expect.poll(() => playground.locator("#overlay-frame").getAttribute("src"), stepTimeout).toBe(overlayUrl);
      const panel = playground.frameLocator("#overlay-frame");

      // OBS's Browser Source: 1920×1080. The socket goes through a route the test can cut.
      const overlay = await context.newPage();
      await overlay.setViewportSize({ width: 1920, height: 1080 });
      overlayPages.push(overlay);
      overlay.on("pageerror", (error) => pageErrors.push(error.message));
      const socketRoute = { blocked: false, current: undefined as WebSocketRoute | undefined };
      await overlay.routeWebSocket(/\/live$/, (route) => {
        if (socketRoute.blocked) {
          void route.close({ code: 1006 }).catch(() => {});
          return;
        }
        socketRoute.current = route;
        route.connectToServer();
      });
      await overlay.goto(`${overlayUrl}${overlayQuery}`);
      await expect.poll(() => socketRoute.current !== undefined, stepTimeout).toBe(true);
      expect(await overlay.locator("#overlay").getAttribute("data-state")).toBe("idle");

      // Draw 1: the reel spins and lands on the drawn item, then the card names Discord's winner.
      const announcement = await advanceToWinner(playground, giveawaysChannel.id);
      await overlay.locator('#overlay[data-state="card"]').waitFor(stepTimeout);
      const item = (await overlay.locator("#card-item").innerText()).trim();
      const winner = (await overlay.locator("#card-winner").innerText()).trim();
      expect(loot).toContain(item);
      expect(viewers).toContain(winner);
      expect(announcement).toContain(winner);
      expect(announcement).toContain(item);
      const landed = await overlay.evaluate(() => {
        const marker = document.getElementById("reel-marker")?.getBoundingClientRect();
        const tile = document.querySelector<HTMLElement>('[data-landing="true"]');
        const box = tile?.getBoundingClientRect();
        const x = (marker?.left ?? 0) + (marker?.width ?? 0) / 2;
        const under = document.elementsFromPoint(x, (marker?.top ?? 0) + (marker?.height ?? 0) / 2);
        const tileUnder = under.find((element) => element.classList.contains("tile"));
        return {
          onLandingTile: box !== undefined && box.left <= x && x <= box.right,
          textUnderMarker: tileUnder?.textContent ?? "",
        };
      });
      expect(landed).toEqual({ onLandingTile: true, textUnderMarker: item });
      await expect(overlay.locator("#card-verify").innerText()).resolves.toMatch(
        /^Verify this draw at .+\/r\/.+#draw-1$/,
      );

      // 1920×1080 with a transparent background everywhere outside the reel and the card.
      // Once the card has slid in (0.35 s): a still frame.
      await overlay.waitForFunction(() =>
        document.getAnimations().every((animation) => animation.playState !== "running"),
      );
      const boxesBefore = await readBoxes(overlay);
      const screenshot = await overlay.screenshot({ omitBackground: true });
      const image = decodePng(screenshot);
      expect([image.width, image.height]).toEqual([1920, 1080]);
      const boxes = await readBoxes(overlay);
      // Still the same card: the screenshot and the boxes are of one moment.
      expect(boxes).toEqual(boxesBefore);
      expect(await overlay.locator("#overlay").getAttribute("data-state")).toBe("card");
      // Shadows reach 4 % of the height around a box.
      const margin = 0.04 * image.height;
      let opaqueOutside = 0;
      let opaqueInside = 0;
      for (let y = 0; y < image.height; y += 8) {
        for (let x = 0; x < image.width; x += 8) {
          const alpha = image.pixels[(y * image.width + x) * 4 + 3] ?? 0;
          const near = boxes.some(
            (box) =>
              x >= box.left - margin && x <= box.right + margin && y >= box.top - margin && y <= box.bottom + margin,
          );
          const inside = boxes.some((box) => x > box.left && x < box.right && y > box.top && y < box.bottom);
          if (!near && alpha !== 0) opaqueOutside += 1;
          if (inside && alpha > 200) opaqueInside += 1;
        }
      }
      expect(opaqueOutside).toBe(0);
      expect(opaqueInside).toBeGreaterThan(100);
      if (process.env.OVERLAY_SCREENSHOT) await writeFile(process.env.OVERLAY_SCREENSHOT, screenshot);

      // The playground's panel played the same draw.
      await panel.locator('#overlay-history li[data-draw-number="1"]').waitFor({ state: "attached", ...stepTimeout });
      expect(await panel.locator("#card-winner").innerText()).toBe(winner);

      // The socket is cut mid-stream and stays down while draw 2 is made; draw 3 comes live.
      socketRoute.blocked = true;
      await socketRoute.current?.close({ code: 1006 }).catch(() => {});
      await advanceToDraw(playground, 2);
      socketRoute.blocked = false;
      await advanceToDraw(playground, 3);
      await expect
        .poll(() => overlay.locator("#overlay-history li").evaluateAll(readHistory), { timeout: 60_000 })
        .toHaveLength(3);
      const history = await overlay.locator("#overlay-history li").evaluateAll(readHistory);
      expect(history.map((entry) => entry.drawNumber)).toEqual(["1", "2", "3"]);
      const draws = await queryDatabase<{ draw_number: number; winner_twitch_display_name: string; item_name: string }>(
        database.url,
        "select draw_number, winner_twitch_display_name, item_name from draws order by draw_number",
      );
      expect(history.map((entry) => [Number(entry.drawNumber), entry.winner, entry.item])).toEqual(
        draws.map((draw) => [draw.draw_number, draw.winner_twitch_display_name, draw.item_name]),
      );

      // The same in pt-BR: the server's language (Discord's guild locale) is Portuguese. Only a
      // 25-character login is in chat and only a 100-character item is left, the longest there are.
      await playground.getByLabel("Who is in chat").fill(longestLogin);
      await playground.getByRole("button", { name: "Save chatters" }).click();
      await playground.getByText("Saved: 1 in chat.").waitFor(stepTimeout);
      await runCommand(playground, "loot add", async () => {
        await playground.locator("#option-name").fill(longestItem);
        await playground.locator("#option-weight").fill("1");
      });
      await playground.getByText(`Added ${longestItem}`).first().waitFor(stepTimeout);
      for (const name of ["Common Crate", "Rare Knife", "Golden Dragon"]) {
        await runCommand(playground, "loot remove", () => playground.locator("#option-name").fill(name));
        await playground.getByText(`Removed ${name}`).first().waitFor(stepTimeout);
      }
      // After the commands: each one records the guild_locale Discord sends (the playground's is en-US).
      await queryDatabase(database.url, "update guilds set locale = 'pt-BR'");
      const portuguese = await context.newPage();
      await portuguese.setViewportSize({ width: 1280, height: 720 });
      overlayPages.push(portuguese);
      portuguese.on("pageerror", (error) => pageErrors.push(error.message));
      await portuguese.goto(`${overlayUrl}${overlayQuery}`);
      expect(await portuguese.locator("html").getAttribute("lang")).toBe("pt-BR");
      await portuguese.waitForFunction(() => document.readyState === "complete");
      await new Promise((resolve) => setTimeout(resolve, 500));
      // Draw 4 still sees the chat Redis cached a minute ago (75 s); draw 5 sees the new one.
      await advanceToDraw(playground, 4);
      await advanceToDraw(playground, 5);
      await portuguese.locator('#card[data-draw-number="5"]').waitFor({ timeout: 40_000 });
      expect(await portuguese.locator("#card-won").innerText()).toBe("ganhou");
      expect(await portuguese.locator("#card-platform").innerText()).toBe("na Twitch");
      await expect(portuguese.locator("#card-verify").innerText()).resolves.toMatch(
        /^Verifique este sorteio em .+#draw-5$/,
      );
      // 720p: the longest login and item name wrap inside the card, nothing spills out of it or the screen.
      expect(await portuguese.locator("#card-winner").innerText()).toBe(longestLogin);
      expect(await portuguese.locator("#card-item").innerText()).toBe(longestItem);
      const fit = await portuguese.evaluate(() => {
        const card = document.getElementById("card")?.getBoundingClientRect();
        const texts = ["card-winner", "card-item", "card-verify"].map((id) => {
          const element = document.getElementById(id) as HTMLElement;
          const box = element.getBoundingClientRect();
          return {
            id,
            fits: element.scrollWidth <= element.clientWidth + 1 && box.right <= (card?.right ?? 0) + 1,
            fontPixels: Number.parseFloat(getComputedStyle(element).fontSize),
          };
        });
        return {
          cardOnScreen: card !== undefined && card.top >= 0 && card.bottom <= innerHeight && card.right <= innerWidth,
          texts,
        };
      });
      expect(fit.cardOnScreen).toBe(true);
      for (const text of fit.texts) expect(text.fits, text.id).toBe(true);
      // Readable on a 720p stream: the winner's name at least 30 px, the fine print at least 12 px.
      expect(fit.texts[0]?.fontPixels).toBeGreaterThanOrEqual(30);
      expect(Math.min(...fit.texts.map((text) => text.fontPixels))).toBeGreaterThanOrEqual(12);
      // It opened after draws 1–3: it shows only what came after (4 and 5).
      await expect
        .poll(() => portuguese.locator("#overlay-history li").evaluateAll(readHistory), stepTimeout)
        .toHaveLength(2);
      expect(pageErrors).toEqual([]);
    } catch (error) {
      console.error(`--- worker output ---\n${workerOutput.slice(-60).join("\n")}`);
      throw error;
    } finally {
      for (const page of overlayPages) await page.close();
      await playground.close();
    }
  }, 240_000);
});

/** Where the reel and the card are on the page, in CSS pixels (the screenshot's, at scale 1). */
function readBoxes(page: Page) {
  return page.evaluate(() =>
    ["reel", "card"].map((id) => {
      const box = document.getElementById(id)?.getBoundingClientRect();
      return { left: box?.left ?? 0, top: box?.top ?? 0, right: box?.right ?? 0, bottom: box?.bottom ?? 0 };
    }),
  );
}

function readHistory(entries: Element[]) {
  return entries.map((entry) => {
    const data = (entry as HTMLElement).dataset;
    return { drawNumber: data.drawNumber ?? "", winner: data.winner ?? "", item: data.item ?? "" };
  });
}

/** "Advance one minute" until the channel shows `count` winner announcements. */
async function advanceToDraw(playground: Page, count: number): Promise<void> {
  const before = await playground.locator("#last-tick").innerText();
  await playground.getByRole("button", { name: "Advance one minute" }).click();
  await expect.poll(() => playground.locator("#last-tick").innerText(), stepTimeout).not.toBe(before);
  const winners = playground.locator(`section[data-channel-id="${giveawaysChannel.id}"] .embed`, {
    hasText: /We have a winner!|Temos um ganhador!/,
  });
  await expect.poll(() => winners.count(), stepTimeout).toBe(count);
}
