import { randomInt } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMigratedTestDatabase, type MigratedTestDatabase } from "../../support/testDatabase";

/** insert_items against real Postgres: validation, case-insensitive upsert, verbatim names. */

interface ItemRow {
  outcome: "inserted" | "updated";
  item_id: string;
  name: string;
  weight: number;
  stock: number | null;
  enabled: boolean;
}

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

function createGuildId(): string {
  return String(randomInt(1, 2 ** 47));
}

async function insertItems(guildId: string, items: unknown): Promise<ItemRow[]> {
  const result = await pool.query<ItemRow>("select * from insert_items($1, $2::jsonb)", [
    guildId,
    JSON.stringify(items),
  ]);
  return result.rows;
}

async function listItems(guildId: string) {
  const result = await pool.query<{ id: string; name: string; weight: number; stock: number | null }>(
    "select id, name, weight, stock from loot_items where guild_id = $1 order by id",
    [guildId],
  );
  return result.rows;
}

describe("insert_items", () => {
  it("inserts a batch, creating the guild, and returns the rows in input order", async () => {
    const guildId = createGuildId();

    const rows = await insertItems(guildId, [
      { name: "Sword", weight: 10 },
      { name: "Shield", weight: 5, stock: 3 },
      { name: "Potion", weight: 1_000_000, stock: null },
    ]);

    expect(rows).toEqual([
      { outcome: "inserted", item_id: expect.any(String), name: "Sword", weight: 10, stock: null, enabled: true },
      { outcome: "inserted", item_id: expect.any(String), name: "Shield", weight: 5, stock: 3, enabled: true },
      {
        outcome: "inserted",
        item_id: expect.any(String),
        name: "Potion",
        weight: 1_000_000,
        stock: null,
        enabled: true,
      },
    ]);
    const guild = await pool.query("select id from guilds where id = $1", [guildId]);
    expect(guild.rowCount).toBe(1);
  });

  it("updates case-insensitively, taking the new spelling, weight and stock and keeping enabled", async () => {
    const guildId = createGuildId();
    const [sword] = await insertItems(guildId, [{ name: "Sword", weight: 10, stock: 4 }]);
    await pool.query("update loot_items set enabled = false where id = $1", [sword?.item_id]);

    const rows = await insertItems(guildId, [
      { name: "sWORD", weight: 3 },
      { name: "Bow", weight: 2 },
    ]);

    expect(rows).toEqual([
      { outcome: "updated", item_id: sword?.item_id, name: "sWORD", weight: 3, stock: null, enabled: false },
      { outcome: "inserted", item_id: expect.any(String), name: "Bow", weight: 2, stock: null, enabled: true },
    ]);
    expect((await listItems(guildId)).map((item) => item.name)).toEqual(["sWORD", "Bow"]);
  });

  it("keeps each guild's items apart", async () => {
    const first = createGuildId();
    const second = createGuildId();

    await insertItems(first, [{ name: "Sword", weight: 1 }]);
    const rows = await insertItems(second, [{ name: "sword", weight: 2 }]);

    expect(rows[0]?.outcome).toBe("inserted");
    expect(await listItems(first)).toMatchObject([{ name: "Sword", weight: 1 }]);
  });

  it("stores an SQL-looking name verbatim", async () => {
    const guildId = createGuildId();
    const name = "'); drop table loot_items; --";

    const rows = await insertItems(guildId, [{ name, weight: 1 }]);

    expect(rows[0]?.name).toBe(name);
    expect(await listItems(guildId)).toMatchObject([{ name }]);
  });

  it("counts a name's length in characters, so 100 emoji fit", async () => {
    const guildId = createGuildId();
    const name = "🎁".repeat(100); // 200 UTF-16 units, 100 characters

    const rows = await insertItems(guildId, [{ name, weight: 1 }]);

    expect(rows[0]?.name).toBe(name);
  });

  it.each([
    [
      "weight 0",
      { name: "Sword", weight: 0 },
      "23514",
      "weight",
      /item 2 "Sword": weight must be from 1 to 1000000, got 0/,
    ],
    ["weight -1", { name: "Sword", weight: -1 }, "23514", "weight", /weight must be from 1 to 1000000, got -1/],
    ["weight 1000001", { name: "Sword", weight: 1_000_001 }, "23514", "weight", /got 1000001/],
    [
      "a 101-character name",
      { name: "x".repeat(101), weight: 1 },
      "23514",
      "name",
      /name must be 1 to 100 characters, got 101/,
    ],
    ["an empty name", { name: "", weight: 1 }, "23514", "name", /name must be 1 to 100 characters, got 0/],
    ["a blank name", { name: "   ", weight: 1 }, "23514", "name", /name must not be blank/],
    ["a negative stock", { name: "Sword", weight: 1, stock: -1 }, "23514", "stock", /stock must be from 0/],
    ["a fractional weight", { name: "Sword", weight: 1.5 }, "22023", "weight", /weight must be a whole number/],
    ["a weight given as text", { name: "Sword", weight: "10" }, "22023", "weight", /weight must be a whole number/],
    ["a missing weight", { name: "Sword" }, "22023", "weight", /weight must be a whole number, got nothing/],
    ["a missing name", { weight: 1 }, "22023", "name", /item 2: name must be text/],
  ])("refuses %s with a clear error and writes nothing", async (_label, badItem, code, column, message) => {
    const guildId = createGuildId();

    const attempt = insertItems(guildId, [{ name: "Fine", weight: 1 }, badItem]);

    await expect(attempt).rejects.toMatchObject({ code, column });
    await expect(attempt).rejects.toThrow(message);
    expect(await listItems(guildId)).toEqual([]);
  });

  it("refuses the same name twice in one batch, naming it", async () => {
    const guildId = createGuildId();

    const attempt = insertItems(guildId, [
      { name: "Sword", weight: 1 },
      { name: "SWORD", weight: 2 },
    ]);

    await expect(attempt).rejects.toMatchObject({ code: "23505", column: "name" });
    await expect(attempt).rejects.toThrow(/item 2 "SWORD": the same name appears twice/);
  });

  it("refuses anything but an array of objects", async () => {
    const guildId = createGuildId();

    await expect(insertItems(guildId, { name: "Sword", weight: 1 })).rejects.toMatchObject({ code: "22023" });
    await expect(insertItems(guildId, ["Sword:1"])).rejects.toMatchObject({ code: "22023" });
  });

  it("returns nothing for an empty list", async () => {
    expect(await insertItems(createGuildId(), [])).toEqual([]);
  });

  it("is backed by the table's own constraints", async () => {
    const guildId = createGuildId();
    await insertItems(guildId, [{ name: "Sword", weight: 1 }]);

    await expect(
      pool.query("insert into loot_items (guild_id, name, weight) values ($1, 'SWORD', 1)", [guildId]),
    ).rejects.toMatchObject({ code: "23505", constraint: "loot_items_guild_name_key" });
    await expect(
      pool.query("insert into loot_items (guild_id, name, weight) values ($1, 'Axe', 0)", [guildId]),
    ).rejects.toMatchObject({ code: "23514" });
    await expect(
      pool.query("insert into loot_items (guild_id, name, weight) values ($1, $2, 1)", [guildId, "x".repeat(101)]),
    ).rejects.toMatchObject({ code: "23514" });
  });
});
