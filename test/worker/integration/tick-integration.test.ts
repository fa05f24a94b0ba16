import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { testCredentials } from "../../../devkit/localBindings";
import type { WorkerBindings } from "../../../worker/env";
import worker from "../../../worker/index";
import type { DrawMessage } from "../../../worker/raffle/drawQueue";
import { testEnvironment } from "../../support/worker/callWorker";
import { message } from "../../support/worker/commandHelpers";
import { deliverEventSub } from "../../support/worker/eventSub";
import { createTwitchUser, discordControl, linkTwitch, runCommand, twitchControl } from "../../support/worker/fakes";
import { createScene, type InteractionScene } from "../../support/worker/interactions";
import { ownDatabaseUrl, runOwnTick, useTickDatabase } from "../../support/worker/ownDatabase";

// The tick draws for every due raffle in its database: these tests have a database of their own.
const tickBindings: Partial<WorkerBindings> = { DATABASE_URL: ownDatabaseUrl() };
const database = useTickDatabase(tickBindings);

const minute = 60_000;
function nextMinute(): number {
  return Math.floor(Date.now() / minute) * minute + minute;
}

interface LiveRaffle {
  scene: InteractionScene;
  broadcasterId: string;
  raffleId: string;
  viewers: { id: string; login: string; displayName: string }[];
}

async function startLiveRaffle(
  options: { every?: number; cooldown?: number; viewers?: number; stock?: number; createChannel?: boolean } = {},
): Promise<LiveRaffle> {
  const scene = createScene();
  const user = await createTwitchUser();
  await linkTwitch(scene, user, { bindings: tickBindings });
  if (options.createChannel !== false) {
    await discordControl().createChannel({ id: scene.channelId, guildId: scene.guildId });
    await discordControl().setChannelRateLimit(scene.channelId, { limit: 1000, windowSeconds: 1 });
  }
  const loot = await runCommand(
    scene,
    "loot",
    "add",
    { name: "Sword", weight: 10, ...(options.stock ? { stock: options.stock } : {}) },
    { bindings: tickBindings },
  );
  expect(loot.body.data?.content).toContain("Added");
  const started = await runCommand(
    scene,
    "raffle",
    "start",
    { every: options.every ?? 1, cooldown: options.cooldown ?? 0 },
    { bindings: tickBindings },
  );
  expect(started.body.data?.content).toContain("Raffle started");
  const viewers = Array.from({ length: options.viewers ?? 3 }, (_, index) => ({
    id: `${user.id}${String(index + 1).padStart(3, "0")}`,
    login: `viewer_${user.id}_${index + 1}`.slice(0, 25),
    displayName: `Viewer${index + 1}`,
  }));
  await twitchControl().setChatters(user.id, { chatters: viewers });
  await twitchControl().setLive(user.id);
  const rows = await database.query<{ id: string }>("select id from raffles where guild_id = $1", [scene.guildId]);
  return { scene, broadcasterId: user.id, raffleId: String(rows[0]?.id), viewers };
}

async function readDraws(raffleId: string) {
  return database.query<{
    id: string;
    slot_at: Date;
    kind: string;
    winner_twitch_login: string;
    announcement_status: string;
    announcement_message_id: string | null;
    announcement_attempts: number;
  }>(
    `select id, slot_at, kind, winner_twitch_login, announcement_status, announcement_message_id, announcement_attempts
     from draws where raffle_id = $1 order by slot_at`,
    [raffleId],
  );
}

function winnerMessages(messages: { embeds: Record<string, unknown>[] }[]) {
  return messages.filter((message) => JSON.stringify(message.embeds).includes("won"));
}

describe("the per-minute tick", () => {
  it("draws and announces exactly one winner per minute for a live raffle", async () => {
    const raffle = await startLiveRaffle();
    const base = nextMinute();
    await runOwnTick(base);
    await runOwnTick(base + minute);
    const draws = await readDraws(raffle.raffleId);
    expect(draws.map((draw) => draw.slot_at.getTime())).toEqual([base, base + minute]);
    expect(draws.every((draw) => draw.kind === "scheduled" && draw.announcement_status === "delivered")).toBe(true);
    const logins = raffle.viewers.map((viewer) => viewer.login);
    for (const draw of draws) expect(logins).toContain(draw.winner_twitch_login);
    const messages = await discordControl().listMessages(raffle.scene.channelId);
    expect(winnerMessages(messages)).toHaveLength(2);
    expect(messages.map((message) => message.id).sort()).toEqual(
      draws.map((draw) => draw.announcement_message_id).sort(),
    );
    const embed = JSON.stringify(messages[0]?.embeds);
    expect(embed).toContain("Sword");
    expect(embed).toContain("Draw #1");
    expect(JSON.stringify(messages[1]?.embeds)).toContain("Draw #2");
    // Each winner links to its own proof on the raffle's public page.
    const [{ public_id: publicId } = { public_id: "" }] = await database.query<{ public_id: string }>(
      "select public_id from raffles where id = $1",
      [raffle.raffleId],
    );
    const byMessageId = new Map(messages.map((message) => [message.id, message]));
    for (const [index, draw] of draws.entries()) {
      expect(byMessageId.get(draw.announcement_message_id ?? "")?.components).toEqual([
        {
          type: 1,
          components: [
            {
              type: 2,
              style: 5,
              label: "Verify this draw",
              url: `${testCredentials.publicBaseUrl}/r/${publicId}#draw-${index + 1}`,
            },
          ],
        },
      ]);
    }
  });

  it("adds nothing when a minute is replayed or two ticks overlap", async () => {
    const raffle = await startLiveRaffle();
    const base = nextMinute();
    await runOwnTick(base);
    await runOwnTick(base);
    await Promise.all([runOwnTick(base + minute), runOwnTick(base + minute)]);
    expect(await readDraws(raffle.raffleId)).toHaveLength(2);
    expect(winnerMessages(await discordControl().listMessages(raffle.scene.channelId))).toHaveLength(2);
  });

  it("draws nothing while offline or with nobody in chat", async () => {
    const raffle = await startLiveRaffle();
    await twitchControl().setOffline(raffle.broadcasterId);
    const base = nextMinute();
    await runOwnTick(base);
    expect(await readDraws(raffle.raffleId)).toEqual([]);
    const [row] = await database.query<{ is_live: boolean; source: string }>(
      "select is_live, source from twitch_channel_liveness where broadcaster_id = $1",
      [raffle.broadcasterId],
    );
    expect(row).toEqual({ is_live: false, source: "get_streams" });

    await twitchControl().setLive(raffle.broadcasterId);
    await twitchControl().setChatters(raffle.broadcasterId, { chatters: [] });
    await runOwnTick(base + minute);
    expect(await readDraws(raffle.raffleId)).toEqual([]);
    expect(await discordControl().listMessages(raffle.scene.channelId)).toEqual([]);
  });

  it("with every: 5 draws on every fifth minute", async () => {
    const raffle = await startLiveRaffle({ every: 5 });
    const base = nextMinute();
    for (let offset = 0; offset <= 10; offset += 1) await runOwnTick(base + offset * minute);
    const slots = (await readDraws(raffle.raffleId)).map((draw) => (draw.slot_at.getTime() - base) / minute);
    expect(slots).toEqual([0, 5, 10]);
  });

  it("reads chatters from the cache on the next minute, and still draws with Redis down", async () => {
    const raffle = await startLiveRaffle();
    const before = await twitchControl().readLastSequence();
    const base = nextMinute();
    await runOwnTick(base);
    await runOwnTick(base + minute);
    const chatterCalls = await twitchControl().listCalls({
      since: before,
      pathPrefix: "/helix/chat/chatters",
      contains: raffle.broadcasterId,
    });
    expect(chatterCalls).toHaveLength(1);
    expect(await readDraws(raffle.raffleId)).toHaveLength(2);
    const status = await runCommand(raffle.scene, "raffle", "status", {}, { bindings: tickBindings });
    expect(JSON.stringify(status.body.data?.embeds)).toContain(
      '{"name":"Chatters last seen","value":"3","inline":true}',
    );

    await runOwnTick(base + 2 * minute, { UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9" });
    expect(await readDraws(raffle.raffleId)).toHaveLength(3);
  });

  it("ages the chatter cache by scheduledTime: a list fetched at T serves T+1 and is fetched again at T+2", async () => {
    const raffle = await startLiveRaffle();
    const before = await twitchControl().readLastSequence();
    const base = nextMinute();
    await runOwnTick(base);
    // Seconds apart on the wall clock, minutes apart by scheduledTime (as in the playground).
    const newcomer = {
      id: `${raffle.broadcasterId}900`,
      login: `newcomer_${raffle.broadcasterId}`,
      displayName: "New",
    };
    await twitchControl().setChatters(raffle.broadcasterId, { chatters: [newcomer] });
    await runOwnTick(base + minute);
    await runOwnTick(base + 2 * minute);
    const chatterCalls = await twitchControl().listCalls({
      since: before,
      pathPrefix: "/helix/chat/chatters",
      contains: raffle.broadcasterId,
    });
    expect(chatterCalls).toHaveLength(2);
    const draws = await readDraws(raffle.raffleId);
    expect(draws.map((draw) => draw.slot_at.getTime())).toEqual([base, base + minute, base + 2 * minute]);
    const cachedLogins = raffle.viewers.map((viewer) => viewer.login);
    expect(cachedLogins).toContain(draws[1]?.winner_twitch_login);
    expect(draws[2]?.winner_twitch_login).toBe(newcomer.login);
  });
});

describe("announcements", () => {
  it("says when a draw is not publicly verifiable, and gives a draw made before liveloot/v1 no verify button", async () => {
    const raffle = await startLiveRaffle();
    const base = nextMinute();
    await runOwnTick(base);
    const [first] = await readDraws(raffle.raffleId);
    expect(first?.announcement_status).toBe("delivered");
    await twitchControl().setOffline(raffle.broadcasterId);
    // Two more draws of this raffle, waiting to be announced: a liveloot/v1 draw whose beacon could
    // not be reached (no round, no signature), and a draw recorded before liveloot/v1 existed.
    await database.query(
      `insert into draws (raffle_id, guild_id, kind, slot_at, item_id, item_name, winner_twitch_user_id,
         winner_twitch_login, winner_twitch_display_name, candidate_count, draw_number, algorithm, slot_label,
         randomness, entrants_read_at, entrants, entrants_sha256, items, item_list_id, items_sha256)
       select raffle_id, guild_id, kind, slot_at + interval '1 minute', item_id, item_name, winner_twitch_user_id,
         winner_twitch_login, winner_twitch_display_name, candidate_count, 2, algorithm,
         to_char((slot_at + interval '1 minute') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"'),
         randomness, entrants_read_at, entrants, entrants_sha256, items, item_list_id, items_sha256
       from draws where id = $1`,
      [first?.id],
    );
    await database.query(
      `insert into draws (raffle_id, guild_id, kind, slot_at, item_id, item_name, winner_twitch_user_id,
         winner_twitch_login, winner_twitch_display_name, candidate_count, draw_number, random_words, item_roll,
         item_pool, candidates)
       select raffle_id, guild_id, kind, slot_at + interval '2 minutes', item_id, item_name, winner_twitch_user_id,
         winner_twitch_login, winner_twitch_display_name, candidate_count, 3, '{0}', 0, '[]', '[]'
       from draws where id = $1`,
      [first?.id],
    );
    await runOwnTick(base + minute);
    const draws = await readDraws(raffle.raffleId);
    expect(draws.map((draw) => draw.announcement_status)).toEqual(["delivered", "delivered", "delivered"]);
    const messages = await discordControl().listMessages(raffle.scene.channelId);
    const byDraw = draws.map((draw) => messages.find((message) => message.id === draw.announcement_message_id));
    const [publicRow] = await database.query<{ public_id: string }>("select public_id from raffles where id = $1", [
      raffle.raffleId,
    ]);

    const unverifiable = byDraw[1];
    expect(JSON.stringify(unverifiable?.embeds)).toContain("Draw #2");
    expect((unverifiable?.embeds[0] as { description?: string } | undefined)?.description).toMatch(
      /won \*\*Sword\*\*!\n\n⚠️ Not publicly verifiable: the randomness beacon could not be reached\.$/,
    );
    expect(unverifiable?.components).toEqual([
      {
        type: 1,
        components: [
          {
            type: 2,
            style: 5,
            label: "Verify this draw",
            url: `${testCredentials.publicBaseUrl}/r/${publicRow?.public_id}#draw-2`,
          },
        ],
      },
    ]);

    const legacy = byDraw[2];
    expect(JSON.stringify(legacy?.embeds)).toContain("Draw #3");
    expect(JSON.stringify(legacy?.embeds)).not.toContain("verifiable");
    expect(legacy?.components ?? []).toEqual([]);
    // The draw the beacon answered for says nothing about verifiability.
    expect(JSON.stringify(byDraw[0]?.embeds)).not.toContain("verifiable");
  });

  it("retries after a Discord 500 and delivers exactly once", async () => {
    const raffle = await startLiveRaffle();
    await discordControl().injectFailure({
      method: "POST",
      path: `/api/v10/channels/${raffle.scene.channelId}/messages`,
      status: 500,
      times: 1,
    });
    const base = nextMinute();
    await runOwnTick(base);
    let [first] = await readDraws(raffle.raffleId);
    expect(first).toMatchObject({ announcement_status: "pending", announcement_attempts: 1 });
    expect(await discordControl().listMessages(raffle.scene.channelId)).toEqual([]);

    await twitchControl().setOffline(raffle.broadcasterId);
    await runOwnTick(base + minute);
    await runOwnTick(base + minute);
    [first] = await readDraws(raffle.raffleId);
    expect(first).toMatchObject({ announcement_status: "delivered", announcement_attempts: 2 });
    expect(winnerMessages(await discordControl().listMessages(raffle.scene.channelId))).toHaveLength(1);
  });

  it("honours a 429's retry_after before posting again", async () => {
    const raffle = await startLiveRaffle();
    await discordControl().injectFailure({
      method: "POST",
      path: `/api/v10/channels/${raffle.scene.channelId}/messages`,
      status: 429,
      retryAfterSeconds: 150,
      times: 1,
    });
    const base = nextMinute();
    await runOwnTick(base);
    await twitchControl().setOffline(raffle.broadcasterId);
    await runOwnTick(base + minute);
    expect(await discordControl().listMessages(raffle.scene.channelId)).toEqual([]);
    await runOwnTick(base + 3 * minute);
    expect(winnerMessages(await discordControl().listMessages(raffle.scene.channelId))).toHaveLength(1);
  });

  it("waits for an empty per-route bucket instead of collecting 429s", async () => {
    const raffle = await startLiveRaffle();
    await discordControl().setChannelRateLimit(raffle.scene.channelId, { limit: 1, windowSeconds: 60 });
    const path = `/api/v10/channels/${raffle.scene.channelId}/messages`;
    const before = await discordControl().readLastSequence();
    const base = nextMinute();
    await runOwnTick(base);
    await runOwnTick(base + minute);
    const posts = await discordControl().listCalls({ since: before, method: "POST", pathPrefix: path });
    expect(posts.map((call) => call.status)).toEqual([200]);
    const draws = await readDraws(raffle.raffleId);
    expect(draws.map((draw) => draw.announcement_status)).toEqual(["delivered", "pending"]);
  });

  it("pauses the raffle when its channel is gone (404) and says why in /raffle status", async () => {
    const raffle = await startLiveRaffle({ createChannel: false });
    await runOwnTick(nextMinute());
    const [row] = await database.query<{ status: string; status_reason: string }>(
      "select status, status_reason from raffles where id = $1",
      [raffle.raffleId],
    );
    expect(row).toEqual({ status: "paused", status_reason: "channel_unavailable" });
    const status = await runCommand(raffle.scene, "raffle", "status", {}, { bindings: tickBindings });
    expect(JSON.stringify(status.body.data?.embeds)).toContain("I cannot post in the announcement channel");
  });
});

describe("Twitch trouble during the tick", () => {
  it("refreshes an expired token and still draws", async () => {
    const raffle = await startLiveRaffle();
    await twitchControl().expireAccessTokens(raffle.broadcasterId);
    await runOwnTick(nextMinute());
    expect(await readDraws(raffle.raffleId)).toHaveLength(1);
  });

  it("with a dead refresh token draws nothing and sends one re-link message", async () => {
    const raffle = await startLiveRaffle();
    await twitchControl().revokeRefreshTokens(raffle.broadcasterId);
    await twitchControl().expireAccessTokens(raffle.broadcasterId);
    const base = nextMinute();
    await runOwnTick(base);
    await runOwnTick(base + minute);
    expect(await readDraws(raffle.raffleId)).toEqual([]);
    const messages = await discordControl().listMessages(raffle.scene.channelId);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.content).toContain("/twitch connect");
  });

  it("skips one raffle whose chatters fail with a 500 without blocking another", async () => {
    const failing = await startLiveRaffle();
    const healthy = await startLiveRaffle();
    await twitchControl().injectFailure({
      method: "GET",
      path: "/helix/chat/chatters",
      contains: failing.broadcasterId,
      status: 500,
      times: 5,
    });
    await runOwnTick(nextMinute());
    expect(await readDraws(failing.raffleId)).toEqual([]);
    expect(await readDraws(healthy.raffleId)).toHaveLength(1);
  });

  it("pauses a raffle whose viewer list Twitch forbids (403), and tells its channel once", async () => {
    const raffle = await startLiveRaffle();
    await twitchControl().injectFailure({
      method: "GET",
      path: "/helix/chat/chatters",
      contains: raffle.broadcasterId,
      status: 403,
      times: 1,
    });
    const minuteOfTick = nextMinute();
    await runOwnTick(minuteOfTick);
    await runOwnTick(minuteOfTick);
    await runOwnTick(minuteOfTick + minute);
    const [row] = await database.query<{ status: string; status_reason: string }>(
      "select status, status_reason from raffles where id = $1",
      [raffle.raffleId],
    );
    expect(row).toEqual({ status: "paused", status_reason: "chatters_forbidden" });
    const posted = await discordControl().listMessages(raffle.scene.channelId);
    expect(posted.map((entry) => entry.content)).toEqual([message("raffleChattersForbiddenNotice")]);
  });
});

/** A DRAW_QUEUE binding that records what the tick sends instead of delivering it. */
function createRecordingQueue(): { sent: DrawMessage[]; recordingQueue: Queue<unknown> } {
  const sent: DrawMessage[] = [];
  const recordingQueue = {
    async send(body: DrawMessage) {
      sent.push(body);
    },
    async sendBatch(messages: Iterable<{ body: DrawMessage }>) {
      for (const message of messages) sent.push(message.body);
    },
  } as unknown as Queue<unknown>;
  return { sent, recordingQueue };
}

describe("fan-out through the queue", () => {
  it("sends due live raffles to the queue past the threshold, and the consumer draws them like the direct path", async () => {
    const direct = await startLiveRaffle();
    const base = nextMinute();
    await runOwnTick(base);
    await database.query(
      "update raffles set status = 'stopped', status_reason = 'stopped_by_user', stopped_at = now() where id = $1",
      [direct.raffleId],
    );

    const queued = await startLiveRaffle();
    const { sent, recordingQueue } = createRecordingQueue();
    await runOwnTick(base, { TICK_FANOUT_THRESHOLD: "0", DRAW_QUEUE: recordingQueue });
    expect(sent).toEqual([{ raffleId: queued.raffleId, slotAt: base }]);
    expect(await readDraws(queued.raffleId)).toEqual([]);

    const batch = createMessageBatch(
      "liveloot-draws",
      sent.map((body, index) => ({ id: String(index), timestamp: new Date(), attempts: 1, body })),
    );
    const execution = createExecutionContext();
    await worker.queue(batch, { ...testEnvironment(), ...tickBindings }, execution);
    const result = await getQueueResult(batch, execution);
    expect(result.explicitAcks).toEqual(["0"]);
    expect(result.retryMessages).toEqual([]);

    const [directDraw] = await readDraws(direct.raffleId);
    const [queuedDraw] = await readDraws(queued.raffleId);
    expect(queuedDraw).toMatchObject({ kind: "scheduled", announcement_status: "delivered" });
    expect(queuedDraw?.slot_at.getTime()).toBe(directDraw?.slot_at.getTime());
    expect(queued.viewers.map((viewer) => viewer.login)).toContain(queuedDraw?.winner_twitch_login);
    expect(winnerMessages(await discordControl().listMessages(queued.scene.channelId))).toHaveLength(1);

    // A redelivered message draws nothing more.
    const again = createMessageBatch("liveloot-draws", [
      { id: "1", timestamp: new Date(), attempts: 2, body: sent[0] },
    ]);
    const secondExecution = createExecutionContext();
    await worker.queue(again, { ...testEnvironment(), ...tickBindings }, secondExecution);
    await getQueueResult(again, secondExecution);
    expect(await readDraws(queued.raffleId)).toHaveLength(1);
  });
});

describe("fan-out weight of gated raffles", () => {
  it("counts a gated raffle as 3 raffles against the threshold: one gated raffle fans out past 2, an ungated one does not", async () => {
    const raffle = await startLiveRaffle();
    const { sent, recordingQueue } = createRecordingQueue();
    await database.query("update raffles set subscribers_only = true where id = $1", [raffle.raffleId]);
    const gatedMinute = nextMinute();
    await runOwnTick(gatedMinute, { TICK_FANOUT_THRESHOLD: "2", DRAW_QUEUE: recordingQueue });
    expect(sent).toEqual([{ raffleId: raffle.raffleId, slotAt: gatedMinute }]);
    expect(await readDraws(raffle.raffleId)).toEqual([]);

    await database.query("update raffles set subscribers_only = false where id = $1", [raffle.raffleId]);
    await runOwnTick(nextMinute(), { TICK_FANOUT_THRESHOLD: "2", DRAW_QUEUE: recordingQueue });
    expect(sent).toHaveLength(1);
    expect(await readDraws(raffle.raffleId)).toHaveLength(1);
  });
});

describe("liveness pushed by EventSub", () => {
  it("trusts stream.online/offline once both subscriptions are enabled: no Get Streams call", async () => {
    const raffle = await startLiveRaffle();
    const subscriptions = (await twitchControl().listEventSubSubscriptions()).filter(
      (entry) => entry.condition.broadcaster_user_id === raffle.broadcasterId && entry.type.startsWith("stream."),
    );
    expect(subscriptions.map((entry) => entry.type).sort()).toEqual(["stream.offline", "stream.online"]);
    for (const subscription of subscriptions) {
      const answer = await deliverEventSub("webhook_callback_verification", subscription, {
        challenge: "ok",
        bindings: tickBindings,
      });
      expect(answer.status).toBe(200);
    }
    const online = subscriptions.find((entry) => entry.type === "stream.online");
    const offline = subscriptions.find((entry) => entry.type === "stream.offline");
    if (!online || !offline) throw new Error("missing stream subscriptions");
    const event = { broadcaster_user_id: raffle.broadcasterId };
    await deliverEventSub("notification", online, { event, bindings: tickBindings });

    const before = await twitchControl().readLastSequence();
    const base = nextMinute();
    await runOwnTick(base);
    expect(await readDraws(raffle.raffleId)).toHaveLength(1);

    await deliverEventSub("notification", offline, { event, bindings: tickBindings });
    // Twitch's own answer would still say live: the pushed offline wins.
    await runOwnTick(base + minute);
    expect(await readDraws(raffle.raffleId)).toHaveLength(1);

    await deliverEventSub("notification", online, { event, bindings: tickBindings });
    await runOwnTick(base + 2 * minute);
    expect(await readDraws(raffle.raffleId)).toHaveLength(2);
    const streamCalls = await twitchControl().listCalls({
      since: before,
      pathPrefix: "/helix/streams",
      contains: raffle.broadcasterId,
    });
    expect(streamCalls).toEqual([]);
  });
});
