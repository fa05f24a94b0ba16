import { describe, expect, inject, it } from "vitest";
import { DrandControl } from "../../../devkit/fakes/drandControl";
import { verifyBeaconSignature } from "../../../scripts/fairness/verifyBeaconSignature";
import type { WorkerBindings } from "../../../worker/env";
import { roundPublishedAt } from "../../../worker/fairness/livelootV1";
import type { DrawRecordJson } from "../../../worker/fairness/raffleRecord";
import { verifyDrawRecord } from "../../../worker/fairness/verifyDrawRecord";
import { referenceCheck } from "../../support/fairnessReference";
import { createTwitchUser, discordControl, linkTwitch, runCommand, twitchControl } from "../../support/worker/fakes";
import { createScene, type InteractionScene } from "../../support/worker/interactions";
import { ownDatabaseUrl, runOwnTick, useTickDatabase } from "../../support/worker/ownDatabase";

// Every tick and /raffle draw goes through liveloot/v1: entrants read, the drand fake's round
// after that read waited for, decided, recorded. These tests read the records back and check
// each draw three ways: the page's verifier, an independent reference and the BLS signature.
const bindings: Partial<WorkerBindings> = { DATABASE_URL: ownDatabaseUrl() };
const database = useTickDatabase(bindings);
const drand = inject("drandFake");

const minute = 60_000;

interface StoredDraw {
  public_id: string;
  kind: string;
  slot_at: Date;
  draw_number: number;
  slot_label: string;
  beacon_round: string | null;
  beacon_signature: string | null;
  randomness: string;
  entrants_read_at: Date;
  entrants: [string, string, number][];
  entrants_sha256: string;
  items: [string, string, number][];
  items_sha256: string;
  item_id: string;
  winner_twitch_user_id: string;
  created_at: Date;
}

async function readRecords(guildId: string): Promise<{ raffle: string; record: DrawRecordJson; stored: StoredDraw }[]> {
  const rows = await database.query<StoredDraw>(
    `select r.public_id, d.kind, d.slot_at, d.draw_number, d.slot_label, d.beacon_round::text, d.beacon_signature,
       d.randomness, d.entrants_read_at, d.entrants, d.entrants_sha256,
       coalesce(d.items, (select l.items from draw_item_lists l where l.id = d.item_list_id)) as items, d.items_sha256, d.item_id::text,
       d.winner_twitch_user_id, d.created_at
     from draws d join raffles r on r.id = d.raffle_id where d.guild_id = $1 order by d.id`,
    [guildId],
  );
  return rows.map((stored) => ({
    raffle: stored.public_id,
    stored,
    record: {
      slot: stored.slot_label,
      draw_number: stored.draw_number,
      round: stored.beacon_round === null ? null : Number(stored.beacon_round),
      signature: stored.beacon_signature,
      randomness: stored.randomness,
      entrants_read_at: stored.entrants_read_at.toISOString(),
      entrants: stored.entrants,
      entrants_sha256: stored.entrants_sha256,
      items: stored.items,
      items_sha256: stored.items_sha256,
      item_id: stored.item_id,
      winner_user_id: stored.winner_twitch_user_id,
      redraws: [],
    },
  }));
}

async function expectVerifiable(entry: { raffle: string; record: DrawRecordJson }): Promise<void> {
  const chain = await new DrandControl(drand.url).readChainInfo();
  const schedule = { genesisSeconds: chain.genesis_time, periodSeconds: chain.period };
  expect(await verifyDrawRecord(entry.record, entry.raffle, schedule)).toEqual([]);
  expect(referenceCheck(entry.raffle, entry.record)).toEqual([]);
  const { round, signature } = entry.record;
  expect(round).not.toBeNull();
  expect(await verifyBeaconSignature({ round: round as number, signature: signature as string }, drand.publicKey)).toBe(
    true,
  );
  // The round was published only after the entrants were read: nobody could have known it then.
  expect(roundPublishedAt(round as number, schedule)).toBeGreaterThan(Date.parse(entry.record.entrants_read_at));
}

async function startLiveRaffle(options: { luck?: boolean; cooldown?: number } = {}) {
  const scene: InteractionScene = createScene();
  const streamer = await createTwitchUser();
  await linkTwitch(scene, streamer, { bindings });
  await discordControl().createChannel({ id: scene.channelId, guildId: scene.guildId });
  await discordControl().setChannelRateLimit(scene.channelId, { limit: 1000, windowSeconds: 1 });
  const imported = await runCommand(scene, "loot", "import", { items: "Sword:10, Shield:5x3, Crown:1" }, { bindings });
  expect(imported.body.data?.content).toMatch(/^Imported/);
  const started = await runCommand(
    scene,
    "raffle",
    "start",
    { cooldown: options.cooldown ?? 0, luck: options.luck ?? false },
    { bindings },
  );
  expect(started.body.data?.content).toMatch(/^🎁/);
  // Twitch user ids of today's lengths (7 to 10 digits), so sorting as integers and as text differ.
  const viewers = [9, 10, 7, 10, 8].map((length, index) => ({
    id: String(Number(streamer.id.slice(-6)) * 10 ** (length - 6) + index).slice(0, length),
    login: `fair_${streamer.id}_${index}`.slice(0, 25),
    displayName: `Fair${index}`,
  }));
  const bot = { id: "19264788", login: "nightbot", displayName: "Nightbot" };
  const self = { id: streamer.id, login: streamer.login, displayName: streamer.displayName };
  await twitchControl().setChatters(streamer.id, { chatters: [...viewers, bot, self] });
  await twitchControl().setLive(streamer.id);
  return { scene, streamer, viewers };
}

describe("liveloot/v1 draws through the Worker", () => {
  it("scheduled draws publish exactly the entrants and items the pick ran over, on the round after the read", async () => {
    const { scene, viewers } = await startLiveRaffle({ luck: true });
    const excluded = viewers[4];
    const exclude = await runCommand(scene, "raffle", "exclude", { user: excluded?.login ?? "" }, { bindings });
    expect(exclude.body.data?.content).toContain(excluded?.login);
    await database.query(
      `insert into viewer_points (guild_id, broadcaster_id, viewer_user_id, viewer_login, viewer_display_name, points)
       select $1::text, r.twitch_broadcaster_id, $2, $3, $4, 250 from raffles r where r.guild_id = $1::text and r.status = 'running'`,
      [scene.guildId, viewers[0]?.id, viewers[0]?.login, viewers[0]?.displayName],
    );
    const base = Math.floor(Date.now() / minute) * minute + minute;
    const tickStartedAt = Date.now();
    await runOwnTick(base);
    await runOwnTick(base + minute);
    const records = await readRecords(scene.guildId);
    expect(records).toHaveLength(2);
    for (const entry of records) {
      await expectVerifiable(entry);
      expect(entry.stored.kind).toBe("scheduled");
      expect(entry.record.slot).toBe(`${new Date(entry.stored.slot_at).toISOString().slice(0, 16)}Z`);
      expect(Date.parse(entry.record.entrants_read_at)).toBeGreaterThanOrEqual(tickStartedAt);
      // Bots, the broadcaster and excluded viewers are never entrants; everyone else is, by weight.
      const entrantIds = entry.record.entrants.map(([id]) => id);
      expect(entrantIds).not.toContain("19264788");
      expect(entrantIds).not.toContain(excluded?.id);
      expect(entrantIds.sort()).toEqual(
        viewers
          .slice(0, 4)
          .map((viewer) => viewer.id)
          .sort(),
      );
      const weights = new Map(entry.record.entrants.map(([id, , weight]) => [id, weight]));
      expect(weights.get(viewers[0]?.id ?? "")).toBe(350);
      expect(weights.get(viewers[1]?.id ?? "")).toBe(100);
      expect(entry.record.items.map(([, name, weight]) => `${name}:${weight}`)).toEqual(
        expect.arrayContaining(["Sword:10", "Crown:1"]),
      );
    }
    expect(new Set(records.map((entry) => entry.raffle)).size).toBe(1);
    expect(records[0]?.raffle).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it("a manual /raffle draw is named manual-{random id} and verifies the same way", async () => {
    const { scene } = await startLiveRaffle();
    const result = await runCommand(scene, "raffle", "draw", {}, { bindings });
    expect(result.body.type).toBe(5);
    await waitForDraws(scene.guildId, 1);
    const [entry] = await readRecords(scene.guildId);
    expect(entry?.stored.kind).toBe("manual");
    expect(entry?.record.slot).toMatch(/^manual-[0-9a-f]{16}$/);
    if (entry) await expectVerifiable(entry);
  });

  it("with the beacon unreachable for 20 s, still draws once, with round null and the Worker's randomness", async () => {
    const { scene } = await startLiveRaffle();
    const base = Math.floor(Date.now() / minute) * minute + minute;
    const started = Date.now();
    // A relay that accepts connections and never answers.
    await runOwnTick(base, { DRAND_API_BASE_URL: `http://${inject("blackHoleAddress")}` });
    const waited = Date.now() - started;
    const records = await readRecords(scene.guildId);
    expect(records).toHaveLength(1);
    const [entry] = records;
    expect(entry?.record.round).toBeNull();
    expect(entry?.record.signature).toBeNull();
    expect(entry?.record.randomness).toMatch(/^[0-9a-f]{64}$/);
    // Not publicly verifiable, yet still recomputable from its published randomness.
    if (entry) {
      expect(referenceCheck(entry.raffle, entry.record)).toEqual([]);
      expect(
        await verifyDrawRecord(entry.record, entry.raffle, { genesisSeconds: 1692803367, periodSeconds: 1 }),
      ).toEqual([]);
    }
    expect(waited).toBeGreaterThanOrEqual(19_000);
    // The draw is announced like any other.
    const messages = await discordControl().listMessages(scene.channelId);
    expect(messages.filter((message) => JSON.stringify(message.embeds).includes("won"))).toHaveLength(1);
  }, 60_000);
});

async function waitForDraws(guildId: string, count: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const rows = await database.query<{ total: string }>("select count(*) as total from draws where guild_id = $1", [
      guildId,
    ]);
    if (Number(rows[0]?.total) >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`fewer than ${count} draws recorded`);
}
