import type { LootEntry } from "../domain/types";

export type { LootEntry };

export type LootListResult = { ok: true; items: LootEntry[] } | { ok: false; position: number; text: string };

export const maximumImportItems = 100;

/**
 * Parses `Sword:10, Shield:5x3`: comma- or newline-separated `name:weight` with an optional
 * `xStock`. The weight is after the LAST colon, so names may contain colons. Ranges are checked
 * here so the reply can point at the entry; insert_items checks every field again.
 */
export function parseLootList(text: string): LootListResult {
  const parts = text
    .split(/[,\n;]/)
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  if (parts.length === 0 || parts.length > maximumImportItems) return { ok: false, position: 0, text };
  const items: LootEntry[] = [];
  for (const [index, part] of parts.entries()) {
    const match = /^(.+):\s*(\d+)\s*(?:[xX×]\s*(\d+))?$/.exec(part);
    const name = match?.[1]?.trim();
    const weight = Number(match?.[2]);
    const stock = match?.[3] === undefined ? null : Number(match[3]);
    const valid =
      name !== undefined &&
      name.length >= 1 &&
      name.length <= 100 &&
      weight >= 1 &&
      weight <= 1_000_000 &&
      (stock === null || (stock >= 1 && stock <= 2_147_483_647));
    if (!valid || name === undefined) return { ok: false, position: index + 1, text: part };
    items.push({ name, weight, stock });
  }
  return { ok: true, items };
}
