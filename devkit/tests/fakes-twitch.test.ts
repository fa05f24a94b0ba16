import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeSecret, TwitchControl } from "../fakes/twitchControl";
import { startTwitchFake, type TwitchFake } from "../fakes/twitchFake";

const clientId = "fakes-test-client";
const clientSecret = "fakes-test-secret";
const redirectUri = "https://liveloot.test/twitch/callback";

let fake: TwitchFake;
let control: TwitchControl;
let nextUserNumber = 1000;

beforeAll(async () => {
  fake = await startTwitchFake({ clientId, clientSecret, redirectUris: [redirectUri] });
  control = new TwitchControl(fake.url);
});

afterAll(async () => {
  await fake.stop();
});

/** A user with an id no other test uses. */
async function createUser(login = "streamer"): Promise<{ id: string; login: string }> {
  nextUserNumber += 1;
  const user = { id: String(nextUserNumber), login: `${login}_${nextUserNumber}` };
  await control.upsertUsers([{ ...user, displayName: user.login.toUpperCase() }]);
  return user;
}

function postForm(path: string, fields: Record<string, string>): Promise<Response> {
  return fetch(`${fake.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields),
    redirect: "manual",
  });
}

interface TokenAnswer {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  scope: string[];
  token_type: string;
}

async function exchangeCode(code: string): Promise<Response> {
  return postForm("/oauth2/token", {
    client_id: clientId,
    client_secret: clientSecret,
    code,
    grant_type: "authorization_code",
    redirect_uri: redirectUri,
  });
}

async function linkUser(userId: string, scopes: string[]): Promise<TokenAnswer> {
  const code = await control.mintAuthorizationCode({ userId, clientId, redirectUri, scopes });
  const response = await exchangeCode(code);
  expect(response.status).toBe(200);
  return (await response.json()) as TokenAnswer;
}

function callHelix(path: string, accessToken: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${fake.url}/helix${path}`, {
    ...init,
    headers: { authorization: `Bearer ${accessToken}`, "client-id": clientId, ...init.headers },
  });
}

async function readAppToken(): Promise<string> {
  const response = await postForm("/oauth2/token", {
    client_id: clientId,
    client_secret: clientSecret,
    grant_type: "client_credentials",
  });
  const body = (await response.json()) as { access_token: string };
  return body.access_token;
}

describe("OAuth authorization code flow", () => {
  it("renders a consent page and redirects with a single-use code", async () => {
    const user = await createUser();
    const query = new URLSearchParams({
      client_id: clientId,
      redirect_uri: redirectUri,
      response_type: "code",
      scope: "moderator:read:chatters user:write:chat",
      state: "state-123",
    });
    const page = await fetch(`${fake.url}/oauth2/authorize?${query}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(user.login);
    expect(html).toContain("moderator:read:chatters");
    expect(html).toContain('value="authorize"');
    expect(html).toContain('value="cancel"');

    const decision = await postForm("/oauth2/authorize", {
      client_id: clientId,
      redirect_uri: redirectUri,
      scope: "moderator:read:chatters user:write:chat",
      state: "state-123",
      user_id: user.id,
      decision: "authorize",
    });
    expect(decision.status).toBe(302);
    const location = new URL(decision.headers.get("location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
    expect(location.searchParams.get("state")).toBe("state-123");
    expect(location.searchParams.get("scope")).toBe("moderator:read:chatters user:write:chat");
    const code = location.searchParams.get("code") ?? "";

    const first = await exchangeCode(code);
    expect(first.status).toBe(200);
    const tokens = (await first.json()) as TokenAnswer;
    expect(tokens.token_type).toBe("bearer");
    expect(tokens.scope).toEqual(["moderator:read:chatters", "user:write:chat"]);
    expect(tokens.expires_in).toBeGreaterThan(3600);
    expect(tokens.refresh_token).toMatch(/^[a-z0-9]{50}$/);

    const reused = await exchangeCode(code);
    expect(reused.status).toBe(400);
    expect(await reused.json()).toEqual({ status: 400, message: "Invalid authorization code" });
  });

  it("redirects with access_denied when the user cancels", async () => {
    const decision = await postForm("/oauth2/authorize", {
      client_id: clientId,
      redirect_uri: redirectUri,
      scope: "moderator:read:chatters",
      state: "state-456",
      decision: "cancel",
    });
    const location = new URL(decision.headers.get("location") ?? "");
    expect(location.searchParams.get("error")).toBe("access_denied");
    expect(location.searchParams.get("error_description")).toBeTruthy();
    expect(location.searchParams.get("state")).toBe("state-456");
    expect(location.searchParams.has("code")).toBe(false);
  });

  it("refuses a wrong secret, an unregistered redirect URI and a mismatched redirect_uri", async () => {
    const user = await createUser();
    const code = await control.mintAuthorizationCode({ userId: user.id, clientId, redirectUri, scopes: [] });
    const wrongSecret = await postForm("/oauth2/token", {
      client_id: clientId,
      client_secret: "nope",
      code,
      grant_type: "authorization_code",
      redirect_uri: redirectUri,
    });
    expect(wrongSecret.status).toBe(403);

    const mismatch = await postForm("/oauth2/token", {
      client_id: clientId,
      client_secret: clientSecret,
      code,
      grant_type: "authorization_code",
      redirect_uri: "https://elsewhere.test/cb",
    });
    expect(mismatch.status).toBe(400);

    const page = await fetch(
      `${fake.url}/oauth2/authorize?${new URLSearchParams({ client_id: clientId, redirect_uri: "https://evil.test/", response_type: "code", scope: "" })}`,
    );
    expect(page.status).toBe(400);
  });
});

describe("refresh, validate and revoke", () => {
  it("rotates refresh tokens and kills the old one", async () => {
    const user = await createUser();
    const tokens = await linkUser(user.id, ["moderator:read:chatters"]);
    const refresh = (token: string) =>
      postForm("/oauth2/token", {
        client_id: clientId,
        client_secret: clientSecret,
        grant_type: "refresh_token",
        refresh_token: token,
      });

    const rotated = await refresh(tokens.refresh_token);
    expect(rotated.status).toBe(200);
    const next = (await rotated.json()) as TokenAnswer;
    expect(next.access_token).not.toBe(tokens.access_token);
    expect(next.refresh_token).not.toBe(tokens.refresh_token);
    expect(next.scope).toEqual(["moderator:read:chatters"]);

    const stale = await refresh(tokens.refresh_token);
    expect(stale.status).toBe(400);
    expect(await stale.json()).toEqual({ status: 400, message: "Invalid refresh token" });

    expect(await control.revokeRefreshTokens(user.id)).toBeGreaterThan(0);
    const dead = await refresh(next.refresh_token);
    expect(dead.status).toBe(400);
    expect(await dead.json()).toEqual({ status: 400, message: "Invalid refresh token" });
  });

  it("validates with the OAuth scheme, records it, and fails once the token expired", async () => {
    const user = await createUser();
    const tokens = await linkUser(user.id, ["moderator:read:chatters"]);
    const validate = (authorization: string) => fetch(`${fake.url}/oauth2/validate`, { headers: { authorization } });

    const valid = await validate(`OAuth ${tokens.access_token}`);
    expect(valid.status).toBe(200);
    expect(await valid.json()).toEqual({
      client_id: clientId,
      login: user.login,
      scopes: ["moderator:read:chatters"],
      user_id: user.id,
      expires_in: expect.any(Number),
    });
    const [accessStatus] = (await control.listTokens(user.id)).filter((token) => token.kind === "access");
    expect(accessStatus?.validationCount).toBe(1);
    expect(accessStatus?.lastValidatedAt).not.toBeNull();
    expect(accessStatus?.tokenDescription).toBe(await describeSecret(tokens.access_token));

    expect((await validate(`Bearer ${tokens.access_token}`)).status).toBe(401);

    await control.expireAccessTokens(user.id);
    const expired = await validate(`OAuth ${tokens.access_token}`);
    expect(expired.status).toBe(401);
    expect(await expired.json()).toEqual({ status: 401, message: "invalid access token" });
  });

  it("issues tokens with the lifetime a test sets, even already expired", async () => {
    const user = await createUser();
    await control.setTokenLifetime({ userId: user.id, seconds: 0 });
    const tokens = await linkUser(user.id, []);
    expect(tokens.expires_in).toBe(0);
    const validation = await fetch(`${fake.url}/oauth2/validate`, {
      headers: { authorization: `OAuth ${tokens.access_token}` },
    });
    expect(validation.status).toBe(401);
    await control.setTokenLifetime({ userId: user.id, seconds: 120 });
    expect((await linkUser(user.id, [])).expires_in).toBeLessThanOrEqual(120);
  });

  it("revokes tokens: 200 empty, then 400 for the same token, 404 for an unknown client", async () => {
    const user = await createUser();
    const tokens = await linkUser(user.id, []);
    const revoked = await postForm("/oauth2/revoke", { client_id: clientId, token: tokens.access_token });
    expect(revoked.status).toBe(200);
    expect(await revoked.text()).toBe("");
    const validation = await fetch(`${fake.url}/oauth2/validate`, {
      headers: { authorization: `OAuth ${tokens.access_token}` },
    });
    expect(validation.status).toBe(401);

    const unknownToken = await postForm("/oauth2/revoke", { client_id: clientId, token: "not-a-token" });
    expect(unknownToken.status).toBe(400);
    expect(await unknownToken.json()).toEqual({ status: 400, message: "Invalid token" });
    const unknownClient = await postForm("/oauth2/revoke", { client_id: "nobody", token: tokens.access_token });
    expect(unknownClient.status).toBe(404);
    expect(await unknownClient.json()).toEqual({ status: 404, message: "client does not exist" });
  });

  it("issues app tokens without a refresh token", async () => {
    const response = await postForm("/oauth2/token", {
      client_id: clientId,
      client_secret: clientSecret,
      grant_type: "client_credentials",
    });
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.refresh_token).toBeUndefined();
    expect(body.token_type).toBe("bearer");
    const validation = await fetch(`${fake.url}/oauth2/validate`, {
      headers: { authorization: `OAuth ${String(body.access_token)}` },
    });
    const validated = (await validation.json()) as Record<string, unknown>;
    expect(validated.client_id).toBe(clientId);
    expect(validated.user_id).toBeUndefined();
  });
});

describe("Helix", () => {
  it("answers 401 like Twitch for missing, mismatched, expired and revoked credentials", async () => {
    const user = await createUser();
    const tokens = await linkUser(user.id, []);
    const noToken = await fetch(`${fake.url}/helix/users`, { headers: { "client-id": clientId } });
    expect(noToken.status).toBe(401);
    expect(await noToken.json()).toEqual({ error: "Unauthorized", status: 401, message: "OAuth token is missing" });
    const noClient = await fetch(`${fake.url}/helix/users`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(noClient.status).toBe(401);
    const otherClient = await callHelix("/users", tokens.access_token, { headers: { "client-id": "other-client" } });
    expect(otherClient.status).toBe(401);
    expect(((await otherClient.json()) as { message: string }).message).toBe("Client ID and OAuth token do not match");

    const self = await callHelix("/users", tokens.access_token);
    expect(self.status).toBe(200);
    const selfBody = (await self.json()) as { data: { id: string; login: string; display_name: string }[] };
    expect(selfBody.data).toEqual([
      expect.objectContaining({ id: user.id, login: user.login, display_name: user.login.toUpperCase() }),
    ]);

    await control.expireAccessTokens(user.id);
    const expired = await callHelix("/users", tokens.access_token);
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { message: string }).message).toBe("Invalid OAuth token");
  });

  it("looks users up by repeated id and login", async () => {
    const first = await createUser("alpha");
    const second = await createUser("beta");
    const appToken = await readAppToken();
    const response = await callHelix(
      `/users?id=${first.id}&login=${second.login.toUpperCase()}&id=999999999`,
      appToken,
    );
    const body = (await response.json()) as { data: { id: string }[] };
    expect(body.data.map((user) => user.id).sort()).toEqual([first.id, second.id].sort());
    expect((await callHelix("/users", appToken)).status).toBe(400);
  });

  it("pages through 2,500 chatters in three pages of at most 1,000", async () => {
    const broadcaster = await createUser();
    const tokens = await linkUser(broadcaster.id, ["moderator:read:chatters"]);
    expect(await control.setChatters(broadcaster.id, { count: 2500 })).toBe(2500);

    const pages: {
      data: { user_id: string; user_login: string; user_name: string }[];
      pagination: { cursor?: string };
      total: number;
    }[] = [];
    let cursor: string | undefined;
    do {
      const query = new URLSearchParams({
        broadcaster_id: broadcaster.id,
        moderator_id: broadcaster.id,
        first: "1000",
      });
      if (cursor !== undefined) query.set("after", cursor);
      const response = await callHelix(`/chat/chatters?${query}`, tokens.access_token);
      expect(response.status).toBe(200);
      const page = (await response.json()) as (typeof pages)[number];
      pages.push(page);
      cursor = page.pagination.cursor;
    } while (cursor !== undefined);

    expect(pages.map((page) => page.data.length)).toEqual([1000, 1000, 500]);
    expect(pages.every((page) => page.total === 2500)).toBe(true);
    expect(pages[2]?.pagination).toEqual({});
    expect(pages[0]?.data[0]).toEqual({
      user_id: `${broadcaster.id}00001`,
      user_login: "viewer_00001",
      user_name: "viewer_00001",
    });
    expect(new Set(pages.flatMap((page) => page.data.map((chatter) => chatter.user_id))).size).toBe(2500);
    expect(pages[0]?.pagination.cursor).toMatch(/^[A-Za-z0-9_-]+$/);

    const defaultPage = (await (
      await callHelix(
        `/chat/chatters?broadcaster_id=${broadcaster.id}&moderator_id=${broadcaster.id}`,
        tokens.access_token,
      )
    ).json()) as (typeof pages)[number];
    expect(defaultPage.data).toHaveLength(100);
    const tooMany = await callHelix(
      `/chat/chatters?broadcaster_id=${broadcaster.id}&moderator_id=${broadcaster.id}&first=1001`,
      tokens.access_token,
    );
    expect(tooMany.status).toBe(400);
  });

  it("checks scope, moderator_id and moderator status for chatters", async () => {
    const broadcaster = await createUser();
    const moderator = await createUser("mod");
    const withoutScope = await linkUser(broadcaster.id, []);
    const path = (moderatorId: string) => `/chat/chatters?broadcaster_id=${broadcaster.id}&moderator_id=${moderatorId}`;
    const missingScope = await callHelix(path(broadcaster.id), withoutScope.access_token);
    expect(missingScope.status).toBe(401);
    expect(((await missingScope.json()) as { message: string }).message).toBe("Missing scope: moderator:read:chatters");

    const moderatorTokens = await linkUser(moderator.id, ["moderator:read:chatters"]);
    expect((await callHelix(path(broadcaster.id), moderatorTokens.access_token)).status).toBe(401);
    expect((await callHelix(path(moderator.id), moderatorTokens.access_token)).status).toBe(403);
    await control.addModerator(broadcaster.id, moderator.id);
    expect((await callHelix(path(moderator.id), moderatorTokens.access_token)).status).toBe(200);
  });

  it("returns only live streams among the requested ones", async () => {
    const live = await createUser("live");
    const alsoLive = await createUser("alsolive");
    const offline = await createUser("offline");
    await control.setLive(live.id, { title: "Raffle night", viewerCount: 42 });
    await control.setLive(alsoLive.id);
    await control.setLive(offline.id);
    await control.setOffline(offline.id);
    const appToken = await readAppToken();

    const response = await callHelix(
      `/streams?user_id=${live.id}&user_id=${offline.id}&user_login=${alsoLive.login}`,
      appToken,
    );
    const body = (await response.json()) as { data: Record<string, unknown>[]; pagination: object };
    expect(body.data.map((stream) => stream.user_id)).toEqual([live.id, alsoLive.id]);
    expect(body.data[0]).toMatchObject({
      type: "live",
      title: "Raffle night",
      viewer_count: 42,
      user_login: live.login,
    });
    expect(body.data[0]?.started_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);

    const onlyOffline = (await (await callHelix(`/streams?user_id=${offline.id}`, appToken)).json()) as {
      data: unknown[];
    };
    expect(onlyOffline.data).toEqual([]);
    const tooMany = Array.from({ length: 101 }, (_, index) => `user_id=${index + 1}`).join("&");
    expect((await callHelix(`/streams?${tooMany}`, appToken)).status).toBe(400);
  });

  it("sends Ratelimit headers that count down, then 429 when the bucket is empty", async () => {
    const user = await createUser();
    const tokens = await linkUser(user.id, []);
    const first = await callHelix("/users", tokens.access_token);
    expect(first.headers.get("ratelimit-limit")).toBe("800");
    const remaining = Number(first.headers.get("ratelimit-remaining"));
    const second = await callHelix("/users", tokens.access_token);
    expect(Number(second.headers.get("ratelimit-remaining"))).toBe(remaining - 1);
    expect(Number(second.headers.get("ratelimit-reset"))).toBeGreaterThan(Date.now() / 1000);

    await control.setRateLimit({ clientId, userId: user.id, limit: 3 });
    const third = await callHelix("/users", tokens.access_token);
    expect(third.status).toBe(200);
    expect(third.headers.get("ratelimit-remaining")).toBe("0");
    const limited = await callHelix("/users", tokens.access_token);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("ratelimit-limit")).toBe("3");
    expect(limited.headers.get("ratelimit-remaining")).toBe("0");
    expect(limited.headers.get("ratelimit-reset")).toMatch(/^\d+$/);
  });

  it("sends chat messages, refuses long ones, and reports drops", async () => {
    const broadcaster = await createUser();
    const tokens = await linkUser(broadcaster.id, ["user:write:chat"]);
    const send = (message: string, senderId = broadcaster.id) =>
      callHelix("/chat/messages", tokens.access_token, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ broadcaster_id: broadcaster.id, sender_id: senderId, message }),
      });

    const sent = await send("GG! viewer_00001 won a Sword");
    expect(sent.status).toBe(200);
    const sentBody = (await sent.json()) as { data: { message_id: string; is_sent: boolean }[] };
    expect(sentBody.data[0]?.is_sent).toBe(true);
    expect((await send("x".repeat(501))).status).toBe(422);
    expect((await send("hello", "someone-else")).status).toBe(401);

    await control.setChatDropReason(broadcaster.id, { code: "msg_duplicate", message: "duplicate" });
    const dropped = (await (await send("again")).json()) as {
      data: { is_sent: boolean; drop_reason?: { code: string } }[];
    };
    expect(dropped.data[0]).toMatchObject({ is_sent: false, drop_reason: { code: "msg_duplicate" } });
    const messages = await control.listChatMessages(broadcaster.id);
    expect(messages.map((message) => [message.message, message.isSent])).toEqual([
      ["GG! viewer_00001 won a Sword", true],
      ["again", false],
    ]);

    const noScope = await linkUser(broadcaster.id, []);
    const refused = await callHelix("/chat/messages", noScope.access_token, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ broadcaster_id: broadcaster.id, sender_id: broadcaster.id, message: "hi" }),
    });
    expect(refused.status).toBe(401);
  });

  it("creates, lists and deletes EventSub subscriptions with an app token only", async () => {
    const broadcaster = await createUser();
    const userTokens = await linkUser(broadcaster.id, []);
    const appToken = await readAppToken();
    const body = JSON.stringify({
      type: "stream.online",
      version: "1",
      condition: { broadcaster_user_id: broadcaster.id },
      transport: { method: "webhook", callback: "https://liveloot.test/twitch/eventsub", secret: "0123456789abcdef" },
    });
    const create = (token: string) =>
      callHelix("/eventsub/subscriptions", token, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });

    expect((await create(userTokens.access_token)).status).toBe(401);
    const created = await create(appToken);
    expect(created.status).toBe(202);
    const createdBody = (await created.json()) as {
      data: { id: string; status: string; cost: number; transport: Record<string, string> }[];
      total: number;
      total_cost: number;
      max_total_cost: number;
    };
    expect(createdBody.data[0]?.status).toBe("webhook_callback_verification_pending");
    expect(createdBody.data[0]?.cost).toBe(0);
    expect(createdBody.data[0]?.transport).toEqual({
      method: "webhook",
      callback: "https://liveloot.test/twitch/eventsub",
    });
    expect(createdBody.max_total_cost).toBe(10000);
    expect(createdBody.total).toBeGreaterThanOrEqual(1);
    expect((await create(appToken)).status).toBe(409);

    const id = createdBody.data[0]?.id ?? "";
    const listed = (await (await callHelix("/eventsub/subscriptions", appToken)).json()) as {
      data: { id: string }[];
      pagination: object;
    };
    expect(listed.data.map((subscription) => subscription.id)).toContain(id);
    expect((await control.listEventSubSubscriptions(clientId)).map((subscription) => subscription.id)).toContain(id);

    expect((await callHelix(`/eventsub/subscriptions?id=${id}`, appToken, { method: "DELETE" })).status).toBe(204);
    expect((await callHelix(`/eventsub/subscriptions?id=${id}`, appToken, { method: "DELETE" })).status).toBe(404);

    const follow = await callHelix("/eventsub/subscriptions", appToken, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        type: "channel.follow",
        version: "2",
        condition: { broadcaster_user_id: broadcaster.id, moderator_user_id: broadcaster.id },
        transport: { method: "webhook", callback: "https://liveloot.test/twitch/eventsub", secret: "0123456789abcdef" },
      }),
    });
    expect(follow.status).toBe(403);
  });
});

describe("control: failures, unexpected calls and redaction", () => {
  it("injects failures for the next N matching calls only", async () => {
    const broadcaster = await createUser();
    const appToken = await readAppToken();
    await control.injectFailure({
      method: "GET",
      path: "/helix/streams",
      contains: `user_id":["${broadcaster.id}"`,
      times: 2,
      status: 503,
    });
    await control.injectFailure({
      path: "/helix/*",
      contains: `user_id":["${broadcaster.id}"`,
      status: 429,
      retryAfterSeconds: 7,
    });
    const path = `/streams?user_id=${broadcaster.id}`;
    expect((await callHelix(path, appToken)).status).toBe(503);
    const second = await callHelix(path, appToken);
    expect(second.status).toBe(503);
    expect(await second.json()).toMatchObject({ status: 503 });
    const limited = await callHelix(path, appToken);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("ratelimit-reset"))).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) + 6);
    expect((await callHelix(path, appToken)).status).toBe(200);
    expect((await callHelix("/streams", appToken)).status).toBe(200);

    const injected = await control.listCalls({ contains: broadcaster.id, pathPrefix: "/helix/streams" });
    expect(injected.map((call) => [call.status, call.injected])).toEqual([
      [503, true],
      [503, true],
      [429, true],
      [200, false],
    ]);
  });

  it("delays without failing when a rule has no status", async () => {
    const user = await createUser();
    await control.injectFailure({ path: "/oauth2/validate", contains: "delay-marker", delayMilliseconds: 200 });
    expect(await control.listFailures()).toEqual(
      expect.arrayContaining([expect.objectContaining({ remaining: 1, delayMilliseconds: 200 })]),
    );
    const tokens = await linkUser(user.id, []);
    const started = Date.now();
    const response = await fetch(`${fake.url}/oauth2/validate?marker=delay-marker`, {
      headers: { authorization: `OAuth ${tokens.access_token}` },
    });
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it("answers an unknown URL with a loud 404 and lists it as unexpected", async () => {
    const since = await control.readLastSequence();
    const response = await fetch(`${fake.url}/helix/moderation/moderators?broadcaster_id=1`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { message: string }).message).toContain("emulates no such route");
    const unexpected = await control.listUnexpectedCalls({ since });
    expect(unexpected).toEqual([
      expect.objectContaining({ method: "GET", path: "/helix/moderation/moderators", status: 404, unexpected: true }),
    ]);
  });

  it("answers a browser's /favicon.ico with 204 and does not count it as unexpected", async () => {
    const since = await control.readLastSequence();
    const response = await fetch(`${fake.url}/favicon.ico`);
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    expect(await control.listUnexpectedCalls({ since })).toEqual([]);
  });

  it("never records a raw token, code or secret", async () => {
    const user = await createUser();
    const code = await control.mintAuthorizationCode({
      userId: user.id,
      clientId,
      redirectUri,
      scopes: ["moderator:read:chatters"],
    });
    const since = await control.readLastSequence();
    const tokens = (await (await exchangeCode(code)).json()) as TokenAnswer;
    await callHelix("/users", tokens.access_token);
    await fetch(`${fake.url}/oauth2/validate`, { headers: { authorization: `OAuth ${tokens.access_token}` } });
    await postForm("/oauth2/token", {
      client_id: clientId,
      client_secret: clientSecret,
      grant_type: "refresh_token",
      refresh_token: tokens.refresh_token,
    });
    await postForm("/oauth2/revoke", { client_id: clientId, token: tokens.access_token });

    const calls = await control.listCalls({ since });
    expect(calls).toHaveLength(5);
    const recorded = JSON.stringify(calls);
    for (const secret of [code, tokens.access_token, tokens.refresh_token, clientSecret]) {
      expect(recorded).not.toContain(secret);
    }
    const helixCall = calls.find((call) => call.path === "/helix/users");
    expect(helixCall?.headers.authorization).toBe(`Bearer ${await describeSecret(tokens.access_token)}`);
    const validateCall = calls.find((call) => call.path === "/oauth2/validate");
    expect(validateCall?.headers.authorization).toBe(`OAuth ${await describeSecret(tokens.access_token)}`);
  });
});
