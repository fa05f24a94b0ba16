import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { WorkerBindings } from "../../../worker/env";
import worker from "../../../worker/index";
import { testEnvironment } from "../../support/worker/callWorker";
import { deliverEventSub, type EventSubSubscriptionShape } from "../../support/worker/eventSub";
import { createTwitchUser, discordControl, linkTwitch, runCommand, twitchControl } from "../../support/worker/fakes";
import { createScene, type InteractionScene } from "../../support/worker/interactions";
import { ownDatabaseUrl, useTickDatabase } from "../../support/worker/ownDatabase";

// The world's order, not the code's: a streamer links Twitch, goes live and starts a raffle in
// any order; Twitch verifies EventSub at once, late or never; its stream notifications come
// twice, late, out of order or not at all. Each case asserts what the streamer expects of the
// first tick after it. Ticks draw for every due raffle in their database: this file has its own.
const bindings: Partial<WorkerBindings> = { DATABASE_URL: ownDatabaseUrl() };
const database = useTickDatabase(bindings);

const minute = 60_000;
type EventSubMode = "enabled" | "pending" | "absent";
type Step = "link" | "live" | "start";

/** One streamer's world: their Discord server, their Twitch account, their chat. */
class Stream {
  readonly scene: InteractionScene = createScene();
  streamer!: { id: string; login: string; displayName: string };
  private subscriptions: EventSubSubscriptionShape[] = [];
  private tickAt = Math.floor(Date.now() / minute) * minute + minute;

  constructor(readonly mode: EventSubMode) {}

  async prepare(): Promise<this> {
    this.streamer = await createTwitchUser();
    await discordControl().createChannel({ id: this.scene.channelId, guildId: this.scene.guildId });
    await discordControl().setChannelRateLimit(this.scene.channelId, { limit: 1000, windowSeconds: 1 });
    const loot = await runCommand(this.scene, "loot", "add", { name: "Sword", weight: 10 }, { bindings });
    expect(loot.body.data?.content).toContain("Added");
    await twitchControl().setChatters(this.streamer.id, {
      chatters: [1, 2, 3].map((index) => ({
        id: `${this.streamer.id}${index}`,
        login: `viewer_${this.streamer.id}_${index}`.slice(0, 25),
      })),
    });
    return this;
  }

  async run(step: Step): Promise<void> {
    if (step === "link") await this.link();
    if (step === "live") await this.goLive();
    if (step === "start") await this.start();
  }

  /** Links Twitch; Twitch then sends each new subscription its challenge (or, pending, not yet). */
  async link(): Promise<void> {
    await linkTwitch(this.scene, this.streamer, { bindings });
    const mine = (await twitchControl().listEventSubSubscriptions()).filter(
      (entry) => entry.condition.broadcaster_user_id === this.streamer.id && entry.type.startsWith("stream."),
    );
    expect(mine.map((entry) => entry.type).sort()).toEqual(["stream.offline", "stream.online"]);
    if (this.mode === "absent") {
      await database.query("delete from twitch_eventsub_subscriptions where broadcaster_id = $1", [this.streamer.id]);
      this.subscriptions = [];
      return;
    }
    this.subscriptions = mine.map((entry) => ({ ...entry, status: "enabled" }));
    if (this.mode === "enabled") await this.verifySubscriptions();
  }

  async verifySubscriptions(): Promise<void> {
    for (const subscription of this.subscriptions) {
      const answer = await deliverEventSub("webhook_callback_verification", subscription, {
        challenge: `challenge-${subscription.id}`,
        bindings,
      });
      expect(await answer.text()).toBe(`challenge-${subscription.id}`);
    }
  }

  /** Twitch notifies only subscriptions that exist and are enabled when the stream changes. */
  async goLive(options: { notify?: boolean; startedAt?: number } = {}): Promise<void> {
    const startedAt = options.startedAt ?? Date.now() - 5_000;
    await twitchControl().setLive(this.streamer.id, { startedAt: new Date(startedAt).toISOString() });
    if (options.notify !== false && this.mode === "enabled" && this.subscriptions.length > 0) {
      await this.notify("stream.online", { sentAt: startedAt + 1_000, startedAt });
    }
  }

  async goOffline(options: { notify?: boolean } = {}): Promise<void> {
    await twitchControl().setOffline(this.streamer.id);
    if (options.notify !== false && this.mode === "enabled" && this.subscriptions.length > 0) {
      await this.notify("stream.offline", {});
    }
  }

  async notify(
    type: "stream.online" | "stream.offline",
    options: { sentAt?: number; startedAt?: number; id?: string },
  ): Promise<Response> {
    const subscription = this.subscriptions.find((entry) => entry.type === type);
    if (!subscription) throw new Error(`no ${type} subscription`);
    const event: Record<string, unknown> = {
      broadcaster_user_id: this.streamer.id,
      broadcaster_user_login: this.streamer.login,
      broadcaster_user_name: this.streamer.displayName,
    };
    if (type === "stream.online") {
      Object.assign(event, {
        id: String(Date.now()),
        type: "live",
        started_at: new Date(options.startedAt ?? Date.now()).toISOString(),
      });
    }
    const answer = await deliverEventSub("notification", subscription, {
      event,
      bindings,
      ...(options.id ? { id: options.id } : {}),
      ...(options.sentAt ? { sentAt: options.sentAt } : {}),
    });
    expect(answer.status).toBe(204);
    return answer;
  }

  async start(): Promise<void> {
    const started = await runCommand(this.scene, "raffle", "start", { cooldown: 0 }, { bindings });
    expect(started.body.data?.content).toContain("Raffle started");
  }

  async stop(): Promise<void> {
    const stopped = await runCommand(this.scene, "raffle", "stop", {}, { bindings });
    expect(stopped.body.data?.content).toContain("stopped");
  }

  /** Runs the next minute's tick and says how many draws this streamer's raffles gained. */
  async tick(): Promise<number> {
    const before = await this.countDraws();
    const execution = createExecutionContext();
    const controller = createScheduledController({ scheduledTime: new Date(this.tickAt), cron: "* * * * *" });
    await worker.scheduled(controller, { ...testEnvironment(), ...bindings }, execution);
    await waitOnExecutionContext(execution);
    this.tickAt += minute;
    return (await this.countDraws()) - before;
  }

  async countDraws(): Promise<number> {
    const rows = await database.query<{ count: string }>("select count(*) from draws where guild_id = $1", [
      this.scene.guildId,
    ]);
    return Number(rows[0]?.count ?? 0);
  }

  async countStreamsCalls(since: number): Promise<number> {
    const calls = await twitchControl().listCalls({ since, pathPrefix: "/helix/streams", contains: this.streamer.id });
    return calls.length;
  }

  async readRaffleStatusStream(): Promise<string | undefined> {
    const status = await runCommand(this.scene, "raffle", "status", {}, { bindings });
    const embed = status.body.data?.embeds?.[0] as { fields?: { name: string; value: string }[] } | undefined;
    return embed?.fields?.find((field) => field.name === "Stream")?.value;
  }
}

async function openStream(mode: EventSubMode): Promise<Stream> {
  return new Stream(mode).prepare();
}

const orders: Step[][] = [
  ["link", "live", "start"],
  ["link", "start", "live"],
  ["live", "link", "start"],
];
const modes: EventSubMode[] = ["enabled", "pending", "absent"];

describe("the first live minute draws, whatever the order of link, go live and start", () => {
  const cases = orders.flatMap((order) => modes.map((mode) => [order.join(" → "), mode, order] as const));

  it.each(cases)("%s, EventSub %s: the first tick after all three draws", async (_name, mode, order) => {
    const stream = await openStream(mode);
    for (const step of order) {
      await stream.run(step);
      // Before all three have happened, a tick has nothing to draw (no raffle, or offline).
      if (step !== order.at(-1)) expect(await stream.tick()).toBe(0);
    }
    expect(await stream.tick()).toBe(1);
    expect(await stream.tick()).toBe(1);
  });

  it("a raffle started before the stream draws nothing while offline, and from the first minute once live", async () => {
    const stream = await openStream("enabled");
    await stream.link();
    await stream.start();
    expect(await stream.tick()).toBe(0);
    expect(await stream.tick()).toBe(0);
    await stream.goLive();
    expect(await stream.tick()).toBe(1);
  });

  it("EventSub verified only after the stream went live: the state Get Streams learned keeps drawing", async () => {
    const stream = await openStream("pending");
    await stream.link();
    await stream.goLive();
    await stream.start();
    expect(await stream.tick()).toBe(1);
    await stream.verifySubscriptions();
    expect(await stream.tick()).toBe(1);
  });
});

describe("mid-stream changes", () => {
  it("stop and start again mid-stream: the next tick draws", async () => {
    const stream = await openStream("enabled");
    await stream.link();
    await stream.goLive();
    await stream.start();
    expect(await stream.tick()).toBe(1);
    await stream.stop();
    expect(await stream.tick()).toBe(0);
    await stream.start();
    expect(await stream.tick()).toBe(1);
  });

  it("re-linking the same account mid-stream: the next tick draws", async () => {
    const stream = await openStream("enabled");
    await stream.link();
    await stream.goLive();
    await stream.start();
    expect(await stream.tick()).toBe(1);
    await stream.link();
    expect(await stream.tick()).toBe(1);
  });

  it("re-linking to another account that is live: the raffle follows it and draws at once", async () => {
    const stream = await openStream("enabled");
    await stream.link();
    await stream.goLive();
    await stream.start();
    expect(await stream.tick()).toBe(1);
    const other = await openStream("enabled");
    await other.goLive();
    stream.streamer = other.streamer;
    await stream.link();
    expect(await stream.tick()).toBe(1);
    const [draw] = await database.query<{ winner_twitch_user_id: string }>(
      "select winner_twitch_user_id from draws where guild_id = $1 order by id desc limit 1",
      [stream.scene.guildId],
    );
    expect(draw?.winner_twitch_user_id.startsWith(other.streamer.id)).toBe(true);
  });

  it("/raffle status and /twitch status agree on the stream", async () => {
    const stream = await openStream("enabled");
    await stream.link();
    await stream.goLive();
    await stream.start();
    expect(await stream.readRaffleStatusStream()).toMatch(/^🔴 live since <t:\d+:R> \(checked <t:\d+:R>\)$/);
    await stream.goOffline({ notify: false });
    // /twitch status asks Twitch and records what it learns for the channel.
    await runCommand(stream.scene, "twitch", "status", {}, { bindings });
    expect(await stream.readRaffleStatusStream()).toMatch(/^offline \(checked <t:\d+:R>\)$/);
    expect(await stream.tick()).toBe(0);
  });
});

describe("stream notifications twice, late, out of order, or never", () => {
  it("a duplicate stream.online is processed once and draws go on", async () => {
    const stream = await openStream("enabled");
    await stream.link();
    await stream.start();
    const startedAt = Date.now() - 3_000;
    await twitchControl().setLive(stream.streamer.id, { startedAt: new Date(startedAt).toISOString() });
    const id = crypto.randomUUID();
    await stream.notify("stream.online", { id, startedAt });
    await stream.notify("stream.online", { id, startedAt });
    expect(await stream.tick()).toBe(1);
    expect(await stream.tick()).toBe(1);
  });

  it("a late stream.offline from before the stream went live again does not stop it", async () => {
    const stream = await openStream("enabled");
    await stream.link();
    await stream.start();
    const now = Date.now();
    // The first stream ended (its offline is delayed); the second started a little later.
    await twitchControl().setLive(stream.streamer.id, { startedAt: new Date(now - 60_000).toISOString() });
    await stream.notify("stream.online", { sentAt: now - 59_000, startedAt: now - 60_000 });
    await stream.notify("stream.offline", { sentAt: now - 90_000 });
    expect(await stream.tick()).toBe(1);
  });

  it("a late stream.online from an earlier stream does not restart a stream that went offline", async () => {
    const stream = await openStream("enabled");
    await stream.link();
    await stream.start();
    const now = Date.now();
    await stream.notify("stream.offline", { sentAt: now - 10_000 });
    await stream.notify("stream.online", { sentAt: now - 120_000, startedAt: now - 125_000 });
    expect(await stream.tick()).toBe(0);
  });

  it("a lost stream.offline stops draws within 10 minutes: Get Streams is asked again", async () => {
    const stream = await openStream("enabled");
    await stream.link();
    await stream.goLive();
    await stream.start();
    const since = await twitchControl().readLastSequence();
    expect(await stream.tick()).toBe(1);
    await stream.goOffline({ notify: false });
    const drawsPerMinute: number[] = [];
    for (let index = 0; index < 11; index += 1) drawsPerMinute.push(await stream.tick());
    // Trusted while fresh (no Get Streams call), then checked once, then silent.
    const lastDraw = drawsPerMinute.lastIndexOf(1);
    expect(lastDraw).toBeLessThan(10);
    expect(drawsPerMinute.slice(lastDraw + 1).every((count) => count === 0)).toBe(true);
    expect(await stream.countStreamsCalls(since)).toBe(1);
  });

  it("a lost stream.online starts draws within 10 minutes", async () => {
    const stream = await openStream("enabled");
    await stream.link();
    await stream.start();
    await stream.notify("stream.offline", {});
    expect(await stream.tick()).toBe(0);
    await stream.goLive({ notify: false });
    const drawsPerMinute: number[] = [];
    for (let index = 0; index < 11; index += 1) drawsPerMinute.push(await stream.tick());
    const firstDraw = drawsPerMinute.indexOf(1);
    expect(firstDraw).toBeGreaterThanOrEqual(0);
    expect(firstDraw).toBeLessThan(10);
    expect(drawsPerMinute.slice(firstDraw).every((count) => count === 1)).toBe(true);
  });

  it("without EventSub, Get Streams is asked every minute a raffle is due", async () => {
    const stream = await openStream("absent");
    await stream.link();
    await stream.goLive();
    await stream.start();
    const since = await twitchControl().readLastSequence();
    expect(await stream.tick()).toBe(1);
    await stream.goOffline();
    expect(await stream.tick()).toBe(0);
    expect(await stream.countStreamsCalls(since)).toBe(2);
  });
});
