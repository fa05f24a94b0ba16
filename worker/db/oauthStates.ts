import type { SealedSecret } from "../security/TokenCipher";
import type { Queryable } from "./Database";

export interface OAuthStateRecord {
  nonce: string;
  guildId: string;
  discordUserId: string;
  discordChannelId: string;
  discordApplicationId: string;
  interactionToken: SealedSecret;
  /** The id in `PUBLIC_BASE_URL/twitch/link/{linkId}`, the page /twitch connect's button opens. */
  linkId: string | null;
  /** The Discord name of whoever ran /twitch connect. */
  requestedByName: string | null;
  /** Scopes asked for beyond the usual ones (the chat gate's, raffle/gates.ts chatGateScopes). */
  extraScopes: string[];
  /** Milliseconds since the epoch. */
  createdAt: number;
  expiresAt: number;
  /**
   * The digest of the browser nonce of whoever first opened the link page (security/BrowserBinding.ts);
   * null until then. Only that browser may open the page again and complete the link.
   */
  browserDigest: string | null;
}

interface OAuthStateRow {
  nonce: string;
  guild_id: string;
  discord_user_id: string;
  discord_channel_id: string;
  discord_application_id: string;
  interaction_token_ciphertext: string;
  interaction_token_key_id: string;
  link_id: string | null;
  requested_by_name: string | null;
  extra_scopes: string[];
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
  browser_digest: string | null;
}

const stateColumns = `nonce, guild_id, discord_user_id, discord_channel_id, discord_application_id,
  interaction_token_ciphertext, interaction_token_key_id, link_id, requested_by_name, extra_scopes, created_at, expires_at, used_at, browser_digest`;

function mapState(row: OAuthStateRow): OAuthStateRecord {
  return {
    nonce: row.nonce,
    guildId: row.guild_id,
    discordUserId: row.discord_user_id,
    discordChannelId: row.discord_channel_id,
    discordApplicationId: row.discord_application_id,
    interactionToken: { ciphertext: row.interaction_token_ciphertext, keyId: row.interaction_token_key_id },
    linkId: row.link_id,
    requestedByName: row.requested_by_name,
    extraScopes: row.extra_scopes,
    createdAt: row.created_at.getTime(),
    expiresAt: row.expires_at.getTime(),
    browserDigest: row.browser_digest,
  };
}

export async function insertOAuthState(
  database: Queryable,
  state: Omit<OAuthStateRecord, "createdAt" | "browserDigest"> & { now: number },
): Promise<void> {
  await database.query(
    `insert into oauth_states (nonce, guild_id, discord_user_id, discord_channel_id, discord_application_id,
       interaction_token_ciphertext, interaction_token_key_id, expires_at, created_at, link_id, requested_by_name,
       extra_scopes)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      state.nonce,
      state.guildId,
      state.discordUserId,
      state.discordChannelId,
      state.discordApplicationId,
      state.interactionToken.ciphertext,
      state.interactionToken.keyId,
      new Date(state.expiresAt),
      new Date(state.now),
      state.linkId,
      state.requestedByName,
      state.extraScopes,
    ],
  );
}

/** Marks the state used, once: a second call for the same nonce finds nothing. */
export async function consumeOAuthState(
  database: Queryable,
  nonce: string,
  now: number,
): Promise<OAuthStateRecord | undefined> {
  const rows = await database.query<OAuthStateRow>(
    `update oauth_states set used_at = $2
     where nonce = $1 and used_at is null and expires_at > $2
     returning ${stateColumns}`,
    [nonce, new Date(now)],
  );
  return rows[0] ? mapState(rows[0]) : undefined;
}

export type LinkPageState = { kind: "usable"; state: OAuthStateRecord } | { kind: "used" | "expired" | "unknown" };

/** What `/twitch/link/{linkId}` leads to: a state still usable, or why not. */
export async function findStateByLinkId(database: Queryable, linkId: string, now: number): Promise<LinkPageState> {
  const rows = await database.query<OAuthStateRow>(`select ${stateColumns} from oauth_states where link_id = $1`, [
    linkId,
  ]);
  const row = rows[0];
  if (!row) return { kind: "unknown" };
  if (row.used_at) return { kind: "used" };
  if (row.expires_at.getTime() <= now) return { kind: "expired" };
  return { kind: "usable", state: mapState(row) };
}

/**
 * Records that the link page was opened, by the browser whose nonce has `browserDigest`, once: a
 * second browser (or a race between two) finds nothing and is told the link was already opened.
 */
export async function markLinkPageOpened(
  database: Queryable,
  input: { linkId: string; browserDigest: string; now: number },
): Promise<boolean> {
  const rows = await database.query<{ nonce: string }>(
    `update oauth_states set opened_at = $3, browser_digest = $2
     where link_id = $1 and opened_at is null and used_at is null and expires_at > $3
     returning nonce`,
    [input.linkId, input.browserDigest, new Date(input.now)],
  );
  return rows.length > 0;
}

/** Expired states are useless; the tick clears them so the table stays small. */
export async function deleteExpiredOAuthStates(database: Queryable, now: number): Promise<void> {
  await database.query("delete from oauth_states where expires_at < $1", [new Date(now - 60 * 60 * 1000)]);
}
