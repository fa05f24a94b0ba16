import * as z from "zod/mini";
import { decodeBase64, decodeBase64Url, encodeBase64Url } from "./base64";

/** What a Twitch link request is bound to; carried, signed, through Twitch's redirect. */
export interface OAuthStateClaims {
  guildId: string;
  userId: string;
  channelId: string;
  nonce: string;
  /** The digest of the nonce in the cookie of the browser that opened the link page (BrowserBinding.ts). */
  browserDigest: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

export type StateVerification =
  | { ok: true; claims: OAuthStateClaims }
  | { ok: false; reason: "malformed" | "forged" | "expired" };

/** The signing key is derived from TOKEN_ENCRYPTION_KEY, so no extra secret is needed. */
export async function deriveStateKey(base64Key: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey("raw", decodeBase64(base64Key), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    {
      name: "HKDF",
      hash: "SHA-256",
      salt: new TextEncoder().encode("liveloot"),
      info: new TextEncoder().encode("twitch-oauth-state-v1"),
    },
    material,
    { name: "HMAC", hash: "SHA-256", length: 256 },
    false,
    ["sign", "verify"],
  );
}

/** `base64url(json).base64url(hmac)`: compact enough for a URL, opaque to Twitch. */
export async function signState(claims: OAuthStateClaims, key: CryptoKey): Promise<string> {
  const payload = encodeBase64Url(new TextEncoder().encode(JSON.stringify(claims)));
  const signature = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(payload));
  return `${payload}.${encodeBase64Url(new Uint8Array(signature))}`;
}

export async function verifyState(state: string, key: CryptoKey, nowMilliseconds: number): Promise<StateVerification> {
  const [payload, signature, ...rest] = state.split(".");
  if (!payload || !signature || rest.length > 0) return { ok: false, reason: "malformed" };
  let signatureBytes: Uint8Array<ArrayBuffer>;
  try {
    signatureBytes = decodeBase64Url(signature);
  } catch {
    return { ok: false, reason: "malformed" };
  }
  // crypto.subtle.verify compares in constant time.
  const valid = await crypto.subtle.verify("HMAC", key, signatureBytes, new TextEncoder().encode(payload));
  if (!valid) return { ok: false, reason: "forged" };
  const claims = parseClaims(payload);
  if (!claims) return { ok: false, reason: "malformed" };
  if (claims.expiresAt <= nowMilliseconds) return { ok: false, reason: "expired" };
  return { ok: true, claims };
}

const claimsSchema = z.object({
  guildId: z.string(),
  userId: z.string(),
  channelId: z.string(),
  nonce: z.string(),
  browserDigest: z.string(),
  expiresAt: z.number(),
});

function parseClaims(payload: string): OAuthStateClaims | undefined {
  try {
    const parsed = claimsSchema.safeParse(JSON.parse(new TextDecoder().decode(decodeBase64Url(payload))));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
