import { testDiscordPrivateSeedHex } from "../../../devkit/localBindings";

// PKCS#8 wrapping of a raw 32-byte Ed25519 seed: WebCrypto imports private keys only this way.
const pkcs8Prefix = "302e020100300506032b657004220420";

let privateKey: Promise<CryptoKey> | undefined;

function importTestPrivateKey(): Promise<CryptoKey> {
  privateKey ??= crypto.subtle.importKey(
    "pkcs8",
    hexToBytes(pkcs8Prefix + testDiscordPrivateSeedHex),
    { name: "Ed25519" },
    false,
    ["sign"],
  );
  return privateKey;
}

/** Signs `timestamp + body` exactly as Discord does, with the test application's key. */
export async function signBody(body: string, timestamp: string): Promise<string> {
  const signature = await crypto.subtle.sign(
    { name: "Ed25519" },
    await importTestPrivateKey(),
    new TextEncoder().encode(timestamp + body),
  );
  return bytesToHex(new Uint8Array(signature));
}

/** A signed POST /interactions request, as Discord would send it. */
export async function createSignedInteractionRequest(
  payload: unknown,
  options: { timestamp?: number; body?: string } = {},
): Promise<Request> {
  const body = options.body ?? JSON.stringify(payload);
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  return new Request("https://liveloot.test/interactions", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-signature-ed25519": await signBody(body, timestamp),
      "x-signature-timestamp": timestamp,
    },
    body,
  });
}

export function hexToBytes(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length / 2);
  for (let index = 0; index < bytes.length; index += 1) {
    bytes[index] = Number.parseInt(hex.slice(index * 2, index * 2 + 2), 16);
  }
  return bytes;
}

export function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
