import { decodeBase64, encodeBase64 } from "./base64";

/** A sealed secret as stored: which key sealed it, and `iv || ciphertext+tag`, base64. */
export interface SealedSecret {
  keyId: string;
  ciphertext: string;
}

/**
 * A sealed value that cannot be opened: its key is no longer configured (removed after a
 * rotation), or the stored bytes do not authenticate under it. Retrying will not help.
 */
export class UnreadableSecretError extends Error {
  constructor(
    readonly keyId: string,
    message: string,
  ) {
    super(message);
    this.name = "UnreadableSecretError";
  }
}

export class UnknownKeyError extends UnreadableSecretError {
  constructor(keyId: string) {
    super(keyId, `secret was sealed with key ${keyId}, which is not configured`);
    this.name = "UnknownKeyError";
  }
}

interface NamedKey {
  keyId: string;
  key: CryptoKey;
}

/**
 * AES-256-GCM for Twitch tokens (and interaction tokens) at rest. Each value gets a fresh
 * 96-bit IV. The key id is a short hash of the key, stored beside each value: values sealed
 * with a previous key (TOKEN_ENCRYPTION_KEY_PREVIOUS, during a rotation) still open, and new
 * values are always sealed with the current key. `purpose` is bound as additional data: a value
 * sealed as one guild's refresh token cannot be replayed as another row's.
 */
export class TokenCipher {
  private constructor(
    private readonly current: NamedKey,
    private readonly previous: NamedKey[],
  ) {}

  get keyId(): string {
    return this.current.keyId;
  }

  /**
   * The id of TOKEN_ENCRYPTION_KEY_PREVIOUS while a rotation is under way (values it sealed are
   * re-sealed by the tick); undefined when none is set, or when it is the current key again.
   */
  get previousKeyId(): string | undefined {
    const previous = this.previous[0]?.keyId;
    return previous === this.current.keyId ? undefined : previous;
  }

  static async fromBase64Key(base64Key: string, previousBase64Keys: string[] = []): Promise<TokenCipher> {
    const previous = await Promise.all(previousBase64Keys.map(importNamedKey));
    return new TokenCipher(await importNamedKey(base64Key), previous);
  }

  async seal(plaintext: string, purpose: string): Promise<SealedSecret> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const encrypted = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(purpose) },
      this.current.key,
      new TextEncoder().encode(plaintext),
    );
    const combined = new Uint8Array(iv.length + encrypted.byteLength);
    combined.set(iv);
    combined.set(new Uint8Array(encrypted), iv.length);
    return { keyId: this.current.keyId, ciphertext: encodeBase64(combined) };
  }

  async open(sealed: SealedSecret, purpose: string): Promise<string> {
    const named = [this.current, ...this.previous].find((entry) => entry.keyId === sealed.keyId);
    if (!named) throw new UnknownKeyError(sealed.keyId);
    let decrypted: ArrayBuffer;
    try {
      const combined = decodeBase64(sealed.ciphertext);
      decrypted = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: combined.slice(0, 12), additionalData: new TextEncoder().encode(purpose) },
        named.key,
        combined.slice(12),
      );
    } catch {
      // GCM's tag check failed (altered bytes, or sealed for another purpose): no detail to add.
      throw new UnreadableSecretError(sealed.keyId, `secret sealed with key ${sealed.keyId} does not open`);
    }
    return new TextDecoder().decode(decrypted);
  }
}

async function importNamedKey(base64Key: string): Promise<NamedKey> {
  const keyBytes = decodeBase64(base64Key);
  if (keyBytes.length !== 32) throw new Error("an encryption key must be 32 bytes");
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", keyBytes));
  const keyId = `k-${Array.from(digest.slice(0, 4), (byte) => byte.toString(16).padStart(2, "0")).join("")}`;
  const key = await crypto.subtle.importKey("raw", keyBytes, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
  return { keyId, key };
}
