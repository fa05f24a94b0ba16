import type { GateName } from "../domain/gates";
import { markAnnouncementFailedSql } from "./announcementOutbox";
import type { Queryable } from "./Database";

/** What record_draw answered (sql/functions/record_draw.sql); raffle/drawOutcome.ts says what each means. */
export type AtomicDrawOutcome = "drawn" | "no_items" | "no_eligible" | "slot_taken" | "not_running" | "stale";

export interface Candidate {
  id: string;
  login: string;
  name: string;
}

/** A viewer who may win a slot, with their liveloot/v1 weight (1, or with luck 100 + min(points, 400)). */
export interface Entrant extends Candidate {
  weight: number;
}

/** A drawable item when the entrants were read. */
export interface DrawableItem {
  id: string;
  name: string;
  weight: number;
}

/** Why nobody could win, counted over the candidates read (set for `no_eligible`). */
export interface IneligibleCounts {
  /** Candidates passed in: 0 means nobody was in chat. */
  chatters: number;
  /** The broadcaster, known bots and excluded viewers. */
  excluded: number;
  /** Winners in this server within the raffle's cooldown (and not excluded anyway). */
  coolingDown: number;
  cooldownMinutes: number;
  /** The gate after which nobody was left; undefined when the gates were not what emptied the slot. */
  gate?: GateName;
}

/** One slot to read: a uniform sample of its chat. */
export interface EntrantsRequest {
  raffleId: string;
  slotAt: number;
  kind: "scheduled" | "manual";
  candidates: readonly Candidate[];
}

/** What read_draw_entrants found for one slot (sql/functions/read_draw_entrants.sql). */
export type EntrantsRead =
  | { outcome: "not_running" | "slot_taken" | "no_items"; raffleId: string }
  | {
      outcome: "ready";
      raffleId: string;
      /** The raffle's public id: the `{raffle}` of the word messages. */
      publicId: string;
      entrants: Entrant[];
      items: DrawableItem[];
      counts: IneligibleCounts;
    };

interface EntrantsRow {
  raffle_id: string;
  outcome: EntrantsRead["outcome"];
  public_id: string | null;
  entrants: { id: string; login: string; name: string; weight: number }[] | null;
  items: { id: string; name: string; weight: number }[] | null;
  chatters_seen: number | null;
  excluded_count: number | null;
  cooling_down_count: number | null;
  cooldown_minutes: number | null;
}

/**
 * Steps 1 and 2 of liveloot/v1 for many slots in one statement: each slot's entrants (after the
 * broadcaster, bots, exclusions and cooldowns, with their weights) and its drawable items. Nothing
 * is locked or written; record_draw re-checks what matters when it records the draw.
 */
export async function readDrawEntrants(
  database: Queryable,
  requests: readonly EntrantsRequest[],
): Promise<EntrantsRead[]> {
  if (requests.length === 0) return [];
  const rows = await database.query<EntrantsRow>(
    `select raffle_id, outcome, public_id, entrants, items, chatters_seen, excluded_count, cooling_down_count,
       cooldown_minutes
     from read_draw_entrants($1::jsonb)`,
    [
      JSON.stringify(
        requests.map((request) => ({
          raffle_id: request.raffleId,
          slot_at: new Date(request.slotAt).toISOString(),
          kind: request.kind,
          candidates: request.candidates.map(({ id, login, name }) => ({ id, login, name })),
        })),
      ),
    ],
  );
  if (rows.length !== requests.length)
    throw new Error(`read_draw_entrants answered ${rows.length} of ${requests.length} slots`);
  return rows.map((row): EntrantsRead => {
    const raffleId = String(row.raffle_id);
    if (row.outcome !== "ready") return { outcome: row.outcome, raffleId };
    if (row.public_id === null || row.entrants === null || row.items === null) {
      throw new Error("read_draw_entrants answered ready without entrants, items or public id");
    }
    return {
      outcome: "ready",
      raffleId,
      publicId: row.public_id,
      entrants: row.entrants.map((entrant) => ({ ...entrant, weight: Number(entrant.weight) })),
      items: row.items.map((item) => ({ ...item, weight: Number(item.weight) })),
      counts: {
        chatters: row.chatters_seen ?? 0,
        excluded: row.excluded_count ?? 0,
        coolingDown: row.cooling_down_count ?? 0,
        cooldownMinutes: row.cooldown_minutes ?? 0,
      },
    };
  });
}

/**
 * A draw decided in the Worker with liveloot/v1, as record_draw records it and /r/{raffle}.json
 * publishes it: snake_case, lists sorted, hashes over exactly these lists.
 */
export interface RecordedDecision {
  slot: string;
  /** ISO 8601, the wall clock when the entrants were read. */
  entrants_read_at: string;
  round: number | null;
  signature: string | null;
  randomness: string;
  entrants: [userId: string, login: string, weight: number][];
  entrants_sha256: string;
  items: [itemId: string, name: string, weight: number][];
  items_sha256: string;
  item_id: string | null;
  winner: Candidate | null;
  chatters_seen: number;
  excluded_count: number;
  cooling_down_count: number;
  /** With gates, `chatters_seen` is the chat sample's size before them. */
  /** The gate after which nobody was left (why the slot is empty), if a gate emptied it. */
  gate_emptied?: GateName | null;
  /** The version of the raffle's terms the chat was read under (0020); record_draw answers stale to another. */
  terms_version?: number;
}

/** One call of record_draw, mapped. */
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
  /** For `drawn`: false when the beacon could not be reached (round null). */
  verifiable?: boolean;
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
 * Records one decided draw (winner, item, cooldown, stock, proof and outbox) through the SQL
 * function record_draw, which despite its name records a draw of a raffle, not a raffle. It
 * decides nothing; raffle/drawSlots.ts is the one caller.
 */
export async function recordDraw(
  database: Queryable,
  input: { raffleId: string; slotAt: number; kind: "scheduled" | "manual"; decision: RecordedDecision },
): Promise<AtomicDrawResult> {
  const rows = await database.query<MakeRaffleRow>(
    `select outcome, draw_id, item_name, winner_twitch_user_id, winner_twitch_login, winner_twitch_display_name,
       chatters_seen, excluded_count, cooling_down_count, cooldown_minutes, nobody_eligible_minutes, nobody_eligible_notice
     from record_draw($1, $2, $3, $4::jsonb)`,
    [input.raffleId, new Date(input.slotAt), input.kind, JSON.stringify(input.decision)],
  );
  const row = rows[0];
  if (!row) throw new Error("record_draw returned no row");
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
            ...(input.decision.gate_emptied ? { gate: input.decision.gate_emptied } : {}),
          },
    nobodyEligible:
      row.nobody_eligible_minutes === null
        ? undefined
        : { minutes: row.nobody_eligible_minutes, noticeDue: row.nobody_eligible_notice === true },
    ...(row.outcome === "drawn" ? { verifiable: input.decision.round !== null } : {}),
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
  /** The draw's latest claim, when its prize had to be claimed: n > 0 after redraws. */
  claim: DrawClaimState | undefined;
}

/** Where a prize's claim stands: its last winner (n = 0 the draw's own, 1 … 3 after redraws) and that claim's status. */
export interface DrawClaimState {
  n: number;
  winnerDisplayName: string;
  status: "open" | "claimed" | "expired";
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
  claim_n?: number | null;
  claim_winner?: string | null;
  claim_status?: DrawClaimState["status"] | null;
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
    claim:
      row.claim_status === null || row.claim_status === undefined
        ? undefined
        : { n: Number(row.claim_n), winnerDisplayName: row.claim_winner ?? "", status: row.claim_status },
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
      text: `select d.id, d.raffle_id, d.slot_at, d.kind, d.item_name, d.winner_twitch_login, d.winner_twitch_display_name,
         d.announcement_status, c.n as claim_n, c.winner_twitch_display_name as claim_winner, c.status as claim_status
       from draws d
       left join lateral (select n, winner_twitch_display_name, status from claims
                          where draw_id = d.id order by n desc limit 1) c on true
       where d.guild_id = $1 order by d.slot_at desc, d.id desc limit $2 offset $3`,
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
  counted = true,
): Promise<void> {
  await database.query(markAnnouncementFailedSql("draws"), [drawId, error, new Date(retryAt), giveUp, counted]);
}
