import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { WorkerBindings } from "../../../worker/env";
import worker from "../../../worker/index";
import { testEnvironment } from "../../support/worker/callWorker";
import { createChatter, message, readEmbed } from "../../support/worker/commandHelpers";
import { createTwitchUser, discordControl, linkTwitch, runCommand, twitchControl } from "../../support/worker/fakes";
import { createScene, createSnowflake, type InteractionScene } from "../../support/worker/interactions";
import { ownDatabaseUrl, useTickDatabase } from "../../support/worker/ownDatabase";

// What a streamer sees when a live minute draws nobody, when a raffle is stopped and started again,
// and when an old draw's channel is gone. Ticks draw for every due raffle in their database: this
// file has its own (ownDatabaseUrl).
const databaseUrl = ownDatabaseUrl();
if (!databaseUrl) throw new Error("globalSetup provides no isolated database for slot-outcomes-integration");
const bindings: Partial<WorkerBindings> = { DATABASE_URL: databaseUrl };
const database = useTickDatabase(bindings);

const minute = 60_000;
type Chatter = { id: string; login: string; displayName: string };

/** One streamer: their Discord server and channel, their Twitch channel, live, with loot. */
class Streamer {
  readonly scene: InteractionScene;
  twitch!: { id: string; login: string; displayName: string };
  readonly base = Math.floor(Date.now() / minute) * minute + minute;

  constructor(locale?: string) {
    this.scene = createScene(locale ? { locale } : {});
  }

  async prepare(options: { createChannel?: boolean } = {}): Promise<this> {
    this.twitch = await createTwitchUser();
    await linkTwitch(this.scene, this.twitch, { bindings });
    if (options.createChannel !== false) await this.createChannel(this.scene.channelId);
    const loot = await this.run("loot", "add", { name: "Sword", weight: 10 });
    expect(loot.body.data?.content).toContain("Sword");
    await twitchControl().setLive(this.twitch.id);
    return this;
  }

  async createChannel(channelId: string): Promise<void> {
    await discordControl().createChannel({ id: channelId, guildId: this.scene.guildId });
    await discordControl().setChannelRateLimit(channelId, { limit: 1000, windowSeconds: 1 });
  }

  run(group: string, subcommand: string, options: Record<string, string | number | boolean> = {}) {
    return runCommand(this.scene, group, subcommand, options, { bindings });
  }

  async start(options: Record<string, string | number | boolean>): Promise<void> {
    const started = await this.run("raffle", "start", options);
    expect(started.body.data?.content).toMatch(/^🎁/);
  }

  async stop(): Promise<void> {
    const stopped = await this.run("raffle", "stop");
    expect(stopped.body.data?.content).toContain("stopped");
  }

  async setChat(chatters: Chatter[]): Promise<void> {
    await twitchControl().setChatters(this.twitch.id, { chatters });
  }

  /** The tick of minute `base + offset`, as the Cron Trigger runs it. */
  async tick(offset: number): Promise<void> {
    const execution = createExecutionContext();
    const controller = createScheduledController({
      scheduledTime: new Date(this.base + offset * minute),
      cron: "* * * * *",
    });
    await worker.scheduled(controller, { ...testEnvironment(), ...bindings }, execution);
    await waitOnExecutionContext(execution);
  }

  async ticks(from: number, to: number): Promise<void> {
    for (let offset = from; offset <= to; offset += 1) await this.tick(offset);
  }

  /** The "Why no winner" line of /raffle status, or undefined when there is none. */
  async readWhyNoWinner(): Promise<string | undefined> {
    const status = readEmbed(await this.run("raffle", "status"));
    const name = message("raffleFieldNoWinner", {}, this.scene.locale ?? "en-US");
    return status.fields?.find((field) => field.name === name)?.value;
  }

  async readWinnerFooters(channelId = this.scene.channelId): Promise<string[]> {
    const messages = await discordControl().listMessages(channelId);
    return messages.flatMap((entry) =>
      (entry.embeds as { footer?: { text: string } }[]).flatMap((embed) => (embed.footer ? [embed.footer.text] : [])),
    );
  }

  async readNotices(channelId = this.scene.channelId): Promise<string[]> {
    const messages = await discordControl().listMessages(channelId);
    return messages.flatMap((entry) => (entry.content ? [entry.content] : []));
  }

  async readDraws() {
    return database.query<{
      raffle_id: string;
      winner_twitch_login: string;
      announcement_status: string;
      announcement_attempts: number;
      announcement_last_error: string | null;
    }>(
      `select raffle_id, winner_twitch_login, announcement_status, announcement_attempts, announcement_last_error
       from draws where guild_id = $1 order by id`,
      [this.scene.guildId],
    );
  }

  async readRaffles() {
    return database.query<{ id: string; status: string; status_reason: string | null }>(
      "select id, status, status_reason from raffles where guild_id = $1 order by id",
      [this.scene.guildId],
    );
  }
}

function createViewer(name: string): Chatter {
  return createChatter(name.toLowerCase(), name);
}

describe("cooldowns and draw numbers belong to the server", () => {
  it("keeps a recent winner waiting after /raffle stop and /raffle start, and numbers draws on", async () => {
    const streamer = await new Streamer().prepare();
    const [alice, bob] = [createViewer("Alice"), createViewer("Bob")];
    await streamer.setChat([alice]);
    await streamer.start({ cooldown: 30 });
    await streamer.tick(0);

    await streamer.stop();
    await streamer.start({ cooldown: 30 });
    await streamer.tick(1);
    expect(await streamer.readWhyNoWinner()).toContain("everyone who could win (1) won in the last 30 min");

    await streamer.setChat([alice, bob]);
    await streamer.tick(2);

    expect((await streamer.readDraws()).map((draw) => draw.winner_twitch_login)).toEqual([alice.login, bob.login]);
    expect(await streamer.readWinnerFooters()).toEqual(["Draw #1", "Draw #2"]);
  });
});

describe("/raffle status says why the last live minute drew nothing", () => {
  it("names the cause in words: cooldown, nobody in chat, only bots and the broadcaster, offline", async () => {
    const streamer = await new Streamer().prepare();
    const alice = createViewer("Alice");
    await streamer.setChat([alice]);
    await streamer.start({ cooldown: 30 });
    await streamer.tick(0);
    expect(await streamer.readWhyNoWinner()).toBeUndefined();

    // The chat a tick reads is cached for the next minute: each change is read two minutes after
    // the last read, and each empty slot adds a minute to the run.
    await streamer.tick(1);
    const cooldown = await streamer.readWhyNoWinner();
    expect(cooldown).toContain("everyone who could win (1) won in the last 30 min");
    expect(cooldown).toContain("No winner for 1 live min");

    await streamer.setChat([]);
    await streamer.tick(2);
    expect(await streamer.readWhyNoWinner()).toMatch(/^nobody was in chat\nNo winner for 2 live min/);

    const broadcaster = { ...streamer.twitch };
    await streamer.setChat([broadcaster, { id: "19264788", login: "nightbot", displayName: "Nightbot" }, alice]);
    await streamer.tick(4);
    expect(await streamer.readWhyNoWinner()).toContain(
      "everyone who could win (1) won in the last 30 min; 2 more are the broadcaster, bots or excluded",
    );

    await streamer.setChat([broadcaster]);
    await streamer.tick(6);
    expect(await streamer.readWhyNoWinner()).toMatch(
      /^everyone in chat \(1\) is the broadcaster, a bot or excluded\nNo winner for 4 live min/,
    );

    await twitchControl().setOffline(streamer.twitch.id);
    await streamer.tick(7);
    expect(await streamer.readWhyNoWinner()).toBe("the stream is offline");

    await twitchControl().setLive(streamer.twitch.id);
    await streamer.setChat([createViewer("Bob")]);
    await streamer.tick(9);
    expect(await streamer.readWhyNoWinner()).toBeUndefined();
  });

  it("says it in Portuguese to a pt-BR user", async () => {
    const streamer = await new Streamer("pt-BR").prepare();
    await streamer.setChat([createViewer("Alice")]);
    await streamer.start({ cooldown: 30 });
    await streamer.ticks(0, 1);

    expect(await streamer.readWhyNoWinner()).toContain("todos que poderiam ganhar (1) ganharam nos últimos 30 min");
  });
});

describe("five live minutes with nobody eligible", () => {
  it("tell the raffle's channel once what to change, and again only after a draw", async () => {
    const streamer = await new Streamer().prepare();
    const [alice, bob] = [createViewer("Alice"), createViewer("Bob")];
    await streamer.setChat([alice]);
    await streamer.start({ cooldown: 30 });
    const notice = message("nobodyEligibleNoticeCooldown", { minutes: 5, count: 1, cooldown: 30 });
    expect(notice).toContain("A shorter cooldown");

    await streamer.ticks(0, 4);
    expect(await streamer.readNotices()).toEqual([]);
    await streamer.tick(5);
    expect(await streamer.readNotices()).toEqual([notice]);
    await streamer.ticks(6, 8);
    await streamer.tick(5); // a replayed minute
    expect(await streamer.readNotices()).toEqual([notice]);

    // Bob comes (read at minute 10: the chat read at 8 serves 9), wins, and then he too waits: the
    // run starts over and is told about once more, at its fifth minute (15).
    await streamer.setChat([alice, bob]);
    await streamer.ticks(9, 14);
    expect(await streamer.readNotices()).toEqual([notice]);
    await streamer.ticks(15, 17);
    const again = message("nobodyEligibleNoticeCooldown", { minutes: 5, count: 2, cooldown: 30 });
    expect(await streamer.readNotices()).toEqual([notice, again]);
    expect((await streamer.readDraws()).map((draw) => draw.winner_twitch_login)).toEqual([alice.login, bob.login]);
  });

  it("counts only live minutes, and speaks the server's language", async () => {
    const streamer = await new Streamer().prepare();
    await streamer.setChat([]);
    await streamer.start({ cooldown: 30 });
    // The server's language (Discord's guild_locale; the fake's interactions always send en-US).
    await database.query("update guilds set locale = 'pt-BR' where id = $1", [streamer.scene.guildId]);

    await streamer.ticks(0, 2);
    await twitchControl().setOffline(streamer.twitch.id);
    await streamer.ticks(3, 6);
    await twitchControl().setLive(streamer.twitch.id);
    await streamer.tick(7);
    expect(await streamer.readNotices()).toEqual([]);
    await streamer.tick(8);

    expect(await streamer.readNotices()).toEqual([message("nobodyEligibleNoticeEmptyChat", { minutes: 5 }, "pt-BR")]);
  });
});

describe("an old draw never pauses a newer raffle", () => {
  it("keeps a stopped raffle's announcement waiting for its closed channel, and the new raffle keeps drawing", async () => {
    const streamer = await new Streamer().prepare();
    const oldChannel = streamer.scene.channelId;
    await streamer.setChat([createViewer("Alice"), createViewer("Bob")]);
    await streamer.start({ cooldown: 0 });
    await discordControl().injectFailure({
      method: "POST",
      path: `/api/v10/channels/${oldChannel}/messages`,
      status: 500,
      times: 1,
    });
    await streamer.tick(0);
    expect((await streamer.readDraws()).map((draw) => draw.announcement_status)).toEqual(["pending"]);

    await streamer.stop();
    const newChannel = createSnowflake();
    await streamer.createChannel(newChannel);
    await streamer.start({ channel: newChannel, cooldown: 0 });
    // The old channel is closed to the bot (403) before the old draw's retry comes due.
    await discordControl().createChannel({ id: oldChannel, guildId: streamer.scene.guildId, forbidden: true });
    await streamer.tick(1);
    // Before the fix the old draw stayed pending and came due again at minute 3, 7, …
    await streamer.ticks(2, 7);

    const [oldRaffle, newRaffle] = await streamer.readRaffles();
    expect(oldRaffle).toMatchObject({ status: "stopped", status_reason: "stopped_by_user" });
    expect(newRaffle).toMatchObject({ status: "running", status_reason: null });
    // The old draw waits for its channel (held, probed every 10 minutes); only the 500 counted.
    const draws = await streamer.readDraws();
    expect(draws[0]).toMatchObject({
      raffle_id: oldRaffle?.id,
      announcement_status: "pending",
      announcement_attempts: 1,
      announcement_last_error: expect.stringContaining("channel unavailable"),
    });
    expect(draws.slice(1).every((draw) => draw.raffle_id === newRaffle?.id)).toBe(true);
    expect(draws.slice(1).every((draw) => draw.announcement_status === "delivered")).toBe(true);
    expect(draws).toHaveLength(8);
    const footers = await streamer.readWinnerFooters(newChannel);
    expect(footers.slice(0, 2)).toEqual(["Draw #2", "Draw #3"]);
    expect(footers).toHaveLength(7);
    expect(await discordControl().listMessages(oldChannel)).toEqual([]);
  });

  it("pauses a running raffle whose channel is gone (404), once, and keeps its draw waiting for the channel", async () => {
    const streamer = await new Streamer().prepare({ createChannel: false });
    await streamer.setChat([createViewer("Alice")]);
    await streamer.start({ cooldown: 0 });
    await streamer.tick(0);
    // Long after every retry would have come due (they back off to 30 minutes): probes, not attempts.
    await streamer.tick(45);
    await streamer.tick(90);

    expect((await streamer.readRaffles()).map((raffle) => [raffle.status, raffle.status_reason])).toEqual([
      ["paused", "channel_unavailable"],
    ]);
    expect((await streamer.readDraws()).map((draw) => [draw.announcement_status, draw.announcement_attempts])).toEqual([
      ["pending", 0],
    ]);
    expect((await streamer.readDraws())[0]?.announcement_last_error).toMatch(/^channel unavailable: .*404/);
  });
});
