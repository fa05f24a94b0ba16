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

/** Links (or re-links) a guild: a fresh link is active, validated now, and notified of nothing. */
export async function saveTwitchLink(database: Queryable, link: NewTwitchLink): Promise<void> {
  await database.query(
    `insert into twitch_links (guild_id, twitch_user_id, twitch_login, twitch_display_name, scopes,
       access_token_ciphertext, refresh_token_ciphertext, token_key_id, access_token_expires_at, status,
       last_validated_at, refresh_lease_until, reauth_notified_at, linked_by_discord_user_id)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active', $10, null, null, $11)
     on conflict (guild_id) do update set
       twitch_user_id = excluded.twitch_user_id, twitch_login = excluded.twitch_login,
       twitch_display_name = excluded.twitch_display_name, scopes = excluded.scopes,
       access_token_ciphertext = excluded.access_token_ciphertext,
       refresh_token_ciphertext = excluded.refresh_token_ciphertext, token_key_id = excluded.token_key_id,
       access_token_expires_at = excluded.access_token_expires_at, status = 'active',
       last_validated_at = excluded.last_validated_at, refresh_lease_until = null, reauth_notified_at = null,
       linked_by_discord_user_id = excluded.linked_by_discord_user_id`,
    [
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
    ],
  );
}

/**
 * Claims the right to refresh for `leaseMilliseconds`, only while the stored access token is
 * still the one the caller saw. Only one caller gets `true` until the lease ends or the refresh
 * is stored, and a caller holding a stale copy never spends the (rotated, single-use) refresh token.
 */
export async function claimRefreshLease(
  database: Queryable,
  guildId: string,
  seenAccessToken: SealedSecret,
  now: number,
  leaseMilliseconds: number,
): Promise<boolean> {
  const rows = await database.query(
    `update twitch_links set refresh_lease_until = $3
     where guild_id = $1 and status = 'active' and access_token_ciphertext = $4
       and (refresh_lease_until is null or refresh_lease_until <= $2)
     returning guild_id`,
    [guildId, new Date(now), new Date(now + leaseMilliseconds), seenAccessToken.ciphertext],
  );
  return rows.length === 1;
}

export async function storeRefreshedTokens(
  database: Queryable,
  guildId: string,
  tokens: { accessToken: SealedSecret; refreshToken: SealedSecret; accessTokenExpiresAt: number; scopes: string[] },
): Promise<void> {
  await database.query(
    `update twitch_links set access_token_ciphertext = $2, refresh_token_ciphertext = $3, token_key_id = $4,
       access_token_expires_at = $5, scopes = $6, refresh_lease_until = null
     where guild_id = $1`,
    [
      guildId,
      tokens.accessToken.ciphertext,
      tokens.refreshToken.ciphertext,
      tokens.accessToken.keyId,
      new Date(tokens.accessTokenExpiresAt),
      tokens.scopes,
    ],
  );
}

export async function releaseRefreshLease(database: Queryable, guildId: string): Promise<void> {
  await database.query("update twitch_links set refresh_lease_until = null where guild_id = $1", [guildId]);
}

/**
 * Marks the link as needing a new authorization. Returns true only for the one caller that
 * should tell the guild (the first since the link was made).
 */
export async function markNeedsReauth(database: Queryable, guildId: string, now: number): Promise<boolean> {
  await database.query(
    "update twitch_links set status = 'needs_reauth', refresh_lease_until = null where guild_id = $1",
    [guildId],
  );
  const rows = await database.query(
    `update twitch_links set reauth_notified_at = $2
     where guild_id = $1 and reauth_notified_at is null returning guild_id`,
    [guildId, new Date(now)],
  );
  return rows.length === 1;
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
