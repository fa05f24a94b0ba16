/**
 * The drand beacon: quicknet pinned in code, the wire shapes of its v1 HTTP API
 * (`GET {base}/{chainHash}/public/{round}`, `…/info`), which every relay serves, api.drand.sh and
 * drand.cloudflare.com alike (the v2 API, `/v2/chains/{hash}/rounds/{round}`, is served only by
 * the drand.sh relays), and a client that waits for one round. No BLS here: verifying a signature
 * costs tens of milliseconds of CPU, more than a Worker on the Free plan has.
 */
import { computeSha256, formatHex, isHex, parseHex } from "./bytes";
import { type ChainSchedule, roundPublishedAt } from "./livelootV1";

/** A drand chain as the verifier needs it: what `/{hash}/info` says, in our names. */
export interface DrandChain extends ChainSchedule {
  chainHash: string;
  /** Hex of the group public key (a compressed G2 point for `bls-unchained-g1-rfc9380`). */
  publicKey: string;
  scheme: string;
}

export const unchainedG1Scheme = "bls-unchained-g1-rfc9380";

/** drand quicknet, as docs/fairness.md pins it: production never takes these from the network. */
export const quicknet: DrandChain = {
  chainHash: "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
  publicKey:
    "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a",
  genesisSeconds: 1692803367,
  periodSeconds: 3,
  scheme: unchainedG1Scheme,
};

/** One round as `/public/{round}` answers it (quicknet has no `previous_signature`). */
export interface DrandBeacon {
  round: number;
  /** Hex sha256 of the signature bytes; checked on arrival. */
  randomness: string;
  /** Hex of the BLS signature (48 bytes on G1 for quicknet). */
  signature: string;
}

/** The relay answered something that is not a beacon, or not the round asked for. */
export class DrandResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DrandResponseError";
  }
}

/** The round did not arrive before the deadline: the caller falls back to its own randomness. */
export class DrandUnavailableError extends Error {
  readonly url: string;
  readonly attempts: number;
  /** The last HTTP status seen, if any answer came at all. */
  readonly lastStatus: number | undefined;

  constructor(url: string, attempts: number, lastStatus: number | undefined, cause: unknown) {
    super(
      `drand round ${url} unavailable after ${attempts} attempt(s)${lastStatus === undefined ? "" : `, last status ${lastStatus}`}`,
      { cause },
    );
    this.name = "DrandUnavailableError";
    this.url = url;
    this.attempts = attempts;
    this.lastStatus = lastStatus;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads a `/public/{round}` body; extra fields (`previous_signature`) are ignored. */
export function parseDrandBeacon(value: unknown): DrandBeacon {
  if (!isRecord(value)) throw new DrandResponseError("beacon is not a JSON object");
  const { round, randomness, signature } = value;
  if (typeof round !== "number" || !Number.isSafeInteger(round) || round < 1) {
    throw new DrandResponseError("beacon round is not a positive integer");
  }
  if (typeof randomness !== "string" || !isHex(randomness, 32)) {
    throw new DrandResponseError("beacon randomness is not 32 bytes of hex");
  }
  if (typeof signature !== "string" || signature.length === 0 || !isHex(signature, signature.length / 2)) {
    throw new DrandResponseError("beacon signature is not hex");
  }
  return { round, randomness: randomness.toLowerCase(), signature: signature.toLowerCase() };
}

/** Reads a `/{hash}/info` body (`public_key`, `period`, `genesis_time`, `hash`, `schemeID`). */
export function parseDrandChainInfo(value: unknown): DrandChain {
  if (!isRecord(value)) throw new DrandResponseError("chain info is not a JSON object");
  const { public_key: publicKey, period, genesis_time: genesisSeconds, hash, schemeID: scheme } = value;
  if (typeof publicKey !== "string" || publicKey.length === 0 || !isHex(publicKey, publicKey.length / 2)) {
    throw new DrandResponseError("chain info public_key is not hex");
  }
  if (typeof period !== "number" || !Number.isSafeInteger(period) || period < 1) {
    throw new DrandResponseError("chain info period is not a positive integer of seconds");
  }
  if (typeof genesisSeconds !== "number" || !Number.isSafeInteger(genesisSeconds)) {
    throw new DrandResponseError("chain info genesis_time is not an integer of seconds");
  }
  if (typeof hash !== "string" || !isHex(hash, 32))
    throw new DrandResponseError("chain info hash is not 32 bytes of hex");
  if (typeof scheme !== "string") throw new DrandResponseError("chain info schemeID is not a string");
  return {
    chainHash: hash.toLowerCase(),
    publicKey: publicKey.toLowerCase(),
    genesisSeconds,
    periodSeconds: period,
    scheme,
  };
}

/** `{base}/{chainHash}/public/{round}` (or `/public/latest`). */
export function formatRoundUrl(baseUrl: string, chainHash: string, round: number | "latest"): string {
  return `${baseUrl.replace(/\/+$/, "")}/${chainHash}/public/${round}`;
}

/** `{base}/{chainHash}/info`. */
export function formatChainInfoUrl(baseUrl: string, chainHash: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/${chainHash}/info`;
}

export interface FetchRoundOptions {
  /** Aborts the wait (and the request in flight) at once. */
  signal?: AbortSignal;
  /** Epoch ms after which no new request starts and the one in flight is aborted; default now + 20 s. */
  deadline?: number;
  /** The chain's schedule: no request goes out before the round's publication time. */
  schedule?: ChainSchedule;
  /** The clock (epoch ms); default `Date.now`. */
  now?: () => number;
  /** Pause between attempts while the round is not there yet; default 500 ms. */
  retryMilliseconds?: number;
  /** Injected for tests of the client alone; default the global `fetch`. */
  fetch?: typeof fetch;
}

const defaultWaitMilliseconds = 20_000;

function sleep(milliseconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, milliseconds);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Fetches round `round`, waiting for it: it sleeps until the round's publication time (with
 * `schedule`), then asks; a 404 or 425 ("not yet"), a 5xx or a network error is retried every
 * `retryMilliseconds` until `deadline`. The answer must be that round, with
 * randomness = sha256(signature); the signature itself is not checked here.
 */
export async function fetchRound(
  baseUrl: string,
  chainHash: string,
  round: number,
  options: FetchRoundOptions = {},
): Promise<DrandBeacon> {
  const now = options.now ?? Date.now;
  const fetchFunction = options.fetch ?? fetch;
  const deadline = options.deadline ?? now() + defaultWaitMilliseconds;
  const retryMilliseconds = options.retryMilliseconds ?? 500;
  const url = formatRoundUrl(baseUrl, chainHash, round);
  const signals = [AbortSignal.timeout(Math.max(0, deadline - now()))];
  if (options.signal !== undefined) signals.push(options.signal);
  const signal = AbortSignal.any(signals);

  let attempts = 0;
  let lastStatus: number | undefined;
  let lastError: unknown;
  try {
    if (options.schedule !== undefined) {
      const wait = roundPublishedAt(round, options.schedule) - now();
      if (wait > 0) await sleep(wait, signal);
    }
    for (;;) {
      attempts += 1;
      try {
        const response = await fetchFunction(url, { headers: { accept: "application/json" }, signal });
        lastStatus = response.status;
        if (response.ok) return await checkBeacon(await response.json(), round);
        await response.body?.cancel();
        lastError = new Error(`status ${response.status}`);
        const retryable = response.status === 404 || response.status === 425 || response.status >= 500;
        if (!retryable) break;
      } catch (error) {
        if (error instanceof DrandResponseError || signal.aborted) throw error;
        lastError = error;
      }
      if (now() + retryMilliseconds >= deadline) break;
      await sleep(retryMilliseconds, signal);
    }
  } catch (error) {
    if (options.signal?.aborted) throw error;
    if (error instanceof DrandResponseError) throw error;
    lastError = error;
  }
  throw new DrandUnavailableError(url, attempts, lastStatus, lastError);
}

async function checkBeacon(body: unknown, round: number): Promise<DrandBeacon> {
  const beacon = parseDrandBeacon(body);
  if (beacon.round !== round) throw new DrandResponseError(`asked for round ${round}, got round ${beacon.round}`);
  const randomness = formatHex(await computeSha256(parseHex(beacon.signature)));
  if (randomness !== beacon.randomness)
    throw new DrandResponseError(`round ${round}: randomness is not sha256(signature)`);
  return beacon;
}
