import type { Locale } from "../../../i18n/translate";

/** A viewer's luck multiplier: 1 + points/100, at most 5 (what record_draw weighs by). */
export function formatMultiplier(locale: Locale, points: number): string {
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(Math.min(1 + points / 100, 5))}×`;
}
