import * as z from "zod";

/** Option schemas for /loot; each error message is an i18n key naming the problem. */
export const itemName = z
  .string({ error: "lootNameInvalid" })
  .trim()
  .min(1, { error: "lootNameInvalid" })
  .max(100, { error: "lootNameInvalid" });

export const itemWeight = z
  .number({ error: "lootWeightInvalid" })
  .int({ error: "lootWeightInvalid" })
  .min(1, { error: "lootWeightInvalid" })
  .max(1_000_000, { error: "lootWeightInvalid" });

export const itemStock = z
  .number({ error: "lootStockInvalid" })
  .int({ error: "lootStockInvalid" })
  .min(1, { error: "lootStockInvalid" })
  .max(2_147_483_647, { error: "lootStockInvalid" });

export const addItemOptions = z.object({ name: itemName, weight: itemWeight, stock: itemStock.optional() });
export const importItemsOptions = z.object({
  items: z.string({ error: "lootImportInvalid" }).trim().min(1, { error: "lootImportInvalid" }).max(6000),
});
export const removeItemOptions = z.object({ name: itemName });
export const noOptions = z.object({});
