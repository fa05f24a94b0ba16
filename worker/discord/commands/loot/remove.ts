import { removeItem, suggestItemNames } from "../../../db/lootItems";
import { translate } from "../../../i18n/translate";
import { escapeMarkdown } from "../../message";
import { textOption } from "../commandOptions";
import { defineSubcommand } from "../defineSubcommand";
import { optionLimits } from "../optionLimits";

/** /loot remove name: removes an item (past draws keep their record); names are autocompleted. */
export const remove = defineSubcommand({
  key: "loot.remove",
  options: { name: textOption(optionLimits.itemName, "lootNameInvalid", { autocomplete: true }) },
  async run(invocation, options) {
    const removed = await removeItem(invocation.app.database, invocation.guildId, options.name);
    const key = removed ? "lootRemoved" : "lootNotFound";
    return {
      kind: "message",
      ephemeral: true,
      body: { content: translate(invocation.locale, key, { name: escapeMarkdown(removed ?? options.name) }) },
    };
  },
  async autocomplete(invocation) {
    const typed = String(invocation.options.name ?? "").slice(0, optionLimits.itemName.maximum);
    const names = await suggestItemNames(invocation.app.database, invocation.guildId, typed);
    return { kind: "choices", choices: names.map((name) => ({ name, value: name })) };
  },
});
