import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TwitchControl } from "../fakes/twitchControl";
import { startTwitchFake, type TwitchFake } from "../fakes/twitchFake";
import {
  EventSubCallback as Callback,
  hasValidSignature as hasValidEventSubSignature,
  type ReceivedMessage,
} from "./support/EventSubCallback";

// What the raffle gates read from Twitch: Get Channel Followers, Get Broadcaster Subscriptions,
// Get Users `created_at`, and `channel.chat.message` / `channel.follow` / `channel.subscribe`.

const clientId = "gates-test-client";
const clientSecret = "gates-test-secret";
const redirectUri = "https://liveloot.test/twitch/callback";
const secret = "gates-callback-secret-0123456789";

function hasValidSignature(message: ReceivedMessage): boolean {
  return hasValidEventSubSignature(message, secret);
}

let fake: TwitchFake;
let control: TwitchControl;
let callback: Callback;
let appToken: string;
let nextUserNumber = 66_000_000;

beforeAll(async () => {
  fake = await startTwitchFake({ clientId, clientSecret, redirectUris: [redirectUri] });
  control = new TwitchControl(fake.url);
  callback = new Callback();
  await callback.start();
  const response = await postForm("/oauth2/token", {
    client_id: clientId,
    client_secret: clientSecret,
    grant_type: "client_credentials",
  });
  appToken = ((await response.json()) as { access_token: string }).access_token;
});

afterAll(async () => {
  await fake?.stop();
  await callback?.stop();
});

function postForm(path: string, fields: Record<string, string>): Promise<Response> {
  return fetch(`${fake.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields),
  });
}

async function createUser(prefix = "user"): Promise<{ id: string; login: string }> {
  nextUserNumber += 1;
  const user = { id: String(nextUserNumber), login: `${prefix}_${nextUserNumber}` };
  await control.upsertUsers([{ ...user, displayName: user.login.toUpperCase() }]);
  return user;
}

/** Links the user to the client with these scopes, as the consent page would; returns the access token. */
async function linkUser(userId: string, scopes: string[]): Promise<string> {
  const code = await control.mintAuthorizationCode({ userId, clientId, redirectUri, scopes });
  const response = await postForm("/oauth2/token", {
    client_id: clientId,
    client_secret: clientSecret,
    code,
    grant_type: "authorization_code",
    redirect_uri: redirectUri,
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

function callHelix(path: string, accessToken: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${fake.url}/helix${path}`, {
    ...init,
    headers: { authorization: `Bearer ${accessToken}`, "client-id": clientId, ...init.headers },
  });
}

interface FollowersAnswer {
  total: number;
  data: { user_id: string; user_login: string; user_name: string; followed_at: string }[];
  pagination: { cursor?: string };
}

describe("Get Channel Followers", () => {
  it("pages over more than 100 followers, newest first, with a total", async () => {
    const broadcaster = await createUser("caster");
    const token = await linkUser(broadcaster.id, ["moderator:read:followers"]);
    await control.setChatters(broadcaster.id, { count: 150 });
    // viewer_00001 followed first (oldest), viewer_00150 last.
    const base = Date.parse("2024-01-01T00:00:00Z");
    await control.setFollows(
      broadcaster.id,
      Array.from({ length: 150 }, (_, index) => ({
        userId: `${broadcaster.id}${String(index + 1).padStart(5, "0")}`,
        followedAt: new Date(base + index * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
      })),
    );

    const first = await callHelix(`/channels/followers?broadcaster_id=${broadcaster.id}&first=100`, token);
    expect(first.status).toBe(200);
    expect(first.headers.get("ratelimit-limit")).toBe("800");
    const firstPage = (await first.json()) as FollowersAnswer;
    expect(firstPage.total).toBe(150);
    expect(firstPage.data).toHaveLength(100);
    expect(firstPage.data[0]).toEqual({
      user_id: `${broadcaster.id}00150`,
      user_login: "viewer_00150",
      user_name: "viewer_00150",
      followed_at: "2024-01-01T02:29:00Z",
    });
    expect(firstPage.pagination.cursor).toEqual(expect.any(String));

    const second = (await (
      await callHelix(
        `/channels/followers?broadcaster_id=${broadcaster.id}&first=100&after=${firstPage.pagination.cursor}`,
        token,
      )
    ).json()) as FollowersAnswer;
    expect(second.data).toHaveLength(50);
    expect(second.data.at(-1)?.user_id).toBe(`${broadcaster.id}00001`);
    expect(second.pagination).toEqual({});
    const seen = new Set([...firstPage.data, ...second.data].map((follower) => follower.user_id));
    expect(seen.size).toBe(150);

    // Default page size 20; first above 100 is refused.
    const byDefault = (await (
      await callHelix(`/channels/followers?broadcaster_id=${broadcaster.id}`, token)
    ).json()) as FollowersAnswer;
    expect(byDefault.data).toHaveLength(20);
    expect((await callHelix(`/channels/followers?broadcaster_id=${broadcaster.id}&first=101`, token)).status).toBe(400);
  });

  it("answers one viewer with user_id, and an empty list for a viewer who does not follow", async () => {
    const broadcaster = await createUser("caster");
    const follower = await createUser("fan");
    const stranger = await createUser("stranger");
    const token = await linkUser(broadcaster.id, ["moderator:read:followers"]);
    await control.setFollow(broadcaster.id, follower.id, "2023-05-06T07:08:09Z");

    const found = (await (
      await callHelix(`/channels/followers?broadcaster_id=${broadcaster.id}&user_id=${follower.id}`, token)
    ).json()) as FollowersAnswer;
    expect(found).toEqual({
      total: 1,
      data: [
        {
          user_id: follower.id,
          user_login: follower.login,
          user_name: follower.login.toUpperCase(),
          followed_at: "2023-05-06T07:08:09Z",
        },
      ],
      pagination: {},
    });
    const notFound = await callHelix(
      `/channels/followers?broadcaster_id=${broadcaster.id}&user_id=${stranger.id}`,
      token,
    );
    expect(await notFound.json()).toEqual({ total: 1, data: [], pagination: {} });

    await control.removeFollow(broadcaster.id, follower.id);
    const afterUnfollow = await callHelix(
      `/channels/followers?broadcaster_id=${broadcaster.id}&user_id=${follower.id}`,
      token,
    );
    expect(await afterUnfollow.json()).toEqual({ total: 0, data: [], pagination: {} });
    await expect(control.removeFollow(broadcaster.id, follower.id)).rejects.toThrow(/404/);
    await expect(control.setFollow(broadcaster.id, "no-such-account")).rejects.toThrow(/unknown follower/);
  });

  it("lets a moderator read; a non-moderator gets the total only; missing scope and app tokens get 401", async () => {
    const broadcaster = await createUser("caster");
    const moderator = await createUser("mod");
    const outsider = await createUser("outsider");
    const follower = await createUser("fan");
    await control.addModerator(broadcaster.id, moderator.id);
    await control.setFollow(broadcaster.id, follower.id);
    const path = `/channels/followers?broadcaster_id=${broadcaster.id}`;

    const asModerator = await callHelix(path, await linkUser(moderator.id, ["moderator:read:followers"]));
    expect(((await asModerator.json()) as FollowersAnswer).data.map((entry) => entry.user_id)).toEqual([follower.id]);

    const asOutsider = await callHelix(path, await linkUser(outsider.id, ["moderator:read:followers"]));
    expect(asOutsider.status).toBe(200);
    expect(await asOutsider.json()).toEqual({ total: 1, data: [], pagination: {} });

    const withoutScope = await callHelix(path, await linkUser(broadcaster.id, ["moderator:read:chatters"]));
    expect(withoutScope.status).toBe(401);
    expect(await withoutScope.json()).toEqual({
      error: "Unauthorized",
      status: 401,
      message: "Missing scope: moderator:read:followers",
    });
    expect((await callHelix(path, appToken)).status).toBe(401);
  });

  it("answers 429 with Ratelimit-Reset once the caller's bucket is empty", async () => {
    const broadcaster = await createUser("caster");
    const token = await linkUser(broadcaster.id, ["moderator:read:followers"]);
    await control.setRateLimit({ clientId, userId: broadcaster.id, limit: 1 });
    const path = `/channels/followers?broadcaster_id=${broadcaster.id}`;
    expect((await callHelix(path, token)).status).toBe(200);
    const limited = await callHelix(path, token);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("ratelimit-remaining")).toBe("0");
    expect(Number(limited.headers.get("ratelimit-reset"))).toBeGreaterThan(Date.now() / 1000);
    expect(await limited.json()).toMatchObject({ status: 429, error: "Too Many Requests" });
  });
});

interface SubscriptionsAnswer {
  data: Record<string, unknown>[];
  pagination: { cursor?: string };
  total: number;
  points: number;
}

describe("Get Broadcaster Subscriptions", () => {
  it("lists subscribers with tiers, gifts, total and points; filters by up to 100 user_id", async () => {
    const broadcaster = await createUser("caster");
    const [tierOne, tierThree, gifted, gifter, stranger] = await Promise.all([
      createUser("sub"),
      createUser("sub"),
      createUser("sub"),
      createUser("gifter"),
      createUser("stranger"),
    ]);
    if (!tierOne || !tierThree || !gifted || !gifter || !stranger) throw new Error("users");
    const token = await linkUser(broadcaster.id, ["channel:read:subscriptions"]);
    await control.setSubscription(broadcaster.id, { userId: tierOne.id });
    await control.setSubscription(broadcaster.id, { userId: tierThree.id, tier: "3000" });
    await control.setSubscription(broadcaster.id, { userId: gifted.id, isGift: true, gifterId: gifter.id });

    const all = (await (
      await callHelix(`/subscriptions?broadcaster_id=${broadcaster.id}&first=2`, token)
    ).json()) as SubscriptionsAnswer;
    expect(all.total).toBe(3);
    expect(all.points).toBe(1 + 6 + 1);
    expect(all.data).toHaveLength(2);
    expect(all.data[0]).toEqual({
      broadcaster_id: broadcaster.id,
      broadcaster_login: broadcaster.login,
      broadcaster_name: broadcaster.login.toUpperCase(),
      gifter_id: "",
      gifter_login: "",
      gifter_name: "",
      is_gift: false,
      tier: "1000",
      plan_name: `Channel Subscription (${broadcaster.login})`,
      user_id: tierOne.id,
      user_name: tierOne.login.toUpperCase(),
      user_login: tierOne.login,
    });
    const rest = (await (
      await callHelix(`/subscriptions?broadcaster_id=${broadcaster.id}&after=${all.pagination.cursor}`, token)
    ).json()) as SubscriptionsAnswer;
    expect(rest.data).toEqual([
      expect.objectContaining({ user_id: gifted.id, is_gift: true, gifter_id: gifter.id, gifter_login: gifter.login }),
    ]);
    expect(rest.pagination).toEqual({});

    const filtered = (await (
      await callHelix(
        `/subscriptions?broadcaster_id=${broadcaster.id}&user_id=${tierThree.id}&user_id=${stranger.id}`,
        token,
      )
    ).json()) as SubscriptionsAnswer;
    expect(filtered.data.map((entry) => [entry.user_id, entry.tier])).toEqual([[tierThree.id, "3000"]]);
    expect(filtered.total).toBe(3);

    const hundred = Array.from({ length: 100 }, (_, index) => `user_id=${index + 1}`).join("&");
    expect((await callHelix(`/subscriptions?broadcaster_id=${broadcaster.id}&${hundred}`, token)).status).toBe(200);
    const tooMany = await callHelix(`/subscriptions?broadcaster_id=${broadcaster.id}&${hundred}&user_id=101`, token);
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toMatchObject({ error: "Bad Request", status: 400 });

    await control.removeSubscription(broadcaster.id, tierOne.id);
    const afterEnd = (await (
      await callHelix(`/subscriptions?broadcaster_id=${broadcaster.id}&user_id=${tierOne.id}`, token)
    ).json()) as SubscriptionsAnswer;
    expect(afterEnd).toMatchObject({ data: [], total: 2, points: 7 });
  });

  it("needs the broadcaster's own token with channel:read:subscriptions (401 otherwise)", async () => {
    const broadcaster = await createUser("caster");
    const moderator = await createUser("mod");
    await control.addModerator(broadcaster.id, moderator.id);
    const path = `/subscriptions?broadcaster_id=${broadcaster.id}`;
    const withoutScope = await callHelix(path, await linkUser(broadcaster.id, ["moderator:read:followers"]));
    expect(withoutScope.status).toBe(401);
    expect(((await withoutScope.json()) as { message: string }).message).toBe(
      "Missing scope: channel:read:subscriptions",
    );
    const asModerator = await callHelix(path, await linkUser(moderator.id, ["channel:read:subscriptions"]));
    expect(asModerator.status).toBe(401);
    expect((await callHelix(path, appToken)).status).toBe(401);
  });
});

describe("Get Users created_at", () => {
  it("shows the account creation time set through the control API, for up to 100 ids", async () => {
    const user = await createUser("viewer");
    await control.setUserCreatedAt(user.id, "2025-12-24T18:00:00Z");
    const broadcaster = await createUser("caster");
    await control.setChatters(broadcaster.id, { chatters: [{ id: `${broadcaster.id}77`, login: "chatty" }] });
    // A chatter who is not a user yet becomes one.
    await control.setUserCreatedAt(`${broadcaster.id}77`, "2010-01-01T00:00:00Z");

    const answer = (await (await callHelix(`/users?id=${user.id}&id=${broadcaster.id}77`, appToken)).json()) as {
      data: { id: string; login: string; created_at: string }[];
    };
    expect(answer.data.map((entry) => [entry.id, entry.login, entry.created_at])).toEqual([
      [user.id, user.login, "2025-12-24T18:00:00Z"],
      [`${broadcaster.id}77`, "chatty", "2010-01-01T00:00:00Z"],
    ]);

    const hundred = Array.from({ length: 100 }, (_, index) => `id=${index + 1}`).join("&");
    expect((await callHelix(`/users?${hundred}`, appToken)).status).toBe(200);
    expect((await callHelix(`/users?${hundred}&id=101`, appToken)).status).toBe(400);
    await expect(control.setUserCreatedAt("no-such-account", "2020-01-01T00:00:00Z")).rejects.toThrow(/404/);
    await expect(control.setUserCreatedAt(user.id, "yesterday")).rejects.toThrow(/400/);
  });
});

describe("EventSub: channel.chat.message, channel.follow, channel.subscribe", () => {
  beforeAll(async () => {
    await control.updateSettings({ eventSubDelivery: true });
  });
  afterAll(async () => {
    await control.updateSettings({ eventSubDelivery: false });
  });

  function createSubscription(type: string, version: string, condition: Record<string, string>): Promise<Response> {
    return callHelix("/eventsub/subscriptions", appToken, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        type,
        version,
        condition,
        transport: { method: "webhook", callback: callback.url, secret },
      }),
    });
  }

  async function subscribeEnabled(type: string, version: string, condition: Record<string, string>): Promise<string> {
    const response = await createSubscription(type, version, condition);
    expect(response.status).toBe(202);
    const id = ((await response.json()) as { data: { id: string }[] }).data[0]?.id ?? "";
    await expect
      .poll(async () => (await control.listEventSubSubscriptions(clientId)).find((entry) => entry.id === id)?.status)
      .toBe("enabled");
    return id;
  }

  it("refuses channel.chat.message without the documented grants, accepts it with them", async () => {
    const broadcaster = await createUser("caster");
    const bot = await createUser("bot");
    const condition = { broadcaster_user_id: broadcaster.id, user_id: bot.id };

    expect((await createSubscription("channel.chat.message", "1", condition)).status).toBe(403);
    await linkUser(bot.id, ["user:read:chat"]);
    expect((await createSubscription("channel.chat.message", "1", condition)).status).toBe(403);
    await linkUser(bot.id, ["user:read:chat", "user:bot"]);
    // The chatting user has both scopes, but the broadcaster has not granted channel:bot.
    const withoutChannelBot = await createSubscription("channel.chat.message", "1", condition);
    expect(withoutChannelBot.status).toBe(403);
    expect(await withoutChannelBot.json()).toEqual({
      error: "Forbidden",
      status: 403,
      message: "subscription missing proper authorization",
    });
    expect((await createSubscription("channel.chat.message", "2", condition)).status).toBe(400);
    expect(
      (await createSubscription("channel.chat.message", "1", { broadcaster_user_id: broadcaster.id })).status,
    ).toBe(400);

    await linkUser(broadcaster.id, ["channel:bot"]);
    expect((await createSubscription("channel.chat.message", "1", condition)).status).toBe(202);

    // Moderator status stands in for channel:bot.
    const otherBroadcaster = await createUser("caster");
    await control.addModerator(otherBroadcaster.id, bot.id);
    expect(
      (
        await createSubscription("channel.chat.message", "1", {
          broadcaster_user_id: otherBroadcaster.id,
          user_id: bot.id,
        })
      ).status,
    ).toBe(202);
  });

  it("delivers a viewer's chat message as a signed channel.chat.message notification", async () => {
    const broadcaster = await createUser("caster");
    const bot = await createUser("bot");
    const viewer = await createUser("viewer");
    await linkUser(bot.id, ["user:read:chat", "user:bot", "user:write:chat"]);
    await linkUser(broadcaster.id, ["channel:bot"]);
    const id = await subscribeEnabled("channel.chat.message", "1", {
      broadcaster_user_id: broadcaster.id,
      user_id: bot.id,
    });

    const result = await control.postChatMessage(broadcaster.id, { chatterId: viewer.id, text: "!enter hi" });
    expect(result).toEqual({ messageId: expect.any(String), notifiedSubscriptions: 1 });
    await expect.poll(() => callback.messagesOf(id, "notification").length).toBe(1);
    const [notification] = callback.messagesOf(id, "notification");
    if (!notification) throw new Error("no notification");
    expect(hasValidSignature(notification)).toBe(true);
    expect(notification.headers).toMatchObject({
      "twitch-eventsub-subscription-type": "channel.chat.message",
      "twitch-eventsub-subscription-version": "1",
    });
    expect(notification.json.subscription).toMatchObject({
      id,
      type: "channel.chat.message",
      condition: { broadcaster_user_id: broadcaster.id, user_id: bot.id },
    });
    expect(notification.json.event).toMatchObject({
      broadcaster_user_id: broadcaster.id,
      broadcaster_user_login: broadcaster.login,
      broadcaster_user_name: broadcaster.login.toUpperCase(),
      chatter_user_id: viewer.id,
      chatter_user_login: viewer.login,
      chatter_user_name: viewer.login.toUpperCase(),
      message_id: result.messageId,
      message: { text: "!enter hi", fragments: [{ type: "text", text: "!enter hi" }] },
      message_type: "text",
      badges: [],
      color: "",
      cheer: null,
      reply: null,
    });

    // A message the bot sends through Send Chat Message is read by the subscription too.
    const sent = await callHelix("/chat/messages", appToken, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ broadcaster_id: broadcaster.id, sender_id: bot.id, message: "GG" }),
    });
    expect(sent.status).toBe(200);
    await expect.poll(() => callback.messagesOf(id, "notification").length).toBe(2);
    expect(callback.messagesOf(id, "notification")[1]?.json.event).toMatchObject({
      chatter_user_id: bot.id,
      message: { text: "GG" },
    });

    // Another channel's chat is not delivered; an unknown chatter needs a login.
    const elsewhere = await createUser("caster");
    expect(await control.postChatMessage(elsewhere.id, { chatterId: viewer.id, text: "hello" })).toMatchObject({
      notifiedSubscriptions: 0,
    });
    await expect(control.postChatMessage(broadcaster.id, { chatterId: "ghost", text: "boo" })).rejects.toThrow(/404/);
  });

  it("sends channel.follow and channel.subscribe when the control API adds a follow or a subscriber", async () => {
    const broadcaster = await createUser("caster");
    const viewer = await createUser("viewer");
    await linkUser(broadcaster.id, ["moderator:read:followers", "channel:read:subscriptions"]);
    const follow = await subscribeEnabled("channel.follow", "2", {
      broadcaster_user_id: broadcaster.id,
      moderator_user_id: broadcaster.id,
    });
    const subscribe = await subscribeEnabled("channel.subscribe", "1", { broadcaster_user_id: broadcaster.id });

    await control.setFollow(broadcaster.id, viewer.id, "2026-02-03T04:05:06Z");
    await expect.poll(() => callback.messagesOf(follow, "notification").length).toBe(1);
    const [followed] = callback.messagesOf(follow, "notification");
    expect(followed && hasValidSignature(followed)).toBe(true);
    expect(followed?.json.event).toEqual({
      user_id: viewer.id,
      user_login: viewer.login,
      user_name: viewer.login.toUpperCase(),
      broadcaster_user_id: broadcaster.id,
      broadcaster_user_login: broadcaster.login,
      broadcaster_user_name: broadcaster.login.toUpperCase(),
      followed_at: "2026-02-03T04:05:06Z",
    });
    // Moving the time of an existing follow is no new follow.
    await control.setFollow(broadcaster.id, viewer.id, "2026-02-03T05:00:00Z");

    await control.setSubscription(broadcaster.id, { userId: viewer.id, tier: "2000" });
    await expect.poll(() => callback.messagesOf(subscribe, "notification").length).toBe(1);
    expect(callback.messagesOf(subscribe, "notification")[0]?.json.event).toEqual({
      user_id: viewer.id,
      user_login: viewer.login,
      user_name: viewer.login.toUpperCase(),
      broadcaster_user_id: broadcaster.id,
      broadcaster_user_login: broadcaster.login,
      broadcaster_user_name: broadcaster.login.toUpperCase(),
      tier: "2000",
      is_gift: false,
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(callback.messagesOf(follow, "notification")).toHaveLength(1);

    // channel.follow needs the moderator_user_id to be the broadcaster or a moderator.
    const outsider = await createUser("outsider");
    await linkUser(outsider.id, ["moderator:read:followers"]);
    expect(
      (
        await createSubscription("channel.follow", "2", {
          broadcaster_user_id: broadcaster.id,
          moderator_user_id: outsider.id,
        })
      ).status,
    ).toBe(403);
  });
});
