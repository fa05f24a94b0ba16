import { describe, expect, it } from "vitest";
import { createDatabase } from "../../../worker/db/Database";
import { readConfig } from "../../../worker/env";
import { testEnvironment } from "../../support/worker/callWorker";
import { createSnowflake } from "../../support/worker/interactions";

function openDatabase(transport: "http" | "websocket") {
  const result = readConfig(testEnvironment());
  if (!result.ok) throw new Error("test bindings are invalid");
  return createDatabase(result.config, transport);
}

describe.each(["http", "websocket"] as const)("the %s transport", (transport) => {
  it("returns typed rows and keeps Postgres error codes", async () => {
    const database = openDatabase(transport);
    try {
      const [row] = await database.query<{ id: string; at: Date; tags: string[]; data: { a: number } }>(
        "select 9007199254740993::bigint as id, now() as at, array['x','y'] as tags, '{\"a\":1}'::jsonb as data",
      );
      expect(row?.id).toBe("9007199254740993");
      expect(row?.at).toBeInstanceOf(Date);
      expect(row?.tags).toEqual(["x", "y"]);
      expect(row?.data).toEqual({ a: 1 });
      const guildId = createSnowflake();
      await database.query("insert into guilds (id) values ($1)", [guildId]);
      await expect(database.query("insert into guilds (id) values ($1)", [guildId])).rejects.toMatchObject({
        code: "23505",
        constraint: "guilds_pkey",
      });
    } finally {
      await database.close();
    }
  });

  it("runs a batch in order and counts it as one round trip over HTTP", async () => {
    const database = openDatabase(transport);
    try {
      const before = database.queryCount;
      const results = await database.batch([
        { text: "select 1 as one" },
        { text: "select $1::text as two", values: ["2"] },
      ]);
      expect(results).toEqual([[{ one: 1 }], [{ two: "2" }]]);
      expect(database.queryCount - before).toBe(transport === "http" ? 1 : 2);
    } finally {
      await database.close();
    }
  });
});

describe("a batch over HTTP", () => {
  it("is one transaction: a failing statement undoes the ones before it", async () => {
    const database = openDatabase("http");
    const guildId = createSnowflake();
    await expect(
      database.batch([
        { text: "insert into guilds (id) values ($1)", values: [guildId] },
        { text: "insert into guilds (id) values ($1)", values: [guildId] },
      ]),
    ).rejects.toMatchObject({ code: "23505" });
    expect(await database.query("select id from guilds where id = $1", [guildId])).toEqual([]);
  });
});
