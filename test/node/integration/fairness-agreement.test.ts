import { createHash, randomBytes, randomInt } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decideDraw, decideRedraw, firstRoundAfter, formatSlotLabel } from "../../../worker/fairness/livelootV1";
import type { DrawRecordJson, WeightedRecordLine } from "../../../worker/fairness/raffleRecord";
import { verifyDrawRecord } from "../../../worker/fairness/verifyDrawRecord";
import { referenceCheck, referenceDecide } from "../../support/fairnessReference";

/**
 * The agreement harness: a decider turns a random case into the published draw record, and two
 * verifiers must find nothing wrong with it: worker/fairness/verifyDrawRecord.ts (what the page
 * and `npm run verify` run) and test/support/fairnessReference.ts (a second implementation written
 * from docs/fairness.md alone, deliberately unlike worker/fairness). The deciders are that reference and
 * the Worker's own decider (livelootV1.decideDraw and decideRedraw, exactly as
 * raffle/drawSlots.ts decides every draw), so the Worker's picks are checked by an implementation
 * that shares no code with them, on thousands of cases with rejected words.
 */
interface AgreementCase {
  raffle: string;
  slot: string;
  randomness: Buffer;
  entrants: { id: string; login: string; weight: number }[];
  items: { id: string; name: string; weight: number }[];
  /** How many redraws after unclaimed prizes (0–3). */
  redraws: number;
}

interface DeciderOutcome {
  itemId: string | null;
  winnerUserId: string | null;
  redrawWinners: (string | null)[];
  entrantsSha256: string;
  itemsSha256: string;
  /** Words rejected over all picks of the case (to prove rejections are exercised). */
  rejectedWords: number;
}

interface Decider {
  name: string;
  decide(agreementCase: AgreementCase): Promise<DeciderOutcome>;
}

const chain = { genesisSeconds: 1692803367, periodSeconds: 3 };

function compareIds(first: string, second: string): number {
  return first.length - second.length || (first < second ? -1 : first > second ? 1 : 0);
}

const referenceDecider: Decider = {
  name: "reference (node:crypto, written from docs/fairness.md: test/support/fairnessReference.ts)",
  decide: async (agreementCase) => referenceDecide(agreementCase),
};

/** The Worker's decider, as raffle/drawSlots.ts calls it (redraws through decideRedraw). */
const workerDecider: Decider = {
  name: "Worker (worker/fairness/livelootV1.ts)",
  async decide(agreementCase) {
    const input = { ...agreementCase, randomness: new Uint8Array(agreementCase.randomness) };
    const decision = await decideDraw(input);
    const redrawWinners: (string | null)[] = [];
    const earlier = decision.winnerUserId === null ? [] : [decision.winnerUserId];
    let rejectedWords = (decision.itemPick?.rejectedWords ?? 0) + (decision.winnerPick?.rejectedWords ?? 0);
    for (let n = 1; n <= agreementCase.redraws && decision.winnerUserId !== null; n += 1) {
      const redraw = await decideRedraw(n, input, earlier);
      rejectedWords += redraw.winnerPick?.rejectedWords ?? 0;
      redrawWinners.push(redraw.winnerUserId);
      if (redraw.winnerUserId === null) break;
      earlier.push(redraw.winnerUserId);
    }
    return {
      itemId: decision.itemId,
      winnerUserId: decision.winnerUserId,
      redrawWinners,
      entrantsSha256: decision.entrants.sha256,
      itemsSha256: decision.items.sha256,
      rejectedWords,
    };
  },
};

const deciders: Decider[] = [referenceDecider, workerDecider];

function randomDecimalId(): string {
  const length = randomInt(1, 22);
  let id = String(randomInt(1, 10));
  for (let index = 1; index < length; index += 1) id += String(randomInt(0, 10));
  return id;
}

function uniqueIds(count: number): string[] {
  const ids = new Set<string>();
  while (ids.size < count) ids.add(randomDecimalId());
  return [...ids];
}

/** Weights that sum to more than 2^47, so up to half of all words are rejected. */
function heavyWeights(count: number): number[] {
  const target = 2 ** 47 + randomInt(1, 2 ** 46);
  const weights = Array.from({ length: count }, () => Math.max(1, Math.floor(target / count) - randomInt(0, 1000)));
  return weights;
}

function generateCase(caseNumber: number): AgreementCase {
  const kind = caseNumber % 4;
  const entrantCount = kind === 3 ? randomInt(0, 3) : randomInt(1, 60);
  const luck = caseNumber % 2 === 0;
  const entrantIds = uniqueIds(entrantCount);
  const heavy = kind === 1 ? heavyWeights(entrantCount) : undefined;
  const entrants = entrantIds.map((id, index) => ({
    id,
    login: `viewer_${index}`,
    weight: heavy?.[index] ?? (luck ? 100 + Math.min(randomInt(0, 800), 400) : 1),
  }));
  const itemCount = kind === 3 ? randomInt(0, 2) : randomInt(1, 12);
  const heavyItems = kind === 2 ? heavyWeights(itemCount) : undefined;
  const items = uniqueIds(itemCount).map((id, index) => ({
    id,
    name: `Item ${index}`,
    weight: heavyItems?.[index] ?? randomInt(1, 1_000_001),
  }));
  const minute = Date.UTC(2025, 0, 1) + randomInt(0, 500_000) * 60_000;
  return {
    raffle: randomBytes(8).toString("base64url"),
    slot: caseNumber % 5 === 0 ? `manual-${randomInt(1, 2 ** 40)}` : formatSlotLabel(minute),
    randomness: randomBytes(32),
    entrants,
    items,
    redraws: randomInt(0, 4),
  };
}

/** A beacon round for the case (its randomness is sha256 of a random "signature": BLS is checked elsewhere), or none. */
function drawBeacon(withRound: boolean) {
  const readAt = Date.UTC(2025, 0, 1) + randomInt(0, 2 ** 40);
  if (!withRound) return { readAt, round: null, signature: null, randomness: randomBytes(32) };
  const signature = randomBytes(48);
  const randomness = createHash("sha256").update(signature).digest();
  return { readAt, round: firstRoundAfter(readAt, chain), signature: signature.toString("hex"), randomness };
}

/** The record the Worker would publish for this case and outcome. */
function buildRecord(
  agreementCase: AgreementCase,
  beacon: ReturnType<typeof drawBeacon>,
  outcome: DeciderOutcome,
): DrawRecordJson {
  return {
    slot: agreementCase.slot,
    draw_number: 1,
    round: beacon.round,
    signature: beacon.signature,
    randomness: agreementCase.randomness.toString("hex"),
    entrants_read_at: new Date(beacon.readAt).toISOString(),
    entrants: agreementCase.entrants.map(({ id, login, weight }): WeightedRecordLine => [id, login, weight]),
    entrants_sha256: outcome.entrantsSha256,
    items: agreementCase.items.map(({ id, name, weight }): WeightedRecordLine => [id, name, weight]),
    items_sha256: outcome.itemsSha256,
    item_id: outcome.itemId,
    winner_user_id: outcome.winnerUserId,
    redraws: outcome.redrawWinners.map((winner, index) => ({ n: index + 1, winner_user_id: winner })),
  };
}

const caseCount = 3000;

describe.each(deciders)("the TypeScript verifier agrees with the $name decider", (decider) => {
  it(`on ${caseCount} random cases, rejected words included`, async () => {
    let casesWithRejections = 0;
    let redrawsChecked = 0;
    for (let caseNumber = 0; caseNumber < caseCount; caseNumber += 1) {
      const beacon = drawBeacon(caseNumber % 2 === 1);
      const agreementCase = { ...generateCase(caseNumber), randomness: beacon.randomness };
      const outcome = await decider.decide(agreementCase);
      const record = buildRecord(agreementCase, beacon, outcome);
      const mismatches = [
        ...(await verifyDrawRecord(record, agreementCase.raffle, chain)),
        ...referenceCheck(agreementCase.raffle, {
          ...record,
          entrants: [...record.entrants].sort((first, second) => compareIds(first[0], second[0])),
        }).map((problem) => ({ field: "reference", message: problem })),
      ];
      if (mismatches.length > 0) {
        throw new Error(`case ${caseNumber} disagrees: ${JSON.stringify({ record, mismatches }, null, 1)}`);
      }
      if (outcome.rejectedWords > 0) casesWithRejections += 1;
      redrawsChecked += outcome.redrawWinners.length;
    }
    expect(casesWithRejections).toBeGreaterThan(caseCount / 20);
    expect(redrawsChecked).toBeGreaterThan(caseCount / 2);
  }, 120_000);

  it("and the harness notices a decider that disagrees", async () => {
    let noticed = 0;
    for (let caseNumber = 0; caseNumber < 200; caseNumber += 1) {
      const agreementCase = generateCase(caseNumber * 4);
      const outcome = await decider.decide(agreementCase);
      const other = agreementCase.entrants.find((entrant) => entrant.id !== outcome.winnerUserId);
      if (outcome.winnerUserId === null || other === undefined) continue;
      const record = buildRecord(agreementCase, drawBeacon(false), {
        ...outcome,
        winnerUserId: other.id,
        redrawWinners: [],
      });
      const mismatches = await verifyDrawRecord(record, agreementCase.raffle, chain);
      expect(mismatches.map((mismatch) => mismatch.field)).toEqual(["winner_user_id"]);
      noticed += 1;
    }
    expect(noticed).toBeGreaterThan(100);
  });

  it("matches worker/fairness word for word on the pick details", async () => {
    for (let caseNumber = 0; caseNumber < 300; caseNumber += 1) {
      const agreementCase = generateCase(caseNumber);
      const outcome = await decider.decide(agreementCase);
      const decision = await decideDraw({
        randomness: agreementCase.randomness,
        raffle: agreementCase.raffle,
        slot: agreementCase.slot,
        entrants: agreementCase.entrants,
        items: agreementCase.items,
      });
      expect([decision.itemId, decision.winnerUserId, decision.entrants.sha256, decision.items.sha256]).toEqual([
        outcome.itemId,
        outcome.winnerUserId,
        outcome.entrantsSha256,
        outcome.itemsSha256,
      ]);
    }
  });
});
