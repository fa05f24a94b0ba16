import { describe, expect, it } from "vitest";
import { serverLimits } from "../../../worker/raffle/serverLimits";
import { message, readItems, useTestDatabase } from "../../support/worker/commandHelpers";
import { discordControl, readEditedReply, runCommand } from "../../support/worker/fakes";
import { createScene, createSnowflake, type InteractionScene } from "../../support/worker/interactions";

// What one server may hold (issue 21; sql/migrations/0017_server_limits.sql): a server at a limit
// is refused one more, by every command that writes and by the database itself, with a message
// naming the limit in the user's language, and nothing is written.
const database = useTestDatabase();

type CommandResult = Awaited<ReturnType<typeof runCommand>>;

/** What the user ends up reading: the immediate ephemeral answer, or the deferred reply once edited. */
async function readReply(result: CommandResult): Promise<string | undefined> {
  expect(result.status).toBe(200);
  expect(result.body.data?.flags).toBe(64);
  if (result.body.type === 4) return result.body.data?.content;
  expect(result.body.type).toBe(5);
  return (await readEditedReply(result.token))?.content;
}

/** Fills a server's loot table to `count` items through insert_items, as /loot import would. */
async function fillLootTable(guildId: string, count: number): Promise<void> {
  await database.query("insert into guilds (id) values ($1) on conflict do nothing", [guildId]);
  const items = Array.from({ length: count }, (_, index) => ({ name: `Filler ${index}`, weight: 1, stock: null }));
  await database.query("select count(*) from insert_items($1, $2::jsonb)", [guildId, JSON.stringify(items)]);
}

async function countItems(guildId: string): Promise<number> {
  const [row] = await database.query<{ count: string }>("select count(*) from loot_items where guild_id = $1", [
    guildId,
  ]);
  return Number(row?.count);
}

/** `count` unused codes for an item, sealed-looking (the vault's format), straight into the table. */
async function addStoredCodes(guildId: string, itemName: string, count: number): Promise<void> {
  await database.query(
    `with item as (select id from loot_items where guild_id = $1 and name = $2)
     insert into loot_codes (guild_id, item_id, seal_id, code_ciphertext, code_key_id, code_digest)
     select $1, item.id, gen_random_uuid(), repeat('A', 60), 'test-key', encode(sha256(gen_random_uuid()::text::bytea), 'hex')
     from item, generate_series(1, $3)`,
    [guildId, itemName, count],
  );
  await database.query(
    `update loot_items li set stock = (select count(*) from loot_codes lc where lc.item_id = li.id and lc.status = 'available')
     where guild_id = $1 and name = $2`,
    [guildId, itemName],
  );
}

async function countCodes(guildId: string): Promise<number> {
  const [row] = await database.query<{ count: string }>("select count(*) from loot_codes where guild_id = $1", [
    guildId,
  ]);
  return Number(row?.count);
}

function uniqueCodes(count: number): string {
  const run = createSnowflake().slice(-8);
  return Array.from({ length: count }, (_, index) => `LIMIT-${run}-${index}`).join("\n");
}

async function uploadCsv(scene: InteractionScene, content: string) {
  return discordControl().uploadAttachment({
    filename: "loot.csv",
    content,
    contentType: "text/csv",
    channelId: scene.channelId,
  });
}

describe("items per server", () => {
  it("refuses one more item by /loot add, /loot import text and file, in English and Portuguese", async () => {
    const scene = createScene();
    await fillLootTable(scene.guildId, serverLimits.lootItems);
    const refusal = message("lootItemsLimitReached", { maximum: "1,000" });

    expect(await readReply(await runCommand(scene, "loot", "add", { name: "One more", weight: 1 }))).toBe(refusal);
    expect(await readReply(await runCommand(scene, "loot", "import", { items: "One more:1, Another:2" }))).toBe(
      refusal,
    );
    const file = await uploadCsv(scene, "name,weight,stock\nOne more,1,\n");
    expect(await readReply(await runCommand(scene, "loot", "import", {}, { attachments: { file } }))).toBe(refusal);
    // A file and text together, all or none: the updates in it are not saved either.
    const mixed = await uploadCsv(scene, "name,weight,stock\nFiller 1,9,\n");
    expect(
      await readReply(
        await runCommand(scene, "loot", "import", { items: "One more:1" }, { attachments: { file: mixed } }),
      ),
    ).toBe(refusal);
    expect(await countItems(scene.guildId)).toBe(serverLimits.lootItems);
    expect((await readItems(database, scene.guildId)).find((item) => item.name === "Filler 1")?.weight).toBe(1);

    const portuguese = { ...scene, locale: "pt-BR" };
    expect(await readReply(await runCommand(portuguese, "loot", "add", { name: "Mais um", weight: 1 }))).toBe(
      message("lootItemsLimitReached", { maximum: "1.000" }, "pt-BR"),
    );

    // At the limit, the items it has can still change.
    expect(await readReply(await runCommand(scene, "loot", "add", { name: "filler 2", weight: 7 }))).toBe(
      message("lootUpdated", { name: "filler 2", weight: "7", stock: "unlimited" }),
    );
    expect(await readReply(await runCommand(scene, "loot", "import", { items: "Filler 3:4, Filler 4:5x2" }))).toBe(
      message("lootImported", { inserted: 0, updated: 2 }),
    );
    // One removed, one can come.
    await database.query("delete from loot_items where guild_id = $1 and name = 'Filler 0'", [scene.guildId]);
    expect(await readReply(await runCommand(scene, "loot", "add", { name: "One more", weight: 1 }))).toBe(
      message("lootAdded", { name: "One more", weight: "1", stock: "unlimited" }),
    );
  });

  it("is enforced by insert_items itself, with a distinct error naming the limit", async () => {
    const guildId = createSnowflake();
    await fillLootTable(guildId, serverLimits.lootItems - 1);
    const refused = await database
      .query("select * from insert_items($1, $2::jsonb)", [
        guildId,
        JSON.stringify([
          { name: "Last", weight: 1, stock: null },
          { name: "Past it", weight: 1, stock: null },
        ]),
      ])
      .then(
        () => undefined,
        (error: unknown) => error as { code?: string; constraint?: string; message?: string },
      );
    expect(refused).toMatchObject({ code: "54000", constraint: "loot_items_per_guild" });
    expect(refused?.message).toContain("at most 1000");
    expect(await countItems(guildId)).toBe(serverLimits.lootItems - 1);
    // Another server is not affected by this one being full.
    await fillLootTable(guildId, serverLimits.lootItems);
    const other = createSnowflake();
    await fillLootTable(other, 3);
    expect(await countItems(other)).toBe(3);
  });

  it("lets two concurrent imports at the edge not both pass", async () => {
    const guildId = createSnowflake();
    await fillLootTable(guildId, serverLimits.lootItems - 1);
    const attempts = await Promise.allSettled(
      ["Racer A", "Racer B"].map((name) =>
        database.query("select * from insert_items($1, $2::jsonb)", [
          guildId,
          JSON.stringify([{ name, weight: 1, stock: null }]),
        ]),
      ),
    );
    expect(attempts.map((attempt) => attempt.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(await countItems(guildId)).toBe(serverLimits.lootItems);
  });
});

describe("two writers at the edge of a limit", () => {
  // The first writer's transaction stays open a moment after its row; the second writes meanwhile.
  // Without the trigger's per-server lock, each would count only its own row beside the committed ones.
  const cases = [
    {
      table: "loot_items",
      fill: (guildId: string) => fillLootTable(guildId, serverLimits.lootItems - 1),
      insert: "insert into loot_items (guild_id, name, weight) values ($1, $2, 1)",
      count: countItems,
      limit: serverLimits.lootItems,
    },
    {
      table: "excluded_viewers",
      fill: async (guildId: string) => {
        await database.query("insert into guilds (id) values ($1)", [guildId]);
        await database.query(
          "insert into excluded_viewers (guild_id, twitch_login) select $1, 'edge_' || n from generate_series(1, $2) n",
          [guildId, serverLimits.exclusions - 1],
        );
      },
      insert: "insert into excluded_viewers (guild_id, twitch_login) values ($1, $2)",
      count: async (guildId: string) => {
        const [row] = await database.query<{ count: string }>(
          "select count(*) from excluded_viewers where guild_id = $1",
          [guildId],
        );
        return Number(row?.count);
      },
      limit: serverLimits.exclusions,
    },
  ];
  for (const entry of cases) {
    it(`cannot both pass: ${entry.table}`, async () => {
      const guildId = createSnowflake();
      await entry.fill(guildId);
      const first = database.batch([
        { text: entry.insert, values: [guildId, "racer_a"] },
        { text: "select pg_sleep(1)", values: [] },
      ]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const second = database.query(entry.insert, [guildId, "racer_b"]);
      const attempts = await Promise.allSettled([first, second]);
      expect(attempts.map((attempt) => attempt.status)).toEqual(["fulfilled", "rejected"]);
      expect(await entry.count(guildId)).toBe(entry.limit);
    });
  }
});

describe("prize codes", () => {
  it("refuses codes past an item's limit, before sealing, and in the database", async () => {
    const scene = createScene();
    await fillLootTable(scene.guildId, 1);
    await addStoredCodes(scene.guildId, "Filler 0", serverLimits.codesPerItem - 2);
    const reply = await readReply(
      await runCommand(scene, "loot", "codes", { name: "Filler 0", codes: uniqueCodes(3) }),
    );
    expect(reply).toBe(
      message("lootCodesPerItemLimitReached", { name: "Filler 0", maximum: "1,000", count: 998, added: 3 }),
    );
    expect(await countCodes(scene.guildId)).toBe(serverLimits.codesPerItem - 2);
    const portuguese = await readReply(
      await runCommand({ ...scene, locale: "pt-BR" }, "loot", "codes", { name: "Filler 0", codes: uniqueCodes(3) }),
    );
    expect(portuguese).toBe(
      message("lootCodesPerItemLimitReached", { name: "Filler 0", maximum: "1.000", count: 998, added: 3 }, "pt-BR"),
    );
    // Two fit.
    expect(await readReply(await runCommand(scene, "loot", "codes", { name: "Filler 0", codes: uniqueCodes(2) }))).toBe(
      message("lootCodesAdded", { added: 2, name: "Filler 0", available: 1000 }),
    );

    // add_loot_codes itself refuses the 1,001st unused code of an item.
    const [item] = await database.query<{ id: string }>(
      "select id::text from loot_items where guild_id = $1 and name = 'Filler 0'",
      [scene.guildId],
    );
    const refused = await database
      .query("select * from add_loot_codes($1, $2, $3::jsonb)", [
        scene.guildId,
        item?.id,
        JSON.stringify([
          { seal_id: crypto.randomUUID(), ciphertext: "A".repeat(60), key_id: "test-key", digest: "ab".repeat(32) },
        ]),
      ])
      .then(
        () => undefined,
        (error: unknown) => error as { code?: string; constraint?: string },
      );
    expect(refused).toMatchObject({ code: "54000", constraint: "loot_codes_per_item" });
    expect(await countCodes(scene.guildId)).toBe(serverLimits.codesPerItem);
  });

  it("refuses codes past the server's limit across its items", async () => {
    const scene = createScene();
    const perItem = serverLimits.codesPerItem;
    const items = serverLimits.codesPerServer / perItem;
    await fillLootTable(scene.guildId, items + 1);
    for (let index = 0; index < items; index += 1) await addStoredCodes(scene.guildId, `Filler ${index}`, perItem);
    const reply = await readReply(
      await runCommand(scene, "loot", "codes", { name: `Filler ${items}`, codes: uniqueCodes(1) }),
    );
    expect(reply).toBe(message("lootCodesPerServerLimitReached", { maximum: "10,000" }));
    expect(await countCodes(scene.guildId)).toBe(serverLimits.codesPerServer);
    const [stock] = await database.query<{ stock: number | null }>(
      "select stock from loot_items where guild_id = $1 and name = $2",
      [scene.guildId, `Filler ${items}`],
    );
    expect(stock?.stock).toBeNull();
  });
});

describe("exclusions per server", () => {
  it("refuses one more exclusion, still answers for one already there", async () => {
    const scene = createScene();
    await database.query("insert into guilds (id) values ($1)", [scene.guildId]);
    await database.query(
      "insert into excluded_viewers (guild_id, twitch_login) select $1, 'excluded_' || n from generate_series(1, $2) n",
      [scene.guildId, serverLimits.exclusions],
    );
    const english = await readReply(await runCommand(scene, "raffle", "exclude", { user: "one_more_viewer" }));
    expect(english).toBe(message("raffleExclusionsLimitReached", { maximum: "1,000", login: "one_more_viewer" }));
    const portuguese = await readReply(
      await runCommand({ ...scene, locale: "pt-BR" }, "raffle", "exclude", { user: "one_more_viewer" }),
    );
    expect(portuguese).toBe(
      message("raffleExclusionsLimitReached", { maximum: "1.000", login: "one_more_viewer" }, "pt-BR"),
    );
    expect(await readReply(await runCommand(scene, "raffle", "exclude", { user: "excluded_7" }))).toBe(
      message("raffleAlreadyExcluded", { login: "excluded_7" }),
    );
    const [row] = await database.query<{ count: string }>("select count(*) from excluded_viewers where guild_id = $1", [
      scene.guildId,
    ]);
    expect(Number(row?.count)).toBe(serverLimits.exclusions);
    // Including one makes room.
    await runCommand(scene, "raffle", "include", { user: "excluded_7" });
    expect(await readReply(await runCommand(scene, "raffle", "exclude", { user: "one_more_viewer" }))).toBe(
      message("raffleExcluded", { login: "one_more_viewer" }),
    );
  });
});
