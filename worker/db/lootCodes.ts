import type { Queryable } from "./Database";

/** A prize code as stored: sealed, with its digest; never the code itself. */
export interface SealedCodeRow {
  sealId: string;
  ciphertext: string;
  keyId: string;
  digest: string;
  /** The code's digest under TOKEN_ENCRYPTION_KEY_PREVIOUS, during a rotation: matched against codes it still seals. */
  previousDigest?: string | undefined;
}

/** What add_loot_codes did (sql/functions/add_loot_codes.sql). */
export type AddCodesOutcome =
  | { kind: "added"; itemName: string; added: number; available: number }
  | { kind: "noItem" }
  | { kind: "duplicate"; itemName: string; position: number };

/** An item of the guild by name (ignoring case), with how many of its codes are still unused. */
export interface ItemWithCodes {
  id: string;
  name: string;
  /** Codes nobody has won yet (available): what removing the item deletes (a won code stays, 0015). */
  unusedCodes: number;
}

export async function findItemWithCodes(
  database: Queryable,
  guildId: string,
  name: string,
): Promise<ItemWithCodes | undefined> {
  const rows = await database.query<{ id: string; name: string; unused_codes: number }>(
    `select li.id::text, li.name,
       (select count(*)::integer from loot_codes lc
        where lc.item_id = li.id and lc.status = 'available') as unused_codes
     from loot_items li where li.guild_id = $1 and lower(li.name) = lower($2)`,
    [guildId, name],
  );
  const row = rows[0];
  return row && { id: row.id, name: row.name, unusedCodes: row.unused_codes };
}

/** Stores sealed codes for an item and sets its stock to its available codes, all or none. */
export async function addSealedCodes(
  database: Queryable,
  guildId: string,
  itemId: string,
  codes: SealedCodeRow[],
): Promise<AddCodesOutcome> {
  const json = codes.map((code) => ({
    seal_id: code.sealId,
    ciphertext: code.ciphertext,
    key_id: code.keyId,
    digest: code.digest,
    ...(code.previousDigest === undefined ? {} : { previous_digest: code.previousDigest }),
  }));
  const rows = await database.query<{
    outcome: "added" | "no_item" | "duplicate";
    item_name: string | null;
    added: number;
    available: number;
    duplicate_index: number | null;
  }>("select outcome, item_name, added, available, duplicate_index from add_loot_codes($1, $2, $3::jsonb)", [
    guildId,
    itemId,
    JSON.stringify(json),
  ]);
  const row = rows[0];
  if (!row || row.outcome === "no_item" || row.item_name === null) return { kind: "noItem" };
  if (row.outcome === "duplicate")
    return { kind: "duplicate", itemName: row.item_name, position: row.duplicate_index ?? 0 };
  return { kind: "added", itemName: row.item_name, added: row.added, available: row.available };
}

/** Per item of the guild that has codes: how many are still available (its stock). */
export async function countAvailableCodes(database: Queryable, guildId: string): Promise<Map<string, number>> {
  const rows = await database.query<{ item_id: string; available: number }>(
    `select item_id::text, count(*) filter (where status = 'available')::integer as available
     from loot_codes where guild_id = $1 group by item_id`,
    [guildId],
  );
  return new Map(rows.map((row) => [row.item_id, row.available]));
}

/**
 * /loot add on an item that has codes: its name and weight change, its stock stays its available
 * codes. One statement, so a code added or drawn meanwhile is counted. `hasCodes` false: the item
 * is missing or has no codes, and nothing was changed.
 */
export async function updateItemWithCodes(
  database: Queryable,
  guildId: string,
  item: { name: string; weight: number },
): Promise<{ hasCodes: false } | { hasCodes: true; name: string; weight: number; stock: number }> {
  const rows = await database.query<{ name: string; weight: number; stock: number }>(
    `update loot_items li set name = $2, weight = $3
     where li.guild_id = $1 and lower(li.name) = lower($2)
       and exists (select from loot_codes lc where lc.item_id = li.id)
     returning li.name, li.weight, li.stock`,
    [guildId, item.name, item.weight],
  );
  const row = rows[0];
  return row ? { hasCodes: true, name: row.name, weight: row.weight, stock: row.stock } : { hasCodes: false };
}

/** Whether the guild's item of that name has codes (any status). */
export async function hasCodes(database: Queryable, guildId: string, name: string): Promise<boolean> {
  const rows = await database.query<{ found: boolean }>(
    `select exists (select from loot_items li join loot_codes lc on lc.item_id = li.id
       where li.guild_id = $1 and lower(li.name) = lower($2)) as found`,
    [guildId, name],
  );
  return rows[0]?.found === true;
}

/** Removes an item by id (its unused codes go with it; a won code stays, 0015); the name it had, if it was there. */
export async function removeItemById(
  database: Queryable,
  guildId: string,
  itemId: string,
): Promise<string | undefined> {
  const rows = await database.query<{ name: string }>(
    "delete from loot_items where guild_id = $1 and id = $2 returning name",
    [guildId, itemId],
  );
  return rows[0]?.name;
}
