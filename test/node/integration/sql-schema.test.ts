import { randomBytes, randomInt } from "node:crypto";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../../scripts/migrate";
import { decideDraw, formatManualSlotLabel } from "../../../worker/fairness/livelootV1";
import {
  createMigratedTestDatabase,
  createTestDatabase,
  type MigratedTestDatabase,
  queryDatabase,
} from "../../support/testDatabase";

/** The invariants the migrations promise, checked against the database itself. */

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

/**
 * Records a manual draw of the raffle with one viewer in chat, as the Worker does: read the slot
 * (read_draw_entrants), decide with liveloot/v1, record (record_draw). Returns the draw's id.
 */
async function recordDraw(raffleId: string, slotAt = new Date()): Promise<string> {
  const viewer = { id: "5", login: "viewer", name: "Viewer" };
  const read = await pool.query<{
    outcome: string;
    public_id: string;
    items: Array<{ id: string; name: string; weight: number }>;
  }>("select outcome, public_id, items from read_draw_entrants($1::jsonb)", [
    JSON.stringify([{ raffle_id: raffleId, slot_at: slotAt.toISOString(), kind: "manual", candidates: [viewer] }]),
  ]);
  const row = read.rows[0];
  if (row?.outcome !== "ready") throw new Error(`the slot is ${row?.outcome}, not ready`);
  const randomness = randomBytes(32);
  const slot = formatManualSlotLabel(randomBytes(9).toString("base64url"));
  const decided = await decideDraw({
    randomness,
    raffle: row.public_id,
    slot,
    entrants: [{ id: viewer.id, weight: 1 }],
    items: row.items.map(({ id, weight }) => ({ id, weight })),
  });
  const names = new Map(row.items.map((item) => [item.id, item.name]));
  const made = await pool.query<{ outcome: string; draw_id: string }>(
    "select outcome, draw_id from record_draw($1, $2, 'manual', $3::jsonb)",
    [
      raffleId,
      slotAt,
      JSON.stringify({
        slot,
        entrants_read_at: new Date().toISOString(),
        round: null,
        signature: null,
        randomness: randomness.toString("hex"),
        entrants: [[viewer.id, viewer.login, 1]],
        entrants_sha256: decided.entrants.sha256,
        items: decided.items.entries.map(({ id, weight }) => [id, names.get(id), weight]),
        items_sha256: decided.items.sha256,
        item_id: decided.itemId,
        winner: viewer,
        chatters_seen: 1,
        excluded_count: 0,
        cooling_down_count: 0,
      }),
    ],
  );
  if (made.rows[0]?.outcome !== "drawn") throw new Error(`record_draw answered ${made.rows[0]?.outcome}`);
  return made.rows[0].draw_id;
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
    const drawId = await recordDraw(raffleId);

    await pool.query("delete from loot_items where id = $1", [item.rows[0]?.id]);

    const kept = await pool.query("select item_id, item_name, guild_id from draws where id = $1", [drawId]);
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
    const drawId = await recordDraw(raffleId);

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

  it("finds what a key seals by index, for the rotation's re-seal and /admin/keys (0018)", async () => {
    const codesPlan = await explain(
      "select id from loot_codes where code_key_id = $1 order by updated_at, id limit 200",
      ["k-00000000"],
    );
    const linksPlan = await explain(
      "select guild_id from twitch_links where token_key_id = $1 order by updated_at, guild_id limit 200",
      ["k-00000000"],
    );
    expect(codesPlan).toContain("loot_codes_by_key");
    expect(linksPlan).toContain("twitch_links_by_key");
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
    const drawId = await recordDraw(raffleId);

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

describe("schema: provable fairness (0012)", () => {
  const publicIdPattern = /^[A-Za-z0-9_-]{22}$/;

  async function createRaffleWithItem(): Promise<string> {
    const guildId = await createGuild();
    await pool.query("insert into loot_items (guild_id, name, weight) values ($1, 'Sword', 1)", [guildId]);
    return insertRaffle(guildId);
  }

  it("gives every raffle a random public id of 22 URL-safe characters, unique, by default", async () => {
    const guildId = await createGuild();
    const inserted = await pool.query<{ public_id: string }>(
      `insert into raffles (guild_id, discord_channel_id, twitch_broadcaster_id, twitch_broadcaster_login, status,
         status_reason, stopped_at)
       select $1, '42', '1000', 'the_streamer', 'stopped', 'stopped_by_user', now() from generate_series(1, 500)
       returning public_id`,
      [guildId],
    );

    const publicIds = inserted.rows.map((row) => row.public_id);
    for (const publicId of publicIds) expect(publicId).toMatch(publicIdPattern);
    expect(new Set(publicIds).size).toBe(500);
    // 122 random bits: among 500 ids every character position takes many values.
    expect(new Set(publicIds.map((publicId) => publicId[0])).size).toBeGreaterThan(30);

    await expect(insertRaffle(await createGuild(), { public_id: publicIds[0] })).rejects.toMatchObject({
      code: "23505",
      constraint: "raffles_public_id_unique",
    });
    for (const publicId of ["short", "has spaces in it, twenty+", "slash/is/not/url/safe/x", "x".repeat(65)]) {
      await expect(insertRaffle(await createGuild(), { public_id: publicId }), publicId).rejects.toMatchObject({
        code: "23514",
        constraint: "raffles_public_id_format",
      });
    }
    await expect(insertRaffle(await createGuild(), { public_id: null })).rejects.toMatchObject({ code: "23502" });
  });

  it("keeps a raffle's rules optional and at most 1000 characters", async () => {
    await insertRaffle(await createGuild(), { rules: null });
    await insertRaffle(await createGuild(), { rules: "é".repeat(1000) });

    for (const rules of ["", "x".repeat(1001)]) {
      await expect(insertRaffle(await createGuild(), { rules }), `${rules.length} characters`).rejects.toMatchObject({
        code: "23514",
      });
    }
  });

  it("stores a server's items list once per hash, however many draws publish it (0025)", async () => {
    const raffleId = await createRaffleWithItem();
    // The same viewer may win again at once, so the raffle can be drawn twice by hand.
    await pool.query("update raffles set cooldown_minutes = 0 where id = $1", [raffleId]);
    const first = await recordDraw(raffleId, new Date(Date.now() - 120_000));
    const second = await recordDraw(raffleId, new Date(Date.now() - 60_000));
    const draws = await pool.query<{ item_list_id: string | null; items: unknown }>(
      "select item_list_id, items from draws where id = any($1::bigint[])",
      [[first, second]],
    );
    expect(draws.rows).toHaveLength(2);
    for (const row of draws.rows) {
      expect(row.items).toBeNull();
      expect(row.item_list_id).not.toBeNull();
    }
    expect(new Set(draws.rows.map((row) => row.item_list_id)).size).toBe(1);
    const lists = await pool.query<{ items: unknown[] }>("select items from draw_item_lists where id = $1", [
      draws.rows[0]?.item_list_id,
    ]);
    expect(lists.rows[0]?.items).toHaveLength(1);
  });

  it("keeps a liveloot/v1 draw's proof whole: no part of it can be taken away", async () => {
    const drawId = await recordDraw(await createRaffleWithItem());

    for (const column of [
      "algorithm",
      "slot_label",
      "randomness",
      "entrants_read_at",
      "entrants",
      "entrants_sha256",
      "item_list_id",
      "items_sha256",
    ]) {
      await expect(
        pool.query(`update draws set ${column} = null where id = $1`, [drawId]),
        column,
      ).rejects.toMatchObject({ code: "23514", constraint: "draws_proof_complete" });
    }
    const stored = await pool.query("select algorithm, beacon_round, luck, winner_roll from draws where id = $1", [
      drawId,
    ]);
    expect(stored.rows).toEqual([{ algorithm: "liveloot/v1", beacon_round: null, luck: false, winner_roll: null }]);
    // A liveloot/v1 draw has no legacy roll, with luck or without.
    await pool.query("update draws set luck = true where id = $1", [drawId]);
  });

  it("refuses proof columns out of their format", async () => {
    const drawId = await recordDraw(await createRaffleWithItem());

    for (const [column, value] of [
      ["algorithm", "liveloot/v2"],
      ["slot_label", "2026-03-01 20:00"],
      ["slot_label", "manual-"],
      ["randomness", "ab"],
      ["randomness", "G".repeat(64)],
      ["entrants_sha256", "A".repeat(64)],
      ["items_sha256", "0".repeat(63)],
      ["entrants", '{"id": "5"}'],
      ["items", '"[]"'],
    ]) {
      await expect(
        pool.query(`update draws set ${column} = $2 where id = $1`, [drawId, value]),
        `${column} = ${value}`,
      ).rejects.toMatchObject({ code: "23514" });
    }
    await pool.query("update draws set slot_label = '2026-03-01T20:00Z' where id = $1", [drawId]);
  });

  it("records a beacon round exactly together with its signature", async () => {
    const drawId = await recordDraw(await createRaffleWithItem());
    const signature = randomBytes(48).toString("hex");

    await expect(pool.query("update draws set beacon_round = 1000 where id = $1", [drawId])).rejects.toMatchObject({
      code: "23514",
      constraint: "draws_round_has_signature",
    });
    await expect(
      pool.query("update draws set beacon_signature = $2 where id = $1", [drawId, signature]),
    ).rejects.toMatchObject({ code: "23514", constraint: "draws_round_has_signature" });
    await expect(
      pool.query("update draws set beacon_round = 0, beacon_signature = $2 where id = $1", [drawId, signature]),
    ).rejects.toMatchObject({ code: "23514" });
    await pool.query("update draws set beacon_round = 1000, beacon_signature = $2 where id = $1", [drawId, signature]);
  });

  it("still takes a legacy draw record whole, and refuses one without its random words", async () => {
    const guildId = await createGuild();
    const raffleId = await insertRaffle(guildId);
    const insertLegacyDraw = (drawNumber: number, randomWords: string | null, luck = false) =>
      pool.query(
        `insert into draws (raffle_id, guild_id, kind, slot_at, item_name, winner_twitch_user_id, winner_twitch_login,
           winner_twitch_display_name, random_words, item_roll, item_pool, candidates, candidate_count, draw_number,
           luck)
         values ($1, $2, 'manual', now() + make_interval(secs => $3), 'Sword', '5', 'viewer', 'Viewer', $4, 0, '[]',
           '[]', 1, $3, $5)`,
        [raffleId, guildId, drawNumber, randomWords, luck],
      );

    await insertLegacyDraw(1, "{1}");
    await expect(insertLegacyDraw(2, null)).rejects.toMatchObject({
      code: "23514",
      constraint: "draws_proof_complete",
    });
    // Before 0012 a draw with luck kept its winner roll; a legacy record without one is still refused.
    await expect(insertLegacyDraw(3, "{1}", true)).rejects.toMatchObject({
      code: "23514",
      constraint: "draws_luck_has_winner_roll",
    });
  });

  it("gives raffles made before 0012 distinct public ids and keeps their draws as legacy records", async () => {
    const database = await createTestDatabase();
    const directory = await mkdtemp(join(tmpdir(), "liveloot-sql-0012-"));
    try {
      const sqlDirectory = join(import.meta.dirname, "..", "..", "..", "sql");
      // The schema as it was before 0012: its migrations, and no functions (none is needed here).
      await cp(join(sqlDirectory, "migrations"), join(directory, "migrations"), {
        recursive: true,
        filter: (source) => !source.endsWith(".sql") || basename(source) < "0012_",
      });
      await cp(join(sqlDirectory, "functions"), join(directory, "functions"), {
        recursive: true,
        filter: (source) => !source.endsWith(".sql"),
      });
      const before = await migrate({ databaseUrl: database.url, directory, log: () => {} });
      expect(before.applied.at(-1)).toBe("0011_drop_condition_broadcaster_index.sql");
      const guildId = "123456789012345678";
      await queryDatabase(database.url, "insert into guilds (id) values ($1)", [guildId]);
      await queryDatabase(
        database.url,
        `insert into raffles (guild_id, discord_channel_id, twitch_broadcaster_id, twitch_broadcaster_login, status,
           status_reason, stopped_at)
         values ($1, '42', '1000', 'the_streamer', 'stopped', 'stopped_by_user', now()),
                ($1, '42', '1000', 'the_streamer', 'running', null, null)`,
        [guildId],
      );
      const [raffle] = await queryDatabase<{ id: string }>(database.url, "select min(id) as id from raffles");
      await queryDatabase(
        database.url,
        `insert into draws (raffle_id, guild_id, kind, slot_at, item_name, winner_twitch_user_id, winner_twitch_login,
           winner_twitch_display_name, random_words, item_roll, item_pool, candidates, candidate_count, draw_number)
         values ($1, $2, 'manual', now(), 'Sword', '5', 'viewer', 'Viewer', '{7}', 0, '[{"id": 1, "weight": 1}]',
           '[{"id": "5", "login": "viewer", "name": "Viewer"}]', 1, 1)`,
        [raffle?.id, guildId],
      );

      const after = await migrate({ databaseUrl: database.url, log: () => {} });

      expect(after.applied[0]).toBe("0012_provable_fairness.sql");
      const raffles = await queryDatabase<{ public_id: string; rules: string | null }>(
        database.url,
        "select public_id, rules from raffles order by id",
      );
      expect(raffles).toHaveLength(2);
      for (const row of raffles)
        expect(row).toEqual({ public_id: expect.stringMatching(publicIdPattern), rules: null });
      expect(raffles[0]?.public_id).not.toBe(raffles[1]?.public_id);
      const draws = await queryDatabase(
        database.url,
        "select algorithm, slot_label, entrants, beacon_round, random_words, item_roll, candidates from draws",
      );
      expect(draws).toEqual([
        {
          algorithm: null,
          slot_label: null,
          entrants: null,
          beacon_round: null,
          random_words: ["7"],
          item_roll: "0",
          candidates: [{ id: "5", login: "viewer", name: "Viewer" }],
        },
      ]);
      // Only the new record_draw is left: the one taking random words is dropped.
      const signatures = await queryDatabase<{ arguments: string }>(
        database.url,
        "select pg_get_function_identity_arguments(oid) as arguments from pg_proc where proname = 'record_draw'",
      );
      expect(signatures).toEqual([
        { arguments: "raffle_id bigint, slot_at timestamp with time zone, kind text, decision jsonb" },
      ]);
    } finally {
      await database.drop();
      await rm(directory, { recursive: true, force: true });
    }
  });
});

describe("schema: a draw's terms (0020)", () => {
  it("makes every raffle's current terms its version 1 and points its existing draws at them, in place", async () => {
    const database = await createTestDatabase();
    const directory = await mkdtemp(join(tmpdir(), "liveloot-sql-0020-"));
    try {
      const sqlDirectory = join(import.meta.dirname, "..", "..", "..", "sql");
      // The schema as it was before 0020: its migrations, and no functions (none is needed here).
      await cp(join(sqlDirectory, "migrations"), join(directory, "migrations"), {
        recursive: true,
        filter: (source) => !source.endsWith(".sql") || basename(source) < "0020_",
      });
      await cp(join(sqlDirectory, "functions"), join(directory, "functions"), {
        recursive: true,
        filter: (source) => !source.endsWith(".sql"),
      });
      await migrate({ databaseUrl: database.url, directory, log: () => {} });
      const guildId = "223456789012345678";
      await queryDatabase(database.url, "insert into guilds (id) values ($1)", [guildId]);
      await queryDatabase(
        database.url,
        `insert into raffles (guild_id, discord_channel_id, twitch_broadcaster_id, twitch_broadcaster_login, status,
           status_reason, stopped_at, rules, cooldown_minutes, subscribers_only)
         values ($1, '42', '1000', 'first_channel', 'stopped', 'stopped_by_user', now(), 'Old rules', 10, true),
                ($1, '42', '2000', 'second_channel', 'running', null, null, null, 30, false)`,
        [guildId],
      );
      const raffles = await queryDatabase<{ id: string }>(database.url, "select id from raffles order by id");
      for (const [index, raffle] of raffles.entries()) {
        await queryDatabase(
          database.url,
          `insert into draws (raffle_id, guild_id, kind, slot_at, item_name, winner_twitch_user_id, winner_twitch_login,
             winner_twitch_display_name, random_words, item_roll, item_pool, candidates, candidate_count, draw_number)
           values ($1, $2, 'manual', now(), 'Sword', '5', 'viewer', 'Viewer', '{7}', 0, '[{"id": 1, "weight": 1}]',
             '[{"id": "5", "login": "viewer", "name": "Viewer"}]', 1, $3)`,
          [raffle.id, guildId, index + 1],
        );
      }

      const after = await migrate({ databaseUrl: database.url, log: () => {} });

      expect(after.applied).toContain("0020_raffle_terms.sql");
      const recorded = await queryDatabase(
        database.url,
        `select d.draw_number, t.version, t.twitch_broadcaster_login, t.rules, t.cooldown_minutes, t.subscribers_only
         from draws d join raffle_terms t on t.id = d.terms_id and t.raffle_id = d.raffle_id order by d.draw_number`,
      );
      expect(recorded).toEqual([
        {
          draw_number: 1,
          version: 1,
          twitch_broadcaster_login: "first_channel",
          rules: "Old rules",
          cooldown_minutes: 10,
          subscribers_only: true,
        },
        {
          draw_number: 2,
          version: 1,
          twitch_broadcaster_login: "second_channel",
          rules: null,
          cooldown_minutes: 30,
          subscribers_only: false,
        },
      ]);
      // From now on a change of terms is a new version; the migrated draw keeps version 1.
      await queryDatabase(
        database.url,
        "update raffles set rules = 'New rules', twitch_broadcaster_login = 'renamed' where id = $1",
        [raffles[1]?.id],
      );
      const versions = await queryDatabase(
        database.url,
        `select t.version, t.rules, t.twitch_broadcaster_login, count(d.id)::integer as draws
         from raffle_terms t left join draws d on d.terms_id = t.id where t.raffle_id = $1
         group by t.id order by t.version`,
        [raffles[1]?.id],
      );
      expect(versions).toEqual([
        { version: 1, rules: null, twitch_broadcaster_login: "second_channel", draws: 1 },
        { version: 2, rules: "New rules", twitch_broadcaster_login: "renamed", draws: 0 },
      ]);
    } finally {
      await database.drop();
      await rm(directory, { recursive: true, force: true });
    }
  });

  it("stamps a new draw with its raffle's newest terms whatever the insert says, and never changes them", async () => {
    const guildId = String(300_000_000_000_000_000n + BigInt(randomInt(1_000_000)));
    await pool.query("insert into guilds (id) values ($1)", [guildId]);
    const inserted = await pool.query<{ id: string }>(
      `insert into raffles (guild_id, discord_channel_id, twitch_broadcaster_id, twitch_broadcaster_login, rules)
       values ($1, '42', '1000', 'streamer', 'First') returning id`,
      [guildId],
    );
    const raffleId = inserted.rows[0]?.id;
    await pool.query("update raffles set rules = 'Second' where id = $1", [raffleId]);
    // Another raffle's terms, offered by the insert: ignored.
    const other = await pool.query<{ id: string }>("select min(id) as id from raffle_terms where raffle_id <> $1", [
      raffleId,
    ]);
    const draw = await pool.query<{ version: number; rules: string }>(
      `with inserted as (
         insert into draws (raffle_id, guild_id, kind, slot_at, item_name, winner_twitch_user_id, winner_twitch_login,
           winner_twitch_display_name, random_words, item_roll, item_pool, candidates, candidate_count, terms_id)
         values ($1, $2, 'manual', now(), 'Sword', '5', 'viewer', 'Viewer', '{7}', 0, '[]', '[]', 1, $3)
         returning terms_id
       )
       select t.version, t.rules from inserted join raffle_terms t on t.id = inserted.terms_id`,
      [raffleId, guildId, other.rows[0]?.id ?? null],
    );
    expect(draw.rows).toEqual([{ version: 2, rules: "Second" }]);
    await expect(
      pool.query(
        "update draws set terms_id = (select min(id) from raffle_terms where raffle_id = $1) where raffle_id = $1",
        [raffleId],
      ),
    ).rejects.toMatchObject({ code: "23000" });
    // An update that changes nothing the page shows starts no version.
    await pool.query("update raffles set rules = 'Second', discord_channel_id = '43' where id = $1", [raffleId]);
    const versions = await pool.query("select version from raffle_terms where raffle_id = $1 order by version", [
      raffleId,
    ]);
    expect(versions.rows.map((row) => row.version)).toEqual([1, 2]);
  });
});
