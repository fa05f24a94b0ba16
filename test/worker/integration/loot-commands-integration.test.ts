import { describe, expect, it } from "vitest";
import { callWorker } from "../../support/worker/callWorker";
import {
  createRunningRaffle,
  drawNow,
  expectEphemeralReply,
  message,
  readDraws,
  readEmbed,
  readItems,
  useTestDatabase,
} from "../../support/worker/commandHelpers";
import { runCommand } from "../../support/worker/fakes";
import { buildCommand, createScene } from "../../support/worker/interactions";
import { createSignedInteractionRequest } from "../../support/worker/signInteraction";

const database = useTestDatabase();

async function countGuildRows(guildId: string): Promise<number> {
  const [row] = await database.query<{ total: number }>("select count(*)::int as total from guilds where id = $1", [
    guildId,
  ]);
  return row?.total ?? 0;
}

describe("/loot add", () => {
  it("adds a new item with unlimited stock when stock is omitted", async () => {
    const scene = createScene();
    const result = await runCommand(scene, "loot", "add", { name: "Sword", weight: 10 });
    expectEphemeralReply(result, "Added **Sword** (weight 10, stock unlimited).");
    expect(await readItems(database, scene.guildId)).toEqual([
      { id: expect.any(String), name: "Sword", weight: 10, stock: null, enabled: true },
    ]);
  });

  it("adds an item with the stock given, at the extremes of the weight range", async () => {
    const scene = createScene();
    expectEphemeralReply(
      await runCommand(scene, "loot", "add", { name: "Golden Key", weight: 1_000_000, stock: 3 }),
      "Added **Golden Key** (weight 1,000,000, stock 3).",
    );
    expectEphemeralReply(
      await runCommand(scene, "loot", "add", { name: "Pebble", weight: 1, stock: 1 }),
      "Added **Pebble** (weight 1, stock 1).",
    );
    const items = await readItems(database, scene.guildId);
    expect(items.map(({ name, weight, stock }) => ({ name, weight, stock }))).toEqual([
      { name: "Golden Key", weight: 1_000_000, stock: 3 },
      { name: "Pebble", weight: 1, stock: 1 },
    ]);
  });

  it("updates an existing item matched case-insensitively, keeping one row with the new spelling", async () => {
    const scene = createScene();
    await runCommand(scene, "loot", "add", { name: "Sword", weight: 10 });
    const [before] = await readItems(database, scene.guildId);
    const result = await runCommand(scene, "loot", "add", { name: "sWORD", weight: 20, stock: 2 });
    expectEphemeralReply(result, "Updated **sWORD** (weight 20, stock 2).");
    expect(await readItems(database, scene.guildId)).toEqual([
      { id: before?.id, name: "sWORD", weight: 20, stock: 2, enabled: true },
    ]);
  });

  it("makes a limited item unlimited again when it is updated without a stock", async () => {
    const scene = createScene();
    await runCommand(scene, "loot", "add", { name: "Potion", weight: 5, stock: 3 });
    const result = await runCommand(scene, "loot", "add", { name: "potion", weight: 6 });
    expectEphemeralReply(result, "Updated **potion** (weight 6, stock unlimited).");
    const [item] = await readItems(database, scene.guildId);
    expect(item).toMatchObject({ name: "potion", weight: 6, stock: null });
  });

  it("trims the name before storing it", async () => {
    const scene = createScene();
    await runCommand(scene, "loot", "add", { name: "  Shield  ", weight: 4 });
    expect((await readItems(database, scene.guildId)).map((item) => item.name)).toEqual(["Shield"]);
  });

  it("accepts a name of exactly 100 characters", async () => {
    const scene = createScene();
    const name = "n".repeat(100);
    expectEphemeralReply(
      await runCommand(scene, "loot", "add", { name, weight: 1 }),
      `Added **${name}** (weight 1, stock unlimited).`,
    );
    expect((await readItems(database, scene.guildId))[0]?.name).toBe(name);
  });

  const weightProblem = message("lootWeightInvalid");
  const nameProblem = message("lootNameInvalid");
  const stockProblem = message("lootStockInvalid");
  it.each([
    ["weight 0", { name: "Sword", weight: 0 }, weightProblem],
    ["weight -1", { name: "Sword", weight: -1 }, weightProblem],
    ["weight 1000001", { name: "Sword", weight: 1_000_001 }, weightProblem],
    ["weight 1.5", { name: "Sword", weight: 1.5 }, weightProblem],
    ["weight as text", { name: "Sword", weight: "ten" }, weightProblem],
    ["weight missing", { name: "Sword" }, weightProblem],
    ["a 101-character name", { name: "x".repeat(101), weight: 5 }, nameProblem],
    ["an empty name", { name: "", weight: 5 }, nameProblem],
    ["a blank name", { name: "    ", weight: 5 }, nameProblem],
    ["a missing name", { weight: 5 }, nameProblem],
    ["stock 0", { name: "Sword", weight: 5, stock: 0 }, stockProblem],
    ["stock -3", { name: "Sword", weight: 5, stock: -3 }, stockProblem],
    ["stock 2.5", { name: "Sword", weight: 5, stock: 2.5 }, stockProblem],
  ] as const)(
    "refuses %s with an ephemeral message naming the problem, storing nothing",
    async (_label, options, text) => {
      const scene = createScene();
      const result = await runCommand(scene, "loot", "add", options);
      expectEphemeralReply(result, text);
      expect(await readItems(database, scene.guildId)).toEqual([]);
      expect(await countGuildRows(scene.guildId)).toBe(0);
    },
  );

  it("refuses bad options in Portuguese for a pt-BR user", async () => {
    const scene = createScene({ locale: "pt-BR" });
    expectEphemeralReply(
      await runCommand(scene, "loot", "add", { name: "Espada", weight: 0 }),
      "O peso deve ser um número inteiro de 1 a 1.000.000.",
    );
    expectEphemeralReply(
      await runCommand(scene, "loot", "add", { name: "Espada", weight: 10 }),
      "**Espada** adicionado (peso 10, estoque ilimitado).",
    );
  });

  it("stores an SQL-looking name verbatim and escapes its markdown in the reply", async () => {
    const scene = createScene();
    const name = "'); drop table loot_items; --";
    const result = await runCommand(scene, "loot", "add", { name, weight: 7 });
    expectEphemeralReply(result, "Added **'\\); drop table loot\\_items; \\-\\-** (weight 7, stock unlimited).");
    expect(await readItems(database, scene.guildId)).toEqual([
      { id: expect.any(String), name, weight: 7, stock: null, enabled: true },
    ]);
    const [table] = await database.query<{ name: string | null }>("select to_regclass('loot_items')::text as name");
    expect(table?.name).toBe("loot_items");
  });
});

describe("/loot import", () => {
  it("imports `Sword:10, Shield:5x3` as two items with their weights and stock", async () => {
    const scene = createScene();
    const result = await runCommand(scene, "loot", "import", { items: "Sword:10, Shield:5x3" });
    expectEphemeralReply(result, "Imported the list: 2 new, 0 updated.");
    const items = await readItems(database, scene.guildId);
    expect(items.map(({ name, weight, stock, enabled }) => ({ name, weight, stock, enabled }))).toEqual([
      { name: "Sword", weight: 10, stock: null, enabled: true },
      { name: "Shield", weight: 5, stock: 3, enabled: true },
    ]);
  });

  it("accepts newlines and semicolons as separators, spaces around the parts and names with colons", async () => {
    const scene = createScene();
    const result = await runCommand(scene, "loot", "import", { items: "Key: Red : 2\nGem : 4 x 2; Orb:1X5" });
    expectEphemeralReply(result, "Imported the list: 3 new, 0 updated.");
    const items = await readItems(database, scene.guildId);
    expect(items.map(({ name, weight, stock }) => ({ name, weight, stock }))).toEqual([
      { name: "Key: Red", weight: 2, stock: null },
      { name: "Gem", weight: 4, stock: 2 },
      { name: "Orb", weight: 1, stock: 5 },
    ]);
  });

  it("updates items that already exist (names match case-insensitively) and adds the rest", async () => {
    const scene = createScene();
    await runCommand(scene, "loot", "add", { name: "sword", weight: 1, stock: 9 });
    const [existing] = await readItems(database, scene.guildId);
    const result = await runCommand(scene, "loot", "import", { items: "SWORD:7, Bow:2x1" });
    expectEphemeralReply(result, "Imported the list: 1 new, 1 updated.");
    const items = await readItems(database, scene.guildId);
    expect(items.map(({ id, name, weight, stock }) => ({ id, name, weight, stock }))).toEqual([
      { id: existing?.id, name: "SWORD", weight: 7, stock: null },
      { id: expect.any(String), name: "Bow", weight: 2, stock: 1 },
    ]);
  });

  const badEntry = (position: number, entry: string) => message("lootImportBadEntry", { position, entry });
  it.each([
    ["a name without a weight", "Bow:3, Sword", badEntry(2, "Sword")],
    ["a weight that is not a number", "Bow:3, Sword:abc", badEntry(2, "Sword:abc")],
    ["a weight without a name", ":5, Bow:3", badEntry(1, ":5")],
    ["a negative weight", "Bow:3, Sword:-2", badEntry(2, "Sword:-2")],
    ["a decimal weight", "Bow:3, Sword:1.5", badEntry(2, "Sword:1.5")],
    ["a stock that is not a number", "Bow:3, Sword:2xmany", badEntry(2, "Sword:2xmany")],
    ["the same name twice (ignoring case)", "Bow:3, Sword:1, sword:2", message("lootDuplicateInImport")],
    ["weight 0", "Bow:3, Sword:0", badEntry(2, "Sword:0")],
    ["weight 1000001", "Bow:3, Sword:1000001", badEntry(2, "Sword:1000001")],
    [
      "a weight too big for any integer",
      "Bow:3, Sword:99999999999999999999999",
      badEntry(2, "Sword:99999999999999999999999"),
    ],
    ["a 101-character name", `Bow:3, ${"y".repeat(101)}:2`, badEntry(2, `${"y".repeat(99)}…`)],
    ["stock 0", "Bow:3, Sword:2x0", badEntry(2, "Sword:2x0")],
    ["a blank list", "   ", message("lootImportInvalid")],
    ["only separators", " , ;\n ,", message("lootImportCount", { maximum: 100 })],
  ])("refuses %s with a clear message and imports nothing", async (_label, items, text) => {
    const scene = createScene();
    await runCommand(scene, "loot", "add", { name: "Bow", weight: 9, stock: 4 });
    const before = await readItems(database, scene.guildId);
    const result = await runCommand(scene, "loot", "import", { items });
    expectEphemeralReply(result, text);
    expect(await readItems(database, scene.guildId)).toEqual(before);
  });

  it("accepts exactly 100 items and refuses 101, importing none of them", async () => {
    const scene = createScene();
    const list = (count: number) =>
      Array.from({ length: count }, (_, index) => `Item${String(index + 1).padStart(3, "0")}:${index + 1}`).join(", ");
    expectEphemeralReply(
      await runCommand(scene, "loot", "import", { items: list(101) }),
      "Give between 1 and 100 items, e.g. `Sword:10, Shield:5x3`.",
    );
    expect(await readItems(database, scene.guildId)).toEqual([]);

    expectEphemeralReply(
      await runCommand(scene, "loot", "import", { items: list(100) }),
      "Imported the list: 100 new, 0 updated.",
    );
    const items = await readItems(database, scene.guildId);
    expect(items).toHaveLength(100);
    expect(items.find((item) => item.name === "Item100")).toMatchObject({ weight: 100, stock: null });
    expect(new Set(items.map((item) => item.name)).size).toBe(100);
  });

  it("answers in Portuguese for a pt-BR user", async () => {
    const scene = createScene({ locale: "pt-BR" });
    expectEphemeralReply(
      await runCommand(scene, "loot", "import", { items: "Espada:10, Escudo" }),
      "O item 2 (`Escudo`) não é válido: escreva `nome:peso` ou `nome:pesoxEstoque`, com um nome de 1 a 100 caracteres, um peso de 1 a 1.000.000 e um estoque de pelo menos 1. Nada foi importado.",
    );
    expectEphemeralReply(
      await runCommand(scene, "loot", "import", { items: "Espada:10, Escudo:5x3" }),
      "Lista importada: 2 novos, 0 atualizados.",
    );
  });
});

describe("/loot remove", () => {
  it("removes an item named in any case and answers with its stored name", async () => {
    const scene = createScene();
    await runCommand(scene, "loot", "import", { items: "Sword:10, Shield:5" });
    const result = await runCommand(scene, "loot", "remove", { name: "sWoRd" });
    expectEphemeralReply(result, "Removed **Sword**. Past draws keep their record.");
    expect((await readItems(database, scene.guildId)).map((item) => item.name)).toEqual(["Shield"]);
  });

  it("answers 'There is no item called' for an unknown name and removes nothing", async () => {
    const scene = createScene();
    await runCommand(scene, "loot", "add", { name: "Sword", weight: 10 });
    const result = await runCommand(scene, "loot", "remove", { name: "Spoon" });
    expectEphemeralReply(result, "There is no item called **Spoon**.");
    expect(await readItems(database, scene.guildId)).toHaveLength(1);
  });

  it("never removes another guild's item of the same name", async () => {
    const first = createScene();
    const second = createScene();
    await runCommand(first, "loot", "add", { name: "Sword", weight: 10 });
    const result = await runCommand(second, "loot", "remove", { name: "Sword" });
    expectEphemeralReply(result, "There is no item called **Sword**.");
    expect(await readItems(database, first.guildId)).toHaveLength(1);
  });

  it("refuses a blank name", async () => {
    const scene = createScene();
    expectEphemeralReply(await runCommand(scene, "loot", "remove", { name: "  " }), message("lootNameInvalid"));
  });

  it("autocompletes names containing what was typed, prefix matches first (type 8)", async () => {
    const scene = createScene();
    await runCommand(scene, "loot", "import", { items: "Shortsword:1, Bow:1, Swordfish:1, Sword:1, Broadsword:1" });
    const result = await runCommand(scene, "loot", "remove", { name: "SW" }, { type: 4, focused: "name" });
    expect(result.status).toBe(200);
    expect(result.body).toEqual({
      type: 8,
      data: {
        choices: [
          { name: "Sword", value: "Sword" },
          { name: "Swordfish", value: "Swordfish" },
          { name: "Broadsword", value: "Broadsword" },
          { name: "Shortsword", value: "Shortsword" },
        ],
      },
    });
  });

  it("autocompletes at most 25 names, and treats % and _ as plain characters", async () => {
    const scene = createScene();
    const many = Array.from({ length: 30 }, (_, index) => `Gem ${String(index + 1).padStart(2, "0")}:1`).join(", ");
    await runCommand(scene, "loot", "import", { items: `${many}, 100% Rare:1, Rare_Drop:1, RareXDrop:1` });

    const gems = await runCommand(scene, "loot", "remove", { name: "gem" }, { type: 4, focused: "name" });
    expect(gems.body.type).toBe(8);
    expect(gems.body.data?.choices).toHaveLength(25);
    expect(gems.body.data?.choices?.[0]).toEqual({ name: "Gem 01", value: "Gem 01" });
    expect(gems.body.data?.choices?.[24]).toEqual({ name: "Gem 25", value: "Gem 25" });

    const everything = await runCommand(scene, "loot", "remove", { name: "" }, { type: 4, focused: "name" });
    expect(everything.body.data?.choices).toHaveLength(25);

    const percent = await runCommand(scene, "loot", "remove", { name: "%" }, { type: 4, focused: "name" });
    expect(percent.body.data?.choices).toEqual([{ name: "100% Rare", value: "100% Rare" }]);
    const underscore = await runCommand(scene, "loot", "remove", { name: "e_d" }, { type: 4, focused: "name" });
    expect(underscore.body.data?.choices).toEqual([{ name: "Rare_Drop", value: "Rare_Drop" }]);
  });

  it("autocompletes nothing for a guild without loot", async () => {
    const scene = createScene();
    const result = await runCommand(scene, "loot", "remove", { name: "s" }, { type: 4, focused: "name" });
    expect(result.body).toEqual({ type: 8, data: { choices: [] } });
  });

  it("keeps the item name on past draws after the item is removed", async () => {
    const { scene, viewer } = await createRunningRaffle({ items: "Crown:1" });
    const { reply } = await drawNow(scene);
    expect(reply?.content).toBe("🎉 **Real\\_Viewer** won **Crown**!");
    const [drawn] = await readDraws(database, scene.guildId);
    expect(drawn?.item_id).not.toBeNull();

    expectEphemeralReply(
      await runCommand(scene, "loot", "remove", { name: "crown" }),
      "Removed **Crown**. Past draws keep their record.",
    );
    expect(await readItems(database, scene.guildId)).toEqual([]);
    const [after] = await readDraws(database, scene.guildId);
    expect(after).toMatchObject({
      id: drawn?.id,
      item_id: null,
      item_name: "Crown",
      winner_twitch_login: viewer.login,
    });

    const history = await runCommand(scene, "raffle", "history");
    expect(readEmbed(history).description).toContain("**Real\\_Viewer** won **Crown**");
  });
});

describe("/loot list", () => {
  function readChances(description: string | undefined): number[] {
    return [...(description ?? "").matchAll(/ — ([\d.,]+)% — /g)].map((match) => Number(match[1]?.replace(",", ".")));
  }

  it("shows each item with weight, chance and stock, sorted by name; out-of-stock items have 0%", async () => {
    const scene = createScene();
    await runCommand(scene, "loot", "import", { items: "b-side:1, Apple:1, Coin:1x4, Dragon:9x1" });
    await database.query("update loot_items set stock = 0 where guild_id = $1 and name = 'Dragon'", [scene.guildId]);
    const result = await runCommand(scene, "loot", "list");
    expect(result.status).toBe(200);
    expect(result.body.data?.flags ?? 0).toBe(0);
    const embed = readEmbed(result);
    expect(embed.title).toBe("🎁 Loot table");
    expect(embed.description?.split("\n")).toEqual([
      "**Apple** — weight 1 — 33.33% — stock unlimited",
      "**b\\-side** — weight 1 — 33.33% — stock unlimited",
      "**Coin** — weight 1 — 33.33% — stock 4",
      "**Dragon** — weight 9 — 0% — stock 0",
    ]);
    expect(embed.footer?.text).toBe("3 of 4 items can still be won");
    const chances = readChances(embed.description);
    expect(chances.reduce((sum, chance) => sum + chance, 0)).toBeCloseTo(100, 1);
  });

  it("gives chances proportional to weight that sum to 100 over drawable items", async () => {
    const scene = createScene();
    await runCommand(scene, "loot", "import", { items: "Common:700, Rare:250x10, Epic:49, Legend:1x1" });
    const embed = readEmbed(await runCommand(scene, "loot", "list"));
    expect(embed.description?.split("\n")).toEqual([
      "**Common** — weight 700 — 70% — stock unlimited",
      "**Epic** — weight 49 — 4.9% — stock unlimited",
      "**Legend** — weight 1 — 0.1% — stock 1",
      "**Rare** — weight 250 — 25% — stock 10",
    ]);
    expect(readChances(embed.description).reduce((sum, chance) => sum + chance, 0)).toBeCloseTo(100, 5);
  });

  it("says the table is empty when there are no items", async () => {
    const scene = createScene();
    const embed = readEmbed(await runCommand(scene, "loot", "list"));
    expect(embed).toMatchObject({
      title: "🎁 Loot table",
      description: "The loot table is empty. Add items with `/loot add` or `/loot import`.",
    });
  });

  it("answers in Portuguese with Brazilian number formatting for a pt-BR user", async () => {
    const scene = createScene({ locale: "pt-BR" });
    const empty = readEmbed(await runCommand(scene, "loot", "list"));
    expect(empty.description).toBe(
      "A tabela de prêmios está vazia. Adicione itens com `/itens adicionar` ou `/itens importar`.",
    );
    await runCommand(scene, "loot", "import", { items: "Espada:1000000, Escudo:500000x2" });
    const embed = readEmbed(await runCommand(scene, "loot", "list"));
    expect(embed.title).toBe("🎁 Tabela de prêmios");
    expect(embed.description?.split("\n")).toEqual([
      "**Escudo** — peso 500.000 — 33,33% — estoque 2",
      "**Espada** — peso 1.000.000 — 66,67% — estoque ilimitado",
    ]);
    expect(embed.footer?.text).toBe("2 de 2 itens ainda podem ser ganhos");
  });
});

describe("who may run /loot", () => {
  it("refuses a member without Manage Server, storing nothing", async () => {
    const scene = createScene({ permissions: "0" });
    const result = await runCommand(scene, "loot", "add", { name: "Sword", weight: 10 });
    expectEphemeralReply(result, "You need the **Manage Server** permission to use this command.");
    expect(await readItems(database, scene.guildId)).toEqual([]);
    const imported = await runCommand(scene, "loot", "import", { items: "Sword:10" });
    expectEphemeralReply(imported, message("needsManageServer"));
    expect(await readItems(database, scene.guildId)).toEqual([]);
  });

  it("refuses a member without Manage Server in Portuguese", async () => {
    const scene = createScene({ permissions: String(1n << 4n), locale: "pt-BR" });
    expectEphemeralReply(
      await runCommand(scene, "loot", "list"),
      "Você precisa da permissão **Gerenciar Servidor** para usar este comando.",
    );
  });

  it("lets an Administrator without the Manage Server bit in", async () => {
    const scene = createScene({ permissions: String(1n << 3n) });
    expectEphemeralReply(
      await runCommand(scene, "loot", "add", { name: "Sword", weight: 10 }),
      "Added **Sword** (weight 10, stock unlimited).",
    );
  });

  it("explains that the commands work only in a server when used in a DM", async () => {
    const scene = createScene();
    const { guild_id: _guild, member, ...direct } = buildCommand(scene, "loot", "list");
    const response = await callWorker(
      await createSignedInteractionRequest({ ...direct, context: 1, user: member.user }),
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as { type: number; data: { content: string; flags: number } };
    expect(body).toEqual({
      type: 4,
      data: { content: message("commandsOnlyInServers"), flags: 64, allowed_mentions: { parse: [] } },
    });
  });

  it("names an unknown /loot subcommand", async () => {
    const scene = createScene();
    expectEphemeralReply(await runCommand(scene, "loot", "shuffle"), "I don't know the command `loot shuffle`.");
  });

  // Discord accepts only type 8 (autocomplete result) for an autocomplete interaction; a type 4
  // message is rejected and the member sees "Loading options failed".
  it("answers an autocomplete from a member without Manage Server with empty choices, not a message", async () => {
    const scene = createScene({ permissions: "0" });
    await runCommand(createScene({ guildId: scene.guildId }), "loot", "add", { name: "Sword", weight: 1 });
    const result = await runCommand(scene, "loot", "remove", { name: "s" }, { type: 4, focused: "name" });
    expect(result.body).toEqual({ type: 8, data: { choices: [] } });
  });
});
