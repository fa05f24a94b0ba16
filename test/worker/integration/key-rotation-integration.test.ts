import { describe, expect, it } from "vitest";
import { testCredentials } from "../../../devkit/localBindings";
import { adminResponses } from "../../../worker/admin/adminResponses";
import type { WorkerBindings } from "../../../worker/env";
import { digestLootCode, lootCodePurpose } from "../../../worker/raffle/lootCodes";
import { maximumResealsPerTick } from "../../../worker/raffle/resealSecrets";
import { tokenPurpose } from "../../../worker/security/keys";
import { TokenCipher } from "../../../worker/security/TokenCipher";
import { callWorker, runScheduledTick } from "../../support/worker/callWorker";
import { captureLogs } from "../../support/worker/captureLogs";
import {
  answerConsent,
  createTwitchUser,
  discordControl,
  linkTwitch,
  openWorkerBrowser,
  readEditedReply,
  runCommand,
  twitchControl,
} from "../../support/worker/fakes";
import { createScene, createSnowflake, type InteractionScene } from "../../support/worker/interactions";
import { ownDatabaseUrl, useTickDatabase } from "../../support/worker/ownDatabase";

// README "Rotating TOKEN_ENCRYPTION_KEY" (issue 21): while TOKEN_ENCRYPTION_KEY_PREVIOUS is set the
// tick re-seals every token and prize code under the new key, GET /admin/keys says what is left,
// duplicates are still refused across the rotation, and a code that cannot be opened never costs
// the winner the claim. Ticks run against this file's own database (ownDatabaseUrl).
const adminToken = `admin-token-${crypto.randomUUID()}-${crypto.randomUUID()}`;
const bindings: Partial<WorkerBindings> = {
  DATABASE_URL: ownDatabaseUrl(),
  ADMIN_API_TOKEN: adminToken,
};
const database = useTickDatabase(bindings);
const base = testCredentials.publicBaseUrl;
const minute = 60_000;

/** Key A is the one every test starts with; B is the new one. */
const keyA = testCredentials.tokenEncryptionKey;
function createKey(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
}
const withKeyA = bindings;
function rotatedTo(keyB: string): Partial<WorkerBindings> {
  return { ...bindings, TOKEN_ENCRYPTION_KEY: keyB, TOKEN_ENCRYPTION_KEY_PREVIOUS: keyA };
}
function onlyKey(keyB: string): Partial<WorkerBindings> {
  return { ...bindings, TOKEN_ENCRYPTION_KEY: keyB, TOKEN_ENCRYPTION_KEY_PREVIOUS: "" };
}

/** The public id of a key, as the contract says: a short hash of the key's bytes, never the key. */
async function keyIdOf(base64Key: string): Promise<string> {
  const bytes = Uint8Array.from(atob(base64Key), (character) => character.charCodeAt(0));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return `k-${Array.from(digest.slice(0, 4), (byte) => byte.toString(16).padStart(2, "0")).join("")}`;
}

async function readKeys(overrides: Partial<WorkerBindings>) {
  const response = await callWorker(
    new Request(`${base}/admin/keys`, {
      headers: { authorization: `Bearer ${adminToken}`, "cf-connecting-ip": "198.51.100.9" },
    }),
    overrides,
  );
  const text = await response.text();
  expect(response.status, text).toBe(200);
  expect(adminResponses.readKeys.safeParse(JSON.parse(text)).success, text).toBe(true);
  return { text, body: JSON.parse(text) as { current: string; previous: string | null; sealed_with_previous: object } };
}

/** What /loot codes answered in the end: the immediate reply, or the deferred one once edited. */
async function addCodes(scene: InteractionScene, item: string, codes: string[], overrides: Partial<WorkerBindings>) {
  const file = await discordControl().uploadAttachment({
    filename: "codes.txt",
    content: codes.join("\n"),
    contentType: "text/plain",
    channelId: scene.channelId,
  });
  const result = await runCommand(
    scene,
    "loot",
    "codes",
    { name: item },
    { bindings: overrides, attachments: { file } },
  );
  expect(result.status).toBe(200);
  if (result.body.type === 5) return (await readEditedReply(result.token))?.content ?? "";
  return result.body.data?.content ?? "";
}

function createCodes(count: number): string[] {
  const run = createSnowflake().slice(-8);
  return Array.from({ length: count }, (_, index) => `ROT-${run}-${String(index).padStart(5, "0")}`);
}

/** A linked server (tokens sealed with key A) with one item, its codes added under key A. */
async function createServerWithCodes(codeCount: number) {
  const scene = createScene();
  const streamer = await createTwitchUser();
  await linkTwitch(scene, streamer, { bindings: withKeyA });
  await discordControl().createChannel({ id: scene.channelId, guildId: scene.guildId });
  const item = `Key ${createSnowflake().slice(-5)}`;
  expect((await runCommand(scene, "loot", "add", { name: item, weight: 1 }, { bindings: withKeyA })).status).toBe(200);
  const codes = createCodes(codeCount);
  expect(await addCodes(scene, item, codes, withKeyA)).toContain(`${codeCount}`);
  return { scene, streamer, item, codes };
}

/** `/raffle draw` with the winner alone in chat: the draw reserves one code and opens its claim. */
async function drawWinner(scene: InteractionScene, streamer: { id: string }, overrides: Partial<WorkerBindings>) {
  expect((await runCommand(scene, "raffle", "start", { cooldown: 0 }, { bindings: overrides })).status).toBe(200);
  const id = String(Number.parseInt(createSnowflake().slice(-9), 10) + 3_000_000_000);
  const winner = { id, login: `winner_${id}`.slice(0, 25), displayName: `Winner_${id}`.slice(0, 25) };
  await twitchControl().setChatters(streamer.id, { chatters: [winner] });
  expect((await runCommand(scene, "raffle", "draw", {}, { bindings: overrides })).status).toBe(200);
  expect((await runCommand(scene, "raffle", "stop", {}, { bindings: overrides })).status).toBe(200);
  const [claim] = await database.query<{ id: string; public_id: string; draw_id: string }>(
    `select c.id::text, c.public_id, c.draw_id::text from claims c join draws d on d.id = c.draw_id
     where d.guild_id = $1 and c.n = 0`,
    [scene.guildId],
  );
  if (!claim) throw new Error("the draw opened no claim");
  await twitchControl().upsertUsers([winner]);
  return { winner, claim };
}

/** The winner's sign-in on the claim page, through the Twitch fake, answered by the Worker with `overrides`. */
async function signInToClaim(
  claimPublicId: string,
  account: { id: string },
  overrides: Partial<WorkerBindings>,
  acceptLanguage = "en-US,en;q=0.9",
) {
  // One browser from the sign-in to Twitch's redirect back: the sign-in's cookie binds the state to it.
  const browser = openWorkerBrowser(overrides);
  const signIn = await browser.open(`${base}/claim/${claimPublicId}/sign-in`, { acceptLanguage });
  expect(signIn.status).toBe(302);
  const callbackUrl = await answerConsent(new URL(signIn.headers.get("location") ?? ""), account);
  const response = await browser.open(callbackUrl, { acceptLanguage });
  return { status: response.status, html: await response.text() };
}

async function readClaimState(claimId: string, drawId: string) {
  const [row] = await database.query<{ claim: string; code: string }>(
    `select c.status as claim, lc.status as code from claims c join loot_codes lc on lc.draw_id = $2 where c.id = $1`,
    [claimId, drawId],
  );
  return row;
}

/** Ticks (each a minute after the last) until /admin/keys says the previous key seals nothing; how many it took. */
async function tickUntilResealed(overrides: Partial<WorkerBindings>, maximumTicks: number): Promise<number> {
  const start = Math.floor(Date.now() / minute) * minute;
  for (let tick = 1; tick <= maximumTicks; tick += 1) {
    await runScheduledTick(start + tick * minute, overrides);
    const { body } = await readKeys(overrides);
    if (JSON.stringify(body.sealed_with_previous) === JSON.stringify({ tokens: 0, codes: 0 })) return tick;
  }
  throw new Error(`the previous key still seals values after ${maximumTicks} ticks`);
}

describe("rotating TOKEN_ENCRYPTION_KEY", () => {
  it("re-seals codes and tokens tick by tick until /admin/keys says 0; without key A the winner still sees the code", async () => {
    const logs = captureLogs();
    // More codes than one tick re-seals, so the bound shows.
    const { scene, streamer, item, codes } = await createServerWithCodes(maximumResealsPerTick + 5);
    const { winner, claim } = await drawWinner(scene, streamer, withKeyA);
    const [reserved] = await database.query<{ code_key_id: string }>(
      "select code_key_id from loot_codes where draw_id = $1",
      [claim.draw_id],
    );
    expect(reserved?.code_key_id).toBe(await keyIdOf(keyA));

    const keyB = createKey();
    const rotated = rotatedTo(keyB);
    // Each test server's values, plus whatever else this database holds under key A.
    const before = await readKeys(rotated);
    expect(before.body.current).toBe(await keyIdOf(keyB));
    expect(before.body.previous).toBe(await keyIdOf(keyA));
    const stillSealed = before.body.sealed_with_previous as { tokens: number; codes: number };
    expect(stillSealed.codes).toBeGreaterThanOrEqual(codes.length);
    expect(stillSealed.tokens).toBeGreaterThanOrEqual(2);
    for (const key of [keyA, keyB]) expect(before.text.includes(key)).toBe(false);

    // One tick re-seals at most maximumResealsPerTick codes: this server's needs at least two.
    const ticks = await tickUntilResealed(rotated, 10);
    expect(ticks).toBeGreaterThanOrEqual(Math.ceil(stillSealed.codes / maximumResealsPerTick));
    const keyIds = await database.query<{ code_key_id: string; count: number }>(
      "select code_key_id, count(*)::integer as count from loot_codes where guild_id = $1 group by code_key_id",
      [scene.guildId],
    );
    expect(keyIds).toEqual([{ code_key_id: await keyIdOf(keyB), count: codes.length }]);

    // Key A removed, as README's rotation steps say once both counts are 0.
    const afterRemoval = onlyKey(keyB);
    expect((await readKeys(afterRemoval)).body).toEqual({
      current: await keyIdOf(keyB),
      previous: null,
      sealed_with_previous: { tokens: 0, codes: 0 },
    });
    await runScheduledTick(Math.floor(Date.now() / minute) * minute + 5 * minute, afterRemoval);

    const page = await signInToClaim(claim.public_id, winner, afterRemoval);
    expect(page.status).toBe(200);
    const shown = codes.filter((code) => page.html.includes(code));
    expect(shown).toHaveLength(1);
    expect(await readClaimState(claim.id, claim.draw_id)).toEqual({ claim: "claimed", code: "delivered" });
    // The link's tokens open under key B alone: its status is checked with Twitch.
    const status = await runCommand(scene, "twitch", "status", {}, { bindings: afterRemoval });
    expect(JSON.stringify((await readEditedReply(status.token))?.embeds)).toContain("✅ valid");
    // And the codes file, uploaded again without key A, is refused: nothing was added.
    expect(await addCodes(scene, item, codes.slice(0, 3), afterRemoval)).toContain("already has");
    const [count] = await database.query<{ count: number }>(
      "select count(*)::integer as count from loot_codes where guild_id = $1",
      [scene.guildId],
    );
    expect(count?.count).toBe(codes.length);
    for (const line of logs) for (const code of codes) expect(line.includes(code), line).toBe(false);
    expect(logs.some((line) => line.includes("re-sealed values with the current key"))).toBe(true);
  });

  it("still refuses a codes file uploaded again during and after the rotation", async () => {
    const { scene, item, codes } = await createServerWithCodes(3);
    const keyB = createKey();
    const rotated = rotatedTo(keyB);
    // During the rotation, before any tick: the stored digests are still key A's.
    expect(await addCodes(scene, item, codes, rotated)).toBe(
      "Line 1 of the file is a code this server already has. Nothing was added.",
    );
    // A new code added now is sealed (and digested) with key B, and refused again at once.
    const [fresh] = createCodes(1);
    expect(await addCodes(scene, item, [fresh ?? ""], rotated)).toContain("1");
    expect(await addCodes(scene, item, [fresh ?? ""], rotated)).toContain("already has");
    await tickUntilResealed(rotated, 10);
    // After the re-seal and without key A: every one of them is still a duplicate.
    const afterRemoval = onlyKey(keyB);
    for (const code of [...codes, fresh ?? ""])
      expect(await addCodes(scene, item, [code], afterRemoval), code).toContain("already has");
    const [stock] = await database.query<{ stock: number }>(
      "select stock from loot_items where guild_id = $1 and name = $2",
      [scene.guildId, item],
    );
    expect(stock?.stock).toBe(4);
  });
});

/** Every code of the server opened with key B alone: what a winner would be shown, in id order. */
async function openCodesWith(base64Key: string, guildId: string): Promise<string[]> {
  const cipher = await TokenCipher.fromBase64Key(base64Key);
  const rows = await database.query<{ item_id: string; seal_id: string; code_ciphertext: string; code_key_id: string }>(
    "select item_id::text, seal_id::text, code_ciphertext, code_key_id from loot_codes where guild_id = $1 order by id",
    [guildId],
  );
  return Promise.all(
    rows.map((row) =>
      cipher.open(
        { keyId: row.code_key_id, ciphertext: row.code_ciphertext },
        lootCodePurpose(row.item_id, row.seal_id),
      ),
    ),
  );
}

describe("the re-seal under pressure", () => {
  it("loses nothing when two ticks overlap: each value is re-sealed once and opens with the new key", async () => {
    const logs = captureLogs();
    const { scene, codes } = await createServerWithCodes(30);
    const keyB = createKey();
    const rotated = rotatedTo(keyB);
    const at = Math.floor(Date.now() / minute) * minute + minute;
    await Promise.all([runScheduledTick(at, rotated), runScheduledTick(at, rotated)]);
    expect((await readKeys(rotated)).body.sealed_with_previous).toEqual({ tokens: 0, codes: 0 });
    expect(await openCodesWith(keyB, scene.guildId)).toEqual(codes);
    const [link] = await database.query<{ access: string; refresh: string; key: string }>(
      `select access_token_ciphertext as access, refresh_token_ciphertext as refresh, token_key_id as key
       from twitch_links where guild_id = $1`,
      [scene.guildId],
    );
    const cipher = await TokenCipher.fromBase64Key(keyB);
    await expect(
      cipher.open({ keyId: link?.key ?? "", ciphertext: link?.access ?? "" }, tokenPurpose.accessToken(scene.guildId)),
    ).resolves.toMatch(/./);
    expect(logs.filter((line) => line.includes('"level":"error"'))).toEqual([]);
  });

  it("leaves a link whose refresh is in flight for a later tick, so the refresh can store its new pair", async () => {
    const { scene } = await createServerWithCodes(1);
    await database.query(
      "update twitch_links set refresh_lease_until = now() + interval '1 minute' where guild_id = $1",
      [scene.guildId],
    );
    const keyB = createKey();
    const rotated = rotatedTo(keyB);
    const at = Math.floor(Date.now() / minute) * minute + minute;
    await runScheduledTick(at, rotated);
    const readKeyId = async () =>
      (
        await database.query<{ token_key_id: string }>("select token_key_id from twitch_links where guild_id = $1", [
          scene.guildId,
        ])
      )[0]?.token_key_id;
    expect(await readKeyId()).toBe(await keyIdOf(keyA));
    expect((await readKeys(rotated)).body.sealed_with_previous).toMatchObject({ codes: 0 });
    await database.query("update twitch_links set refresh_lease_until = null where guild_id = $1", [scene.guildId]);
    await runScheduledTick(at + minute, rotated);
    expect(await readKeyId()).toBe(await keyIdOf(keyB));
  });

  it("re-seals a code stored twice before this fix, keeping its old digest, and says so", async () => {
    const logs = captureLogs();
    const { scene, item, codes } = await createServerWithCodes(1);
    const keyB = createKey();
    // What the Worker did before: after the rotation, the same code digested under key B only.
    const [itemRow] = await database.query<{ id: string }>(
      "select id::text from loot_items where guild_id = $1 and name = $2",
      [scene.guildId, item],
    );
    const sealId = crypto.randomUUID();
    const sealed = await (await TokenCipher.fromBase64Key(keyB)).seal(
      codes[0] ?? "",
      lootCodePurpose(itemRow?.id ?? "", sealId),
    );
    const [added] = await database.query<{ outcome: string }>("select outcome from add_loot_codes($1, $2, $3::jsonb)", [
      scene.guildId,
      itemRow?.id,
      JSON.stringify([
        {
          seal_id: sealId,
          ciphertext: sealed.ciphertext,
          key_id: sealed.keyId,
          digest: await digestLootCode(keyB, scene.guildId, codes[0] ?? ""),
        },
      ]),
    ]);
    expect(added?.outcome).toBe("added");
    await runScheduledTick(Math.floor(Date.now() / minute) * minute + minute, rotatedTo(keyB));
    expect((await readKeys(rotatedTo(keyB))).body.sealed_with_previous).toEqual({ tokens: 0, codes: 0 });
    expect(await openCodesWith(keyB, scene.guildId)).toEqual([codes[0], codes[0]]);
    expect(logs.filter((line) => line.includes("prize codes stored twice"))).toHaveLength(1);
  });

  it("skips a value that does not open under the previous key, logs it without its bytes, and re-seals the rest", async () => {
    const logs = captureLogs();
    const { scene } = await createServerWithCodes(3);
    const [broken] = await database.query<{ id: string; code_ciphertext: string }>(
      `update loot_codes set code_ciphertext = $2
       where id = (select min(id) from loot_codes where guild_id = $1) returning id::text, code_ciphertext`,
      [scene.guildId, btoa("x".repeat(60))],
    );
    const keyB = createKey();
    const rotated = rotatedTo(keyB);
    await runScheduledTick(Math.floor(Date.now() / minute) * minute + minute, rotated);
    const rows = await database.query<{ id: string; code_key_id: string }>(
      "select id::text, code_key_id from loot_codes where guild_id = $1 order by id",
      [scene.guildId],
    );
    expect(rows.map((row) => row.code_key_id)).toEqual([await keyIdOf(keyA), await keyIdOf(keyB), await keyIdOf(keyB)]);
    // It is still sealed with key A, so /admin/keys does not say 0: key A must not go yet.
    expect((await readKeys(rotated)).body.sealed_with_previous).toMatchObject({ codes: 1 });
    const reported = logs.filter((line) => line.includes("does not open; it cannot be re-sealed"));
    expect(reported).toHaveLength(1);
    expect(reported[0]).toContain(broken?.id);
    for (const line of logs) expect(line.includes(broken?.code_ciphertext ?? "-")).toBe(false);
    // This file's later ticks should not meet it again.
    await database.query("delete from loot_codes where id = $1", [broken?.id]);
  });
});

describe("a prize code that cannot be opened", () => {
  it("leaves the claim open, says so to the winner in their language, logs once, and works once the key is back", async () => {
    const { scene, streamer, codes } = await createServerWithCodes(1);
    const { winner, claim } = await drawWinner(scene, streamer, withKeyA);
    const [sealed] = await database.query<{ code_ciphertext: string }>(
      "select code_ciphertext from loot_codes where draw_id = $1",
      [claim.draw_id],
    );
    // The careless operator: key A removed before anything was re-sealed.
    const keyB = createKey();
    const logs = captureLogs();
    const english = await signInToClaim(claim.public_id, winner, onlyKey(keyB));
    expect(english.status).toBe(503);
    expect(english.html).toContain("Your prize cannot be shown right now");
    expect(english.html).toContain(`Ask ${streamer.login}&#39;s moderators in Discord to tell the app&#39;s operator`);
    expect(await readClaimState(claim.id, claim.draw_id)).toEqual({ claim: "open", code: "reserved" });
    const reported = logs.filter((line) => line.includes("a prize code does not open"));
    expect(reported).toHaveLength(1);
    expect(reported[0]).toContain(await keyIdOf(keyA));
    for (const line of logs) {
      expect(line.includes(codes[0] ?? "-"), line).toBe(false);
      expect(line.includes(sealed?.code_ciphertext ?? "-"), line).toBe(false);
    }

    // Anyone else holding the link learns nothing of it: the same 403 as ever, and no log of a code.
    const other = await createTwitchUser("other");
    const refused = await signInToClaim(claim.public_id, other, onlyKey(keyB));
    expect(refused.status).toBe(403);
    expect(refused.html).not.toContain("cannot be shown");
    expect(logs.filter((line) => line.includes("a prize code does not open"))).toHaveLength(1);

    const portuguese = await signInToClaim(claim.public_id, winner, onlyKey(keyB), "pt-BR,pt;q=0.9");
    expect(portuguese.status).toBe(503);
    expect(portuguese.html).toContain("Seu prêmio não pode ser mostrado agora");
    expect(portuguese.html).toContain(`Peça aos moderadores de ${streamer.login} no Discord`);
    expect(await readClaimState(claim.id, claim.draw_id)).toEqual({ claim: "open", code: "reserved" });

    // The operator puts key A back as the previous key: the same winner gets the code.
    const restored = await signInToClaim(claim.public_id, winner, rotatedTo(keyB));
    expect(restored.status).toBe(200);
    expect(restored.html).toContain(codes[0]);
    expect(await readClaimState(claim.id, claim.draw_id)).toEqual({ claim: "claimed", code: "delivered" });
  });
});

describe("the overlay link across a rotation", () => {
  /** /overlay's URL token, or the reply's text when it has none; never waits more than 10 s. */
  async function readOverlayToken(scene: InteractionScene, overrides: Partial<WorkerBindings>): Promise<string> {
    const answer = runCommand(scene, "overlay", "", {}, { bindings: overrides }).then(
      (result) => result.body.data?.content ?? "",
    );
    const timeout = new Promise<string>((resolve) => setTimeout(() => resolve("/overlay did not answer"), 10_000));
    const content = await Promise.race([answer, timeout]);
    return new RegExp(`${base}/overlay/([A-Za-z0-9_-]{43})`).exec(content)?.[1] ?? content;
  }

  it("is re-sealed and counted like every other token, so /overlay shows the same URL once key A is gone", async () => {
    const scene = createScene();
    const token = await readOverlayToken(scene, withKeyA);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const keyB = createKey();
    const rotated = rotatedTo(keyB);
    // Sealed with key A: /admin/keys must not say 0 while it is.
    expect((await readKeys(rotated)).body.sealed_with_previous).not.toEqual({ tokens: 0, codes: 0 });
    await tickUntilResealed(rotated, 10);
    const [row] = await database.query<{ token_key_id: string }>(
      "select token_key_id from overlay_links where guild_id = $1",
      [scene.guildId],
    );
    expect(row?.token_key_id).toBe(await keyIdOf(keyB));
    // Key A removed, as /admin/keys allowed: the streamer's URL is the same one, and still works.
    expect(await readOverlayToken(scene, onlyKey(keyB))).toBe(token);
    const page = await callWorker(new Request(`${base}/overlay/${token}`), onlyKey(keyB));
    expect(page.status).toBe(200);
  });

  it("a token that no longer opens (key A removed too early) is replaced once, not retried forever", async () => {
    const scene = createScene();
    const token = await readOverlayToken(scene, withKeyA);
    const fresh = await readOverlayToken(scene, onlyKey(createKey()));
    expect(fresh).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fresh).not.toBe(token);
    expect((await callWorker(new Request(`${base}/overlay/${token}`), withKeyA)).status).toBe(404);
  });
});
