import { describe, expect, it } from "vitest";
import { parseHex } from "../../../worker/fairness/bytes";
import { decideDraw, decideRedraw, roundPublishedAt } from "../../../worker/fairness/livelootV1";
import { type DrawRecordJson, parseRaffleRecord } from "../../../worker/fairness/raffleRecord";
import { parseInstantMilliseconds, verifyDrawRecord } from "../../../worker/fairness/verifyDrawRecord";

const quicknet = { genesisSeconds: 1692803367, periodSeconds: 3 };
const raffle = "r7Kq2xM4pT";
// Real quicknet round 657413: the first round after an instant 400 ms before it was published.
const round = 657413;
const signature = "b713718a38ae728dfd477991af2822e08d2f305e47718cef9f7848ce4050e7be41076862b98fad56e91a6b85b89cd97b";
const randomness = "fc1873a13f3545aeade8401532ef5519920652eee6b0d2b19ca12643b87b3587";
const readAt = new Date(roundPublishedAt(round, quicknet) - 400).toISOString();

const entrantLines: [string, string, number][] = [
  ["10", "ten", 1],
  ["9", "nine", 150],
  ["123456789012345678901", "big", 500],
  ["100", "hundred", 100],
  ["2", "two", 1],
];
const itemLines: [string, string, number][] = [
  ["7", "Sword", 10],
  ["12", "Shield", 5],
  ["3", "Key", 1],
];

async function buildRecord(slot = "2024-05-06T20:15Z"): Promise<DrawRecordJson> {
  const entrants = entrantLines.map(([id, , weight]) => ({ id, weight }));
  const input = { randomness: parseHex(randomness), raffle, slot, entrants };
  const decision = await decideDraw({ ...input, items: itemLines.map(([id, , weight]) => ({ id, weight })) });
  const winner = decision.winnerUserId ?? "";
  const redraw = await decideRedraw(1, input, [winner]);
  return {
    slot,
    draw_number: 1,
    round,
    signature,
    randomness,
    entrants_read_at: readAt,
    entrants: entrantLines,
    entrants_sha256: decision.entrants.sha256,
    items: itemLines,
    items_sha256: decision.items.sha256,
    item_id: decision.itemId,
    winner_user_id: winner,
    redraws: [{ n: 1, winner_user_id: redraw.winnerUserId }],
  };
}

describe("verifyDrawRecord", () => {
  it("accepts a record built by the algorithm, on a real quicknet round", async () => {
    const record = await buildRecord();
    expect(record.winner_user_id).toBe("9");
    expect(await verifyDrawRecord(record, raffle, quicknet)).toEqual([]);
    // The JSON round-trips through the parser unchanged.
    const document = { raffle, algorithm: "liveloot/v1", chain_hash: "52db", draws: [record] };
    expect(parseRaffleRecord(JSON.parse(JSON.stringify(document))).draws[0]).toEqual(record);
  });

  it("names a changed winner, item or redraw winner", async () => {
    const record = await buildRecord();
    const mismatches = await verifyDrawRecord(
      { ...record, winner_user_id: "10", item_id: "7", redraws: [{ n: 1, winner_user_id: "2" }] },
      raffle,
      quicknet,
    );
    expect(mismatches.map((mismatch) => mismatch.field)).toEqual([
      "item_id",
      "winner_user_id",
      "redraws[0].winner_user_id",
    ]);
    expect(mismatches[1]?.message).toBe('winner_user_id is "10", but Pick("winner", entrants) gives "9"');
  });

  it("names a removed entrant through the hash", async () => {
    const record = await buildRecord();
    const mismatches = await verifyDrawRecord(
      { ...record, entrants: record.entrants.filter(([id]) => id !== "2") },
      raffle,
      quicknet,
    );
    expect(mismatches[0]?.field).toBe("entrants_sha256");
    expect(mismatches[0]?.message).toMatch(/the 4 published entrants hash to "[0-9a-f]{64}"/);
  });

  it("names a wrong round, a randomness that is not sha256(signature), and a broken signature", async () => {
    const record = await buildRecord();
    expect(await verifyDrawRecord({ ...record, round: round + 1 }, raffle, quicknet)).toEqual([
      {
        field: "round",
        message: `round is ${round + 1}, but the first round published after entrants_read_at ${readAt} is ${round}`,
      },
    ]);
    const other = `${randomness.slice(0, 63)}0`;
    const changedRandomness = await verifyDrawRecord({ ...record, randomness: other }, raffle, quicknet);
    expect(changedRandomness[0]).toEqual({
      field: "randomness",
      message: `randomness is "${other}", but sha256(signature) is "${randomness}"`,
    });
    const truncated = await verifyDrawRecord({ ...record, signature: signature.slice(2) }, raffle, quicknet);
    expect(truncated.map((mismatch) => mismatch.field)).toContain("signature");
  });

  it("reports invalid lists instead of throwing", async () => {
    const record = await buildRecord();
    const duplicated = await verifyDrawRecord(
      { ...record, entrants: [...record.entrants, ["9", "nine again", 1]] },
      raffle,
      quicknet,
    );
    expect(duplicated).toEqual([{ field: "entrants", message: "entrants is not a valid list: id 9 appears twice" }]);
  });

  it("recomputes a draw without a beacon round from its randomness alone", async () => {
    const record = await buildRecord("manual-77");
    expect(await verifyDrawRecord({ ...record, round: null, signature: null }, raffle, quicknet)).toEqual([]);
    const withSignature = await verifyDrawRecord({ ...record, round: null }, raffle, quicknet);
    expect(withSignature).toEqual([{ field: "signature", message: "signature is set, but round is null" }]);
  });

  it("checks redraw numbering", async () => {
    const record = await buildRecord();
    const mismatches = await verifyDrawRecord(
      { ...record, redraws: [{ n: 2, winner_user_id: "100" }] },
      raffle,
      quicknet,
    );
    expect(mismatches[0]?.field).toBe("redraws[0].n");
  });

  it("reads ISO instants with any fraction and zone, cutting past the millisecond", () => {
    expect(parseInstantMilliseconds("2023-09-15T11:00:02.9996Z")).toBe(Date.UTC(2023, 8, 15, 11, 0, 2, 999));
    expect(parseInstantMilliseconds("2023-09-15T08:00:02.123456-03:00")).toBe(Date.UTC(2023, 8, 15, 11, 0, 2, 123));
    expect(parseInstantMilliseconds("2023-09-15T11:00:02Z")).toBe(Date.UTC(2023, 8, 15, 11, 0, 2));
    expect(parseInstantMilliseconds("2023-09-15 11:00:02")).toBeNull();
  });

  it("parses the published shape and says where it is wrong", () => {
    expect(() => parseRaffleRecord({ raffle: "x", algorithm: "liveloot/v1", chain_hash: "", draws: [{}] })).toThrow(
      "draws[0].round: expected an integer",
    );
    expect(() => parseRaffleRecord([])).toThrow("record: expected an object");
  });
});
