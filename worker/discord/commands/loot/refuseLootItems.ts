import type { Locale } from "../../../i18n/translate";
import type { SaveLootResult } from "../../../raffle/saveLootItems";
import { formatServerLimit } from "../../../raffle/serverLimits";
import { UserFacingError } from "../CommandGroup";
import { describeLimit, optionLimits } from "../optionLimits";

/** Why insert_items refused a batch, in the user's language (the same messages as the options'). */
export function refuseLootItems(locale: Locale, refusal: Exclude<SaveLootResult, { kind: "saved" }>): UserFacingError {
  if (refusal.kind === "duplicateName") return new UserFacingError("lootDuplicateInImport");
  if (refusal.kind === "tooManyItems")
    return new UserFacingError("lootItemsLimitReached", { maximum: formatServerLimit("lootItems", locale) });
  if (refusal.field === "name")
    return new UserFacingError("lootNameInvalid", describeLimit(optionLimits.itemName, locale));
  if (refusal.field === "weight")
    return new UserFacingError("lootWeightInvalid", describeLimit(optionLimits.itemWeight, locale));
  if (refusal.field === "stock")
    return new UserFacingError("lootStockInvalid", describeLimit(optionLimits.itemStock, locale));
  return new UserFacingError("invalidOptions");
}
