import type { LootEntry } from "../domain/types";

/** The most rows one file may hold (SPEC: `/loot import` file, ≤ 500 rows). */
export const maximumFileRows = 500;

/** Why a row was refused; the reply names the row and says which rule it broke. */
export type LootFileRowProblem = "columns" | "notObject" | "name" | "weight" | "stock" | "duplicate";

/** Why the file as a whole was refused. */
export type LootFileProblem = "empty" | "tooManyRows" | "header" | "unclosedQuote" | "notJson";

export type LootFileResult =
  | { ok: true; items: LootEntry[] }
  | { ok: false; problem: LootFileProblem; rows?: number }
  | { ok: false; problem: LootFileRowProblem; row: number; firstRow?: number };

export type LootFileFormat = "csv" | "json";

/**
 * A cell that a spreadsheet would run as a formula starts with = + - or @ (OWASP "CSV
 * injection"). Export writes such a name with one leading `'`, which spreadsheets show as text;
 * CSV import takes exactly one `'` off a name that starts with `'` and then one of those characters.
 * A name that itself starts with `'=` is written `''=` so that it reads back as itself.
 */
const formulaName = /^'*[=+\-@]/;
const escapedFormulaName = /^'+[=+\-@]/;

/** The loot table as CSV (RFC 4180, CRLF): `name,weight,stock`, an empty stock meaning unlimited. */
export function formatLootCsv(items: LootEntry[]): string {
  const lines = ["name,weight,stock"];
  for (const item of items) {
    const name = formulaName.test(item.name) ? `'${item.name}` : item.name;
    lines.push([quoteCsvCell(name), String(item.weight), item.stock === null ? "" : String(item.stock)].join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}

function quoteCsvCell(cell: string): string {
  return /[",\r\n]/.test(cell) || cell !== cell.trim() ? `"${cell.replaceAll('"', '""')}"` : cell;
}

/**
 * Reads a loot file: CSV with a `name,weight,stock` header (columns in any order; `stock` may be
 * left out) or a JSON array of `{name, weight, stock}`. Rows are counted from the first item, the
 * header not counted. Every row is checked here, duplicates included, so the reply can name the
 * row; insert_items checks the whole batch again and saves all of it or nothing.
 */
export function parseLootFile(text: string, format: LootFileFormat): LootFileResult {
  const content = text.replace(/^\uFEFF/, "");
  const rows = format === "json" ? readJsonRows(content) : readCsvRows(content);
  if (!rows.ok) return rows;
  if (rows.rows.length === 0) return { ok: false, problem: "empty" };
  if (rows.rows.length > maximumFileRows) return { ok: false, problem: "tooManyRows", rows: rows.rows.length };
  const items: LootEntry[] = [];
  const rowsByName = new Map<string, number>();
  for (const [index, row] of rows.rows.entries()) {
    const number = index + 1;
    const checked = checkRow(row);
    if (!checked.ok) return { ok: false, problem: checked.problem, row: number };
    const key = checked.item.name.toLowerCase();
    const firstRow = rowsByName.get(key);
    if (firstRow !== undefined) return { ok: false, problem: "duplicate", row: number, firstRow };
    rowsByName.set(key, number);
    items.push(checked.item);
  }
  return { ok: true, items };
}

/** A row before its values are checked: CSV cells as text, JSON values as given. */
type RawRow = { name: unknown; weight: unknown; stock: unknown } | "columns" | "notObject";

function checkRow(row: RawRow): { ok: true; item: LootEntry } | { ok: false; problem: LootFileRowProblem } {
  if (row === "columns" || row === "notObject") return { ok: false, problem: row };
  if (typeof row.name !== "string") return { ok: false, problem: "name" };
  const name = row.name.trim();
  if (name.length < 1 || name.length > 100) return { ok: false, problem: "name" };
  const weight = readWholeNumber(row.weight);
  if (weight === undefined || weight < 1 || weight > 1_000_000) return { ok: false, problem: "weight" };
  if (row.stock === null || row.stock === undefined || (typeof row.stock === "string" && row.stock.trim() === ""))
    return { ok: true, item: { name, weight, stock: null } };
  // Zero is sold out: a table exported after some items ran out must import as it was.
  const stock = readWholeNumber(row.stock);
  if (stock === undefined || stock < 0 || stock > 2_147_483_647) return { ok: false, problem: "stock" };
  return { ok: true, item: { name, weight, stock } };
}

function readWholeNumber(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value !== "string" || !/^\s*\d{1,16}\s*$/.test(value)) return undefined;
  return Number(value);
}

type Rows = { ok: true; rows: RawRow[] } | { ok: false; problem: LootFileProblem };

function readJsonRows(text: string): Rows {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problem: "notJson" };
  }
  if (!Array.isArray(value)) return { ok: false, problem: "notJson" };
  return {
    ok: true,
    rows: value.map((entry: unknown): RawRow => {
      if (typeof entry !== "object" || entry === null || Array.isArray(entry)) return "notObject";
      const fields = new Map(Object.entries(entry));
      return { name: fields.get("name"), weight: fields.get("weight"), stock: fields.get("stock") };
    }),
  };
}

const csvColumns = ["name", "weight", "stock"] as const;

function readCsvRows(text: string): Rows {
  const records = splitCsvRecords(text);
  if (records === undefined) return { ok: false, problem: "unclosedQuote" };
  const [header, ...data] = records.filter((record) => record.some((cell) => cell.trim() !== ""));
  if (header === undefined) return { ok: false, problem: "empty" };
  const columns = header.map((cell) => cell.trim().toLowerCase());
  const known = new Set<string>(csvColumns);
  const valid =
    columns.includes("name") &&
    columns.includes("weight") &&
    columns.every((column) => known.has(column)) &&
    new Set(columns).size === columns.length;
  if (!valid) return { ok: false, problem: "header" };
  return {
    ok: true,
    rows: data.map((record): RawRow => {
      if (record.length !== columns.length) return "columns";
      const cell = (column: string) => record[columns.indexOf(column)];
      const name = cell("name")?.trim();
      // Only CSV carries the spreadsheet escape: JSON names are read as they are.
      return {
        name: name !== undefined && escapedFormulaName.test(name) ? name.slice(1) : name,
        weight: cell("weight"),
        stock: cell("stock"),
      };
    }),
  };
}

/** RFC 4180 records: quoted cells may hold commas, `""` and line breaks; CRLF or LF ends a record. */
function splitCsvRecords(text: string): string[][] | undefined {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = "";
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const character = text[index];
    if (quoted) {
      if (character !== '"') cell += character;
      else if (text[index + 1] === '"') {
        cell += '"';
        index++;
      } else quoted = false;
    } else if (character === '"' && cell.trim() === "") {
      cell = "";
      quoted = true;
    } else if (character === ",") {
      record.push(cell);
      cell = "";
    } else if (character === "\n" || character === "\r") {
      if (character === "\r" && text[index + 1] === "\n") index++;
      record.push(cell);
      records.push(record);
      record = [];
      cell = "";
    } else cell += character;
  }
  if (quoted) return undefined;
  if (cell !== "" || record.length > 0) {
    record.push(cell);
    records.push(record);
  }
  return records;
}
