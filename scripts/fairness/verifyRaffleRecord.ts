/**
 * Verifies a whole `/r/{raffle}.json`: every draw recomputed (worker/fairness) and every beacon
 * signature checked against the chain's public key. Shared by `npm run verify` and the page.
 */
import { type DrandChain, unchainedG1Scheme } from "../../worker/fairness/beacon";
import { algorithmName } from "../../worker/fairness/livelootV1";
import type { DrawRecordJson, RaffleRecordJson } from "../../worker/fairness/raffleRecord";
import { type DrawMismatch, verifyDrawRecord } from "../../worker/fairness/verifyDrawRecord";
import { verifyBeaconSignature } from "./verifyBeaconSignature";

export interface DrawVerification {
  drawNumber: number;
  slot: string;
  round: number | null;
  /** False for a draw made without the beacon (`round: null`): recomputed, but its randomness is LiveLoot's word. */
  publiclyVerifiable: boolean;
  mismatches: DrawMismatch[];
}

export interface RaffleVerification {
  /** Problems with the document itself: algorithm, chain. */
  mismatches: DrawMismatch[];
  draws: DrawVerification[];
  /** No mismatch anywhere. */
  valid: boolean;
}

/** Recomputes one draw and checks its beacon signature (when it has a round). */
export async function verifyDrawWithBeacon(
  draw: DrawRecordJson,
  raffle: string,
  chain: DrandChain,
): Promise<DrawVerification> {
  const mismatches = await verifyDrawRecord(draw, raffle, chain);
  if (draw.round !== null && draw.signature !== null) {
    const signed = await verifyBeaconSignature({ round: draw.round, signature: draw.signature }, chain.publicKey);
    if (!signed) {
      mismatches.push({
        field: "signature",
        message: `signature is not the chain's BLS signature of round ${draw.round} (chain ${chain.chainHash.slice(0, 12)}…)`,
      });
    }
  }
  return {
    drawNumber: draw.draw_number,
    slot: draw.slot,
    round: draw.round,
    publiclyVerifiable: draw.round !== null,
    mismatches,
  };
}

export async function verifyRaffleRecord(record: RaffleRecordJson, chain: DrandChain): Promise<RaffleVerification> {
  const mismatches: DrawMismatch[] = [];
  if (record.algorithm !== algorithmName) {
    mismatches.push({ field: "algorithm", message: `algorithm is "${record.algorithm}", not "${algorithmName}"` });
  }
  if (record.chain_hash.toLowerCase() !== chain.chainHash) {
    mismatches.push({
      field: "chain_hash",
      message: `chain_hash is "${record.chain_hash}", but the chain verified against is "${chain.chainHash}"`,
    });
  }
  if (chain.scheme !== unchainedG1Scheme) {
    mismatches.push({
      field: "chain_hash",
      message: `the chain's scheme "${chain.scheme}" is not ${unchainedG1Scheme}`,
    });
  }
  const draws: DrawVerification[] = [];
  for (const draw of record.draws) draws.push(await verifyDrawWithBeacon(draw, record.raffle, chain));
  const valid = mismatches.length === 0 && draws.every((draw) => draw.mismatches.length === 0);
  return { mismatches, draws, valid };
}
