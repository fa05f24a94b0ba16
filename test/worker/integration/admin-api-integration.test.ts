import { afterEach, describe, expect, inject, it, vi } from "vitest";
import type * as z from "zod/mini";
import { testCredentials } from "../../../devkit/localBindings";
import { adminOperations } from "../../../worker/admin/adminApi";
import { adminResponses, errorResponse } from "../../../worker/admin/adminResponses";
import { failedAuthenticationWindowSeconds, maximumFailedAuthentications } from "../../../worker/admin/authorizeAdmin";
import { createRedis } from "../../../worker/cache/createRedis";
import { readConfig } from "../../../worker/env";
import { getTokenCipher, tokenPurpose } from "../../../worker/security/keys";
import { callWorker, testEnvironment } from "../../support/worker/callWorker";
import {
  createLinkedScene,
  createRunningRaffle,
  insertDraws,
  useTestDatabase,
} from "../../support/worker/commandHelpers";
import { runCommand, twitchControl } from "../../support/worker/fakes";
import { createSnowflake } from "../../support/worker/interactions";

const database = useTestDatabase();
const adminToken = `admin-token-${crypto.randomUUID()}-${crypto.randomUUID()}`;
const adminBindings = { ADMIN_API_TOKEN: adminToken };

afterEach(() => {
  vi.restoreAllMocks();
});

/** Everything secret a response must never carry: the admin token, and each test link's tokens, sealed and open. */
const secrets = new Set<string>([adminToken, testCredentials.twitchClientSecret, testCredentials.tokenEncryptionKey]);
const bodies: string[] = [];

async function rememberLinkSecrets(guildId: string): Promise<void> {
  const rows = await database.query<{ access: string; refresh: string; key: string }>(
    `select access_token_ciphertext as access, refresh_token_ciphertext as refresh, token_key_id as key
     from twitch_links where guild_id = $1`,
    [guildId],
  );
  const result = readConfig(testEnvironment());
  if (!result.ok) throw new Error("bad test config");
  const cipher = await getTokenCipher(result.config);
  for (const row of rows) {
    secrets.add(row.access).add(row.refresh);
    secrets.add(await cipher.open({ keyId: row.key, ciphertext: row.access }, tokenPurpose.accessToken(guildId)));
    secrets.add(await cipher.open({ keyId: row.key, ciphertext: row.refresh }, tokenPurpose.refreshToken(guildId)));
  }
}

async function callAdmin(
  path: string,
  options: { method?: string; body?: unknown; token?: string | null; scheme?: string; ip?: string } = {},
) {
  const headers = new Headers({ "cf-connecting-ip": options.ip ?? "198.51.100.1" });
  if (options.token !== null)
    headers.set("authorization", `${options.scheme ?? "Bearer"} ${options.token ?? adminToken}`);
  if (options.body !== undefined) headers.set("content-type", "application/json");
  const response = await callWorker(
    new Request(`https://liveloot.test${path}`, {
      method: options.method ?? "GET",
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    }),
    adminBindings,
  );
  const text = await response.text();
  bodies.push(text);
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
}

/** A success answer, checked against the documented response schema of its operation. */
async function callOperation(operationId: keyof typeof adminResponses, path: string, options = {}) {
  const result = await callAdmin(path, options);
  expect(result.status, result.text).toBe(200);
  const body = result.json();
  const parsed = (adminResponses[operationId] as z.ZodMiniType).safeParse(body);
  expect(parsed.success, `${operationId}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
  return body;
}

function expectIssue(result: Awaited<ReturnType<typeof callAdmin>>, path: string) {
  expect(result.status).toBe(400);
  const body = result.json();
  expect(errorResponse.safeParse(body).success).toBe(true);
  expect(body.error.code).toBe("invalid_request");
  expect(body.error.issues.map((issue: { path: string }) => issue.path)).toContain(path);
}

/** Follows next_cursor to the end; returns every item. */
async function readAllPages(operationId: keyof typeof adminResponses, path: string, limit: number) {
  const items: Record<string, unknown>[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const separator = path.includes("?") ? "&" : "?";
    const query: string = `${separator}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const body: { items: Record<string, unknown>[]; next_cursor: string | null } = await callOperation(
      operationId,
      `${path}${query}`,
    );
    expect(body.items.length).toBeLessThanOrEqual(limit);
    items.push(...body.items);
    cursor = body.next_cursor;
    pages += 1;
  } while (cursor && pages < 200);
  return { items, pages };
}

describe("the operator API's gate", () => {
  it("is 404 everywhere while ADMIN_API_TOKEN is unset, token or not", async () => {
    for (const path of ["/admin/links", "/admin/docs", "/admin/openapi.json", "/admin/nothing"]) {
      const response = await callWorker(
        new Request(`https://liveloot.test${path}`, { headers: { authorization: `Bearer ${adminToken}` } }),
      );
      expect(response.status).toBe(404);
      expect(response.headers.get("www-authenticate")).toBeNull();
      expect(await response.json()).toEqual({ error: "Not found." });
    }
  });

  it("answers 401 with WWW-Authenticate to a missing, wrong or non-Bearer token", async () => {
    const ip = `198.51.100.${Math.floor(Math.random() * 200) + 20}`;
    for (const attempt of [
      { token: null },
      { token: "wrong" },
      { token: `${adminToken}x` },
      { scheme: "Basic" },
      { token: adminToken.toUpperCase() },
    ]) {
      const result = await callAdmin("/admin/links", { ...attempt, ip });
      expect(result.status).toBe(401);
      expect(result.headers.get("www-authenticate")).toBe('Bearer realm="liveloot-admin"');
      expect(result.json().error.code).toBe("unauthorized");
      expect(errorResponse.safeParse(result.json()).success).toBe(true);
    }
    expect((await callAdmin("/admin/links", { ip })).status).toBe(200);
  });

  it("rate-limits failed authentications per IP, even the right token, and only that IP", async () => {
    const blocked = `203.0.113.${Math.floor(Math.random() * 250) + 1}-${createSnowflake()}`;
    for (let attempt = 0; attempt < maximumFailedAuthentications; attempt += 1) {
      expect((await callAdmin("/admin/links", { token: "guess", ip: blocked })).status).toBe(401);
    }
    const limited = await callAdmin("/admin/links", { ip: blocked });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(limited.json().error.code).toBe("rate_limited");
    expect((await callAdmin("/admin/links", { ip: `other-${createSnowflake()}` })).status).toBe(200);
  });

  it("counts parallel guesses before comparing them: of 30 at once, only the limit get an answer", async () => {
    const ip = `parallel-${createSnowflake()}`;
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, index) => callAdmin("/admin/links", { token: `guess-${index}`, ip })),
    );
    const statuses = results.map((result) => result.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(maximumFailedAuthentications);
    expect(statuses.filter((status) => status === 429)).toHaveLength(30 - maximumFailedAuthentications);
    expect((await callAdmin("/admin/links", { ip })).status).toBe(429);
  });

  it("answers the right token exactly like a wrong one while the address is locked out", async () => {
    const ip = `locked-${createSnowflake()}`;
    for (let attempt = 0; attempt < maximumFailedAuthentications; attempt += 1) {
      expect((await callAdmin("/admin/links", { token: "guess", ip })).status).toBe(401);
    }
    const right = await callAdmin("/admin/links", { ip });
    const wrong = await callAdmin("/admin/links", { token: "guess", ip });
    const missing = await callAdmin("/admin/links", { token: null, ip });
    for (const answer of [right, wrong, missing]) {
      expect(answer.status).toBe(429);
      expect(answer.text).toBe(right.text);
      expect(errorResponse.safeParse(answer.json()).success).toBe(true);
      expect(answer.headers.get("www-authenticate")).toBeNull();
      const retryAfter = Number(answer.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(failedAuthenticationWindowSeconds);
      expect([...answer.headers.keys()].sort()).toEqual([...right.headers.keys()].sort());
    }
  });

  it("never leaves a count without an expiry: a lock left without one ends, then the right token works", async () => {
    const redis = createRedis({
      upstashRedisRestUrl: inject("upstashUrl"),
      upstashRedisRestToken: inject("upstashToken"),
    });
    const ip = `stuck-${createSnowflake()}`;
    const key = `liveloot:admin:auth-failures:${ip}`;
    // What an INCR whose EXPIRE failed used to leave behind: the limit reached, no expiry at all.
    await redis.set(key, maximumFailedAuthentications);
    const locked = await callAdmin("/admin/links", { ip });
    expect(locked.status).toBe(429);
    const secondsLeft = await redis.ttl(key);
    expect(secondsLeft).toBeGreaterThan(0);
    expect(secondsLeft).toBeLessThanOrEqual(failedAuthenticationWindowSeconds);
    expect(Number(locked.headers.get("retry-after"))).toBe(secondsLeft);
    // A fresh count gets its expiry in the same transaction as its first increment.
    const fresh = `fresh-${createSnowflake()}`;
    expect((await callAdmin("/admin/links", { token: "guess", ip: fresh })).status).toBe(401);
    expect(await redis.ttl(`liveloot:admin:auth-failures:${fresh}`)).toBeGreaterThan(0);
    // The window passes (shortened here rather than waited for): the address may try again.
    await redis.pexpire(key, 50);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect((await callAdmin("/admin/links?limit=1", { ip })).status).toBe(200);
    expect((await callAdmin("/admin/links", { token: "guess", ip })).status).toBe(401);
  });

  it("answers a malformed percent-escape anywhere in the path 400 in the one error shape, never 500", async () => {
    for (const path of [
      "/admin/draws/%E0",
      "/admin/draws/%",
      "/admin/draws/%zz",
      "/admin/guilds/%E0%A4/loot",
      "/admin/%E0",
      "/admin/links/%C0%AF",
    ]) {
      const result = await callAdmin(path);
      expect(result.status, path).toBe(400);
      expect(errorResponse.safeParse(result.json()).success, path).toBe(true);
      expect(result.json().error.code).toBe("invalid_request");
    }
    // A well-formed escape still means what it spells.
    expectIssue(await callAdmin("/admin/draws/%78%31"), "path.id");
    // Without the token the answer is still 401, whatever the path.
    expect((await callAdmin("/admin/draws/%E0", { token: null, ip: `escape-${createSnowflake()}` })).status).toBe(401);
  });

  it("successful requests are never counted", async () => {
    const ip = `success-${createSnowflake()}`;
    for (let attempt = 0; attempt < maximumFailedAuthentications + 2; attempt += 1) {
      expect((await callAdmin("/admin/links?limit=1", { ip })).status).toBe(200);
    }
  });

  it("serves openapi.json (OpenAPI 3.1, every operation) and the docs page only with the token", async () => {
    expect((await callAdmin("/admin/openapi.json", { token: null, ip: `docs-${createSnowflake()}` })).status).toBe(401);
    const document = await callAdmin("/admin/openapi.json");
    expect(document.status).toBe(200);
    const openApi = document.json();
    expect(openApi.openapi).toBe("3.1.0");
    for (const operation of adminOperations) {
      expect(openApi.paths[operation.path][operation.method.toLowerCase()].operationId).toBe(operation.id);
    }
    const docs = await callAdmin("/admin/docs");
    expect(docs.status).toBe(200);
    expect(docs.headers.get("content-type")).toMatch(/text\/html/);
    expect(docs.text).toContain('<script src="docs.js"></script>');
    const script = await callAdmin("/admin/docs.js");
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toMatch(/javascript/);
    expect((await callAdmin("/admin/docs.js", { token: null, ip: `docs-${createSnowflake()}` })).status).toBe(401);
  });

  it("answers an unknown path 404 and a wrong method 405, in the one error shape", async () => {
    const unknown = await callAdmin("/admin/nothing/here");
    expect(unknown.status).toBe(404);
    expect(errorResponse.safeParse(unknown.json()).success).toBe(true);
    const wrongMethod = await callAdmin("/admin/links", { method: "POST" });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.json().error.code).toBe("method_not_allowed");
  });

  it("rejects bad input with 400 and the zod issue path", async () => {
    expectIssue(await callAdmin("/admin/links?limit=0"), "query.limit");
    expectIssue(await callAdmin("/admin/links?limit=abc"), "query.limit");
    expectIssue(await callAdmin("/admin/links?limit=101"), "query.limit");
    expectIssue(await callAdmin("/admin/links?cursor=not-a-cursor"), "query.cursor");
    expectIssue(await callAdmin(`/admin/links?cursor=${btoa('["1","2"]')}`), "query.cursor");
    // A cursor's numbers past bigint are the client's mistake, not a 500 from Postgres.
    const huge = btoa('["99999999999999999999"]');
    for (const path of ["/admin/raffles", "/admin/eventsub/subscriptions", "/admin/guilds/1/loot"])
      expectIssue(await callAdmin(`${path}?cursor=${huge}`), "query.cursor");
    expectIssue(
      await callAdmin(`/admin/eventsub/events?cursor=${btoa('["99999999999999999999","m"]')}`),
      "query.cursor",
    );
    expectIssue(await callAdmin("/admin/raffles?status=finished"), "query.status");
    expectIssue(await callAdmin("/admin/raffles?guild=abc"), "query.guild");
    expectIssue(await callAdmin("/admin/guilds/abc/loot"), "path.guild");
    expectIssue(await callAdmin("/admin/draws/x1"), "path.id");
    expectIssue(await callAdmin("/admin/eventsub/subscriptions?source=elsewhere"), "query.source");
    expectIssue(
      await callAdmin("/admin/eventsub/subscriptions", {
        method: "POST",
        body: { guild_id: "1", type: "channel.ban" },
      }),
      "body.type",
    );
    expectIssue(
      await callAdmin("/admin/eventsub/subscriptions", { method: "POST", body: { type: "stream.online" } }),
      "body.guild_id",
    );
    const notJson = await callWorker(
      new Request("https://liveloot.test/admin/eventsub/subscriptions", {
        method: "POST",
        headers: { authorization: `Bearer ${adminToken}` },
        body: "{",
      }),
      adminBindings,
    );
    expect(notJson.status).toBe(400);
  });
});

describe("the operator API's endpoints", () => {
  it("lists links with status, scopes and token health, paged by cursor; refreshes and deletes one", async () => {
    const linked = [await createLinkedScene(), await createLinkedScene(), await createLinkedScene()];
    for (const { scene } of linked) await rememberLinkSecrets(scene.guildId);
    const { items, pages } = await readAllPages("listLinks", "/admin/links", 2);
    expect(pages).toBeGreaterThan(1);
    const guildIds = items.map((item) => item.guild_id as string);
    expect(new Set(guildIds).size).toBe(guildIds.length);
    expect(guildIds).toEqual([...guildIds].sort());
    for (const { scene, streamer } of linked) {
      const link = items.find((item) => item.guild_id === scene.guildId);
      expect(link).toMatchObject({ twitch_user_id: streamer.id, status: "active", needs_reauth: false });
      expect(link?.scopes).toEqual(expect.arrayContaining(["moderator:read:chatters"]));
    }

    const [first, second] = linked;
    if (!first || !second) throw new Error("no links");
    const before = await database.query<{ access: string }>(
      "select access_token_ciphertext as access from twitch_links where guild_id = $1",
      [first.scene.guildId],
    );
    const refreshed = await callOperation("refreshLink", `/admin/links/${first.scene.guildId}/refresh`, {
      method: "POST",
    });
    expect(refreshed).toMatchObject({ guild_id: first.scene.guildId, status: "active" });
    const after = await database.query<{ access: string }>(
      "select access_token_ciphertext as access from twitch_links where guild_id = $1",
      [first.scene.guildId],
    );
    expect(after[0]?.access).not.toBe(before[0]?.access);
    await rememberLinkSecrets(first.scene.guildId);

    const deleted = await callOperation("deleteLink", `/admin/links/${second.scene.guildId}`, { method: "DELETE" });
    expect(deleted).toMatchObject({ guild_id: second.scene.guildId, tokens_revoked: true });
    expect(await database.query("select 1 from twitch_links where guild_id = $1", [second.scene.guildId])).toEqual([]);
    const again = await callAdmin(`/admin/links/${second.scene.guildId}`, { method: "DELETE" });
    expect(again.status).toBe(404);
    expect(again.json().error.code).toBe("not_linked");
    expect((await callAdmin(`/admin/links/${createSnowflake()}/refresh`, { method: "POST" })).status).toBe(404);
  });

  it("lists EventSub subscriptions as stored and as Twitch has them; deletes, creates and repairs", async () => {
    const { scene, streamer } = await createLinkedScene();
    await rememberLinkSecrets(scene.guildId);
    const stored = await readAllPages("listSubscriptions", "/admin/eventsub/subscriptions?source=stored", 3);
    const ours = stored.items.filter((item) => (item.guild_ids as string[]).includes(scene.guildId));
    expect(ours.map((item) => item.type)).toContain("stream.online");
    const online = ours.find((item) => item.type === "stream.online");
    const twitchSide = await callOperation("listSubscriptions", "/admin/eventsub/subscriptions?source=twitch");
    expect(twitchSide.items.map((item: { id: string }) => item.id)).toContain(online?.twitch_subscription_id);

    const removed = await callOperation(
      "deleteSubscription",
      `/admin/eventsub/subscriptions/${online?.twitch_subscription_id}`,
      { method: "DELETE" },
    );
    expect(removed).toEqual({ id: online?.twitch_subscription_id, deleted_stored: true });
    const atTwitch = await twitchControl().listEventSubSubscriptions();
    expect(atTwitch.map((entry) => entry.id)).not.toContain(online?.twitch_subscription_id);

    const created = await callOperation("createSubscription", "/admin/eventsub/subscriptions", {
      method: "POST",
      body: { guild_id: scene.guildId, type: "stream.online" },
    });
    expect(created).toMatchObject({ type: "stream.online", version: "1" });
    const duplicate = await callAdmin("/admin/eventsub/subscriptions", {
      method: "POST",
      body: { guild_id: scene.guildId, type: "stream.online" },
    });
    expect(duplicate.status).toBe(409);
    // Every type LiveLoot subscribes is accepted (the one list in twitch/eventSubSubscriptions.ts),
    // the chat gate's included: this link was not granted its scopes.
    const chat = await callAdmin("/admin/eventsub/subscriptions", {
      method: "POST",
      body: { guild_id: scene.guildId, type: "channel.chat.message" },
    });
    expect(chat.status).toBe(409);
    expect(chat.json().error.code).toBe("scope_missing");

    // The repair re-creates what is missing: delete one at Twitch and here, then repair.
    await callOperation("deleteSubscription", `/admin/eventsub/subscriptions/${created.twitch_subscription_id}`, {
      method: "DELETE",
    });
    const repaired = await callOperation("repairSubscriptions", `/admin/guilds/${scene.guildId}/eventsub/repair`, {
      method: "POST",
    });
    expect(repaired).toMatchObject({ guild_id: scene.guildId, created: 1, failed: 0 });
    const channel = (await twitchControl().listEventSubSubscriptions()).filter(
      (entry) => entry.type === "stream.online" && entry.condition.broadcaster_user_id === streamer.id,
    );
    expect(channel).toHaveLength(1);
    expect((await callAdmin(`/admin/guilds/${createSnowflake()}/eventsub/repair`, { method: "POST" })).status).toBe(
      404,
    );
  });

  it("lists raffles by server and status, a raffle's draws paged, and one draw with its proof", async () => {
    const { scene } = await createRunningRaffle({ items: "Sword:1, Shield:2x5" });
    await rememberLinkSecrets(scene.guildId);
    const running = await callOperation("listRaffles", `/admin/raffles?guild=${scene.guildId}&status=running`);
    expect(running.items).toHaveLength(1);
    expect(running.items[0]).toMatchObject({ guild_id: scene.guildId, status: "running" });
    expect((await callOperation("listRaffles", `/admin/raffles?guild=${scene.guildId}&status=stopped`)).items).toEqual(
      [],
    );

    const historyGuild = createSnowflake();
    const start = Date.parse("2026-01-01T00:00:00Z");
    await insertDraws(
      database,
      historyGuild,
      Array.from({ length: 5 }, (_, index) => ({
        slotAt: new Date(start + index * 60_000),
        itemName: `Prize ${index}`,
        winnerName: `Winner ${index}`,
        delivered: index % 2 === 0,
      })),
    );
    const [raffle] = await database.query<{ public_id: string }>("select public_id from raffles where guild_id = $1", [
      historyGuild,
    ]);
    const draws = await readAllPages("listDraws", `/admin/raffles/${raffle?.public_id}/draws`, 2);
    expect(draws.pages).toBe(3);
    expect(draws.items.map((item) => item.item_name)).toEqual(["Prize 4", "Prize 3", "Prize 2", "Prize 1", "Prize 0"]);
    expect((await callAdmin("/admin/raffles/AAAAAAAAAAAAAAAAAAAAAA/draws")).status).toBe(404);

    const draw = await callOperation("readDraw", `/admin/draws/${draws.items[0]?.id}`);
    expect(draw).toMatchObject({
      item_name: "Prize 4",
      raffle_public_id: raffle?.public_id,
      announcement_status: "delivered",
    });
    expect(draw).toHaveProperty("randomness");
    expect(draw).toHaveProperty("entrants_sha256");
    expect((await callAdmin("/admin/draws/999999999999")).status).toBe(404);
  });

  it("pages recent EventSub messages, activity points and a server's loot", async () => {
    const prefix = `admin-test-${createSnowflake()}`;
    for (let index = 0; index < 3; index += 1) {
      await database.query(
        `insert into twitch_eventsub_messages (message_id, message_type, subscription_type, received_at)
         values ($1, 'notification', 'channel.follow', now() + interval '1 day')`,
        [`${prefix}-${index}`],
      );
    }
    const events = await callOperation("listEvents", "/admin/eventsub/events?limit=2");
    const next = await callOperation("listEvents", `/admin/eventsub/events?limit=2&cursor=${events.next_cursor}`);
    expect([...events.items, ...next.items].map((item: { message_id: string }) => item.message_id).slice(0, 3)).toEqual(
      [`${prefix}-2`, `${prefix}-1`, `${prefix}-0`],
    );

    const { scene, streamer } = await createLinkedScene();
    await rememberLinkSecrets(scene.guildId);
    for (let index = 0; index < 3; index += 1) {
      await database.query(
        `insert into viewer_points (guild_id, broadcaster_id, viewer_user_id, viewer_login, viewer_display_name, points)
         values ($1, $2, $3, $4, $5, $6)`,
        [scene.guildId, streamer.id, String(900 + index), `fan_${index}`, `Fan ${index}`, 10 * (index + 1)],
      );
    }
    const points = await readAllPages("listPoints", `/admin/points?guild=${scene.guildId}`, 1);
    expect(points.pages).toBe(3);
    expect(points.items.map((item) => item.viewer_login).sort()).toEqual(["fan_0", "fan_1", "fan_2"]);

    await runCommand(scene, "loot", "import", { items: "Sword:10, Shield:5x3, Crown:1" });
    const loot = await readAllPages("listLoot", `/admin/guilds/${scene.guildId}/loot`, 2);
    expect(loot.items.map((item) => [item.name, item.weight, item.stock])).toEqual([
      ["Sword", 10, null],
      ["Shield", 5, 3],
      ["Crown", 1, null],
    ]);
  });

  it("logs every admin action with its request id, never the token", async () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((...parts: unknown[]) => {
      lines.push(parts.map(String).join(" "));
    });
    vi.spyOn(console, "warn").mockImplementation((...parts: unknown[]) => {
      lines.push(parts.map(String).join(" "));
    });
    await callAdmin("/admin/links?limit=1");
    await callAdmin("/admin/links?limit=0");
    await callAdmin("/admin/links", { token: "wrong-token-value", ip: `log-${createSnowflake()}` });
    const adminLines = lines.map((line) => JSON.parse(line)).filter((line) => String(line.message).startsWith("admin"));
    expect(adminLines.map((line) => line.message)).toEqual([
      "admin action",
      "admin action refused",
      "admin authentication failed",
      "admin action refused",
    ]);
    for (const line of adminLines) expect(line.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(adminLines[0]).toMatchObject({ operation: "listLinks", status: 200 });
    for (const line of lines) {
      expect(line).not.toContain(adminToken);
      expect(line).not.toContain("wrong-token-value");
    }
  });

  it("never answered with a token, a ciphertext or a secret (every response of this file)", () => {
    expect(bodies.length).toBeGreaterThan(50);
    for (const body of bodies) {
      for (const secret of secrets)
        expect(body.includes(secret), `a response carries a secret: ${body.slice(0, 200)}`).toBe(false);
    }
  });
});
