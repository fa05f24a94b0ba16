import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { afterAll, describe, expect, it } from "vitest";
import { listChannelSubscriptions } from "../../../worker/db/eventSubSubscriptions";
import type { WorkerBindings } from "../../../worker/env";
import worker from "../../../worker/index";
import { requestedTwitchScopes } from "../../../worker/twitch/scopes";
import { testEnvironment } from "../../support/worker/callWorker";
import { deliverEventSub, type EventSubSubscriptionShape } from "../../support/worker/eventSub";
import {
  createTwitchUser,
  discordControl,
  linkTwitch,
  readEditedReply,
  runCommand,
  twitchControl,
} from "../../support/worker/fakes";
import { createScene, type InteractionScene } from "../../support/worker/interactions";
import { ownDatabaseUrl } from "../../support/worker/ownDatabase";
import { openTestDatabase } from "../../support/worker/testDatabase";

// Two Discord servers link one Twitch channel (SPEC: each keeps its own raffle, point values and
// leaderboard, and one server's disconnect never affects another's). Twitch allows one EventSub
// subscription per type and condition, so the servers share them. Ticks draw for every due
// raffle in their database: this file has its own.
const bindings: Partial<WorkerBindings> = { DATABASE_URL: ownDatabaseUrl() };
const database = openTestDatabase(bindings);
afterAll(() => database.close());

const minute = 60_000;
let tickAt = Math.floor(Date.now() / minute) * minute + minute;
type Streamer = Awaited<ReturnType<typeof createTwitchUser>>;

/** Runs the next minute's tick. */
async function tick(): Promise<void> {
  const execution = createExecutionContext();
  const controller = createScheduledController({ scheduledTime: new Date(tickAt), cron: "* * * * *" });
  await worker.scheduled(controller, { ...testEnvironment(), ...bindings }, execution);
  await waitOnExecutionContext(execution);
  tickAt += minute;
}

async function countDraws(scene: InteractionScene): Promise<number> {
  const rows = await database.query<{ count: string }>("select count(*) from draws where guild_id = $1", [
    scene.guildId,
  ]);
  return Number(rows[0]?.count ?? 0);
}

/** Runs a tick and says how many draws each server gained. */
async function tickAndCount(...scenes: InteractionScene[]): Promise<number[]> {
  const before = await Promise.all(scenes.map(countDraws));
  await tick();
  const after = await Promise.all(scenes.map(countDraws));
  return after.map((count, index) => count - (before[index] ?? 0));
}

/** Twitch's subscriptions for the streamer (the fake's truth), by type. */
async function listTwitchSubscriptions(streamer: Streamer): Promise<EventSubSubscriptionShape[]> {
  const all = await twitchControl().listEventSubSubscriptions();
  return all
    .filter((entry) => Object.values(entry.condition).includes(streamer.id))
    .sort((left, right) => left.type.localeCompare(right.type));
}

/** What LiveLoot stored: type → the guilds each subscription serves. */
async function readStoredGuilds(streamer: Streamer): Promise<Record<string, string[]>> {
  const stored = await listChannelSubscriptions(database, streamer.id);
  return Object.fromEntries(stored.map((entry) => [entry.type, entry.guildIds]));
}

/** Twitch answers each subscription's challenge, as it does right after creating it. */
async function verifyAll(streamer: Streamer): Promise<void> {
  for (const subscription of await listTwitchSubscriptions(streamer)) {
    const answer = await deliverEventSub("webhook_callback_verification", subscription, {
      challenge: `challenge-${subscription.id}`,
      bindings,
    });
    expect(await answer.text()).toBe(`challenge-${subscription.id}`);
  }
}

async function notify(streamer: Streamer, type: string, event: Record<string, unknown>): Promise<void> {
  const subscription = (await listTwitchSubscriptions(streamer)).find((entry) => entry.type === type);
  if (!subscription) throw new Error(`Twitch has no ${type} subscription for the streamer`);
  const answer = await deliverEventSub("notification", { ...subscription, status: "enabled" }, { event, bindings });
  expect(answer.status).toBe(204);
}

function broadcasterFields(streamer: Streamer) {
  return {
    broadcaster_user_id: streamer.id,
    broadcaster_user_login: streamer.login,
    broadcaster_user_name: streamer.displayName,
  };
}

async function follow(streamer: Streamer, viewer: { id: string; login: string; displayName: string }) {
  await notify(streamer, "channel.follow", {
    user_id: viewer.id,
    user_login: viewer.login,
    user_name: viewer.displayName,
    ...broadcasterFields(streamer),
    followed_at: new Date().toISOString(),
  });
}

async function goLive(streamer: Streamer): Promise<void> {
  const startedAt = new Date(Date.now() - 5_000).toISOString();
  await twitchControl().setLive(streamer.id, { startedAt });
  await notify(streamer, "stream.online", {
    id: String(Date.now()),
    ...broadcasterFields(streamer),
    type: "live",
    started_at: startedAt,
  });
}

async function goOffline(streamer: Streamer): Promise<void> {
  await twitchControl().setOffline(streamer.id);
  await notify(streamer, "stream.offline", broadcasterFields(streamer));
}

async function readPoints(scene: InteractionScene, streamer: Streamer): Promise<Record<string, number>> {
  const rows = await database.query<{ viewer_login: string; points: string }>(
    "select viewer_login, points from viewer_points where guild_id = $1 and broadcaster_id = $2",
    [scene.guildId, streamer.id],
  );
  return Object.fromEntries(rows.map((row) => [row.viewer_login, Number(row.points)]));
}

async function prepareServer(scene: InteractionScene, streamer: Streamer): Promise<void> {
  await discordControl().createChannel({ id: scene.channelId, guildId: scene.guildId });
  await discordControl().setChannelRateLimit(scene.channelId, { limit: 1000, windowSeconds: 1 });
  const loot = await runCommand(scene, "loot", "add", { name: "Sword", weight: 10 }, { bindings });
  expect(loot.body.data?.content).toContain("Added");
  await linkTwitch(scene, streamer, { bindings });
}

describe("two servers linking one Twitch channel", () => {
  it("share its EventSub subscriptions, one at Twitch per type, and only the last disconnect deletes them", async () => {
    const streamer = await createTwitchUser();
    const first = createScene();
    const second = createScene();
    await linkTwitch(first, streamer, { bindings });
    // The second server grants no bits:read: it never needs the cheer subscription.
    await linkTwitch(second, streamer, {
      bindings,
      scopes: requestedTwitchScopes.filter((scope) => scope !== "bits:read"),
    });

    const types = [
      "channel.cheer",
      "channel.follow",
      "channel.raid",
      "channel.subscribe",
      "channel.subscription.gift",
      "stream.offline",
      "stream.online",
    ];
    expect((await listTwitchSubscriptions(streamer)).map((entry) => entry.type)).toEqual(types);
    const both = [first.guildId, second.guildId].sort();
    expect(await readStoredGuilds(streamer)).toEqual({
      "channel.cheer": [first.guildId],
      "channel.follow": both,
      "channel.raid": both,
      "channel.subscribe": both,
      "channel.subscription.gift": both,
      "stream.offline": both,
      "stream.online": both,
    });

    await verifyAll(streamer);
    const status = await runCommand(second, "twitch", "status", {}, { bindings });
    const embed = JSON.stringify((await readEditedReply(status.token))?.embeds);
    expect(embed).toContain("✅ Stream goes live: active");
    expect(embed).toContain("✅ New follower: active");
    expect(embed).not.toContain("Cheer");

    await runCommand(first, "twitch", "disconnect", {}, { bindings });
    expect((await listTwitchSubscriptions(streamer)).map((entry) => entry.type)).toEqual(
      types.filter((type) => type !== "channel.cheer"),
    );
    expect(Object.values(await readStoredGuilds(streamer))).toEqual(Array(6).fill([second.guildId]));

    await runCommand(second, "twitch", "disconnect", {}, { bindings });
    expect(await listTwitchSubscriptions(streamer)).toEqual([]);
    expect(await readStoredGuilds(streamer)).toEqual({});
  });

  it("keep their own point values, leaderboards and luck, and one's disconnect leaves the other's points, liveness and draws", async () => {
    const streamer = await createTwitchUser();
    const generous = createScene();
    const plain = createScene();
    await prepareServer(generous, streamer);
    await prepareServer(plain, streamer);
    await verifyAll(streamer);
    const fan = { id: `${streamer.id}1`, login: `fan_${streamer.id}`.slice(0, 25), displayName: "Fan" };
    const newcomer = { id: `${streamer.id}2`, login: `new_${streamer.id}`.slice(0, 25), displayName: "New" };
    await twitchControl().setChatters(streamer.id, { chatters: [fan] });

    const updated = await runCommand(generous, "raffle", "points", { follow: 400 }, { bindings });
    expect(updated.body.data?.content).toContain("follow 400");
    await follow(streamer, fan);
    expect(await readPoints(generous, streamer)).toEqual({ [fan.login]: 400 });
    expect(await readPoints(plain, streamer)).toEqual({ [fan.login]: 10 });
    const leaderboard = async (scene: InteractionScene) =>
      (await runCommand(scene, "raffle", "leaderboard", {}, { bindings })).body.data?.embeds?.[0]?.description;
    expect(await leaderboard(generous)).toBe("1. **Fan** — 400 points (5× luck)");
    expect(await leaderboard(plain)).toBe("1. **Fan** — 10 points (1.1× luck)");

    for (const scene of [generous, plain]) {
      const started = await runCommand(scene, "raffle", "start", { luck: true, cooldown: 0 }, { bindings });
      expect(started.body.data?.content).toContain("Raffle started");
    }
    await goLive(streamer);
    expect(await tickAndCount(generous, plain)).toEqual([1, 1]);
    // Each draw's published entrants weighed the fan by its own server's points.
    const weights = await database.query<{ guild_id: string; entrants: [string, string, number][] }>(
      "select guild_id, entrants from draws where guild_id = any($1::text[])",
      [[generous.guildId, plain.guildId]],
    );
    expect(Object.fromEntries(weights.map((row) => [row.guild_id, row.entrants]))).toEqual({
      [generous.guildId]: [[fan.id, fan.login, 500]],
      [plain.guildId]: [[fan.id, fan.login, 110]],
    });

    const disconnected = await runCommand(generous, "twitch", "disconnect", {}, { bindings });
    expect((await readEditedReply(disconnected.token))?.content).toContain("raffle");
    // The other server's subscriptions stay, enabled: its liveness is still pushed.
    const stored = await listChannelSubscriptions(database, streamer.id);
    expect(stored.map((entry) => [entry.type, entry.status, entry.guildIds])).toContainEqual([
      "stream.online",
      "enabled",
      [plain.guildId],
    ]);
    expect((await listTwitchSubscriptions(streamer)).map((entry) => entry.type)).toContain("stream.offline");
    expect(await tickAndCount(generous, plain)).toEqual([0, 1]);

    // Points keep coming to the server still linked, by its values; the other keeps what it had.
    await follow(streamer, newcomer);
    expect(await readPoints(plain, streamer)).toEqual({ [fan.login]: 10, [newcomer.login]: 10 });
    expect(await readPoints(generous, streamer)).toEqual({ [fan.login]: 400 });

    // The shared subscriptions still tell the remaining server when the stream ends and restarts.
    await goOffline(streamer);
    expect(await tickAndCount(plain)).toEqual([0]);
    await goLive(streamer);
    expect(await tickAndCount(plain)).toEqual([1]);
  });

  it("a subscription Twitch has but LiveLoot does not know (its deletion at Twitch failed) is adopted on 409", async () => {
    const streamer = await createTwitchUser();
    const first = createScene();
    const second = createScene();
    await linkTwitch(first, streamer, { bindings });
    const atTwitch = await listTwitchSubscriptions(streamer);
    await database.query("delete from twitch_eventsub_subscriptions where broadcaster_id = $1", [streamer.id]);

    // Every create of the second link meets Twitch's 409 and takes the existing subscription.
    await linkTwitch(second, streamer, { bindings });
    expect(await listTwitchSubscriptions(streamer)).toEqual(atTwitch);
    const stored = await listChannelSubscriptions(database, streamer.id);
    expect(stored.map((entry) => [entry.type, entry.twitchSubscriptionId, entry.guildIds])).toEqual(
      atTwitch.map((entry) => [entry.type, entry.id, [second.guildId]]),
    );

    // The first server's hourly repair finds them stored and records that it needs them too.
    await database.query("update twitch_links set last_validated_at = now() - interval '2 hours' where guild_id = $1", [
      first.guildId,
    ]);
    await tick();
    expect(Object.values(await readStoredGuilds(streamer))).toEqual(
      Array(atTwitch.length).fill([first.guildId, second.guildId].sort()),
    );
    expect(await listTwitchSubscriptions(streamer)).toEqual(atTwitch);
  });

  it("the hourly repair re-creates a subscription stuck pending for 10 minutes, for every server it serves", async () => {
    const streamer = await createTwitchUser();
    const first = createScene();
    const second = createScene();
    await linkTwitch(first, streamer, { bindings });
    await linkTwitch(second, streamer, { bindings });
    const before = await listTwitchSubscriptions(streamer);
    const stuck = before.find((entry) => entry.type === "stream.offline");
    const waiting = before.find((entry) => entry.type === "stream.online");
    if (!stuck || !waiting) throw new Error("no stream subscriptions");
    // Twitch never verified stream.offline; stream.online is pending for less than 10 minutes.
    await database.query(
      `update twitch_eventsub_subscriptions set status_changed_at = now() - interval '11 minutes'
       where twitch_subscription_id = $1`,
      [stuck.id],
    );
    await database.query(
      `update twitch_eventsub_subscriptions set status_changed_at = now() - interval '9 minutes'
       where twitch_subscription_id = $1`,
      [waiting.id],
    );
    // The second server's link is due for its hourly validation, which repairs subscriptions.
    await database.query("update twitch_links set last_validated_at = now() - interval '2 hours' where guild_id = $1", [
      second.guildId,
    ]);
    await tick();

    const after = await listTwitchSubscriptions(streamer);
    const recreated = after.find((entry) => entry.type === "stream.offline");
    expect(recreated?.id).toBeDefined();
    expect(recreated?.id).not.toBe(stuck.id);
    expect(after.find((entry) => entry.type === "stream.online")?.id).toBe(waiting.id);
    const stored = await listChannelSubscriptions(database, streamer.id);
    const offline = stored.find((entry) => entry.type === "stream.offline");
    expect(offline).toMatchObject({
      twitchSubscriptionId: recreated?.id,
      status: "webhook_callback_verification_pending",
      verificationStuck: false,
      guildIds: [first.guildId, second.guildId].sort(),
    });
  });

  it("a revoked shared subscription is told to every server's raffle channel", async () => {
    const streamer = await createTwitchUser();
    const first = createScene();
    const second = createScene();
    await prepareServer(first, streamer);
    await prepareServer(second, streamer);
    await verifyAll(streamer);
    for (const scene of [first, second]) await runCommand(scene, "raffle", "start", {}, { bindings });
    const online = (await listTwitchSubscriptions(streamer)).find((entry) => entry.type === "stream.online");
    if (!online) throw new Error("no stream.online subscription");
    const answer = await deliverEventSub("revocation", { ...online, status: "authorization_revoked" }, { bindings });
    expect(answer.status).toBe(204);
    for (const scene of [first, second]) {
      const messages = await discordControl().listMessages(scene.channelId);
      expect(messages.map((message) => message.content).join("\n")).toContain("authorization_revoked");
    }
  });
});
