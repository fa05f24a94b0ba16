import type { PublicRaffle, PublicTerms } from "../../db/publicRaffle";
import type { DrandChain } from "../../fairness/beacon";
import { algorithmName } from "../../fairness/livelootV1";
import type { DrawRecordJson, RaffleRecordJson } from "../../fairness/raffleRecord";

/** The beacon chain as the record and the page publish it, for verifiers that do not pin it in code. */
export interface PublishedChain {
  public_key: string;
  genesis_time: number;
  period: number;
  scheme: string;
}

/** A published draw: the fields of docs/fairness.md, then what a reader wants to see (ignored by verifiers). */
export interface PublishedDrawJson extends DrawRecordJson {
  time: string;
  kind: "scheduled" | "manual";
  winner_login: string;
  winner_display_name: string;
  item_name: string;
  /** Where the prize's claim stands (its last winner's), or null when it needed none. */
  claim_status: "open" | "claimed" | "expired" | null;
  /** The raffle's terms in force when this draw was made: their version (in `terms`), channel and rules. */
  terms_version: number;
  channel: string;
  rules: string | null;
}

/** One version of the raffle's terms (0020_raffle_terms.sql): what its page's Rules say. */
export interface PublishedTermsJson {
  version: number;
  channel: string;
  every_minutes: number;
  cooldown_minutes: number;
  luck: boolean;
  followers_only: boolean;
  min_follow_minutes: number;
  subscribers_only: boolean;
  min_account_days: number;
  active_minutes: number;
  rules: string | null;
}

export interface PublishedRaffleJson extends RaffleRecordJson {
  draws: PublishedDrawJson[];
  /** Null when the chain's description could not be read just now; verifiers that pin quicknet do not need it. */
  chain: PublishedChain | null;
  /**
   * The next document, of the draws before these (`/r/{raffle}.json?before={draw_number}`), or
   * null when these are the oldest. A verifier follows it to check the whole raffle.
   */
  older: string | null;
  /** The versions of the terms these draws were made under, and the current one, oldest first. */
  terms: PublishedTermsJson[];
}

/** The beacon chain the Worker draws from, or only its hash when its description is unreachable. */
export interface ChainDescription {
  chainHash: string;
  chain: DrandChain | null;
}

/**
 * `/r/{raffle}.json` (docs/fairness.md, "The record"): `liveloot/v1` draws only (older draws have no
 * record to recompute), oldest first, one page of them (`older` links the rest). Ids are strings.
 */
export function formatRaffleRecord(
  raffle: PublicRaffle,
  chain: ChainDescription,
  older: string | null,
): PublishedRaffleJson {
  const draws: PublishedDrawJson[] = [];
  const termsByVersion = new Map(raffle.terms.map((terms) => [terms.version, terms]));
  for (const draw of raffle.draws) {
    const proof = draw.proof;
    if (proof === null) continue;
    draws.push({
      slot: proof.slotLabel,
      draw_number: draw.drawNumber ?? 0,
      round: proof.round,
      signature: proof.signature,
      randomness: proof.randomness,
      entrants_read_at: proof.entrantsReadAt,
      entrants: proof.entrants,
      entrants_sha256: proof.entrantsSha256,
      items: proof.items,
      items_sha256: proof.itemsSha256,
      item_id: proof.itemId,
      winner_user_id: draw.winnerUserId,
      // Redraws after an unclaimed prize: Pick(`winner-redraw-{n}`, …), recomputed by verifiers.
      redraws: draw.claims
        .filter((claim) => claim.n > 0)
        .map((claim) => ({ n: claim.n, winner_user_id: claim.winnerUserId })),
      time: draw.slotAt,
      kind: draw.kind,
      winner_login: draw.winnerLogin,
      winner_display_name: draw.winnerDisplayName,
      item_name: draw.itemName,
      claim_status: draw.claims.at(-1)?.status ?? null,
      terms_version: draw.termsVersion,
      channel: draw.channelLogin,
      rules: termsByVersion.get(draw.termsVersion)?.rules ?? null,
    });
  }
  return {
    raffle: raffle.publicId,
    algorithm: algorithmName,
    chain_hash: chain.chainHash,
    chain: formatPublishedChain(chain.chain),
    older,
    terms: raffle.terms.map(formatPublishedTerms),
    draws,
  };
}

function formatPublishedTerms(terms: PublicTerms): PublishedTermsJson {
  return {
    version: terms.version,
    channel: terms.channelLogin,
    every_minutes: terms.everyMinutes,
    cooldown_minutes: terms.cooldownMinutes,
    luck: terms.luck,
    followers_only: terms.gates.followersOnly,
    min_follow_minutes: terms.gates.minFollowMinutes,
    subscribers_only: terms.gates.subscribersOnly,
    min_account_days: terms.gates.minAccountDays,
    active_minutes: terms.gates.activeMinutes,
    rules: terms.rules,
  };
}

export function formatPublishedChain(chain: DrandChain | null): PublishedChain | null {
  if (chain === null) return null;
  return {
    public_key: chain.publicKey,
    genesis_time: chain.genesisSeconds,
    period: chain.periodSeconds,
    scheme: chain.scheme,
  };
}
