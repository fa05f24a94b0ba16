import type { Config } from "../../env";
import { decodeBase64, decodeBase64Url, encodeBase64Url } from "../../security/base64";

/** What a claim sign-in's `state` binds: the claim, the single-use nonce, and when it expires. */
export interface ClaimStateClaims {
  claimPublicId: string;
  nonce: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

export type ClaimStateVerification =
  | { ok: true; claims: ClaimStateClaims }
  | { ok: false; reason: "malformed" | "forged" | "expired" };

const idPattern = /^[A-Za-z0-9_-]{16,64}$/;
const keys = new Map<string, Promise<CryptoKey>>();

/**
 * An HMAC key of its own, derived from TOKEN_ENCRYPTION_KEY like the link state's (security/OAuthState.ts)
 * but with another HKDF label: a streamer link's state never verifies as a claim's, nor the reverse.
 */
function readClaimStateKey(config: Pick<Config, "tokenEncryptionKey">): Promise<CryptoKey> {
  let key = keys.get(config.tokenEncryptionKey);
  if (!key) {
    key = crypto.subtle
      .importKey("raw", decodeBase64(config.tokenEncryptionKey), "HKDF", false, ["deriveKey"])
      .then((material) =>
        crypto.subtle.deriveKey(
          {
            name: "HKDF",
            hash: "SHA-256",
            salt: new TextEncoder().encode("liveloot"),
            info: new TextEncoder().encode("twitch-claim-state-v1"),
          },
          material,
          { name: "HMAC", hash: "SHA-256", length: 256 },
          false,
          ["sign", "verify"],
        ),
      );
    keys.set(config.tokenEncryptionKey, key);
  }
  return key;
}

/** `{claim}.{nonce}.{expiry in base 36}.{hmac}`: about 100 characters, opaque to Twitch. */
export async function signClaimState(
  config: Pick<Config, "tokenEncryptionKey">,
  claims: ClaimStateClaims,
): Promise<string> {
  const payload = `${claims.claimPublicId}.${claims.nonce}.${claims.expiresAt.toString(36)}`;
  const signature = await crypto.subtle.sign(
    "HMAC",
    await readClaimStateKey(config),
    new TextEncoder().encode(payload),
  );
  return `${payload}.${encodeBase64Url(new Uint8Array(signature))}`;
}

export async function verifyClaimState(
  config: Pick<Config, "tokenEncryptionKey">,
  state: string,
  now: number,
): Promise<ClaimStateVerification> {
  const parts = state.split(".");
  const [claimPublicId = "", nonce = "", expiry = "", signature = ""] = parts;
  if (
    parts.length !== 4 ||
    !idPattern.test(claimPublicId) ||
    !idPattern.test(nonce) ||
    !/^[0-9a-z]{1,12}$/.test(expiry)
  )
    return { ok: false, reason: "malformed" };
  let signatureBytes: Uint8Array<ArrayBuffer>;
  try {
    signatureBytes = decodeBase64Url(signature);
  } catch {
    return { ok: false, reason: "malformed" };
  }
  // crypto.subtle.verify compares in constant time.
  const valid = await crypto.subtle.verify(
    "HMAC",
    await readClaimStateKey(config),
    signatureBytes,
    new TextEncoder().encode(`${claimPublicId}.${nonce}.${expiry}`),
  );
  if (!valid) return { ok: false, reason: "forged" };
  const expiresAt = Number.parseInt(expiry, 36);
  if (expiresAt <= now) return { ok: false, reason: "expired" };
  return { ok: true, claims: { claimPublicId, nonce, expiresAt } };
}
