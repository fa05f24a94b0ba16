import { countAvailableCodes } from "../../../db/lootCodes";
import { isDrawable, listItems } from "../../../db/lootItems";
import { type Locale, translate } from "../../../i18n/translate";
import { brandColor, type Embed, escapeMarkdown, joinLinesWithin } from "../../message";
import { defineSubcommand } from "../defineSubcommand";
import { describeStock } from "./describeStock";

/** /loot list: the loot table with each item's chance and stock ("unused codes: N" for items with codes). */
export const list = defineSubcommand({
  key: "loot.list",
  async run(invocation) {
    const [items, codesLeft] = await Promise.all([
      listItems(invocation.app.database, invocation.guildId),
      countAvailableCodes(invocation.app.database, invocation.guildId),
    ]);
    const described = items.map((item) => ({ ...item, codesLeft: codesLeft.get(item.id) }));
    return { kind: "message", ephemeral: false, body: { embeds: [describeLootTable(invocation.locale, described)] } };
  },
});

/** The loot table as one embed: chance = weight / Σ weights of items that can still be won. */
export function describeLootTable(
  locale: Locale,
  items: { name: string; weight: number; stock: number | null; enabled: boolean; codesLeft?: number | undefined }[],
): Embed {
  const title = translate(locale, "lootTableTitle");
  if (items.length === 0) return { title, description: translate(locale, "lootTableEmpty"), color: brandColor };
  const drawable = items.filter((item) => isDrawable({ ...item, id: "" }));
  const totalWeight = drawable.reduce((sum, item) => sum + item.weight, 0);
  const format = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  const lines = items.map((item) => {
    const chance = isDrawable({ ...item, id: "" }) && totalWeight > 0 ? (100 * item.weight) / totalWeight : 0;
    const shown = {
      name: escapeMarkdown(item.name),
      weight: format.format(item.weight),
      chance: format.format(chance),
    };
    // An item with codes: its stock is its available codes; never a code itself.
    if (item.codesLeft !== undefined) {
      return translate(locale, "lootTableLineCodes", { ...shown, count: format.format(item.codesLeft) });
    }
    return translate(locale, "lootTableLine", { ...shown, stock: describeStock(locale, item.stock) });
  });
  return {
    title,
    description: joinLinesWithin(lines, 4000, (hidden) => translate(locale, "lootTableMore", { count: hidden })),
    color: brandColor,
    footer: { text: translate(locale, "lootTableFooter", { count: drawable.length, total: items.length }) },
  };
}
