import type { AppContext } from "../context";
import {
  listCodesSealedWith,
  listLinksSealedWith,
  listOverlayTokensSealedWith,
  listStatesSealedWith,
  postponeUnreadable,
  storeResealedCodes,
  storeResealedLinks,
  storeResealedOverlayTokens,
  storeResealedStates,
} from "../db/sealedSecrets";
import { describeError } from "../log";
import { overlayTokenPurpose } from "../overlay/overlayLinks";
import { getTokenCipher, tokenPurpose } from "../security/keys";
import { type SealedSecret, type TokenCipher, UnreadableSecretError } from "../security/TokenCipher";
import { digestLootCode, lootCodePurpose } from "./lootCodes";

/** Values of each kind (prize codes, Twitch links, pending link states) one tick re-seals at most. */
export const maximumResealsPerTick = 100;

/** What one tick's re-seal did. */
export interface ResealSummary {
  codes: number;
  tokens: number;
  /** Values sealed with the previous key that did not open under it (logged, left as they are). */
  unreadable: number;
}

/**
 * The key rotation's tick step: while TOKEN_ENCRYPTION_KEY_PREVIOUS is set, up to
 * `maximumResealsPerTick` prize codes, Twitch links, overlay links and pending link states still sealed with it
 * are opened and sealed again with TOKEN_ENCRYPTION_KEY (same additional data), a code's duplicate
 * digest recomputed under the new key. Each kind is stored in one compare-and-set update, so an
 * overlapping tick, a refresh or a claim changes nothing it should not. Without a previous key it
 * sends no query. A failure is logged and left to the next tick: it never stops the tick.
 */
export async function resealSecrets(app: AppContext): Promise<ResealSummary> {
  const summary: ResealSummary = { codes: 0, tokens: 0, unreadable: 0 };
  const cipher = await getTokenCipher(app.config);
  const previousKeyId = cipher.previousKeyId;
  if (previousKeyId === undefined) return summary;
  const unreadable = { codeIds: [] as string[], guildIds: [] as string[], overlayGuildIds: [] as string[] };
  // Each kind on its own: one failing (Postgres gone, a row changed meanwhile) never holds up the others.
  const steps = [
    ["codes", () => resealCodes(app, cipher, previousKeyId, summary, unreadable)],
    ["links", () => resealLinks(app, cipher, previousKeyId, summary, unreadable)],
    ["states", () => resealStates(app, cipher, previousKeyId, summary)],
    ["overlays", () => resealOverlayTokens(app, cipher, previousKeyId, summary, unreadable)],
    ["postpone", () => postponeUnreadable(app.database, unreadable)],
  ] as const;
  for (const [step, run] of steps) {
    try {
      await run();
    } catch (error) {
      app.log.error("re-sealing with the current key failed; the next tick tries again", {
        step,
        error: describeError(error),
        previousKeyId,
      });
    }
  }
  if (summary.codes + summary.tokens + summary.unreadable > 0)
    app.log.info("re-sealed values with the current key", { previousKeyId, keyId: cipher.keyId, ...summary });
  return summary;
}

/** Opens with the previous key; undefined (logged once, by id, never the value) when it does not open. */
async function openOrReport(
  app: AppContext,
  cipher: TokenCipher,
  sealed: SealedSecret,
  purpose: string,
  context: Record<string, string>,
): Promise<string | undefined> {
  try {
    return await cipher.open(sealed, purpose);
  } catch (error) {
    if (!(error instanceof UnreadableSecretError)) throw error;
    app.log.error("a value sealed with the previous key does not open; it cannot be re-sealed", {
      ...context,
      keyId: error.keyId,
    });
    return undefined;
  }
}

async function resealCodes(
  app: AppContext,
  cipher: TokenCipher,
  previousKeyId: string,
  summary: ResealSummary,
  unreadable: { codeIds: string[] },
): Promise<void> {
  const codes = await listCodesSealedWith(app.database, previousKeyId, maximumResealsPerTick);
  const resealed = [];
  for (const code of codes) {
    const purpose = lootCodePurpose(code.itemId, code.sealId);
    const plaintext = await openOrReport(app, cipher, { keyId: previousKeyId, ciphertext: code.ciphertext }, purpose, {
      guildId: code.guildId,
      lootCodeId: code.id,
    });
    if (plaintext === undefined) {
      unreadable.codeIds.push(code.id);
      continue;
    }
    const [sealed, digest] = await Promise.all([
      cipher.seal(plaintext, purpose),
      digestLootCode(app.config.tokenEncryptionKey, code.guildId, plaintext),
    ]);
    resealed.push({ id: code.id, previousCiphertext: code.ciphertext, ciphertext: sealed.ciphertext, digest });
  }
  summary.unreadable += unreadable.codeIds.length;
  const stored = await storeResealedCodes(app.database, cipher.keyId, resealed);
  summary.codes += stored.stored;
  if (stored.duplicateIds.length > 0)
    app.log.warn("prize codes stored twice in a server before duplicates survived rotation; kept as they were", {
      lootCodeIds: stored.duplicateIds.join(","),
    });
}

async function resealLinks(
  app: AppContext,
  cipher: TokenCipher,
  previousKeyId: string,
  summary: ResealSummary,
  unreadable: { guildIds: string[] },
): Promise<void> {
  const links = await listLinksSealedWith(app.database, previousKeyId, maximumResealsPerTick);
  const resealed = [];
  for (const link of links) {
    const context = { guildId: link.guildId };
    const accessToken = await openOrReport(
      app,
      cipher,
      { keyId: previousKeyId, ciphertext: link.accessToken },
      tokenPurpose.accessToken(link.guildId),
      context,
    );
    const refreshToken = await openOrReport(
      app,
      cipher,
      { keyId: previousKeyId, ciphertext: link.refreshToken },
      tokenPurpose.refreshToken(link.guildId),
      context,
    );
    if (accessToken === undefined || refreshToken === undefined) {
      unreadable.guildIds.push(link.guildId);
      continue;
    }
    resealed.push({
      previous: link,
      accessToken: (await cipher.seal(accessToken, tokenPurpose.accessToken(link.guildId))).ciphertext,
      refreshToken: (await cipher.seal(refreshToken, tokenPurpose.refreshToken(link.guildId))).ciphertext,
    });
  }
  summary.unreadable += unreadable.guildIds.length;
  summary.tokens += 2 * (await storeResealedLinks(app.database, cipher.keyId, resealed, Date.now()));
}

async function resealStates(
  app: AppContext,
  cipher: TokenCipher,
  previousKeyId: string,
  summary: ResealSummary,
): Promise<void> {
  const states = await listStatesSealedWith(app.database, previousKeyId, maximumResealsPerTick, app.now());
  const resealed = [];
  for (const state of states) {
    const purpose = tokenPurpose.interactionToken(state.nonce);
    const plaintext = await openOrReport(app, cipher, { keyId: previousKeyId, ciphertext: state.ciphertext }, purpose, {
      oauthState: "pending Twitch link",
    });
    // An unreadable one expires within the hour (deleteExpiredOAuthStates); nothing to postpone.
    if (plaintext === undefined) {
      summary.unreadable += 1;
      continue;
    }
    resealed.push({ previous: state, ciphertext: (await cipher.seal(plaintext, purpose)).ciphertext });
  }
  summary.tokens += await storeResealedStates(app.database, cipher.keyId, resealed);
}

async function resealOverlayTokens(
  app: AppContext,
  cipher: TokenCipher,
  previousKeyId: string,
  summary: ResealSummary,
  unreadable: { overlayGuildIds: string[] },
): Promise<void> {
  const tokens = await listOverlayTokensSealedWith(app.database, previousKeyId, maximumResealsPerTick);
  const resealed = [];
  for (const token of tokens) {
    const purpose = overlayTokenPurpose(token.guildId);
    const plaintext = await openOrReport(app, cipher, { keyId: previousKeyId, ciphertext: token.ciphertext }, purpose, {
      guildId: token.guildId,
      overlayToken: "overlay link",
    });
    if (plaintext === undefined) {
      unreadable.overlayGuildIds.push(token.guildId);
      continue;
    }
    resealed.push({ previous: token, ciphertext: (await cipher.seal(plaintext, purpose)).ciphertext });
  }
  summary.unreadable += unreadable.overlayGuildIds.length;
  summary.tokens += await storeResealedOverlayTokens(app.database, cipher.keyId, resealed);
}
