/**
 * Recomputes one published draw from its record alone (hashes, round, randomness, item, winner,
 * redraws). Cheap and runtime-neutral; the beacon's BLS signature is checked apart
 * (scripts/fairness/verifyBeaconSignature.ts), because it costs tens of milliseconds of CPU.
 */
import { isHex, parseHex } from "./bytes";
import {
  type ChainSchedule,
  decideDraw,
  decideRedraw,
  firstRoundAfter,
  hashWeightedLines,
  randomnessFromSignature,
  type WeightedEntry,
  type WeightedLines,
} from "./livelootV1";
import type { DrawRecordJson, WeightedRecordLine } from "./raffleRecord";

/** One thing in a record that does not match what the algorithm gives. */
export interface DrawMismatch {
  /** The record field at fault, e.g. `winner_user_id`, `redraws[0].winner_user_id`. */
  field: string;
  /** Says what the record has and what it should have, e.g. `winner_user_id is "5", but Pick("winner", entrants) gives "7"`. */
  message: string;
}

const isoInstantPattern = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;
/** A G1 signature, compressed. */
const signatureByteLength = 48;

/**
 * Epoch milliseconds of an ISO 8601 instant with seconds and a zone (`Z` or `±hh:mm`). Digits
 * past the millisecond are cut, never rounded: rounds start on whole seconds, so cutting can never
 * move an instant across one, while rounding up could.
 */
export function parseInstantMilliseconds(text: string): number | null {
  const match = isoInstantPattern.exec(text);
  if (match === null) return null;
  const [, dateAndTime = "", fraction = "", zone = ""] = match;
  const whole = Date.parse(`${dateAndTime}${zone}`);
  if (Number.isNaN(whole)) return null;
  return whole + Number(`${fraction}000`.slice(0, 3));
}

function quote(value: string | null): string {
  return value === null ? "null" : `"${value}"`;
}

async function recomputeList(
  lines: readonly WeightedRecordLine[],
  field: "entrants" | "items",
  publishedSha256: string,
  mismatches: DrawMismatch[],
): Promise<WeightedLines | null> {
  const entries: WeightedEntry[] = lines.map(([id, , weight]) => ({ id, weight }));
  let list: WeightedLines;
  try {
    list = await hashWeightedLines(entries);
  } catch (error) {
    mismatches.push({ field, message: `${field} is not a valid list: ${(error as Error).message}` });
    return null;
  }
  if (publishedSha256.toLowerCase() !== list.sha256) {
    mismatches.push({
      field: `${field}_sha256`,
      message: `${field}_sha256 is ${quote(publishedSha256)}, but the ${lines.length} published ${field} hash to "${list.sha256}"`,
    });
  }
  return list;
}

async function checkRoundAndRandomness(
  record: DrawRecordJson,
  chain: ChainSchedule,
  mismatches: DrawMismatch[],
): Promise<Uint8Array | null> {
  const readAt = parseInstantMilliseconds(record.entrants_read_at);
  if (readAt === null) {
    mismatches.push({
      field: "entrants_read_at",
      message: `entrants_read_at ${quote(record.entrants_read_at)} is not an ISO 8601 instant`,
    });
  }
  if (record.round === null) {
    if (record.signature !== null) {
      mismatches.push({ field: "signature", message: "signature is set, but round is null" });
    }
  } else {
    if (readAt !== null) {
      const expectedRound = firstRoundAfter(readAt, chain);
      if (record.round !== expectedRound) {
        mismatches.push({
          field: "round",
          message: `round is ${record.round}, but the first round published after entrants_read_at ${record.entrants_read_at} is ${expectedRound}`,
        });
      }
    }
    if (record.signature === null || !isHex(record.signature, signatureByteLength)) {
      mismatches.push({
        field: "signature",
        message: `signature ${quote(record.signature)} is not ${signatureByteLength} bytes of hex`,
      });
    } else {
      const expectedRandomness = await randomnessFromSignature(record.signature);
      if (record.randomness.toLowerCase() !== expectedRandomness) {
        mismatches.push({
          field: "randomness",
          message: `randomness is ${quote(record.randomness)}, but sha256(signature) is "${expectedRandomness}"`,
        });
      }
    }
  }
  if (!isHex(record.randomness, 32)) {
    mismatches.push({ field: "randomness", message: `randomness ${quote(record.randomness)} is not 32 bytes of hex` });
    return null;
  }
  return parseHex(record.randomness);
}

/**
 * Every mismatch between a published draw and its recomputation (empty: the draw is exactly
 * what `liveloot/v1` gives). `raffle` is the raffle's public id; `chain` the beacon's schedule.
 * A draw with `round: null` is recomputed from its randomness but is not publicly verifiable.
 */
export async function verifyDrawRecord(
  record: DrawRecordJson,
  raffle: string,
  chain: ChainSchedule,
): Promise<DrawMismatch[]> {
  const mismatches: DrawMismatch[] = [];
  const entrants = await recomputeList(record.entrants, "entrants", record.entrants_sha256, mismatches);
  const items = await recomputeList(record.items, "items", record.items_sha256, mismatches);
  const randomness = await checkRoundAndRandomness(record, chain, mismatches);
  if (entrants === null || items === null || randomness === null) return mismatches;

  const input = { randomness, raffle, slot: record.slot, entrants: entrants.entries };
  const decision = await decideDraw({ ...input, items: items.entries });
  if (record.item_id !== decision.itemId) {
    mismatches.push({
      field: "item_id",
      message: `item_id is ${quote(record.item_id)}, but Pick("item", items) gives ${quote(decision.itemId)}`,
    });
  }
  if (record.winner_user_id !== decision.winnerUserId) {
    mismatches.push({
      field: "winner_user_id",
      message: `winner_user_id is ${quote(record.winner_user_id)}, but Pick("winner", entrants) gives ${quote(decision.winnerUserId)}`,
    });
  }

  // Redraws exclude the winners the record published, so one wrong winner is reported once, not again in each redraw.
  const previousWinners: string[] = record.winner_user_id === null ? [] : [record.winner_user_id];
  for (const [position, redraw] of record.redraws.entries()) {
    const field = `redraws[${position}]`;
    if (redraw.n !== position + 1 || redraw.n > 3) {
      mismatches.push({
        field: `${field}.n`,
        message: `${field}.n is ${redraw.n}, but redraws are numbered 1, 2, 3 in order (expected ${position + 1})`,
      });
      break;
    }
    if (previousWinners.length === 0) {
      mismatches.push({ field, message: `redraw ${redraw.n} follows a draw without a winner` });
      break;
    }
    const redrawDecision = await decideRedraw(redraw.n, input, previousWinners);
    if (redraw.winner_user_id !== redrawDecision.winnerUserId) {
      mismatches.push({
        field: `${field}.winner_user_id`,
        message: `${field}.winner_user_id is ${quote(redraw.winner_user_id)}, but Pick("${redrawDecision.purpose}", ${redrawDecision.remainingEntrants.length} entrants without the earlier winners) gives ${quote(redrawDecision.winnerUserId)}`,
      });
    }
    if (redraw.winner_user_id === null) break;
    previousWinners.push(redraw.winner_user_id);
  }
  return mismatches;
}
