/** A `result` as the Upstash REST API writes it in JSON. */
export type UpstashValue = string | number | null | UpstashValue[];

/** `base64` when the request carried `Upstash-Encoding: base64`, else `text` (UTF-8). */
export type UpstashEncoding = "base64" | "text";

const okReply = Buffer.from("OK");

/**
 * Turns a binary-safe ioredis reply (`callBuffer`: bulk and status strings as Buffers, integers
 * as numbers, nil as null) into the JSON value Upstash answers. In base64 mode every string is
 * base64 except a top-level "OK": `@upstash/redis` keeps a top-level "OK" as is but base64-decodes
 * every string nested in an array, so a nested "OK" must be encoded like any other string.
 */
export function encodeUpstashResult(reply: unknown, encoding: UpstashEncoding): UpstashValue {
  return encodeReply(reply, encoding, true);
}

function encodeReply(reply: unknown, encoding: UpstashEncoding, isTopLevel: boolean): UpstashValue {
  if (reply === null || reply === undefined) return null;
  if (typeof reply === "number") return reply;
  if (typeof reply === "string") return encodeBytes(Buffer.from(reply), encoding, isTopLevel);
  if (Buffer.isBuffer(reply)) return encodeBytes(reply, encoding, isTopLevel);
  if (Array.isArray(reply)) return reply.map((element) => encodeReply(element, encoding, false));
  // An error nested in an array reply (a Lua script can return one) travels as its message.
  if (reply instanceof Error) return encodeBytes(Buffer.from(reply.message), encoding, isTopLevel);
  throw new TypeError(`Unexpected Redis reply of type ${typeof reply}`);
}

function encodeBytes(bytes: Buffer, encoding: UpstashEncoding, isTopLevel: boolean): string {
  if (encoding === "text") return bytes.toString("utf8");
  if (isTopLevel && bytes.equals(okReply)) return "OK";
  return bytes.toString("base64");
}
