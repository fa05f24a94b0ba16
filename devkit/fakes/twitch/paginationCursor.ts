import { FakeHttpError } from "../shared/FakeHttpError";
import { createHelixError } from "./twitchErrors";

/** An opaque cursor shaped like Twitch's (`eyJiIjpudWxsLCJhIjp7Ik9mZnNldCI6NX19` = `{"b":null,"a":{"Offset":5}}`). */
export function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ b: null, a: { Offset: offset } })).toString("base64url");
}

export function decodeCursor(cursor: string | null): number {
  if (cursor === null || cursor === "") return 0;
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (typeof decoded === "object" && decoded !== null && "a" in decoded) {
      const after = decoded.a;
      if (
        typeof after === "object" &&
        after !== null &&
        "Offset" in after &&
        typeof after.Offset === "number" &&
        after.Offset >= 0
      ) {
        return after.Offset;
      }
    }
  } catch {
    // falls through to the 400 below
  }
  throw new FakeHttpError(createHelixError(400, 'Invalid value for parameter "after"'));
}

export interface Page<Item> {
  items: Item[];
  /** `{}` on the last page, like Twitch. */
  pagination: { cursor?: string };
}

export function readPage<Item>(items: readonly Item[], after: string | null, first: number): Page<Item> {
  const offset = decodeCursor(after);
  const slice = items.slice(offset, offset + first);
  const nextOffset = offset + slice.length;
  return { items: slice, pagination: nextOffset < items.length ? { cursor: encodeCursor(nextOffset) } : {} };
}

/** Reads `first` as Twitch does: an integer within [1, maximum], the default when absent, 400 otherwise. */
export function readFirst(value: string | null, defaultValue: number, maximum: number): number {
  if (value === null) return defaultValue;
  const first = Number(value);
  if (!Number.isInteger(first) || first < 1 || first > maximum) {
    throw new FakeHttpError(
      createHelixError(400, `The parameter "first" was malformed: the value must be between 1 and ${maximum}`),
    );
  }
  return first;
}
