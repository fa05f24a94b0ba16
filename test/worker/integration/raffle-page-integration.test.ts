import { beforeAll, describe, expect, inject, it } from "vitest";
import { DrandControl } from "../../../devkit/fakes/drandControl";
import { readDrawEntrants, recordDraw as recordDrawInDatabase } from "../../../worker/db/draws";
import { readPublicRaffle, recordPageSize } from "../../../worker/db/publicRaffle";
import { type DrandChain, parseDrandChainInfo } from "../../../worker/fairness/beacon";
import { formatHex } from "../../../worker/fairness/bytes";
import { firstRoundAfter, formatManualSlotLabel, formatSlotLabel } from "../../../worker/fairness/livelootV1";
import { type DrawRecordJson, parseRaffleRecord } from "../../../worker/fairness/raffleRecord";
import { verifyDrawRecord } from "../../../worker/fairness/verifyDrawRecord";
import { formatCsvCell } from "../../../worker/http/raffle/formatRaffleCsv";
import { renderRafflePage } from "../../../worker/http/raffle/renderRafflePage";
import { decideSlot } from "../../../worker/raffle/drawSlots";
import { callWorker } from "../../support/worker/callWorker";
import { createChatter, createRunningRaffle, useTestDatabase } from "../../support/worker/commandHelpers";
import { createSnowflake } from "../../support/worker/interactions";

/** The public raffle page, its record and its spreadsheet, over draws recorded as the Worker records them. */

const database = useTestDatabase();
const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

type Chatter = { id: string; login: string; displayName: string };
function get(path: string, headers: Record<string, string> = {}) {
  return callWorker(new Request(`https://liveloot.test${path}`, { headers }));
}

async function readFakeChain(): Promise<DrandChain> {
  return parseDrandChainInfo(await new DrandControl(inject("drandFake").url).readChainInfo());
}

/**
 * One draw as the Worker makes it (raffle/drawSlots.ts): readDrawEntrants, the first round after
 * the read (signed by the drand fake) or no beacon at all, decideSlot, recordDraw (record_draw).
 */
async function recordDraw(options: {
  raffleId: string;
  publicId: string;
  kind: "scheduled" | "manual";
  slotAt: Date;
  chatters: Chatter[];
  beacon: boolean;
  chain: DrandChain;
}) {
  const candidates = options.chatters.map((chatter) => ({
    id: chatter.id,
    login: chatter.login,
    name: chatter.displayName,
  }));
  const [read] = await readDrawEntrants(database, [
    { raffleId: options.raffleId, slotAt: options.slotAt.getTime(), kind: options.kind, candidates },
  ]);
  if (read?.outcome !== "ready") throw new Error(`read_draw_entrants answered ${read?.outcome}`);
  const readAt = Date.now();
  const slot =
    options.kind === "scheduled" ? formatSlotLabel(options.slotAt.getTime()) : formatManualSlotLabel(createSnowflake());
  const randomness = options.beacon
    ? await new DrandControl(inject("drandFake").url).readRound(firstRoundAfter(readAt, options.chain))
    : { round: null, signature: null, randomness: formatHex(crypto.getRandomValues(new Uint8Array(32))) };
  const decision = await decideSlot(read, slot, readAt, randomness);
  const recorded = await recordDrawInDatabase(database, {
    raffleId: options.raffleId,
    slotAt: options.slotAt.getTime(),
    kind: options.kind,
    decision,
  });
  expect(recorded.outcome).toBe("drawn");
  const item = read.items.find((entry) => entry.id === decision.item_id);
  return { slot, winner: decision.winner ?? undefined, itemName: item?.name };
}

describe("GET /r/{raffle}, .json and .csv", () => {
  const alice = createChatter("alice", "Alice_Wins");
  const bob = createChatter("bob", "Bob=1+1");
  const carol = createChatter("carol", "Carol");
  const excluded = createChatter("hidden", "Hidden_Person");
  let setting: Awaited<ReturnType<typeof createRunningRaffle>>;
  let raffle: { id: string; public_id: string; guild_id: string; discord_channel_id: string };
  let draws: Awaited<ReturnType<typeof recordDraw>>[] = [];
  let secretValues: string[] = [];
  const rules = 'Be nice. <script>alert("x")</script> & have fun';

  beforeAll(async () => {
    setting = await createRunningRaffle({
      items: "Golden Sword:3, Shield:1x5",
      chatters: [alice, bob, carol, excluded],
      cooldown: 0,
    });
    const [row] = await database.query<typeof raffle>(
      "select id::text, public_id, guild_id, discord_channel_id from raffles where guild_id = $1",
      [setting.scene.guildId],
    );
    if (!row) throw new Error("no raffle was started");
    raffle = row;
    await database.query("update raffles set rules = $2 where id = $1", [raffle.id, rules]);
    await database.query(
      "insert into excluded_viewers (guild_id, twitch_login, excluded_by_discord_user_id) values ($1, $2, $3)",
      [raffle.guild_id, excluded.login, setting.scene.userId],
    );
    const chain = await readFakeChain();
    const [next] = await database.query<{ next_slot_at: Date }>("select next_slot_at from raffles where id = $1", [
      raffle.id,
    ]);
    const chatters = [alice, bob, carol, excluded];
    const common = { raffleId: raffle.id, publicId: raffle.public_id, chatters, chain };
    draws = [
      await recordDraw({ ...common, kind: "scheduled", slotAt: next?.next_slot_at ?? new Date(), beacon: true }),
      await recordDraw({ ...common, kind: "manual", slotAt: new Date(), beacon: true }),
      await recordDraw({ ...common, kind: "manual", slotAt: new Date(Date.now() + 1), beacon: false }),
    ];
    // Everything stored about the Twitch link (tokens are ciphertext here): none of it may show.
    const [link] = await database.query<Record<string, unknown>>(
      "select access_token_ciphertext, refresh_token_ciphertext, linked_by_discord_user_id from twitch_links where guild_id = $1",
      [raffle.guild_id],
    );
    secretValues = [
      ...Object.values(link ?? {}).map(String),
      raffle.guild_id,
      raffle.discord_channel_id,
      excluded.id,
      excluded.login,
      excluded.displayName,
      setting.scene.userId,
    ];
  });

  it("shows the rules, the Twitch disclaimer verbatim and every draw, in English", async () => {
    const response = await get(`/r/${raffle.public_id}`, { accept: browserAccept, "accept-language": "en-US" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("content-language")).toBe("en-US");
    expect(response.headers.get("cache-control")).toBe("public, max-age=30");
    expect(response.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await response.text();
    expect(html).toContain(
      `This is a promotion from ${setting.streamer.login}. Twitch does not sponsor or endorse broadcaster promotions and is not responsible for them.`,
    );
    expect(html).toContain("A draw every minute while the channel is live.");
    expect(html).toContain("Cooldown: none");
    expect(html).toContain("Luck: off");
    expect(html).toContain("Gates: none");
    expect(html).toContain("Be nice. &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; have fun");
    expect(html).not.toContain('<script>alert("x")');
    expect(html).toContain("a uniform sample of at most 500 viewers");
    for (const draw of draws) {
      expect(html).toContain(`data-slot="${draw.slot}"`);
      expect(html).toContain(`<dd>${draw.winner?.name}</dd>`);
      expect(html).toContain(`<dd>${draw.itemName}</dd>`);
    }
    expect(html.match(/<button type="button" class="verify"/g)).toHaveLength(3);
    expect(html).toContain("<dd>not publicly verifiable</dd>");
    // Three entrants: the excluded chatter is not one of them.
    expect(html.match(/<dt>Entrants<\/dt><dd>3<\/dd>/g)).toHaveLength(3);
    expect(html).toContain('<script src="/assets/raffle-verify.js" defer></script>');
    for (const value of secretValues) expect(html).not.toContain(value);
  });

  it("answers Portuguese by Accept-Language, with the disclaimer translated and in English", async () => {
    const response = await get(`/r/${raffle.public_id}`, {
      accept: browserAccept,
      "accept-language": "pt-BR,pt;q=0.9",
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-language")).toBe("pt-BR");
    const html = await response.text();
    expect(html).toContain('<html lang="pt-BR">');
    expect(html).toContain(
      `Esta é uma promoção de ${setting.streamer.login}. A Twitch não patrocina nem endossa promoções de transmissores e não é responsável por elas.`,
    );
    expect(html).toContain(
      `This is a promotion from ${setting.streamer.login}. Twitch does not sponsor or endorse broadcaster promotions and is not responsible for them.`,
    );
    expect(html).toContain("Regras");
    expect(html).toContain(">Verificar</button>");
    expect(html).toContain("<dd>não verificável publicamente</dd>");
  });

  it("publishes a record that parses and verifies draw by draw, without internal ids", async () => {
    const response = await get(`/r/${raffle.public_id}.json`, { accept: browserAccept });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const text = await response.text();
    const json: unknown = JSON.parse(text);
    const record = parseRaffleRecord(json);
    expect(record.raffle).toBe(raffle.public_id);
    expect(record.algorithm).toBe("liveloot/v1");
    expect(record.chain_hash).toBe(inject("drandFake").chainHash);
    expect(record.draws.map((draw) => draw.slot)).toEqual(draws.map((draw) => draw.slot));
    const chain = await readFakeChain();
    for (const draw of record.draws) {
      expect(await verifyDrawRecord(draw, record.raffle, chain)).toEqual([]);
      expect(draw.entrants.map(([id]) => id).sort()).toEqual([alice.id, bob.id, carol.id].sort());
      expect(draw.entrants_read_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    }
    expect(record.draws.map((draw) => draw.round === null)).toEqual([false, false, true]);
    expect(record.draws.map((draw) => draw.winner_user_id)).toEqual(draws.map((draw) => draw.winner?.id));
    expect((json as { chain: { public_key: string } }).chain.public_key).toBe(inject("drandFake").publicKey);
    // A changed winner is caught: the check can fail.
    const [first] = record.draws;
    if (!first) throw new Error("no draw in the record");
    const other = [alice.id, bob.id, carol.id].find((id) => id !== first.winner_user_id) ?? "";
    const mismatches = await verifyDrawRecord({ ...first, winner_user_id: other }, record.raffle, chain);
    expect(mismatches.map((mismatch) => mismatch.field)).toEqual(["winner_user_id"]);
    // Only published fields: the raffle's database id (a small number, like item ids) has no field to be in.
    const top = json as Record<string, unknown>;
    expect(Object.keys(top).sort()).toEqual(["algorithm", "chain", "chain_hash", "draws", "older", "raffle", "terms"]);
    expect(top.older).toBeNull();
    const [terms] = top.terms as Record<string, unknown>[];
    expect(top.terms).toHaveLength(1);
    expect(terms).toMatchObject({ channel: setting.streamer.login, rules, cooldown_minutes: 0, luck: false });
    for (const draw of top.draws as Record<string, unknown>[]) {
      expect(draw).toMatchObject({ channel: setting.streamer.login, rules, terms_version: terms?.version });
      expect(Object.keys(draw).sort()).toEqual([
        "channel",
        "claim_status",
        "draw_number",
        "entrants",
        "entrants_read_at",
        "entrants_sha256",
        "item_id",
        "item_name",
        "items",
        "items_sha256",
        "kind",
        "randomness",
        "redraws",
        "round",
        "rules",
        "signature",
        "slot",
        "terms_version",
        "time",
        "winner_display_name",
        "winner_login",
        "winner_user_id",
      ]);
    }
    for (const value of secretValues) expect(text).not.toContain(value);
    expect(text).not.toMatch(/"(id|raffle_id|draw_id|guild_id|channel_id|discord_channel_id)"/);
  });

  it("serves the draws as a spreadsheet, quoted and safe from formulas", async () => {
    const response = await get(`/r/${raffle.public_id}.csv`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/csv; charset=utf-8/);
    expect(response.headers.get("content-disposition")).toBe(`attachment; filename="liveloot-${raffle.public_id}.csv"`);
    const lines = (await response.text()).split("\r\n");
    expect(lines[0]).toBe(
      "time,draw_number,slot,round,winner_login,winner_display_name,item_name,entrants,entrants_sha256,items_sha256,randomness,channel,terms_version,rules",
    );
    expect(lines).toHaveLength(draws.length + 2);
    expect(lines.at(-1)).toBe("");
    for (const [index, draw] of draws.entries()) {
      const cells = lines[index + 1]?.split(",") ?? [];
      expect(cells[2]).toBe(draw.slot);
      expect(cells[4]).toBe(draw.winner?.login);
      expect(cells[5]).toBe(formatCsvCell(draw.winner?.name ?? ""));
      expect(cells[7]).toBe("3");
    }
    expect(lines[3]?.split(",")[3]).toBe("");
    const csv = lines.join("\n");
    for (const value of secretValues) expect(csv).not.toContain(value);
  });

  it("serves one draw's record for its Verify button, and refuses malformed draw numbers", async () => {
    const one = await get(`/r/${raffle.public_id}.json?draw=2`);
    expect(one.status).toBe(200);
    const record = parseRaffleRecord(await one.json());
    expect(record.draws.map((draw) => draw.slot)).toEqual([draws[1]?.slot]);
    expect(await verifyDrawRecord(record.draws[0] as DrawRecordJson, record.raffle, await readFakeChain())).toEqual([]);
    const before = parseRaffleRecord(await (await get(`/r/${raffle.public_id}.json?before=3`)).json());
    expect(before.draws.map((draw) => draw.draw_number)).toEqual([1, 2]);
    expect((await get(`/r/${raffle.public_id}.json?draw=99`)).status).toBe(404);
    for (const query of ["draw=abc", "draw=0", "before=-1", "draw=1e3"]) {
      const refused = await get(`/r/${raffle.public_id}.json?${query}`);
      expect(refused.status).toBe(400);
      expect(await refused.json()).toEqual({ error: expect.stringContaining("draw numbers") });
    }
  });

  it("serves at most the newest draws, and the page says how many it left out", async () => {
    const newest = await readPublicRaffle(database, raffle.public_id, { kind: "summary", limit: 2 });
    expect(newest?.drawTotal).toBe(3);
    expect(newest?.draws.map((draw) => draw.proof?.slotLabel)).toEqual(draws.slice(1).map((draw) => draw.slot));
    if (!newest) throw new Error("raffle not found");
    const html = renderRafflePage(newest, "en-US", { chainHash: "00".repeat(32), chain: null });
    expect(html).toContain("Showing the newest 2 of 3 draws.");
    expect(html).not.toContain(`data-slot="${draws[0]?.slot}"`);
    expect(await readPublicRaffle(database, "../../etc/passwd")).toBeUndefined();
  });

  it("neutralises formulas and quotes separators in cells", () => {
    expect(formatCsvCell("Bob=1+1")).toBe("Bob=1+1");
    expect(formatCsvCell("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(formatCsvCell("+1")).toBe("'+1");
    expect(formatCsvCell("-2")).toBe("'-2");
    expect(formatCsvCell("@sum")).toBe("'@sum");
    expect(formatCsvCell('a,"b"')).toBe('"a,""b"""');
    expect(formatCsvCell("line\nbreak")).toBe('"line\nbreak"');
  });

  it("answers 404 to an unknown or malformed id: HTML to a browser, JSON for the record", async () => {
    const unknown = "AAAAAAAAAAAAAAAAAAAAAA";
    for (const id of [unknown, "..%2Fx", "x".repeat(200), "123", raffle.id, `${raffle.public_id}x!`]) {
      const response = await get(`/r/${id}`, { accept: browserAccept });
      expect(response.status, id).toBe(404);
      expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
      await response.body?.cancel();
    }
    const csv = await get(`/r/${unknown}.csv`, { accept: browserAccept });
    expect(csv.status).toBe(404);
    await csv.body?.cancel();
    const json = await get(`/r/${unknown}.json`, { accept: browserAccept });
    expect(json.status).toBe(404);
    expect(await json.json()).toEqual({ error: "Not found." });
  });
});

describe("a long raffle's record", () => {
  it(`comes ${recordPageSize} draws at a time, newest first, each page linking the older one`, async () => {
    const viewer = createChatter("pager", "Pager");
    const setting = await createRunningRaffle({ items: "Coin:1", chatters: [viewer], cooldown: 0 });
    const [row] = await database.query<{ id: string; public_id: string }>(
      "select id::text, public_id from raffles where guild_id = $1",
      [setting.scene.guildId],
    );
    if (!row) throw new Error("no raffle was started");
    const chain = await readFakeChain();
    const total = recordPageSize + 3;
    const start = Date.now() - total * 1000;
    for (let index = 0; index < total; index += 1) {
      await recordDraw({
        raffleId: row.id,
        publicId: row.public_id,
        kind: "manual",
        slotAt: new Date(start + index * 1000),
        chatters: [viewer],
        beacon: index % 2 === 0,
        chain,
      });
    }
    const pages: DrawRecordJson[][] = [];
    let url: string | null = `/r/${row.public_id}.json`;
    while (url !== null) {
      const body = (await (await get(url)).json()) as { older: string | null };
      pages.push(parseRaffleRecord(body).draws);
      url = body.older;
    }
    expect(pages.map((page) => page.length)).toEqual([recordPageSize, 3]);
    const numbers = pages.reverse().flatMap((page) => page.map((draw) => draw.draw_number));
    expect(numbers).toEqual(numbers.slice().sort((first, second) => first - second));
    expect(new Set(numbers).size).toBe(total);
    for (const draw of pages.flat()) expect(await verifyDrawRecord(draw, row.public_id, chain)).toEqual([]);
    // The page itself lists them all, without the entrant lists.
    const html = await (await get(`/r/${row.public_id}`, { accept: browserAccept })).text();
    expect(html.match(/class="verify"/g)).toHaveLength(total);
  });
});
