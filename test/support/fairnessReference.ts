import { createHash, createHmac } from "node:crypto";

/**
 * A second implementation of liveloot/v1, written from docs/fairness.md alone and deliberately unlike
 * worker/fairness (node:crypto HMAC and SHA-256, ids ordered by length then text, a
 * subtract-and-scan over Buffer reads), so that an agreement between the two means something.
 * Node and workerd (nodejs_compat) both run it: the agreement harness and the Worker tests that
 * check real draws use it as the independent verifier.
 */
const twoTo48 = 1n << 48n;

export interface ReferenceEntry {
  id: string;
  weight: number;
}

/** Canonical decimal ids have no leading zeros, so a shorter id is a smaller integer. */
function compareDecimalIds(first: string, second: string): number {
  return first.length - second.length || (first < second ? -1 : first > second ? 1 : 0);
}

export function referenceList(entries: readonly ReferenceEntry[]): { sorted: ReferenceEntry[]; sha256: string } {
  const sorted = [...entries].sort((first, second) => compareDecimalIds(first.id, second.id));
  const text = sorted.map((entry) => `${entry.id}:${entry.weight}\n`).join("");
  return { sorted, sha256: createHash("sha256").update(text, "utf8").digest("hex") };
}

export function referencePick(
  key: Buffer,
  prefix: string,
  sorted: readonly ReferenceEntry[],
): { id: string | null; rejected: number } {
  if (sorted.length === 0) return { id: null, rejected: 0 };
  let total = 0n;
  for (const entry of sorted) total += BigInt(entry.weight);
  const limit = total * (twoTo48 / total);
  let index = 0;
  let word = 0n;
  for (;;) {
    const mac = createHmac("sha256", key)
      .update(Buffer.from(`${prefix}/${index}`, "utf8"))
      .digest();
    word = BigInt(mac.readUIntBE(0, 6));
    if (word < limit) break;
    index += 1;
  }
  let remaining = word % total;
  for (const entry of sorted) {
    const weight = BigInt(entry.weight);
    if (remaining < weight) return { id: entry.id, rejected: index };
    remaining -= weight;
  }
  throw new Error("reference pick ran off the end");
}

export interface ReferenceCase {
  raffle: string;
  slot: string;
  randomness: Buffer;
  entrants: readonly ReferenceEntry[];
  items: readonly ReferenceEntry[];
  /** How many redraws after unclaimed prizes (0–3). */
  redraws: number;
}

export interface ReferenceOutcome {
  itemId: string | null;
  winnerUserId: string | null;
  redrawWinners: (string | null)[];
  entrantsSha256: string;
  itemsSha256: string;
  /** Words rejected over all picks of the case. */
  rejectedWords: number;
}

export function referenceDecide(input: ReferenceCase): ReferenceOutcome {
  const prefix = (purpose: string) => `liveloot/v1/${input.raffle}/${input.slot}/${purpose}`;
  const entrants = referenceList(input.entrants);
  const items = referenceList(input.items);
  const item = referencePick(input.randomness, prefix("item"), items.sorted);
  const winner = referencePick(input.randomness, prefix("winner"), entrants.sorted);
  let rejectedWords = item.rejected + winner.rejected;
  const earlier = new Set(winner.id === null ? [] : [winner.id]);
  const redrawWinners: (string | null)[] = [];
  for (let n = 1; n <= input.redraws && winner.id !== null; n += 1) {
    const left = entrants.sorted.filter((entry) => !earlier.has(entry.id));
    const redraw = referencePick(input.randomness, prefix(`winner-redraw-${n}`), left);
    rejectedWords += redraw.rejected;
    redrawWinners.push(redraw.id);
    if (redraw.id === null) break;
    earlier.add(redraw.id);
  }
  return {
    itemId: item.id,
    winnerUserId: winner.id,
    redrawWinners,
    entrantsSha256: entrants.sha256,
    itemsSha256: items.sha256,
    rejectedWords,
  };
}

/**
 * What is wrong with a published draw by the reference's reckoning (empty: nothing): its
 * randomness must be sha256(signature) when it has a round, its lists must be sorted and hash to
 * the published hashes, and its item and winner must be the reference's picks.
 */
export function referenceCheck(
  raffle: string,
  record: {
    slot: string;
    round: number | null;
    signature: string | null;
    randomness: string;
    entrants: [string, string, number][];
    entrants_sha256: string;
    items: [string, string, number][];
    items_sha256: string;
    item_id: string | null;
    winner_user_id: string | null;
  },
): string[] {
  const problems: string[] = [];
  if (record.round !== null) {
    const expected = createHash("sha256")
      .update(Buffer.from(record.signature ?? "", "hex"))
      .digest("hex");
    if (expected !== record.randomness) problems.push("randomness is not sha256(signature)");
  }
  const entrants = record.entrants.map(([id, , weight]) => ({ id, weight }));
  const items = record.items.map(([id, , weight]) => ({ id, weight }));
  if (referenceList(entrants).sorted.some((entry, index) => entry.id !== entrants[index]?.id)) {
    problems.push("entrants are not sorted by user id");
  }
  const outcome = referenceDecide({
    raffle,
    slot: record.slot,
    randomness: Buffer.from(record.randomness, "hex"),
    entrants,
    items,
    redraws: 0,
  });
  if (outcome.entrantsSha256 !== record.entrants_sha256) problems.push("entrants_sha256");
  if (outcome.itemsSha256 !== record.items_sha256) problems.push("items_sha256");
  if (outcome.itemId !== record.item_id) problems.push(`item_id ${record.item_id}, reference ${outcome.itemId}`);
  if (outcome.winnerUserId !== record.winner_user_id) {
    problems.push(`winner_user_id ${record.winner_user_id}, reference ${outcome.winnerUserId}`);
  }
  return problems;
}
