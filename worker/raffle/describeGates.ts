import { type GateName, listGates, type RaffleGates } from "../domain/gates";
import { type Locale, translate } from "../i18n/translate";

/**
 * A span of minutes in the reader's words: whole days as days, whole hours as hours, else
 * minutes ("7 days", "3 hours", "45 minutes"; "7 dias" in pt-BR), through Intl's unit names.
 */
export function formatDuration(locale: Locale, minutes: number): string {
  const [value, unit] =
    minutes >= 1440 && minutes % 1440 === 0
      ? [minutes / 1440, "day"]
      : minutes >= 60 && minutes % 60 === 0
        ? [minutes / 60, "hour"]
        : [minutes, "minute"];
  return new Intl.NumberFormat(locale, { style: "unit", unit, unitDisplay: "long" }).format(value);
}

/** One gate as a group of viewers: "followers for at least 7 days", "subscribers", … */
export function describeGate(locale: Locale, gate: GateName, gates: RaffleGates): string {
  switch (gate) {
    case "active":
      return translate(locale, "gateActive", { duration: formatDuration(locale, gates.activeMinutes) });
    case "account_age":
      return translate(locale, "gateAccountAge", { duration: formatDuration(locale, gates.minAccountDays * 1440) });
    case "subscribers":
      return translate(locale, "gateSubscribers");
    case "followers":
      return gates.minFollowMinutes > 0
        ? translate(locale, "gateFollowersFor", { duration: formatDuration(locale, gates.minFollowMinutes) })
        : translate(locale, "gateFollowers");
  }
}

/** Every gate in force, joined ("followers; subscribers"), or "none, everyone in chat may win". */
export function describeGates(locale: Locale, gates: RaffleGates): string {
  const names = listGates(gates);
  if (names.length === 0) return translate(locale, "gatesNone");
  return names.map((gate) => describeGate(locale, gate, gates)).join("; ");
}
