import type { SealedSecret } from "../security/TokenCipher";
import type { Queryable } from "./Database";

/** What the claim page shows before anyone signs in: nothing a winner's announcement did not say. */
export interface ClaimSummary {
  publicId: string;
  status: "open" | "claimed" | "expired";
  /** Milliseconds since the epoch. */
  expiresAt: number;
  itemName: string;
  channelLogin: string;
  winnerDisplayName: string;
  /** The item came with a prize code (sealed in loot_codes). */
  hasCode: boolean;
}

/** A sealed prize code and what its additional data names (`loot-code:{itemId}:{sealId}`). */
export interface SealedPrizeCode extends SealedSecret {
  itemId: string;
  sealId: string;
}

/** A signed-in viewer's claim, after `claimPrize`: whether it is theirs and what they may see. */
export type ClaimDecision =
  | { kind: "notWinner" }
  | { kind: "expired" }
  | {
      kind: "claimed";
      /** This sign-in claimed it (and the announcement is to be edited); false on a later visit. */
      justClaimed: boolean;
      itemName: string;
      channelLogin: string;
      code: SealedPrizeCode | undefined;
      announcement: ClaimAnnouncementTarget | undefined;
    };

/** The Discord message that carried the claim's button, for the "✅ claimed" edit. */
export interface ClaimAnnouncementTarget {
  claimId: string;
  channelId: string;
  messageId: string;
  winnerDisplayName: string;
  locale: string;
}

interface SummaryRow {
  public_id: string;
  status: ClaimSummary["status"];
  expires_at: Date;
  item_name: string;
  twitch_broadcaster_login: string;
  winner_twitch_display_name: string;
  has_code: boolean;
}

/** The claim behind `/claim/{publicId}`, or undefined. An open claim past its time counts as expired. */
export async function findClaimSummary(
  database: Queryable,
  publicId: string,
  now: number,
): Promise<ClaimSummary | undefined> {
  const rows = await database.query<SummaryRow>(
    `select c.public_id, c.status, c.expires_at, d.item_name, t.twitch_broadcaster_login, c.winner_twitch_display_name,
       exists (select from loot_codes lc where lc.draw_id = d.id) as has_code
     from claims c join draws d on d.id = c.draw_id join raffle_terms t on t.id = d.terms_id
     where c.public_id = $1`,
    [publicId],
  );
  const row = rows[0];
  if (!row) return undefined;
  const expired = row.status === "expired" || (row.status === "open" && row.expires_at.getTime() <= now);
  return {
    publicId: row.public_id,
    status: expired ? "expired" : row.status,
    expiresAt: row.expires_at.getTime(),
    itemName: row.item_name,
    channelLogin: row.twitch_broadcaster_login,
    winnerDisplayName: row.winner_twitch_display_name,
    hasCode: row.has_code,
  };
}

export type SignInUse = { kind: "first"; claimId: string } | { kind: "used" } | { kind: "unknown" };

/**
 * Records the use of a claim sign-in's nonce (signed, expiring and bound to the browser, so issuing
 * one stored nothing): the first use of a nonce for a known claim is "first", any later one "used".
 * `expiresAt` is the state's own expiry; uses over an hour past theirs are purged in the same
 * statement, when their state can no longer verify, so the table stays small without the tick.
 */
export async function useClaimSignIn(
  database: Queryable,
  input: { publicId: string; nonce: string; expiresAt: number; now: number },
): Promise<SignInUse> {
  const rows = await database.query<{ claim_id: string; first_use: boolean }>(
    `with purged as (
       delete from claim_sign_ins where expires_at < $4::timestamptz - interval '1 hour'
     ), target as (
       select c.id from claims c where c.public_id = $1
     ), used as (
       insert into claim_sign_ins (nonce, claim_id, expires_at, used_at)
       select $2, t.id, $3, $4 from target t
       on conflict (nonce) do nothing
       returning 1
     )
     select t.id::text as claim_id, exists (select from used) as first_use from target t`,
    [input.publicId, input.nonce, new Date(input.expiresAt), new Date(input.now)],
  );
  const row = rows[0];
  if (!row) return { kind: "unknown" };
  return row.first_use ? { kind: "first", claimId: row.claim_id } : { kind: "used" };
}

interface DecisionRow {
  winner_twitch_user_id: string;
  winner_twitch_display_name: string;
  status: "open" | "claimed" | "expired";
  expires_at: Date;
  just_claimed: boolean;
  item_name: string;
  twitch_broadcaster_login: string;
  discord_channel_id: string;
  message_id: string | null;
  locale: string;
  code_item_id: string | null;
  seal_id: string | null;
  code_ciphertext: string | null;
  code_key_id: string | null;
}

/** Before a claim is taken: whether the signed-in user may take (or see) it, and its draw's sealed code. */
export type ClaimPrizeLookup =
  | { kind: "notWinner" }
  | { kind: "notClaimable" }
  | { kind: "claimable"; channelLogin: string; code: SealedPrizeCode | undefined };

/**
 * Reads, without changing anything, the claim's winner, whether it can still be claimed (open and
 * not expired) or seen again (claimed), and its draw's sealed code: the Worker opens the code
 * before `claimPrize` records it delivered, so a code that does not open is never spent.
 */
export async function findClaimPrize(
  database: Queryable,
  input: { claimId: string; twitchUserId: string; now: number },
): Promise<ClaimPrizeLookup> {
  const rows = await database.query<{
    winner_twitch_user_id: string;
    claimable: boolean;
    twitch_broadcaster_login: string;
    code_item_id: string | null;
    seal_id: string | null;
    code_ciphertext: string | null;
    code_key_id: string | null;
  }>(
    `select c.winner_twitch_user_id, (c.status = 'claimed' or (c.status = 'open' and c.expires_at > $2)) as claimable,
       r.twitch_broadcaster_login, lc.item_id::text as code_item_id, lc.seal_id::text, lc.code_ciphertext, lc.code_key_id
     from claims c
     join draws d on d.id = c.draw_id
     join raffles r on r.id = d.raffle_id
     left join loot_codes lc on lc.draw_id = c.draw_id
     where c.id = $1`,
    [input.claimId, new Date(input.now)],
  );
  const row = rows[0];
  if (!row || row.winner_twitch_user_id !== input.twitchUserId) return { kind: "notWinner" };
  if (!row.claimable) return { kind: "notClaimable" };
  return {
    kind: "claimable",
    channelLogin: row.twitch_broadcaster_login,
    code: readSealedPrizeCode(row),
  };
}

function readSealedPrizeCode(row: {
  code_item_id: string | null;
  seal_id: string | null;
  code_ciphertext: string | null;
  code_key_id: string | null;
}): SealedPrizeCode | undefined {
  return row.code_item_id && row.seal_id && row.code_ciphertext && row.code_key_id
    ? { itemId: row.code_item_id, sealId: row.seal_id, ciphertext: row.code_ciphertext, keyId: row.code_key_id }
    : undefined;
}

/**
 * The signed-in Twitch user's claim, in one statement: when they are its winner and it is open and
 * not expired, it becomes claimed (claimed_at, the announcement edit pending) and its draw's
 * reserved code delivered. The winner of a claimed claim gets its code again; anyone else nothing.
 * `openedSealId` is the code the Worker has already opened (findClaimPrize): a draw whose reserved
 * code is another one (or one nobody opened) is not claimed, so no code is delivered unopened.
 */
export async function claimPrize(
  database: Queryable,
  input: { claimId: string; twitchUserId: string; now: number; openedSealId: string | undefined },
): Promise<ClaimDecision> {
  const rows = await database.query<DecisionRow>(
    `with target as (
       select c.id, c.draw_id, c.n, c.status, c.expires_at, c.winner_twitch_user_id, c.winner_twitch_display_name,
         c.announcement_message_id
       from claims c where c.id = $1
     ), claimed as (
       update claims c set status = 'claimed', claimed_at = $3, claimed_edit_status = 'pending'
       from target t
       -- On the row itself, not the snapshot: after waiting for a concurrent expire_claim (the
       -- tick), an update re-checks these against the committed row and claims nothing expired.
       where c.id = t.id and c.status = 'open' and c.expires_at > $3 and c.winner_twitch_user_id = $2
         and not exists (select from loot_codes lc where lc.draw_id = t.draw_id and lc.status = 'reserved'
                         and lc.seal_id is distinct from $4::uuid)
       returning c.id
     ), delivered as (
       update loot_codes lc set status = 'delivered'
       from target t
       where lc.draw_id = t.draw_id and lc.status = 'reserved' and exists (select from claimed)
       returning lc.id
     )
     select t.winner_twitch_user_id, t.winner_twitch_display_name, t.status, t.expires_at,
       exists (select from claimed) as just_claimed, d.item_name, terms.twitch_broadcaster_login, r.discord_channel_id,
       case when t.n = 0 then d.announcement_message_id else t.announcement_message_id end as message_id,
       g.locale, lc.item_id::text as code_item_id, lc.seal_id::text, lc.code_ciphertext, lc.code_key_id
     from target t
     join draws d on d.id = t.draw_id
     join raffles r on r.id = d.raffle_id
     -- The channel the prize was drawn in, as its draw records it (a re-link does not change it).
     join raffle_terms terms on terms.id = d.terms_id
     join guilds g on g.id = r.guild_id
     left join loot_codes lc on lc.draw_id = t.draw_id`,
    [input.claimId, input.twitchUserId, new Date(input.now), input.openedSealId ?? null],
  );
  const row = rows[0];
  if (!row || row.winner_twitch_user_id !== input.twitchUserId) return { kind: "notWinner" };
  if (!row.just_claimed && row.status !== "claimed") return { kind: "expired" };
  const code = readSealedPrizeCode(row);
  return {
    kind: "claimed",
    justClaimed: row.just_claimed,
    itemName: row.item_name,
    channelLogin: row.twitch_broadcaster_login,
    code,
    announcement: row.message_id
      ? {
          claimId: input.claimId,
          channelId: row.discord_channel_id,
          messageId: row.message_id,
          winnerDisplayName: row.winner_twitch_display_name,
          locale: row.locale,
        }
      : undefined,
  };
}

/** Records how the "✅ claimed" edit of the announcement went. */
export async function markClaimedEdit(database: Queryable, claimId: string, status: "done" | "failed"): Promise<void> {
  await database.query("update claims set claimed_edit_status = $2 where id = $1 and claimed_edit_status = 'pending'", [
    claimId,
    status,
  ]);
}

interface PendingEditRow {
  claim_id: string;
  discord_channel_id: string;
  message_id: string;
  winner_twitch_display_name: string;
  locale: string;
}

/** Claimed claims whose announcement edit is pending and whose announcement has been posted. */
export async function listPendingClaimedEdits(database: Queryable, limit: number): Promise<ClaimAnnouncementTarget[]> {
  const rows = await database.query<PendingEditRow>(
    `select c.id::text as claim_id, r.discord_channel_id,
       case when c.n = 0 then d.announcement_message_id else c.announcement_message_id end as message_id,
       c.winner_twitch_display_name, g.locale
     from claims c
     join draws d on d.id = c.draw_id
     join raffles r on r.id = d.raffle_id
     join guilds g on g.id = r.guild_id
     where c.claimed_edit_status = 'pending'
       and (case when c.n = 0 then d.announcement_message_id else c.announcement_message_id end) is not null
     order by c.claimed_at
     limit $1`,
    [limit],
  );
  return rows.map((row) => ({
    claimId: row.claim_id,
    channelId: row.discord_channel_id,
    messageId: row.message_id,
    winnerDisplayName: row.winner_twitch_display_name,
    locale: row.locale,
  }));
}
