import { afterAll, describe, expect, it } from "vitest";
import { testCredentials } from "../support/testBindings";
import { callWorker } from "../support/worker/callWorker";
import { createSnowflake } from "../support/worker/interactions";
import { bytesToHex } from "../support/worker/signInteraction";
import { openTestDatabase } from "../support/worker/testDatabase";

const database = openTestDatabase();
afterAll(() => database.close());

async function signEventSub(
  id: string,
  timestamp: string,
  body: string,
  secret: string = testCredentials.twitchEventSubSecret,
) {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const signature = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(id + timestamp + body));
  return `sha256=${bytesToHex(new Uint8Array(signature))}`;
}

async function sendEventSub(
  type: "notification" | "webhook_callback_verification" | "revocation",
  subscriptionType: string,
  payload: unknown,
  options: { id?: string; timestamp?: string; secret?: string; redisDown?: boolean } = {},
) {
  const id = options.id ?? crypto.randomUUID();
  const timestamp = options.timestamp ?? new Date().toISOString();
  const body = JSON.stringify(payload);
  const request = new Request(`${testCredentials.publicBaseUrl}/twitch/eventsub`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "twitch-eventsub-message-id": id,
      "twitch-eventsub-message-retry": "0",
      "twitch-eventsub-message-type": type,
      "twitch-eventsub-message-signature": await signEventSub(id, timestamp, body, options.secret),
      "twitch-eventsub-message-timestamp": timestamp,
      "twitch-eventsub-subscription-type": subscriptionType,
      "twitch-eventsub-subscription-version": "1",
    },
    body,
  });
  return callWorker(request, options.redisDown ? { UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9" } : {});
}

function subscription(type: string, broadcasterId: string, status = "enabled") {
  return {
    id: crypto.randomUUID(),
    type,
    version: "1",
    status,
    cost: 0,
    condition: { broadcaster_user_id: broadcasterId },
    transport: { method: "webhook", callback: `${testCredentials.publicBaseUrl}/twitch/eventsub` },
    created_at: new Date().toISOString(),
  };
}

async function insertRaffle(isLive: boolean) {
  const guildId = createSnowflake();
  const broadcasterId = String(Number.parseInt(createSnowflake().slice(-9), 10));
  await database.query("insert into guilds (id) values ($1)", [guildId]);
  const rows = await database.query<{ id: string }>(
    `insert into raffles (guild_id, discord_channel_id, twitch_broadcaster_id, twitch_broadcaster_login, is_live)
     values ($1, $2, $3, $4, $5) returning id`,
    [guildId, createSnowflake(), broadcasterId, `caster_${broadcasterId}`, isLive],
  );
  return { raffleId: String(rows[0]?.id), broadcasterId };
}

async function readIsLive(raffleId: string): Promise<boolean | undefined> {
  const rows = await database.query<{ is_live: boolean }>("select is_live from raffles where id = $1", [raffleId]);
  return rows[0]?.is_live;
}

describe("POST /twitch/eventsub", () => {
  it("echoes the challenge as plain text", async () => {
    const response = await sendEventSub("webhook_callback_verification", "stream.online", {
      challenge: "pogchamp-kappa-360noscope-vohiyo",
      subscription: subscription("stream.online", "1337", "webhook_callback_verification_pending"),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain");
    expect(await response.text()).toBe("pogchamp-kappa-360noscope-vohiyo");
  });

  it("refuses a bad HMAC and a stale timestamp with 403", async () => {
    const payload = { subscription: subscription("stream.online", "1"), event: { broadcaster_user_id: "1" } };
    expect(
      (await sendEventSub("notification", "stream.online", payload, { secret: "another-secret-123" })).status,
    ).toBe(403);
    const stale = new Date(Date.now() - 11 * 60_000).toISOString();
    expect((await sendEventSub("notification", "stream.online", payload, { timestamp: stale })).status).toBe(403);
  });

  it("marks raffles live on stream.online and offline on stream.offline", async () => {
    const { raffleId, broadcasterId } = await insertRaffle(false);
    const online = await sendEventSub("notification", "stream.online", {
      subscription: subscription("stream.online", broadcasterId),
      event: { id: "9001", broadcaster_user_id: broadcasterId, broadcaster_user_login: "x", type: "live" },
    });
    expect(online.status).toBe(204);
    expect(await readIsLive(raffleId)).toBe(true);
    await sendEventSub("notification", "stream.offline", {
      subscription: subscription("stream.offline", broadcasterId),
      event: { broadcaster_user_id: broadcasterId },
    });
    expect(await readIsLive(raffleId)).toBe(false);
  });

  it("processes a redelivered message id once, even with Redis down", async () => {
    const { raffleId, broadcasterId } = await insertRaffle(false);
    const id = crypto.randomUUID();
    const online = {
      subscription: subscription("stream.online", broadcasterId),
      event: { broadcaster_user_id: broadcasterId },
    };
    expect((await sendEventSub("notification", "stream.online", online, { id, redisDown: true })).status).toBe(204);
    expect(await readIsLive(raffleId)).toBe(true);
    // The stream goes offline, then Twitch redelivers the old online message: it must not flip it back.
    await database.query("update raffles set is_live = false where id = $1", [raffleId]);
    const again = await sendEventSub("notification", "stream.online", online, { id, redisDown: true });
    expect(again.status).toBe(204);
    expect(await readIsLive(raffleId)).toBe(false);
    const rows = await database.query("select 1 from twitch_eventsub_messages where message_id = $1", [id]);
    expect(rows).toHaveLength(1);
  });

  it("acknowledges and records a revocation", async () => {
    const id = crypto.randomUUID();
    const response = await sendEventSub(
      "revocation",
      "stream.online",
      { subscription: subscription("stream.online", "42", "authorization_revoked") },
      { id },
    );
    expect(response.status).toBe(204);
    const rows = await database.query<{ message_type: string }>(
      "select message_type from twitch_eventsub_messages where message_id = $1",
      [id],
    );
    expect(rows).toEqual([{ message_type: "revocation" }]);
  });

  it("answers a signed body that is not JSON with 400", async () => {
    const id = crypto.randomUUID();
    const timestamp = new Date().toISOString();
    const body = "{not json";
    const response = await callWorker(
      new Request(`${testCredentials.publicBaseUrl}/twitch/eventsub`, {
        method: "POST",
        headers: {
          "twitch-eventsub-message-id": id,
          "twitch-eventsub-message-type": "notification",
          "twitch-eventsub-message-signature": await signEventSub(id, timestamp, body),
          "twitch-eventsub-message-timestamp": timestamp,
        },
        body,
      }),
    );
    expect(response.status).toBe(400);
  });
});
