import { describe, expect, it } from "vitest";
import type { DiscordAttachment } from "../../../devkit/fakes/discordControl";
import { message, readItems, useTestDatabase } from "../../support/worker/commandHelpers";
import { discordControl, readEditedReply, runCommand } from "../../support/worker/fakes";
import { createScene, type InteractionScene } from "../../support/worker/interactions";

const database = useTestDatabase();

/** What the user ends up seeing: the immediate answer, or the deferred reply once edited. */
async function readReply(result: Awaited<ReturnType<typeof runCommand>>) {
  expect(result.status).toBe(200);
  if (result.body.type === 4) {
    expect(result.body.data?.flags).toBe(64);
    return { content: result.body.data?.content, attachments: [] as DiscordAttachment[] };
  }
  expect(result.body.type).toBe(5);
  expect(result.body.data?.flags).toBe(64);
  const original = await readEditedReply(result.token);
  return { content: original?.content, attachments: original?.attachments ?? [] };
}

async function upload(scene: InteractionScene, filename: string, content: string, contentType = "text/csv") {
  return discordControl().uploadAttachment({ filename, content, contentType, channelId: scene.channelId });
}

async function importFile(scene: InteractionScene, attachment: DiscordAttachment, items?: string) {
  return readReply(
    await runCommand(scene, "loot", "import", items === undefined ? {} : { items }, {
      attachments: { file: attachment },
    }),
  );
}

async function readTable(guildId: string) {
  const items = await readItems(database, guildId);
  return items.map(({ name, weight, stock }) => ({ name, weight, stock })).sort((a, b) => a.name.localeCompare(b.name));
}

async function exportTable(scene: InteractionScene) {
  const reply = await readReply(await runCommand(scene, "loot", "export"));
  expect(reply.attachments).toHaveLength(1);
  const [attachment] = reply.attachments;
  if (!attachment) throw new Error("no attachment");
  const response = await fetch(attachment.url);
  expect(response.status).toBe(200);
  return { reply, attachment, csv: await response.text() };
}

const trickyItems = [
  { name: 'Sword, the "Great"', weight: 10, stock: null },
  { name: "=SUM(A1:A9)", weight: 1, stock: 3 },
  { name: "'=already quoted", weight: 2, stock: 0 },
  { name: "-5 HP potion", weight: 1_000_000, stock: 2_147_483_647 },
  { name: "@everyone hat", weight: 7, stock: 1 },
  { name: "+1 Ring", weight: 3, stock: null },
  { name: "'plain apostrophe", weight: 4, stock: null },
  { name: "Ünïcødé 🎁 crown", weight: 5, stock: 9 },
  { name: "two\nlines", weight: 6, stock: null },
];

describe("/loot import file and /loot export", () => {
  it("round-trips exactly: JSON import, CSV export, re-import in another server, same table and same file", async () => {
    const source = createScene();
    const json = await upload(source, "loot.json", JSON.stringify(trickyItems), "application/json");
    expect((await importFile(source, json)).content).toBe(message("lootImported", { inserted: 9, updated: 0 }));
    const sourceTable = await readTable(source.guildId);
    expect(sourceTable).toEqual([...trickyItems].sort((a, b) => a.name.localeCompare(b.name)));

    const exported = await exportTable(source);
    expect(exported.reply.content).toBe(message("lootExported", { count: 9, filename: "loot.csv" }));
    expect(exported.attachment.filename).toBe("loot.csv");
    const lines = exported.csv.split("\r\n");
    expect(lines[0]).toBe("name,weight,stock");
    // Formula cells get one leading ', a name already starting with '= gets another; quotes doubled.
    expect(exported.csv).toContain('"Sword, the ""Great""",10,\r\n');
    expect(exported.csv).toContain("'=SUM(A1:A9),1,3\r\n");
    expect(exported.csv).toContain("''=already quoted,2,0\r\n");
    expect(exported.csv).toContain("'-5 HP potion,1000000,2147483647\r\n");
    expect(exported.csv).toContain("'@everyone hat,7,1\r\n");
    expect(exported.csv).toContain("'+1 Ring,3,\r\n");
    expect(exported.csv).toContain("'plain apostrophe,4,\r\n");
    expect(exported.csv).toContain('"two\nlines",6,\r\n');
    expect(exported.csv).not.toMatch(/interaction-token/);

    const target = createScene();
    const copy = await upload(target, "loot.csv", exported.csv);
    expect((await importFile(target, copy)).content).toBe(message("lootImported", { inserted: 9, updated: 0 }));
    expect(await readTable(target.guildId)).toEqual(sourceTable);
    expect((await exportTable(target)).csv).toBe(exported.csv);

    // Importing the same file again updates every item and changes nothing.
    expect((await importFile(target, copy)).content).toBe(message("lootImported", { inserted: 0, updated: 9 }));
    expect(await readTable(target.guildId)).toEqual(sourceTable);
  });

  it("reads CSV with a BOM, LF line ends, spaces, columns in another order and stock left out", async () => {
    const scene = createScene();
    const csv = '\uFEFFweight, name\n10, Sword\n5,"Shield, big"\n\n';
    expect((await importFile(scene, await upload(scene, "items.csv", csv))).content).toBe(
      message("lootImported", { inserted: 2, updated: 0 }),
    );
    expect(await readTable(scene.guildId)).toEqual([
      { name: "Shield, big", weight: 5, stock: null },
      { name: "Sword", weight: 10, stock: null },
    ]);
  });

  it("reads a .txt file as JSON when it starts with [ and takes items text alongside the file", async () => {
    const scene = createScene();
    const text = JSON.stringify([{ name: "Bow", weight: 2, stock: 4 }]);
    const reply = await importFile(scene, await upload(scene, "list.txt", text, "text/plain"), "Arrow:3x10");
    expect(reply.content).toBe(message("lootImported", { inserted: 2, updated: 0 }));
    expect(await readTable(scene.guildId)).toEqual([
      { name: "Arrow", weight: 3, stock: 10 },
      { name: "Bow", weight: 2, stock: 4 },
    ]);
  });

  it("needs items or a file", async () => {
    const scene = createScene();
    expect((await readReply(await runCommand(scene, "loot", "import"))).content).toBe(message("lootImportNeedsInput"));
  });

  it("exports nothing from an empty table", async () => {
    const scene = createScene();
    const reply = await readReply(await runCommand(scene, "loot", "export"));
    expect(reply.content).toBe(message("lootExportEmpty"));
    expect(reply.attachments).toEqual([]);
  });
});

describe("/loot import file refusals name the row and import nothing", () => {
  async function expectRefused(file: { name: string; content: string }, expected: string, locale?: string) {
    const scene = createScene(locale ? { locale } : {});
    await runCommand(scene, "loot", "add", { name: "Sword", weight: 10, stock: 2 });
    const reply = await importFile(scene, await upload(scene, file.name, file.content));
    expect(reply.content).toBe(expected);
    // All or nothing: the existing item is as it was and nothing was added.
    expect(await readTable(scene.guildId)).toEqual([{ name: "Sword", weight: 10, stock: 2 }]);
  }

  it("a bad weight", async () => {
    await expectRefused(
      { name: "loot.csv", content: "name,weight,stock\nSword,99,\nShield,abc,1\n" },
      message("lootFileRowWeight", { row: 2 }),
    );
  });

  it("a weight out of range, in JSON", async () => {
    await expectRefused(
      {
        name: "loot.json",
        content: JSON.stringify([
          { name: "A", weight: 1 },
          { name: "B", weight: 1_000_001 },
        ]),
      },
      message("lootFileRowWeight", { row: 2 }),
    );
  });

  it("a negative or fractional stock", async () => {
    await expectRefused(
      { name: "loot.csv", content: "name,weight,stock\nA,1,-1\n" },
      message("lootFileRowStock", { row: 1 }),
    );
    await expectRefused(
      { name: "loot.json", content: JSON.stringify([{ name: "A", weight: 1, stock: 1.5 }]) },
      message("lootFileRowStock", { row: 1 }),
    );
  });

  it("a name too long, and a row with the wrong number of cells", async () => {
    await expectRefused(
      { name: "loot.csv", content: `name,weight\nok,1\n${"x".repeat(101)},1\n` },
      message("lootFileRowName", { row: 2 }),
    );
    await expectRefused(
      { name: "loot.csv", content: "name,weight,stock\nok,1,,extra\n" },
      message("lootFileRowColumns", { row: 1 }),
    );
  });

  it("a missing header", async () => {
    await expectRefused({ name: "loot.csv", content: "Sword,10,\nShield,5,\n" }, message("lootFileHeader"));
  });

  it("501 rows", async () => {
    const rows = Array.from({ length: 501 }, (_, index) => `Item ${index},1,`).join("\n");
    await expectRefused(
      { name: "loot.csv", content: `name,weight,stock\n${rows}\n` },
      message("lootFileTooManyRows", { rows: 501, maximum: 500 }),
    );
  });

  it("500 rows are fine", async () => {
    const scene = createScene();
    const rows = Array.from({ length: 500 }, (_, index) => `Item ${index},1,`).join("\n");
    const reply = await importFile(scene, await upload(scene, "loot.csv", `name,weight,stock\n${rows}\n`));
    expect(reply.content).toBe(message("lootImported", { inserted: 500, updated: 0 }));
    expect(await readItems(database, scene.guildId)).toHaveLength(500);
  });

  it("a name twice, ignoring case", async () => {
    await expectRefused(
      { name: "loot.csv", content: "name,weight,stock\nBow,1,\nArrow,1,\nBOW,2,\n" },
      message("lootFileRowDuplicate", { row: 3, firstRow: 1 }),
    );
  });

  it("JSON that is not an array of items", async () => {
    await expectRefused({ name: "loot.json", content: '{"name": "Sword"' }, message("lootFileNotJson"));
    await expectRefused(
      { name: "loot.json", content: '[{"name": "A", "weight": 1}, "B"]' },
      message("lootFileRowNotObject", { row: 2 }),
    );
  });

  it("an unclosed quote", async () => {
    await expectRefused({ name: "loot.csv", content: 'name,weight\n"Sword,1\n' }, message("lootFileUnclosedQuote"));
  });

  it("a file of the wrong type", async () => {
    await expectRefused(
      { name: "loot.xlsx", content: "name,weight\nA,1\n" },
      message("lootFileType", { filename: "loot.xlsx" }),
    );
  });

  it("in the user's language", async () => {
    await expectRefused(
      { name: "loot.csv", content: "name,weight,stock\nEspada,1,\nEscudo,0,\n" },
      message("lootFileRowWeight", { row: 2 }, "pt-BR"),
      "pt-BR",
    );
    expect(message("lootFileRowWeight", { row: 2 }, "pt-BR")).toMatch(/^Linha 2: o peso/);
  });

  it("a file over 256 KiB, refused by its reported size before any download", async () => {
    const scene = createScene();
    const big = await upload(scene, "big.csv", `name,weight\n${"a,1\n".repeat(70_000)}`);
    const discord = discordControl();
    const since = await discord.readLastSequence();
    expect((await importFile(scene, big)).content).toBe(message("lootFileTooLarge", { maximum: 256 }));
    expect(await discord.listCalls({ since, pathPrefix: "/attachments/" })).toEqual([]);
    expect(await readItems(database, scene.guildId)).toEqual([]);
  });

  it("a file larger than Discord said, refused while downloading", async () => {
    const scene = createScene();
    const big = await upload(scene, "big.csv", `name,weight\n${"a,1\n".repeat(70_000)}`);
    expect((await importFile(scene, { ...big, size: 100 })).content).toBe(
      message("lootFileTooLarge", { maximum: 256 }),
    );
    expect(await readItems(database, scene.guildId)).toEqual([]);
  });

  it("an attachment URL that is not Discord's", async () => {
    const scene = createScene();
    const file = await upload(scene, "loot.csv", "name,weight\nA,1\n");
    for (const url of [
      `https://evil.example.com/attachments/1/${file.id}/loot.csv`,
      "http://cdn.discordapp.com/attachments/1/2/loot.csv",
      "not a url",
    ]) {
      expect((await importFile(scene, { ...file, url })).content).toBe(message("lootFileHost"));
    }
    expect(await readItems(database, scene.guildId)).toEqual([]);
  });

  it("a download that fails", async () => {
    const scene = createScene();
    const file = await upload(scene, "loot.csv", "name,weight\nA,1\n");
    const gone = { ...file, url: file.url.replace(/loot\.csv$/, "other.csv") };
    expect((await importFile(scene, gone)).content).toBe(message("lootFileUnreachable"));
  });
});

describe("the Discord fake takes files as Discord does", () => {
  async function registerToken() {
    const token = `interaction-token-${crypto.randomUUID()}`;
    const interaction = await discordControl().registerInteraction({ interactionToken: token, channelId: "1" });
    const url = `${discordControl().url}/api/v10/webhooks/${interaction.applicationId}/${token}`;
    return { token, url };
  }

  function form(payload: unknown, files: number) {
    const body = new FormData();
    body.set("payload_json", JSON.stringify(payload));
    for (let index = 0; index < files; index++)
      body.set(`files[${index}]`, new Blob([`file ${index}`]), `f${index}.csv`);
    return body;
  }

  it("attaches files to an edit, keeps them through a later JSON edit, and serves them", async () => {
    const { token, url } = await registerToken();
    const edit = await fetch(`${url}/messages/@original`, {
      method: "PATCH",
      body: form({ content: "here", attachments: [{ id: 0, filename: "f0.csv" }] }, 1),
    });
    expect(edit.status).toBe(200);
    await fetch(`${url}/messages/@original`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ content: "still here" }),
    });
    const original = await readEditedReply(token);
    expect(original?.content).toBe("still here");
    expect(original?.attachments.map((attachment) => attachment.filename)).toEqual(["f0.csv"]);
    expect(await (await fetch(original?.attachments[0]?.url ?? "")).text()).toBe("file 0");

    // `attachments: []` removes them, as on Discord.
    await fetch(`${url}/messages/@original`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ attachments: [] }),
    });
    expect((await readEditedReply(token))?.attachments).toEqual([]);
  });

  it("accepts a follow-up with only a file, and refuses more than 10 files", async () => {
    const { url } = await registerToken();
    const followUp = await fetch(url, { method: "POST", body: form({ flags: 64 }, 1) });
    expect(followUp.status).toBe(200);
    const tooMany = await fetch(url, { method: "POST", body: form({ content: "x" }, 11) });
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toMatchObject({ code: 50035 });
  });
});
