import { randomInt, randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMigratedTestDatabase, type MigratedTestDatabase } from "../../support/testDatabase";

/**
 * award_points against real Postgres: each EventSub message adds its points exactly once, in
 * every guild linking the channel, each by its own point values.
 */

interface AwardResult {
  is_new: boolean;
  guild_count: number;
}

interface Award {
  messageId?: string;
  subscriptionType?: string;
  broadcasterId: string;
  viewerUserId?: string;
  viewerLogin?: string;
  viewerDisplayName?: string | null;
  activity?: string | null;
  quantity?: bigint | number | null;
}

interface PointValues {
  follow_points?: number;
  subscribe_points?: number;
  gift_points_per_sub?: number;
  cheer_points_per_bit?: number;
  raid_points?: number;
}

const sampleCiphertext = Buffer.alloc(58, 7).toString("base64");

let database: MigratedTestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  database = await createMigratedTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 24 });
});

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

/** A broadcaster id of its own per test. */
function createBroadcasterId(): string {
  return String(randomInt(1, 2 ** 47));
}

/** A guild whose Twitch link is the broadcaster's, with the given point values (defaults otherwise). */
async function linkGuild(broadcasterId: string, values: PointValues = {}): Promise<string> {
  const guildId = String(randomInt(1, 2 ** 47));
  await pool.query(
    `insert into guilds (id, follow_points, subscribe_points, gift_points_per_sub, cheer_points_per_bit, raid_points)
     values ($1, coalesce($2, 10), coalesce($3, 50), coalesce($4, 60), coalesce($5, 1), coalesce($6, 30))`,
    [
      guildId,
      values.follow_points ?? null,
      values.subscribe_points ?? null,
      values.gift_points_per_sub ?? null,
      values.cheer_points_per_bit ?? null,
      values.raid_points ?? null,
    ],
  );
  await pool.query(
    `insert into twitch_links (guild_id, twitch_user_id, twitch_login, twitch_display_name, access_token_ciphertext,
       refresh_token_ciphertext, token_key_id, access_token_expires_at, linked_by_discord_user_id)
     values ($1, $2, 'the_streamer', 'The_Streamer', $3, $3, 'key-1', now() + interval '4 hours', '77')`,
    [guildId, broadcasterId, sampleCiphertext],
  );
  return guildId;
}

async function awardPoints(award: Award, client: pg.Pool | pg.PoolClient = pool): Promise<AwardResult> {
  const result = await client.query<AwardResult>("select * from award_points($1, $2, $3, $4, $5, $6, $7, $8, $9)", [
    award.messageId ?? randomUUID(),
    "notification",
    award.subscriptionType ?? "channel.follow",
    award.broadcasterId,
    award.viewerUserId ?? "5001",
    award.viewerLogin ?? "viewer_1",
    award.viewerDisplayName === undefined ? "Viewer_1" : award.viewerDisplayName,
    award.activity === undefined ? "follow" : award.activity,
    award.quantity === undefined ? "1" : award.quantity === null ? null : String(award.quantity),
  ]);
  const row = result.rows[0];
  if (!row) throw new Error("award_points returned no row");
  return row;
}

async function readPoints(guildId: string, broadcasterId: string) {
  const result = await pool.query<{
    viewer_user_id: string;
    viewer_login: string;
    viewer_display_name: string;
    points: string;
  }>(
    `select viewer_user_id, viewer_login, viewer_display_name, points from viewer_points
     where guild_id = $1 and broadcaster_id = $2 order by points desc, viewer_user_id`,
    [guildId, broadcasterId],
  );
  return result.rows;
}

async function isMessageRecorded(messageId: string): Promise<boolean> {
  const result = await pool.query("select 1 from twitch_eventsub_messages where message_id = $1", [messageId]);
  return result.rowCount === 1;
}

/** Polls (on another connection) until `count` award_points calls are waiting for a lock. */
async function waitForCallsWaitingOnLocks(count: number): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    const waiting = await pool.query<{ count: number }>(
      "select count(*)::integer as count from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query like '%award_points%'",
    );
    if ((waiting.rows[0]?.count ?? 0) >= count) return;
    if (attempt > 500) throw new Error("concurrent calls never queued on the lock");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("award_points", () => {
  it("adds a message's points once: a redelivery is recognised and adds nothing", async () => {
    const broadcasterId = createBroadcasterId();
    const guildId = await linkGuild(broadcasterId);
    const messageId = randomUUID();

    const first = await awardPoints({ messageId, broadcasterId });
    const redelivered = await awardPoints({ messageId, broadcasterId });
    // Even a redelivery that (wrongly) carried another activity or another viewer changes nothing.
    const tampered = await awardPoints({
      messageId,
      broadcasterId,
      viewerUserId: "5002",
      activity: "cheer",
      quantity: 999,
    });

    expect(first).toEqual({ is_new: true, guild_count: 1 });
    expect(redelivered).toEqual({ is_new: false, guild_count: 0 });
    expect(tampered).toEqual({ is_new: false, guild_count: 0 });
    expect(await readPoints(guildId, broadcasterId)).toEqual([
      { viewer_user_id: "5001", viewer_login: "viewer_1", viewer_display_name: "Viewer_1", points: "10" },
    ]);
    const recorded = await pool.query(
      "select message_type, subscription_type from twitch_eventsub_messages where message_id = $1",
      [messageId],
    );
    expect(recorded.rows).toEqual([{ message_type: "notification", subscription_type: "channel.follow" }]);
  });

  it("accumulates across messages, per guild, channel and viewer, keeping the latest names", async () => {
    const broadcasterId = createBroadcasterId();
    const otherBroadcasterId = createBroadcasterId();
    const guildId = await linkGuild(broadcasterId);
    const otherGuildId = await linkGuild(otherBroadcasterId);

    for (const [subscriptionType, activity, quantity] of [
      ["channel.follow", "follow", 1],
      ["channel.subscribe", "subscribe", 1],
      ["channel.subscription.gift", "gift", 5],
      ["channel.cheer", "cheer", 250],
    ] as const) {
      expect(await awardPoints({ broadcasterId, subscriptionType, activity, quantity })).toEqual({
        is_new: true,
        guild_count: 1,
      });
    }
    await awardPoints({ broadcasterId, viewerLogin: "Viewer_One", viewerDisplayName: "ViewerOne", quantity: 0 });
    await awardPoints({
      broadcasterId,
      subscriptionType: "channel.raid",
      viewerUserId: "5002",
      viewerLogin: "raider",
      viewerDisplayName: "",
      activity: "raid",
    });
    await awardPoints({ broadcasterId: otherBroadcasterId, activity: "cheer", quantity: 7 });

    // follow 10 + subscribe 50 + 5 gifts × 60 + 250 bits × 1.
    expect(await readPoints(guildId, broadcasterId)).toEqual([
      { viewer_user_id: "5001", viewer_login: "viewer_one", viewer_display_name: "ViewerOne", points: "610" },
      // A blank display name falls back to the login.
      { viewer_user_id: "5002", viewer_login: "raider", viewer_display_name: "raider", points: "30" },
    ]);
    expect(await readPoints(otherGuildId, otherBroadcasterId)).toMatchObject([{ viewer_user_id: "5001", points: "7" }]);
    expect(await readPoints(otherGuildId, broadcasterId)).toEqual([]);
  });

  it("awards every guild linking the channel, each by its own point values, in one call", async () => {
    const broadcasterId = createBroadcasterId();
    const generous = await linkGuild(broadcasterId, { follow_points: 100, cheer_points_per_bit: 3, raid_points: 0 });
    const plain = await linkGuild(broadcasterId);
    const unrelated = await linkGuild(createBroadcasterId());

    expect(await awardPoints({ broadcasterId })).toEqual({ is_new: true, guild_count: 2 });
    await awardPoints({ broadcasterId, subscriptionType: "channel.cheer", activity: "cheer", quantity: 10 });
    await awardPoints({
      broadcasterId,
      subscriptionType: "channel.raid",
      viewerUserId: "5002",
      viewerLogin: "raider",
      activity: "raid",
    });

    expect(await readPoints(generous, broadcasterId)).toMatchObject([
      { viewer_user_id: "5001", points: "130" },
      // A value of 0 earns nothing there, and the viewer is not on that leaderboard.
      { viewer_user_id: "5002", points: "0" },
    ]);
    expect(await readPoints(plain, broadcasterId)).toMatchObject([
      { viewer_user_id: "5002", points: "30" },
      { viewer_user_id: "5001", points: "20" },
    ]);
    expect(await readPoints(unrelated, broadcasterId)).toEqual([]);
  });

  it("records the message even when no guild links the channel (yet), so it is not counted later", async () => {
    const broadcasterId = createBroadcasterId();
    const messageId = randomUUID();
    expect(await awardPoints({ messageId, broadcasterId })).toEqual({ is_new: true, guild_count: 0 });
    const guildId = await linkGuild(broadcasterId);
    expect(await awardPoints({ messageId, broadcasterId })).toEqual({ is_new: false, guild_count: 0 });
    expect(await readPoints(guildId, broadcasterId)).toEqual([]);
  });

  it("rejects a negative or missing quantity, an unknown activity and malformed ids, recording nothing", async () => {
    const broadcasterId = createBroadcasterId();
    const guildId = await linkGuild(broadcasterId);
    const messageId = randomUUID();

    await expect(awardPoints({ messageId, broadcasterId, quantity: -1 })).rejects.toMatchObject({
      code: "23514",
      column: "quantity",
    });
    await expect(awardPoints({ messageId, broadcasterId, quantity: null })).rejects.toMatchObject({ code: "22023" });
    await expect(awardPoints({ messageId, broadcasterId, activity: null })).rejects.toMatchObject({ code: "22023" });
    await expect(awardPoints({ messageId, broadcasterId, activity: "hype_train" })).rejects.toMatchObject({
      code: "22023",
    });
    await expect(awardPoints({ messageId, broadcasterId: "not-a-twitch-id" })).rejects.toMatchObject({
      code: "23514",
    });
    await expect(awardPoints({ messageId, broadcasterId, viewerLogin: "not a login" })).rejects.toMatchObject({
      code: "23514",
    });
    // Also checked when no guild links the channel, so nothing would have been inserted.
    await expect(
      awardPoints({ messageId, broadcasterId: createBroadcasterId(), viewerUserId: "x1" }),
    ).rejects.toMatchObject({ code: "23514" });

    // Nothing was kept, not even the message id: a corrected delivery still counts.
    expect(await isMessageRecorded(messageId)).toBe(false);
    expect(await readPoints(guildId, broadcasterId)).toEqual([]);
    expect(await awardPoints({ messageId, broadcasterId })).toEqual({ is_new: true, guild_count: 1 });
  });

  it("adds once when 20 connections deliver the same message at once, and every distinct one", async () => {
    const broadcasterId = createBroadcasterId();
    const guildIds = [await linkGuild(broadcasterId), await linkGuild(broadcasterId)];
    const messageId = randomUUID();
    const blocker = await pool.connect();
    let sameMessage: AwardResult[];
    try {
      // Hold the viewer's rows so every call is under way before any of them can finish.
      await awardPoints({ broadcasterId, quantity: 0 });
      await blocker.query("begin");
      await blocker.query("select 1 from viewer_points where broadcaster_id = $1 for update", [broadcasterId]);
      const running = Array.from({ length: 20 }, () => awardPoints({ messageId, broadcasterId }));
      await waitForCallsWaitingOnLocks(running.length);
      await blocker.query("commit");
      sameMessage = await Promise.all(running);
    } finally {
      blocker.release();
    }
    // Distinct messages for one viewer in two guilds at once: all add up, none deadlocks.
    const distinct = await Promise.all(
      Array.from({ length: 20 }, () => awardPoints({ broadcasterId, activity: "cheer", quantity: 1 })),
    );

    expect(sameMessage.filter((result) => result.is_new)).toHaveLength(1);
    expect(distinct.every((result) => result.is_new && result.guild_count === 2)).toBe(true);
    for (const guildId of guildIds) expect(await readPoints(guildId, broadcasterId)).toMatchObject([{ points: "30" }]);
  });

  it("serves the leaderboard from its index", async () => {
    const client = await pool.connect();
    try {
      // A table this small is scanned (or bitmap-scanned and sorted); forbid that to see whether the
      // index alone gives the order the leaderboard asks for.
      await client.query("set enable_seqscan = off");
      await client.query("set enable_bitmapscan = off");
      const plan = await client.query<{ "QUERY PLAN": string }>(
        `explain select viewer_user_id, viewer_login, viewer_display_name, points from viewer_points
         where guild_id = $1 and broadcaster_id = $2 order by points desc, viewer_user_id limit 10`,
        ["1", createBroadcasterId()],
      );
      const text = plan.rows.map((row) => row["QUERY PLAN"]).join("\n");
      expect(text).toMatch(/Index (Only )?Scan using viewer_points_leaderboard/);
      expect(text).not.toContain("Sort");
    } finally {
      await client.query("reset enable_seqscan");
      await client.query("reset enable_bitmapscan");
      client.release();
    }
  });
});
