/**
 * The wire shape of `/r/{raffle}.json` (docs/fairness.md, "The record"), snake_case as published,
 * and a small dependency-free parser: the verifier reads it from outside, so nothing is cast.
 */

/** `[id, name, weight]`: `[user_id, login, weight]` for entrants, `[item_id, name, weight]` for items. */
export type WeightedRecordLine = [id: string, name: string, weight: number];

export interface RedrawRecordJson {
  n: number;
  winner_user_id: string | null;
}

export interface DrawRecordJson {
  /** The `{slot}` of the word messages: `YYYY-MM-DDTHH:MMZ` or `manual-{drawId}`. */
  slot: string;
  draw_number: number;
  /** Null when the beacon could not be reached: the draw is not publicly verifiable. */
  round: number | null;
  signature: string | null;
  randomness: string;
  entrants_read_at: string;
  entrants: WeightedRecordLine[];
  entrants_sha256: string;
  items: WeightedRecordLine[];
  items_sha256: string;
  item_id: string | null;
  winner_user_id: string | null;
  redraws: RedrawRecordJson[];
}

export interface RaffleRecordJson {
  raffle: string;
  algorithm: string;
  chain_hash: string;
  draws: DrawRecordJson[];
}

/** The JSON does not have the published shape; `path` says where (`draws[2].entrants[0][2]`). */
export class RaffleRecordFormatError extends Error {
  readonly path: string;

  constructor(path: string, problem: string) {
    super(`${path}: ${problem}`);
    this.name = "RaffleRecordFormatError";
    this.path = path;
  }
}

type Fields = Record<string, unknown>;

function readObject(value: unknown, path: string): Fields {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new RaffleRecordFormatError(path, "expected an object");
  }
  return value as Fields;
}

function readArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new RaffleRecordFormatError(path, "expected an array");
  return value;
}

function readString(fields: Fields, name: string, path: string): string {
  const value = fields[name];
  if (typeof value !== "string") throw new RaffleRecordFormatError(`${path}.${name}`, "expected a string");
  return value;
}

function readNullableString(fields: Fields, name: string, path: string): string | null {
  return fields[name] === null ? null : readString(fields, name, path);
}

function readInteger(value: unknown, path: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw new RaffleRecordFormatError(path, "expected an integer");
  }
  return value;
}

/** Ids are decimal strings; a JSON number that is a safe integer is read as its decimal text. */
function readId(value: unknown, path: string): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return String(value);
  throw new RaffleRecordFormatError(path, "expected an id (a string of decimal digits)");
}

function readNullableId(fields: Fields, name: string, path: string): string | null {
  const value = fields[name];
  return value === null ? null : readId(value, `${path}.${name}`);
}

function readLines(value: unknown, path: string): WeightedRecordLine[] {
  return readArray(value, path).map((line, index) => {
    const linePath = `${path}[${index}]`;
    const parts = readArray(line, linePath);
    if (parts.length !== 3) throw new RaffleRecordFormatError(linePath, "expected [id, name, weight]");
    const name = parts[1];
    if (typeof name !== "string") throw new RaffleRecordFormatError(`${linePath}[1]`, "expected a string");
    return [readId(parts[0], `${linePath}[0]`), name, readInteger(parts[2], `${linePath}[2]`)];
  });
}

/** One draw of `draws[]`; fields the verifier does not need (display names, times) are ignored. */
export function parseDrawRecord(value: unknown, path = "draw"): DrawRecordJson {
  const fields = readObject(value, path);
  const round = fields.round === null ? null : readInteger(fields.round, `${path}.round`);
  return {
    slot: readString(fields, "slot", path),
    draw_number: readInteger(fields.draw_number, `${path}.draw_number`),
    round,
    signature: readNullableString(fields, "signature", path),
    randomness: readString(fields, "randomness", path),
    entrants_read_at: readString(fields, "entrants_read_at", path),
    entrants: readLines(fields.entrants, `${path}.entrants`),
    entrants_sha256: readString(fields, "entrants_sha256", path),
    items: readLines(fields.items, `${path}.items`),
    items_sha256: readString(fields, "items_sha256", path),
    item_id: readNullableId(fields, "item_id", path),
    winner_user_id: readNullableId(fields, "winner_user_id", path),
    redraws: readArray(fields.redraws, `${path}.redraws`).map((redraw, index) => {
      const redrawPath = `${path}.redraws[${index}]`;
      const redrawFields = readObject(redraw, redrawPath);
      return {
        n: readInteger(redrawFields.n, `${redrawPath}.n`),
        winner_user_id: readNullableId(redrawFields, "winner_user_id", redrawPath),
      };
    }),
  };
}

/** The whole `/r/{raffle}.json` document. */
export function parseRaffleRecord(value: unknown): RaffleRecordJson {
  const fields = readObject(value, "record");
  return {
    raffle: readString(fields, "raffle", "record"),
    algorithm: readString(fields, "algorithm", "record"),
    chain_hash: readString(fields, "chain_hash", "record"),
    draws: readArray(fields.draws, "record.draws").map((draw, index) => parseDrawRecord(draw, `draws[${index}]`)),
  };
}
