import type { SealedSecret } from "../security/TokenCipher";
import type { Queryable } from "./Database";

export type LinkStatus = "active" | "needs_reauth";

/** A guild's Twitch link with its tokens still sealed. */
export interface TwitchLink {
  guildId: string;
  twitchUserId: string;
  twitchLogin: string;
  twitchDisplayName: string;
  scopes: string[];
  accessToken: SealedSecret;
  refreshToken: SealedSecret;
  accessTokenExpiresAt: number;
  status: LinkStatus;
}

export interface TwitchLinkRow {
  guild_id: string;
  twitch_user_id: string;
  twitch_login: string;
  twitch_display_name: string;
  scopes: string[];
  access_token_ciphertext: string;
  refresh_token_ciphertext: string;
  token_key_id: string;
  access_token_expires_at: Date;
  status: LinkStatus;
}

const linkColumnNames = [
  "guild_id",
  "twitch_user_id",
  "twitch_login",
  "twitch_display_name",
  "scopes",
  "access_token_ciphertext",
  "refresh_token_ciphertext",
  "token_key_id",
  "access_token_expires_at",
  "status",
];
const linkColumns = linkColumnNames.join(", ");

/** The link's columns qualified by a table alias, for queries that join twitch_links. */
export function selectLinkColumns(alias: string): string {
  return linkColumnNames.map((name) => `${alias}.${name}`).join(", ");
}

export function mapLink(row: TwitchLinkRow): TwitchLink {
  return {
    guildId: row.guild_id,
    twitchUserId: row.twitch_user_id,
    twitchLogin: row.twitch_login,
    twitchDisplayName: row.twitch_display_name,
    scopes: row.scopes,
    accessToken: { ciphertext: row.access_token_ciphertext, keyId: row.token_key_id },
    refreshToken: { ciphertext: row.refresh_token_ciphertext, keyId: row.token_key_id },
    accessTokenExpiresAt: row.access_token_expires_at.getTime(),
    status: row.status,
  };
}

export async function findTwitchLink(database: Queryable, guildId: string): Promise<TwitchLink | undefined> {
  const rows = await database.query<TwitchLinkRow>(`select ${linkColumns} from twitch_links where guild_id = $1`, [
    guildId,
  ]);
  return rows[0] ? mapLink(rows[0]) : undefined;
}

export interface NewTwitchLink {
  guildId: string;
  twitchUserId: string;
  twitchLogin: string;
  twitchDisplayName: string;
  scopes: string[];
  accessToken: SealedSecret;
  refreshToken: SealedSecret;
  accessTokenExpiresAt: number;
  linkedByDiscordUserId: string;
  now: number;
}

const savedLinkAssignments = `twitch_user_id = $2, twitch_login = $3, twitch_display_name = $4, scopes = $5,
  access_token_ciphertext = $6, refresh_token_ciphertext = $7, token_key_id = $8, access_token_expires_at = $9,
  status = 'active', last_validated_at = $10, refresh_lease_until = null, reauth_notified_at = null,
  linked_by_discord_user_id = $11`;

/**
 * Links (or re-links) a guild: a fresh link is active, validated now, and notified of nothing.
 * Returns the link it replaced, as it was when replaced (its row locked first, so a refresh
 * committing meanwhile is seen), so the caller can revoke another account's tokens.
 */
export async function saveTwitchLink(database: Queryable, link: NewTwitchLink): Promise<TwitchLink | undefined> {
  const values = [
    link.guildId,
    link.twitchUserId,
    link.twitchLogin.toLowerCase(),
    link.twitchDisplayName,
    link.scopes,
    link.accessToken.ciphertext,
    link.refreshToken.ciphertext,
    link.accessToken.keyId,
    new Date(link.accessTokenExpiresAt),
    new Date(link.now),
    link.linkedByDiscordUserId,
  ];
  const replaced = await database.query<TwitchLinkRow>(
    `update twitch_links t set ${savedLinkAssignments}
     from (select ${linkColumns} from twitch_links where guild_id = $1 for update) previous
     where t.guild_id = previous.guild_id
     returning ${selectLinkColumns("previous")}`,
    values,
  );
  if (replaced[0]) return mapLink(replaced[0]);
  // No link yet. A link saved at the same moment by another callback is overwritten, as before.
  await database.query(
    `insert into twitch_links (guild_id, twitch_user_id, twitch_login, twitch_display_name, scopes,
       access_token_ciphertext, refresh_token_ciphertext, token_key_id, access_token_expires_at, status,
       last_validated_at, refresh_lease_until, reauth_notified_at, linked_by_discord_user_id)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active', $10, null, null, $11)
     on conflict (guild_id) do update set ${savedLinkAssignments}`,
    values,
  );
  return undefined;
}

/**
 * Claims the right to refresh for `leaseMilliseconds`, only while the stored access token is
 * still the one the caller saw. Only one caller gets `true` until the lease ends or the refresh
 * is stored, and a caller holding a stale copy never spends the (rotated, single-use) refresh token.
 * `wallClockNow` is Date.now(), never a tick's scheduledTime: a replayed tick must not end a lease
 * that a refresh running now still holds.
 */
export async function claimRefreshLease(
  database: Queryable,
  guildId: string,
  seenAccessToken: SealedSecret,
  wallClockNow: number,
  leaseMilliseconds: number,
): Promise<boolean> {
  const rows = await database.query(
    `update twitch_links set refresh_lease_until = $3
     where guild_id = $1 and status = 'active' and access_token_ciphertext = $4
       and (refresh_lease_until is null or refresh_lease_until <= $2)
     returning guild_id`,
    [guildId, new Date(wallClockNow), new Date(wallClockNow + leaseMilliseconds), seenAccessToken.ciphertext],
  );
  return rows.length === 1;
}

/**
 * Stores a refreshed pair only if the link still holds `spentRefreshToken`, the token the caller
 * refreshed (compare-and-set): a re-link or disconnect that happened while Twitch answered wins,
 * and one account's tokens never land in another account's link. False when nothing was stored.
 */
export async function storeRefreshedTokens(
  database: Queryable,
  guildId: string,
  spentRefreshToken: SealedSecret,
  tokens: { accessToken: SealedSecret; refreshToken: SealedSecret; accessTokenExpiresAt: number; scopes: string[] },
): Promise<boolean> {
  const rows = await database.query(
    `update twitch_links set access_token_ciphertext = $2, refresh_token_ciphertext = $3, token_key_id = $4,
       access_token_expires_at = $5, scopes = $6, refresh_lease_until = null
     where guild_id = $1 and refresh_token_ciphertext = $7
     returning guild_id`,
    [
      guildId,
      tokens.accessToken.ciphertext,
      tokens.refreshToken.ciphertext,
      tokens.accessToken.keyId,
      new Date(tokens.accessTokenExpiresAt),
      tokens.scopes,
      spentRefreshToken.ciphertext,
    ],
  );
  return rows.length === 1;
}

/** Ends the caller's lease after a failed refresh, unless the link has changed since. */
export async function releaseRefreshLease(
  database: Queryable,
  guildId: string,
  seenRefreshToken: SealedSecret,
): Promise<void> {
  await database.query(
    "update twitch_links set refresh_lease_until = null where guild_id = $1 and refresh_token_ciphertext = $2",
    [guildId, seenRefreshToken.ciphertext],
  );
}

/**
 * Marks the link as needing a new authorization, only if it still holds `seenRefreshToken` (a
 * re-link since then is not the link that died). True when this call marked it.
 */
export async function markNeedsReauth(
  database: Queryable,
  guildId: string,
  seenRefreshToken: SealedSecret,
): Promise<boolean> {
  const rows = await database.query(
    `update twitch_links set status = 'needs_reauth', refresh_lease_until = null
     where guild_id = $1 and status = 'active' and refresh_token_ciphertext = $2
     returning guild_id`,
    [guildId, seenRefreshToken.ciphertext],
  );
  return rows.length === 1;
}

/**
 * Claims the one notice a link needing re-authorization gets: true for the first caller since
 * the link was made (a re-link clears it), false for every later one.
 */
export async function claimReauthNotice(database: Queryable, guildId: string, now: number): Promise<boolean> {
  const rows = await database.query(
    `update twitch_links set reauth_notified_at = $2
     where guild_id = $1 and status = 'needs_reauth' and reauth_notified_at is null returning guild_id`,
    [guildId, new Date(now)],
  );
  return rows.length === 1;
}

/** Guilds whose link needs re-authorization and whose raffle channel has not been told yet. */
export async function listLinksAwaitingReauthNotice(database: Queryable, limit: number): Promise<string[]> {
  const rows = await database.query<{ guild_id: string }>(
    `select guild_id from twitch_links where status = 'needs_reauth' and reauth_notified_at is null
     order by updated_at limit $1`,
    [limit],
  );
  return rows.map((row) => row.guild_id);
}

export async function markValidated(database: Queryable, guildId: string, now: number): Promise<void> {
  await database.query("update twitch_links set last_validated_at = $2 where guild_id = $1", [guildId, new Date(now)]);
}

/** Active links not validated within the last hour (Twitch requires hourly validation). */
export async function listLinksDueForValidation(
  database: Queryable,
  now: number,
  limit: number,
): Promise<TwitchLink[]> {
  const rows = await database.query<TwitchLinkRow>(
    `select ${linkColumns} from twitch_links
     where status = 'active' and (last_validated_at is null or last_validated_at <= $1)
     order by last_validated_at nulls first limit $2`,
    [new Date(now - 60 * 60 * 1000), limit],
  );
  return rows.map(mapLink);
}

export async function deleteTwitchLink(database: Queryable, guildId: string): Promise<void> {
  await database.query("delete from twitch_links where guild_id = $1", [guildId]);
}
