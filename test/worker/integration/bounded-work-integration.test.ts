import { afterAll, describe, expect, it } from "vitest";
import { testCredentials } from "../../../devkit/localBindings";
import { findDueRaffles } from "../../../worker/db/dueRaffles";
import { maximumInteractionBytes } from "../../../worker/discord/verifyDiscordRequest";
import type { WorkerBindings } from "../../../worker/env";
import { maximumChatterPages } from "../../../worker/lib/subrequestBudget";
import { maximumEventSubBytes } from "../../../worker/twitch/verifyEventSubMessage";
import { callWorker } from "../../support/worker/callWorker";
import { message, readDraws, readRaffles } from "../../support/worker/commandHelpers";
import { signEventSub } from "../../support/worker/eventSub";
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
import { createSignedInteractionRequest, signBody } from "../../support/worker/signInteraction";
import { openTestDatabase } from "../../support/worker/testDatabase";

// Ticks draw for every due raffle in their database: this file has its own (providedContext.d.ts).
const bindings: Partial<WorkerBindings> = { DATABASE_URL: ownDatabaseUrl() };
const database = openTestDatabase(bindings);
afterAll(() => database.close());

const minute = 60_000;

/** A linked guild with loot and a running raffle, in this file's database. */
async function startRaffle(): Promise<{ scene: InteractionScene; streamer: { id: string }; raffleId: string }> {
  const scene = createScene();
  const streamer = await createTwitchUser();
  await linkTwitch(scene, streamer, { bindings });
  await discordControl().createChannel({ id: scene.channelId, guildId: scene.guildId });
  await discordControl().setChannelRateLimit(scene.channelId, { limit: 1000, windowSeconds: 1 });
  const loot = await runCommand(scene, "loot", "add", { name: "Sword", weight: 1 }, { bindings });
  expect(loot.body.data?.content).toContain("Added");
  const started = await runCommand(scene, "raffle", "start", { cooldown: 0 }, { bindings });
  expect(started.body.data?.content).toMatch(/^🎁/);
  const [raffle] = await readRaffles(database, scene.guildId);
  return { scene, streamer, raffleId: String(raffle?.id) };
}

/** A body of `size` bytes, streamed in 4 KiB chunks with no Content-Length; counts the chunks pulled. */
function streamedBody(size: number): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  const chunk = new TextEncoder().encode("x".repeat(4096));
  let sent = 0;
  let pulls = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulls += 1;
      if (sent >= size) {
        controller.close();
        return;
      }
      controller.enqueue(chunk);
      sent += chunk.byteLength;
    },
  });
  return { stream, pulled: () => pulls };
}

describe("request bodies are capped before they are read", () => {
  it("refuses an interaction whose Content-Length is over the cap with 413, reading nothing", async () => {
    const { stream, pulled } = streamedBody(maximumInteractionBytes * 4);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const response = await callWorker(
      new Request("https://liveloot.test/interactions", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": String(maximumInteractionBytes + 1),
          "x-signature-ed25519": await signBody("{}", timestamp),
          "x-signature-timestamp": timestamp,
        },
        body: stream,
      }),
      bindings,
    );
    expect(response.status).toBe(413);
    expect(pulled()).toBeLessThanOrEqual(1);
  });

  it("refuses an interaction that streams past the cap without Content-Length, and stops reading it", async () => {
    const size = maximumInteractionBytes * 4;
    const { stream, pulled } = streamedBody(size);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const response = await callWorker(
      new Request("https://liveloot.test/interactions", {
        method: "POST",
        headers: { "x-signature-ed25519": await signBody("{}", timestamp), "x-signature-timestamp": timestamp },
        body: stream,
      }),
      bindings,
    );
    expect(response.status).toBe(413);
    expect(pulled()).toBeLessThan(size / 4096);
  });

  it("still answers a signed interaction just under the cap", async () => {
    const payload = { type: 1, padding: "" };
    const padding = maximumInteractionBytes - JSON.stringify(payload).length;
    const body = JSON.stringify({ ...payload, padding: "p".repeat(padding) });
    expect(new TextEncoder().encode(body).byteLength).toBe(maximumInteractionBytes);
    const response = await callWorker(await createSignedInteractionRequest(undefined, { body }), bindings);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ type: 1 });
  });

  it("refuses an EventSub message over the cap with 413, by Content-Length or by streaming", async () => {
    const id = crypto.randomUUID();
    const timestamp = new Date().toISOString();
    const headers = {
      "twitch-eventsub-message-id": id,
      "twitch-eventsub-message-type": "notification",
      "twitch-eventsub-message-timestamp": timestamp,
      "twitch-eventsub-message-signature": await signEventSub(id, timestamp, "{}"),
      "twitch-eventsub-subscription-type": "stream.online",
    };
    const url = `${testCredentials.publicBaseUrl}/twitch/eventsub`;
    const declared = streamedBody(maximumEventSubBytes * 4);
    const byLength = await callWorker(
      new Request(url, {
        method: "POST",
        headers: { ...headers, "content-length": String(maximumEventSubBytes + 1) },
        body: declared.stream,
      }),
      bindings,
    );
    expect(byLength.status).toBe(413);
    expect(declared.pulled()).toBeLessThanOrEqual(1);
    const size = maximumEventSubBytes * 4;
    const streamed = streamedBody(size);
    const byStream = await callWorker(new Request(url, { method: "POST", headers, body: streamed.stream }), bindings);
    expect(byStream.status).toBe(413);
    expect(streamed.pulled()).toBeLessThan(size / 4096);
    const seen = await database.query("select 1 from twitch_eventsub_messages where message_id = $1", [id]);
    expect(seen).toEqual([]);
  });
});

describe("a command that outlasts Discord's 3 seconds", () => {
  it("turns into a deferred reply and edits in the result once the slow work is done, never 'try again'", async () => {
    const scene = createScene();
    const streamer = await createTwitchUser();
    await linkTwitch(scene, streamer, { bindings });
    await runCommand(scene, "loot", "add", { name: "Sword", weight: 1 }, { bindings });
    // The injected slow dependency: this guild's raffle insert waits 3.2 s in Postgres.
    const trigger = `liveloot_test_slow_${scene.guildId}`;
    await database.query(
      `create or replace function liveloot_test_slow_insert() returns trigger language plpgsql as $$
       begin perform pg_sleep(3.2); return new; end $$`,
    );
    await database.query(
      `create trigger ${trigger} before insert on raffles for each row
       when (new.guild_id = '${scene.guildId}') execute function liveloot_test_slow_insert()`,
    );
    try {
      const started = Date.now();
      const result = await runCommand(scene, "raffle", "start", { cooldown: 0 }, { bindings });
      // The answer was the deferral (type 5), sent at the budget; the raffle was then started.
      expect(result.body.type).toBe(5);
      expect(result.body.data?.flags).toBe(64);
      expect(Date.now() - started).toBeGreaterThanOrEqual(3_000);
      const edited = await readEditedReply(result.token);
      expect(edited?.content).toMatch(/^🎁 Raffle started for/);
      expect(edited?.content).not.toBe(message("tryAgainLater"));
      const raffles = await readRaffles(database, scene.guildId);
      expect(raffles.map((raffle) => raffle.status)).toEqual(["running"]);

      // A second slow start is refused for the right reason, edited in just the same.
      await database.query(`drop trigger ${trigger} on raffles`);
      await database.query(
        `create trigger ${trigger} before insert on raffles for each row
         when (new.guild_id = '${scene.guildId}') execute function liveloot_test_slow_insert()`,
      );
      const again = await runCommand(scene, "raffle", "start", { cooldown: 0 }, { bindings });
      expect(again.body.type).toBe(5);
      expect((await readEditedReply(again.token))?.content).toBe(message("raffleAlreadyActive"));
      expect(await readRaffles(database, scene.guildId)).toHaveLength(1);
    } finally {
      await database.query(`drop trigger if exists ${trigger} on raffles`);
    }
  });
});

describe("due raffles", () => {
  it("come live channels first, so offline raffles with old slots never crowd out live ones", async () => {
    const offline = [await startRaffle(), await startRaffle()];
    const live = await startRaffle();
    const now = Date.now();
    // The offline raffles kept slots from an hour ago (a raffle draws only while live).
    for (const entry of offline) {
      await database.query("update raffles set next_slot_at = $2 where id = $1", [
        entry.raffleId,
        new Date(now - 60 * minute),
      ]);
    }
    await database.query("update raffles set next_slot_at = $2 where id = $1", [live.raffleId, new Date(now - minute)]);
    const known = [
      ...offline.map((entry) => ({ broadcasterId: entry.streamer.id, isLive: false })),
      { broadcasterId: live.streamer.id, isLive: true },
    ];
    for (const entry of known) {
      await database.query(
        `insert into twitch_channel_liveness (broadcaster_id, is_live, stream_started_at, observed_at, source)
         values ($1, $2, case when $2 then now() end, now(), 'get_streams')
         on conflict (broadcaster_id) do update set is_live = excluded.is_live,
           stream_started_at = excluded.stream_started_at, observed_at = excluded.observed_at`,
        [entry.broadcasterId, entry.isLive],
      );
    }

    const all = await findDueRaffles(database, now, 10_000);
    const firstNotLive = all.findIndex((raffle) => raffle.channel?.isLive !== true);
    const lastLive = all.findLastIndex((raffle) => raffle.channel?.isLive === true);
    expect(lastLive).toBeLessThan(firstNotLive === -1 ? all.length : firstNotLive);
    const ids = all.map((raffle) => raffle.id);
    expect(ids.indexOf(live.raffleId)).toBeLessThan(ids.indexOf(offline[0]?.raffleId ?? ""));

    // With room for only the live ones, the live raffle is taken and the older offline ones wait.
    const liveCount = lastLive + 1;
    const limited = await findDueRaffles(database, now, liveCount);
    expect(limited.map((raffle) => raffle.id)).toContain(live.raffleId);
    for (const entry of offline) expect(limited.map((raffle) => raffle.id)).not.toContain(entry.raffleId);

    // Stop them so later ticks in this file leave them alone.
    for (const entry of [...offline, live]) await runCommand(entry.scene, "raffle", "stop", {}, { bindings });
  });
});

describe("the tick's housekeeping", () => {
  it("purges EventSub message ids older than a day and keeps newer ones", async () => {
    const old = `old-${crypto.randomUUID()}`;
    const recent = `recent-${crypto.randomUUID()}`;
    await database.query(
      `insert into twitch_eventsub_messages (message_id, message_type, received_at)
       values ($1, 'notification', now() - interval '25 hours'), ($2, 'notification', now() - interval '23 hours')`,
      [old, recent],
    );
    await runOwnTick(Math.floor(Date.now() / minute) * minute);
    const left = await database.query<{ message_id: string }>(
      "select message_id from twitch_eventsub_messages where message_id = any($1::text[])",
      [[old, recent]],
    );
    expect(left.map((row) => row.message_id)).toEqual([recent]);
  });
});

describe("Get Chatters", () => {
  it(`stops after ${maximumChatterPages} pages, what one invocation's subrequest budget allows`, async () => {
    const { scene, streamer } = await startRaffle();
    const chatters = (maximumChatterPages + 5) * 1000;
    await twitchControl().setChatters(streamer.id, { count: chatters, loginPrefix: "crowd_" });
    const since = await twitchControl().readLastSequence();
    const result = await runCommand(scene, "raffle", "draw", {}, { bindings });
    expect(result.body.type).toBe(5);
    expect((await readEditedReply(result.token))?.content).toMatch(/won \*\*Sword\*\*/);
    const calls = await twitchControl().listCalls({ since, pathPrefix: "/helix/chat/chatters", contains: streamer.id });
    expect(calls).toHaveLength(maximumChatterPages);
    const [drawn] = await readDraws(database, scene.guildId);
    expect(drawn?.candidate_count).toBe(500);
    // Only the pages read can hold the winner: 1,000 a page, in the fake's order.
    const number = Number(drawn?.winner_twitch_login?.replace("crowd_", ""));
    expect(number).toBeGreaterThanOrEqual(1);
    expect(number).toBeLessThanOrEqual(maximumChatterPages * 1000);
    await runCommand(scene, "raffle", "stop", {}, { bindings });
  });
});
