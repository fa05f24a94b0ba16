import { PostgresCode, readDatabaseError } from "../../db/databaseErrors";
import { ensureGuild } from "../../db/guilds";
import { isDrawable, listItems, removeItem, suggestItemNames, upsertItems } from "../../db/lootItems";
import { localizeCommandText } from "../../i18n/commandTexts";
import { type Locale, type MessageKey, translate } from "../../i18n/translate";
import { type LootEntry, maximumImportItems, parseLootList } from "../../raffle/parseLootList";
import { brandColor, type Embed, escapeMarkdown, joinLinesWithin, truncate } from "../message";
import {
  type CommandGroup,
  commandOption,
  defineSubcommand,
  type Invocation,
  manageGuildPermission,
  subcommandOption,
  UserFacingError,
} from "./CommandGroup";
import { addItemOptions, importItemsOptions, noOptions, removeItemOptions } from "./lootOptions";

const optionType = { string: 3, integer: 4 } as const;

/** Writes items through insert_items; the database's own validation becomes a user message. */
async function saveItems(invocation: Invocation, items: LootEntry[]) {
  await ensureGuild(invocation.app.database, invocation.guildId, invocation.guildLocale);
  try {
    return await upsertItems(invocation.app.database, invocation.guildId, items);
  } catch (error) {
    const databaseError = readDatabaseError(error);
    if (!databaseError) throw error;
    const key = mapItemError(databaseError.code, databaseError.column);
    if (!key) throw error;
    throw new UserFacingError(key);
  }
}

function mapItemError(code: string, column: string | undefined): MessageKey | undefined {
  if (code === PostgresCode.uniqueViolation) return "lootDuplicateInImport";
  if (code !== PostgresCode.checkViolation && code !== PostgresCode.invalidParameterValue) return undefined;
  if (column === "weight") return "lootWeightInvalid";
  if (column === "stock") return "lootStockInvalid";
  if (column === "name") return "lootNameInvalid";
  return "invalidOptions";
}

function describeStock(locale: Locale, stock: number | null): string {
  return stock === null ? translate(locale, "lootUnlimited") : String(stock);
}

const add = defineSubcommand(addItemOptions, async (invocation, options) => {
  const [item] = await saveItems(invocation, [
    { name: options.name, weight: options.weight, stock: options.stock ?? null },
  ]);
  if (!item) throw new Error("insert_items returned no row");
  const { locale } = invocation;
  return {
    kind: "message",
    ephemeral: true,
    body: {
      content: translate(locale, item.outcome === "inserted" ? "lootAdded" : "lootUpdated", {
        name: escapeMarkdown(item.name),
        weight: new Intl.NumberFormat(locale).format(item.weight),
        stock: describeStock(locale, item.stock),
      }),
    },
  };
});

const importItems = defineSubcommand(importItemsOptions, async (invocation, options) => {
  const parsed = parseLootList(options.items);
  if (!parsed.ok) {
    if (parsed.position === 0) throw new UserFacingError("lootImportCount", { maximum: maximumImportItems });
    throw new UserFacingError("lootImportBadEntry", { position: parsed.position, entry: truncate(parsed.text, 100) });
  }
  const saved = await saveItems(invocation, parsed.items);
  const inserted = saved.filter((item) => item.outcome === "inserted").length;
  return {
    kind: "message",
    ephemeral: true,
    body: {
      content: translate(invocation.locale, "lootImported", { inserted, updated: saved.length - inserted }),
    },
  };
});

const remove = defineSubcommand(
  removeItemOptions,
  async (invocation, options) => {
    const removed = await removeItem(invocation.app.database, invocation.guildId, options.name);
    const key = removed ? "lootRemoved" : "lootNotFound";
    return {
      kind: "message",
      ephemeral: true,
      body: { content: translate(invocation.locale, key, { name: escapeMarkdown(removed ?? options.name) }) },
    };
  },
  async (invocation) => {
    const typed = String(invocation.options.name ?? "").slice(0, 100);
    const names = await suggestItemNames(invocation.app.database, invocation.guildId, typed);
    return { kind: "choices", choices: names.map((name) => ({ name, value: name })) };
  },
);

const list = defineSubcommand(noOptions, async (invocation) => {
  const items = await listItems(invocation.app.database, invocation.guildId);
  return { kind: "message", ephemeral: false, body: { embeds: [describeLootTable(invocation.locale, items)] } };
});

/** The loot table as one embed: chance = weight / Σ weights of items that can still be won. */
export function describeLootTable(
  locale: Locale,
  items: { name: string; weight: number; stock: number | null; enabled: boolean }[],
): Embed {
  const title = translate(locale, "lootTableTitle");
  if (items.length === 0) return { title, description: translate(locale, "lootTableEmpty"), color: brandColor };
  const drawable = items.filter((item) => isDrawable({ ...item, id: "" }));
  const totalWeight = drawable.reduce((sum, item) => sum + item.weight, 0);
  const format = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  const lines = items.map((item) => {
    const chance = isDrawable({ ...item, id: "" }) && totalWeight > 0 ? (100 * item.weight) / totalWeight : 0;
    return translate(locale, "lootTableLine", {
      name: escapeMarkdown(item.name),
      weight: format.format(item.weight),
      chance: format.format(chance),
      stock: describeStock(locale, item.stock),
    });
  });
  return {
    title,
    description: joinLinesWithin(lines, 4000, (hidden) => translate(locale, "lootTableMore", { count: hidden })),
    color: brandColor,
    footer: { text: translate(locale, "lootTableFooter", { count: drawable.length, total: items.length }) },
  };
}

export const lootCommands: CommandGroup = {
  name: "loot",
  definition: {
    ...localizeCommandText("loot"),
    type: 1,
    default_member_permissions: manageGuildPermission,
    contexts: [0],
    integration_types: [0],
    options: [
      subcommandOption("loot.add", [
        commandOption(optionType.string, "option.name", { required: true, min_length: 1, max_length: 100 }),
        commandOption(optionType.integer, "option.weight", { required: true, min_value: 1, max_value: 1_000_000 }),
        commandOption(optionType.integer, "option.stock", { min_value: 1 }),
      ]),
      subcommandOption("loot.import", [
        commandOption(optionType.string, "option.items", { required: true, min_length: 1, max_length: 6000 }),
      ]),
      subcommandOption("loot.remove", [
        commandOption(optionType.string, "option.name", { required: true, autocomplete: true, max_length: 100 }),
      ]),
      subcommandOption("loot.list"),
    ],
  },
  subcommands: { add, import: importItems, remove, list },
};
