import type { AppContext } from "../context";
import { readDatabaseError } from "../db/databaseErrors";
import {
  type AtomicDrawResult,
  type Candidate,
  type EntrantsRead,
  type EntrantsRequest,
  type RecordedDecision,
  readDrawEntrants,
  recordDraw,
} from "../db/draws";
import type { GateName } from "../domain/gates";
import { formatHex, parseHex } from "../fairness/bytes";
import { type DrawRandomness, fetchDrawRandomness } from "../fairness/drandChain";
import { decideDraw, formatManualSlotLabel, formatSlotLabel } from "../fairness/livelootV1";
import { mapWithConcurrency, outsideCallConcurrency } from "../lib/mapWithConcurrency";
import { sampleWithoutReplacement } from "../lib/randomness";
import { describeError } from "../log";

/**
 * Candidates read per slot: a uniform random sample of the chat, so the winner stays uniform
 * among the eligible while the database's work and the published entrant list stay the same for a
 * 50-viewer and a 100,000-viewer chat (SPEC: "a uniform sample of at most 500").
 */
export const candidateSampleSize = 500;

/** One slot to draw: a raffle, its minute (or a manual draw's instant) and who is in its chat. */
export interface SlotToDraw {
  raffleId: string;
  slotAt: number;
  kind: "scheduled" | "manual";
  /** Who is in chat; with gates, the chat sample after them (raffle/applyGates.ts). */
  chatters: readonly Candidate[];
  /** With gates: the sample's size before them, and the gate that left nobody. */
  gates?: { chatters: number; emptiedBy: GateName | undefined };
  /** The version of the raffle's terms its chat was read under; record_draw refuses newer ones (stale). */
  termsVersion?: number | undefined;
}

/**
 * Slots one read_draw_entrants statement reads. A server holds at most 1,000 items
 * (raffle/serverLimits.ts) and a slot at most 500 candidates, so a read carries at most about
 * 2 MB whatever the servers' data; a read that fails is repeated slot by slot, so one raffle whose
 * data makes the SQL raise fails alone.
 */
export const entrantsReadBatchSize = 10;

/**
 * Draws many slots the liveloot/v1 way (docs/fairness.md), sharing what can be shared:
 * 1. read_draw_entrants reads the slots' entrants and items, ten slots a statement;
 * 2. one beacon round, the first published after those reads, is waited for (a few seconds at
 *    most; 20 s without an answer: the Worker's own randomness, round null);
 * 3. each slot is decided with livelootV1.decideDraw, the one implementation of the pick, and
 *    recorded by record_draw exactly as /r/{raffle}.json will publish it.
 * A slot whose winner or item stopped qualifying between read and record (`stale`: a manual draw
 * elsewhere in the server, an exclusion, the stock) is read again once, with a new round; one whose
 * raffle's terms changed since its chat was read (a restart, a re-link) stays stale: its chat
 * belongs to the old terms, and the next tick (or the next /raffle draw) reads it anew.
 * Settled slot by slot: a slot whose read, decision or record fails is rejected alone, and the
 * others are drawn.
 */
export async function drawSlots(
  app: AppContext,
  slots: readonly SlotToDraw[],
): Promise<PromiseSettledResult<AtomicDrawResult>[]> {
  const results: PromiseSettledResult<AtomicDrawResult>[] = new Array(slots.length);
  const samples = slots.map((slot) => sampleWithoutReplacement(slot.chatters, candidateSampleSize, app.random));
  // A manual draw's `{slot}` names it with a random id, never a database id.
  const slotLabels = slots.map((slot) =>
    slot.kind === "scheduled" ? formatSlotLabel(slot.slotAt) : formatManualSlotLabel(createManualDrawId()),
  );
  let pending = slots.map((_, index) => index);
  for (let attempt = 0; attempt < 2 && pending.length > 0; attempt += 1) {
    const reads = await readEntrantsApart(
      app,
      pending.map((index) => ({ ...(slots[index] as SlotToDraw), candidates: samples[index] ?? [] })),
    );
    // The wall clock, not app.now(): a tick's "now" is its scheduled minute, and a replayed
    // minute must still wait for a round published after this read.
    const entrantsReadAt = Date.now();
    const needsBeacon = reads.some(
      (read) => read.status === "fulfilled" && read.value.outcome === "ready" && read.value.entrants.length > 0,
    );
    const randomness = needsBeacon ? await fetchDrawRandomness(app.config.drand, entrantsReadAt, app.log) : undefined;
    const recorded = await mapWithConcurrency(reads, outsideCallConcurrency, (read, position) => {
      if (read.status === "rejected") return Promise.resolve(read);
      const index = pending[position] as number;
      return settle(() =>
        recordSlot(
          app,
          slots[index] as SlotToDraw,
          slotLabels[index] as string,
          read.value,
          entrantsReadAt,
          randomness,
        ),
      );
    });
    const stale: number[] = [];
    recorded.forEach((result, position) => {
      const index = pending[position] as number;
      results[index] = result;
      if (result.status === "fulfilled" && result.value.outcome === "stale") stale.push(index);
    });
    if (stale.length > 0)
      app.log.info("slots changed between read and record; reading them again", { stale: stale.length });
    pending = stale;
  }
  return results;
}

/**
 * read_draw_entrants in batches of entrantsReadBatchSize; a batch that Postgres refuses is read
 * again one slot at a time, so only the slot that makes it fail is rejected.
 */
async function readEntrantsApart(
  app: AppContext,
  requests: readonly EntrantsRequest[],
): Promise<PromiseSettledResult<EntrantsRead>[]> {
  const batches: EntrantsRequest[][] = [];
  for (let start = 0; start < requests.length; start += entrantsReadBatchSize)
    batches.push(requests.slice(start, start + entrantsReadBatchSize));
  const read = await mapWithConcurrency(batches, outsideCallConcurrency, async (batch) => {
    try {
      return (await readDrawEntrants(app.database, batch)).map(
        (value): PromiseSettledResult<EntrantsRead> => ({ status: "fulfilled", value }),
      );
    } catch (error) {
      // Only a refusal of Postgres (a SQLSTATE) can be one slot's data; a lost connection is every slot's.
      if (batch.length === 1 || readDatabaseError(error) === undefined)
        return batch.map((): PromiseSettledResult<EntrantsRead> => ({ status: "rejected", reason: error }));
      app.log.warn("reading a batch of slots failed; reading them one by one", {
        slots: batch.length,
        error: describeError(error),
      });
      return mapWithConcurrency(batch, outsideCallConcurrency, (request) =>
        settle(async () => {
          const [one] = await readDrawEntrants(app.database, [request]);
          if (!one) throw new Error("read_draw_entrants answered no row");
          return one;
        }),
      );
    }
  });
  return read.flat();
}

async function settle<Value>(work: () => Promise<Value>): Promise<PromiseSettledResult<Value>> {
  try {
    return { status: "fulfilled", value: await work() };
  } catch (reason) {
    return { status: "rejected", reason };
  }
}

function createManualDrawId(): string {
  return formatHex(crypto.getRandomValues(new Uint8Array(8)));
}

const emptyResult = {
  drawId: undefined,
  itemName: undefined,
  winner: undefined,
  ineligible: undefined,
  nobodyEligible: undefined,
};

async function recordSlot(
  app: AppContext,
  slot: SlotToDraw,
  slotLabel: string,
  read: EntrantsRead,
  entrantsReadAt: number,
  randomness: DrawRandomness | undefined,
): Promise<AtomicDrawResult> {
  if (read.outcome !== "ready") return { outcome: read.outcome, ...emptyResult };
  // Nobody eligible: record_draw records the empty slot (no beacon is needed for nothing to draw).
  const decided = await decideSlot(read, slotLabel, entrantsReadAt, randomness ?? noRandomness);
  const gated = slot.gates
    ? {
        ...decided,
        chatters_seen: slot.gates.chatters,
        gate_emptied: read.entrants.length === 0 ? (slot.gates.emptiedBy ?? null) : null,
      }
    : decided;
  const decision = slot.termsVersion === undefined ? gated : { ...gated, terms_version: slot.termsVersion };
  return recordDraw(app.database, { raffleId: slot.raffleId, slotAt: slot.slotAt, kind: slot.kind, decision });
}

const noRandomness: DrawRandomness = { round: null, signature: null, randomness: "0".repeat(64) };

/**
 * One slot decided by liveloot/v1 (livelootV1.decideDraw) and written as record_draw records it
 * and /r/{raffle}.json publishes it: the sorted lists with their hashes, the pick, the randomness.
 * Pure: the tests and bench/draw.ts build their records with it too.
 */
export async function decideSlot(
  read: Extract<EntrantsRead, { outcome: "ready" }>,
  slotLabel: string,
  entrantsReadAt: number,
  randomness: DrawRandomness,
): Promise<RecordedDecision> {
  const decision = await decideDraw({
    randomness: parseHex(randomness.randomness),
    raffle: read.publicId,
    slot: slotLabel,
    entrants: read.entrants,
    items: read.items,
  });
  const entrantsById = new Map(read.entrants.map((entrant) => [entrant.id, entrant]));
  const itemsById = new Map(read.items.map((item) => [item.id, item]));
  const winner = decision.winnerUserId === null ? undefined : entrantsById.get(decision.winnerUserId);
  return {
    slot: slotLabel,
    entrants_read_at: new Date(entrantsReadAt).toISOString(),
    round: randomness.round,
    signature: randomness.signature,
    randomness: randomness.randomness,
    entrants: decision.entrants.entries.map(({ id, weight }) => [id, entrantsById.get(id)?.login ?? "", weight]),
    entrants_sha256: decision.entrants.sha256,
    items: decision.items.entries.map(({ id, weight }) => [id, itemsById.get(id)?.name ?? "", weight]),
    items_sha256: decision.items.sha256,
    item_id: winner === undefined ? null : decision.itemId,
    winner: winner === undefined ? null : { id: winner.id, login: winner.login, name: winner.name },
    chatters_seen: read.counts.chatters,
    excluded_count: read.counts.excluded,
    cooling_down_count: read.counts.coolingDown,
  };
}
