import { describe, expect, inject, it } from "vitest";
import { DrandControl } from "../../../devkit/fakes/drandControl";
import type { WorkerBindings } from "../../../worker/env";
import { parseHex } from "../../../worker/fairness/bytes";
import { decideRedraw } from "../../../worker/fairness/livelootV1";
import { parseRaffleRecord } from "../../../worker/fairness/raffleRecord";
import { verifyDrawRecord } from "../../../worker/fairness/verifyDrawRecord";
import { referenceCheck, referenceList, referencePick } from "../../support/fairnessReference";
import { callWorker, testEnvironment } from "../../support/worker/callWorker";
import { createTwitchUser, discordControl, linkTwitch, runCommand, twitchControl } from "../../support/worker/fakes";
import { createScene, type InteractionScene } from "../../support/worker/interactions";
import { ownDatabaseUrl, runOwnTick, useTickDatabase } from "../../support/worker/ownDatabase";

// The claim lifecycle in the draw path (docs/contract.md "Claims"): a draw that needs a claim
// links to it; the tick expires an unclaimed prize, redraws it with liveloot/v1's redraw purposes
// (announced once each, through the claims' outbox), and after the third redraw a code goes back
// to stock. Ticks run against this file's own database (ownDatabaseUrl).
const bindings: Partial<WorkerBindings> = { DATABASE_URL: ownDatabaseUrl() };
const database = useTickDatabase(bindings);
const drand = inject("drandFake");

const minute = 60_000;

interface ClaimRow {
  id: string;
  public_id: string;
  n: number;
  winner_twitch_user_id: string;
  winner_twitch_login: string;
  winner_twitch_display_name: string;
  status: string;
  expires_at: Date;
  announcement_status: string;
  announcement_message_id: string | null;
}

async function readClaims(guildId: string): Promise<ClaimRow[]> {
  return database.query<ClaimRow>(
    `select c.id::text, c.public_id, c.n, c.winner_twitch_user_id, c.winner_twitch_login, c.winner_twitch_display_name, c.status, c.expires_at,
       c.announcement_status, c.announcement_message_id
     from claims c join draws d on d.id = c.draw_id where d.guild_id = $1 order by d.id, c.n`,
    [guildId],
  );
}

/** A live raffle drawing once an hour (so only the first tick draws), with five viewers in chat. */
async function startClaimRaffle(options: {
  loot: string;
  claim?: number;
  locale?: string;
  announceInTwitch?: boolean;
}) {
  const scene: InteractionScene = createScene(options.locale ? { locale: options.locale } : {});
  const streamer = await createTwitchUser();
  await linkTwitch(scene, streamer, { bindings });
  await discordControl().createChannel({ id: scene.channelId, guildId: scene.guildId });
  await discordControl().setChannelRateLimit(scene.channelId, { limit: 1000, windowSeconds: 1 });
  const imported = await runCommand(scene, "loot", "import", { items: options.loot }, { bindings });
  expect(imported.body.type).toBe(4);
  const viewers = [0, 1, 2, 3, 4].map((index) => ({
    id: `9${streamer.id.slice(-8)}${index}`,
    login: `claim_${streamer.id}_${index}`.slice(0, 25),
    displayName: `Viewer${index}`,
  }));
  await twitchControl().setChatters(streamer.id, { chatters: viewers });
  await twitchControl().setLive(streamer.id);
  const started = await runCommand(
    scene,
    "raffle",
    "start",
    {
      every: 60,
      cooldown: 0,
      ...(options.claim === undefined ? {} : { claim: options.claim }),
      ...(options.announceInTwitch ? { announce_in_twitch: true } : {}),
    },
    { bindings },
  );
  return { scene, streamer, viewers, started };
}

/** One prize code for the guild's item, sealed-looking (the vault's format), as record_draw expects it. */
async function addOneCode(guildId: string, itemName: string): Promise<void> {
  await database.query(
    `with item as (update loot_items set stock = 1 where guild_id = $1 and name = $2 returning id)
     insert into loot_codes (guild_id, item_id, seal_id, code_ciphertext, code_key_id, code_digest)
     select $1, item.id, gen_random_uuid(), repeat('A', 60), 'test-key', encode(sha256(gen_random_uuid()::text::bytea), 'hex')
     from item`,
    [guildId, itemName],
  );
}

async function readServedRecord(publicId: string) {
  const response = await callWorker(new Request(`http://localhost/r/${publicId}.json`), bindings);
  expect(response.status).toBe(200);
  return parseRaffleRecord(await response.json());
}

function buttonsOf(message: { components?: unknown } | undefined) {
  const rows = (message?.components ?? []) as { components: { label: string; url: string }[] }[];
  return rows.flatMap((row) => row.components.map((button) => [button.label, button.url]));
}

describe("claims in the draw path", () => {
  it("rejects a claim window out of range with a localized message", async () => {
    const scene = createScene({ locale: "pt-BR" });
    const refused = await runCommand(scene, "raffle", "start", { claim: 0 }, { bindings });
    expect(refused.body.data?.flags).toBe(64);
    expect(refused.body.data?.content).toBe("`resgate` deve ser um número inteiro de minutos de 1 a 1440.");
    const english = await runCommand(createScene(), "raffle", "start", { claim: 1441 }, { bindings });
    expect(english.body.data?.content).toBe("`claim` must be a whole number of minutes from 1 to 1440.");
  });

  it("expires an unclaimed prize, redraws it three times exactly as liveloot/v1 says, then returns its code", async () => {
    const { scene, started } = await startClaimRaffle({ loot: "Key:1", claim: 1 });
    expect(started.body.data?.content).toContain("Winners have 1 min to claim their prize");
    await addOneCode(scene.guildId, "Key");
    const base = Math.floor(Date.now() / minute) * minute + minute;
    await runOwnTick(base);

    const [first] = await readClaims(scene.guildId);
    expect(first).toMatchObject({ n: 0, status: "open", announcement_status: "none" });
    expect(first?.public_id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(first?.expires_at.getTime()).toBe(base + minute);
    const reserved = await database.query<{ status: string; stock: number }>(
      `select lc.status, li.stock from loot_codes lc join loot_items li on li.id = lc.item_id where lc.guild_id = $1`,
      [scene.guildId],
    );
    expect(reserved).toEqual([{ status: "reserved", stock: 0 }]);
    const winnerMessage = (await discordControl().listMessages(scene.channelId)).find((message) =>
      JSON.stringify(message.embeds).includes("We have a winner"),
    );
    const [claimButton, verifyButton] = buttonsOf(winnerMessage);
    expect(claimButton).toEqual(["Claim your prize", `${testEnvironment().PUBLIC_BASE_URL}/claim/${first?.public_id}`]);
    expect(verifyButton?.[0]).toBe("Verify this draw");

    // Not yet due: the window is still open a millisecond before it closes.
    await runOwnTick(base + minute - 1);
    expect(await readClaims(scene.guildId)).toHaveLength(1);

    for (let n = 1; n <= 3; n += 1) {
      await runOwnTick(base + n * minute);
      await runOwnTick(base + n * minute); // replayed: redraws nothing twice, announces nothing twice
      const claims = await readClaims(scene.guildId);
      expect(claims.map((claim) => [claim.n, claim.status])).toEqual(
        [...Array(n + 1).keys()].map((index) => [index, index < n ? "expired" : "open"]),
      );
      const latest = claims[n];
      expect(latest?.expires_at.getTime()).toBe(base + (n + 1) * minute);
      expect(latest?.announcement_status).toBe("delivered");
    }
    const redrawMessages = (await discordControl().listMessages(scene.channelId)).filter((message) =>
      JSON.stringify(message.embeds).includes("did not claim"),
    );
    expect(redrawMessages).toHaveLength(3);
    const claims = await readClaims(scene.guildId);
    for (const [index, message] of redrawMessages.entries()) {
      const previous = claims[index];
      const current = claims[index + 1];
      const embed = (message.embeds as { description: string; footer: { text: string } }[])[0];
      expect(embed?.description).toContain(
        `**${previous?.winner_twitch_display_name.replace(/_/g, "\\_")}** did not claim **Key** in time — the new winner is **${current?.winner_twitch_login.replace(/_/g, "\\_")}**!`,
      );
      expect(embed?.footer.text).toMatch(new RegExp(`^Draw #\\d+ · redraw ${index + 1}$`));
      expect(buttonsOf(message)[0]).toEqual([
        "Claim your prize",
        `${testEnvironment().PUBLIC_BASE_URL}/claim/${current?.public_id}`,
      ]);
      expect(message.id).toBe(current?.announcement_message_id);
    }

    // The redraws are exactly Pick("winner-redraw-n", entrants without the earlier winners), and
    // the served record says so to every verifier.
    const [draw] = await database.query<{
      public_id: string;
      slot_label: string;
      randomness: string;
      entrants: [string, string, number][];
    }>(
      `select r.public_id, d.slot_label, d.randomness, d.entrants from draws d join raffles r on r.id = d.raffle_id
       where d.guild_id = $1`,
      [scene.guildId],
    );
    if (!draw) throw new Error("no draw");
    const input = {
      randomness: parseHex(draw.randomness),
      raffle: draw.public_id,
      slot: draw.slot_label,
      entrants: draw.entrants.map(([id, , weight]) => ({ id, weight })),
    };
    const winners = [claims[0]?.winner_twitch_user_id ?? ""];
    for (let n = 1; n <= 3; n += 1) {
      const decision = await decideRedraw(n, input, winners);
      expect(decision.winnerUserId).toBe(claims[n]?.winner_twitch_user_id);
      const reference = referencePick(
        Buffer.from(draw.randomness, "hex"),
        `liveloot/v1/${draw.public_id}/${draw.slot_label}/winner-redraw-${n}`,
        referenceList(input.entrants.filter((entry) => !winners.includes(entry.id))).sorted,
      );
      expect(reference.id).toBe(claims[n]?.winner_twitch_user_id);
      winners.push(claims[n]?.winner_twitch_user_id ?? "");
    }
    const record = await readServedRecord(draw.public_id);
    const [served] = record.draws;
    expect(served?.redraws).toEqual(
      claims.slice(1).map((claim) => ({ n: claim.n, winner_user_id: claim.winner_twitch_user_id })),
    );
    const chain = await new DrandControl(drand.url).readChainInfo();
    if (served) {
      expect(
        await verifyDrawRecord(served, draw.public_id, {
          genesisSeconds: chain.genesis_time,
          periodSeconds: chain.period,
        }),
      ).toEqual([]);
      expect(referenceCheck(draw.public_id, served)).toEqual([]);
      // A tampered redraw is caught: the check can fail.
      const tampered = {
        ...served,
        redraws: served.redraws.map((redraw, index) =>
          index === 1 ? { ...redraw, winner_user_id: claims[0]?.winner_twitch_user_id ?? null } : redraw,
        ),
      };
      expect(
        await verifyDrawRecord(tampered, draw.public_id, {
          genesisSeconds: chain.genesis_time,
          periodSeconds: chain.period,
        }),
      ).not.toEqual([]);
    }

    // The third redraw expires too: no fourth, and the code goes back to stock.
    await runOwnTick(base + 4 * minute);
    await runOwnTick(base + 4 * minute);
    expect((await readClaims(scene.guildId)).map((claim) => claim.status)).toEqual([
      "expired",
      "expired",
      "expired",
      "expired",
    ]);
    const returned = await database.query<{ status: string; draw_id: string | null; stock: number }>(
      `select lc.status, lc.draw_id, li.stock from loot_codes lc join loot_items li on li.id = lc.item_id where lc.guild_id = $1`,
      [scene.guildId],
    );
    expect(returned).toEqual([{ status: "available", draw_id: null, stock: 1 }]);

    // The public page shows each claim's status, and never a code.
    const page = await callWorker(new Request(`http://localhost/r/${draw.public_id}`), bindings);
    const html = await page.text();
    expect(html).toContain("<dt>Claim</dt><dd>not claimed in time → redrawn</dd>");
    expect(html).toContain("<dt>Redraw 3</dt>");
    expect(html).toContain("not claimed in time</dd>");
    expect(html).not.toContain("AAAAAAAAAA");

    const history = await runCommand(scene, "raffle", "history", {}, { bindings });
    expect(String(history.body.data?.embeds?.[0]?.description)).toContain(" · 🔁 redrawn 3×, now **");
    expect(String(history.body.data?.embeds?.[0]?.description)).toMatch(/ · ⌛ never claimed$/);
  });

  it("never redraws a claimed prize, and stops redrawing when nobody is left", async () => {
    const { scene, viewers } = await startClaimRaffle({ loot: "Sword:1", claim: 2 });
    const base = Math.floor(Date.now() / minute) * minute + minute;
    await runOwnTick(base);
    await database.query(
      `update claims set status = 'claimed', claimed_at = now()
       where draw_id in (select id from draws where guild_id = $1)`,
      [scene.guildId],
    );
    await runOwnTick(base + 3 * minute);
    expect((await readClaims(scene.guildId)).map((claim) => [claim.n, claim.status])).toEqual([[0, "claimed"]]);
    const history = await runCommand(scene, "raffle", "history", {}, { bindings });
    expect(String(history.body.data?.embeds?.[0]?.description)).toMatch(/ · ✅ claimed$/);

    // One entrant only: nobody is left to redraw among, so the claim just ends.
    await twitchControl().setChatters(
      (
        await database.query<{ twitch_broadcaster_id: string }>(
          "select twitch_broadcaster_id from raffles where guild_id = $1",
          [scene.guildId],
        )
      )[0]?.twitch_broadcaster_id ?? "",
      { chatters: viewers.slice(0, 1) },
    );
    const manual = await runCommand(scene, "raffle", "draw", {}, { bindings });
    expect(manual.body.type).toBe(5);
    let claims: ClaimRow[] = [];
    for (let attempt = 0; attempt < 100 && claims.length < 2; attempt += 1) {
      claims = await readClaims(scene.guildId);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const manualClaim = claims[1];
    expect(manualClaim).toMatchObject({ n: 0, status: "open" });
    await runOwnTick((manualClaim?.expires_at.getTime() ?? 0) + minute);
    expect((await readClaims(scene.guildId)).map((claim) => [claim.n, claim.status])).toEqual([
      [0, "claimed"],
      [0, "expired"],
    ]);
  });

  it("a reserved code whose item was removed is not put back in stock when its claim ends", async () => {
    const { scene, viewers } = await startClaimRaffle({ loot: "Key:1", claim: 2 });
    await addOneCode(scene.guildId, "Key");
    // Only one viewer in chat: the claim ends without a redraw when it expires.
    const [raffle] = await database.query<{ twitch_broadcaster_id: string }>(
      "select twitch_broadcaster_id from raffles where guild_id = $1",
      [scene.guildId],
    );
    await twitchControl().setChatters(raffle?.twitch_broadcaster_id ?? "", { chatters: viewers.slice(0, 1) });
    const base = Math.floor(Date.now() / minute) * minute + minute;
    await runOwnTick(base);
    const [draw] = await database.query<{ id: string }>("select id::text from draws where guild_id = $1", [
      scene.guildId,
    ]);
    expect((await database.query("select status from loot_codes where draw_id = $1", [draw?.id]))[0]).toEqual({
      status: "reserved",
    });
    const removed = await runCommand(scene, "loot", "remove", { name: "Key" }, { bindings });
    expect(removed.body.data?.content).toContain("Key");
    await runOwnTick(base + 3 * minute);
    expect((await readClaims(scene.guildId)).map((claim) => [claim.n, claim.status])).toEqual([[0, "expired"]]);
    // No orphan code left available for an item that is gone.
    expect(await database.query("select 1 from loot_codes where guild_id = $1", [scene.guildId])).toEqual([]);
  });

  it("/raffle status lists open claims, in en-US and pt-BR", async () => {
    for (const locale of ["en-US", "pt-BR"] as const) {
      const { scene } = await startClaimRaffle({ loot: "Sword:1", claim: 30, locale });
      const base = Math.floor(Date.now() / minute) * minute + minute;
      await runOwnTick(base);
      const [claim] = await readClaims(scene.guildId);
      const status = await runCommand(scene, "raffle", "status", {}, { bindings });
      const fields = (status.body.data?.embeds?.[0]?.fields ?? []) as { name: string; value: string }[];
      const expires = `<t:${Math.floor((claim?.expires_at.getTime() ?? 0) / 1000)}:R>`;
      const winner = claim?.winner_twitch_display_name;
      expect(
        fields.find((field) => field.name === (locale === "pt-BR" ? "Resgates abertos" : "Open claims"))?.value,
      ).toBe(
        locale === "pt-BR"
          ? `**${winner}** — **Sword** — fecha ${expires}`
          : `**${winner}** — **Sword** — closes ${expires}`,
      );
      const history = await runCommand(scene, "raffle", "history", {}, { bindings });
      expect(String(history.body.data?.embeds?.[0]?.description)).toMatch(
        locale === "pt-BR" ? / · 🕒 aguardando resgate$/ : / · 🕒 waiting for the claim$/,
      );
      await database.query(
        "update raffles set status = 'stopped', status_reason = 'stopped_by_user', stopped_at = now() where guild_id = $1 and status <> 'stopped'",
        [scene.guildId],
      );
    }
  });

  it("says where to claim in Twitch chat, for the winner and for a redraw's winner", async () => {
    const { scene, streamer } = await startClaimRaffle({ loot: "Sword:1", claim: 1, announceInTwitch: true });
    const base = Math.floor(Date.now() / minute) * minute + minute;
    await runOwnTick(base);
    await runOwnTick(base + minute);
    const claims = await readClaims(scene.guildId);
    const messages = await twitchControl().listChatMessages(streamer.id);
    expect(messages.map((message) => message.message)).toEqual(
      claims.map(
        (claim) =>
          `@${claim.winner_twitch_login} won Sword! Claim it at ${testEnvironment().PUBLIC_BASE_URL}/claim/${claim.public_id}`,
      ),
    );
  });
});
