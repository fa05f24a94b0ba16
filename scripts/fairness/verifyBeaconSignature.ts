/**
 * BLS check of a drand round for `bls-unchained-g1-rfc9380` (quicknet): signature on G1, public
 * key on G2, message = sha256(round as 8 bytes big-endian). Runtime-neutral (@noble/curves and
 * WebCrypto) for `npm run verify` and the public page's bundle; never imported by the Worker,
 * where one verification would cost more CPU than a Free-plan invocation has.
 */
import { bls12_381 } from "@noble/curves/bls12-381.js";
import { computeSha256, isHex, parseHex } from "../../worker/fairness/bytes";

/** The RFC 9380 domain separation tag quicknet signs with. */
export const unchainedG1SignatureDst = "BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_";

/** What an unchained drand round signs: sha256 of the round number as 8 bytes, big-endian. */
export async function computeRoundMessage(round: number): Promise<Uint8Array> {
  if (!Number.isSafeInteger(round) || round < 1) throw new RangeError(`not a round: ${round}`);
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(round));
  return computeSha256(bytes);
}

/**
 * Whether `signature` (hex, 48 bytes) is the chain's signature of round `round` under
 * `publicKey` (hex, 96 bytes). Malformed points count as invalid, never as an exception.
 */
export async function verifyBeaconSignature(
  beacon: { round: number; signature: string },
  publicKey: string,
): Promise<boolean> {
  if (!isHex(beacon.signature, 48) || !isHex(publicKey, 96)) return false;
  const message = await computeRoundMessage(beacon.round);
  const signatures = bls12_381.shortSignatures;
  try {
    return signatures.verify(
      parseHex(beacon.signature),
      signatures.hash(message, unchainedG1SignatureDst),
      parseHex(publicKey),
    );
  } catch {
    return false;
  }
}
