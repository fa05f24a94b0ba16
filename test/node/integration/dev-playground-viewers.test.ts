import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { type DiscordFake, startDiscordFake } from "../../../devkit/fakes/discordFake";
import { TwitchControl } from "../../../devkit/fakes/twitchControl";
import { startTwitchFake, type TwitchFake } from "../../../devkit/fakes/twitchFake";
import { EventSubCallback, hasValidSignature } from "../../../devkit/tests/support/EventSubCallback";
import type { ViewerChatResult, ViewersView, ViewerView } from "../../../playground/playgroundApi";
import { devFixtures } from "../../../scripts/dev/devFixtures";
import { SimulatedClock } from "../../../scripts/dev/SimulatedClock";
import type { PlaygroundServer } from "../../../scripts/dev/startPlaygroundServer";
import { startTicker, type Ticker } from "../../../scripts/dev/startTicker";
import { type BrowserDevStack, startBrowserDevStack } from "../../support/browserDevStack";
import { chromiumPath } from "../../support/chromium";
import { startTestPlayground } from "../../support/startTestPlayground";

// The playground's Viewers table: its routes edit a viewer's gate facts in a real Twitch fake
// through the fake's control API, and answer what the fake then has.

const { credentials } = devFixtures;
const streamer = devFixtures.twitchStreamer;
const redirectUri = "http://127.0.0.1:1/twitch/callback";
const callbackSecret = "viewers-test-callback-secret";
const alice = { id: "52000001", login: "alice_viewer", displayName: "alice_viewer" };
const bob = { id: "52000002", login: "bob_builds", displayName: "bob_builds" };

describe("the playground's Viewers routes, against the Twitch fake", () => {
  let discord: DiscordFake;
  let twitch: TwitchFake;
  let control: TwitchControl;
  let clock: SimulatedClock;
  let ticker: Ticker;
  let playground: PlaygroundServer;
  let callback: EventSubCallback;
  const viewersPath = `/api/twitch/users/${streamer.id}/viewers`;

  beforeAll(async () => {
    clock = new SimulatedClock();
    // Ten minutes ahead of the wall clock, so that "now" below is the simulated one.
    for (let minute = 0; minute < 10; minute += 1) clock.advanceOneMinute();
    discord = await startDiscordFake({
      applicationId: credentials.discordApplicationId,
      botToken: credentials.discordBotToken,
    });
    twitch = await startTwitchFake({
      clientId: credentials.twitchClientId,
      clientSecret: credentials.twitchClientSecret,
      redirectUris: [redirectUri],
      eventSubDelivery: true,
      now: () => clock.now(),
    });
    control = new TwitchControl(twitch.url);
    twitch.state.upsertUser(streamer);
    twitch.state.setChatters(streamer.id, { chatters: [streamer, alice, bob] });
    callback = new EventSubCallback();
    await callback.start();
    ticker = startTicker({ workerUrl: "http://127.0.0.1:1", clock, automatic: false });
    playground = await startTestPlayground({ workerUrl: "http://127.0.0.1:1", twitch, discord, clock, ticker });
  });

  afterAll(async () => {
    ticker?.stop();
    await playground?.stop();
    await callback?.stop();
    await discord?.stop();
    await twitch?.stop();
  });

  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const response = await fetch(`${playground.url}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: await response.json() };
  }

  async function succeed<Result>(method: string, path: string, body?: unknown): Promise<Result> {
    const { status, json } = await call(method, path, body);
    expect(status, JSON.stringify(json)).toBe(200);
    return json as Result;
  }

  test("lists the channel's chatters without the streamer, as the fake has them", async () => {
    const listing = await succeed<ViewersView>("GET", viewersPath);
    expect(listing.broadcasterId).toBe(streamer.id);
    expect(listing.now).toBeGreaterThanOrEqual(clock.now() - 1000);
    expect(listing.viewers.map((viewer) => viewer.login)).toEqual(["alice_viewer", "bob_builds"]);
    // Only a chatter so far: Get Users does not know them.
    expect(listing.viewers[0]).toEqual({
      ...alice,
      inChat: true,
      createdAt: null,
      follow: null,
      subscription: null,
      lastChat: null,
    });
  });

  test("saves a follow, a tier and an account date through the control API and answers them read back", async () => {
    const followedAt = new Date(clock.now() - 3 * 86_400_000).toISOString();
    const createdAt = "2019-06-01T00:00:00.000Z";
    const viewer = await succeed<ViewerView>("PUT", `${viewersPath}/${alice.id}`, {
      follow: { following: true, followedAt },
      subscription: { tier: "2000" },
      createdAt,
    });
    expect(viewer).toMatchObject({
      id: alice.id,
      createdAt,
      follow: { followedAt },
      subscription: { tier: "2000", isGift: false },
    });
    // The fake has the same: the Worker will read these through Helix.
    expect(twitch.state.follows.get(streamer.id)?.get(alice.id)?.followedAt).toBe(followedAt);
    expect(twitch.state.subscriptions.get(streamer.id)?.get(alice.id)?.tier).toBe("2000");
    expect(twitch.state.users.get(alice.id)?.createdAt).toBe(createdAt);

    // A viewer who became a Get Users account is still no channel to pick in the Twitch panel.
    const state = await succeed<{ twitch: { users: { id: string }[] } }>("GET", "/api/state");
    expect(state.twitch.users.map((user) => user.id)).toEqual([streamer.id]);
  });

  test("a follow without a time starts at the simulated now; unfollow and unsubscribe remove them", async () => {
    const followed = await succeed<ViewerView>("PUT", `${viewersPath}/${bob.id}`, {
      follow: { following: true },
      subscription: { tier: "1000" },
    });
    const followedAt = Date.parse(followed.follow?.followedAt ?? "");
    expect(Math.abs(followedAt - clock.now())).toBeLessThan(5_000);
    expect(followedAt - Date.now()).toBeGreaterThan(9 * 60_000);

    const removed = await succeed<ViewerView>("PUT", `${viewersPath}/${bob.id}`, {
      follow: { following: false },
      subscription: { tier: "none" },
    });
    expect(removed).toMatchObject({ follow: null, subscription: null });
    expect(twitch.state.follows.get(streamer.id)?.has(bob.id)).toBe(false);
    // Again: nothing to remove is no error.
    await succeed("PUT", `${viewersPath}/${bob.id}`, { follow: { following: false }, subscription: { tier: "none" } });
  });

  test("a follower who left chat keeps their row", async () => {
    twitch.state.setChatters(streamer.id, { chatters: [streamer, bob] });
    const listing = await succeed<ViewersView>("GET", viewersPath);
    expect(listing.viewers.map((viewer) => [viewer.login, viewer.inChat])).toEqual([
      ["bob_builds", true],
      ["alice_viewer", false],
    ]);
    twitch.state.setChatters(streamer.id, { chatters: [streamer, alice, bob] });
  });

  test("says hi as the viewer: a signed channel.chat.message reaches the subscription, and Last chat shows it", async () => {
    // Without a channel.chat.message subscription, nobody is told.
    const unheard = await succeed<ViewerChatResult>("POST", `${viewersPath}/${bob.id}/chat-messages`, {
      text: "anyone?",
    });
    expect(unheard.notifiedSubscriptions).toBe(0);
    expect(unheard.viewer.lastChat).toMatchObject({ text: "anyone?", delivery: "unsubscribed" });

    const subscriptionId = await subscribeToChat();
    const before = clock.now();
    const said = await succeed<ViewerChatResult>("POST", `${viewersPath}/${alice.id}/chat-messages`, {
      text: "hi chat 👋",
    });
    expect(said.notifiedSubscriptions).toBe(1);
    expect(said.viewer.lastChat).toMatchObject({ text: "hi chat 👋", delivery: "delivered" });
    expect(Date.parse(said.viewer.lastChat?.at ?? "")).toBeGreaterThanOrEqual(before);

    const [notification] = callback.messagesOf(subscriptionId, "notification");
    if (!notification) throw new Error("the callback got no notification");
    expect(hasValidSignature(notification, callbackSecret)).toBe(true);
    expect(notification.json.event).toMatchObject({
      broadcaster_user_id: streamer.id,
      chatter_user_id: alice.id,
      chatter_user_login: alice.login,
      message_id: said.messageId,
      message: { text: "hi chat 👋" },
    });
    const deliveries = await control.listEventSubDeliveries({ subscriptionId, messageType: "notification" });
    expect(deliveries.map((delivery) => [JSON.parse(delivery.body).event.message_id, delivery.outcome])).toEqual([
      [said.messageId, "delivered"],
    ]);

    // A message sent straight through the fake (not from the playground) shows up too.
    await control.postChatMessage(streamer.id, { chatterId: bob.id, text: "from elsewhere" });
    await expect
      .poll(async () => (await succeed<ViewersView>("GET", viewersPath)).viewers.find((v) => v.id === bob.id)?.lastChat)
      .toMatchObject({ text: "from elsewhere", delivery: "delivered" });
  });

  test("refuses bad input with 400 and a clear message, unknown viewers with 404; nothing changes", async () => {
    const refusals: [unknown, RegExp][] = [
      [{}, /at least one of follow, subscription, createdAt/],
      [{ follow: { following: true, followedAt: "yesterday" } }, /follow\.followedAt must be an RFC3339 time/],
      [{ follow: { following: true, followedAt: "2024-05-01T12:00:00" } }, /RFC3339 time with an offset/],
      [{ subscription: { tier: "4000" } }, /subscription\.tier/],
      [{ createdAt: "2024-13-01T00:00:00Z" }, /createdAt must be an RFC3339 time/],
      [
        { follow: { following: true, followedAt: new Date(clock.now() + 3_600_000).toISOString() } },
        /follow\.followedAt .* is after the simulated now/,
      ],
      [{ createdAt: "2005-01-01T00:00:00Z" }, /createdAt .* is before Twitch existed/],
      [{ follow: { following: true }, extra: 1 }, /invalid request/],
    ];
    for (const [body, message] of refusals) {
      const { status, json } = await call("PUT", `${viewersPath}/${alice.id}`, body);
      expect(status, JSON.stringify(body)).toBe(400);
      expect((json as { error: string }).error).toMatch(message);
    }
    expect((await call("POST", `${viewersPath}/${alice.id}/chat-messages`, { text: "" })).status).toBe(400);
    expect((await call("POST", `${viewersPath}/${alice.id}/chat-messages`, { text: "x".repeat(501) })).status).toBe(
      400,
    );
    const self = await call("PUT", `${viewersPath}/${streamer.id}`, { follow: { following: true } });
    expect(self.status).toBe(400);
    expect((self.json as { error: string }).error).toContain("streamer");
    const unknown = await call("PUT", `${viewersPath}/99999999`, { follow: { following: true } });
    expect(unknown.status).toBe(404);
    expect((unknown.json as { error: string }).error).toContain("Who is in chat");
    expect((await call("GET", "/api/twitch/users/12345/viewers")).status).toBe(404);
    // Alice's facts are those of the earlier test.
    expect(twitch.state.subscriptions.get(streamer.id)?.get(alice.id)?.tier).toBe("2000");
    expect(twitch.state.users.get(alice.id)?.createdAt).toBe("2019-06-01T00:00:00.000Z");
  });

  /** A channel.chat.message subscription of the streamer's own chat, to the test's callback. */
  async function subscribeToChat(): Promise<string> {
    const code = await control.mintAuthorizationCode({
      userId: streamer.id,
      clientId: credentials.twitchClientId,
      redirectUri,
      scopes: ["user:read:chat", "user:bot"],
    });
    expect((await postForm({ code, grant_type: "authorization_code", redirect_uri: redirectUri })).status).toBe(200);
    const app = (await (await postForm({ grant_type: "client_credentials" })).json()) as { access_token: string };
    const created = await fetch(`${twitch.url}/helix/eventsub/subscriptions`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${app.access_token}`,
        "client-id": credentials.twitchClientId,
        "content-type": "application/json",
      },
      body: JSON.stringify({
        type: "channel.chat.message",
        version: "1",
        condition: { broadcaster_user_id: streamer.id, user_id: streamer.id },
        transport: { method: "webhook", callback: callback.url, secret: callbackSecret },
      }),
    });
    expect(created.status, await created.clone().text()).toBe(202);
    const id = ((await created.json()) as { data: { id: string }[] }).data[0]?.id ?? "";
    await expect
      .poll(async () => (await control.listEventSubSubscriptions()).find((entry) => entry.id === id)?.status)
      .toBe("enabled");
    return id;
  }

  function postForm(fields: Record<string, string>): Promise<Response> {
    return fetch(`${twitch.url}/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        client_id: credentials.twitchClientId,
        client_secret: credentials.twitchClientSecret,
        ...fields,
      }),
    });
  }
});

const hasChromium = existsSync(chromiumPath);
if (!hasChromium)
  console.warn(`the Viewers browser test is skipped: ${chromiumPath} is missing (apt-get install chromium).`);

describe.skipIf(!hasChromium)("the Viewers table of npm run dev, in headless Chromium", () => {
  let started: BrowserDevStack | undefined;
  let context: BrowserContext;
  let workerOutput: string[] = [];

  beforeAll(async () => {
    started = await startBrowserDevStack({ name: "dev-viewers", redisUrl: inject("redisUrl") });
    ({ context, workerOutput } = started);
  }, 120_000);

  afterAll(() => started?.stop(), 60_000);

  test("edits alice's follow date, tier and account date, says hi; the fake's Helix and EventSub show it", async () => {
    const stack = started?.stack;
    if (!stack?.playgroundUrl || !stack.twitchFakeUrl) throw new Error("the dev stack did not start a playground");
    const twitchUrl = stack.twitchFakeUrl;
    const control = new TwitchControl(twitchUrl);
    const redirectUri = `${stack.workerUrl}/twitch/callback`;
    const listing = (await (
      await fetch(`${stack.playgroundUrl}/api/twitch/users/${streamer.id}/viewers`)
    ).json()) as ViewersView;
    const alice = listing.viewers.find((viewer) => viewer.login === "alice_viewer");
    if (!alice) throw new Error("alice_viewer is not in the seeded chat");

    // The streamer's grants: reading followers and subscribers, and a channel.chat.message
    // subscription to the Worker's own callback, so that "Say hi" reaches the Worker signed.
    const streamerToken = await exchangeCode(
      await control.mintAuthorizationCode({
        userId: streamer.id,
        clientId: credentials.twitchClientId,
        redirectUri,
        scopes: ["moderator:read:followers", "channel:read:subscriptions", "user:read:chat", "user:bot"],
      }),
    );
    const appToken = await requestToken({ grant_type: "client_credentials" });
    const created = await helix("/eventsub/subscriptions", appToken, {
      method: "POST",
      body: JSON.stringify({
        type: "channel.chat.message",
        version: "1",
        condition: { broadcaster_user_id: streamer.id, user_id: streamer.id },
        transport: {
          method: "webhook",
          callback: `${stack.workerUrl}/twitch/eventsub`,
          secret: credentials.twitchEventSubSecret,
        },
      }),
    });
    expect(created.status).toBe(202);
    const subscriptionId = ((await created.json()) as { data: { id: string }[] }).data[0]?.id ?? "";
    await expect
      .poll(
        async () => (await control.listEventSubSubscriptions()).find((entry) => entry.id === subscriptionId)?.status,
        {
          timeout: 15_000,
        },
      )
      .toBe("enabled");

    // Two days before the playground's now (its clock is the test's, not the wall's), entered in the
    // browser's time zone (the same as this process's).
    const playgroundState = (await (await fetch(`${stack.playgroundUrl}/api/state`)).json()) as {
      clock: { now: number };
    };
    const since = formatLocalMinute(playgroundState.clock.now - 2 * 86_400_000);
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    try {
      await page.goto(stack.playgroundUrl);
      const row = page.locator(`tr[data-viewer-id="${alice.id}"]`);
      await row.waitFor({ timeout: 15_000 });
      await expect.poll(() => row.innerText()).toContain("Not following");

      await page.getByLabel("alice_viewer follows", { exact: true }).check();
      await page.getByLabel("alice_viewer follows since").fill(since);
      await page.getByLabel("alice_viewer subscription tier").selectOption("2000");
      await page.getByLabel("alice_viewer account created").fill("2019-06-01");
      await page.getByRole("button", { name: "Save alice_viewer" }).click();
      await page.getByText("Saved alice_viewer:").waitFor({ timeout: 15_000 });
      const saved = await row.innerText();
      expect(saved).toContain("Following since");
      expect(saved).toMatch(/\(2 d 0 h ago\)/);
      expect(saved).toContain("Tier 2 (2000)");
      expect(saved).toMatch(/days old/);

      await page.getByRole("button", { name: "Say hi in chat as alice_viewer" }).click();
      await row.locator('.fact[data-delivery="delivered"]').waitFor({ timeout: 15_000 });
      expect(await row.innerText()).toContain("hi chat 👋");
      expect(pageErrors).toEqual([]);
    } catch (error) {
      console.error(`--- worker output ---\n${workerOutput.slice(-60).join("\n")}`);
      await page
        .screenshot({ path: join(tmpdir(), "liveloot-dev-viewers-failure.png"), fullPage: true })
        .catch(() => {});
      throw error;
    } finally {
      await page.close();
    }

    // What the Worker will read: Get Channel Followers, Get Broadcaster Subscriptions, Get Users.
    const followers = (await (
      await helix(`/channels/followers?broadcaster_id=${streamer.id}&user_id=${alice.id}`, streamerToken)
    ).json()) as { data: { user_id: string; followed_at: string }[] };
    expect(followers.data.map((follower) => follower.user_id)).toEqual([alice.id]);
    expect(Date.parse(followers.data[0]?.followed_at ?? "")).toBe(new Date(since).getTime());
    const subscriptions = (await (
      await helix(`/subscriptions?broadcaster_id=${streamer.id}&user_id=${alice.id}`, streamerToken)
    ).json()) as { data: { tier: string }[] };
    expect(subscriptions.data.map((subscription) => subscription.tier)).toEqual(["2000"]);
    const users = (await (await helix(`/users?id=${alice.id}`, appToken)).json()) as {
      data: { created_at: string }[];
    };
    expect(Date.parse(users.data[0]?.created_at ?? "")).toBe(new Date("2019-06-01T00:00").getTime());

    // The Worker got the chat message, signed with its EventSub secret, and acknowledged it.
    const deliveries = await control.listEventSubDeliveries({ subscriptionId, messageType: "notification" });
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ subscriptionType: "channel.chat.message", outcome: "delivered" });
    expect(JSON.parse(deliveries[0]?.body ?? "{}").event).toMatchObject({
      chatter_user_id: alice.id,
      message: { text: "hi chat 👋" },
    });

    async function requestToken(fields: Record<string, string>): Promise<string> {
      const response = await fetch(`${twitchUrl}/oauth2/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          client_id: credentials.twitchClientId,
          client_secret: credentials.twitchClientSecret,
          ...fields,
        }),
      });
      expect(response.status).toBe(200);
      return ((await response.json()) as { access_token: string }).access_token;
    }

    function exchangeCode(code: string): Promise<string> {
      return requestToken({ code, grant_type: "authorization_code", redirect_uri: redirectUri });
    }

    function helix(path: string, token: string, init: RequestInit = {}): Promise<Response> {
      return fetch(`${twitchUrl}/helix${path}`, {
        ...init,
        headers: {
          authorization: `Bearer ${token}`,
          "client-id": credentials.twitchClientId,
          ...(init.body === undefined ? {} : { "content-type": "application/json" }),
        },
      });
    }
  }, 90_000);
});

/** A `datetime-local` value in this process's time zone. */
function formatLocalMinute(milliseconds: number): string {
  const date = new Date(milliseconds);
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(
    date.getMinutes(),
  )}`;
}
