import { suggestItemNames } from "../../../db/lootItems";
import { type Locale, translate } from "../../../i18n/translate";
import {
  addLootCodes,
  type CodeEntry,
  type CodeListProblem,
  checkCodes,
  maximumCodeLength,
  maximumCodesPerCommand,
  readCodes,
} from "../../../raffle/lootCodes";
import { formatServerLimit } from "../../../raffle/serverLimits";
import { escapeMarkdown } from "../../message";
import { type Invocation, UserFacingError } from "../CommandGroup";
import { attachmentOption, textOption } from "../commandOptions";
import { defineSubcommand } from "../defineSubcommand";
import { optionLimits } from "../optionLimits";
import { readLootAttachment } from "./readLootAttachment";

/**
 * /loot codes name [codes] [file]: adds prize codes to an item, from text (one per line or
 * comma-separated), a .txt/.csv file, or both; all or none. The item's stock becomes its unused
 * codes. A reply never repeats a code: refusals name its line or position.
 */
export const codes = defineSubcommand({
  key: "loot.codes",
  options: {
    name: textOption(optionLimits.itemName, "lootNameInvalid", { autocomplete: true }),
    codes: textOption(optionLimits.codesText, "lootCodesTextInvalid").optional(),
    file: attachmentOption("lootCodesFileType").optional(),
  },
  async run(invocation, options) {
    const { locale } = invocation;
    if (options.codes === undefined && options.file === undefined) throw new UserFacingError("lootCodesNeedInput");
    const fromFile = options.file === undefined ? [] : await readCodesFromFile(invocation, options.file);
    const entries = [...fromFile, ...(options.codes === undefined ? [] : readCodes(options.codes, "text"))];
    const problem = checkCodes(entries);
    if (problem) throw refuseCodes(locale, problem);
    const result = await addLootCodes(invocation.app, invocation.guildId, options.name, entries);
    if (result.kind === "noItem")
      throw new UserFacingError("lootCodesUnknownItem", { name: escapeMarkdown(options.name) });
    if (result.kind === "tooManyForItem")
      throw new UserFacingError("lootCodesPerItemLimitReached", {
        name: escapeMarkdown(result.itemName),
        maximum: formatServerLimit("codesPerItem", locale),
        count: result.unused,
        added: entries.length,
      });
    if (result.kind === "tooManyForServer")
      throw new UserFacingError("lootCodesPerServerLimitReached", {
        maximum: formatServerLimit("codesPerServer", locale),
      });
    if (result.kind === "alreadyStored") {
      if (!result.entry) throw new UserFacingError("lootCodesAlreadyStoredRace");
      throw new UserFacingError("lootCodesAlreadyStored", { where: describeEntry(locale, result.entry) });
    }
    return {
      kind: "message",
      ephemeral: true,
      body: {
        content: translate(locale, "lootCodesAdded", {
          added: result.added,
          name: escapeMarkdown(result.itemName),
          available: result.available,
        }),
      },
    };
  },
  async autocomplete(invocation) {
    const typed = String(invocation.options.name ?? "").slice(0, optionLimits.itemName.maximum);
    const names = await suggestItemNames(invocation.app.database, invocation.guildId, typed);
    return { kind: "choices", choices: names.map((name) => ({ name, value: name })) };
  },
});

/** The file is read as /loot import reads its own (Discord's CDN, size cap, timeout), but only .txt or .csv. */
async function readCodesFromFile(invocation: Invocation, attachmentId: string): Promise<CodeEntry[]> {
  const attachment = invocation.attachments[attachmentId];
  if (attachment === undefined) throw new UserFacingError("lootFileMissing");
  const extension = /\.(csv|txt)$/i.exec(attachment.filename)?.[1]?.toLowerCase();
  if (extension === undefined) throw new UserFacingError("lootCodesFileType");
  const file = await readLootAttachment(invocation.app.config, attachment);
  const entries = readCodes(file.text, "file", extension === "csv" ? "csv" : "plain");
  if (entries.length === 0) throw new UserFacingError("lootCodesFileEmpty");
  return entries;
}

function refuseCodes(locale: Locale, refusal: CodeListProblem): UserFacingError {
  switch (refusal.problem) {
    case "empty":
      return new UserFacingError("lootCodesEmpty");
    case "tooMany":
      return new UserFacingError("lootCodesTooMany", { count: refusal.count, maximum: maximumCodesPerCommand });
    case "invalid":
      return new UserFacingError("lootCodesInvalid", {
        where: describeEntry(locale, refusal.entry),
        maximum: maximumCodeLength,
      });
    case "duplicate":
      return new UserFacingError("lootCodesDuplicate", {
        where: describeEntry(locale, refusal.entry),
        first: describeEntry(locale, refusal.first),
      });
  }
}

/** Where a code was given, never the code: "line 3 of the file", "code 2 of `codes`". */
function describeEntry(locale: Locale, entry: CodeEntry): string {
  return translate(locale, entry.source === "file" ? "lootCodesWhereFile" : "lootCodesWhereText", {
    position: entry.position,
  });
}
