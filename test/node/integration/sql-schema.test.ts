import { randomInt } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMigratedTestDatabase, type MigratedTestDatabase } from "../../support/testDatabase";

/** The invariants 0001_init.sql promises, checked against the database itself. */

let database: MigratedTestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  database = await createMigratedTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 4 });
});

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

// base64 of 12-byte IV ‖ ciphertext ‖ 16-byte tag, the shape the Worker stores.
const sampleCiphertext = Buffer.alloc(58, 7).toString("base64");

async function createGuild(): Promise<string> {
  const guildId = String(randomInt(1, 2 ** 47));
  await pool.query("insert into guilds (id) values ($1)", [guildId]);
  return guildId;
}

async function insertRaffle(guildId: string, overrides: Record<string, unknown> = {}): Promise<string> {
  const columns = {
    guild_id: guildId,
    discord_channel_id: "42",
    twitch_broadcaster_id: "1000",
    twitch_broadcaster_login: "the_streamer",
    ...overrides,
  };
  const names = Object.keys(columns);
  const result = await pool.query<{ id: string }>(
    `insert into raffles (${names.join(", ")}) values (${names.map((_name, index) => `$${index + 1}`).join(", ")}) returning id`,
    Object.values(columns),
  );
  return result.rows[0]?.id ?? "";
}

async function explain(statement: string, values: unknown[]): Promise<string> {
  const client = await pool.connect();
  try {
    // Tables this small are always scanned; forbid that to see whether the index fits the query.
    await client.query("set enable_seqscan = off");
    const result = await client.query<{ "QUERY PLAN": string }>(`explain ${statement}`, values);
    return result.rows.map((row) => row["QUERY PLAN"]).join("\n");
  } finally {
    await client.query("reset enable_seqscan");
    client.release();
  }
}

describe("schema", () => {
  it("allows one running-or-paused raffle per guild, and any number of stopped ones", async () => {
    const guildId = await createGuild();
    await insertRaffle(guildId, { status: "stopped", status_reason: "stopped_by_user", stopped_at: new Date() });
    await insertRaffle(guildId, { status: "stopped", status_reason: "no_items", stopped_at: new Date() });
    await insertRaffle(guildId, { status: "paused", status_reason: "twitch_needs_reauth" });

    await expect(insertRaffle(guildId)).rejects.toMatchObject({
      code: "23505",
      constraint: "raffles_one_active_per_guild",
    });
  });

  it("refuses out-of-range intervals and inconsistent statuses", async () => {
    const guildId = await createGuild();
    for (const overrides of [
      { every_minutes: 0 },
      { every_minutes: 61 },
      { cooldown_minutes: -1 },
      { cooldown_minutes: 1441 },
      { status: "finished" },
      { status: "stopped", status_reason: "stopped_by_user" },
      { status: "running", status_reason: "no_items" },
      { status: "paused", status_reason: "bored" },
      { twitch_broadcaster_login: "The_Streamer" },
    ]) {
      await expect(insertRaffle(guildId, overrides), JSON.stringify(overrides)).rejects.toMatchObject({
        code: "23514",
      });
    }
  });

  it("keeps tokens as ciphertext only", async () => {
    const guildId = await createGuild();
    const insertLink = (accessToken: string) =>
      pool.query(
        `insert into twitch_links (guild_id, twitch_user_id, twitch_login, twitch_display_name, scopes,
           access_token_ciphertext, refresh_token_ciphertext, token_key_id, access_token_expires_at,
           linked_by_discord_user_id)
         values ($1, '1000', 'the_streamer', 'The_Streamer', '{moderator:read:chatters}', $2, $3, 'key-2026-01',
           now() + interval '4 hours', '77')`,
        [guildId, accessToken, sampleCiphertext],
      );

    await expect(insertLink("abcdefghijklmnopqrstuvwxyz0123")).rejects.toMatchObject({ code: "23514" });
    await expect(insertLink("")).rejects.toMatchObject({ code: "23514" });
    await insertLink(sampleCiphertext);
  });

  it("refuses ids that are not Discord or Twitch ids", async () => {
    await expect(pool.query("insert into guilds (id) values ('not-a-snowflake')")).rejects.toMatchObject({
      code: "23514",
    });
    await expect(pool.query("insert into guilds (id) values ('123456789012345678901')")).rejects.toMatchObject({
      code: "23514",
    });
  });

  it("seeds the default bot list and keeps each list free of duplicates", async () => {
    const guildId = await createGuild();
    const defaults = await pool.query<{ twitch_login: string }>(
      "select twitch_login from known_bots where guild_id is null",
    );
    const logins = defaults.rows.map((row) => row.twitch_login);
    for (const login of [
      "nightbot",
      "streamelements",
      "streamlabs",
      "moobot",
      "fossabot",
      "wizebot",
      "soundalerts",
      "sery_bot",
    ]) {
      expect(logins).toContain(login);
    }

    await expect(pool.query("insert into known_bots (twitch_login) values ('nightbot')")).rejects.toMatchObject({
      code: "23505",
    });
    await pool.query("insert into known_bots (guild_id, twitch_login) values ($1, 'nightbot')", [guildId]);
    await expect(
      pool.query("insert into known_bots (guild_id, twitch_login) values ($1, 'nightbot')", [guildId]),
    ).rejects.toMatchObject({ code: "23505" });
  });

  it("keeps a draw when its item is removed, and removes everything with its guild", async () => {
    const guildId = await createGuild();
    const raffleId = await insertRaffle(guildId, { cooldown_minutes: 0 });
    const item = await pool.query<{ id: string }>(
      "insert into loot_items (guild_id, name, weight) values ($1, 'Sword', 1) returning id",
      [guildId],
    );
    const draw = await pool.query<{ draw_id: string }>(
      `select draw_id from make_raffle($1, now(), 'manual', '[{"id": "5", "login": "viewer", "name": "Viewer"}]', '{0}')`,
      [raffleId],
    );

    await pool.query("delete from loot_items where id = $1", [item.rows[0]?.id]);

    const kept = await pool.query("select item_id, item_name, guild_id from draws where id = $1", [
      draw.rows[0]?.draw_id,
    ]);
    expect(kept.rows).toEqual([{ item_id: null, item_name: "Sword", guild_id: guildId }]);

    await pool.query("delete from guilds where id = $1", [guildId]);
    const left = await pool.query(
      "select 1 from draws where guild_id = $1 union all select 1 from raffles where guild_id = $1",
      [guildId],
    );
    expect(left.rowCount).toBe(0);
  });

  it("marks a draw delivered only with the Discord message that announced it", async () => {
    const guildId = await createGuild();
    const raffleId = await insertRaffle(guildId);
    await pool.query("insert into loot_items (guild_id, name, weight) values ($1, 'Sword', 1)", [guildId]);
    const draw = await pool.query<{ draw_id: string }>(
      `select draw_id from make_raffle($1, now(), 'manual', '[{"id": "5", "login": "viewer", "name": "Viewer"}]', '{0}')`,
      [raffleId],
    );
    const drawId = draw.rows[0]?.draw_id;

    await expect(
      pool.query("update draws set announcement_status = 'delivered' where id = $1", [drawId]),
    ).rejects.toMatchObject({ code: "23514" });
    await pool.query(
      "update draws set announcement_status = 'delivered', announcement_message_id = '1234', announced_at = now() where id = $1",
      [drawId],
    );
  });

  it("has indexes that fit the tick's queries", async () => {
    const duePlan = await explain(
      "select id from raffles where status = 'running' and next_slot_at <= $1 order by next_slot_at, id limit 100",
      [new Date()],
    );
    const announcementPlan = await explain(
      "select id from draws where announcement_status = 'pending' and announcement_next_attempt_at <= $1 order by announcement_next_attempt_at limit 50",
      [new Date()],
    );

    expect(duePlan).toContain("raffles_due");
    expect(announcementPlan).toContain("draws_pending_announcements");
  });
});

describe("schema: EventSub, points and luck (0003)", () => {
  it("gives each guild the default point values and refuses negative ones", async () => {
    const guildId = await createGuild();
    const guild = await pool.query(
      "select follow_points, subscribe_points, gift_points_per_sub, cheer_points_per_bit, raid_points from guilds where id = $1",
      [guildId],
    );
    expect(guild.rows[0]).toEqual({
      follow_points: 10,
      subscribe_points: 50,
      gift_points_per_sub: 60,
      cheer_points_per_bit: 1,
      raid_points: 30,
    });

    await pool.query("update guilds set follow_points = 0, raid_points = 0 where id = $1", [guildId]);
    for (const column of [
      "follow_points",
      "subscribe_points",
      "gift_points_per_sub",
      "cheer_points_per_bit",
      "raid_points",
    ]) {
      await expect(
        pool.query(`update guilds set ${column} = -1 where id = $1`, [guildId]),
        column,
      ).rejects.toMatchObject({
        code: "23514",
      });
    }
  });

  it("starts raffles without luck or Twitch announcements unless asked", async () => {
    const raffleId = await insertRaffle(await createGuild());
    const raffle = await pool.query("select luck, announce_in_twitch from raffles where id = $1", [raffleId]);
    expect(raffle.rows[0]).toEqual({ luck: false, announce_in_twitch: false });
  });

  it("keeps viewer points non-negative and one row per guild, broadcaster and viewer", async () => {
    const guildId = await createGuild();
    const insertPoints = (points: number, login = "viewer", guild = guildId) =>
      pool.query(
        `insert into viewer_points (guild_id, broadcaster_id, viewer_user_id, viewer_login, viewer_display_name, points)
         values ($3, '2000', '5', $2, 'Viewer', $1)`,
        [points, login, guild],
      );

    await expect(insertPoints(-1)).rejects.toMatchObject({ code: "23514" });
    await expect(insertPoints(1, "Viewer")).rejects.toMatchObject({ code: "23514" });
    await insertPoints(1);
    await expect(insertPoints(2)).rejects.toMatchObject({ code: "23505", constraint: "viewer_points_pkey" });
    // Another server linking the same channel keeps its own points.
    await insertPoints(2, "viewer", await createGuild());
  });

  it("keeps one EventSub subscription per type and condition, shared by the guilds that need it", async () => {
    const guildId = await createGuild();
    const otherGuildId = await createGuild();
    const insertSubscription = (subscriptionId: string, type: string, condition = '{"broadcaster_user_id": "2000"}') =>
      pool.query<{ id: string }>(
        `insert into twitch_eventsub_subscriptions (twitch_subscription_id, broadcaster_id, type, version, condition, status)
         values ($1, '2000', $2, '1', $3, 'webhook_callback_verification_pending') returning id`,
        [subscriptionId, type, condition],
      );

    const online = await insertSubscription("f1c2a387-161a-49f9-a165-0f21d7a4e1c4", "stream.online");
    await insertSubscription("f1c2a387-161a-49f9-a165-0f21d7a4e1c5", "stream.offline");
    await expect(insertSubscription("f1c2a387-161a-49f9-a165-0f21d7a4e1c6", "stream.online")).rejects.toMatchObject({
      code: "23505",
      constraint: "twitch_eventsub_subscriptions_type_condition_key",
    });
    await expect(insertSubscription("f1c2a387-161a-49f9-a165-0f21d7a4e1c4", "channel.cheer")).rejects.toMatchObject({
      code: "23505",
      constraint: "twitch_eventsub_subscriptions_twitch_subscription_id_key",
    });
    await expect(insertSubscription("x", "channel.follow", "[]")).rejects.toMatchObject({ code: "23514" });

    const subscriptionId = online.rows[0]?.id;
    for (const guild of [guildId, otherGuildId]) {
      await pool.query("insert into twitch_eventsub_subscription_guilds (subscription_id, guild_id) values ($1, $2)", [
        subscriptionId,
        guild,
      ]);
    }
    await pool.query("delete from guilds where id = $1", [guildId]);
    const left = await pool.query(
      "select guild_id from twitch_eventsub_subscription_guilds where subscription_id = $1",
      [subscriptionId],
    );
    expect(left.rows).toEqual([{ guild_id: otherGuildId }]);
  });

  it("marks a Twitch announcement sent only with the chat message that carried it", async () => {
    const guildId = await createGuild();
    const raffleId = await insertRaffle(guildId);
    await pool.query("insert into loot_items (guild_id, name, weight) values ($1, 'Sword', 1)", [guildId]);
    const draw = await pool.query<{ draw_id: string }>(
      `select draw_id from make_raffle($1, now(), 'manual', '[{"id": "5", "login": "viewer", "name": "Viewer"}]', '{0}')`,
      [raffleId],
    );
    const drawId = draw.rows[0]?.draw_id;

    await expect(
      pool.query("update draws set twitch_announcement_status = 'sent' where id = $1", [drawId]),
    ).rejects.toMatchObject({ code: "23514" });
    await expect(
      pool.query("update draws set twitch_announcement_status = 'shouted' where id = $1", [drawId]),
    ).rejects.toMatchObject({ code: "23514" });
    await expect(
      pool.query("update draws set twitch_announcement_error = repeat('x', 1001) where id = $1", [drawId]),
    ).rejects.toMatchObject({ code: "23514" });
    await pool.query(
      "update draws set twitch_announcement_status = 'dropped', twitch_announcement_error = 'msg_duplicate' where id = $1",
      [drawId],
    );
    await pool.query(
      "update draws set twitch_announcement_status = 'sent', twitch_message_id = 'abc-123', twitch_announcement_error = null where id = $1",
      [drawId],
    );
  });
});
