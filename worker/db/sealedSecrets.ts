import type { Queryable } from "./Database";

/**
 * Values sealed with a given key (worker/security/TokenCipher.ts), for the key rotation: the tick
 * re-seals those the previous key sealed (raffle/resealSecrets.ts) and /admin/keys counts what is
 * left. Each store is one compare-and-set update: a row changed since it was read (a refresh, a
 * re-link, another tick's re-seal) keeps its new value.
 */

/** An interaction token is only of use while Discord accepts it (15 minutes): older states are left to expire. */
const interactionTokenUseMilliseconds = 15 * 60_000;

/** A prize code as sealed, with what its additional data names (`loot-code:{itemId}:{sealId}`). */
export interface SealedCodeToReseal {
  id: string;
  guildId: string;
  itemId: string;
  sealId: string;
  ciphertext: string;
}

/** A code sealed again: its new ciphertext and its digest under the new key. */
export interface ResealedCode {
  id: string;
  previousCiphertext: string;
  ciphertext: string;
  digest: string;
}

export async function listCodesSealedWith(
  database: Queryable,
  keyId: string,
  limit: number,
): Promise<SealedCodeToReseal[]> {
  const rows = await database.query<{
    id: string;
    guild_id: string;
    item_id: string;
    seal_id: string;
    code_ciphertext: string;
  }>(
    `select id::text, guild_id, item_id::text, seal_id::text, code_ciphertext
     from loot_codes where code_key_id = $1 order by updated_at, id limit $2`,
    [keyId, limit],
  );
  return rows.map((row) => ({
    id: row.id,
    guildId: row.guild_id,
    itemId: row.item_id,
    sealId: row.seal_id,
    ciphertext: row.code_ciphertext,
  }));
}

/**
 * Stores re-sealed codes, each only if it still holds the ciphertext that was opened. Its digest
 * becomes the one under the new key, unless another code of the server already has that digest
 * (the same code stored twice before this fix): that row keeps its old digest and is reported.
 */
export async function storeResealedCodes(
  database: Queryable,
  keyId: string,
  codes: ResealedCode[],
): Promise<{ stored: number; duplicateIds: string[] }> {
  if (codes.length === 0) return { stored: 0, duplicateIds: [] };
  const rows = await database.query<{ id: string; digest_renewed: boolean }>(
    `update loot_codes lc
     set code_ciphertext = v.ciphertext, code_key_id = $2,
       code_digest = case when exists (select from loot_codes other
                                       where other.guild_id = lc.guild_id and other.code_digest = v.digest
                                         and other.id <> lc.id)
                     then lc.code_digest else v.digest end
     from jsonb_to_recordset($1::jsonb) as v(id bigint, previous_ciphertext text, ciphertext text, digest text)
     where lc.id = v.id and lc.code_ciphertext = v.previous_ciphertext
     returning lc.id::text, lc.code_digest = v.digest as digest_renewed`,
    [
      JSON.stringify(
        codes.map((code) => ({
          id: code.id,
          previous_ciphertext: code.previousCiphertext,
          ciphertext: code.ciphertext,
          digest: code.digest,
        })),
      ),
      keyId,
    ],
  );
  return { stored: rows.length, duplicateIds: rows.filter((row) => !row.digest_renewed).map((row) => row.id) };
}

/** A Twitch link's sealed pair (additional data `twitch-access:{guild}`, `twitch-refresh:{guild}`). */
export interface SealedLinkToReseal {
  guildId: string;
  accessToken: string;
  refreshToken: string;
}

export async function listLinksSealedWith(
  database: Queryable,
  keyId: string,
  limit: number,
): Promise<SealedLinkToReseal[]> {
  const rows = await database.query<{
    guild_id: string;
    access_token_ciphertext: string;
    refresh_token_ciphertext: string;
  }>(
    `select guild_id, access_token_ciphertext, refresh_token_ciphertext
     from twitch_links where token_key_id = $1 order by updated_at, guild_id limit $2`,
    [keyId, limit],
  );
  return rows.map((row) => ({
    guildId: row.guild_id,
    accessToken: row.access_token_ciphertext,
    refreshToken: row.refresh_token_ciphertext,
  }));
}

/**
 * Stores re-sealed pairs, each only if the link still holds the pair that was opened and nobody
 * holds its refresh lease: a refresh in flight stores its new pair by the old refresh token's
 * ciphertext (db/twitchLinks.ts storeRefreshedTokens), which a re-seal must not change under it.
 */
export async function storeResealedLinks(
  database: Queryable,
  keyId: string,
  links: { previous: SealedLinkToReseal; accessToken: string; refreshToken: string }[],
  wallClockNow: number,
): Promise<number> {
  if (links.length === 0) return 0;
  const rows = await database.query(
    `update twitch_links l
     set access_token_ciphertext = v.access_token, refresh_token_ciphertext = v.refresh_token, token_key_id = $2
     from jsonb_to_recordset($1::jsonb)
       as v(guild_id text, previous_access_token text, previous_refresh_token text, access_token text, refresh_token text)
     where l.guild_id = v.guild_id and l.access_token_ciphertext = v.previous_access_token
       and l.refresh_token_ciphertext = v.previous_refresh_token
       and (l.refresh_lease_until is null or l.refresh_lease_until <= $3)
     returning l.guild_id`,
    [
      JSON.stringify(
        links.map((link) => ({
          guild_id: link.previous.guildId,
          previous_access_token: link.previous.accessToken,
          previous_refresh_token: link.previous.refreshToken,
          access_token: link.accessToken,
          refresh_token: link.refreshToken,
        })),
      ),
      keyId,
      new Date(wallClockNow),
    ],
  );
  return rows.length;
}

/** A pending Twitch link's interaction token (additional data `discord-interaction:{nonce}`). */
export interface SealedStateToReseal {
  nonce: string;
  ciphertext: string;
}

/** States whose interaction token is still of use (younger than 15 minutes) and sealed with the key. */
export async function listStatesSealedWith(
  database: Queryable,
  keyId: string,
  limit: number,
  now: number,
): Promise<SealedStateToReseal[]> {
  const rows = await database.query<{ nonce: string; interaction_token_ciphertext: string }>(
    `select nonce, interaction_token_ciphertext from oauth_states
     where interaction_token_key_id = $1 and created_at > $2 order by created_at limit $3`,
    [keyId, new Date(now - interactionTokenUseMilliseconds), limit],
  );
  return rows.map((row) => ({ nonce: row.nonce, ciphertext: row.interaction_token_ciphertext }));
}

export function storeResealedStates(
  database: Queryable,
  keyId: string,
  states: { previous: SealedStateToReseal; ciphertext: string }[],
): Promise<number> {
  return storeResealedColumn(
    database,
    sealedColumns.interactionTokens,
    keyId,
    states.map((state) => ({
      key: state.previous.nonce,
      previous: state.previous.ciphertext,
      ciphertext: state.ciphertext,
    })),
  );
}

/** A server's sealed overlay token (additional data `overlay-token:{guild}`, overlay/overlayLinks.ts). */
export interface SealedOverlayTokenToReseal {
  guildId: string;
  ciphertext: string;
}

export async function listOverlayTokensSealedWith(
  database: Queryable,
  keyId: string,
  limit: number,
): Promise<SealedOverlayTokenToReseal[]> {
  const rows = await database.query<{ guild_id: string; token_ciphertext: string }>(
    `select guild_id, token_ciphertext from overlay_links where token_key_id = $1 order by updated_at, guild_id limit $2`,
    [keyId, limit],
  );
  return rows.map((row) => ({ guildId: row.guild_id, ciphertext: row.token_ciphertext }));
}

/** Stores re-sealed overlay tokens, each only if the link still holds the ciphertext that was opened. */
export function storeResealedOverlayTokens(
  database: Queryable,
  keyId: string,
  tokens: { previous: SealedOverlayTokenToReseal; ciphertext: string }[],
): Promise<number> {
  return storeResealedColumn(
    database,
    sealedColumns.overlayTokens,
    keyId,
    tokens.map((token) => ({
      key: token.previous.guildId,
      previous: token.previous.ciphertext,
      ciphertext: token.ciphertext,
    })),
  );
}

/** A table that seals one value a row, found by a text key: what storing its re-sealed values names. */
interface SealedColumn {
  table: string;
  key: string;
  ciphertext: string;
  keyId: string;
}

const sealedColumns = {
  interactionTokens: {
    table: "oauth_states",
    key: "nonce",
    ciphertext: "interaction_token_ciphertext",
    keyId: "interaction_token_key_id",
  },
  overlayTokens: { table: "overlay_links", key: "guild_id", ciphertext: "token_ciphertext", keyId: "token_key_id" },
} as const satisfies Record<string, SealedColumn>;

/**
 * Stores re-sealed values of one sealed column in one statement, each by compare-and-set on the
 * ciphertext that was opened, so a value changed meanwhile (a new link, an overlapping tick) is
 * left alone. How many were stored.
 */
async function storeResealedColumn(
  database: Queryable,
  column: SealedColumn,
  keyId: string,
  values: { key: string; previous: string; ciphertext: string }[],
): Promise<number> {
  if (values.length === 0) return 0;
  const rows = await database.query(
    `update ${column.table} t set ${column.ciphertext} = v.ciphertext, ${column.keyId} = $2
     from jsonb_to_recordset($1::jsonb) as v(key text, previous text, ciphertext text)
     where t.${column.key} = v.key and t.${column.ciphertext} = v.previous
     returning t.${column.key}`,
    [JSON.stringify(values), keyId],
  );
  return rows.length;
}

/**
 * Moves rows whose value did not open to the back of the re-seal queue (their `updated_at`), so
 * they never hold up the others; they stay sealed with the key and keep being counted.
 */
export async function postponeUnreadable(
  database: Queryable,
  unreadable: { codeIds: string[]; guildIds: string[]; overlayGuildIds?: string[] },
): Promise<void> {
  if (unreadable.codeIds.length > 0)
    await database.query("update loot_codes set updated_at = now() where id = any($1::bigint[])", [unreadable.codeIds]);
  if (unreadable.guildIds.length > 0)
    await database.query("update twitch_links set updated_at = now() where guild_id = any($1::text[])", [
      unreadable.guildIds,
    ]);
  if (unreadable.overlayGuildIds && unreadable.overlayGuildIds.length > 0)
    await database.query("update overlay_links set updated_at = now() where guild_id = any($1::text[])", [
      unreadable.overlayGuildIds,
    ]);
}

/**
 * What a key still seals: `tokens` counts each Twitch access and refresh token, each server's
 * overlay token and each interaction token of a link started in the last 15 minutes; `codes` every prize code, whatever
 * its status (a delivered one is shown again to its winner).
 */
export async function countSealedWith(
  database: Queryable,
  keyId: string,
  now: number,
): Promise<{ tokens: number; codes: number }> {
  const rows = await database.query<{ tokens: number; codes: number }>(
    `select
       (select 2 * count(*) from twitch_links where token_key_id = $1)::integer
         + (select count(*) from overlay_links where token_key_id = $1)::integer
         + (select count(*) from oauth_states where interaction_token_key_id = $1 and created_at > $2)::integer
         as tokens,
       (select count(*) from loot_codes where code_key_id = $1)::integer as codes`,
    [keyId, new Date(now - interactionTokenUseMilliseconds)],
  );
  return { tokens: rows[0]?.tokens ?? 0, codes: rows[0]?.codes ?? 0 };
}
