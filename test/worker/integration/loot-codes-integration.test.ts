import { afterEach, describe, expect, it, vi } from "vitest";
import { testCredentials } from "../../../devkit/localBindings";
import { readConfig } from "../../../worker/env";
import { lootCodePurpose } from "../../../worker/raffle/lootCodes";
import { getTokenCipher } from "../../../worker/security/keys";
import { UnreadableSecretError } from "../../../worker/security/TokenCipher";
import { callWorker, testEnvironment } from "../../support/worker/callWorker";
import { captureLogs } from "../../support/worker/captureLogs";
import {
  createRunningRaffle,
  drawNow,
  message,
  readDraws,
  readEmbed,
  readItems,
  useTestDatabase,
} from "../../support/worker/commandHelpers";
import { discordControl, readEditedReply, runCommand, twitchControl } from "../../support/worker/fakes";
import { createScene, createSnowflake, type InteractionScene } from "../../support/worker/interactions";
import { createSignedInteractionRequest } from "../../support/worker/signInteraction";

const database = useTestDatabase();

/**
 * Every code a test hands the Worker, and everything the Worker said or sent while the test ran:
 * its answers, its edits, its log lines. A code may reach none of them (SPEC "Claiming a prize").
 */
const givenCodes: string[] = [];
const seen: string[] = [];

afterEach(async () => {
  for (const code of givenCodes) {
    for (const text of seen) expect(text.includes(code), `a code reached: ${text.slice(0, 200)}`).toBe(false);
    // Nothing the Worker sent Discord or Twitch (messages, edits, chat) carries a code either.
    expect(await discordControl().listCalls({ contains: code })).toEqual([]);
    expect(await twitchControl().listCalls({ contains: code })).toEqual([]);
  }
  givenCodes.length = 0;
  seen.length = 0;
  vi.restoreAllMocks();
});

/** Codes unique to this run, so the server-wide duplicate check never sees another test's. */
function createCodes(count: number, prefix = "KEY"): string[] {
  const run = createSnowflake().slice(-8);
  const codes = Array.from({ length: count }, (_, index) => `${prefix}-${run}-${String(index).padStart(5, "0")}`);
  givenCodes.push(...codes.slice(0, 50));
  return codes;
}

type CommandResult = Awaited<ReturnType<typeof runCommand>>;

async function remember(result: CommandResult): Promise<CommandResult> {
  seen.push(JSON.stringify(result.body));
  const state = await discordControl().readInteraction(result.token);
  seen.push(JSON.stringify(state));
  return result;
}

/** What the user ends up reading: the immediate answer, or the deferred reply once edited. */
async function readReply(result: CommandResult): Promise<string | undefined> {
  await remember(result);
  expect(result.status).toBe(200);
  if (result.body.type === 5) return (await readEditedReply(result.token))?.content;
  expect(result.body.type).toBe(4);
  expect(result.body.data?.flags).toBe(64);
  return result.body.data?.content;
}

async function addCodes(
  scene: InteractionScene,
  name: string,
  input: { codes?: string; file?: { filename: string; content: string } },
) {
  const attachments = input.file
    ? {
        file: await discordControl().uploadAttachment({
          filename: input.file.filename,
          content: input.file.content,
          contentType: "text/plain",
          channelId: scene.channelId,
        }),
      }
    : undefined;
  const options = { name, ...(input.codes === undefined ? {} : { codes: input.codes }) };
  return readReply(await runCommand(scene, "loot", "codes", options, attachments ? { attachments } : {}));
}

async function createItem(scene: InteractionScene, name = "Game key", stock?: number) {
  await runCommand(scene, "loot", "add", { name, weight: 10, ...(stock === undefined ? {} : { stock }) });
}

async function readCodeRows(guildId: string) {
  return database.query<Record<string, unknown> & { item_id: string; status: string; draw_id: string | null }>(
    "select *, item_id::text, draw_id::text from loot_codes where guild_id = $1 order by id",
    [guildId],
  );
}

async function readStock(guildId: string, name: string) {
  return (await readItems(database, guildId)).find((item) => item.name === name)?.stock;
}

/** A click on a button of an ephemeral reply, signed as Discord sends it (MESSAGE_COMPONENT). */
async function clickButton(scene: InteractionScene, customId: string) {
  const token = `interaction-token-${createSnowflake()}`;
  const discord = discordControl();
  await discord.registerInteraction({
    interactionToken: token,
    applicationId: testCredentials.discordApplicationId,
    channelId: scene.channelId,
  });
  const payload = {
    id: createSnowflake(),
    application_id: testCredentials.discordApplicationId,
    type: 3,
    token,
    version: 1,
    guild_id: scene.guildId,
    channel_id: scene.channelId,
    locale: scene.locale ?? "en-US",
    guild_locale: "en-US",
    member: { user: { id: scene.userId, username: "streamer" }, permissions: scene.permissions ?? String(1n << 5n) },
    message: { id: createSnowflake(), flags: 64, components: [] },
    data: { custom_id: customId, component_type: 2 },
  };
  const response = await callWorker(await createSignedInteractionRequest(payload));
  const text = await response.text();
  seen.push(text);
  const verdict = await discord.recordInteractionResponse(token, {
    status: response.status,
    bodyText: text,
    contentType: response.headers.get("content-type") ?? undefined,
    interactionType: 3,
  });
  expect(verdict.ok, JSON.stringify(verdict)).toBe(true);
  return JSON.parse(text) as { type: number; data?: { content?: string; components?: unknown[]; flags?: number } };
}

function readButtons(result: CommandResult) {
  const row = result.body.data?.components?.[0] as { components: { custom_id: string; label: string }[] } | undefined;
  return row?.components ?? [];
}

describe("/loot codes adds sealed codes and makes them the item's stock", () => {
  it("from text and from a file, the stock following the codes; /loot list shows how many are left", async () => {
    captureLogs(seen);
    const scene = createScene();
    await createItem(scene, "Game key", 50);
    const [first, second, third, fourth, fifth] = createCodes(5);
    expect(await addCodes(scene, "game KEY", { codes: ` ${first}, ${second} ,,` })).toBe(
      message("lootCodesAdded", { added: 2, name: "Game key", available: 2 }),
    );
    expect(await readStock(scene.guildId, "Game key")).toBe(2);

    const file = { filename: "codes.txt", content: `${third}\r\n\n  ${fourth}  \n` };
    expect(await addCodes(scene, "Game key", { file, codes: String(fifth) })).toBe(
      message("lootCodesAdded", { added: 3, name: "Game key", available: 5 }),
    );
    expect(await readStock(scene.guildId, "Game key")).toBe(5);

    const list = await remember(await runCommand(scene, "loot", "list"));
    expect(readEmbed(list).description).toBe(
      message("lootTableLineCodes", { name: "Game key", weight: 10, chance: 100, count: 5 }),
    );
  });

  it("reads a CSV file with a header and quoted cells", async () => {
    captureLogs(seen);
    const scene = createScene();
    await createItem(scene);
    const [first, second, third] = createCodes(3);
    const file = { filename: "codes.csv", content: `code\n"${first}"\n${second},"${third}"\n` };
    expect(await addCodes(scene, "Game key", { file })).toBe(
      message("lootCodesAdded", { added: 3, name: "Game key", available: 3 }),
    );
    const cipher = await openCipher();
    const rows = await readCodeRows(scene.guildId);
    const opened = await Promise.all(
      rows.map((row) =>
        cipher.open(
          { keyId: String(row.code_key_id), ciphertext: String(row.code_ciphertext) },
          lootCodePurpose(row.item_id, String(row.seal_id)),
        ),
      ),
    );
    expect(opened).toEqual([first, second, third]);
  });

  it("never stores a code in plaintext, and a sealed code does not open as another item's", async () => {
    captureLogs(seen);
    const scene = createScene();
    await createItem(scene, "Game key");
    await createItem(scene, "Other");
    const codes = createCodes(3);
    await addCodes(scene, "Game key", { codes: codes.join(",") });
    const rows = await readCodeRows(scene.guildId);
    expect(rows).toHaveLength(3);
    const everything = JSON.stringify(rows);
    for (const code of codes) expect(everything).not.toContain(code);
    for (const row of rows) {
      expect(row.status).toBe("available");
      expect(String(row.code_digest)).toMatch(/^[0-9a-f]{64}$/);
    }

    const other = (await readItems(database, scene.guildId)).find((item) => item.name === "Other");
    const [row] = rows;
    if (!row || !other) throw new Error("missing rows");
    const cipher = await openCipher();
    const sealed = { keyId: String(row.code_key_id), ciphertext: String(row.code_ciphertext) };
    expect(await cipher.open(sealed, lootCodePurpose(row.item_id, String(row.seal_id)))).toBe(codes[0]);
    await expect(cipher.open(sealed, lootCodePurpose(other.id, String(row.seal_id)))).rejects.toBeInstanceOf(
      UnreadableSecretError,
    );
    const [, secondRow] = rows;
    await expect(cipher.open(sealed, lootCodePurpose(row.item_id, String(secondRow?.seal_id)))).rejects.toBeInstanceOf(
      UnreadableSecretError,
    );
  });

  it("keeps stock = codes on /loot add: a weight changes, a stock is refused", async () => {
    captureLogs(seen);
    const scene = createScene();
    await createItem(scene);
    await addCodes(scene, "Game key", { codes: createCodes(2).join(",") });
    expect(await readReply(await runCommand(scene, "loot", "add", { name: "game key", weight: 3 }))).toBe(
      message("lootUpdatedCodes", { name: "game key", weight: 3, count: 2 }),
    );
    expect(await readReply(await runCommand(scene, "loot", "add", { name: "Game key", weight: 4, stock: 9 }))).toBe(
      message("lootCodesStockRefused", { name: "Game key" }),
    );
    expect(await readItems(database, scene.guildId)).toMatchObject([{ name: "game key", weight: 3, stock: 2 }]);
  });

  it("keeps stock = codes on /loot import: the import changes the weight, never the count", async () => {
    captureLogs(seen);
    const scene = createScene();
    await createItem(scene);
    await addCodes(scene, "Game key", { codes: createCodes(3).join(",") });
    await runCommand(scene, "loot", "import", { items: "Game key:7x50, Shield:2x5" });
    expect(await readItems(database, scene.guildId)).toMatchObject([
      { name: "Game key", weight: 7, stock: 3 },
      { name: "Shield", weight: 2, stock: 5 },
    ]);
  });
});

describe("/loot codes refusals add nothing and never repeat a code", () => {
  async function expectRefused(
    input: { codes?: string; file?: { filename: string; content: string } },
    expected: string,
    options: { locale?: string; before?: string[]; item?: string } = {},
  ) {
    captureLogs(seen);
    const scene = createScene(options.locale ? { locale: options.locale } : {});
    await createItem(scene, "Game key", 7);
    if (options.before) await addCodes(scene, "Game key", { codes: options.before.join(",") });
    const rowsBefore = await readCodeRows(scene.guildId);
    const stockBefore = await readStock(scene.guildId, "Game key");
    expect(await addCodes(scene, options.item ?? "Game key", input)).toBe(expected);
    expect(await readCodeRows(scene.guildId)).toEqual(rowsBefore);
    expect(await readStock(scene.guildId, "Game key")).toBe(stockBefore);
  }

  it("a code twice in the input, naming both positions", async () => {
    const [first, second] = createCodes(2);
    await expectRefused(
      { codes: `${first},${second},${first}` },
      message("lootCodesDuplicate", {
        where: message("lootCodesWhereText", { position: 3 }),
        first: message("lootCodesWhereText", { position: 1 }),
      }),
    );
  });

  it("a code twice across the file and the text", async () => {
    const [first, second] = createCodes(2);
    await expectRefused(
      { file: { filename: "codes.txt", content: `${first}\n\n${second}\n` }, codes: `${second}` },
      message("lootCodesDuplicate", {
        where: message("lootCodesWhereText", { position: 1 }),
        first: message("lootCodesWhereFile", { position: 3 }),
      }),
    );
  });

  it("a code the server already has (on any item), all or nothing", async () => {
    const [stored, fresh] = createCodes(2);
    await expectRefused(
      { file: { filename: "codes.txt", content: `${fresh}\n${stored}\n` } },
      message("lootCodesAlreadyStored", { where: message("lootCodesWhereFile", { position: 2 }) }),
      { before: [String(stored)] },
    );
  });

  it("10,000 codes", async () => {
    const codes = createCodes(10_000, "K");
    await expectRefused(
      { file: { filename: "codes.txt", content: codes.join("\n") } },
      message("lootCodesTooMany", { count: 10_000, maximum: 1000 }),
    );
  });

  it("1,000 codes are fine", async () => {
    captureLogs(seen);
    const scene = createScene();
    await createItem(scene);
    const codes = createCodes(1000, "M");
    expect(await addCodes(scene, "Game key", { file: { filename: "codes.txt", content: codes.join("\n") } })).toBe(
      message("lootCodesAdded", { added: 1000, name: "Game key", available: 1000 }),
    );
    expect(await readStock(scene.guildId, "Game key")).toBe(1000);
  });

  it("an empty file, a file over 256 KiB, a file of another type", async () => {
    await expectRefused({ file: { filename: "codes.txt", content: "\n \n,\n" } }, message("lootCodesFileEmpty"));
    await expectRefused(
      { file: { filename: "codes.txt", content: "A".repeat(300 * 1024) } },
      message("lootFileTooLarge", { maximum: 256 }),
    );
    await expectRefused({ file: { filename: "codes.json", content: '["A"]' } }, message("lootCodesFileType"));
  });

  it("no codes at all, a code too long or with a control character", async () => {
    await expectRefused({}, message("lootCodesNeedInput"));
    await expectRefused({ codes: " , ,, " }, message("lootCodesEmpty"));
    await expectRefused(
      { codes: `ok-1, ${"x".repeat(201)}` },
      message("lootCodesInvalid", { where: message("lootCodesWhereText", { position: 2 }), maximum: 200 }),
    );
    await expectRefused(
      { file: { filename: "codes.txt", content: "ok-2\nbad\u0007code\n" } },
      message("lootCodesInvalid", { where: message("lootCodesWhereFile", { position: 2 }), maximum: 200 }),
    );
  });

  it("codes for an unknown item", async () => {
    await expectRefused({ codes: createCodes(1).join(",") }, message("lootCodesUnknownItem", { name: "Shield" }), {
      item: "Shield",
    });
  });

  it("in the user's language", async () => {
    const [first] = createCodes(1);
    const expected = message(
      "lootCodesDuplicate",
      {
        where: message("lootCodesWhereText", { position: 2 }, "pt-BR"),
        first: message("lootCodesWhereText", { position: 1 }, "pt-BR"),
      },
      "pt-BR",
    );
    expect(expected).toMatch(/^Código 2 de `codigos` é o mesmo código que Código 1/);
    await expectRefused({ codes: `${first},${first}` }, expected, { locale: "pt-BR" });
    await expectRefused({ codes: "a" }, message("lootCodesUnknownItem", { name: "Escudo" }, "pt-BR"), {
      locale: "pt-BR",
      item: "Escudo",
    });
  });
});

describe("/loot remove of an item with unused codes asks first", () => {
  it("Keep it keeps the item and its codes; Remove it removes both", async () => {
    captureLogs(seen);
    const scene = createScene();
    await createItem(scene);
    await addCodes(scene, "Game key", { codes: createCodes(2).join(",") });

    const asked = await remember(await runCommand(scene, "loot", "remove", { name: "Game key" }));
    expect(asked.body.data?.flags).toBe(64);
    expect(asked.body.data?.content).toBe(message("lootRemoveConfirm", { name: "Game key", count: 2 }));
    const [confirm, cancel] = readButtons(asked);
    if (!confirm || !cancel) throw new Error("no buttons");
    expect(confirm.label).toBe(message("lootRemoveConfirmButton"));
    expect(confirm.custom_id.length).toBeLessThanOrEqual(100);
    expect(await readItems(database, scene.guildId)).toHaveLength(1);

    const kept = await clickButton(scene, cancel.custom_id);
    expect(kept).toMatchObject({ type: 7, data: { content: message("lootRemoveCancelled"), components: [] } });
    expect(await readItems(database, scene.guildId)).toHaveLength(1);
    expect(await readCodeRows(scene.guildId)).toHaveLength(2);

    // A button altered to name another item, or used in another server, does nothing.
    const forged = confirm.custom_id.replace(/^loot\.remove:\d+/, "loot.remove:1");
    expect((await clickButton(scene, forged)).data?.content).toBe(message("lootRemoveExpired"));
    const elsewhere = await clickButton({ ...scene, guildId: createSnowflake() }, confirm.custom_id);
    expect(elsewhere.data?.content).toBe(message("lootRemoveExpired"));
    // Without Manage Server, a click is refused like a command.
    const unprivileged = await clickButton({ ...scene, permissions: "0" }, confirm.custom_id);
    expect(unprivileged).toMatchObject({ type: 4, data: { content: message("needsManageServer"), flags: 64 } });
    expect(await readItems(database, scene.guildId)).toHaveLength(1);

    const removed = await clickButton(scene, confirm.custom_id);
    expect(removed).toMatchObject({
      type: 7,
      data: { content: message("lootRemoved", { name: "Game key" }), components: [] },
    });
    expect(await readItems(database, scene.guildId)).toEqual([]);
    expect(await readCodeRows(scene.guildId)).toEqual([]);
    expect((await clickButton(scene, confirm.custom_id)).data?.content).toBe(message("lootRemoveGone"));
  });

  it("an item without codes is removed at once", async () => {
    const scene = createScene();
    await createItem(scene, "Plain");
    const result = await runCommand(scene, "loot", "remove", { name: "plain" });
    expect(result.body.data?.content).toBe(message("lootRemoved", { name: "Plain" }));
    expect(result.body.data?.components).toBeUndefined();
    expect(await readItems(database, scene.guildId)).toEqual([]);
  });
});

describe("a draw of an item with codes", () => {
  it("reserves one code for the draw and takes it from the stock", async () => {
    captureLogs(seen);
    const { scene, viewer } = await createRunningRaffle({ items: "Game key:1" });
    const codes = createCodes(2);
    expect(await addCodes(scene, "Game key", { codes: codes.join(",") })).toBe(
      message("lootCodesAdded", { added: 2, name: "Game key", available: 2 }),
    );
    const { result, reply } = await drawNow(scene);
    seen.push(JSON.stringify(result.body), JSON.stringify(reply));
    const [draw] = await readDraws(database, scene.guildId);
    expect(draw).toMatchObject({ item_name: "Game key", winner_twitch_user_id: viewer.id });
    const rows = await readCodeRows(scene.guildId);
    expect(rows.map((row) => [row.status, row.draw_id])).toEqual([
      ["reserved", draw?.id],
      ["available", null],
    ]);
    expect(await readStock(scene.guildId, "Game key")).toBe(1);
    const claims = await database.query<{ n: number; status: string }>(
      "select n, status from claims where draw_id = $1",
      [draw?.id],
    );
    expect(claims).toEqual([{ n: 0, status: "open" }]);
    const list = await remember(await runCommand(scene, "loot", "list"));
    expect(readEmbed(list).description).toContain(
      message("lootTableLineCodes", { name: "Game key", weight: 1, chance: 100, count: 1 }),
    );
    for (const posted of await discordControl().listMessages(scene.channelId)) seen.push(JSON.stringify(posted));
  });
});

async function openCipher() {
  const result = readConfig(testEnvironment());
  if (!result.ok) throw new Error("bad test config");
  return getTokenCipher(result.config);
}
