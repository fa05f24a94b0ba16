/**
 * Which drand chain the Worker draws from, and the randomness of one draw. Production pins
 * quicknet in code (worker/fairness/beacon.ts) and never asks the network what the chain is.
 * Tests and `npm run dev` name another chain (DRAND_CHAIN_HASH and DRAND_PUBLIC_KEY, a fake that
 * signs with its own key): its schedule is read once per isolate from `/{hash}/info`, and
 * refused unless that answer has the configured hash and key.
 */
import type { Config } from "../env";
import type { Logger } from "../log";
import {
  type DrandChain,
  DrandResponseError,
  DrandUnavailableError,
  fetchRound,
  formatChainInfoUrl,
  parseDrandChainInfo,
  quicknet,
} from "./beacon";
import { formatHex } from "./bytes";
import { firstRoundAfter } from "./livelootV1";

/** How long a draw waits for its round before it falls back to the Worker's own randomness (SPEC). */
export const beaconWaitMilliseconds = 20_000;

const chainsByUrl = new Map<string, Promise<DrandChain>>();

/** The chain the configuration names: quicknet, or the configured one as its relay describes it. */
export function readDrandChain(drand: Config["drand"], deadline = Date.now() + 5_000): Promise<DrandChain> {
  if (drand.chainHash === undefined || drand.publicKey === undefined) return Promise.resolve(quicknet);
  if (drand.chainHash === quicknet.chainHash && drand.publicKey === quicknet.publicKey)
    return Promise.resolve(quicknet);
  const url = formatChainInfoUrl(drand.apiBaseUrl, drand.chainHash);
  const { chainHash, publicKey } = drand;
  let chain = chainsByUrl.get(url);
  if (chain === undefined) {
    chain = fetchChainInfo(url, chainHash, publicKey, deadline);
    chainsByUrl.set(url, chain);
    // A failed read is not kept: the next draw asks again.
    chain.catch(() => chainsByUrl.delete(url));
  }
  return chain;
}

async function fetchChainInfo(
  url: string,
  chainHash: string,
  publicKey: string,
  deadline: number,
): Promise<DrandChain> {
  const signal = AbortSignal.timeout(Math.max(0, deadline - Date.now()));
  const response = await fetch(url, { headers: { accept: "application/json" }, signal });
  if (!response.ok) {
    await response.body?.cancel();
    throw new DrandResponseError(`chain info answered ${response.status}`);
  }
  const chain = parseDrandChainInfo(await response.json());
  if (chain.chainHash !== chainHash) throw new DrandResponseError("chain info names another chain hash");
  if (chain.publicKey !== publicKey)
    throw new DrandResponseError("chain info has another public key than DRAND_PUBLIC_KEY");
  return chain;
}

/** The randomness of a draw: a beacon round, or (beacon unreachable) the Worker's own. */
export interface DrawRandomness {
  /** Null: the beacon could not be reached in time; the draw is not publicly verifiable. */
  round: number | null;
  /** Hex of the round's BLS signature; null with the round. */
  signature: string | null;
  /** Hex of the 32 randomness bytes: sha256(signature), or crypto.getRandomValues. */
  randomness: string;
}

/**
 * The first round published after `entrantsReadAt` (epoch ms, the wall clock when the entrants
 * were read), waited for: it cannot have been known to anyone when the entrants were fixed. The
 * relay is trusted for the signature itself (its BLS check costs more CPU than a Worker on the
 * Free plan has: bench/bls.ts); randomness = sha256(signature) and the round number are checked
 * here, and the signature by every verifier. Unreachable for 20 s, a wrong chain or a malformed
 * answer: the Worker's own randomness, with round null.
 */
export async function fetchDrawRandomness(
  drand: Config["drand"],
  entrantsReadAt: number,
  log: Logger,
  options: { deadline?: number } = {},
): Promise<DrawRandomness> {
  const deadline = options.deadline ?? Date.now() + beaconWaitMilliseconds;
  try {
    // One deadline for everything: the chain's description (only for a configured chain) and the round.
    const chain = await readDrandChain(drand, deadline);
    const round = firstRoundAfter(entrantsReadAt, chain);
    const beacon = await fetchRound(drand.apiBaseUrl, chain.chainHash, round, { deadline, schedule: chain });
    return { round: beacon.round, signature: beacon.signature, randomness: beacon.randomness };
  } catch (error) {
    // Whatever went wrong with the beacon, the draw goes ahead: a draw is never skipped or hidden.
    log.warn("drand beacon unavailable; this draw uses the Worker's randomness and is not publicly verifiable", {
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      unavailable: error instanceof DrandUnavailableError,
    });
    return { round: null, signature: null, randomness: formatHex(crypto.getRandomValues(new Uint8Array(32))) };
  }
}
