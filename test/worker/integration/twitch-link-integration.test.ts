import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { afterAll, describe, expect, it } from "vitest";
import { describeSecret } from "../../../devkit/fakes/shared/describeSecret";
import { testCredentials } from "../../../devkit/localBindings";
import { createAppContext } from "../../../worker/context";
import { findTwitchLink } from "../../../worker/db/twitchLinks";
import { readConfig } from "../../../worker/env";
import { createLogger } from "../../../worker/log";
import { callWithUserToken } from "../../../worker/raffle/twitchAccess";
import { getStateKey, getTokenCipher, tokenPurpose } from "../../../worker/security/keys";
import { signState } from "../../../worker/security/OAuthState";
import { refreshLink } from "../../../worker/twitch/userTokens";
import { validateDueLinks } from "../../../worker/twitch/validateLinks";
import { callWorker, testEnvironment } from "../../support/worker/callWorker";
import {
  answerConsent,
  createTwitchUser,
  describeTestGuild,
  discordControl,
  linkTwitch,
  openLinkPage,
  openWorkerBrowser,
  readEditedReply,
  runCommand,
  twitchControl,
} from "../../support/worker/fakes";
import { createScene } from "../../support/worker/interactions";
import { bytesToHex } from "../../support/worker/signInteraction";
import { openTestDatabase } from "../../support/worker/testDatabase";

const database = openTestDatabase();
afterAll(() => database.close());

function config() {
  const result = readConfig(testEnvironment());
  if (!result.ok) throw new Error("bad test config");
  return result.config;
}

async function readLink(guildId: string) {
  const rows = await database.query<{
    twitch_user_id: string;
    twitch_login: string;
    twitch_display_name: string;
    status: string;
    scopes: string[];
    access_token_ciphertext: string;
    refresh_token_ciphertext: string;
    token_key_id: string;
    last_validated_at: Date | null;
    reauth_notified_at: Date | null;
    access_token_expires_at: Date;
  }>("select * from twitch_links where guild_id = $1", [guildId]);
  return rows[0];
}

async function openTokens(guildId: string) {
  const link = await readLink(guildId);
  if (!link) throw new Error("no link");
  const cipher = await getTokenCipher(config());
  return {
    accessToken: await cipher.open(
      { keyId: link.token_key_id, ciphertext: link.access_token_ciphertext },
      tokenPurpose.accessToken(guildId),
    ),
    refreshToken: await cipher.open(
      { keyId: link.token_key_id, ciphertext: link.refresh_token_ciphertext },
      tokenPurpose.refreshToken(guildId),
    ),
  };
}

async function insertRunningRaffle(guildId: string, channelId: string, broadcasterId: string, login: string) {
  await database.query(
    `insert into raffles (guild_id, discord_channel_id, twitch_broadcaster_id, twitch_broadcaster_login)
     values ($1, $2, $3, $4)`,
    [guildId, channelId, broadcasterId, login],
  );
}

/** Runs a callback with the Worker's own context, as a tick or command would. */
async function withApp<Result>(work: (app: ReturnType<typeof createAppContext>) => Promise<Result>): Promise<Result> {
  const execution = createExecutionContext();
  const app = createAppContext({ config: config(), log: createLogger({ test: true }), execution });
  try {
    return await work(app);
  } finally {
    execution.waitUntil(app.database.close());
    await waitOnExecutionContext(execution);
  }
}

describe("/twitch connect → consent → callback", () => {
  it("links the account end to end and tells Discord", async () => {
    const scene = createScene();
    const user = await createTwitchUser();
    const { connect, authorizeUrl, callback, html } = await linkTwitch(scene, user);

    expect(connect.body.type).toBe(4);
    expect((connect.body.data?.flags ?? 0) & 64).toBe(64);
    expect(authorizeUrl.searchParams.get("client_id")).toBe(testCredentials.twitchClientId);
    expect(authorizeUrl.searchParams.get("redirect_uri")).toBe(`${testCredentials.publicBaseUrl}/twitch/callback`);
    expect(authorizeUrl.searchParams.get("response_type")).toBe("code");
    expect(authorizeUrl.searchParams.get("scope")).toContain("moderator:read:chatters");

    expect(callback.status).toBe(200);
    expect(html).toContain(
      `Linked as ${user.displayName} to the Discord server ${describeTestGuild(scene)} — you can close this tab.`,
    );

    const link = await readLink(scene.guildId);
    expect(link).toMatchObject({
      twitch_user_id: user.id,
      twitch_login: user.login,
      twitch_display_name: user.displayName,
      status: "active",
    });
    expect(link?.scopes).toContain("moderator:read:chatters");

    const reply = await readEditedReply(connect.token);
    expect(reply?.content).toContain(`**${user.displayName}** is now linked`);
    expect(reply?.components).toEqual([]);
  });

  it("answers the browser in Portuguese when it prefers pt", async () => {
    const scene = createScene();
    const user = await createTwitchUser();
    const { html } = await linkTwitch(scene, user, { acceptLanguage: "pt-BR,pt;q=0.9,en;q=0.5" });
    expect(html).toContain(`Vinculado como ${user.displayName} ao servidor do Discord ${describeTestGuild(scene)}`);
    expect(html).toContain('lang="pt-BR"');
  });

  it("stores no token in plaintext, base64 or hex anywhere in the database", async () => {
    const scene = createScene();
    const user = await createTwitchUser();
    const { connect } = await linkTwitch(scene, user);
    const { accessToken, refreshToken } = await openTokens(scene.guildId);
    const secrets = [accessToken, refreshToken, connect.token];
    const forms = secrets.flatMap((secret) => {
      const bytes = new TextEncoder().encode(secret);
      return [secret, btoa(secret), btoa(secret).replace(/=+$/, ""), bytesToHex(bytes)];
    });
    const tables = await database.query<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'",
    );
    expect(tables.length).toBeGreaterThan(5);
    for (const { table_name } of tables) {
      const rows = await database.query<{ row_text: string }>(`select t::text as row_text from "${table_name}" t`);
      for (const { row_text } of rows) {
        for (const form of forms) expect(row_text.includes(form), `${table_name} holds a token`).toBe(false);
      }
    }
  });

  it("refuses a reused state with a 400 page and exchanges nothing the second time", async () => {
    const scene = createScene();
    const user = await createTwitchUser();
    const { callbackUrl, browser } = await linkTwitch(scene, user);
    const before = await twitchControl().readLastSequence();
    const again = await browser.open(callbackUrl);
    expect(again.status).toBe(400);
    expect(await again.text()).toContain("already used");
    expect(await twitchControl().listCalls({ since: before, pathPrefix: "/oauth2/token" })).toEqual([]);
  });

  it("refuses an authorize URL completed in another browser (a phished streamer) with the forged-state page, storing nothing", async () => {
    // Someone runs /twitch connect in their own server, opens the link page, copies the authorize
    // URL behind its button and sends it to a streamer, who approves it on Twitch's consent page.
    const attackersServer = createScene();
    await discordControl().upsertGuild({ id: attackersServer.guildId, name: "Totally Official" });
    const connect = await runCommand(attackersServer, "twitch", "connect");
    const attackers = await openLinkPage(connect.body);
    const victim = await createTwitchUser("victim");
    const replyBefore = await readEditedReply(connect.token);
    const before = await twitchControl().readLastSequence();
    const callbackUrl = await answerConsent(attackers.authorizeUrl, victim);

    // Twitch redirects the streamer's browser, which never opened the link page, to the callback.
    const victimsBrowser = openWorkerBrowser();
    const refused = await victimsBrowser.open(callbackUrl);
    expect(refused.status).toBe(400);
    const html = await refused.text();
    const forgedUrl = new URL(callbackUrl);
    forgedUrl.searchParams.set("state", `${forgedUrl.searchParams.get("state")?.split(".")[0]}.${"A".repeat(43)}`);
    expect(await (await victimsBrowser.open(forgedUrl)).text()).toBe(html);
    expect(html).toContain("This link is not valid.");
    expect(refused.headers.getSetCookie()).toEqual([]);

    // Nothing exchanged, stored or told: no token request, no link, the state unspent, the reply as it was.
    const calls = await twitchControl().listCalls({ since: before });
    expect(calls.map((record) => `${record.method} ${record.path}`)).toEqual(["POST /oauth2/authorize"]);
    expect(await readLink(attackersServer.guildId)).toBeUndefined();
    const [state] = await database.query<{ used_at: Date | null }>(
      "select used_at from oauth_states where link_id = $1",
      [attackers.linkPageUrl.pathname.split("/").at(-1)],
    );
    expect(state?.used_at).toBeNull();
    expect(await readEditedReply(connect.token)).toEqual(replyBefore);
    // A browser holding some other link's cookie is no better.
    const otherConnect = await runCommand(createScene(), "twitch", "connect");
    await openLinkPage(otherConnect.body, { browser: victimsBrowser });
    expect((await victimsBrowser.open(callbackUrl)).status).toBe(400);
    expect(await readLink(attackersServer.guildId)).toBeUndefined();
  });

  it("refuses a forged state with 400, storing and exchanging nothing", async () => {
    const scene = createScene();
    const connect = await runCommand(scene, "twitch", "connect");
    const state = (await openLinkPage(connect.body)).authorizeUrl.searchParams.get("state") ?? "";
    const [payload] = state.split(".");
    const forged = `${payload}.${"A".repeat(43)}`;
    const before = await twitchControl().readLastSequence();
    const response = await callWorker(
      new Request(`${testCredentials.publicBaseUrl}/twitch/callback?code=abc&state=${forged}`),
    );
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("not valid");
    expect(await readLink(scene.guildId)).toBeUndefined();
    expect(await twitchControl().listCalls({ since: before })).toEqual([]);
  });

  it("refuses a missing and an expired state with 400", async () => {
    const missing = await callWorker(new Request(`${testCredentials.publicBaseUrl}/twitch/callback?code=abc`));
    expect(missing.status).toBe(400);

    const scene = createScene();
    const expired = await signState(
      {
        guildId: scene.guildId,
        userId: scene.userId,
        channelId: scene.channelId,
        nonce: "n".repeat(24),
        browserDigest: "d".repeat(43),
        expiresAt: Date.now() - 1,
      },
      await getStateKey(config()),
    );
    const response = await callWorker(
      new Request(`${testCredentials.publicBaseUrl}/twitch/callback?code=abc&state=${encodeURIComponent(expired)}`),
    );
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("expired");
    expect(await readLink(scene.guildId)).toBeUndefined();
  });

  it("shows a 400 page when the streamer cancels (access_denied), storing nothing", async () => {
    const scene = createScene();
    const user = await createTwitchUser();
    const { callbackUrl, callback, html } = await linkTwitch(scene, user, { decision: "cancel" });
    expect(new URL(callbackUrl).searchParams.get("error")).toBe("access_denied");
    expect(callback.status).toBe(400);
    expect(html).toContain("You cancelled on Twitch");
    expect(await readLink(scene.guildId)).toBeUndefined();
  });

  it("refuses a grant without moderator:read:chatters and revokes it", async () => {
    const scene = createScene();
    const user = await createTwitchUser();
    const { callback, html } = await linkTwitch(scene, user, { scopes: ["user:read:email"] });
    expect(callback.status).toBe(400);
    expect(html).toContain("moderator:read:chatters");
    expect(await readLink(scene.guildId)).toBeUndefined();
    const tokens = await twitchControl().listTokens(user.id);
    expect(tokens.filter((token) => token.kind === "access").every((token) => token.revoked)).toBe(true);
  });

  it("shows a 400 page when Twitch refuses the code exchange", async () => {
    const scene = createScene();
    const user = await createTwitchUser();
    await twitchControl().injectFailure({
      method: "POST",
      path: "/oauth2/token",
      status: 500,
      times: 1,
      contains: "authorization_code",
    });
    const { callback, html } = await linkTwitch(scene, user);
    expect(callback.status).toBe(400);
    expect(html).toContain("Twitch did not confirm the sign-in.");
    expect(await readLink(scene.guildId)).toBeUndefined();
  });
});

describe("/twitch status and /twitch disconnect", () => {
  it("shows the account, scopes, token health and whether the stream is live", async () => {
    const scene = createScene();
    const user = await createTwitchUser();
    await linkTwitch(scene, user);
    await twitchControl().setLive(user.id, { title: "Speedrun night", viewerCount: 42 });
    const status = await runCommand(scene, "twitch", "status");
    expect(status.body.type).toBe(5);
    const reply = await readEditedReply(status.token);
    const embed = JSON.stringify(reply?.embeds);
    expect(embed).toContain(user.login);
    expect(embed).toContain("moderator:read:chatters");
    expect(embed).toContain("valid");
    expect(embed).toContain("42 viewers");
    expect(embed).toContain("Speedrun night");
  });

  it("gives up cleanly when Helix's rate-limit bucket is empty for longer than it waits", async () => {
    const scene = createScene();
    const user = await createTwitchUser();
    await linkTwitch(scene, user);
    await twitchControl().setRateLimit({ clientId: testCredentials.twitchClientId, userId: user.id, limit: 0 });
    const before = await twitchControl().readLastSequence();
    const status = await runCommand(scene, "twitch", "status");
    const embed = JSON.stringify((await readEditedReply(status.token))?.embeds);
    expect(embed).toContain("Twitch did not answer; try again later");
    const streamCalls = await twitchControl().listCalls({ since: before, pathPrefix: "/helix/streams" });
    // One try, or two when the bucket's reset was due within the 2 s the client is willing to wait.
    expect(streamCalls.length).toBeGreaterThanOrEqual(1);
    expect(streamCalls.length).toBeLessThanOrEqual(2);
    expect(streamCalls.every((call) => call.status === 429)).toBe(true);
    expect((await readLink(scene.guildId))?.status).toBe("active");
  });

  it("answers in Portuguese for a pt-BR user", async () => {
    const scene = createScene({ locale: "pt-BR" });
    const status = await runCommand(scene, "twitch", "status");
    const reply = await readEditedReply(status.token);
    expect(JSON.stringify(reply?.embeds)).toContain("Nenhuma conta da Twitch está vinculada");
    const connect = await runCommand(scene, "twitch", "connect");
    expect(connect.body.data?.content).toContain("Clique no botão");
  });

  it("revokes the tokens at Twitch, deletes them and stops the raffle", async () => {
    const scene = createScene();
    const user = await createTwitchUser();
    await linkTwitch(scene, user);
    await insertRunningRaffle(scene.guildId, scene.channelId, user.id, user.login);
    const result = await runCommand(scene, "twitch", "disconnect");
    expect(result.body.type).toBe(5);
    const reply = await readEditedReply(result.token);
    expect(reply?.content).toContain("unlinked");
    expect(reply?.content).toContain("raffle was stopped");
    expect(await readLink(scene.guildId)).toBeUndefined();
    const tokens = await twitchControl().listTokens(user.id);
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    expect(tokens.every((token) => token.revoked)).toBe(true);
    const raffles = await database.query<{ status: string; status_reason: string }>(
      "select status, status_reason from raffles where guild_id = $1",
      [scene.guildId],
    );
    expect(raffles).toEqual([{ status: "stopped", status_reason: "twitch_disconnected" }]);
  });
});

describe("unlinking and re-linking when tokens misbehave", () => {
  it("/twitch disconnect deletes the link even when its tokens no longer open (key removed)", async () => {
    const scene = createScene();
    const user = await createTwitchUser();
    await linkTwitch(scene, user);
    await insertRunningRaffle(scene.guildId, scene.channelId, user.id, user.login);
    await database.query("update twitch_links set token_key_id = 'k-00000000' where guild_id = $1", [scene.guildId]);
    const result = await runCommand(scene, "twitch", "disconnect");
    const reply = await readEditedReply(result.token);
    expect(reply?.content).toContain("unlinked");
    expect(reply?.content).toContain("raffle was stopped");
    expect(reply?.content).toContain("did not confirm the revocation");
    expect(await readLink(scene.guildId)).toBeUndefined();
  });

  it("/twitch disconnect deletes the link even when Twitch will not revoke its tokens", async () => {
    const scene = createScene();
    const user = await createTwitchUser();
    await linkTwitch(scene, user);
    const { accessToken, refreshToken } = await openTokens(scene.guildId);
    for (const token of [accessToken, refreshToken]) {
      await twitchControl().injectFailure({
        method: "POST",
        path: "/oauth2/revoke",
        contains: await describeSecret(token),
        status: 503,
      });
    }
    const result = await runCommand(scene, "twitch", "disconnect");
    const reply = await readEditedReply(result.token);
    expect(reply?.content).toContain("unlinked");
    expect(reply?.content).toContain("did not confirm the revocation");
    expect(await readLink(scene.guildId)).toBeUndefined();
  });

  it("re-linking to another Twitch account revokes the old account's tokens at Twitch", async () => {
    const scene = createScene();
    const first = await createTwitchUser();
    const second = await createTwitchUser("second");
    await linkTwitch(scene, first);
    const { callback } = await linkTwitch(scene, second);
    expect(callback.status).toBe(200);
    expect((await readLink(scene.guildId))?.twitch_user_id).toBe(second.id);
    const firstTokens = await twitchControl().listTokens(first.id);
    expect(firstTokens.length).toBeGreaterThanOrEqual(2);
    expect(firstTokens.every((token) => token.revoked)).toBe(true);
    const secondTokens = await twitchControl().listTokens(second.id);
    expect(secondTokens.some((token) => token.kind === "access" && !token.revoked)).toBe(true);
  });

  it("re-linking the same account keeps it working", async () => {
    const scene = createScene();
    const user = await createTwitchUser();
    await linkTwitch(scene, user);
    await linkTwitch(scene, user);
    const status = await runCommand(scene, "twitch", "status");
    expect(JSON.stringify((await readEditedReply(status.token))?.embeds)).toContain("✅ valid");
  });
});

describe("token lifecycle", () => {
  it("refreshes ahead of expiry and stores the new pair encrypted", async () => {
    const scene = createScene();
    const user = await createTwitchUser();
    await twitchControl().setTokenLifetime({ userId: user.id, seconds: 120 });
    await linkTwitch(scene, user);
    const before = await openTokens(scene.guildId);
    await twitchControl().setTokenLifetime({ userId: user.id, seconds: 4 * 3600 });
    await runCommand(scene, "twitch", "status");
    const after = await openTokens(scene.guildId);
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    const link = await readLink(scene.guildId);
    expect((link?.access_token_expires_at.getTime() ?? 0) - Date.now()).toBeGreaterThan(3 * 3600 * 1000);
  });

  it("refreshes once on a 401 and retries the call", async () => {
    const scene = createScene();
    const user = await createTwitchUser();
    await linkTwitch(scene, user);
    const before = await openTokens(scene.guildId);
    await twitchControl().expireAccessTokens(user.id);
    const streams = await withApp((app) =>
      callWithUserToken(app, scene.guildId, (helix, link) => helix.getLiveStreams([link.twitchUserId])),
    );
    expect(streams).toEqual([]);
    expect((await openTokens(scene.guildId)).accessToken).not.toBe(before.accessToken);
  });

  it("refreshes once when two callers find the token expiring at the same time", async () => {
    const scene = createScene();
    const user = await createTwitchUser();
    await twitchControl().setTokenLifetime({ userId: user.id, seconds: 60 });
    await linkTwitch(scene, user);
    await twitchControl().setTokenLifetime({ userId: user.id, seconds: 4 * 3600 });
    const before = await twitchControl().readLastSequence();
    const results = await Promise.all(
      [1, 2, 3].map(() =>
        withApp((app) =>
          callWithUserToken(app, scene.guildId, (helix, link) => helix.getUsers({ ids: [link.twitchUserId] })),
        ),
      ),
    );
    for (const users of results) expect(users[0]?.login).toBe(user.login);
    const refreshes = (await twitchControl().listCalls({ since: before, pathPrefix: "/oauth2/token" })).filter((call) =>
      JSON.stringify(call.body).includes("refresh_token"),
    );
    expect(refreshes).toHaveLength(1);
  });

  it("never spends a rotated refresh token from a stale copy of the link", async () => {
    const scene = createScene();
    const user = await createTwitchUser();
    await linkTwitch(scene, user);
    const stale = await withApp((app) => findTwitchLink(app.database, scene.guildId));
    if (!stale) throw new Error("no link");
    await withApp((app) => refreshLink(app, stale));
    const before = await twitchControl().readLastSequence();
    const current = await withApp((app) => refreshLink(app, stale));
    expect(current.accessToken.ciphertext).not.toBe(stale.accessToken.ciphertext);
    expect(await twitchControl().listCalls({ since: before, pathPrefix: "/oauth2/token" })).toEqual([]);
    expect((await readLink(scene.guildId))?.status).toBe("active");
  });

  it("marks a dead refresh token needs_reauth, pauses the raffle and tells its channel once", async () => {
    const scene = createScene();
    const user = await createTwitchUser();
    await linkTwitch(scene, user);
    await discordControl().createChannel({ id: scene.channelId, guildId: scene.guildId });
    await insertRunningRaffle(scene.guildId, scene.channelId, user.id, user.login);
    await twitchControl().revokeRefreshTokens(user.id);
    await twitchControl().expireAccessTokens(user.id);

    for (let attempt = 0; attempt < 2; attempt += 1) {
      const status = await runCommand(scene, "twitch", "status");
      const reply = await readEditedReply(status.token);
      expect(JSON.stringify(reply?.embeds)).toContain("expired");
    }
    const link = await readLink(scene.guildId);
    expect(link?.status).toBe("needs_reauth");
    expect(link?.reauth_notified_at).not.toBeNull();
    const messages = await discordControl().listMessages(scene.channelId);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.content).toContain("/twitch connect");
    const raffles = await database.query<{ status: string; status_reason: string }>(
      "select status, status_reason from raffles where guild_id = $1",
      [scene.guildId],
    );
    expect(raffles).toEqual([{ status: "paused", status_reason: "twitch_needs_reauth" }]);
  });
});

describe("key rotation", () => {
  it("keeps a link working with TOKEN_ENCRYPTION_KEY_PREVIOUS and re-seals it with the new key at refresh", async () => {
    const scene = createScene();
    const user = await createTwitchUser();
    await linkTwitch(scene, user);
    const oldKeyId = (await readLink(scene.guildId))?.token_key_id;
    const rotated = {
      TOKEN_ENCRYPTION_KEY: btoa(String.fromCharCode(...Array.from({ length: 32 }, (_, index) => index + 7))),
      TOKEN_ENCRYPTION_KEY_PREVIOUS: testCredentials.tokenEncryptionKey,
    };
    await twitchControl().expireAccessTokens(user.id);
    const status = await runCommand(scene, "twitch", "status", {}, { bindings: rotated });
    expect(JSON.stringify((await readEditedReply(status.token))?.embeds)).toContain("✅ valid");
    const link = await readLink(scene.guildId);
    expect(link?.token_key_id).not.toBe(oldKeyId);
    expect(link?.status).toBe("active");
  });
});

describe("hourly validation", () => {
  it("validates a link not validated for an hour, and not again within the hour", async () => {
    const scene = createScene();
    const user = await createTwitchUser();
    await linkTwitch(scene, user);
    await database.query("update twitch_links set last_validated_at = now() - interval '2 hours' where guild_id = $1", [
      scene.guildId,
    ]);
    const before = await twitchControl().readLastSequence();
    await withApp((app) => validateDueLinks(app));
    const validated = await readLink(scene.guildId);
    expect(Date.now() - (validated?.last_validated_at?.getTime() ?? 0)).toBeLessThan(60_000);
    const calls = await twitchControl().listCalls({ since: before, pathPrefix: "/oauth2/validate" });
    expect(calls.length).toBeGreaterThanOrEqual(1);
    expect(calls.every((call) => call.status === 200)).toBe(true);

    const afterFirst = validated?.last_validated_at?.getTime();
    await withApp((app) => validateDueLinks(app));
    expect((await readLink(scene.guildId))?.last_validated_at?.getTime()).toBe(afterFirst);
  });

  it("refreshes a token Twitch no longer accepts during validation", async () => {
    const scene = createScene();
    const user = await createTwitchUser();
    await linkTwitch(scene, user);
    const before = await openTokens(scene.guildId);
    await twitchControl().expireAccessTokens(user.id);
    await database.query("update twitch_links set last_validated_at = null where guild_id = $1", [scene.guildId]);
    await withApp((app) => validateDueLinks(app));
    const link = await readLink(scene.guildId);
    expect(link?.status).toBe("active");
    expect(link?.last_validated_at).not.toBeNull();
    expect((await openTokens(scene.guildId)).accessToken).not.toBe(before.accessToken);
  });
});
