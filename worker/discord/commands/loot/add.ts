import { hasCodes, updateItemWithCodes } from "../../../db/lootCodes";
import { translate } from "../../../i18n/translate";
import { saveLootItems } from "../../../raffle/saveLootItems";
import { escapeMarkdown } from "../../message";
import { UserFacingError } from "../CommandGroup";
import { integerOption, textOption } from "../commandOptions";
import { defineSubcommand } from "../defineSubcommand";
import { optionLimits } from "../optionLimits";
import { describeStock } from "./describeStock";
import { refuseLootItems } from "./refuseLootItems";

/**
 * /loot add name weight [stock]: adds an item, or updates the one with that name (ignoring case).
 * An item with prize codes keeps its stock = its available codes: its weight (and spelling) can
 * change, a `stock` for it is refused.
 */
export const add = defineSubcommand({
  key: "loot.add",
  options: {
    name: textOption(optionLimits.itemName, "lootNameInvalid"),
    weight: integerOption(optionLimits.itemWeight, "lootWeightInvalid"),
    stock: integerOption(optionLimits.itemStock, "lootStockInvalid").optional(),
  },
  async run(invocation, options) {
    const { locale } = invocation;
    const { database } = invocation.app;
    if (options.stock !== undefined && (await hasCodes(database, invocation.guildId, options.name))) {
      throw new UserFacingError("lootCodesStockRefused", { name: escapeMarkdown(options.name) });
    }
    if (options.stock === undefined) {
      const withCodes = await updateItemWithCodes(database, invocation.guildId, options);
      if (withCodes.hasCodes) {
        const content = translate(locale, "lootUpdatedCodes", {
          name: escapeMarkdown(withCodes.name),
          weight: new Intl.NumberFormat(locale).format(withCodes.weight),
          count: withCodes.stock,
        });
        return { kind: "message", ephemeral: true, body: { content } };
      }
    }
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
