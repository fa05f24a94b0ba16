import { translate } from "../../../i18n/translate";
import { maximumFileRows, parseLootFile } from "../../../raffle/lootFile";
import { maximumImportItems, parseLootList } from "../../../raffle/parseLootList";
import { saveLootItems } from "../../../raffle/saveLootItems";
import { truncate } from "../../message";
import { type Invocation, UserFacingError } from "../CommandGroup";
import { attachmentOption, textOption } from "../commandOptions";
import { defineSubcommand } from "../defineSubcommand";
import { optionLimits } from "../optionLimits";
import { readLootAttachment } from "./readLootAttachment";
import { refuseLootItems } from "./refuseLootItems";

const fileRowMessages = {
  columns: "lootFileRowColumns",
  notObject: "lootFileRowNotObject",
  name: "lootFileRowName",
  weight: "lootFileRowWeight",
  stock: "lootFileRowStock",
  duplicate: "lootFileRowDuplicate",
} as const;

const fileMessages = {
  empty: "lootFileEmpty",
  tooManyRows: "lootFileTooManyRows",
  header: "lootFileHeader",
  unclosedQuote: "lootFileUnclosedQuote",
  notJson: "lootFileNotJson",
} as const;

/**
 * /loot import [items] [file]: many items at once, from text (`Sword:10, Shield:5x3`), a file
 * (CSV `name,weight,stock` or JSON, up to 500 rows), or both; all or none.
 */
export const importItems = defineSubcommand({
  key: "loot.import",
  options: {
    items: textOption(optionLimits.importText, "lootImportInvalid").optional(),
    file: attachmentOption("lootFileInvalid").optional(),
  },
  async run(invocation, options) {
    if (options.items === undefined && options.file === undefined) throw new UserFacingError("lootImportNeedsInput");
    const fromFile = options.file === undefined ? [] : await readItemsFromFile(invocation, options.file);
    const fromText = options.items === undefined ? [] : readItemsFromText(options.items);
    const saved = await saveLootItems(invocation.app, invocation, [...fromFile, ...fromText]);
    if (saved.kind !== "saved") throw refuseLootItems(invocation.locale, saved);
    const inserted = saved.items.filter((item) => item.outcome === "inserted").length;
    return {
      kind: "message",
      ephemeral: true,
      body: {
        content: translate(invocation.locale, "lootImported", { inserted, updated: saved.items.length - inserted }),
      },
    };
  },
});

function readItemsFromText(text: string) {
  const parsed = parseLootList(text);
  if (parsed.ok) return parsed.items;
  if (parsed.position === 0) throw new UserFacingError("lootImportCount", { maximum: maximumImportItems });
  throw new UserFacingError("lootImportBadEntry", { position: parsed.position, entry: truncate(parsed.text, 100) });
}

/** Downloading may outlast Discord's 3 seconds: the interaction pipeline then defers the reply. */
async function readItemsFromFile(invocation: Invocation, attachmentId: string) {
  const attachment = invocation.attachments[attachmentId];
  if (attachment === undefined) throw new UserFacingError("lootFileMissing");
  const file = await readLootAttachment(invocation.app.config, attachment);
  const format = file.format === "unknown" ? (/^\s*\[/.test(file.text) ? "json" : "csv") : file.format;
  const parsed = parseLootFile(file.text, format);
  if (parsed.ok) return parsed.items;
  if ("row" in parsed) {
    throw new UserFacingError(fileRowMessages[parsed.problem], { row: parsed.row, firstRow: parsed.firstRow ?? 0 });
  }
  throw new UserFacingError(fileMessages[parsed.problem], { rows: parsed.rows ?? 0, maximum: maximumFileRows });
}
