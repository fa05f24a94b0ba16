import { afterAll, describe, expect, it } from "vitest";
import { describeSecret } from "../../../devkit/fakes/shared/describeSecret";
import { testCredentials } from "../../../devkit/localBindings";
import type { WorkerBindings } from "../../../worker/env";
import { getTokenCipher, tokenPurpose } from "../../../worker/security/keys";
import {
  createTwitchUser,
  discordControl,
  linkTwitch,
  readEditedReply,
  runCommand,
  twitchControl,
} from "../../support/worker/fakes";
import { createScene, type InteractionScene } from "../../support/worker/interactions";
import { ownDatabaseUrl, runOwnTick } from "../../support/worker/ownDatabase";
import { openTestDatabase } from "../../support/worker/testDatabase";

// Races between a streamer and the Worker's own token upkeep: a refresh that meets a re-link,
// ticks replayed with an old scheduledTime, a key removed after a rotation. Ticks draw for every
// due raffle in their database: this file has its own.
const bindings: Partial<WorkerBindings> = { DATABASE_URL: ownDatabaseUrl() };
const database = openTestDatabase(bindings);
afterAll(() => database.close());

const minute = 60_000;
/** A 32-byte key that is not the test key: the key after a rotation whose old key was removed. */
const rotatedKey = btoa(String.fromCharCode(...Array.from({ length: 32 }, (_, index) => 200 - index)));

type TwitchUser = { id: string; login: string; displayName: string };

function nextMinute(): number {
  return Math.floor(Date.now() / minute) * minute + minute;
}

async function readLink(guildId: string) {
  const rows = await database.query<{
    twitch_user_id: string;
    status: string;
    access_token_ciphertext: string;
    refresh_token_ciphertext: string;
    token_key_id: string;
    reauth_notified_at: Date | null;
  }>("select * from twitch_links where guild_id = $1", [guildId]);
  return rows[0];
}

/** The stored tokens in clear, as the Worker would open them. */
async function openTokens(guildId: string) {
  const link = await readLink(guildId);
  if (!link) throw new Error("no link");
  const cipher = await getTokenCipher({
    tokenEncryptionKey: testCredentials.tokenEncryptionKey,
    previousTokenEncryptionKey: undefined,
  });
  const open = (ciphertext: string, purpose: string) => cipher.open({ keyId: link.token_key_id, ciphertext }, purpose);
  return {
    accessToken: await open(link.access_token_ciphertext, tokenPurpose.accessToken(guildId)),
    refreshToken: await open(link.refresh_token_ciphertext, tokenPurpose.refreshToken(guildId)),
  };
}

async function readRaffle(guildId: string) {
  const rows = await database.query<{ status: string; status_reason: string | null; twitch_broadcaster_id: string }>(
    "select status, status_reason, twitch_broadcaster_id from raffles where guild_id = $1 order by id desc limit 1",
    [guildId],
  );
  return rows[0];
}

async function countDraws(guildId: string): Promise<number> {
  const rows = await database.query<{ count: string }>("select count(*) from draws where guild_id = $1", [guildId]);
  return Number(rows[0]?.count ?? 0);
}

async function countRefreshes(since: number): Promise<number> {
  const calls = await twitchControl().listCalls({ since, pathPrefix: "/oauth2/token", contains: "refresh_token" });
  return calls.filter((call) => JSON.stringify(call.body).includes('"grant_type":"refresh_token"')).length;
}

/** Waits until the fake has taken the delay rule, i.e. the delayed request is in flight. */
async function waitUntilTaken(ruleId: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (!(await twitchControl().listFailures()).some((rule) => rule.id === ruleId)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("the delayed Twitch request never came");
}

/** Lets the user's chat hold a few viewers, so a live minute has someone to draw. */
async function fillChat(user: TwitchUser): Promise<void> {
  await twitchControl().setChatters(user.id, {
    chatters: [1, 2, 3].map((index) => ({
      id: `${user.id}${index}`,
      login: `viewer_${user.id}_${index}`.slice(0, 25),
      displayName: `Viewer${index}`,
    })),
  });
}

/** A streamer with a linked account, loot, a running raffle, live with a few viewers in chat. */
async function startLiveRaffle(options: { tokenLifetimeSeconds?: number } = {}) {
  const scene: InteractionScene = createScene();
  const streamer = await createTwitchUser();
  if (options.tokenLifetimeSeconds) {
    await twitchControl().setTokenLifetime({ userId: streamer.id, seconds: options.tokenLifetimeSeconds });
  }
  await linkTwitch(scene, streamer, { bindings });
  await discordControl().createChannel({ id: scene.channelId, guildId: scene.guildId });
  await discordControl().setChannelRateLimit(scene.channelId, { limit: 1000, windowSeconds: 1 });
  const loot = await runCommand(scene, "loot", "add", { name: "Sword", weight: 10 }, { bindings });
  expect(loot.body.data?.content).toContain("Added");
  const started = await runCommand(scene, "raffle", "start", { cooldown: 0 }, { bindings });
  expect(started.body.data?.content).toContain("Raffle started");
  await fillChat(streamer);
  await twitchControl().setLive(streamer.id);
  return { scene, streamer };
}

function reauthNotices(messages: { content?: string | null }[]) {
  return messages.filter((message) => message.content?.includes("/twitch connect"));
}

/**
 * Account A's token is about to expire, so the tick refreshes it first; Twitch is slow to answer
 * (the fake delays the request before it handles it), and meanwhile the streamer re-links the
 * server to account B. Returns once the tick is done.
 */
async function refreshDuringRelink(options: { revokeFails: boolean }) {
  const { scene, streamer } = await startLiveRaffle({ tokenLifetimeSeconds: 60 });
  const other = await createTwitchUser("second");
  await fillChat(other);
  await twitchControl().setLive(other.id);
  const old = await openTokens(scene.guildId);
  if (options.revokeFails) {
    for (const token of [old.accessToken, old.refreshToken]) {
      await twitchControl().injectFailure({
        method: "POST",
        path: "/oauth2/revoke",
        contains: await describeSecret(token),
        status: 503,
      });
    }
  }
  const delay = await twitchControl().injectFailure({
    method: "POST",
    path: "/oauth2/token",
    contains: await describeSecret(old.refreshToken),
    delayMilliseconds: 3_000,
  });
  const before = await twitchControl().readLastSequence();
  const base = nextMinute();
  const tick = runOwnTick(base);
  await waitUntilTaken(delay.id);
  const relink = await linkTwitch(scene, other, { bindings });
  await tick;
  expect(relink.callback.status).toBe(200);
  expect(await countRefreshes(before)).toBe(1);
  return { scene, streamer, other, old, base };
}

/** The guild's link is B's, active, holding a token Twitch knows as B's and live. */
async function expectLinkedTo(guildId: string, user: TwitchUser): Promise<void> {
  const link = await readLink(guildId);
  expect(link).toMatchObject({ twitch_user_id: user.id, status: "active", reauth_notified_at: null });
  const storedDescription = await describeSecret((await openTokens(guildId)).accessToken);
  const stored = (await twitchControl().listTokens(user.id)).find(
    (token) => token.tokenDescription === storedDescription,
  );
  expect(stored).toMatchObject({ kind: "access", revoked: false });
}

describe("a refresh racing a re-link to another account", () => {
  it("refused because the re-link revoked A: B's link stays active, and the next minute draws from B", async () => {
    const { scene, streamer, other, base } = await refreshDuringRelink({ revokeFails: false });
    await expectLinkedTo(scene.guildId, other);
    expect(await discordControl().listMessages(scene.channelId)).toEqual([]);
    const firstTokens = await twitchControl().listTokens(streamer.id);
    expect(firstTokens.every((token) => token.revoked || token.used)).toBe(true);

    expect(await readRaffle(scene.guildId)).toMatchObject({ status: "running", twitch_broadcaster_id: other.id });
    await runOwnTick(base + minute);
    const winners = await database.query<{ winner_twitch_login: string }>(
      "select winner_twitch_login from draws where guild_id = $1",
      [scene.guildId],
    );
    expect(winners).toHaveLength(1);
    expect(winners[0]?.winner_twitch_login.startsWith(`viewer_${other.id}_`)).toBe(true);
  });

  it("granted by Twitch: A's new tokens are not stored in B's link but revoked, and the re-link went through", async () => {
    // Twitch would not revoke A's old tokens (best effort: the link went through anyway), so
    // the slow refresh succeeds at Twitch after the re-link was stored.
    const { scene, streamer, other, old } = await refreshDuringRelink({ revokeFails: true });
    await expectLinkedTo(scene.guildId, other);
    const oldDescription = await describeSecret(old.accessToken);
    const refreshed = (await twitchControl().listTokens(streamer.id)).filter(
      (token) => token.kind === "access" && token.tokenDescription !== oldDescription,
    );
    expect(refreshed).toHaveLength(1);
    expect(refreshed[0]?.revoked).toBe(true);
    expect(await readRaffle(scene.guildId)).toMatchObject({ status: "running", twitch_broadcaster_id: other.id });
  });
});

describe("refresh leases", () => {
  it("hold by the wall clock: a replayed tick's refresh is not raced by a command", async () => {
    // A tick replayed ten minutes late validates the link, finds the token dead and refreshes
    // (slowly). /twitch status needs a token at the same time: it waits for that refresh
    // instead of spending the same refresh token a second time.
    const scene = createScene();
    const streamer = await createTwitchUser();
    await linkTwitch(scene, streamer, { bindings });
    await twitchControl().expireAccessTokens(streamer.id);
    await database.query("update twitch_links set last_validated_at = null where guild_id = $1", [scene.guildId]);
    const spent = (await openTokens(scene.guildId)).refreshToken;
    const delay = await twitchControl().injectFailure({
      method: "POST",
      path: "/oauth2/token",
      contains: await describeSecret(spent),
      delayMilliseconds: 2_000,
    });
    const before = await twitchControl().readLastSequence();
    const tick = runOwnTick(Math.floor(Date.now() / minute) * minute - 10 * minute);
    await waitUntilTaken(delay.id);
    const status = await runCommand(scene, "twitch", "status", {}, { bindings });
    await tick;

    expect(JSON.stringify((await readEditedReply(status.token))?.embeds)).toContain("✅ valid");
    expect(await countRefreshes(before)).toBe(1);
    expect((await readLink(scene.guildId))?.status).toBe("active");
  });
});

describe("a token that no longer opens", () => {
  it("after its key was removed: the raffle pauses with one message, not a failure every minute", async () => {
    const { scene, streamer } = await startLiveRaffle();
    const rotation = { TOKEN_ENCRYPTION_KEY: rotatedKey };
    const base = nextMinute();
    const before = await twitchControl().readLastSequence();
    for (let index = 0; index < 3; index += 1) await runOwnTick(base + index * minute, rotation);

    expect(await countDraws(scene.guildId)).toBe(0);
    expect(await readLink(scene.guildId)).toMatchObject({ status: "needs_reauth" });
    expect((await readLink(scene.guildId))?.reauth_notified_at).not.toBeNull();
    expect(await readRaffle(scene.guildId)).toMatchObject({ status: "paused", status_reason: "twitch_needs_reauth" });
    const messages = await discordControl().listMessages(scene.channelId);
    expect(reauthNotices(messages)).toHaveLength(1);
    expect(messages).toHaveLength(1);
    // Nothing was sent to Twitch with a token it could not have had.
    const userCalls = await twitchControl().listCalls({ since: before, pathPrefix: "/helix/chat/chatters" });
    expect(userCalls).toEqual([]);

    // Linking again (under the new key) resumes the raffle, and the next minute draws.
    await linkTwitch(scene, streamer, { bindings: { ...bindings, ...rotation } });
    expect(await readRaffle(scene.guildId)).toMatchObject({ status: "running" });
    await runOwnTick(base + 3 * minute, rotation);
    expect(await countDraws(scene.guildId)).toBe(1);
  });

  it("when its stored bytes were altered: /twitch status says expired, and the channel is told once", async () => {
    const { scene } = await startLiveRaffle();
    const altered = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(48))));
    await database.query("update twitch_links set access_token_ciphertext = $2 where guild_id = $1", [
      scene.guildId,
      altered,
    ]);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const status = await runCommand(scene, "twitch", "status", {}, { bindings });
      expect(JSON.stringify((await readEditedReply(status.token))?.embeds)).toContain("expired");
    }
    await runOwnTick(nextMinute());
    expect(await readLink(scene.guildId)).toMatchObject({ status: "needs_reauth" });
    expect(await readRaffle(scene.guildId)).toMatchObject({ status: "paused", status_reason: "twitch_needs_reauth" });
    expect(reauthNotices(await discordControl().listMessages(scene.channelId))).toHaveLength(1);
  });
});
