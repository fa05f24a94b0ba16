import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import type { WorkerBindings } from "../../../worker/env";
import { runScheduledTick } from "../../support/worker/callWorker";
import { captureLogs } from "../../support/worker/captureLogs";
import { createChatter, message, readEmbed } from "../../support/worker/commandHelpers";
import {
  completeTwitchLink,
  createTwitchUser,
  discordControl,
  linkTwitch,
  runCommand,
  twitchControl,
} from "../../support/worker/fakes";
import { createScene, type InteractionScene } from "../../support/worker/interactions";
import { ownDatabaseUrl } from "../../support/worker/ownDatabase";
import { openTestDatabase } from "../../support/worker/testDatabase";

// Nothing recorded is lost when Discord refuses (README, "When Discord refuses"): a
// channel that answers 403 holds its posts and pauses its raffle until a probe gets through; a
// notice rides the same outbox as the winners; Cloudflare's HTML 429 (error 1015) makes every post
// wait minutes, said once in the log. Ticks run against this file's own database
// (ownDatabaseUrl) and own their clock: each runs for the minute the test names.
const databaseUrl = ownDatabaseUrl();
if (!databaseUrl) throw new Error("globalSetup provides no isolated database for discord-refusals-integration");
const bindings: Partial<WorkerBindings> = { DATABASE_URL: databaseUrl };
const database = openTestDatabase(bindings);
afterAll(() => database.close());
afterEach(async () => {
  vi.restoreAllMocks();
  await database.query(
    "update raffles set status = 'stopped', status_reason = 'stopped_by_user', stopped_at = now() where status <> 'stopped'",
  );
  await database.query("delete from discord_channel_holds");
  await database.query("delete from discord_rate_limit_blocks");
});

const minute = 60_000;

/** One streamer, live, with a raffle drawing every minute from one viewer, and its channel's posts. */
class Streamer {
  readonly scene: InteractionScene = createScene();
  readonly base = Math.floor(Date.now() / minute) * minute + minute;
  readonly viewer = createChatter("alice", "Alice");
  twitchId = "";

  async start(loot: { name: string; weight: number; stock?: number }): Promise<this> {
    const twitch = await createTwitchUser();
    this.twitchId = twitch.id;
    await linkTwitch(this.scene, twitch, { bindings });
    await this.openChannel();
    const added = await this.run("loot", "add", loot);
    expect(added.body.data?.content).toContain(loot.name);
    await twitchControl().setChatters(twitch.id, { chatters: [this.viewer] });
    await twitchControl().setLive(twitch.id);
    const started = await this.run("raffle", "start", { every: 1, cooldown: 0 });
    expect(started.body.data?.content).toMatch(/^🎁/);
    return this;
  }

  /** The channel as Discord knows it: open to the bot, or `forbidden` (Missing Access, 403). */
  async openChannel(options: { forbidden?: boolean } = {}): Promise<void> {
    await discordControl().createChannel({
      id: this.scene.channelId,
      guildId: this.scene.guildId,
      forbidden: options.forbidden ?? false,
    });
    await discordControl().setChannelRateLimit(this.scene.channelId, { limit: 1000, windowSeconds: 1 });
  }

  run(group: string, subcommand: string, options: Record<string, string | number | boolean> = {}) {
    return runCommand(this.scene, group, subcommand, options, { bindings });
  }

  /** The ticks of minutes `base + from` … `base + to`, in order. */
  async ticks(from: number, to = from): Promise<void> {
    for (let offset = from; offset <= to; offset += 1) await runScheduledTick(this.base + offset * minute, bindings);
  }

  /** What the channel shows, in order: a winner as its footer ("Draw #n"), a notice as its text. */
  async readChannel(): Promise<string[]> {
    const messages = await discordControl().listMessages(this.scene.channelId);
    return messages.map((entry) => {
      const footer = (entry.embeds as { footer?: { text: string } }[] | undefined)?.[0]?.footer?.text;
      return footer ?? entry.content ?? "";
    });
  }

  /** Posts the Worker sent to the channel since `sequence`, with Discord's answers. */
  async readPosts(sequence: number): Promise<number[]> {
    const calls = await discordControl().listCalls({
      since: sequence,
      method: "POST",
      pathPrefix: `/api/v10/channels/${this.scene.channelId}/messages`,
    });
    return calls.map((call) => call.status);
  }

  async readRaffle() {
    const [raffle] = await database.query<{ status: string; status_reason: string | null }>(
      "select status, status_reason from raffles where guild_id = $1 order by id desc limit 1",
      [this.scene.guildId],
    );
    return raffle;
  }

  async readDraws() {
    return database.query<{ slot_at: Date; announcement_status: string; announcement_attempts: number }>(
      "select slot_at, announcement_status, announcement_attempts from draws where guild_id = $1 order by id",
      [this.scene.guildId],
    );
  }

  async readState(): Promise<string | undefined> {
    const status = readEmbed(await this.run("raffle", "status"));
    return status.fields?.find((field) => field.name === message("raffleFieldState"))?.value;
  }
}

describe("a channel Discord refuses (403)", () => {
  it("pauses the raffle, holds its winners, and once the permission is fixed posts them in order and resumes", async () => {
    const streamer = await new Streamer().start({ name: "Sword", weight: 1 });
    // Another server's raffle draws in the same ticks: one server's refused channel holds none of its posts.
    const neighbour = await new Streamer().start({ name: "Shield", weight: 1 });
    await streamer.ticks(0);
    // Draw #2's post fails for a moment (a 500): it waits for its retry at minute 2 …
    await discordControl().injectFailure({
      method: "POST",
      path: `/api/v10/channels/${streamer.scene.channelId}/messages`,
      status: 500,
      times: 1,
    });
    await streamer.ticks(1);
    // … when the bot has lost its access to the channel, as draw #3 is made.
    await streamer.openChannel({ forbidden: true });
    await streamer.ticks(2);

    expect(await streamer.readRaffle()).toEqual({ status: "paused", status_reason: "channel_unavailable" });
    expect((await streamer.readDraws()).map((draw) => draw.announcement_status)).toEqual([
      "delivered",
      "pending",
      "pending",
    ]);
    const state = await streamer.readState();
    expect(state).toContain(message("raffleStatePaused", { reason: message("raffleReasonChannelUnavailable") }));
    expect(state).toContain("Give me View Channel, Send Messages and Embed Links");
    expect(await streamer.readChannel()).toEqual(["Draw #1"]);

    // The streamer fixes the permission; LiveLoot tries the channel again within 10 minutes.
    await streamer.openChannel();
    const sequence = await discordControl().readLastSequence();
    await streamer.ticks(3, 11);
    expect(await streamer.readPosts(sequence)).toEqual([]);
    await streamer.ticks(12);
    expect(await streamer.readPosts(sequence)).toEqual([200, 200]);
    expect(await streamer.readChannel()).toEqual(["Draw #1", "Draw #2", "Draw #3"]);
    expect(await streamer.readRaffle()).toEqual({ status: "running", status_reason: null });

    // It draws again from the next minute, one draw for that slot: no burst for the paused ones.
    await streamer.ticks(13);
    expect(await streamer.readChannel()).toEqual(["Draw #1", "Draw #2", "Draw #3", "Draw #4"]);
    const draws = await streamer.readDraws();
    expect(draws.map((draw) => (draw.slot_at.getTime() - streamer.base) / minute)).toEqual([0, 1, 2, 13]);
    expect(draws.every((draw) => draw.announcement_status === "delivered")).toBe(true);
    expect(await streamer.readState()).toBe(message("raffleStateRunning"));

    expect(await neighbour.readChannel()).toHaveLength(14);
    expect(await neighbour.readRaffle()).toEqual({ status: "running", status_reason: null });
  });

  it("keeps probing while the channel stays closed, at most every 10 minutes, and loses nothing", async () => {
    const streamer = await new Streamer().start({ name: "Sword", weight: 1 });
    await streamer.openChannel({ forbidden: true });
    const sequence = await discordControl().readLastSequence();
    await streamer.ticks(0, 25);
    // The first post, then a probe at minutes 10 and 20: one request each, all refused.
    expect(await streamer.readPosts(sequence)).toEqual([403, 403, 403]);
    expect(await streamer.readDraws()).toEqual([
      expect.objectContaining({ announcement_status: "pending", announcement_attempts: 0 }),
    ]);
    expect(await streamer.readRaffle()).toEqual({ status: "paused", status_reason: "channel_unavailable" });

    await streamer.openChannel();
    await streamer.ticks(30);
    expect(await streamer.readChannel()).toEqual(["Draw #1"]);
    expect(await streamer.readRaffle()).toEqual({ status: "running", status_reason: null });
  });
});

describe("notices go through the outbox", () => {
  it("still tells the channel the loot ran out after a 429, exactly once", async () => {
    const streamer = await new Streamer().start({ name: "Sword", weight: 1, stock: 1 });
    await streamer.ticks(0);
    await discordControl().injectFailure({
      method: "POST",
      path: `/api/v10/channels/${streamer.scene.channelId}/messages`,
      contains: "loot ran out",
      status: 429,
      retryAfterSeconds: 20,
      times: 1,
    });
    await streamer.ticks(1);
    expect(await streamer.readRaffle()).toEqual({ status: "stopped", status_reason: "no_items" });
    expect(await streamer.readChannel()).toEqual(["Draw #1"]);

    // Minute 1 replayed, then the next ticks: the notice is delivered once, with its nonce.
    await streamer.ticks(1, 4);
    expect(await streamer.readChannel()).toEqual(["Draw #1", message("raffleOutOfItems")]);
  });
});

describe("notices outside a raffle", () => {
  it("posts 'linked as X' in the channel that asked once its reply can no longer be edited, retried until delivered", async () => {
    const scene = createScene();
    const twitch = await createTwitchUser();
    await discordControl().createChannel({ id: scene.channelId, guildId: scene.guildId });
    await discordControl().upsertGuild({ id: scene.guildId, name: "Refusals" });
    const connect = await runCommand(scene, "twitch", "connect", {}, { bindings });
    // The streamer finishes 20 minutes later: the interaction token is dead, so the channel is told.
    await database.query("update oauth_states set created_at = now() - interval '20 minutes' where guild_id = $1", [
      scene.guildId,
    ]);
    await discordControl().injectFailure({
      method: "POST",
      path: `/api/v10/channels/${scene.channelId}/messages`,
      status: 502,
      times: 1,
    });
    const linked = await completeTwitchLink(connect.body, twitch, { bindings });
    expect(linked.callback.status).toBe(200);
    expect(await discordControl().listMessages(scene.channelId)).toEqual([]);

    const base = Math.floor(Date.now() / minute) * minute + minute;
    await runScheduledTick(base + minute, bindings);
    await runScheduledTick(base + 2 * minute, bindings);
    const posted = await discordControl().listMessages(scene.channelId);
    expect(posted.map((entry) => entry.content)).toEqual([
      message("twitchLinkedInDiscord", { name: twitch.displayName }),
    ]);
  });
});

describe("Cloudflare's HTML 429 (error 1015)", () => {
  it("makes every post wait minutes, says so once in the log, and delivers each winner once afterwards", async () => {
    const streamer = await new Streamer().start({ name: "Sword", weight: 1 });
    const lines = captureLogs();
    await discordControl().injectFailure({
      method: "POST",
      path: `/api/v10/channels/${streamer.scene.channelId}/messages`,
      page: "cloudflare-1015",
      times: 1,
    });
    const sequence = await discordControl().readLastSequence();
    await streamer.ticks(0, 4);
    // One refused post, then no request for five minutes, while the draws go on.
    expect(await streamer.readPosts(sequence)).toEqual([429]);
    expect(await streamer.readDraws()).toHaveLength(5);
    expect(await streamer.readChannel()).toEqual([]);

    await streamer.ticks(5, 6);
    const footers = await streamer.readChannel();
    expect([...footers].sort()).toEqual([1, 2, 3, 4, 5, 6, 7].map((number) => `Draw #${number}`).sort());
    expect((await streamer.readDraws()).every((draw) => draw.announcement_status === "delivered")).toBe(true);
    expect((await streamer.readDraws()).every((draw) => draw.announcement_attempts === 1)).toBe(true);

    const warnings = lines.filter((line) => line.includes('"level":"warn"'));
    expect(warnings.filter((line) => line.includes("Cloudflare"))).toHaveLength(1);
    expect(warnings.filter((line) => line.includes("not delivered"))).toEqual([]);
    expect(lines.filter((line) => line.includes("Discord takes posts again"))).toHaveLength(1);
    expect(lines.join("\n")).not.toContain("<html");
    expect(lines.join("\n")).not.toContain("203.0.113.7");
  });
});
