import { describe, expect, it } from "vitest";
import type { WorkerBindings } from "../../../worker/env";
import { runScheduledTick } from "../../support/worker/callWorker";
import { captureLogs } from "../../support/worker/captureLogs";
import { createChatter } from "../../support/worker/commandHelpers";
import { createTwitchUser, discordControl, linkTwitch, runCommand, twitchControl } from "../../support/worker/fakes";
import { createScene } from "../../support/worker/interactions";
import { ownDatabaseUrl, useTickDatabase } from "../../support/worker/ownDatabase";

// One server cannot stall the minute for every server (issue 21): a raffle whose data makes the
// draw's SQL raise fails alone, the other raffles are drawn and announced, and a step of the tick
// that throws leaves claim expiry and announcements to run. Ticks run against this file's own
// database (ownDatabaseUrl).
const bindings: Partial<WorkerBindings> = { DATABASE_URL: ownDatabaseUrl() };
const database = useTickDatabase(bindings);

const minute = 60_000;

function readLogLines(lines: string[], message: string): Record<string, unknown>[] {
  return lines
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.message === message);
}

/** A linked, live server with loot, a running raffle and these viewers in chat. */
async function startLiveRaffle(options: {
  chatters: { id: string; login: string; displayName?: string }[];
  every?: number;
  claim?: number;
}) {
  const scene = createScene();
  const streamer = await createTwitchUser();
  await linkTwitch(scene, streamer, { bindings });
  await discordControl().createChannel({ id: scene.channelId, guildId: scene.guildId });
  await discordControl().setChannelRateLimit(scene.channelId, { limit: 1000, windowSeconds: 1 });
  const imported = await runCommand(scene, "loot", "import", { items: "Sword:1" }, { bindings });
  expect(imported.body.type).toBe(4);
  await twitchControl().setChatters(streamer.id, { chatters: options.chatters });
  await twitchControl().setLive(streamer.id);
  const started = await runCommand(
    scene,
    "raffle",
    "start",
    { every: options.every ?? 60, cooldown: 0, ...(options.claim === undefined ? {} : { claim: options.claim }) },
    { bindings },
  );
  expect(started.body.data?.content).toMatch(/^🎁/);
  const [raffle] = await database.query<{ id: string }>(
    "select id::text from raffles where guild_id = $1 and status = 'running'",
    [scene.guildId],
  );
  if (!raffle) throw new Error("no running raffle");
  return { scene, streamer, raffleId: raffle.id };
}

async function readDrawStates(guildId: string) {
  return database.query<{ item_name: string; announcement_status: string }>(
    "select item_name, announcement_status from draws where guild_id = $1 order by id",
    [guildId],
  );
}

describe("one raffle's failure in the tick", () => {
  it("fails only that raffle's slot: the others are drawn and announced", async () => {
    const healthy = await Promise.all([0, 1].map(() => startLiveRaffle({ chatters: [createChatter("fine")] })));
    // Twitch listing a chatter whose id is not a canonical decimal: read_draw_entrants refuses the request.
    const malformed = await startLiveRaffle({ chatters: [{ id: "0042", login: "leading_zero", displayName: "Zero" }] });
    // A loot table written past the limit before 0017 existed (the limit's trigger was not there):
    // the draw refuses to read more than 1,000 drawable items for one slot.
    const oversized = await startLiveRaffle({ chatters: [createChatter("big")] });
    await database.query("alter table loot_items disable trigger user");
    try {
      await database.query(
        "insert into loot_items (guild_id, name, weight) select $1, 'Legacy ' || n, 1 from generate_series(1, 1000) n",
        [oversized.scene.guildId],
      );
    } finally {
      await database.query("alter table loot_items enable trigger user");
    }

    // Likewise an exclusion list past the limit: the read would compare every candidate with it.
    const overExcluded = await startLiveRaffle({ chatters: [createChatter("excluded")] });
    await database.query("alter table excluded_viewers disable trigger user");
    try {
      await database.query(
        "insert into excluded_viewers (guild_id, twitch_login) select $1, 'legacy_' || n from generate_series(1, 1001) n",
        [overExcluded.scene.guildId],
      );
    } finally {
      await database.query("alter table excluded_viewers enable trigger user");
    }

    const lines = captureLogs();
    const base = Math.floor(Date.now() / minute) * minute + minute;
    await runScheduledTick(base, bindings);

    for (const { scene } of healthy) {
      expect(await readDrawStates(scene.guildId)).toEqual([{ item_name: "Sword", announcement_status: "delivered" }]);
      const posted = await discordControl().listMessages(scene.channelId);
      expect(posted.filter((message) => JSON.stringify(message.embeds).includes("We have a winner"))).toHaveLength(1);
    }
    expect(await readDrawStates(malformed.scene.guildId)).toEqual([]);
    expect(await readDrawStates(oversized.scene.guildId)).toEqual([]);
    expect(await readDrawStates(overExcluded.scene.guildId)).toEqual([]);

    const failedSlots = readLogLines(lines, "raffle slot failed");
    expect(failedSlots.map((line) => line.raffleId).sort()).toEqual(
      [malformed.raffleId, oversized.raffleId, overExcluded.raffleId].sort(),
    );
    expect(JSON.stringify(failedSlots)).toContain("more than 1000 drawable items");
    expect(JSON.stringify(failedSlots)).toContain("more than 1000 excluded viewers");
    const [finished] = readLogLines(lines, "tick finished");
    expect(finished).toMatchObject({ drawn: 2, failed: 3, announced: 2 });
    expect(finished?.failedSteps).toBeUndefined();
    expect(readLogLines(lines, "tick failed")).toEqual([]);

    // The failed slots stay open: once the data is fixed, the next due minute draws them.
    await database.query("delete from loot_items where guild_id = $1 and name like 'Legacy %'", [
      oversized.scene.guildId,
    ]);
    await database.query("update raffles set next_slot_at = $2 where id = $1", [
      oversized.raffleId,
      new Date(base + minute),
    ]);
    await runScheduledTick(base + minute, bindings);
    expect(await readDrawStates(oversized.scene.guildId)).toEqual([
      { item_name: "Sword", announcement_status: "delivered" },
    ]);
  });
});

describe("a step of the tick that throws", () => {
  it("still lets claim expiry redraw and the announcements go out, and the tick reports", async () => {
    const claimed = await startLiveRaffle({
      chatters: [createChatter("first"), createChatter("second"), createChatter("third")],
      claim: 1,
    });
    const base = Math.floor(Date.now() / minute) * minute + 20 * minute;
    await runScheduledTick(base, bindings);
    const [first] = await database.query<{ status: string }>(
      "select c.status from claims c join draws d on d.id = c.draw_id where d.guild_id = $1",
      [claimed.scene.guildId],
    );
    expect(first?.status).toBe("open");

    // A raffle due every minute, so the next tick has a slot to hand to the queue, which is down.
    await startLiveRaffle({ chatters: [createChatter("queued")], every: 1 });
    const unavailableQueue = {
      send: () => Promise.reject(new Error("queue unavailable")),
      sendBatch: () => Promise.reject(new Error("queue unavailable")),
    } as unknown as Queue<unknown>;
    const lines = captureLogs();
    await expect(
      runScheduledTick(base + minute, { ...bindings, DRAW_QUEUE: unavailableQueue, TICK_FANOUT_THRESHOLD: "0" }),
    ).rejects.toThrow(/queue unavailable/);

    // Claim expiry ran after the failed draw step: the prize was redrawn and the redraw announced.
    const claims = await database.query<{ n: number; status: string; announcement_status: string }>(
      `select c.n, c.status, c.announcement_status from claims c join draws d on d.id = c.draw_id
       where d.guild_id = $1 order by c.n`,
      [claimed.scene.guildId],
    );
    expect(claims).toEqual([
      { n: 0, status: "expired", announcement_status: "none" },
      { n: 1, status: "open", announcement_status: "delivered" },
    ]);
    const posted = await discordControl().listMessages(claimed.scene.channelId);
    expect(posted.filter((message) => JSON.stringify(message.embeds).includes("did not claim"))).toHaveLength(1);

    const stepFailures = readLogLines(lines, "tick step failed");
    expect(stepFailures.map((line) => line.step)).toEqual(["draws"]);
    const [finished] = readLogLines(lines, "tick finished");
    expect(finished).toMatchObject({ failedSteps: "draws", claimsRedrawn: 1, announced: 1 });
    expect(readLogLines(lines, "tick failed")).toMatchObject([{ failedSteps: "draws" }]);
  });
});
