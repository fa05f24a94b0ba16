import { findItemWithCodes, removeItemById } from "../../../db/lootCodes";
import { suggestItemNames } from "../../../db/lootItems";
import { translate } from "../../../i18n/translate";
import { cancelRemovalId, isRemovalComponent, signRemoval, verifyRemoval } from "../../../raffle/lootCodes";
import { escapeMarkdown } from "../../message";
import { textOption } from "../commandOptions";
import { defineSubcommand } from "../defineSubcommand";
import { optionLimits } from "../optionLimits";
import type { ComponentHandler } from "../registry";

/**
 * /loot remove name: removes an item (past draws keep their record); names are autocompleted. An
 * item with unused prize codes is removed only after its "Remove it" button: those codes go with it,
 * while a code already won stays its winner's (0015_won_codes_outlive_items.sql).
 */
export const remove = defineSubcommand({
  key: "loot.remove",
  options: { name: textOption(optionLimits.itemName, "lootNameInvalid", { autocomplete: true }) },
  async run(invocation, options) {
    const { app, guildId, locale } = invocation;
    const item = await findItemWithCodes(app.database, guildId, options.name);
    const removed = item && item.unusedCodes === 0 ? await removeItemById(app.database, guildId, item.id) : undefined;
    if (item && item.unusedCodes > 0) {
      const confirmId = await signRemoval(app.config, guildId, item.id, app.now());
      const content = translate(locale, "lootRemoveConfirm", {
        name: escapeMarkdown(item.name),
        count: item.unusedCodes,
      });
      const buttons = [
        { type: 2, style: 4, label: translate(locale, "lootRemoveConfirmButton"), custom_id: confirmId },
        { type: 2, style: 2, label: translate(locale, "lootRemoveCancelButton"), custom_id: cancelRemovalId },
      ] as const;
      return {
        kind: "message",
        ephemeral: true,
        body: { content, components: [{ type: 1, components: [...buttons] }] },
      };
    }
    const key = removed ? "lootRemoved" : "lootNotFound";
    return {
      kind: "message",
      ephemeral: true,
      body: { content: translate(locale, key, { name: escapeMarkdown(removed ?? options.name) }) },
    };
  },
  async autocomplete(invocation) {
    const typed = String(invocation.options.name ?? "").slice(0, optionLimits.itemName.maximum);
    const names = await suggestItemNames(invocation.app.database, invocation.guildId, typed);
    return { kind: "choices", choices: names.map((name) => ({ name, value: name })) };
  },
});

/** The buttons of /loot remove's confirmation: each answer replaces the question and its buttons. */
export const removalConfirmation: ComponentHandler = {
  matches: isRemovalComponent,
  async handle({ app, guildId, locale, customId }) {
    if (customId === cancelRemovalId) return { content: translate(locale, "lootRemoveCancelled"), components: [] };
    const verified = await verifyRemoval(app.config, guildId, customId, app.now());
    if (!verified.ok) {
      if (verified.reason === "forged") app.log.warn("a /loot remove button did not verify", { guildId });
      return { content: translate(locale, "lootRemoveExpired"), components: [] };
    }
    const removed = await removeItemById(app.database, guildId, verified.itemId);
    const content = removed
      ? translate(locale, "lootRemoved", { name: escapeMarkdown(removed) })
      : translate(locale, "lootRemoveGone");
    return { content, components: [] };
  },
};
