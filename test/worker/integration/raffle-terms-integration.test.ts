import { describe, expect, it } from "vitest";
import { readDrawEntrants, recordDraw } from "../../../worker/db/draws";
import { findActiveRaffleDetails } from "../../../worker/db/raffles";
import { decideSlot } from "../../../worker/raffle/drawSlots";
import { callWorker } from "../../support/worker/callWorker";
import {
  createChatter,
  createLinkedScene,
  drawNow,
  readDraws,
  useTestDatabase,
} from "../../support/worker/commandHelpers";
import { createTwitchUser, linkTwitch, runCommand, twitchControl } from "../../support/worker/fakes";

// The public record cannot be changed after the fact (issue 21, item 8): a paused raffle started
// again with new rules, and a re-link to another Twitch account, keep the raffle's public id, but
// every draw already made still shows the rules and the channel it was drawn under, on the page,
// in the .json and in the .csv. Draws are made as a streamer makes them (/raffle draw).

const database = useTestDatabase();
const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

function get(path: string, headers: Record<string, string> = {}) {
  return callWorker(new Request(`https://liveloot.test${path}`, { headers }));
}

async function drawOnce(scene: Parameters<typeof drawNow>[0]) {
  const { reply } = await drawNow(scene);
  expect(JSON.stringify(reply)).toMatch(/won|ganhou/);
}

async function pause(guildId: string) {
  // As the tick does when Discord refuses the announcement channel.
  await database.query(
    "update raffles set status = 'paused', status_reason = 'channel_unavailable' where guild_id = $1 and status = 'running'",
    [guildId],
  );
}

/** The page's draw entries by draw number: the channel shown and the version of the rules linked. */
function readPageDraws(html: string): Map<number, { channel: string | undefined; version: string | undefined }> {
  const draws = new Map<number, { channel: string | undefined; version: string | undefined }>();
  for (const match of html.matchAll(/<li id="draw-(\d+)">([\s\S]*?)<\/li>/g)) {
    const body = match[2] ?? "";
    draws.set(Number(match[1]), {
      channel: /<dt>Channel<\/dt><dd>([^<]*)<\/dd>/.exec(body)?.[1],
      version: /<a href="#terms-(\d+)">/.exec(body)?.[1],
    });
  }
  return draws;
}

function readPageTerms(html: string, version: string | undefined): string {
  const match = new RegExp(`<div class="terms" id="terms-${version}">([\\s\\S]*?)</div>`).exec(html);
  return match?.[1] ?? "";
}

describe("a draw's public record keeps the terms it was drawn under", () => {
  it("after a restart with new rules and a re-link, on the page, the .json and the .csv", async () => {
    const { scene, streamer } = await createLinkedScene();
    await runCommand(scene, "loot", "import", { items: "Sword:1, Shield:1" });
    const oldRules = "Old rules: one prize per person & <b>be kind</b>";
    const newRules = "New rules, stricter: followers only";
    // Each draw opens a claim, whose page names the channel the prize was won in.
    const started = await runCommand(scene, "raffle", "start", { cooldown: 0, rules: oldRules, claim: 60 });
    expect(started.body.data?.content).toMatch(/^🎁/);
    // Four viewers: the restart's cooldown leaves at least two who have not won.
    const viewers = ["first", "second", "third", "fourth"].map((name) => createChatter(name));
    await twitchControl().setChatters(streamer.id, { chatters: viewers });
    await drawOnce(scene);
    await drawOnce(scene);

    await pause(scene.guildId);
    const restarted = await runCommand(scene, "raffle", "start", { cooldown: 5, rules: newRules, claim: 60 });
    expect(restarted.body.data?.content).toMatch(/^🎁/);
    await drawOnce(scene);

    const nextStreamer = await createTwitchUser();
    await linkTwitch(scene, nextStreamer);
    await twitchControl().setChatters(nextStreamer.id, { chatters: [createChatter("fifth")] });
    await drawOnce(scene);

    // One raffle throughout: the same public id, four draws.
    const raffles = await database.query<{ public_id: string }>("select public_id from raffles where guild_id = $1", [
      scene.guildId,
    ]);
    expect(raffles).toHaveLength(1);
    const publicId = raffles[0]?.public_id ?? "";
    const draws = await readDraws(database, scene.guildId);
    expect(draws).toHaveLength(4);
    const expected = [
      { channel: streamer.login, rules: oldRules },
      { channel: streamer.login, rules: oldRules },
      { channel: streamer.login, rules: newRules },
      { channel: nextStreamer.login, rules: newRules },
    ];

    const record = await get(`/r/${publicId}.json`);
    expect(record.status).toBe(200);
    const json = (await record.json()) as {
      draws: { draw_number: number; channel: string; rules: string | null; terms_version: number }[];
      terms: { version: number; channel: string; rules: string | null; cooldown_minutes: number }[];
    };
    expect(json.draws.map(({ channel, rules }) => ({ channel, rules }))).toEqual(expected);
    expect(json.draws.map((draw) => draw.terms_version)).toEqual([1, 1, 2, 3]);
    expect(json.terms).toEqual([
      expect.objectContaining({ version: 1, channel: streamer.login, rules: oldRules, cooldown_minutes: 0 }),
      expect.objectContaining({ version: 2, channel: streamer.login, rules: newRules, cooldown_minutes: 5 }),
      expect.objectContaining({ version: 3, channel: nextStreamer.login, rules: newRules, cooldown_minutes: 5 }),
    ]);
    // The Verify button's one-draw record names the old terms too.
    const first = (await (await get(`/r/${publicId}.json?draw=${json.draws[0]?.draw_number}`)).json()) as typeof json;
    expect(first.draws[0]).toMatchObject({ channel: streamer.login, rules: oldRules });
    expect(first.terms.map((terms) => terms.version)).toEqual([1, 3]);

    const csv = await (await get(`/r/${publicId}.csv`)).text();
    const [header, ...rows] = csv.split("\r\n").filter((line) => line !== "");
    const columns = header?.split(",") ?? [];
    const channelColumn = columns.indexOf("channel");
    const versionColumn = columns.indexOf("terms_version");
    expect(columns.at(-1)).toBe("rules");
    expect(rows).toHaveLength(4);
    for (const [index, row] of rows.entries()) {
      // The rules are the last cell, quoted when they hold a comma.
      const cells = row.split(",");
      expect(cells[channelColumn]).toBe(expected[index]?.channel);
      expect(cells[versionColumn]).toBe(String([1, 1, 2, 3][index]));
      const rules = expected[index]?.rules ?? "";
      expect(row.endsWith(rules.includes(",") ? `"${rules}"` : rules)).toBe(true);
    }

    const page = await get(`/r/${publicId}`, { accept: browserAccept });
    expect(page.status).toBe(200);
    const html = await page.text();
    const pageDraws = readPageDraws(html);
    const drawNumbers = json.draws.map((draw) => draw.draw_number);
    expect([...pageDraws.keys()].sort()).toEqual([...drawNumbers].sort());
    for (const [index, drawNumber] of drawNumbers.entries()) {
      const shown = pageDraws.get(drawNumber);
      expect(shown?.channel).toBe(expected[index]?.channel);
      const terms = readPageTerms(html, shown?.version);
      expect(terms).toContain(`Channel: twitch.tv/${expected[index]?.channel}.`);
      expect(terms).toContain(
        (expected[index]?.rules ?? "").replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;"),
      );
    }
    expect(readPageTerms(html, "3")).toContain("Version 3 (latest)");
    expect(html).toContain("These rules changed while the raffle ran");

    // A winner holding the link of a prize won before the re-link sees the channel it was won in.
    const claims = await database.query<{ public_id: string; draw_number: number }>(
      `select c.public_id, d.draw_number from claims c join draws d on d.id = c.draw_id
       where d.guild_id = $1 and c.n = 0 order by d.draw_number`,
      [scene.guildId],
    );
    expect(claims).toHaveLength(4);
    for (const [index, claim] of claims.entries()) {
      const claimPage = await (await get(`/claim/${claim.public_id}`, { accept: browserAccept })).text();
      expect(claimPage).toContain(`in ${expected[index]?.channel}&#39;s giveaway`);
    }
  });

  it("starts no new version when a restart changes nothing the page shows, and a draw's terms cannot be changed", async () => {
    const { scene, streamer } = await createLinkedScene();
    await runCommand(scene, "loot", "import", { items: "Sword:1" });
    await runCommand(scene, "raffle", "start", { cooldown: 0, rules: "Same rules" });
    await twitchControl().setChatters(streamer.id, { chatters: [createChatter("viewer")] });
    await drawOnce(scene);
    await pause(scene.guildId);
    await runCommand(scene, "raffle", "start", { cooldown: 0, rules: "Same rules" });
    await drawOnce(scene);
    const versions = await database.query<{ version: number; draws: string }>(
      `select t.version, count(d.id)::text as draws from raffle_terms t join raffles r on r.id = t.raffle_id
       left join draws d on d.terms_id = t.id where r.guild_id = $1 group by t.version order by t.version`,
      [scene.guildId],
    );
    expect(versions).toEqual([{ version: 1, draws: "2" }]);

    // Not even a statement of the streamer's own making could point a draw at other terms.
    await database.query("update raffles set rules = 'Rewritten' where guild_id = $1", [scene.guildId]);
    await expect(
      database.query(
        `update draws d set terms_id = (select max(t.id) from raffle_terms t where t.raffle_id = d.raffle_id)
         where d.guild_id = $1`,
        [scene.guildId],
      ),
    ).rejects.toThrow(/cannot change/);
    const [raffle] = await database.query<{ public_id: string }>("select public_id from raffles where guild_id = $1", [
      scene.guildId,
    ]);
    const json = (await (await get(`/r/${raffle?.public_id}.json`)).json()) as { draws: { rules: string }[] };
    expect(json.draws.map((draw) => draw.rules)).toEqual(["Same rules", "Same rules"]);
  });

  it("refuses as stale a draw whose raffle was re-linked between reading its chat and recording it", async () => {
    const { scene, streamer } = await createLinkedScene();
    await runCommand(scene, "loot", "import", { items: "Sword:1" });
    await runCommand(scene, "raffle", "start", { cooldown: 0, rules: "Before" });
    const viewer = createChatter("early");
    // As the draw path reads it: the raffle (its terms' version), then its chat, then the entrants.
    const raffle = await findActiveRaffleDetails(database, scene.guildId);
    if (!raffle) throw new Error("no raffle");
    const slotAt = Date.now();
    const [read] = await readDrawEntrants(database, [
      { raffleId: raffle.id, slotAt, kind: "manual", candidates: [{ ...viewer, name: viewer.displayName }] },
    ]);
    if (read?.outcome !== "ready") throw new Error(`read_draw_entrants answered ${read?.outcome}`);
    const randomness = { round: null, signature: null, randomness: "ab".repeat(32) };
    const decision = await decideSlot(read, `manual-${"0".repeat(16)}`, Date.now(), randomness);
    // The server is re-linked to another Twitch account while the draw waits for its beacon round.
    await linkTwitch(scene, await createTwitchUser());
    const stale = await recordDraw(database, {
      raffleId: raffle.id,
      slotAt,
      kind: "manual",
      decision: { ...decision, terms_version: raffle.termsVersion },
    });
    expect(stale.outcome).toBe("stale");
    expect(await readDraws(database, scene.guildId)).toEqual([]);
    // Read again under the new terms, the same chat is recorded, in the new channel.
    const current = await findActiveRaffleDetails(database, scene.guildId);
    expect(current?.termsVersion).toBe(raffle.termsVersion + 1);
    expect(current?.twitchBroadcasterLogin).not.toBe(streamer.login);
    const drawn = await recordDraw(database, {
      raffleId: raffle.id,
      slotAt,
      kind: "manual",
      decision: { ...decision, terms_version: current?.termsVersion },
    });
    expect(drawn.outcome).toBe("drawn");
    const [row] = await database.query<{ login: string }>(
      "select t.twitch_broadcaster_login as login from draws d join raffle_terms t on t.id = d.terms_id where d.guild_id = $1",
      [scene.guildId],
    );
    expect(row?.login).toBe(current?.twitchBroadcasterLogin);
  });
});
