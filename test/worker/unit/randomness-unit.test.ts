import { describe, expect, it } from "vitest";
import { pickIndex, type RandomSource, sampleWithoutReplacement } from "../../../worker/lib/randomness";

// Statistical checks use crypto randomness and a fixed tolerance: the chi-square critical value
// at p = 1e-6 for the test's degrees of freedom (scipy.stats.chi2.ppf(1 - 1e-6, df)), so a
// correct implementation fails about once in a million runs.
const chiSquareCritical = { 9: 44.81, 19: 63.68 } as const;

function chiSquare(counts: number[], expected: number): number {
  return counts.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
}

/** Hands out the given words in order, then fails: a test sees exactly how many were drawn. */
function scriptedSource(words: number[]): RandomSource & { used: number } {
  const source = {
    used: 0,
    fill(target: Uint32Array): Uint32Array {
      for (let index = 0; index < target.length; index += 1) {
        const word = words[source.used];
        if (word === undefined) throw new Error("the scripted words ran out");
        target[index] = word;
        source.used += 1;
      }
      return target;
    },
  };
  return source;
}

/** Crypto words, counting how many were drawn. */
function countingCryptoSource(): RandomSource & { used: number } {
  const source = {
    used: 0,
    fill(target: Uint32Array): Uint32Array {
      source.used += target.length;
      return crypto.getRandomValues(target);
    },
  };
  return source;
}

describe("sampleWithoutReplacement (partial Fisher–Yates)", () => {
  it("makes every ordered sample equally likely (2 of 5: 20 outcomes, chi-square over 40,000 runs)", () => {
    const items = ["a", "b", "c", "d", "e"];
    const outcomes = new Map<string, number>();
    for (const first of items) for (const second of items) if (first !== second) outcomes.set(first + second, 0);
    const runs = 40_000;
    for (let run = 0; run < runs; run += 1) {
      const key = sampleWithoutReplacement(items, 2).join("");
      expect(outcomes.has(key)).toBe(true);
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    }
    expect(outcomes.size).toBe(20);
    expect(chiSquare([...outcomes.values()], runs / 20)).toBeLessThan(chiSquareCritical[19]);
  });

  it("puts every item at every sample position equally often (3 of 10, chi-square per position)", () => {
    const items = Array.from({ length: 10 }, (_, index) => index);
    const runs = 20_000;
    const counts = [0, 1, 2].map(() => new Array<number>(10).fill(0));
    for (let run = 0; run < runs; run += 1) {
      sampleWithoutReplacement(items, 3).forEach((item, position) => {
        const row = counts[position] as number[];
        row[item] = (row[item] ?? 0) + 1;
      });
    }
    for (const row of counts) expect(chiSquare(row, runs / 10)).toBeLessThan(chiSquareCritical[9]);
  });

  it("draws only as many indices as the sample needs, never touching the rest of a big chat", () => {
    const chat = Array.from({ length: 100_000 }, (_, index) => `viewer${index}`);
    // All-zero words: each swap takes the first word offered (0 is never rejected).
    const zeros = scriptedSource(new Array<number>(500).fill(0));
    const sample = sampleWithoutReplacement(chat, 500, zeros);
    expect(zeros.used).toBe(500);
    // Index 0 at every step: the partial shuffle swaps each position with itself.
    expect(sample).toEqual(chat.slice(0, 500));
    expect(chat[0]).toBe("viewer0");
  });

  it("returns distinct items, all of them (in random order) when the chat is smaller than the sample", () => {
    const chat = Array.from({ length: 1_000 }, (_, index) => index);
    const sample = sampleWithoutReplacement(chat, 500);
    expect(sample).toHaveLength(500);
    expect(new Set(sample).size).toBe(500);
    const small = sampleWithoutReplacement([1, 2, 3], 500);
    expect([...small].sort()).toEqual([1, 2, 3]);
    expect(sampleWithoutReplacement([], 500)).toEqual([]);
    expect(sampleWithoutReplacement(chat, 0)).toEqual([]);
    expect(() => sampleWithoutReplacement(chat, -1)).toThrow(RangeError);
  });

  it("follows a swap's displaced item: the last position can still be drawn after it moved", () => {
    // Step 0 picks index 4 ("e" comes first, "a" moves to 4); step 1 picks 1 + 3 = 4 again: "a".
    const sample = sampleWithoutReplacement(["a", "b", "c", "d", "e"], 2, scriptedSource([4, 3]));
    expect(sample).toEqual(["e", "a"]);
  });
});

describe("pickIndex (unbiased indices)", () => {
  it("rejects the words above the largest multiple of the bound instead of folding them in", () => {
    // bound 3·2^30: words in [3·2^30, 2^32) would map onto [0, 2^30) under a plain modulo.
    const bound = 3 * 2 ** 30;
    const rejected = scriptedSource([bound, 2 ** 32 - 1, 7]);
    expect(pickIndex(bound, rejected)).toBe(7);
    expect(rejected.used).toBe(3);
    const accepted = scriptedSource([bound - 1]);
    expect(pickIndex(bound, accepted)).toBe(bound - 1);
    expect(accepted.used).toBe(1);
  });

  it("is uniform where a modulo would favour the low third twice over (30,000 crypto draws)", () => {
    const bound = 3 * 2 ** 30;
    const runs = 30_000;
    let low = 0;
    for (let run = 0; run < runs; run += 1) if (pickIndex(bound) < 2 ** 30) low += 1;
    // Unbiased: 1/3 land in [0, 2^30), sd ≈ 82; a modulo would put half there (15,000).
    expect(Math.abs(low - runs / 3)).toBeLessThan(6 * Math.sqrt((runs * 2) / 9));
  });

  it("gives each residue of a small bound an equal share (chi-square over 10 values, 50,000 draws)", () => {
    const source = countingCryptoSource();
    const counts = new Array<number>(10).fill(0);
    const runs = 50_000;
    for (let run = 0; run < runs; run += 1) {
      const index = pickIndex(10, source);
      counts[index] = (counts[index] ?? 0) + 1;
    }
    expect(chiSquare(counts, runs / 10)).toBeLessThan(chiSquareCritical[9]);
    // Rejection is rare for a small bound: (2^32 mod 10) / 2^32 ≈ 1.4e-9 per word.
    expect(source.used).toBeLessThan(runs + 3);
  });

  it("refuses bounds it cannot draw from", () => {
    for (const bound of [0, -1, 1.5, 2 ** 32 + 1, Number.NaN]) expect(() => pickIndex(bound)).toThrow(RangeError);
    expect(pickIndex(1)).toBe(0);
  });
});
