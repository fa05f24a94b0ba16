import type { SealedSecret } from "../security/TokenCipher";
import type { Queryable } from "./Database";

export interface OAuthStateRecord {
  nonce: string;
  guildId: string;
  discordUserId: string;
  discordChannelId: string;
  discordApplicationId: string;
  interactionToken: SealedSecret;
  /** Milliseconds since the epoch. */
  createdAt: number;
}

interface OAuthStateRow {
  nonce: string;
  guild_id: string;
  discord_user_id: string;
  discord_channel_id: string;
  discord_application_id: string;
  interaction_token_ciphertext: string;
  interaction_token_key_id: string;
  created_at: Date;
}

export async function insertOAuthState(
  database: Queryable,
  state: Omit<OAuthStateRecord, "createdAt"> & { expiresAt: number; now: number },
): Promise<void> {
  await database.query(
    `insert into oauth_states (nonce, guild_id, discord_user_id, discord_channel_id, discord_application_id,
       interaction_token_ciphertext, interaction_token_key_id, expires_at, created_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
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
     returning nonce, guild_id, discord_user_id, discord_channel_id, discord_application_id,
       interaction_token_ciphertext, interaction_token_key_id, created_at`,
    [nonce, new Date(now)],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    nonce: row.nonce,
    guildId: row.guild_id,
    discordUserId: row.discord_user_id,
    discordChannelId: row.discord_channel_id,
    discordApplicationId: row.discord_application_id,
    interactionToken: { ciphertext: row.interaction_token_ciphertext, keyId: row.interaction_token_key_id },
    createdAt: row.created_at.getTime(),
  };
}

/** Expired states are useless; the tick clears them so the table stays small. */
export async function deleteExpiredOAuthStates(database: Queryable, now: number): Promise<void> {
  await database.query("delete from oauth_states where expires_at < $1", [new Date(now - 60 * 60 * 1000)]);
}
