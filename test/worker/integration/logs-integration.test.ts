import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { testCredentials } from "../../../devkit/localBindings";
import { readConfig } from "../../../worker/env";
import worker from "../../../worker/index";
import { getTokenCipher, tokenPurpose } from "../../../worker/security/keys";
import { callWorker, testEnvironment } from "../../support/worker/callWorker";
import { captureLogs } from "../../support/worker/captureLogs";
import {
  createTwitchUser,
  discordControl,
  linkTwitch,
  readEditedReply,
  runCommand,
  twitchControl,
} from "../../support/worker/fakes";
import { createScene } from "../../support/worker/interactions";
import { openTestDatabase } from "../../support/worker/testDatabase";

const database = openTestDatabase();
afterAll(() => database.close());
afterEach(() => {
  vi.restoreAllMocks();
});

async function readTokens(guildId: string): Promise<string[]> {
  const rows = await database.query<{
    access_token_ciphertext: string;
    refresh_token_ciphertext: string;
    token_key_id: string;
  }>("select access_token_ciphertext, refresh_token_ciphertext, token_key_id from twitch_links where guild_id = $1", [
    guildId,
  ]);
  const row = rows[0];
  if (!row) return [];
  const result = readConfig(testEnvironment());
  if (!result.ok) throw new Error("bad test config");
  const cipher = await getTokenCipher(result.config);
  return [
    await cipher.open(
      { keyId: row.token_key_id, ciphertext: row.access_token_ciphertext },
      tokenPurpose.accessToken(guildId),
    ),
    await cipher.open(
      { keyId: row.token_key_id, ciphertext: row.refresh_token_ciphertext },
      tokenPurpose.refreshToken(guildId),
    ),
  ];
}

describe("logs", () => {
  it("are JSON lines with a request or tick id, and never carry a token or secret", async () => {
    const lines = captureLogs();
    const secrets = new Set<string>([
      testCredentials.discordBotToken,
      testCredentials.twitchClientSecret,
      testCredentials.twitchEventSubSecret,
      testCredentials.tokenEncryptionKey,
    ]);

    const scene = createScene();
    const user = await createTwitchUser();
    await discordControl().createChannel({ id: scene.channelId, guildId: scene.guildId });
    // A failed exchange, then a good link: both log.
    await twitchControl().injectFailure({
      method: "POST",
      path: "/oauth2/token",
      status: 500,
      times: 1,
      contains: "authorization_code",
    });
    const failed = await linkTwitch(scene, user);
    secrets.add(failed.connect.token);
    const linked = await linkTwitch(scene, user);
    secrets.add(linked.connect.token);
    for (const token of await readTokens(scene.guildId)) secrets.add(token);

    // An expired token: refreshed on the 401 (logs a warning), then a draw and its announcement.
    await twitchControl().expireAccessTokens(user.id);
    await runCommand(scene, "loot", "add", { name: "Sword", weight: 1 });
    await runCommand(scene, "raffle", "start", { cooldown: 0 });
    await twitchControl().setChatters(user.id, {
      chatters: [{ id: `${user.id}1`, login: `fan_${user.id}`, displayName: "Fan" }],
    });
    const draw = await runCommand(scene, "raffle", "draw");
    secrets.add(draw.token);
    expect((await readEditedReply(draw.token))?.content).toContain("won **Sword**");
    for (const token of await readTokens(scene.guildId)) secrets.add(token);

    // A Discord failure during the announcement logs the Discord error.
    await discordControl().injectFailure({
      method: "POST",
      path: `/api/v10/channels/${scene.channelId}/messages`,
      status: 500,
      times: 1,
    });
    secrets.add((await runCommand(scene, "raffle", "draw")).token);

    // A tick, a bad-config request and the disconnect (revocations).
    const execution = createExecutionContext();
    // A tick that cannot reach its database fails (so Cloudflare records the failed run), logged first.
    await expect(
      worker.scheduled(
        createScheduledController({ scheduledTime: new Date(), cron: "* * * * *" }),
        {
          ...testEnvironment(),
          DATABASE_URL: "postgres://nobody:wrong-password@127.0.0.1:5432/liveloot_no_such_database",
        },
        execution,
      ),
    ).rejects.toThrow(/nobody/);
    await waitOnExecutionContext(execution).catch(() => {});
    await callWorker(new Request("https://liveloot.test/"), { TOKEN_ENCRYPTION_KEY: "not-a-key" });
    secrets.add((await runCommand(scene, "twitch", "disconnect")).token);
    secrets.add("wrong-password");

    expect(lines.some((line) => line.includes('"message":"tick failed"'))).toBe(true);
    expect(lines.length).toBeGreaterThan(5);
    const workerLines = lines.filter((line) => line.startsWith("{"));
    expect(workerLines.length).toBeGreaterThan(5);
    for (const line of workerLines) {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      expect(typeof parsed.message).toBe("string");
      expect(Boolean(parsed.requestId || parsed.tickId || parsed.path), line).toBe(true);
    }
    for (const line of lines) {
      for (const secret of secrets) expect(line.includes(secret), `a log line holds a secret: ${line}`).toBe(false);
    }
  });
});
