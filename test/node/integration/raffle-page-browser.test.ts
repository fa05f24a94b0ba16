import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { DrandControl } from "../../../devkit/fakes/drandControl";
import { type DevStack, startDevStack } from "../../../scripts/dev/startDevStack";
import type { Queryable } from "../../../worker/db/Database";
import { readDrawEntrants, recordDraw as recordDrawInDatabase } from "../../../worker/db/draws";
import { type DrandChain, parseDrandChainInfo } from "../../../worker/fairness/beacon";
import { formatHex } from "../../../worker/fairness/bytes";
import { firstRoundAfter, formatManualSlotLabel } from "../../../worker/fairness/livelootV1";
import { decideSlot } from "../../../worker/raffle/drawSlots";
import { chromiumFlags, chromiumPath } from "../../support/chromium";
import { createTestDatabase, type TestDatabase } from "../../support/testDatabase";

const hasChromium = existsSync(chromiumPath);
if (!hasChromium) {
  console.warn(`raffle-page-browser skipped: ${chromiumPath} is missing (apt-get install chromium).`);
}

const stepTimeout = { timeout: 20_000 };
const chatters = [
  { id: "41", login: "alice_viewer", name: "Alice" },
  { id: "9", login: "bob_builds", name: "Bob" },
  { id: "1234567", login: "carol_codes", name: "Carol" },
];

/** A running raffle with loot, straight into the dev stack's database; its public id. */
async function seedRaffle(client: pg.Client): Promise<{ raffleId: string; publicId: string }> {
  const guildId = "700000000000000001";
  await client.query("insert into guilds (id) values ($1)", [guildId]);
  await client.query(
    "insert into loot_items (guild_id, name, weight, stock) values ($1, 'Golden Sword', 3, null), ($1, 'Shield', 1, 5)",
    [guildId],
  );
  const { rows } = await client.query<{ id: string; public_id: string }>(
    `insert into raffles (guild_id, discord_channel_id, twitch_broadcaster_id, twitch_broadcaster_login, cooldown_minutes, rules)
     values ($1, '700000000000000002', '100', 'streamer_one', 0, 'One prize per person.')
     returning id::text, public_id`,
    [guildId],
  );
  const row = rows[0];
  if (!row) throw new Error("no raffle inserted");
  return { raffleId: row.id, publicId: row.public_id };
}

/** One manual draw the way the Worker records it (raffle/drawSlots.ts): read, the round after the read (or none), decide, record. */
async function recordDraw(
  client: pg.Client,
  raffle: { raffleId: string; publicId: string },
  drand: { control: DrandControl; chain: DrandChain } | null,
  slotAt: Date,
): Promise<{ slot: string; winnerName: string }> {
  const database: Queryable = {
    query: async <Row extends object>(text: string, values: unknown[] = []) =>
      (await client.query(text, values)).rows as Row[],
    batch: () => Promise.reject(new Error("not used")),
  };
  const [read] = await readDrawEntrants(database, [
    { raffleId: raffle.raffleId, slotAt: slotAt.getTime(), kind: "manual", candidates: chatters },
  ]);
  if (read?.outcome !== "ready") throw new Error(`read_draw_entrants: ${read?.outcome}`);
  const readAt = Date.now();
  const beacon = drand
    ? await drand.control.readRound(firstRoundAfter(readAt, drand.chain))
    : { round: null, signature: null, randomness: formatHex(crypto.getRandomValues(new Uint8Array(32))) };
  const slot = formatManualSlotLabel(String(slotAt.getTime()));
  const decision = await decideSlot(read, slot, readAt, beacon);
  if (!decision.winner) throw new Error("nobody won");
  const recorded = await recordDrawInDatabase(database, {
    raffleId: raffle.raffleId,
    slotAt: slotAt.getTime(),
    kind: "manual",
    decision,
  });
  if (recorded.outcome !== "drawn") throw new Error(`record_draw: ${recorded.outcome}`);
  return { slot, winnerName: decision.winner.name };
}

describe.skipIf(!hasChromium)("the public raffle page's Verify, in headless Chromium", () => {
  let stack: DevStack | undefined;
  let browser: Browser | undefined;
  let database: TestDatabase | undefined;
  let temporaryDirectory: string;
  let publicId = "";
  let draws: { slot: string; winnerName: string }[] = [];

  beforeAll(async () => {
    temporaryDirectory = await mkdtemp(join(tmpdir(), "liveloot-raffle-page-"));
    database = await createTestDatabase();
    [stack, browser] = await Promise.all([
      startDevStack({
        mode: "fakes",
        workerPort: 0,
        playgroundPort: 0,
        database: { source: "existing", databaseUrl: database.url },
        redisUrl: inject("redisUrl"),
        envFile: join(temporaryDirectory, "worker.env"),
        time: "manual",
      }),
      chromium.launch({ executablePath: chromiumPath, args: chromiumFlags }),
    ]);
    if (!stack.drandChainInfoUrl) throw new Error("the dev stack has no drand fake");
    const chainInfoUrl = new URL(stack.drandChainInfoUrl);
    const control = new DrandControl(chainInfoUrl.origin);
    const chain = parseDrandChainInfo(await control.readChainInfo());
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const raffle = await seedRaffle(client);
      publicId = raffle.publicId;
      const started = Date.now();
      draws = [
        await recordDraw(client, raffle, { control, chain }, new Date(started)),
        await recordDraw(client, raffle, { control, chain }, new Date(started + 1000)),
        await recordDraw(client, raffle, null, new Date(started + 2000)),
      ];
    } finally {
      await client.end();
    }
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await database?.drop();
    await rm(temporaryDirectory, { recursive: true, force: true });
  }, 60_000);

  /** Opens the page, noting console errors, uncaught errors and every URL it asks for. */
  async function openPage(locale = "en-US"): Promise<{ page: Page; problems: string[]; requests: string[] }> {
    if (!browser || !stack) throw new Error("not started");
    const context = await browser.newContext({ locale, extraHTTPHeaders: { "accept-language": locale } });
    await context.route("**/favicon.ico", (route) => route.fulfill({ status: 204 }));
    const page = await context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(message.text());
    });
    page.on("pageerror", (error) => problems.push(error.message));
    page.on("request", (request) => requests.push(request.url()));
    await page.goto(`${stack.workerUrl}/r/${publicId}`);
    return { page, problems, requests };
  }

  function drawItem(page: Page, slot: string) {
    return page.locator("li", { has: page.locator(`button[data-slot="${slot}"]`) });
  }

  test("every draw verifies ✓, BLS signature included; the page loads only its own origin", async () => {
    const { page, problems, requests } = await openPage();
    try {
      await page.getByText("This is a promotion from streamer_one.").waitFor(stepTimeout);
      for (const draw of draws) {
        const item = drawItem(page, draw.slot);
        await expect(item.locator("dd").nth(1).innerText()).resolves.toBe(draw.winnerName);
        await item.getByRole("button", { name: "Verify" }).click();
        await item.locator(".result.ok").waitFor(stepTimeout);
      }
      const results = await page.locator(".result").allInnerTexts();
      expect(results.slice(0, 2)).toEqual([
        "✓ The picks match this randomness, but it did not come from the beacon: not publicly verifiable.",
        "✓ Verified: the beacon's signature, both lists and the picks match.",
      ]);
      expect(results[2]).toBe("✓ Verified: the beacon's signature, both lists and the picks match.");
      expect(problems).toEqual([]);
      const origin = new URL(stack?.workerUrl ?? "").origin;
      expect(requests.filter((url) => new URL(url).origin !== origin)).toEqual([]);
      expect(requests).toContain(`${origin}/assets/raffle-verify.js`);
      // Each Verify fetches only its own draw's record, never the whole raffle's.
      const records = requests.filter((url) => new URL(url).pathname === `/r/${publicId}.json`);
      expect(records.map((url) => new URL(url).search).sort()).toEqual(
        draws.map((_, index) => `?draw=${index + 1}`).sort(),
      );
    } finally {
      await page.context().close();
    }
  });

  test("its link to the algorithm opens docs/fairness.md as a page of the same origin, loading nothing", async () => {
    const { page, problems, requests } = await openPage();
    try {
      await page.getByText("This is a promotion from streamer_one.").waitFor(stepTimeout);
      const origin = new URL(stack?.workerUrl ?? "").origin;
      const [response] = await Promise.all([
        page.waitForResponse((answer) => new URL(answer.url()).pathname === "/docs/fairness", stepTimeout),
        page.getByRole("link", { name: /^The recipe to the byte, with test vectors/ }).click(),
      ]);
      expect(response.status()).toBe(200);
      await page
        .getByRole("heading", { name: "Provable fairness: the liveloot/v1 draw algorithm" })
        .waitFor(stepTimeout);
      await page.getByRole("heading", { name: "Vector 3: rejection" }).waitFor(stepTimeout);
      // Its inline style applies (the page's CSP allows it by hash): a CSP refusal would be a console error.
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(background).toBe("rgb(14, 14, 16)");
      expect(problems).toEqual([]);
      expect(requests.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    } finally {
      await page.context().close();
    }
  });

  test("a tampered record says ✗ and exactly what does not match, in Portuguese too", async () => {
    const { page, problems } = await openPage("pt-BR");
    try {
      const [first, second] = draws;
      if (!first || !second) throw new Error("draws missing");
      // Another winner for the first draw, another signature for the second: what a forger would change.
      await page.route(`**/r/${publicId}.json?draw=*`, async (route) => {
        const response = await route.fetch();
        const record = (await response.json()) as {
          draws: { slot: string; winner_user_id: string; signature: string | null }[];
        };
        for (const draw of record.draws) {
          if (draw.slot === first.slot)
            draw.winner_user_id = chatters.find((chatter) => chatter.id !== draw.winner_user_id)?.id ?? "";
          if (draw.slot === second.slot && draw.signature) draw.signature = `${draw.signature.slice(0, -2)}00`;
        }
        await route.fulfill({ response, json: record });
      });
      const firstItem = drawItem(page, first.slot);
      await firstItem.getByRole("button", { name: "Verificar" }).click();
      await firstItem.locator(".result.bad").waitFor(stepTimeout);
      const firstResult = await firstItem.locator(".result").innerText();
      expect(firstResult).toContain("✗ Este sorteio não confere com o registro:");
      expect(firstResult).toMatch(/winner_user_id is "\d+", but Pick\("winner", entrants\) gives "\d+"/);

      const secondItem = drawItem(page, second.slot);
      await secondItem.getByRole("button", { name: "Verificar" }).click();
      await secondItem.locator(".result.bad").waitFor(stepTimeout);
      const secondResult = await secondItem.locator(".result").innerText();
      expect(secondResult).toContain("a assinatura do farol não é a assinatura da rede para esta rodada");
      expect(secondResult).toContain("randomness is");
      expect(problems).toEqual([]);
    } finally {
      await page.context().close();
    }
  });
});
