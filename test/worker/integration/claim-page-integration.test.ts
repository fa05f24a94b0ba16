import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { afterAll, afterEach, describe, expect, inject, it, vi } from "vitest";
import { testCredentials } from "../../../devkit/localBindings";
import type { WorkerBindings } from "../../../worker/env";
import { readConfig } from "../../../worker/env";
import { signClaimState } from "../../../worker/http/claim/claimState";
import worker from "../../../worker/index";
import { lootCodePurpose } from "../../../worker/raffle/lootCodes";
import { getTokenCipher } from "../../../worker/security/keys";
import type { TestBrowser } from "../../support/TestBrowser";
import { callWorker, testEnvironment } from "../../support/worker/callWorker";
import { captureLogs } from "../../support/worker/captureLogs";
import {
  answerConsent,
  createTwitchUser,
  discordControl,
  linkTwitch,
  openWorkerBrowser,
  runCommand,
  twitchControl,
} from "../../support/worker/fakes";
import { createScene, createSnowflake } from "../../support/worker/interactions";
import { ownDatabaseUrl } from "../../support/worker/ownDatabase";
import { openTestDatabase } from "../../support/worker/testDatabase";

// docs/contract.md "Claims": the claim page, its Twitch sign-in (no scopes, signed single-use
// state) and what the winner, and anyone else, sees. This file's database is its own.
const bindings: Partial<WorkerBindings> = { DATABASE_URL: ownDatabaseUrl() };
const database = openTestDatabase(bindings);
const base = testCredentials.publicBaseUrl;
afterAll(() => database.close());
afterEach(() => {
  vi.restoreAllMocks();
});

function config() {
  const result = readConfig({ ...testEnvironment(), ...bindings });
  if (!result.ok) throw new Error("bad test config");
  return result.config;
}

/** Everything a request answered, for the scan for prize codes. */
interface Seen {
  url: string;
  status: number;
  text: string;
}

const browser = { accept: "text/html", "accept-language": "en-US,en;q=0.9" };

/** One request, from `from` (a browser with its cookies) or from nowhere in particular. */
async function call(
  url: string,
  seen?: Seen[],
  headers: Record<string, string> = browser,
  from?: TestBrowser,
): Promise<Response> {
  const request = new Request(url, { headers });
  const response = await (from ? from.send(request) : callWorker(request, bindings));
  const text = await response.text();
  seen?.push({
    url,
    status: response.status,
    text: `${text}\n${JSON.stringify(Object.fromEntries(response.headers))}`,
  });
  return new Response(text, { status: response.status, headers: response.headers });
}

/** base64url(SHA-256(value)), computed here independently of the Worker's code. */
async function digestForTest(value: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(value)));
  return btoa(String.fromCharCode(...digest))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

function viewer(prefix: string) {
  const id = String(Number.parseInt(createSnowflake().slice(-9), 10) + 3_000_000_000);
  return { id, login: `${prefix}_${id}`.slice(0, 25), displayName: `${prefix}_${id}`.slice(0, 25) };
}

/**
 * A linked server with one item and a raffle; the winner alone in chat (a chatter, not yet a user of
 * the Twitch fake); `/raffle draw` made the draw and its claim. With `code`, the item has one prize
 * code, sealed as the codes command seals it.
 */
async function createClaim(options: { code: boolean }) {
  const scene = createScene();
  const streamer = await createTwitchUser();
  await linkTwitch(scene, streamer, { bindings });
  await discordControl().createChannel({ id: scene.channelId, guildId: scene.guildId });
  const itemName = `Game Key ${createSnowflake().slice(-5)}`;
  const added = await runCommand(scene, "loot", "add", { name: itemName, weight: 1 }, { bindings });
  expect(added.status).toBe(200);
  const [item] = await database.query<{ id: string }>(
    "select id::text from loot_items where guild_id = $1 and name = $2",
    [scene.guildId, itemName],
  );
  if (!item) throw new Error("no item");
  const code = `KEY-${createSnowflake()}-${createSnowflake().slice(-6)}`;
  if (options.code) {
    const sealId = crypto.randomUUID();
    const sealed = await (await getTokenCipher(config())).seal(code, lootCodePurpose(item.id, sealId));
    const digest = Array.from(
      new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${scene.guildId}:${code}`))),
      (byte) => byte.toString(16).padStart(2, "0"),
    ).join("");
    await database.query(
      `insert into loot_codes (guild_id, item_id, seal_id, code_ciphertext, code_key_id, code_digest)
       values ($1, $2, $3, $4, $5, $6)`,
      [scene.guildId, item.id, sealId, sealed.ciphertext, sealed.keyId, digest],
    );
    await database.query("update loot_items set stock = 1 where id = $1", [item.id]);
  }
  const started = await runCommand(scene, "raffle", "start", { cooldown: 0 }, { bindings });
  expect(started.status).toBe(200);
  if (!options.code) await database.query("update raffles set claim_minutes = 15 where guild_id = $1", [scene.guildId]);
  const winner = viewer("winner");
  await twitchControl().setChatters(streamer.id, { chatters: [winner] });
  const drawn = await runCommand(scene, "raffle", "draw", {}, { bindings });
  expect(drawn.status).toBe(200);
  const [claim] = await database.query<{ public_id: string; id: string; draw_id: string }>(
    `select c.public_id, c.id::text, c.draw_id::text from claims c join draws d on d.id = c.draw_id
     where d.guild_id = $1 and c.n = 0`,
    [scene.guildId],
  );
  if (!claim) throw new Error("the draw opened no claim");
  return { scene, streamer, winner, itemName, code, claim };
}

interface SignIn {
  authorizeUrl: URL;
  callbackUrl: string;
  /** The browser that opened the sign-in: it holds the sign-in's cookie. */
  browser: TestBrowser;
}

/**
 * Opens the sign-in in `options.browser` (a new one unless given), picks `account` on the fake's
 * consent page, and returns Twitch's redirect back.
 */
async function signIn(
  claimPublicId: string,
  account: { id: string },
  options: { decision?: "authorize" | "cancel"; seen?: Seen[]; browser?: TestBrowser } = {},
): Promise<SignIn> {
  const signInBrowser = options.browser ?? openWorkerBrowser(bindings);
  const signInResponse = await call(`${base}/claim/${claimPublicId}/sign-in`, options.seen, browser, signInBrowser);
  expect(signInResponse.status).toBe(302);
  const authorizeUrl = new URL(signInResponse.headers.get("location") ?? "");
  const consentPage = await fetch(authorizeUrl);
  expect(consentPage.status).toBe(200);
  await consentPage.body?.cancel();
  const callbackUrl = await answerConsent(authorizeUrl, account, options);
  return { authorizeUrl, callbackUrl, browser: signInBrowser };
}

/** Follows Twitch's redirect back in the browser that began the sign-in. */
function finishSignIn(signedIn: SignIn, seen?: Seen[]): Promise<Response> {
  return call(signedIn.callbackUrl, seen, browser, signedIn.browser);
}

async function readClaim(id: string) {
  const [row] = await database.query<{ status: string; claimed_at: Date | null; claimed_edit_status: string }>(
    "select status, claimed_at, claimed_edit_status from claims where id = $1",
    [id],
  );
  return row;
}

async function readCodeStatus(drawId: string) {
  const [row] = await database.query<{ status: string }>("select status from loot_codes where draw_id = $1", [drawId]);
  return row?.status;
}

describe("GET /claim/{claim}", () => {
  it("says what was won, where and by whom, with the sign-in button, in English and Portuguese", async () => {
    const { claim, itemName, streamer, winner, code } = await createClaim({ code: true });
    const english = await call(`${base}/claim/${claim.public_id}`);
    expect(english.status).toBe(200);
    expect(english.headers.get("cache-control")).toBe("no-store");
    const html = await english.text();
    expect(html).toContain(`You won ${itemName} in ${streamer.login}&#39;s giveaway`);
    expect(html).toContain(`Sign in with Twitch as ${winner.displayName} to claim it within 15 minutes`);
    expect(html).toContain(`href="/claim/${claim.public_id}/sign-in"`);
    expect(html).not.toContain(code);

    const portuguese = await call(`${base}/claim/${claim.public_id}`, undefined, {
      accept: "text/html",
      "accept-language": "pt-BR,pt;q=0.9",
    });
    expect(portuguese.status).toBe(200);
    const portugueseHtml = await portuguese.text();
    expect(portugueseHtml).toContain(`Você ganhou ${itemName} no sorteio de ${streamer.login}`);
    expect(portugueseHtml).toContain("Entrar com a Twitch");
    expect(portugueseHtml).toContain('lang="pt-BR"');
  });

  it("answers 404 for an unknown or malformed claim, and for its sign-in", async () => {
    for (const path of [
      "/claim/AAAAAAAAAAAAAAAAAAAAAA",
      "/claim/short",
      "/claim/bad.id!x",
      "/claim/AAAAAAAAAAAAAAAAAAAAAA/sign-in",
    ]) {
      const response = await call(`${base}${path}`);
      expect(response.status, path).toBe(404);
      expect(response.headers.get("content-type")).toContain("text/html");
    }
  });

  it("sends the sign-in to Twitch's consent page: code flow, no scopes, the claim callback, a short signed state", async () => {
    const { claim } = await createClaim({ code: false });
    const viewerBrowser = openWorkerBrowser(bindings);
    const response = await call(`${base}/claim/${claim.public_id}/sign-in`, undefined, browser, viewerBrowser);
    expect(response.status).toBe(302);
    const authorizeUrl = new URL(response.headers.get("location") ?? "");
    expect(`${authorizeUrl.origin}${authorizeUrl.pathname}`).toBe(`${inject("twitchFakeUrl")}/oauth2/authorize`);
    expect(authorizeUrl.searchParams.get("client_id")).toBe(testCredentials.twitchClientId);
    expect(authorizeUrl.searchParams.get("redirect_uri")).toBe(`${base}/claim/callback`);
    expect(authorizeUrl.searchParams.get("response_type")).toBe("code");
    expect(authorizeUrl.searchParams.get("scope")).toBe("");
    const state = authorizeUrl.searchParams.get("state") ?? "";
    expect(state.startsWith(`${claim.public_id}.`)).toBe(true);
    expect(state.length).toBeLessThan(140);
    const [, nonce = "", expiry = ""] = state.split(".");
    expect(Number.parseInt(expiry, 36) - Date.now()).toBeGreaterThan(9 * 60_000);

    // The browser's cookie: only for the callback, out of scripts' reach, https only; the state
    // names the digest of its value, never the value.
    const [cookie, ...others] = viewerBrowser.listCookies();
    expect(others).toEqual([]);
    expect(cookie).toMatchObject({ path: "/claim/callback", httpOnly: true, secure: true, sameSite: "Lax" });
    expect(cookie?.name).toBe(`liveloot_claim_${nonce.slice(0, 16)}`);
    expect(((cookie?.expiresAt ?? 0) - Date.now()) / 1000).toBeGreaterThan(590);
    expect(((cookie?.expiresAt ?? 0) - Date.now()) / 1000).toBeLessThanOrEqual(600);
    expect(state.includes(cookie?.value ?? "?")).toBe(false);
    expect(nonce).toBe(await digestForTest(cookie?.value ?? ""));
    expect(viewerBrowser.readCookieHeader(`${base}/claim/${claim.public_id}`)).toBeUndefined();

    // Nothing stored to issue it (the link is public).
    const rows = await database.query("select 1 from claim_sign_ins where claim_id = $1", [claim.id]);
    expect(rows).toEqual([]);
  });
});

describe("a sign-in belongs to the browser that began it", () => {
  it("refuses Twitch's redirect in another browser with the 400 page, exchanging, claiming and storing nothing", async () => {
    const { claim, winner, code } = await createClaim({ code: true });
    // Someone holding the public link begins a sign-in and sends its authorize URL to the winner.
    const sent = await signIn(claim.public_id, winner);
    const winnersBrowser = openWorkerBrowser(bindings);
    // The winner has a sign-in of their own going: its cookie is not the one this state names.
    await signIn(claim.public_id, winner, { browser: winnersBrowser });
    const before = await twitchControl().readLastSequence();
    const refused = await call(sent.callbackUrl, undefined, browser, winnersBrowser);
    expect(refused.status).toBe(400);
    const html = await refused.text();
    expect(html).toContain("This link is not valid. Open the claim link again.");
    expect(html.includes(code)).toBe(false);
    // The same page as a forged state's.
    const forgedUrl = new URL(sent.callbackUrl);
    forgedUrl.searchParams.set("state", `${forgedUrl.searchParams.get("state")?.slice(0, -4)}AAAA`);
    expect(await (await call(forgedUrl.toString(), undefined, browser, sent.browser)).text()).toBe(html);
    // And with no cookie at all.
    expect(await (await call(sent.callbackUrl)).text()).toBe(html);
    expect(await twitchControl().listCalls({ since: before })).toEqual([]);
    expect(await readClaim(claim.id)).toMatchObject({ status: "open", claimed_at: null });
    expect(await readCodeStatus(claim.draw_id)).toBe("reserved");
    expect(await database.query("select 1 from claim_sign_ins where claim_id = $1", [claim.id])).toEqual([]);

    // The browser that began it can still finish it, once.
    const finished = await finishSignIn(sent);
    expect(finished.status).toBe(200);
    expect(await finished.text()).toContain(code);
    const uses = await database.query<{ used_at: Date | null }>(
      "select used_at from claim_sign_ins where claim_id = $1",
      [claim.id],
    );
    expect(uses).toHaveLength(1);
    expect(uses[0]?.used_at).toBeInstanceOf(Date);
  });

  it("keeps two sign-ins in two tabs of one browser apart: each finishes", async () => {
    const { claim, winner } = await createClaim({ code: false });
    const tabs = openWorkerBrowser(bindings);
    const first = await signIn(claim.public_id, winner, { browser: tabs });
    const second = await signIn(claim.public_id, winner, { browser: tabs });
    expect(tabs.listCookies()).toHaveLength(2);
    expect((await finishSignIn(first)).status).toBe(200);
    expect((await finishSignIn(second)).status).toBe(200);
  });

  it("stores nothing for 1,000 GETs of the public sign-in link", async () => {
    const { claim } = await createClaim({ code: false });
    const count = async () =>
      Number((await database.query<{ count: string }>("select count(*) from claim_sign_ins"))[0]?.count);
    const before = await count();
    const started = Date.now();
    const statuses = new Map<number, number>();
    for (let batch = 0; batch < 100; batch += 1) {
      const responses = await Promise.all(
        Array.from({ length: 10 }, () =>
          callWorker(new Request(`${base}/claim/${claim.public_id}/sign-in`, { headers: browser }), bindings),
        ),
      );
      for (const response of responses) statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    }
    const milliseconds = Date.now() - started;
    console.info(`1,000 claim sign-in GETs: ${milliseconds} ms, ${(milliseconds / 1000).toFixed(2)} ms each`);
    expect(Object.fromEntries(statuses)).toEqual({ 302: 1000 });
    expect(await count()).toBe(before);
  });
});

describe("the winner signs in", () => {
  it("claims the prize: the code once per visit, recorded, the announcement edited, the token revoked", async () => {
    const logs = captureLogs();
    const seen: Seen[] = [];
    const { claim, code, itemName, winner, scene, streamer } = await createClaim({ code: true });
    await call(`${base}/claim/${claim.public_id}`, seen);
    const twitchBefore = await twitchControl().readLastSequence();
    const response = await finishSignIn(await signIn(claim.public_id, winner, { seen }), seen);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await response.text();
    expect(html).toContain(`You won ${itemName} in ${streamer.login}&#39;s giveaway`);
    expect(html.split(code)).toHaveLength(2);
    expect(html).toContain('<script src="/claim/copy.js"></script>');
    const script = await call(`${base}/claim/copy.js`, seen, {});
    expect(script.headers.get("content-type")).toContain("javascript");
    expect(await script.text()).toContain("navigator.clipboard.writeText");

    const stored = await readClaim(claim.id);
    expect(stored?.status).toBe("claimed");
    expect(stored?.claimed_at).toBeInstanceOf(Date);
    expect(stored?.claimed_edit_status).toBe("done");
    expect(await readCodeStatus(claim.draw_id)).toBe("delivered");

    const [announcement] = await discordControl().listMessages(scene.channelId);
    const [draw] = await database.query<{ announcement_message_id: string }>(
      "select announcement_message_id from draws where id = $1",
      [claim.draw_id],
    );
    expect(announcement?.id).toBe(draw?.announcement_message_id);
    expect(announcement?.content).toBe(`✅ Claimed by **${winner.displayName.replaceAll("_", "\\_")}**`);
    expect(announcement?.embeds).toHaveLength(1);

    // The token Twitch issued was asked whose it is, then revoked; nothing else used it.
    const twitchCalls = await twitchControl().listCalls({ since: twitchBefore });
    expect(twitchCalls.map((record) => `${record.method} ${record.path}`)).toEqual([
      "GET /oauth2/authorize",
      "POST /oauth2/authorize",
      "POST /oauth2/token",
      "GET /oauth2/validate",
      "POST /oauth2/revoke",
    ]);
    const tokens = await twitchControl().listTokens(winner.id);
    expect(tokens.length).toBeGreaterThan(0);
    expect(tokens.every((token) => token.revoked)).toBe(true);
    expect(tokens.find((token) => token.kind === "access")?.scopes).toEqual([]);

    // A later visit by the same winner shows the code again, and edits nothing again.
    const discordBefore = await discordControl().readLastSequence();
    const again = await finishSignIn(await signIn(claim.public_id, winner, { seen }), seen);
    expect(again.status).toBe(200);
    expect(await again.text()).toContain(code);
    expect(await discordControl().listCalls({ since: discordBefore })).toEqual([]);

    // The page itself (no sign-in) says claimed and never shows the code.
    const page = await call(`${base}/claim/${claim.public_id}`, seen);
    expect(await page.text()).toContain("This prize is claimed.");

    // Someone else, afterwards: refused, and still nothing revealed.
    const other = viewer("other");
    await twitchControl().upsertUsers([other]);
    const refused = await finishSignIn(await signIn(claim.public_id, other, { seen }), seen);
    expect(refused.status).toBe(403);

    // The scan: the code is in the winner's two pages and nowhere else.
    const winnerPages = seen.filter((entry) => entry.text.includes(code));
    expect(winnerPages).toHaveLength(2);
    expect(winnerPages.every((entry) => entry.url.startsWith(`${base}/claim/callback?`) && entry.status === 200)).toBe(
      true,
    );
    expect(logs.length).toBeGreaterThan(0);
    for (const line of logs) expect(line.includes(code), line).toBe(false);
    const messages = JSON.stringify(await discordControl().listMessages(scene.channelId));
    expect(messages.includes(code)).toBe(false);
    const fakeCalls = JSON.stringify([
      await twitchControl().listCalls({ since: twitchBefore }),
      await discordControl().listCalls({ since: 0, contains: scene.channelId }),
    ]);
    expect(fakeCalls.includes(code)).toBe(false);
    for (const path of [".json", ".csv", ""]) {
      const [raffle] = await database.query<{ public_id: string }>(
        "select public_id from raffles where guild_id = $1",
        [scene.guildId],
      );
      const record = await call(`${base}/r/${raffle?.public_id}${path}`, undefined, { accept: "*/*" });
      expect(record.status).toBe(200);
      expect((await record.text()).includes(code)).toBe(false);
    }
    const tables = await database.query<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'",
    );
    for (const { table_name } of tables) {
      const rows = await database.query<{ row_text: string }>(`select t::text as row_text from "${table_name}" t`);
      for (const { row_text } of rows) expect(row_text.includes(code), `${table_name} holds the code`).toBe(false);
    }
  });

  it("finishes the announcement's claimed edit on the next tick when Discord failed it", async () => {
    const { claim, winner, scene } = await createClaim({ code: false });
    await discordControl().injectFailure({
      method: "PATCH",
      path: "/api/v10/channels/*/messages/*",
      status: 503,
      times: 1,
    });
    expect((await finishSignIn(await signIn(claim.public_id, winner))).status).toBe(200);
    expect((await readClaim(claim.id))?.claimed_edit_status).toBe("pending");
    const [before] = await discordControl().listMessages(scene.channelId);
    expect(before?.content ?? "").not.toContain("Claimed");

    const execution = createExecutionContext();
    const controller = createScheduledController({ scheduledTime: new Date(), cron: "* * * * *" });
    await worker.scheduled(controller, { ...testEnvironment(), ...bindings }, execution);
    await waitOnExecutionContext(execution);

    expect((await readClaim(claim.id))?.claimed_edit_status).toBe("done");
    const [after] = await discordControl().listMessages(scene.channelId);
    expect(after?.content).toContain("✅ Claimed by");
  });

  it("holds the claimed edit while Discord's Cloudflare answers its HTML 429, then finishes it", async () => {
    const { claim, winner, scene } = await createClaim({ code: false });
    await discordControl().injectFailure({
      method: "PATCH",
      path: "/api/v10/channels/*/messages/*",
      page: "cloudflare-1015",
      times: 1,
    });
    expect((await finishSignIn(await signIn(claim.public_id, winner))).status).toBe(200);
    expect((await readClaim(claim.id))?.claimed_edit_status).toBe("pending");
    const since = await discordControl().readLastSequence();
    const tickAt = async (scheduledTime: number) => {
      const execution = createExecutionContext();
      const controller = createScheduledController({ scheduledTime: new Date(scheduledTime), cron: "* * * * *" });
      await worker.scheduled(controller, { ...testEnvironment(), ...bindings }, execution);
      await waitOnExecutionContext(execution);
    };

    // Blocked for 5 minutes: the tick asks Discord nothing.
    await tickAt(Date.now());
    expect(await discordControl().listCalls({ since, method: "PATCH" })).toEqual([]);
    await tickAt(Date.now() + 6 * 60_000);
    expect((await readClaim(claim.id))?.claimed_edit_status).toBe("done");
    const [after] = await discordControl().listMessages(scene.channelId);
    expect(after?.content).toContain("✅ Claimed by");
  });

  it("still gets the code after the streamer removed the item (a won code outlives its item)", async () => {
    const { claim, code, itemName, winner, scene } = await createClaim({ code: true });
    // Its one code is reserved for the winner, so nothing unused is left: removed at once.
    const removed = await runCommand(scene, "loot", "remove", { name: itemName }, { bindings });
    expect(removed.body.data?.content).toContain(itemName);
    const [item] = await database.query("select 1 from loot_items where guild_id = $1", [scene.guildId]);
    expect(item).toBeUndefined();
    expect(await readCodeStatus(claim.draw_id)).toBe("reserved");
    const response = await finishSignIn(await signIn(claim.public_id, winner));
    expect(response.status).toBe(200);
    expect((await response.text()).split(code)).toHaveLength(2);
    expect(await readCodeStatus(claim.draw_id)).toBe("delivered");
  });

  it("claims a prize without a code: the page says it is theirs", async () => {
    const { claim, winner, streamer } = await createClaim({ code: false });
    const response = await finishSignIn(await signIn(claim.public_id, winner));
    expect(response.status).toBe(200);
    expect(await response.text()).toContain(`It&#39;s yours. ${streamer.login} has been told that you claimed it.`);
    expect((await readClaim(claim.id))?.status).toBe("claimed");
  });
});

describe("anyone else, and bad sign-ins", () => {
  it("refuses another Twitch account with a 403 that names neither the prize nor the winner", async () => {
    const { claim, code, itemName, winner, streamer } = await createClaim({ code: true });
    const other = viewer("other");
    await twitchControl().upsertUsers([other]);
    const response = await finishSignIn(await signIn(claim.public_id, other));
    expect(response.status).toBe(403);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const html = await response.text();
    expect(html).toContain("Not your prize");
    for (const secret of [code, itemName, winner.login, winner.displayName, streamer.login, claim.public_id])
      expect(html.includes(secret), secret).toBe(false);
    expect(await readClaim(claim.id)).toMatchObject({ status: "open", claimed_at: null });
    expect(await readCodeStatus(claim.draw_id)).toBe("reserved");
    // Its token was revoked all the same.
    const tokens = await twitchControl().listTokens(other.id);
    expect(tokens.every((token) => token.revoked)).toBe(true);
  });

  it("refuses a reused, forged, expired, missing or cancelled sign-in with a 400 page, exchanging nothing", async () => {
    const { claim, winner } = await createClaim({ code: true });
    const cancelled = await finishSignIn(await signIn(claim.public_id, winner, { decision: "cancel" }));
    expect(cancelled.status).toBe(400);
    expect(await cancelled.text()).toContain("You cancelled on Twitch, so nothing changed. Open the claim link again.");

    const first = await signIn(claim.public_id, winner);
    const state = new URL(first.callbackUrl).searchParams.get("state") ?? "";
    const [publicId, nonce, expiry] = state.split(".");
    const expired = await signClaimState(config(), {
      claimPublicId: publicId ?? "",
      nonce: nonce ?? "",
      expiresAt: Date.now() - 1,
    });
    const before = await twitchControl().readLastSequence();
    const cases: [string, string, string][] = [
      ["forged", `${publicId}.${nonce}.${expiry}.${"A".repeat(43)}`, "This link is not valid."],
      ["expired", expired, "This link has expired."],
      ["missing", "", "This link is not valid."],
      ["bound to another claim", `${"B".repeat(22)}.${nonce}.${expiry}.${state.split(".")[3]}`, "not valid"],
    ];
    for (const [name, badState, text] of cases) {
      const url = new URL(first.callbackUrl);
      url.searchParams.set("state", badState);
      const response = await call(url.toString(), undefined, browser, first.browser);
      expect(response.status, name).toBe(400);
      expect(await response.text(), name).toContain(text);
    }
    expect(await twitchControl().listCalls({ since: before })).toEqual([]);
    expect((await readClaim(claim.id))?.status).toBe("open");

    // The genuine one works once; replayed, it is refused before Twitch is asked anything.
    expect((await finishSignIn(first)).status).toBe(200);
    const afterFirst = await twitchControl().readLastSequence();
    const replayed = await finishSignIn(first);
    expect(replayed.status).toBe(400);
    expect(await replayed.text()).toContain("This link was already used.");
    expect(await twitchControl().listCalls({ since: afterFirst })).toEqual([]);
  });

  it("answers 410 once the claim has expired: the page, the sign-in, and a sign-in begun before", async () => {
    const { claim, winner, code } = await createClaim({ code: true });
    const signedIn = await signIn(claim.public_id, winner);
    await database.query("update claims set expires_at = now() - interval '1 second' where id = $1", [claim.id]);
    const urls = [`${base}/claim/${claim.public_id}`, `${base}/claim/${claim.public_id}/sign-in`, signedIn.callbackUrl];
    for (const url of urls) {
      const response = await call(url, undefined, browser, signedIn.browser);
      expect(response.status, url).toBe(410);
      const html = await response.text();
      expect(html).toContain("This claim has expired");
      expect(html.includes(code)).toBe(false);
    }
    expect((await readClaim(claim.id))?.status).toBe("open");
    expect(await readCodeStatus(claim.draw_id)).toBe("reserved");
  });
});
