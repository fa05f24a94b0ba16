/**
 * The test vectors of docs/fairness.md: worked liveloot/v1 draws, computed by
 * worker/fairness/livelootV1.ts and written out step by step (canonical texts and their SHA-256,
 * every HMAC message and word, the picks), so a third party can check a re-implementation against
 * them. test/node/integration/fairness-vectors-doc.test.ts holds the doc to this output and
 * recomputes every vector with an independent implementation too.
 *
 *   node scripts/with-node22.mjs tsx scripts/printFairnessVectors.ts           prints the vectors' markdown
 *   node scripts/with-node22.mjs tsx scripts/printFairnessVectors.ts --write   rewrites them in docs/fairness.md
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { quicknet } from "../worker/fairness/beacon";
import { computeSha256Hex, formatHex, parseHex } from "../worker/fairness/bytes";
import {
  computeWord,
  decideDraw,
  decideRedraw,
  entrantWeight,
  firstRoundAfter,
  formatManualSlotLabel,
  formatRedrawPurpose,
  formatWordMessage,
  hashWeightedLines,
  itemPurpose,
  type PickResult,
  randomnessFromSignature,
  type WeightedEntry,
  winnerPurpose,
} from "../worker/fairness/livelootV1";
import { isRunAsScript } from "./isRunAsScript";

const repositoryDirectory = join(dirname(fileURLToPath(import.meta.url)), "..");
export const fairnessDocPath = join(repositoryDirectory, "docs", "fairness.md");

/** The fence info string of a vector block in docs/fairness.md. */
export const vectorFenceInfo = "json liveloot-v1-vector";
export const vectorsStartMarker =
  "<!-- liveloot-v1-vectors:start (generated: tsx scripts/printFairnessVectors.ts --write) -->";
export const vectorsEndMarker = "<!-- liveloot-v1-vectors:end -->";

/** A drand round the draw used: `randomness` is then sha256(signature). */
export interface VectorBeacon {
  round: number;
  signature: string;
  /** When the entrants were read: the round is the first published after it. */
  entrants_read_at: string;
}

/** What a vector gives a re-implementation. Lines are `id:weight`, in no particular order. */
export interface VectorInput {
  vector: string;
  description: string;
  raffle: string;
  slot: string;
  beacon: VectorBeacon | null;
  randomness: string;
  entrants: string[];
  /** With `luck`: each entrant's activity points, from which its weight 100 + min(points, 400) comes. */
  luck_points?: Record<string, number>;
  items: string[];
  /** How many redraws after unclaimed prizes to compute (0–3). */
  redraws: number;
}

export interface VectorWord {
  i: number;
  /** The UTF-8 HMAC message. */
  message: string;
  /** The whole HMAC-SHA256, hex. */
  hmac_sha256: string;
  /** Its first 6 bytes, hex: the word. */
  word_hex: string;
  /** The word in decimal. */
  word: string;
  /** word < limit. */
  accepted: boolean;
}

export interface VectorPick {
  purpose: string;
  /** The ids the pick runs over, in the sorted order. */
  over: string[];
  total: string;
  limit: string;
  /** Every word tried: the rejected ones, then the accepted one. */
  words: VectorWord[];
  x: string;
  /** Position in `over` and id of the pick. */
  index: number;
  id: string;
}

export interface VectorExpected {
  entrants_text: string;
  entrants_sha256: string;
  items_text: string;
  items_sha256: string;
  picks: VectorPick[];
  item_id: string | null;
  winner_user_id: string | null;
  redraw_winner_user_ids: (string | null)[];
}

export interface FairnessVector extends VectorInput {
  expected: VectorExpected;
}

function parseLines(lines: readonly string[]): WeightedEntry[] {
  return lines.map((line) => {
    const match = /^([0-9]+):([0-9]+)$/.exec(line);
    if (!match) throw new RangeError(`not an id:weight line: "${line}"`);
    return { id: match[1] ?? "", weight: Number(match[2]) };
  });
}

async function describeWords(
  randomness: Uint8Array,
  raffle: string,
  slot: string,
  purpose: string,
  result: PickResult,
): Promise<VectorWord[]> {
  const key = await crypto.subtle.importKey(
    "raw",
    new Uint8Array(randomness),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const words: VectorWord[] = [];
  for (let i = 0; i <= result.wordIndex; i += 1) {
    const message = formatWordMessage(raffle, slot, purpose, i);
    const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(message)));
    const word = await computeWord(randomness, raffle, slot, purpose, i);
    words.push({
      i,
      message,
      hmac_sha256: formatHex(mac),
      word_hex: formatHex(mac.subarray(0, 6)),
      word: word.toString(),
      accepted: word < result.limit,
    });
  }
  return words;
}

async function describePick(
  randomness: Uint8Array,
  input: VectorInput,
  purpose: string,
  over: readonly WeightedEntry[],
  result: PickResult | null,
): Promise<VectorPick | null> {
  if (result === null) return null;
  return {
    purpose,
    over: over.map((entry) => entry.id),
    total: result.total.toString(),
    limit: result.limit.toString(),
    words: await describeWords(randomness, input.raffle, input.slot, purpose, result),
    x: result.x.toString(),
    index: result.index,
    id: result.id,
  };
}

/** Computes a vector's expected outputs from its inputs with worker/fairness/livelootV1.ts. */
export async function computeFairnessVector(input: VectorInput): Promise<FairnessVector> {
  const randomness = parseHex(input.randomness);
  if (input.beacon !== null && (await randomnessFromSignature(input.beacon.signature)) !== input.randomness) {
    throw new RangeError(`${input.vector}: randomness is not sha256(signature)`);
  }
  const entrants = parseLines(input.entrants);
  for (const entry of entrants) {
    const points = input.luck_points?.[entry.id];
    if (points !== undefined && entrantWeight(points, true) !== entry.weight) {
      throw new RangeError(
        `${input.vector}: entrant ${entry.id} with ${points} points weighs ${entrantWeight(points, true)}`,
      );
    }
  }
  const draw = { randomness, raffle: input.raffle, slot: input.slot, entrants, items: parseLines(input.items) };
  const decision = await decideDraw(draw);
  const entrantsLines = await hashWeightedLines(draw.entrants);
  const itemsLines = await hashWeightedLines(draw.items);
  const picks: VectorPick[] = [];
  const itemPick = await describePick(randomness, input, itemPurpose, itemsLines.entries, decision.itemPick);
  if (itemPick) picks.push(itemPick);
  const winnerPick = await describePick(randomness, input, winnerPurpose, entrantsLines.entries, decision.winnerPick);
  if (winnerPick) picks.push(winnerPick);
  const earlierWinners = decision.winnerUserId === null ? [] : [decision.winnerUserId];
  const redrawWinners: (string | null)[] = [];
  for (let n = 1; n <= input.redraws && earlierWinners.length > 0; n += 1) {
    const redraw = await decideRedraw(n, draw, earlierWinners);
    const redrawPick = await describePick(
      randomness,
      input,
      formatRedrawPurpose(n),
      redraw.remainingEntrants,
      redraw.winnerPick,
    );
    if (redrawPick) picks.push(redrawPick);
    redrawWinners.push(redraw.winnerUserId);
    if (redraw.winnerUserId === null) break;
    earlierWinners.push(redraw.winnerUserId);
  }
  return {
    ...input,
    expected: {
      entrants_text: entrantsLines.text,
      entrants_sha256: entrantsLines.sha256,
      items_text: itemsLines.text,
      items_sha256: itemsLines.sha256,
      picks,
      item_id: decision.itemId,
      winner_user_id: decision.winnerUserId,
      redraw_winner_user_ids: redrawWinners,
    },
  };
}

/** A real quicknet round, as api.drand.sh serves it (its BLS signature checks under quicknet's key). */
const quicknetRound657413 = {
  round: 657413,
  signature: "b713718a38ae728dfd477991af2822e08d2f305e47718cef9f7848ce4050e7be41076862b98fad56e91a6b85b89cd97b",
};

/** Randomness for the vectors that use no beacon round: sha256 of a label, so anyone can re-derive it. */
function labelRandomness(label: string): Promise<string> {
  return computeSha256Hex(label);
}

const raffle = "p0YkZ3Jd-SxV_9m2aQ1bRw";

/** Searches the label suffix n = 0, 1, … for randomness whose vector has the wanted property. */
async function searchRandomness(
  prefix: string,
  build: (randomness: string) => VectorInput,
  wanted: (vector: FairnessVector) => boolean,
): Promise<VectorInput> {
  for (let n = 0; n < 10_000; n += 1) {
    const input = build(await labelRandomness(`${prefix}/${n}`));
    if (wanted(await computeFairnessVector(input))) return input;
  }
  throw new Error(`no randomness under "${prefix}/…" gives what the vector needs`);
}

/** Whether sorting the lines as strings (the classic mistake) would change the winner. */
function stringOrderChangesWinner(vector: FairnessVector): boolean {
  const entries = parseLines(vector.entrants).sort((first, second) => (first.id < second.id ? -1 : 1));
  const total = entries.reduce((sum, entry) => sum + BigInt(entry.weight), 0n);
  const accepted = vector.expected.picks.find((pick) => pick.purpose === winnerPurpose);
  if (!accepted) return false;
  const x = BigInt(accepted.words.at(-1)?.word ?? "0") % total;
  let runningSum = 0n;
  for (const entry of entries) {
    runningSum += BigInt(entry.weight);
    if (runningSum > x) return entry.id !== vector.expected.winner_user_id;
  }
  return false;
}

/** The inputs of every vector in docs/fairness.md, in order. */
export async function listFairnessVectorInputs(): Promise<VectorInput[]> {
  const readAt = "2023-09-15T11:00:01.250Z";
  if (firstRoundAfter(Date.parse(readAt), quicknet) !== quicknetRound657413.round) {
    throw new Error("the first vector's entrants_read_at does not lead to its round");
  }
  const rejection = await searchRandomness(
    "liveloot/v1 test vector: rejection",
    (randomness) => ({
      vector: "rejection",
      description:
        "Item weights this large cannot occur in a raffle (a loot weight is at most 1,000,000), but they make limit = 2^47 + 1, so about half of all words are ≥ limit and rejected: here the item pick's word 0 is rejected and word 1 decides.",
      raffle,
      slot: "2026-12-07T21:06Z",
      beacon: null,
      randomness,
      entrants: ["41:1", "9:1"],
      items: ["1:70368744177664", "2:70368744177665"],
      redraws: 0,
    }),
    (vector) => (vector.expected.picks[0]?.words.length ?? 0) === 2,
  );
  const integerOrder = await searchRandomness(
    "liveloot/v1 test vector: integer order",
    (randomness) => ({
      vector: "integer-order",
      description:
        'Ids are sorted as integers, not as text: "9" < "10" < "100" < "41000" < "1234567890123456789" (larger than 2^53, so compare as big integers). Sorted as strings, "10" would come first; with this randomness that order would give another winner.',
      raffle,
      slot: "2026-12-07T21:07Z",
      beacon: null,
      randomness,
      entrants: ["1234567890123456789:1", "41000:1", "10:1", "9:1", "100:1"],
      items: ["300:1", "20:1"],
      redraws: 0,
    }),
    stringOrderChangesWinner,
  );
  return [
    {
      vector: "three-entrants-two-items",
      description:
        "A scheduled slot with a real quicknet round: 3 entrants of weight 1 (luck off), 2 items of weights 3 and 1. The entrants were read at 11:00:01.250Z; round 657412 was published at 11:00:00Z, so the first round after the read is 657413 (11:00:03Z).",
      raffle,
      slot: "2023-09-15T11:00Z",
      beacon: { ...quicknetRound657413, entrants_read_at: readAt },
      randomness: await randomnessFromSignature(quicknetRound657413.signature),
      entrants: ["41:1", "9:1", "1234567:1"],
      items: ["12:3", "7:1"],
      redraws: 0,
    },
    {
      vector: "luck-weights",
      description:
        "Luck on: each entrant weighs 100 + min(points, 400), so 0 points weigh 100, 37 weigh 137, 250 weigh 350 and 1200 weigh 500 (the cap).",
      raffle,
      slot: "2026-12-07T21:05Z",
      beacon: null,
      randomness: await labelRandomness("liveloot/v1 test vector: luck"),
      entrants: ["501:100", "502:137", "503:350", "504:500"],
      luck_points: { "501": 0, "502": 37, "503": 250, "504": 1200 },
      items: ["1:10", "2:5", "3:1"],
      redraws: 0,
    },
    rejection,
    {
      vector: "redraws",
      description:
        "The winner did not claim, three times: redraw n picks with purpose winner-redraw-{n} over the slot's entrants without the first winner and the winners of redraws 1 … n − 1. The item is not drawn again.",
      raffle,
      slot: "2026-12-07T21:08Z",
      beacon: null,
      randomness: await labelRandomness("liveloot/v1 test vector: redraws"),
      entrants: ["11:1", "22:1", "33:1", "44:1", "55:1"],
      items: ["5:2", "6:2"],
      redraws: 3,
    },
    {
      vector: "manual-slot",
      description: `A manual draw (/raffle draw): the slot label is "manual-" + the draw's id (16 hex digits), not a minute.`,
      raffle,
      slot: formatManualSlotLabel("9f3c2a71d04be865"),
      beacon: null,
      randomness: await labelRandomness("liveloot/v1 test vector: manual"),
      entrants: ["41:1", "9:1", "1234567:1"],
      items: ["12:3", "7:1"],
      redraws: 0,
    },
    integerOrder,
  ];
}

export async function buildFairnessVectors(): Promise<FairnessVector[]> {
  return Promise.all((await listFairnessVectorInputs()).map(computeFairnessVector));
}

/** The vectors as markdown: a heading and a fenced JSON block each. */
export function formatFairnessVectorsMarkdown(vectors: readonly FairnessVector[]): string {
  return vectors
    .map(
      (vector, index) =>
        `### Vector ${index + 1}: \`${vector.vector}\`\n\n${vector.description}\n\n\`\`\`${vectorFenceInfo}\n${JSON.stringify(vector, null, 2)}\n\`\`\`\n`,
    )
    .join("\n");
}

/** The document with its vector section replaced by `vectors`. */
export function replaceVectorSection(document: string, vectors: readonly FairnessVector[]): string {
  const start = document.indexOf(vectorsStartMarker);
  const end = document.indexOf(vectorsEndMarker);
  if (start < 0 || end < start) throw new Error(`${fairnessDocPath} has no vector markers`);
  return `${document.slice(0, start + vectorsStartMarker.length)}\n\n${formatFairnessVectorsMarkdown(vectors)}\n${document.slice(end)}`;
}

if (isRunAsScript(import.meta.url)) {
  const { values } = parseArgs({ options: { write: { type: "boolean" } } });
  const vectors = await buildFairnessVectors();
  if (values.write) {
    writeFileSync(fairnessDocPath, replaceVectorSection(readFileSync(fairnessDocPath, "utf8"), vectors));
    console.log(`wrote ${vectors.length} vectors into ${fairnessDocPath}`);
  } else {
    process.stdout.write(formatFairnessVectorsMarkdown(vectors));
  }
}
