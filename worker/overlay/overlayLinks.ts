import type { Queryable } from "../db/Database";
import type { Config } from "../env";
import { computeSha256Hex } from "../fairness/bytes";
import type { Logger } from "../log";
import { encodeBase64Url } from "../security/base64";
import { getTokenCipher } from "../security/keys";
import { UnreadableSecretError } from "../security/TokenCipher";

/** 32 random bytes, base64url: 256 bits (SPEC: at least 128), 43 URL-safe characters. */
const tokenByteLength = 32;
export const overlayTokenPattern = /^[A-Za-z0-9_-]{43}$/;

/** The AES-GCM additional data of a server's sealed overlay token: it opens for that server only. */
export const overlayTokenPurpose = (guildId: string) => `overlay-token:${guildId}`;

/** A server's overlay link: the secret of `/overlay/{token}` and its digest, the only thing looked up. */
export interface OverlayLink {
  token: string;
  digest: string;
  /** True when this call made it (the first `/overlay`, or `new_link:true`). */
  created: boolean;
}

/** Hex SHA-256 of the token: what overlay_links is searched by, so a lookup never needs the secret. */
export async function digestOverlayToken(token: string): Promise<string> {
  return computeSha256Hex(token);
}

/**
 * The server's overlay link, the same one each time; a new one when `replace` is set (the old
 * digest is overwritten in the same statement, so the old URL answers 404 at once) or when the
 * sealed token no longer opens (its key was retired).
 */
export async function obtainOverlayLink(
  database: Queryable,
  config: Pick<Config, "tokenEncryptionKey" | "previousTokenEncryptionKey">,
  log: Logger,
  guildId: string,
  replace: boolean,
): Promise<OverlayLink> {
  const cipher = await getTokenCipher(config);
  // A sealed token that no longer opens is replaced, not looked up again (that would loop forever).
  let overwrite = replace;
  if (!replace) {
    const rows = await database.query<{ token_ciphertext: string; token_key_id: string; token_digest: string }>(
      "select token_ciphertext, token_key_id, token_digest from overlay_links where guild_id = $1",
      [guildId],
    );
    const row = rows[0];
    if (row) {
      try {
        const token = await cipher.open(
          { keyId: row.token_key_id, ciphertext: row.token_ciphertext },
          overlayTokenPurpose(guildId),
        );
        return { token, digest: row.token_digest, created: false };
      } catch (error) {
        if (!(error instanceof UnreadableSecretError)) throw error;
        log.warn("overlay token no longer opens; making a new link", { guildId, error });
        overwrite = true;
      }
    }
  }
  const token = encodeBase64Url(crypto.getRandomValues(new Uint8Array(tokenByteLength)));
  const digest = await digestOverlayToken(token);
  const sealed = await cipher.seal(token, overlayTokenPurpose(guildId));
  // Two first `/overlay` at once: the second finds the first's link and shows that one.
  const written = await database.query<{ guild_id: string }>(
    `insert into overlay_links (guild_id, token_digest, token_ciphertext, token_key_id)
     values ($1, $2, $3, $4)
     on conflict (guild_id) do update
       set token_digest = excluded.token_digest, token_ciphertext = excluded.token_ciphertext,
           token_key_id = excluded.token_key_id
       where $5
     returning guild_id`,
    [guildId, digest, sealed.ciphertext, sealed.keyId, overwrite],
  );
  if (written.length === 0) return obtainOverlayLink(database, config, log, guildId, false);
  return { token, digest, created: true };
}

/** The server behind an overlay token, or undefined (malformed, unknown or replaced). */
export async function findOverlayGuild(
  database: Queryable,
  token: string,
): Promise<{ guildId: string; digest: string; locale: string } | undefined> {
  if (!overlayTokenPattern.test(token)) return undefined;
  const digest = await digestOverlayToken(token);
  const rows = await database.query<{ guild_id: string; locale: string }>(
    `select o.guild_id, g.locale from overlay_links o join guilds g on g.id = o.guild_id
     where o.token_digest = $1`,
    [digest],
  );
  const row = rows[0];
  return row ? { guildId: row.guild_id, digest, locale: row.locale } : undefined;
}

/** The digest of the server's current overlay link, or undefined when it has none. */
export async function readOverlayDigest(database: Queryable, guildId: string): Promise<string | undefined> {
  const rows = await database.query<{ token_digest: string }>(
    "select token_digest from overlay_links where guild_id = $1",
    [guildId],
  );
  return rows[0]?.token_digest;
}
