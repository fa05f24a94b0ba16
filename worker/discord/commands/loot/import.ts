import { translate } from "../../../i18n/translate";
import { maximumImportItems, parseLootList } from "../../../raffle/parseLootList";
import { saveLootItems } from "../../../raffle/saveLootItems";
import { truncate } from "../../message";
import { UserFacingError } from "../CommandGroup";
import { textOption } from "../commandOptions";
import { defineSubcommand } from "../defineSubcommand";
import { optionLimits } from "../optionLimits";
import { refuseLootItems } from "./refuseLootItems";

/** /loot import items: many items at once (`Sword:10, Shield:5x3`), all or none. */
export const importItems = defineSubcommand({
  key: "loot.import",
  options: { items: textOption(optionLimits.importText, "lootImportInvalid") },
  async run(invocation, options) {
    const parsed = parseLootList(options.items);
    if (!parsed.ok) {
      if (parsed.position === 0) throw new UserFacingError("lootImportCount", { maximum: maximumImportItems });
      throw new UserFacingError("lootImportBadEntry", { position: parsed.position, entry: truncate(parsed.text, 100) });
    }
    const saved = await saveLootItems(invocation.app, invocation, parsed.items);
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
