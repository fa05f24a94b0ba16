import { afterAll, describe, expect, it } from "vitest";
import { testCredentials } from "../../../devkit/localBindings";
import { listSubscriptions, saveSubscription } from "../../../worker/db/eventSubSubscriptions";
import { callWorker } from "../../support/worker/callWorker";
import { deliverEventSub, type EventSubSubscriptionShape, signEventSub } from "../../support/worker/eventSub";
import {
  createTwitchUser,
  discordControl,
  linkTwitch,
  readEditedReply,
  runCommand,
  twitchControl,
} from "../../support/worker/fakes";
import { createScene, createSnowflake } from "../../support/worker/interactions";
import { openTestDatabase } from "../../support/worker/testDatabase";

const database = openTestDatabase();
afterAll(() => database.close());

async function sendEventSub(
  type: "notification" | "webhook_callback_verification" | "revocation",
  subscriptionType: string,
  payload: unknown,
  options: { id?: string; timestamp?: string; secret?: string; redisDown?: boolean } = {},
) {
  const id = options.id ?? crypto.randomUUID();
  const timestamp = options.timestamp ?? new Date().toISOString();
  const body = JSON.stringify(payload);
  const request = new Request(`${testCredentials.publicBaseUrl}/twitch/eventsub`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "twitch-eventsub-message-id": id,
      "twitch-eventsub-message-retry": "0",
      "twitch-eventsub-message-type": type,
      "twitch-eventsub-message-signature": await signEventSub(id, timestamp, body, options.secret),
      "twitch-eventsub-message-timestamp": timestamp,
      "twitch-eventsub-subscription-type": subscriptionType,
      "twitch-eventsub-subscription-version": "1",
    },
    body,
  });
  return callWorker(request, options.redisDown ? { UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9" } : {});
}

function subscription(type: string, broadcasterId: string, status = "enabled") {
  return {
    id: crypto.randomUUID(),
    type,
    version: "1",
    status,
    cost: 0,
    condition: { broadcaster_user_id: broadcasterId },
    transport: { method: "webhook", callback: `${testCredentials.publicBaseUrl}/twitch/eventsub` },
    created_at: new Date().toISOString(),
  };
}

function createBroadcasterId(): string {
  return String(Number.parseInt(createSnowflake().slice(-9), 10));
}

/** The channel's liveness as the Worker recorded it; undefined while nothing is known. */
async function readIsLive(broadcasterId: string): Promise<boolean | undefined> {
  const rows = await database.query<{ is_live: boolean }>(
    "select is_live from twitch_channel_liveness where broadcaster_id = $1",
    [broadcasterId],
  );
  return rows[0]?.is_live;
}

describe("POST /twitch/eventsub", () => {
  it("echoes the challenge as plain text", async () => {
    const response = await sendEventSub("webhook_callback_verification", "stream.online", {
      challenge: "pogchamp-kappa-360noscope-vohiyo",
      subscription: subscription("stream.online", "1337", "webhook_callback_verification_pending"),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain");
    expect(await response.text()).toBe("pogchamp-kappa-360noscope-vohiyo");
  });

  it("enables a subscription whose challenge came before the Worker had stored it", async () => {
    const guildId = createSnowflake();
    await database.query("insert into guilds (id) values ($1)", [guildId]);
    const pending = { ...subscription("stream.online", "77", "webhook_callback_verification_pending") };
    const answer = await sendEventSub("webhook_callback_verification", "stream.online", {
      challenge: "early-bird",
      subscription: pending,
    });
    expect(await answer.text()).toBe("early-bird");
    // Twitch's 202 reaches the Worker only now: it stores the subscription as Twitch reported it.
    await saveSubscription(
      database,
      {
        twitchSubscriptionId: pending.id,
        broadcasterId: "77",
        type: pending.type,
        version: pending.version,
        condition: pending.condition,
        status: "webhook_callback_verification_pending",
      },
      guildId,
    );
    expect((await listSubscriptions(database, guildId)).map((entry) => entry.status)).toEqual(["enabled"]);
  });

  it("refuses a bad HMAC and a stale timestamp with 403", async () => {
    const payload = { subscription: subscription("stream.online", "1"), event: { broadcaster_user_id: "1" } };
    expect(
      (await sendEventSub("notification", "stream.online", payload, { secret: "another-secret-123" })).status,
    ).toBe(403);
    const stale = new Date(Date.now() - 11 * 60_000).toISOString();
    expect((await sendEventSub("notification", "stream.online", payload, { timestamp: stale })).status).toBe(403);
  });

  it("marks the channel live on stream.online and offline on stream.offline", async () => {
    const broadcasterId = createBroadcasterId();
    const online = await sendEventSub("notification", "stream.online", {
      subscription: subscription("stream.online", broadcasterId),
      event: { id: "9001", broadcaster_user_id: broadcasterId, broadcaster_user_login: "x", type: "live" },
    });
    expect(online.status).toBe(204);
    expect(await readIsLive(broadcasterId)).toBe(true);
    await sendEventSub("notification", "stream.offline", {
      subscription: subscription("stream.offline", broadcasterId),
      event: { broadcaster_user_id: broadcasterId },
    });
    expect(await readIsLive(broadcasterId)).toBe(false);
  });

  it("processes a redelivered message id once, even with Redis down", async () => {
    const broadcasterId = createBroadcasterId();
    const id = crypto.randomUUID();
    const online = {
      subscription: subscription("stream.online", broadcasterId),
      event: { broadcaster_user_id: broadcasterId },
    };
    const sentAt = Date.now() - 60_000;
    const timestamp = new Date(sentAt).toISOString();
    expect(
      (await sendEventSub("notification", "stream.online", online, { id, timestamp, redisDown: true })).status,
    ).toBe(204);
    expect(await readIsLive(broadcasterId)).toBe(true);
    // The stream goes offline, then Twitch redelivers the old online message: it must not flip it back.
    await sendEventSub("notification", "stream.offline", {
      subscription: subscription("stream.offline", broadcasterId),
      event: { broadcaster_user_id: broadcasterId },
    });
    const again = await sendEventSub("notification", "stream.online", online, {
      id,
      timestamp: new Date().toISOString(),
      redisDown: true,
    });
    expect(again.status).toBe(204);
    expect(await readIsLive(broadcasterId)).toBe(false);
    const rows = await database.query("select 1 from twitch_eventsub_messages where message_id = $1", [id]);
    expect(rows).toHaveLength(1);
  });

  it("acknowledges and records a revocation", async () => {
    const id = crypto.randomUUID();
    const response = await sendEventSub(
      "revocation",
      "stream.online",
      { subscription: subscription("stream.online", "42", "authorization_revoked") },
      { id },
    );
    expect(response.status).toBe(204);
    const rows = await database.query<{ message_type: string }>(
      "select message_type from twitch_eventsub_messages where message_id = $1",
      [id],
    );
    expect(rows).toEqual([{ message_type: "revocation" }]);
  });

  it("answers a signed body that is not JSON with 400", async () => {
    const id = crypto.randomUUID();
    const timestamp = new Date().toISOString();
    const body = "{not json";
    const response = await callWorker(
      new Request(`${testCredentials.publicBaseUrl}/twitch/eventsub`, {
        method: "POST",
        headers: {
          "twitch-eventsub-message-id": id,
          "twitch-eventsub-message-type": "notification",
          "twitch-eventsub-message-signature": await signEventSub(id, timestamp, body),
          "twitch-eventsub-message-timestamp": timestamp,
        },
        body,
      }),
    );
    expect(response.status).toBe(400);
  });
});

describe("EventSub subscriptions, activity points and Twitch chat announcements", () => {
  async function linkWithAllScopes() {
    const scene = createScene();
    const user = await createTwitchUser();
    await linkTwitch(scene, user);
    return { scene, user };
  }

  it("creates the subscriptions on link, marks them enabled on the challenge, and deletes them on disconnect", async () => {
    const { scene, user } = await linkWithAllScopes();
    const created = (await twitchControl().listEventSubSubscriptions(testCredentials.twitchClientId)).filter((entry) =>
      Object.values(entry.condition).includes(user.id),
    );
    expect(created.map((entry) => entry.type).sort()).toEqual([
      "channel.cheer",
      "channel.follow",
      "channel.raid",
      "channel.subscribe",
      "channel.subscription.gift",
      "stream.offline",
      "stream.online",
    ]);
    expect(
      created.every((entry) => entry.transport.callback === `${testCredentials.publicBaseUrl}/twitch/eventsub`),
    ).toBe(true);
    const online = created.find((entry) => entry.type === "stream.online");
    if (!online) throw new Error("no stream.online subscription");
    const challenge = await deliverEventSub("webhook_callback_verification", online, { challenge: "abc123" });
    expect(await challenge.text()).toBe("abc123");

    const status = await runCommand(scene, "twitch", "status");
    const embed = JSON.stringify((await readEditedReply(status.token))?.embeds);
    expect(embed).toContain("✅ Stream goes live: active");
    expect(embed).toContain("⏳ Stream goes offline: waiting for Twitch to verify");

    await runCommand(scene, "twitch", "disconnect");
    const left = (await twitchControl().listEventSubSubscriptions(testCredentials.twitchClientId)).filter((entry) =>
      Object.values(entry.condition).includes(user.id),
    );
    expect(left).toEqual([]);
    const rows = await database.query("select 1 from twitch_eventsub_subscriptions where broadcaster_id = $1", [
      user.id,
    ]);
    expect(rows).toEqual([]);
  });

  it("accrues activity points per event type, once per message, and shows the leaderboard", async () => {
    const { scene, user } = await linkWithAllScopes();
    const subscriptionOf = (type: string): EventSubSubscriptionShape => ({
      id: crypto.randomUUID(),
      type,
      version: type === "channel.follow" ? "2" : "1",
      status: "enabled",
      condition: type === "channel.raid" ? { to_broadcaster_user_id: user.id } : { broadcaster_user_id: user.id },
    });
    const fan = { user_id: `${user.id}7`, user_login: `fan_${user.id}`, user_name: "Fan" };
    const broadcaster = {
      broadcaster_user_id: user.id,
      broadcaster_user_login: user.login,
      broadcaster_user_name: "B",
    };
    const followId = crypto.randomUUID();
    await deliverEventSub("notification", subscriptionOf("channel.follow"), {
      id: followId,
      event: { ...fan, ...broadcaster, followed_at: new Date().toISOString() },
    });
    await deliverEventSub("notification", subscriptionOf("channel.follow"), {
      id: followId,
      event: { ...fan, ...broadcaster, followed_at: new Date().toISOString() },
    });
    await deliverEventSub("notification", subscriptionOf("channel.subscribe"), {
      event: { ...fan, ...broadcaster, tier: "1000", is_gift: false },
    });
    await deliverEventSub("notification", subscriptionOf("channel.subscription.gift"), {
      event: { ...fan, ...broadcaster, total: 3, tier: "1000", cumulative_total: 3, is_anonymous: false },
    });
    await deliverEventSub("notification", subscriptionOf("channel.cheer"), {
      event: { ...fan, ...broadcaster, is_anonymous: false, message: "pog", bits: 250 },
    });
    await deliverEventSub("notification", subscriptionOf("channel.cheer"), {
      event: {
        ...broadcaster,
        user_id: null,
        user_login: null,
        user_name: null,
        is_anonymous: true,
        message: "",
        bits: 999,
      },
    });
    await deliverEventSub("notification", subscriptionOf("channel.raid"), {
      event: {
        from_broadcaster_user_id: `${user.id}8`,
        from_broadcaster_user_login: `raider_${user.id}`,
        from_broadcaster_user_name: "Raider",
        to_broadcaster_user_id: user.id,
        to_broadcaster_user_login: user.login,
        to_broadcaster_user_name: "B",
        viewers: 9001,
      },
    });
    const points = await database.query<{ viewer_login: string; points: string }>(
      "select viewer_login, points from viewer_points where broadcaster_id = $1 order by points desc",
      [user.id],
    );
    // follow 10 (once) + subscribe 50 + 3 gifts × 60 + 250 bits × 1 = 490; raid 30 to the raider.
    expect(points).toEqual([
      { viewer_login: `fan_${user.id}`, points: "490" },
      { viewer_login: `raider_${user.id}`, points: "30" },
    ]);
    const leaderboard = await runCommand(scene, "raffle", "leaderboard");
    expect(leaderboard.body.data?.embeds?.[0]?.description).toBe(
      "1. **Fan** — 490 points (5× luck)\n2. **Raider** — 30 points (1.3× luck)",
    );
  });

  it("uses the point values a server sets with /raffle points", async () => {
    const { scene, user } = await linkWithAllScopes();
    const shown = await runCommand(scene, "raffle", "points");
    expect(shown.body.data?.content).toBe(
      "Activity points in this server:\nfollow 10 · subscribe 50 · 60 per gifted sub · 1 per bit · raid 30",
    );
    const updated = await runCommand(scene, "raffle", "points", { follow: 25, raid: 0 });
    expect(updated.body.data?.content).toBe(
      "Activity points updated:\nfollow 25 · subscribe 50 · 60 per gifted sub · 1 per bit · raid 0",
    );
    const refused = await runCommand(scene, "raffle", "points", { cheer: -1 });
    expect(refused.body.data?.content).toBe("Points must be whole numbers from 0 to 10,000.");

    await deliverEventSub(
      "notification",
      {
        id: crypto.randomUUID(),
        type: "channel.follow",
        version: "2",
        status: "enabled",
        condition: { broadcaster_user_id: user.id, moderator_user_id: user.id },
      },
      {
        event: {
          user_id: `${user.id}3`,
          user_login: `follower_${user.id}`,
          user_name: "Follower",
          broadcaster_user_id: user.id,
          broadcaster_user_login: user.login,
          broadcaster_user_name: "B",
          followed_at: new Date().toISOString(),
        },
      },
    );
    const points = await database.query<{ points: string }>(
      "select points from viewer_points where broadcaster_id = $1 and viewer_user_id = $2",
      [user.id, `${user.id}3`],
    );
    expect(points).toEqual([{ points: "25" }]);
  });

  it("also announces the winner in Twitch chat when asked, and records a drop", async () => {
    const { scene, user } = await linkWithAllScopes();
    await discordControl().createChannel({ id: scene.channelId, guildId: scene.guildId });
    await runCommand(scene, "loot", "add", { name: "Sword", weight: 1 });
    const started = await runCommand(scene, "raffle", "start", { announce_in_twitch: true, cooldown: 0 });
    expect(started.body.data?.content).toContain("Raffle started");
    const viewer = { id: `${user.id}5`, login: `winner_${user.id}`, displayName: "Winner" };
    await twitchControl().setChatters(user.id, { chatters: [viewer] });

    const first = await runCommand(scene, "raffle", "draw");
    expect((await readEditedReply(first.token))?.content).toContain("won **Sword**");
    const messages = await twitchControl().listChatMessages(user.id);
    expect(messages.map((message) => [message.message, message.senderId, message.isSent])).toEqual([
      [`@${viewer.login} won Sword!`, user.id, true],
    ]);

    await twitchControl().setChatDropReason(user.id, {
      code: "msg_rejected",
      message: "Your message is being checked",
    });
    await runCommand(scene, "raffle", "draw");
    const draws = await database.query<{
      twitch_announcement_status: string;
      twitch_announcement_error: string | null;
    }>("select twitch_announcement_status, twitch_announcement_error from draws where guild_id = $1 order by id", [
      scene.guildId,
    ]);
    expect(draws).toEqual([
      { twitch_announcement_status: "sent", twitch_announcement_error: null },
      { twitch_announcement_status: "dropped", twitch_announcement_error: "Your message is being checked" },
    ]);
  });

  it("states the luck formula and the top odds in /raffle status when luck is on", async () => {
    const { scene } = await linkWithAllScopes();
    await runCommand(scene, "loot", "add", { name: "Sword", weight: 1 });
    await runCommand(scene, "raffle", "start", { luck: true });
    const status = await runCommand(scene, "raffle", "status");
    expect(JSON.stringify(status.body.data?.embeds)).toContain("proportional to 1 + points/100, at most 5×");
  });
});
