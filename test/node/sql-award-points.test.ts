import { randomInt, randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMigratedTestDatabase, type MigratedTestDatabase } from "../support/testDatabase";

/** award_points against real Postgres: each EventSub message adds its points exactly once. */

interface AwardResult {
  is_new: boolean;
  total: string;
}

interface Award {
  messageId?: string;
  subscriptionType?: string;
  broadcasterId: string;
  viewerUserId?: string;
  viewerLogin?: string;
  viewerDisplayName?: string | null;
  points: bigint | number | null;
}

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

/** A broadcaster id of its own per test: points are kept per broadcaster. */
function createBroadcasterId(): string {
  return String(randomInt(1, 2 ** 47));
}

async function awardPoints(award: Award, client: pg.Pool | pg.PoolClient = pool): Promise<AwardResult> {
  const result = await client.query<AwardResult>("select * from award_points($1, $2, $3, $4, $5, $6, $7, $8)", [
    award.messageId ?? randomUUID(),
    "notification",
    award.subscriptionType ?? "channel.follow",
    award.broadcasterId,
    award.viewerUserId ?? "5001",
    award.viewerLogin ?? "viewer_1",
    award.viewerDisplayName === undefined ? "Viewer_1" : award.viewerDisplayName,
    award.points === null ? null : String(award.points),
  ]);
  const row = result.rows[0];
  if (!row) throw new Error("award_points returned no row");
  return row;
}

async function readPoints(broadcasterId: string) {
  const result = await pool.query<{
    viewer_user_id: string;
    viewer_login: string;
    viewer_display_name: string;
    points: string;
  }>(
    `select viewer_user_id, viewer_login, viewer_display_name, points from viewer_points
     where broadcaster_id = $1 order by points desc, viewer_user_id`,
    [broadcasterId],
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
    const messageId = randomUUID();

    const first = await awardPoints({ messageId, broadcasterId, points: 10 });
    const redelivered = await awardPoints({ messageId, broadcasterId, points: 10 });
    // Even a redelivery that (wrongly) carried other points or another viewer changes nothing.
    const tampered = await awardPoints({ messageId, broadcasterId, viewerUserId: "5002", points: 999 });

    expect(first).toEqual({ is_new: true, total: "10" });
    expect(redelivered).toEqual({ is_new: false, total: "10" });
    expect(tampered).toEqual({ is_new: false, total: "0" });
    expect(await readPoints(broadcasterId)).toEqual([
      { viewer_user_id: "5001", viewer_login: "viewer_1", viewer_display_name: "Viewer_1", points: "10" },
    ]);
    const recorded = await pool.query(
      "select message_type, subscription_type from twitch_eventsub_messages where message_id = $1",
      [messageId],
    );
    expect(recorded.rows).toEqual([{ message_type: "notification", subscription_type: "channel.follow" }]);
  });

  it("accumulates across messages, per broadcaster and viewer, keeping the latest names", async () => {
    const broadcasterId = createBroadcasterId();
    const otherBroadcasterId = createBroadcasterId();

    const totals = [];
    for (const [subscriptionType, points] of [
      ["channel.follow", 10],
      ["channel.subscribe", 50],
      ["channel.subscription.gift", 5 * 60],
      ["channel.cheer", 250],
    ] as const) {
      totals.push((await awardPoints({ broadcasterId, subscriptionType, points })).total);
    }
    await awardPoints({
      broadcasterId,
      viewerLogin: "Viewer_One",
      viewerDisplayName: "ViewerOne",
      points: 0,
    });
    await awardPoints({
      broadcasterId,
      viewerUserId: "5002",
      viewerLogin: "raider",
      viewerDisplayName: "",
      points: 30,
    });
    await awardPoints({ broadcasterId: otherBroadcasterId, points: 7 });

    expect(totals).toEqual(["10", "60", "360", "610"]);
    expect(await readPoints(broadcasterId)).toEqual([
      { viewer_user_id: "5001", viewer_login: "viewer_one", viewer_display_name: "ViewerOne", points: "610" },
      // A blank display name falls back to the login.
      { viewer_user_id: "5002", viewer_login: "raider", viewer_display_name: "raider", points: "30" },
    ]);
    expect(await readPoints(otherBroadcasterId)).toMatchObject([{ viewer_user_id: "5001", points: "7" }]);
  });

  it("rejects negative or missing points and malformed ids, recording nothing", async () => {
    const broadcasterId = createBroadcasterId();
    const messageId = randomUUID();

    await expect(awardPoints({ messageId, broadcasterId, points: -1 })).rejects.toMatchObject({
      code: "23514",
      column: "points",
    });
    await expect(awardPoints({ messageId, broadcasterId, points: null })).rejects.toMatchObject({ code: "22023" });
    await expect(awardPoints({ messageId, broadcasterId: "not-a-twitch-id", points: 5 })).rejects.toMatchObject({
      code: "23514",
    });
    await expect(
      awardPoints({ messageId, broadcasterId, viewerLogin: "not a login", points: 5 }),
    ).rejects.toMatchObject({ code: "23514" });

    // Nothing was kept, not even the message id: a corrected delivery still counts.
    expect(await isMessageRecorded(messageId)).toBe(false);
    expect(await readPoints(broadcasterId)).toEqual([]);
    expect(await awardPoints({ messageId, broadcasterId, points: 5 })).toEqual({ is_new: true, total: "5" });
  });

  it("adds once when 20 connections deliver the same message at once, and every distinct one", async () => {
    const broadcasterId = createBroadcasterId();
    const messageId = randomUUID();
    const blocker = await pool.connect();
    let sameMessage: AwardResult[];
    try {
      // Hold the viewer's row so every call is under way before any of them can finish.
      await awardPoints({ broadcasterId, points: 0 });
      await blocker.query("begin");
      await blocker.query("select 1 from viewer_points where broadcaster_id = $1 for update", [broadcasterId]);
      const running = Array.from({ length: 20 }, () => awardPoints({ messageId, broadcasterId, points: 10 }));
      await waitForCallsWaitingOnLocks(running.length);
      await blocker.query("commit");
      sameMessage = await Promise.all(running);
    } finally {
      blocker.release();
    }
    const distinct = await Promise.all(Array.from({ length: 20 }, () => awardPoints({ broadcasterId, points: 1 })));

    expect(sameMessage.filter((result) => result.is_new)).toHaveLength(1);
    expect(distinct.every((result) => result.is_new)).toBe(true);
    expect(distinct.map((result) => Number(result.total)).sort((left, right) => left - right)).toEqual(
      Array.from({ length: 20 }, (_unused, index) => 11 + index),
    );
    expect(await readPoints(broadcasterId)).toMatchObject([{ points: "30" }]);
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
         where broadcaster_id = $1 order by points desc, viewer_user_id limit 10`,
        [createBroadcasterId()],
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
