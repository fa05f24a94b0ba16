import type { AppContext } from "../context";
import { PostgresCode, readDatabaseError } from "../db/databaseErrors";
import { addSealedCodes, findItemWithCodes } from "../db/lootCodes";
import type { Config } from "../env";
import { decodeBase64, encodeBase64Url } from "../security/base64";
import { getTokenCipher } from "../security/keys";
import { readServerLimitRefusal, serverLimits } from "./serverLimits";

/** One /loot codes takes at most this many codes (text and file together). */
export const maximumCodesPerCommand = 1000;
/** A code is 1 to this many characters once trimmed. */
export const maximumCodeLength = 200;

/** The additional data a code is sealed with: a sealed code copied to another row or item does not open. */
export function lootCodePurpose(itemId: string, sealId: string): string {
  return `loot-code:${itemId}:${sealId}`;
}

/** A code as given, and where: the file's line, or the position among the `codes` text's entries. */
export interface CodeEntry {
  code: string;
  source: "file" | "text";
  position: number;
}

/** Why a list of codes is refused before anything is stored. */
export type CodeListProblem =
  | { problem: "empty" }
  | { problem: "tooMany"; count: number }
  | { problem: "invalid"; entry: CodeEntry }
  | { problem: "duplicate"; entry: CodeEntry; first: CodeEntry };

/**
 * Reads codes from text: one per line or comma-separated, trimmed, empty ones ignored. In a CSV
 * file a cell may be quoted (`"a,b"` is one code) and a first line `code` or `codes` is a header.
 */
export function readCodes(text: string, source: "file" | "text", format: "csv" | "plain" = "plain"): CodeEntry[] {
  const entries: CodeEntry[] = [];
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/);
  for (const [index, line] of lines.entries()) {
    const cells = format === "csv" ? splitCsvLine(line) : line.split(",");
    for (const cell of cells) {
      const code = cell.trim();
      if (code === "") continue;
      if (format === "csv" && entries.length === 0 && /^codes?$/i.test(code)) continue;
      entries.push({ code, source, position: source === "file" ? index + 1 : entries.length + 1 });
    }
  }
  return entries;
}

function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let index = 0; index < line.length; index += 1) {
    const character = line[index];
    if (quoted && character === '"' && line[index + 1] === '"') {
      cell += '"';
      index += 1;
    } else if (character === '"' && (quoted || cell.trim() === "")) {
      quoted = !quoted;
      if (quoted) cell = "";
    } else if (character === "," && !quoted) {
      cells.push(cell);
      cell = "";
    } else {
      cell += character;
    }
  }
  cells.push(cell);
  return cells;
}

/** The checks every code list passes before it is sealed: a count, each code's form, no code twice. */
export function checkCodes(entries: CodeEntry[]): CodeListProblem | undefined {
  if (entries.length === 0) return { problem: "empty" };
  if (entries.length > maximumCodesPerCommand) return { problem: "tooMany", count: entries.length };
  const invalid = entries.find((entry) => entry.code.length > maximumCodeLength || /\p{C}/u.test(entry.code));
  if (invalid) return { problem: "invalid", entry: invalid };
  const seen = new Map<string, CodeEntry>();
  for (const entry of entries) {
    const first = seen.get(entry.code);
    if (first) return { problem: "duplicate", entry, first };
    seen.set(entry.code, entry);
  }
  return undefined;
}

/** What adding codes came to. */
export type AddCodesResult =
  | { kind: "added"; itemName: string; added: number; available: number }
  | { kind: "noItem" }
  | { kind: "alreadyStored"; itemName: string; entry: CodeEntry | undefined }
  /** The item would have more than serverLimits.codesPerItem unused codes; `unused` it has now. */
  | { kind: "tooManyForItem"; itemName: string; unused: number }
  /** The server would have more than serverLimits.codesPerServer unused codes. */
  | { kind: "tooManyForServer" };

/**
 * /loot codes: seals each code (AES-256-GCM, bound to the item and a fresh seal id), digests it
 * (HMAC, so a duplicate in the server is found without keeping the code) and stores them all
 * through add_loot_codes, which sets the item's stock to its available codes. All or none. During
 * a key rotation each code is digested under the previous key too, so a code stored (and not yet
 * re-sealed) under that key is still refused as a duplicate.
 */
export async function addLootCodes(
  app: AppContext,
  guildId: string,
  itemName: string,
  entries: CodeEntry[],
): Promise<AddCodesResult> {
  const item = await findItemWithCodes(app.database, guildId, itemName);
  if (!item) return { kind: "noItem" };
  // Refused before sealing anything; add_loot_codes' trigger (0017) is the last word.
  if (item.unusedCodes + entries.length > serverLimits.codesPerItem)
    return { kind: "tooManyForItem", itemName: item.name, unused: item.unusedCodes };
  const cipher = await getTokenCipher(app.config);
  const previousKey = cipher.previousKeyId === undefined ? undefined : app.config.previousTokenEncryptionKey;
  const sealed = await Promise.all(
    entries.map(async (entry) => {
      const sealId = crypto.randomUUID();
      const [secret, digest, previousDigest] = await Promise.all([
        cipher.seal(entry.code, lootCodePurpose(item.id, sealId)),
        digestLootCode(app.config.tokenEncryptionKey, guildId, entry.code),
        previousKey === undefined ? undefined : digestLootCode(previousKey, guildId, entry.code),
      ]);
      return { sealId, ciphertext: secret.ciphertext, keyId: secret.keyId, digest, previousDigest };
    }),
  );
  try {
    const outcome = await addSealedCodes(app.database, guildId, item.id, sealed);
    if (outcome.kind !== "duplicate") return outcome;
    return { kind: "alreadyStored", itemName: outcome.itemName, entry: entries[outcome.position - 1] };
  } catch (error) {
    const limit = readServerLimitRefusal(error);
    if (limit === "codesPerItem") return { kind: "tooManyForItem", itemName: item.name, unused: item.unusedCodes };
    if (limit === "codesPerServer") return { kind: "tooManyForServer" };
    const code = readDatabaseError(error)?.code;
    // Another /loot codes stored the same code at the same moment (the unique digest index).
    if (code === PostgresCode.uniqueViolation) return { kind: "alreadyStored", itemName: item.name, entry: undefined };
    // The item was removed meanwhile (its foreign key).
    if (code === PostgresCode.foreignKeyViolation) return { kind: "noItem" };
    throw error;
  }
}

/**
 * A code's duplicate digest: HMAC-SHA256 of `{guild}:{code}` under a key HKDF-derived from the
 * encryption key that seals it. A stored code's digest always belongs to its `code_key_id`: when
 * the tick re-seals a code under a new key it recomputes the digest under that key too
 * (raffle/resealSecrets.ts), so duplicates are still found once the previous key is gone.
 */
export async function digestLootCode(base64Key: string, guildId: string, code: string): Promise<string> {
  return toHex(await sign(await getDerivedKey(base64Key, "loot-code-digest-v1"), `${guildId}:${code}`));
}

/** How long a "Remove it?" button stays good. */
const removalConfirmationMilliseconds = 10 * 60_000;
const removalPrefix = "loot.remove";

/** The custom_id of the button that confirms removing an item: signed, bound to the guild, expiring. */
export async function signRemoval(
  config: Pick<Config, "tokenEncryptionKey">,
  guildId: string,
  itemId: string,
  now: number,
) {
  const expiresAt = Math.ceil((now + removalConfirmationMilliseconds) / 1000);
  const mac = await sign(await getKey(config, "loot-remove-confirmation-v1"), `${guildId}:${itemId}:${expiresAt}`);
  return `${removalPrefix}:${itemId}:${expiresAt}:${encodeBase64Url(mac.slice(0, 16))}`;
}

export const cancelRemovalId = `${removalPrefix}.cancel`;

/** Reads a confirmation button's custom_id: the item to remove, if the button is genuine and fresh. */
export async function verifyRemoval(
  config: Pick<Config, "tokenEncryptionKey">,
  guildId: string,
  customId: string,
  now: number,
): Promise<{ ok: true; itemId: string } | { ok: false; reason: "forged" | "expired" }> {
  const match = /^loot\.remove:(\d{1,19}):(\d{1,12}):([A-Za-z0-9_-]{22})$/.exec(customId);
  if (!match) return { ok: false, reason: "forged" };
  const [, itemId = "", expiresAt = "", mac = ""] = match;
  const expected = await sign(await getKey(config, "loot-remove-confirmation-v1"), `${guildId}:${itemId}:${expiresAt}`);
  if (!timingSafeEqual(encodeBase64Url(expected.slice(0, 16)), mac)) return { ok: false, reason: "forged" };
  if (Number(expiresAt) * 1000 <= now) return { ok: false, reason: "expired" };
  return { ok: true, itemId };
}

/** Whether a component's custom_id belongs to the removal confirmation. */
export function isRemovalComponent(customId: string): boolean {
  return customId.startsWith(`${removalPrefix}:`) || customId === cancelRemovalId;
}

// HMAC keys derived from TOKEN_ENCRYPTION_KEY (HKDF, one `info` per use), one import per isolate.
const keys = new Map<string, Promise<CryptoKey>>();

function getKey(config: Pick<Config, "tokenEncryptionKey">, info: string): Promise<CryptoKey> {
  return getDerivedKey(config.tokenEncryptionKey, info);
}

function getDerivedKey(base64Key: string, info: string): Promise<CryptoKey> {
  const cacheKey = `${info}|${base64Key}`;
  let key = keys.get(cacheKey);
  if (!key) {
    key = deriveKey(base64Key, info);
    keys.set(cacheKey, key);
  }
  return key;
}

async function deriveKey(base64Key: string, info: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey("raw", decodeBase64(base64Key), "HKDF", false, ["deriveKey"]);
  const encoder = new TextEncoder();
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: encoder.encode("liveloot"), info: encoder.encode(info) },
    material,
    { name: "HMAC", hash: "SHA-256", length: 256 },
    false,
    ["sign"],
  );
}

async function sign(key: CryptoKey, text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(text)));
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function timingSafeEqual(left: string, right: string): boolean {
  if (left.length !== right.length) return false;
  let difference = 0;
  for (let index = 0; index < left.length; index += 1) difference |= left.charCodeAt(index) ^ right.charCodeAt(index);
  return difference === 0;
}
