import type { Config } from "../env";
import { deriveStateKey } from "./OAuthState";
import { TokenCipher } from "./TokenCipher";

// Key import is costly next to a request; keep one per key for the isolate's lifetime.
const ciphers = new Map<string, Promise<TokenCipher>>();
const stateKeys = new Map<string, Promise<CryptoKey>>();

export function getTokenCipher(
  config: Pick<Config, "tokenEncryptionKey" | "previousTokenEncryptionKey">,
): Promise<TokenCipher> {
  const previous = config.previousTokenEncryptionKey ? [config.previousTokenEncryptionKey] : [];
  const cacheKey = [config.tokenEncryptionKey, ...previous].join("|");
  let cipher = ciphers.get(cacheKey);
  if (!cipher) {
    cipher = TokenCipher.fromBase64Key(config.tokenEncryptionKey, previous);
    ciphers.set(cacheKey, cipher);
  }
  return cipher;
}

export function getStateKey(config: Pick<Config, "tokenEncryptionKey">): Promise<CryptoKey> {
  let key = stateKeys.get(config.tokenEncryptionKey);
  if (!key) {
    key = deriveStateKey(config.tokenEncryptionKey);
    stateKeys.set(config.tokenEncryptionKey, key);
  }
  return key;
}

/** Token purposes bound into the AES-GCM additional data. */
export const tokenPurpose = {
  accessToken: (guildId: string) => `twitch-access:${guildId}`,
  refreshToken: (guildId: string) => `twitch-refresh:${guildId}`,
  interactionToken: (nonce: string) => `discord-interaction:${nonce}`,
};
