import { createHash, createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { verifyBeaconSignature } from "../../../scripts/fairness/verifyBeaconSignature";
import {
  buildFairnessVectors,
  computeFairnessVector,
  type FairnessVector,
  fairnessDocPath,
  formatFairnessVectorsMarkdown,
  vectorFenceInfo,
  vectorsEndMarker,
  vectorsStartMarker,
} from "../../../scripts/printFairnessVectors";
import { quicknet } from "../../../worker/fairness/beacon";
import { entrantWeight, firstRoundAfter } from "../../../worker/fairness/livelootV1";
import type { DrawRecordJson } from "../../../worker/fairness/raffleRecord";
import { verifyDrawRecord } from "../../../worker/fairness/verifyDrawRecord";
import { referenceDecide, referenceList } from "../../support/fairnessReference";

/**
 * docs/fairness.md's test vectors are what a third party checks a re-implementation against:
 * every block must be what worker/fairness/livelootV1.ts computes from its inputs, and what the
 * independent test/support/fairnessReference.ts computes too.
 */

const document = readFileSync(fairnessDocPath, "utf8");

/** Every ```json liveloot-v1-vector block of the document, parsed. */
function readVectorBlocks(text: string): unknown[] {
  const fence = new RegExp(`^\`\`\`${vectorFenceInfo}\\n([\\s\\S]*?)^\`\`\`$`, "gm");
  return [...text.matchAll(fence)].map((match) => JSON.parse(match[1] ?? ""));
}

function parseLines(lines: readonly string[]) {
  return lines.map((line) => {
    const [id = "", weight = ""] = line.split(":");
    return { id, weight: Number(weight) };
  });
}

const vectors = readVectorBlocks(document) as FairnessVector[];

describe("docs/fairness.md test vectors", () => {
  it("has the vectors the brief asks for, each a block the generator writes", async () => {
    expect(vectors.length).toBeGreaterThanOrEqual(6);
    const names = vectors.map((vector) => vector.vector);
    expect(names).toEqual(
      expect.arrayContaining([
        "three-entrants-two-items",
        "luck-weights",
        "rejection",
        "redraws",
        "manual-slot",
        "integer-order",
      ]),
    );
    // The section is exactly the generator's output: editing a number by hand fails here.
    const start = document.indexOf(vectorsStartMarker) + vectorsStartMarker.length;
    const end = document.indexOf(vectorsEndMarker);
    expect(document.slice(start, end).trim()).toBe(formatFairnessVectorsMarkdown(await buildFairnessVectors()).trim());
  });

  it("exercises what the algorithm has to get right", () => {
    const byName = new Map(vectors.map((vector) => [vector.vector, vector]));
    const basic = byName.get("three-entrants-two-items");
    expect(basic?.entrants).toHaveLength(3);
    expect(basic?.items).toHaveLength(2);
    expect(byName.get("luck-weights")?.luck_points).toBeDefined();
    const rejection = byName.get("rejection")?.expected.picks.flatMap((pick) => pick.words) ?? [];
    expect(rejection.some((word) => !word.accepted)).toBe(true);
    expect(byName.get("redraws")?.expected.redraw_winner_user_ids).toHaveLength(3);
    expect(byName.get("manual-slot")?.slot).toMatch(/^manual-[0-9a-f]{16}$/);
    const integerOrder = byName.get("integer-order")?.entrants.map((line) => line.split(":")[0] ?? "") ?? [];
    const asIntegers = [...integerOrder].sort((first, second) => (BigInt(first) < BigInt(second) ? -1 : 1));
    expect([...integerOrder].sort()).not.toEqual(asIntegers);
    // Sorted as text, the same accepted word would land on another winner: the vector catches that mistake.
    const vector = byName.get("integer-order");
    const winner = vector?.expected.picks.find((pick) => pick.purpose === "winner");
    const x = Number(winner?.x);
    const textOrder = [...integerOrder].sort();
    expect(textOrder[x]).not.toBe(vector?.expected.winner_user_id);
    expect(asIntegers[x]).toBe(vector?.expected.winner_user_id);
  });

  describe.each(vectors.map((vector) => [vector.vector, vector] as const))("vector %s", (_name, vector) => {
    it("is what worker/fairness/livelootV1.ts computes from its inputs", async () => {
      const { expected, ...input } = vector;
      expect((await computeFairnessVector(input)).expected).toEqual(expected);
    });

    it("is what the independent reference computes, word by word", () => {
      const entrants = parseLines(vector.entrants);
      const items = parseLines(vector.items);
      const randomness = Buffer.from(vector.randomness, "hex");
      expect(randomness).toHaveLength(32);
      const outcome = referenceDecide({
        raffle: vector.raffle,
        slot: vector.slot,
        randomness,
        entrants,
        items,
        redraws: vector.redraws,
      });
      expect(outcome.entrantsSha256).toBe(vector.expected.entrants_sha256);
      expect(outcome.itemsSha256).toBe(vector.expected.items_sha256);
      expect(outcome.itemId).toBe(vector.expected.item_id);
      expect(outcome.winnerUserId).toBe(vector.expected.winner_user_id);
      expect(outcome.redrawWinners).toEqual(vector.expected.redraw_winner_user_ids);
      const rejected = vector.expected.picks.reduce((sum, pick) => sum + pick.words.length - 1, 0);
      expect(outcome.rejectedWords).toBe(rejected);
      expect(referenceList(entrants).sorted.map((entry) => entry.id)).toEqual(
        vector.expected.entrants_text
          .split("\n")
          .filter(Boolean)
          .map((line) => line.split(":")[0]),
      );
      for (const pick of vector.expected.picks) {
        expect(pick.purpose).toMatch(/^(item|winner|winner-redraw-[123])$/);
        for (const word of pick.words) {
          expect(word.message).toBe(`liveloot/v1/${vector.raffle}/${vector.slot}/${pick.purpose}/${word.i}`);
          const mac = createHmac("sha256", randomness).update(word.message, "utf8").digest();
          expect(mac.toString("hex")).toBe(word.hmac_sha256);
          expect(mac.subarray(0, 6).toString("hex")).toBe(word.word_hex);
          expect(BigInt(`0x${word.word_hex}`).toString()).toBe(word.word);
          expect(BigInt(word.word) < BigInt(pick.limit)).toBe(word.accepted);
        }
        const total = BigInt(pick.total);
        expect(BigInt(pick.limit)).toBe(((1n << 48n) / total) * total);
        expect(BigInt(pick.words.at(-1)?.word ?? "-1") % total).toBe(BigInt(pick.x));
      }
    });

    it("verifies as a published record, with the verifier the page and npm run verify use", async () => {
      const lines = (text: string): [string, string, number][] =>
        text
          .split("\n")
          .filter(Boolean)
          .map((line) => {
            const [id = "", weight = ""] = line.split(":");
            return [id, `user_${id}`, Number(weight)];
          });
      const record: DrawRecordJson = {
        slot: vector.slot,
        draw_number: 1,
        round: vector.beacon?.round ?? null,
        signature: vector.beacon?.signature ?? null,
        randomness: vector.randomness,
        entrants_read_at: vector.beacon?.entrants_read_at ?? "2026-12-07T21:05:00.000Z",
        entrants: lines(vector.expected.entrants_text),
        entrants_sha256: vector.expected.entrants_sha256,
        items: lines(vector.expected.items_text),
        items_sha256: vector.expected.items_sha256,
        item_id: vector.expected.item_id,
        winner_user_id: vector.expected.winner_user_id,
        redraws: vector.expected.redraw_winner_user_ids.map((winner, index) => ({
          n: index + 1,
          winner_user_id: winner,
        })),
      };
      expect(await verifyDrawRecord(record, vector.raffle, quicknet)).toEqual([]);
      // The same record with another winner is caught: the check can fail.
      const other = record.entrants.find(([id]) => id !== record.winner_user_id)?.[0] ?? "";
      const forged = await verifyDrawRecord({ ...record, winner_user_id: other }, vector.raffle, quicknet);
      expect(forged.map((mismatch) => mismatch.field)).toContain("winner_user_id");
    });

    if (vector.luck_points !== undefined) {
      it("weighs each entrant 100 + min(points, 400)", () => {
        for (const { id, weight } of parseLines(vector.entrants)) {
          expect(entrantWeight(vector.luck_points?.[id] ?? Number.NaN, true)).toBe(weight);
        }
      });
    }

    if (vector.beacon !== null) {
      const beacon = vector.beacon;
      it("comes from a real quicknet round: signature, randomness and round check", async () => {
        expect(await verifyBeaconSignature(beacon, quicknet.publicKey)).toBe(true);
        expect(firstRoundAfter(Date.parse(beacon.entrants_read_at), quicknet)).toBe(beacon.round);
        expect(createHash("sha256").update(Buffer.from(beacon.signature, "hex")).digest("hex")).toBe(vector.randomness);
      });
    }
  });
});
