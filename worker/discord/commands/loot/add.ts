import { translate } from "../../../i18n/translate";
import { saveLootItems } from "../../../raffle/saveLootItems";
import { escapeMarkdown } from "../../message";
import { integerOption, textOption } from "../commandOptions";
import { defineSubcommand } from "../defineSubcommand";
import { optionLimits } from "../optionLimits";
import { describeStock } from "./describeStock";
import { refuseLootItems } from "./refuseLootItems";

/** /loot add name weight [stock]: adds an item, or updates the one with that name (ignoring case). */
export const add = defineSubcommand({
  key: "loot.add",
  options: {
    name: textOption(optionLimits.itemName, "lootNameInvalid"),
    weight: integerOption(optionLimits.itemWeight, "lootWeightInvalid"),
    stock: integerOption(optionLimits.itemStock, "lootStockInvalid").optional(),
  },
  async run(invocation, options) {
    const { locale } = invocation;
    const saved = await saveLootItems(invocation.app, invocation, [
      { name: options.name, weight: options.weight, stock: options.stock ?? null },
    ]);
    if (saved.kind !== "saved") throw refuseLootItems(locale, saved);
    const [item] = saved.items;
    if (!item) throw new Error("insert_items returned no row");
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
  },
});
