import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TwitchControl } from "../fakes/twitchControl";
import { startTwitchFake, type TwitchFake } from "../fakes/twitchFake";
import {
  EventSubCallback as Callback,
  hasValidSignature as hasValidEventSubSignature,
  type ReceivedMessage,
} from "./support/EventSubCallback";

const clientId = "eventsub-delivery-client";
const clientSecret = "eventsub-delivery-secret";
const secret = "callback-secret-0123456789";

/** The check of Twitch's webhook signature (https://dev.twitch.tv/docs/eventsub/handling-webhook-events/), done here independently of the Worker's code. */
function hasValidSignature(message: ReceivedMessage, key = secret): boolean {
  return hasValidEventSubSignature(message, key);
}

let fake: TwitchFake;
let control: TwitchControl;
let callback: Callback;
let appToken: string;
let nextBroadcaster = 77_000_000;

beforeAll(async () => {
  fake = await startTwitchFake({ clientId, clientSecret });
  control = new TwitchControl(fake.url);
  callback = new Callback();
  await callback.start();
  const response = await fetch(`${fake.url}/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_id: clientId, client_secret: clientSecret, grant_type: "client_credentials" }),
  });
  appToken = ((await response.json()) as { access_token: string }).access_token;
});

afterAll(async () => {
  await fake?.stop();
  await callback?.stop();
});

async function createBroadcaster(): Promise<string> {
  nextBroadcaster += 1;
  const id = String(nextBroadcaster);
  await control.upsertUsers([{ id, login: `caster_${id}`, displayName: `Caster_${id}` }]);
  return id;
}

async function subscribe(type: string, broadcasterId: string): Promise<string> {
  const response = await fetch(`${fake.url}/helix/eventsub/subscriptions`, {
    method: "POST",
    headers: { authorization: `Bearer ${appToken}`, "client-id": clientId, "content-type": "application/json" },
    body: JSON.stringify({
      type,
      version: "1",
      condition: { broadcaster_user_id: broadcasterId },
      transport: { method: "webhook", callback: callback.url, secret },
    }),
  });
  expect(response.status).toBe(202);
  const body = (await response.json()) as { data: { id: string; status: string }[] };
  expect(body.data[0]?.status).toBe("webhook_callback_verification_pending");
  return body.data[0]?.id ?? "";
}

async function readStatus(subscriptionId: string): Promise<string | undefined> {
  return (await control.listEventSubSubscriptions(clientId)).find((entry) => entry.id === subscriptionId)?.status;
}

describe("EventSub delivery off (the default)", () => {
  it("sends nothing: a new subscription stays pending", async () => {
    expect(await control.updateSettings({})).toEqual({ eventSubDelivery: false });
    const broadcasterId = await createBroadcaster();
    const id = await subscribe("stream.online", broadcasterId);
    await control.setLive(broadcasterId);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(callback.received.filter((message) => message.json.subscription.id === id)).toEqual([]);
    expect(await readStatus(id)).toBe("webhook_callback_verification_pending");
  });
});

describe("EventSub delivery on", () => {
  beforeAll(async () => {
    expect(await control.updateSettings({ eventSubDelivery: true })).toEqual({ eventSubDelivery: true });
  });
  afterAll(async () => {
    await control.updateSettings({ eventSubDelivery: false });
  });

  it("sends a signed challenge after the 202; the right answer enables the subscription", async () => {
    const broadcasterId = await createBroadcaster();
    const id = await subscribe("stream.online", broadcasterId);
    await expect.poll(() => readStatus(id)).toBe("enabled");
    const [challenge] = callback.messagesOf(id, "webhook_callback_verification");
    if (!challenge) throw new Error("no challenge arrived");
    expect(hasValidSignature(challenge)).toBe(true);
    expect(hasValidSignature(challenge, "another-secret-0123")).toBe(false);
    expect(challenge.headers).toMatchObject({
      "content-type": "application/json",
      "twitch-eventsub-message-retry": "0",
      "twitch-eventsub-subscription-type": "stream.online",
      "twitch-eventsub-subscription-version": "1",
    });
    expect(challenge.headers["twitch-eventsub-message-timestamp"]).toMatch(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/,
    );
    expect(challenge.json.subscription).toMatchObject({
      id,
      status: "webhook_callback_verification_pending",
      condition: { broadcaster_user_id: broadcasterId },
      transport: { method: "webhook", callback: callback.url },
    });
    expect(JSON.stringify(challenge.json)).not.toContain(secret);
    expect(typeof challenge.json.challenge).toBe("string");
  });

  it.each([
    ["a body other than the challenge", { status: 200, contentType: "text/plain", body: "nope" }],
    ["the challenge as JSON", { status: 200, contentType: "application/json", body: "CHALLENGE" }],
    ["a non-2xx status", { status: 403, contentType: "text/plain", body: "CHALLENGE" }],
  ])("marks the subscription failed for %s", async (_name, answer) => {
    const broadcasterId = await createBroadcaster();
    callback.answer = (message) =>
      message.json.subscription.condition.broadcaster_user_id === broadcasterId
        ? { ...answer, body: answer.body.replace("CHALLENGE", message.json.challenge ?? "") }
        : { status: 204, body: "" };
    try {
      const id = await subscribe("stream.online", broadcasterId);
      await expect.poll(() => readStatus(id)).toBe("webhook_callback_verification_failed");
      const deliveries = await control.listEventSubDeliveries({ subscriptionId: id });
      expect(deliveries).toMatchObject([{ messageType: "webhook_callback_verification", outcome: "failed" }]);
      // A failed subscription gets no notifications.
      await control.setLive(broadcasterId);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(callback.messagesOf(id, "notification")).toEqual([]);
    } finally {
      callback.answer = new Callback().answer;
    }
  });

  it("delivers a signed stream.online and stream.offline to the enabled subscriptions of that broadcaster", async () => {
    const broadcasterId = await createBroadcaster();
    const otherBroadcasterId = await createBroadcaster();
    const online = await subscribe("stream.online", broadcasterId);
    const offline = await subscribe("stream.offline", broadcasterId);
    const otherOnline = await subscribe("stream.online", otherBroadcasterId);
    await expect
      .poll(async () => [await readStatus(online), await readStatus(offline)])
      .toEqual(["enabled", "enabled"]);
    await expect.poll(() => readStatus(otherOnline)).toBe("enabled");

    await control.setLive(broadcasterId, { startedAt: "2026-01-02T03:04:05Z" });
    await expect.poll(() => callback.messagesOf(online, "notification").length).toBe(1);
    const [notification] = callback.messagesOf(online, "notification");
    if (!notification) throw new Error("no notification");
    expect(hasValidSignature(notification)).toBe(true);
    expect(notification.headers).toMatchObject({
      "twitch-eventsub-message-retry": "0",
      "twitch-eventsub-subscription-type": "stream.online",
      "twitch-eventsub-subscription-version": "1",
    });
    expect(notification.json.subscription).toMatchObject({ id: online, status: "enabled", type: "stream.online" });
    expect(notification.json.event).toEqual({
      id: expect.any(String),
      broadcaster_user_id: broadcasterId,
      broadcaster_user_login: `caster_${broadcasterId}`,
      broadcaster_user_name: `Caster_${broadcasterId}`,
      type: "live",
      started_at: "2026-01-02T03:04:05Z",
    });
    // Only that broadcaster's subscriptions, and a title change while live sends nothing.
    await control.setLive(broadcasterId, { title: "new title" });
    expect(callback.messagesOf(otherOnline, "notification")).toEqual([]);
    expect(callback.messagesOf(offline, "notification")).toEqual([]);

    await control.setOffline(broadcasterId);
    await expect.poll(() => callback.messagesOf(offline, "notification").length).toBe(1);
    const [offlineNotification] = callback.messagesOf(offline, "notification");
    if (!offlineNotification) throw new Error("no offline notification");
    expect(hasValidSignature(offlineNotification)).toBe(true);
    expect(offlineNotification.json.event).toEqual({
      broadcaster_user_id: broadcasterId,
      broadcaster_user_login: `caster_${broadcasterId}`,
      broadcaster_user_name: `Caster_${broadcasterId}`,
    });
    expect(callback.messagesOf(online, "notification")).toHaveLength(1);
    expect(await control.listEventSubDeliveries({ subscriptionId: online, messageType: "notification" })).toMatchObject(
      [{ outcome: "delivered", status: 204, retry: 0, subscriptionType: "stream.online", broadcasterId }],
    );
  });

  it("retries a notification answered with an error, with the same message id", async () => {
    const broadcasterId = await createBroadcaster();
    const online = await subscribe("stream.online", broadcasterId);
    await expect.poll(() => readStatus(online)).toBe("enabled");
    let failuresLeft = 1;
    callback.answer = (message) => {
      if (message.json.subscription.id === online && message.json.event && failuresLeft > 0) {
        failuresLeft -= 1;
        return { status: 500, body: "busy" };
      }
      return { status: 204, body: "" };
    };
    try {
      await control.setLive(broadcasterId);
      await expect.poll(() => callback.messagesOf(online, "notification").length).toBe(2);
      const [first, second] = callback.messagesOf(online, "notification");
      expect(second?.headers["twitch-eventsub-message-id"]).toBe(first?.headers["twitch-eventsub-message-id"]);
      expect([
        first?.headers["twitch-eventsub-message-retry"],
        second?.headers["twitch-eventsub-message-retry"],
      ]).toEqual(["0", "1"]);
      if (second) expect(hasValidSignature(second)).toBe(true);
      const deliveries = await control.listEventSubDeliveries({ subscriptionId: online, messageType: "notification" });
      expect(deliveries.map((delivery) => [delivery.outcome, delivery.status])).toEqual([
        ["failed", 500],
        ["delivered", 204],
      ]);
    } finally {
      callback.answer = new Callback().answer;
    }
  });

  it("drops, duplicates and delays notifications on request", async () => {
    const broadcasterId = await createBroadcaster();
    const online = await subscribe("stream.online", broadcasterId);
    await expect.poll(() => readStatus(online)).toBe("enabled");

    await control.injectEventSubFault({ kind: "drop", broadcasterId, subscriptionType: "stream.online" });
    await control.setLive(broadcasterId);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(callback.messagesOf(online, "notification")).toEqual([]);
    expect(await control.listEventSubDeliveries({ subscriptionId: online, messageType: "notification" })).toMatchObject(
      [{ outcome: "dropped", status: null }],
    );
    await control.setOffline(broadcasterId);

    await control.injectEventSubFault({ kind: "duplicate", broadcasterId });
    await control.setLive(broadcasterId);
    await expect.poll(() => callback.messagesOf(online, "notification").length).toBe(2);
    const [first, second] = callback.messagesOf(online, "notification");
    expect(second?.headers["twitch-eventsub-message-id"]).toBe(first?.headers["twitch-eventsub-message-id"]);
    await control.setOffline(broadcasterId);

    await control.injectEventSubFault({ kind: "delay", broadcasterId, delayMilliseconds: 400 });
    const since = await control.readLastEventSubDelivery();
    const startedAt = Date.now();
    await control.setLive(broadcasterId);
    await expect.poll(() => callback.messagesOf(online, "notification").length).toBe(3);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(380);
    expect(await control.listEventSubDeliveries({ since, subscriptionId: online })).toHaveLength(1);
    expect(await control.listEventSubFaults()).toEqual([]);
  });

  it("signs with the clock it is given (npm run dev passes its simulated clock)", async () => {
    const aheadMilliseconds = 42 * 60_000;
    const shifted = await startTwitchFake({
      clientId,
      clientSecret,
      eventSubDelivery: true,
      now: () => Date.now() + aheadMilliseconds,
    });
    try {
      const broadcasterId = "88000001";
      shifted.state.upsertUser({ id: broadcasterId, login: "shifted_caster" });
      const subscription = {
        id: "shifted-subscription",
        status: "enabled",
        type: "stream.online",
        version: "1",
        condition: { broadcaster_user_id: broadcasterId },
        created_at: new Date().toISOString(),
        transport: { method: "webhook" as const, callback: callback.url },
        cost: 0,
        clientId,
      };
      shifted.state.eventSubSubscriptions.set(subscription.id, subscription);
      shifted.state.eventSub.rememberSecret(subscription.id, secret);
      shifted.state.setLive(broadcasterId);
      await expect.poll(() => callback.messagesOf(subscription.id, "notification").length).toBe(1);
      const [message] = callback.messagesOf(subscription.id, "notification");
      const sentAt = Date.parse(message?.headers["twitch-eventsub-message-timestamp"]?.slice(0, 23).concat("Z") ?? "");
      expect(Math.abs(sentAt - (Date.now() + aheadMilliseconds))).toBeLessThan(5_000);
    } finally {
      await shifted.stop();
    }
  });
});
