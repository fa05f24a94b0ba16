/**
 * The draw algorithm `liveloot/v1`, exactly as docs/fairness.md states it, as pure
 * functions over WebCrypto: the Worker, the public page and `npm run verify` run this same code,
 * and anyone can rewrite it from that text and get the same picks.
 */
import { computeSha256, computeSha256Hex, formatHex, parseHex } from "./bytes";

export const algorithmName = "liveloot/v1";

/** One line of a canonical list: a Twitch user id or an item id (decimal digits) and its integer weight. */
export interface WeightedEntry {
  id: string;
  weight: number;
}

/** A canonical list: the entries sorted by id as integers, their `id:weight\n` text and its hex SHA-256. */
export interface WeightedLines {
  entries: WeightedEntry[];
  text: string;
  sha256: string;
}

/** When a drand chain publishes: round r at `genesisSeconds + (r − 1) · periodSeconds`. */
export interface ChainSchedule {
  genesisSeconds: number;
  periodSeconds: number;
}

/** Words are 48-bit: the first 6 bytes of an HMAC-SHA256. */
const wordSpace = 2n ** 48n;
const decimalIdPattern = /^[0-9]+$/;
const manualDrawIdPattern = /^[A-Za-z0-9_-]+$/;
const maximumLuckBonus = 400;

export const itemPurpose = "item";
export const winnerPurpose = "winner";

/** `winner-redraw-{n}`: the purpose of the n-th redraw after an unclaimed prize (n = 1, 2, 3). */
export function formatRedrawPurpose(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 3) throw new RangeError(`a redraw number is 1, 2 or 3, not ${n}`);
  return `winner-redraw-${n}`;
}

/** An entrant's weight: 1, or with `luck` 100 + min(points, 400). */
export function entrantWeight(points: number, luck: boolean): number {
  if (!luck) return 1;
  if (!Number.isSafeInteger(points) || points < 0)
    throw new RangeError(`activity points must be an integer ≥ 0, not ${points}`);
  return 100 + Math.min(points, maximumLuckBonus);
}

/**
 * The entries sorted by id compared as integers ("9" before "10"), after checking every id is
 * decimal digits, no id appears twice and every weight is an integer ≥ 1.
 */
export function sortWeightedEntries(entries: readonly WeightedEntry[]): WeightedEntry[] {
  const keyed = entries.map((entry) => {
    if (!decimalIdPattern.test(entry.id)) throw new RangeError(`id "${entry.id}" is not decimal digits`);
    if (!Number.isSafeInteger(entry.weight) || entry.weight < 1) {
      throw new RangeError(`weight of id ${entry.id} must be an integer ≥ 1, not ${entry.weight}`);
    }
    return { entry, key: BigInt(entry.id) };
  });
  keyed.sort((first, second) => (first.key < second.key ? -1 : first.key > second.key ? 1 : 0));
  for (let index = 1; index < keyed.length; index += 1) {
    if (keyed[index - 1]?.key === keyed[index]?.key) throw new RangeError(`id ${keyed[index]?.entry.id} appears twice`);
  }
  return keyed.map(({ entry }) => ({ id: entry.id, weight: entry.weight }));
}

/** The canonical text: `id:weight\n` per entry, sorted by id as integers (an empty list is ""). */
export function formatWeightedLines(entries: readonly WeightedEntry[]): string {
  return sortWeightedEntries(entries)
    .map((entry) => `${entry.id}:${entry.weight}\n`)
    .join("");
}

/** The canonical list, its text and the hex SHA-256 of that text (`entrants_sha256`, `items_sha256`). */
export async function hashWeightedLines(entries: readonly WeightedEntry[]): Promise<WeightedLines> {
  const sorted = sortWeightedEntries(entries);
  const text = sorted.map((entry) => `${entry.id}:${entry.weight}\n`).join("");
  return { entries: sorted, text, sha256: await computeSha256Hex(text) };
}

/** A scheduled slot's `{slot}`: its UTC minute as `YYYY-MM-DDTHH:MMZ` (seconds are dropped, not rounded). */
export function formatSlotLabel(milliseconds: number): string {
  const date = new Date(milliseconds);
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() < 0 || date.getUTCFullYear() > 9999) {
    throw new RangeError(`not a time a slot can have: ${milliseconds}`);
  }
  return `${date.toISOString().slice(0, 16)}Z`;
}

/** A manual draw's `{slot}`: `manual-` + its draw id. */
export function formatManualSlotLabel(drawId: string | number | bigint): string {
  const text = String(drawId);
  if (!manualDrawIdPattern.test(text)) throw new RangeError(`not a draw id: "${text}"`);
  return `manual-${text}`;
}

/** When round `round` is published, in epoch milliseconds. */
export function roundPublishedAt(round: number, chain: ChainSchedule): number {
  if (!Number.isSafeInteger(round) || round < 1) throw new RangeError(`not a round: ${round}`);
  return (chain.genesisSeconds + (round - 1) * chain.periodSeconds) * 1000;
}

/**
 * The first round published strictly after the instant `milliseconds` (epoch ms): a round
 * published at that very millisecond could have been seen before the entrants were read.
 */
export function firstRoundAfter(milliseconds: number, chain: ChainSchedule): number {
  if (!Number.isSafeInteger(milliseconds)) throw new RangeError(`not an instant in milliseconds: ${milliseconds}`);
  const elapsed = milliseconds - chain.genesisSeconds * 1000;
  if (elapsed < 0) return 1;
  return Math.floor(elapsed / (chain.periodSeconds * 1000)) + 2;
}

/** The HMAC message of word i: UTF-8 `liveloot/v1/{raffle}/{slot}/{purpose}/{index}`. */
export function formatWordMessage(raffle: string, slot: string, purpose: string, index: number): string {
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`not a word index: ${index}`);
  return `${algorithmName}/${raffle}/${slot}/${purpose}/${index}`;
}

/** The HMAC-SHA256 key of every word of a draw: the 32 randomness bytes. */
export async function importRandomnessKey(randomness: Uint8Array): Promise<CryptoKey> {
  if (randomness.length !== 32) throw new RangeError(`randomness must be 32 bytes, not ${randomness.length}`);
  return crypto.subtle.importKey("raw", new Uint8Array(randomness), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

async function computeWordWithKey(key: CryptoKey, message: string): Promise<bigint> {
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(message)));
  let word = 0n;
  for (const byte of mac.subarray(0, 6)) word = (word << 8n) | BigInt(byte);
  return word;
}

/** word(P, i): the first 6 bytes, big-endian, of HMAC-SHA256(randomness, `liveloot/v1/{raffle}/{slot}/{P}/{i}`). */
export async function computeWord(
  randomness: Uint8Array,
  raffle: string,
  slot: string,
  purpose: string,
  index: number,
): Promise<bigint> {
  return computeWordWithKey(await importRandomnessKey(randomness), formatWordMessage(raffle, slot, purpose, index));
}

/** How a pick came out, enough to show every step of it. */
export interface PickResult {
  /** Position of the picked entry in the sorted list. */
  index: number;
  id: string;
  /** The i of the accepted word; words 0 … i − 1 were rejected. */
  wordIndex: number;
  rejectedWords: number;
  word: bigint;
  total: bigint;
  limit: bigint;
  /** word mod total. */
  x: bigint;
}

/**
 * Pick(P, weights): total = Σ weights; limit = ⌊2^48 / total⌋ · total; the first i with
 * word(P, i) < limit; x = word mod total; the first entry (sorted by id as integers) whose running
 * sum of weights exceeds x. Null for an empty list: there is nothing to pick.
 */
export async function pick(
  randomness: Uint8Array,
  raffle: string,
  slot: string,
  purpose: string,
  entries: readonly WeightedEntry[],
): Promise<PickResult | null> {
  return pickWithKey(await importRandomnessKey(randomness), raffle, slot, purpose, sortWeightedEntries(entries));
}

async function pickWithKey(
  key: CryptoKey,
  raffle: string,
  slot: string,
  purpose: string,
  sorted: readonly WeightedEntry[],
): Promise<PickResult | null> {
  if (sorted.length === 0) return null;
  const total = sorted.reduce((sum, entry) => sum + BigInt(entry.weight), 0n);
  if (total > wordSpace) throw new RangeError(`total weight ${total} exceeds 2^48`);
  const limit = (wordSpace / total) * total;
  for (let wordIndex = 0; ; wordIndex += 1) {
    const word = await computeWordWithKey(key, formatWordMessage(raffle, slot, purpose, wordIndex));
    if (word >= limit) continue;
    const x = word % total;
    let runningSum = 0n;
    for (const [index, entry] of sorted.entries()) {
      runningSum += BigInt(entry.weight);
      if (runningSum > x) return { index, id: entry.id, wordIndex, rejectedWords: wordIndex, word, total, limit, x };
    }
    throw new Error("unreachable: x < total, so some running sum exceeds it");
  }
}

export interface DrawInput {
  /** The 32 randomness bytes: sha256 of the round's signature, or getRandomValues without a beacon. */
  randomness: Uint8Array;
  /** The raffle's public id. */
  raffle: string;
  /** `formatSlotLabel(…)` or `formatManualSlotLabel(…)`. */
  slot: string;
  entrants: readonly WeightedEntry[];
  items: readonly WeightedEntry[];
}

export interface DrawDecision {
  /** Null when the item list is empty. */
  itemId: string | null;
  /** Null when nobody is eligible. */
  winnerUserId: string | null;
  entrants: WeightedLines;
  items: WeightedLines;
  itemPick: PickResult | null;
  winnerPick: PickResult | null;
}

/** item = Pick(`item`, items); winner = Pick(`winner`, entrants). */
export async function decideDraw(input: DrawInput): Promise<DrawDecision> {
  const key = await importRandomnessKey(input.randomness);
  const entrants = await hashWeightedLines(input.entrants);
  const items = await hashWeightedLines(input.items);
  const itemPick = await pickWithKey(key, input.raffle, input.slot, itemPurpose, items.entries);
  const winnerPick = await pickWithKey(key, input.raffle, input.slot, winnerPurpose, entrants.entries);
  return { itemId: itemPick?.id ?? null, winnerUserId: winnerPick?.id ?? null, entrants, items, itemPick, winnerPick };
}

export interface RedrawInput {
  randomness: Uint8Array;
  raffle: string;
  slot: string;
  /** The slot's full entrant list, as published; the earlier winners are taken out here. */
  entrants: readonly WeightedEntry[];
}

export interface RedrawDecision {
  n: number;
  purpose: string;
  /** Null when no entrant is left once the earlier winners are out. */
  winnerUserId: string | null;
  winnerPick: PickResult | null;
  /** The list the pick ran over: the entrants without the earlier winners, sorted. */
  remainingEntrants: WeightedEntry[];
}

/**
 * Redraw n: Pick(`winner-redraw-{n}`, the slot's entrants without its earlier winners), where
 * `previousWinners` are the first winner and the winners of redraws 1 … n − 1.
 */
export async function decideRedraw(
  n: number,
  input: RedrawInput,
  previousWinners: readonly string[],
): Promise<RedrawDecision> {
  const purpose = formatRedrawPurpose(n);
  const excluded = new Set(previousWinners.filter((id) => decimalIdPattern.test(id)).map((id) => BigInt(id)));
  const remainingEntrants = sortWeightedEntries(input.entrants).filter((entry) => !excluded.has(BigInt(entry.id)));
  const key = await importRandomnessKey(input.randomness);
  const winnerPick = await pickWithKey(key, input.raffle, input.slot, purpose, remainingEntrants);
  return { n, purpose, winnerUserId: winnerPick?.id ?? null, winnerPick, remainingEntrants };
}

/** A drand round's randomness: sha256 of its signature bytes, as hex. */
export async function randomnessFromSignature(signatureHex: string): Promise<string> {
  return formatHex(await computeSha256(parseHex(signatureHex)));
}
