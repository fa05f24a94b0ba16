import { createHash, randomBytes } from "node:crypto";
import { bls12_381 } from "@noble/curves/bls12-381.js";
import type { DrandBeaconJson, DrandChainInfoJson } from "./drandControlSchemas";

/** quicknet's: round numbers in `npm run dev` look like production's. */
const quicknetGenesisSeconds = 1692803367;
const unchainedG1Scheme = "bls-unchained-g1-rfc9380";
const signatureDst = "BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_";
/** Signing costs ~10 ms; a long `npm run dev` session keeps only the newest signatures. */
const maximumCachedRounds = 10_000;

export interface DrandFakeOptions {
  port?: number;
  /** Derives the BLS key: the same seed gives the same key and chain hash. Default: a random key. */
  seed?: string;
  /** Default quicknet's genesis (1692803367); a test may start a chain a few seconds ago. */
  genesisSeconds?: number;
  /** Default 3 like quicknet; tests may choose 1. */
  periodSeconds?: number;
  /** `metadata.beaconID` of the chain info; default "fake-quicknet". */
  beaconId?: string;
  /** The clock rounds are published by (epoch ms); default `Date.now`, e.g. the dev script's simulated clock. */
  now?: () => number;
}

/**
 * A drand chain signed like quicknet (`bls-unchained-g1-rfc9380`: signature on G1 of
 * sha256(round as 8 bytes big-endian), key on G2) with the fake's own key, so the real verifier
 * accepts its rounds under its public key and rejects them under quicknet's.
 */
export class DrandState {
  readonly info: DrandChainInfoJson;
  readonly chainHash: string;
  clockOffsetMilliseconds = 0;
  private readonly secretKey: Uint8Array;
  private readonly readClock: () => number;
  private readonly signedRounds = new Map<number, DrandBeaconJson>();

  constructor(options: DrandFakeOptions = {}) {
    const signatures = bls12_381.shortSignatures;
    const keySeed =
      options.seed === undefined ? randomBytes(48) : createHash("sha384").update(`drand fake:${options.seed}`).digest();
    const { secretKey, publicKey } = signatures.keygen(new Uint8Array(keySeed));
    this.secretKey = secretKey;
    const genesisSeconds = options.genesisSeconds ?? quicknetGenesisSeconds;
    const periodSeconds = options.periodSeconds ?? 3;
    if (!Number.isSafeInteger(genesisSeconds)) throw new RangeError("genesisSeconds must be an integer");
    if (!Number.isSafeInteger(periodSeconds) || periodSeconds < 1) throw new RangeError("periodSeconds must be ≥ 1");
    const beaconId = options.beaconId ?? "fake-quicknet";
    const publicKeyHex = publicKey.toHex();
    const groupHash = createHash("sha256").update(`drand fake group:${publicKeyHex}`).digest("hex");
    // A hash of everything that defines the chain, like drand's: another key or schedule, another chain.
    const chainHash = createHash("sha256")
      .update(`${periodSeconds}:${genesisSeconds}:${publicKeyHex}:${groupHash}:${unchainedG1Scheme}:${beaconId}`)
      .digest("hex");
    this.chainHash = chainHash;
    this.info = {
      public_key: publicKeyHex,
      period: periodSeconds,
      genesis_time: genesisSeconds,
      hash: chainHash,
      groupHash,
      schemeID: unchainedG1Scheme,
      metadata: { beaconID: beaconId },
    };
    this.readClock = options.now ?? Date.now;
  }

  now(): number {
    return this.readClock() + this.clockOffsetMilliseconds;
  }

  /** Round r is published at genesis + (r − 1) · period; 0 before genesis. */
  latestRound(): number {
    const elapsed = this.now() - this.info.genesis_time * 1000;
    if (elapsed < 0) return 0;
    return Math.floor(elapsed / (this.info.period * 1000)) + 1;
  }

  publishedAt(round: number): number {
    return (this.info.genesis_time + (round - 1) * this.info.period) * 1000;
  }

  /** The round's beacon, whether or not its time has come (the control API's peek; the API checks the time). */
  signRound(round: number): DrandBeaconJson {
    if (!Number.isSafeInteger(round) || round < 1) throw new RangeError(`not a round: ${round}`);
    const cached = this.signedRounds.get(round);
    if (cached !== undefined) return cached;
    const signatures = bls12_381.shortSignatures;
    const roundBytes = Buffer.alloc(8);
    roundBytes.writeBigUInt64BE(BigInt(round));
    const message = createHash("sha256").update(roundBytes).digest();
    const signature = signatures.sign(signatures.hash(new Uint8Array(message), signatureDst), this.secretKey).toBytes();
    const beacon = {
      round,
      randomness: createHash("sha256").update(signature).digest("hex"),
      signature: Buffer.from(signature).toString("hex"),
    };
    this.signedRounds.set(round, beacon);
    if (this.signedRounds.size > maximumCachedRounds) {
      const oldest = this.signedRounds.keys().next().value;
      if (oldest !== undefined) this.signedRounds.delete(oldest);
    }
    return beacon;
  }

  /** The key and schedule stay: a chain's hash must not change under running tests. */
  reset(): void {
    this.clockOffsetMilliseconds = 0;
  }
}
