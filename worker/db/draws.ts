import type { Queryable } from "./Database";

/** What make_raffle answered (sql/functions/make_raffle.sql); raffle/drawOutcome.ts says what each means. */
export type AtomicDrawOutcome = "drawn" | "no_items" | "no_eligible" | "slot_taken" | "not_running" | "need_randomness";

export interface Candidate {
  id: string;
  login: string;
  name: string;
}

/** Why nobody could win, counted over the candidates make_raffle got (set for `no_eligible`). */
export interface IneligibleCounts {
  /** Candidates passed in: 0 means nobody was in chat. */
  chatters: number;
  /** The broadcaster, known bots and excluded viewers. */
  excluded: number;
  /** Winners in this server within the raffle's cooldown (and not excluded anyway). */
  coolingDown: number;
  cooldownMinutes: number;
}

/** One call of make_raffle, mapped. */
export interface AtomicDrawResult {
  outcome: AtomicDrawOutcome;
  drawId: string | undefined;
  itemName: string | undefined;
  winner: Candidate | undefined;
  ineligible: IneligibleCounts | undefined;
  /**
   * For a scheduled `no_eligible` slot: the live minutes of the raffle's current run of empty
   * slots, and whether this slot is the one (once per run) whose channel must be told.
   */
  nobodyEligible: { minutes: number; noticeDue: boolean } | undefined;
}

interface MakeRaffleRow {
  outcome: AtomicDrawOutcome;
  draw_id: string | null;
  item_name: string | null;
  winner_twitch_user_id: string | null;
  winner_twitch_login: string | null;
  winner_twitch_display_name: string | null;
  chatters_seen: number | null;
  excluded_count: number | null;
  cooling_down_count: number | null;
  cooldown_minutes: number | null;
  nobody_eligible_minutes: number | null;
  nobody_eligible_notice: boolean | null;
}

/**
 * One atomic draw (winner, item, cooldown, stock and the record) through the SQL function
 * make_raffle, which despite its name makes a draw of a raffle, not a raffle. Deterministic for
 * its inputs; raffle/makeDraw.ts is the one caller.
 */
export async function drawAtomically(
  database: Queryable,
  input: {
    raffleId: string;
    slotAt: number;
    kind: "scheduled" | "manual";
    candidates: Candidate[];
    randomWords: number[];
  },
): Promise<AtomicDrawResult> {
  const rows = await database.query<MakeRaffleRow>(
    `select outcome, draw_id, item_name, winner_twitch_user_id, winner_twitch_login, winner_twitch_display_name,
       chatters_seen, excluded_count, cooling_down_count, cooldown_minutes, nobody_eligible_minutes, nobody_eligible_notice
     from make_raffle($1, $2, $3, $4::jsonb, $5::bigint[])`,
    [input.raffleId, new Date(input.slotAt), input.kind, JSON.stringify(input.candidates), input.randomWords],
  );
  const row = rows[0];
  if (!row) throw new Error("make_raffle returned no row");
  const winner =
    row.winner_twitch_user_id && row.winner_twitch_login
      ? {
          id: row.winner_twitch_user_id,
          login: row.winner_twitch_login,
          name: row.winner_twitch_display_name ?? row.winner_twitch_login,
        }
      : undefined;
  return {
    outcome: row.outcome,
    drawId: row.draw_id === null ? undefined : String(row.draw_id),
    itemName: row.item_name ?? undefined,
    winner,
    ineligible:
      row.chatters_seen === null
        ? undefined
        : {
            chatters: row.chatters_seen,
            excluded: row.excluded_count ?? 0,
            coolingDown: row.cooling_down_count ?? 0,
            cooldownMinutes: row.cooldown_minutes ?? 0,
          },
    nobodyEligible:
      row.nobody_eligible_minutes === null
        ? undefined
        : { minutes: row.nobody_eligible_minutes, noticeDue: row.nobody_eligible_notice === true },
  };
}

export interface DrawRecord {
  id: string;
  raffleId: string;
  slotAt: number;
  kind: "scheduled" | "manual";
  itemName: string;
  winnerLogin: string;
  winnerDisplayName: string;
  announcementStatus: "pending" | "delivered" | "failed";
}

interface DrawRecordRow {
  id: string;
  raffle_id: string;
  slot_at: Date;
  kind: "scheduled" | "manual";
  item_name: string;
  winner_twitch_login: string;
  winner_twitch_display_name: string;
  announcement_status: "pending" | "delivered" | "failed";
}

function mapDraw(row: DrawRecordRow): DrawRecord {
  return {
    id: String(row.id),
    raffleId: String(row.raffle_id),
    slotAt: row.slot_at.getTime(),
    kind: row.kind,
    itemName: row.item_name,
    winnerLogin: row.winner_twitch_login,
    winnerDisplayName: row.winner_twitch_display_name,
    announcementStatus: row.announcement_status,
  };
}

/** A guild's draws, newest first, one page at a time; also the total for page counts. */
export async function listDrawHistory(
  database: Queryable,
  guildId: string,
  page: number,
  pageSize: number,
): Promise<{ draws: DrawRecord[]; total: number }> {
  // One round trip: a page past the end still learns the total.
  const [rows = [], counts = []] = (await database.batch([
    {
      text: `select id, raffle_id, slot_at, kind, item_name, winner_twitch_login, winner_twitch_display_name,
         announcement_status
       from draws where guild_id = $1 order by slot_at desc, id desc limit $2 offset $3`,
      values: [guildId, pageSize, (page - 1) * pageSize],
    },
    { text: "select count(*) as total from draws where guild_id = $1", values: [guildId] },
  ])) as [DrawRecordRow[], { total: string }[]];
  return { draws: rows.map(mapDraw), total: Number(counts[0]?.total ?? 0) };
}

/** Records many deliveries in one round trip: one per tick, not one per post. */
export async function markAnnounced(
  database: Queryable,
  deliveries: { drawId: string; messageId: string }[],
  now: number,
): Promise<void> {
  if (deliveries.length === 0) return;
  await database.query(
    `update draws d set announcement_status = 'delivered', announcement_message_id = delivered.message_id,
       announced_at = $3, announcement_attempts = d.announcement_attempts + 1, announcement_last_error = null
     from unnest($1::bigint[], $2::text[]) as delivered (draw_id, message_id)
     where d.id = delivered.draw_id and d.announcement_status <> 'delivered'`,
    [deliveries.map((entry) => entry.drawId), deliveries.map((entry) => entry.messageId), new Date(now)],
  );
}

/** Records a failed delivery; the tick retries after `retryAt` until it gives up. */
export async function markAnnouncementFailed(
  database: Queryable,
  drawId: string,
  error: string,
  retryAt: number,
  giveUp: boolean,
): Promise<void> {
  await database.query(
    `update draws set announcement_attempts = announcement_attempts + 1, announcement_last_error = left($2, 1000),
       announcement_next_attempt_at = $3, announcement_status = case when $4 then 'failed' else announcement_status end
     where id = $1 and announcement_status = 'pending'`,
    [drawId, error, new Date(retryAt), giveUp],
  );
}
