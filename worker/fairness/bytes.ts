/** Hex and SHA-256 helpers shared by the fairness modules: WebCrypto only, so they run anywhere. */

const hexPattern = /^(?:[0-9a-f]{2})*$/i;

/** Lower-case hex of the bytes. */
export function formatHex(bytes: Uint8Array): string {
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

/** Bytes of an even-length hex string (either case); throws a RangeError on anything else. */
export function parseHex(hex: string): Uint8Array<ArrayBuffer> {
  if (!hexPattern.test(hex)) throw new RangeError(`not an even-length hex string: "${hex.slice(0, 40)}"`);
  const bytes = new Uint8Array(hex.length / 2);
  for (let index = 0; index < bytes.length; index += 1) {
    bytes[index] = Number.parseInt(hex.slice(index * 2, index * 2 + 2), 16);
  }
  return bytes;
}

export function isHex(text: string, byteLength: number): boolean {
  return text.length === byteLength * 2 && hexPattern.test(text);
}

export async function computeSha256(bytes: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array(bytes)));
}

/** Hex SHA-256 of the UTF-8 bytes of `text`. */
export async function computeSha256Hex(text: string): Promise<string> {
  return formatHex(await computeSha256(new TextEncoder().encode(text)));
}
