import { describe, expect, it } from "vitest";
import { parseHex } from "../../../worker/fairness/bytes";
import {
  computeWord,
  decideDraw,
  decideRedraw,
  entrantWeight,
  firstRoundAfter,
  formatManualSlotLabel,
  formatRedrawPurpose,
  formatSlotLabel,
  formatWeightedLines,
  hashWeightedLines,
  pick,
  randomnessFromSignature,
  roundPublishedAt,
} from "../../../worker/fairness/livelootV1";

// Vectors computed apart from this code, by a 30-line Python reading of docs/fairness.md (hmac, hashlib,
// int.from_bytes): the expected values below are that program's output, not this module's.
const quicknetRound657413 = {
  round: 657413,
  signature: "b713718a38ae728dfd477991af2822e08d2f305e47718cef9f7848ce4050e7be41076862b98fad56e91a6b85b89cd97b",
  randomness: "fc1873a13f3545aeade8401532ef5519920652eee6b0d2b19ca12643b87b3587",
};
const randomness = parseHex(quicknetRound657413.randomness);
const raffle = "r7Kq2xM4pT";
const slot = "2024-05-06T20:15Z";
const entrants = [
  { id: "10", weight: 1 },
  { id: "9", weight: 150 },
  { id: "123456789012345678901", weight: 500 },
  { id: "100", weight: 100 },
  { id: "2", weight: 1 },
];
const items = [
  { id: "7", weight: 10 },
  { id: "12", weight: 5 },
  { id: "3", weight: 1 },
];
const quicknet = { genesisSeconds: 1692803367, periodSeconds: 3 };

describe("liveloot/v1 canonical lists", () => {
  it("sorts by id as integers (9 before 10, 21-digit ids after) and ends every line with \\n", async () => {
    expect(formatWeightedLines(entrants)).toBe("2:1\n9:150\n10:1\n100:100\n123456789012345678901:500\n");
    const list = await hashWeightedLines(entrants);
    expect(list.sha256).toBe("1b8ba11713c1f469890a7a80cb6fadd59e2e313182b7d014ed498c7dda948556");
    expect((await hashWeightedLines(items)).text).toBe("3:1\n7:10\n12:5\n");
    expect((await hashWeightedLines(items)).sha256).toBe(
      "0f8ca8a8673debac50323d34025478c2de3e5686acd9d99fa4804a2d8e7a151d",
    );
  });

  it("hashes an empty list as the SHA-256 of the empty text", async () => {
    expect(await hashWeightedLines([])).toEqual({
      entries: [],
      text: "",
      sha256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    });
  });

  it("refuses duplicate ids, non-decimal ids and weights that are not integers ≥ 1", () => {
    expect(() =>
      formatWeightedLines([
        { id: "5", weight: 1 },
        { id: "5", weight: 2 },
      ]),
    ).toThrow(/appears twice/);
    expect(() =>
      formatWeightedLines([
        { id: "05", weight: 1 },
        { id: "5", weight: 2 },
      ]),
    ).toThrow(/appears twice/);
    expect(() => formatWeightedLines([{ id: "-5", weight: 1 }])).toThrow(/decimal/);
    expect(() => formatWeightedLines([{ id: " 5", weight: 1 }])).toThrow(/decimal/);
    expect(() => formatWeightedLines([{ id: "5", weight: 0 }])).toThrow(/weight/);
    expect(() => formatWeightedLines([{ id: "5", weight: 1.5 }])).toThrow(/weight/);
  });
});

describe("liveloot/v1 weights, slots and rounds", () => {
  it("weighs an entrant 1, or with luck 100 + min(points, 400)", () => {
    expect(entrantWeight(9999, false)).toBe(1);
    expect(entrantWeight(0, true)).toBe(100);
    expect(entrantWeight(250, true)).toBe(350);
    expect(entrantWeight(400, true)).toBe(500);
    expect(entrantWeight(401, true)).toBe(500);
    expect(() => entrantWeight(-1, true)).toThrow(RangeError);
  });

  it("labels a slot by its UTC minute, seconds dropped, and a manual draw by its id", () => {
    expect(formatSlotLabel(Date.UTC(2024, 4, 6, 20, 15, 59, 999))).toBe("2024-05-06T20:15Z");
    expect(formatSlotLabel(Date.UTC(2024, 0, 1, 0, 0))).toBe("2024-01-01T00:00Z");
    expect(formatManualSlotLabel(42)).toBe("manual-42");
    expect(formatManualSlotLabel("9007199254740993")).toBe("manual-9007199254740993");
    expect(() => formatManualSlotLabel("a/b")).toThrow(RangeError);
    expect(formatRedrawPurpose(2)).toBe("winner-redraw-2");
    expect(() => formatRedrawPurpose(4)).toThrow(RangeError);
  });

  it("takes the first round published strictly after an instant", () => {
    const published = roundPublishedAt(657413, quicknet);
    expect(published).toBe(1694775603000);
    expect(firstRoundAfter(published - 1, quicknet)).toBe(657413);
    expect(firstRoundAfter(published - 3000, quicknet)).toBe(657413);
    // Read at the very millisecond round 657413 appeared: it could have been seen, so the next one.
    expect(firstRoundAfter(published, quicknet)).toBe(657414);
    expect(firstRoundAfter(published + 2999, quicknet)).toBe(657414);
    expect(firstRoundAfter(quicknet.genesisSeconds * 1000 - 60_000, quicknet)).toBe(1);
    expect(firstRoundAfter(quicknet.genesisSeconds * 1000, quicknet)).toBe(2);
  });

  it("derives randomness as sha256(signature) (quicknet round 657413)", async () => {
    expect(await randomnessFromSignature(quicknetRound657413.signature)).toBe(quicknetRound657413.randomness);
  });
});

describe("liveloot/v1 words and picks", () => {
  it("computes words as the first 6 bytes of the HMAC, big-endian", async () => {
    expect(await computeWord(randomness, raffle, slot, "winner", 0)).toBe(240545602252260n);
    expect(await computeWord(randomness, raffle, "manual-42", "winner-redraw-2", 3)).toBe(222607100487146n);
    await expect(computeWord(new Uint8Array(31), raffle, slot, "winner", 0)).rejects.toThrow(/32 bytes/);
  });

  it("decides the item and the winner", async () => {
    const decision = await decideDraw({ randomness, raffle, slot, entrants, items });
    expect(decision.itemId).toBe("12");
    expect(decision.itemPick).toMatchObject({ index: 2, wordIndex: 0, x: 15n, total: 16n, word: 214226480948047n });
    expect(decision.winnerUserId).toBe("9");
    expect(decision.winnerPick).toMatchObject({
      index: 1,
      wordIndex: 0,
      x: 100n,
      total: 752n,
      limit: 281474976710464n,
    });
    expect(decision.entrants.sha256).toBe("1b8ba11713c1f469890a7a80cb6fadd59e2e313182b7d014ed498c7dda948556");
  });

  it("redraws among the entrants without the slot's earlier winners", async () => {
    const input = { randomness, raffle, slot, entrants };
    const first = await decideRedraw(1, input, ["9"]);
    expect(first).toMatchObject({ purpose: "winner-redraw-1", winnerUserId: "123456789012345678901" });
    expect(first.winnerPick).toMatchObject({ x: 437n, total: 602n });
    const second = await decideRedraw(2, input, ["9", "123456789012345678901"]);
    expect(second.winnerUserId).toBe("100");
    const third = await decideRedraw(3, input, ["9", "123456789012345678901", "100"]);
    expect(third.winnerUserId).toBe("10");
    expect(third.remainingEntrants.map((entry) => entry.id)).toEqual(["2", "10"]);
    const nobodyLeft = await decideRedraw(1, { ...input, entrants: [{ id: "9", weight: 1 }] }, ["9"]);
    expect(nobodyLeft.winnerUserId).toBeNull();
  });

  it("rejects words at or above the limit and takes the next word", async () => {
    // total = 2^47 + 1, so limit = total and about half of all words are rejected.
    const heavy = [
      { id: "2", weight: 2 ** 46 + 1 },
      { id: "1", weight: 2 ** 46 },
    ];
    const rejectedTwice = await pick(randomness, raffle, "2024-05-06T21:02Z", "winner", heavy);
    expect(rejectedTwice).toMatchObject({ id: "1", index: 0, wordIndex: 2, rejectedWords: 2, word: 63211451030791n });
    // Word 0 mod total would have picked "2": the rejection changes the outcome here.
    const firstWord = await computeWord(randomness, raffle, "2024-05-06T21:02Z", "winner", 0);
    expect(firstWord).toBe(211459438524869n);
    expect(firstWord >= 2n ** 47n + 1n).toBe(true);

    const oneAndOne = [
      { id: "1", weight: 2 ** 47 },
      { id: "2", weight: 1 },
    ];
    expect(await pick(randomness, raffle, "2024-05-06T20:30Z", "item", oneAndOne)).toMatchObject({
      wordIndex: 3,
      word: 644019219109n,
    });
    expect(await pick(randomness, raffle, "2024-05-06T20:04Z", "item", oneAndOne)).toMatchObject({ wordIndex: 0 });
  });

  it("uses strict running sums: x equal to a boundary belongs to the next entry", async () => {
    // word mod 2 = 1 for this word (25254759995607 is odd): running sums 1, 2 → 1 > 1 is false, 2 > 1 picks the second.
    const result = await pick(randomness, raffle, slot, "winner-redraw-3", [
      { id: "10", weight: 1 },
      { id: "2", weight: 1 },
    ]);
    expect(result).toMatchObject({ x: 1n, index: 1, id: "10" });
  });

  it("picks nothing from an empty list, and refuses a total above 2^48", async () => {
    expect(await pick(randomness, raffle, slot, "winner", [])).toBeNull();
    const empty = await decideDraw({ randomness, raffle, slot, entrants: [], items: [] });
    expect(empty).toMatchObject({ itemId: null, winnerUserId: null, itemPick: null, winnerPick: null });
    const tooHeavy = Array.from({ length: 40 }, (_, index) => ({ id: String(index + 1), weight: 2 ** 43 }));
    await expect(pick(randomness, raffle, slot, "item", tooHeavy)).rejects.toThrow(/2\^48/);
  });
});
