import { type Locale, translate } from "../../../i18n/translate";

/** An item's stock as replies show it: a number, or "unlimited". */
export function describeStock(locale: Locale, stock: number | null): string {
  return stock === null ? translate(locale, "lootUnlimited") : String(stock);
}
