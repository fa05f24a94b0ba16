import type { RaffleGates } from "../domain/gates";
import type { Queryable } from "./Database";
import { type GateColumnsRow, mapGates, selectGateColumns } from "./gateColumns";
import { selectTermsVersion } from "./raffleTerms";

/**
 * What the public raffle page (`/r/{raffle}`, `.json`, `.csv`) may show of a raffle: its rules and
 * its draws with their proof. Nothing here names a database id, a guild, a Discord channel or an
 * exclusion: the page is public, and these rows are all it reads.
 */
export interface PublicRaffle {
  publicId: string;
  /** The Twitch channel the raffle runs for now (its login); each draw names its own (`PublicDraw`). */
  channelLogin: string;
  everyMinutes: number;
  cooldownMinutes: number;
  luck: boolean;
  /** The streamer's own rules text, or null. */
  rules: string | null;
  /** Who may enter besides being in chat: each draw's entrants are the chat after these. */
  gates: RaffleGates;
  status: "running" | "paused" | "stopped";
  startedAt: string;
  /** Oldest first: the draws selected (readPublicRaffle's `selection`). */
  draws: PublicDraw[];
  /**
   * The versions of the raffle's terms the selected draws were drawn under, and its current one,
   * oldest first: a restart with new settings or a re-link to another channel starts a new version,
   * and a draw keeps the one in force when it was drawn (0020_raffle_terms.sql).
   */
  terms: PublicTerms[];
  /** How many draws the raffle has in all (more than `draws.length` when the list was cut). */
  drawTotal: number;
}

/** What the public page shows of how a raffle draws, as it stood for a range of its draws. */
export interface PublicTerms {
  version: number;
  /** The Twitch channel drawn from (its login). */
  channelLogin: string;
  everyMinutes: number;
  cooldownMinutes: number;
  luck: boolean;
  /** The streamer's own rules text, or null. */
  rules: string | null;
  gates: RaffleGates;
}

/** A draw made with `liveloot/v1`: everything its record publishes. */
export interface VerifiableDrawProof {
  algorithm: "liveloot/v1";
  slotLabel: string;
  round: number | null;
  signature: string | null;
  randomness: string;
  /** ISO 8601 with milliseconds, UTC. */
  entrantsReadAt: string;
  /** Empty unless the lists were read (a `.json` selection). */
  entrants: [userId: string, login: string, weight: number][];
  entrantsSha256: string;
  items: [itemId: string, name: string, weight: number][];
  itemsSha256: string;
  itemId: string | null;
}

export interface PublicDraw {
  drawNumber: number | null;
  kind: "scheduled" | "manual";
  /** ISO 8601 with milliseconds, UTC: the slot (scheduled) or the moment (manual) of the draw. */
  slotAt: string;
  itemName: string;
  winnerUserId: string;
  winnerLogin: string;
  winnerDisplayName: string;
  /** The version of the raffle's terms in force when the draw was made (one of `PublicRaffle.terms`). */
  termsVersion: number;
  /** The Twitch channel the draw was made in (its terms' channel). */
  channelLogin: string;
  /** Entrants the pick ran over (v1), or the candidates the old draw examined. */
  entrantCount: number;
  /** Null for a draw made before verifiable draws (no record to recompute). */
  proof: VerifiableDrawProof | null;
  /** The prize's claims, n = 0 (the winner's) then each redraw's: empty when it needed none. Never a code. */
  claims: PublicClaim[];
}

/** One winner's claim of a prize: who (a redraw's pick, for n ≥ 1) and whether they claimed it. */
export interface PublicClaim {
  n: number;
  winnerUserId: string;
  winnerLogin: string;
  winnerDisplayName: string;
  status: "open" | "claimed" | "expired";
}

/** Public ids are random URL-safe text (raffles_public_id_format); anything else is never looked up. */
export const publicRaffleIdPattern = /^[A-Za-z0-9_-]{16,64}$/;

/** The newest draws the HTML page and the CSV list at most (without the entrant lists). */
export const publicDrawLimit = 1000;

/**
 * Draws per `.json` document. Each carries its entrant list (up to 500 entrants, ~20 KB), and a
 * Worker on the Free plan has 10 ms of CPU per request: 20 draws are a few hundred KB to parse and
 * serialize; older draws are one `older` link away.
 */
export const recordPageSize = 20;

/** Which draws to read, and whether with their entrant and item lists. */
export type PublicDrawSelection =
  /** The page and the CSV: the newest `limit` draws, counts only. */
  | { kind: "summary"; limit: number }
  /** A `.json` page: the newest `liveloot/v1` draws numbered below `before` (all when undefined), with lists. */
  | { kind: "record"; before: number | undefined; limit: number }
  /** One draw's record: what the Verify button fetches. */
  | { kind: "draw"; drawNumber: number };

type RaffleRow = GateColumnsRow & {
  public_id: string;
  twitch_broadcaster_login: string;
  every_minutes: number;
  cooldown_minutes: number;
  luck: boolean;
  rules: string | null;
  status: "running" | "paused" | "stopped";
  started_at: string;
  draw_total: string;
  terms_version: number;
};

type TermsRow = GateColumnsRow & {
  version: number;
  twitch_broadcaster_login: string;
  every_minutes: number;
  cooldown_minutes: number;
  luck: boolean;
  rules: string | null;
};

type DrawRow = {
  /** Set on the first selected draw of each version of the terms. */
  terms: TermsRow | null;
  terms_version: number;
  channel_login: string;
  draw_number: number | null;
  kind: "scheduled" | "manual";
  slot_at: string;
  item_id: string | null;
  item_name: string;
  winner_twitch_user_id: string;
  winner_twitch_login: string;
  winner_twitch_display_name: string;
  candidate_count: number;
  algorithm: string | null;
  slot_label: string | null;
  beacon_round: string | null;
  beacon_signature: string | null;
  randomness: string | null;
  entrants_read_at: string | null;
  entrants: unknown;
  entrant_count: number;
  entrants_sha256: string | null;
  items: unknown;
  items_sha256: string | null;
  claims: { n: number; user_id: string; login: string; name: string; status: PublicClaim["status"] }[] | null;
};

const isoMilliseconds = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/**
 * The raffle with this public id and its newest draws (oldest first), in one round trip; undefined
 * when the id is malformed or unknown.
 */
export async function readPublicRaffle(
  database: Queryable,
  publicId: string,
  selection: PublicDrawSelection = { kind: "summary", limit: publicDrawLimit },
): Promise<PublicRaffle | undefined> {
  if (!publicRaffleIdPattern.test(publicId)) return undefined;
  const withLists = selection.kind !== "summary";
  const filter =
    selection.kind === "summary"
      ? { where: "true", limit: selection.limit, values: [] }
      : selection.kind === "draw"
        ? { where: "d.algorithm is not null and d.draw_number = $3", limit: 1, values: [selection.drawNumber] }
        : {
            where: "d.algorithm is not null and ($3::integer is null or d.draw_number < $3)",
            limit: selection.limit,
            values: [selection.before ?? null],
          };
  const [raffleRows = [], drawRows = []] = await database.batch([
    {
      text: `select r.public_id, r.twitch_broadcaster_login, r.every_minutes, r.cooldown_minutes, r.luck, r.rules,
         ${selectGateColumns("r")}, ${selectTermsVersion("r")},
         r.status, to_char(r.started_at at time zone 'UTC', ${isoMilliseconds}) as started_at,
         (select count(*) from draws d where d.raffle_id = r.id)::text as draw_total
       from raffles r where r.public_id = $1`,
      values: [publicId],
    },
    {
      // The lists only when they are published: the page and the CSV show counts. Each version of
      // the terms is read once, with the first (oldest) selected draw made under it.
      text: `select newest.*,
         case when row_number() over (partition by newest.terms_id order by sort_slot_at, sort_id) = 1 then
           (select row_to_json(terms_row) from (
              select t.version, t.twitch_broadcaster_login, t.every_minutes, t.cooldown_minutes, t.luck, t.rules,
                ${selectGateColumns("t")}
              from raffle_terms t where t.id = newest.terms_id) terms_row)
         end as terms
       from (
         select d.draw_number, d.kind, to_char(d.slot_at at time zone 'UTC', ${isoMilliseconds}) as slot_at,
           d.item_id::text as item_id, d.item_name, d.winner_twitch_user_id, d.winner_twitch_login,
           d.winner_twitch_display_name, d.candidate_count, d.algorithm, d.slot_label,
           d.beacon_round::text as beacon_round, d.beacon_signature, d.randomness,
           to_char(d.entrants_read_at at time zone 'UTC', ${isoMilliseconds}) as entrants_read_at,
           ${withLists ? "d.entrants, coalesce(d.items, (select l.items from draw_item_lists l where l.id = d.item_list_id)) as items" : "null as entrants, null as items"},
           coalesce(jsonb_array_length(d.entrants), d.candidate_count) as entrant_count,
           d.entrants_sha256, d.items_sha256, d.slot_at as sort_slot_at, d.id as sort_id,
           d.terms_id, t.version as terms_version, t.twitch_broadcaster_login as channel_login,
           (select json_agg(json_build_object('n', c.n, 'user_id', c.winner_twitch_user_id,
              'login', c.winner_twitch_login, 'name', c.winner_twitch_display_name, 'status', c.status) order by c.n)
            from claims c where c.draw_id = d.id) as claims
         from draws d join raffles r on r.id = d.raffle_id join raffle_terms t on t.id = d.terms_id
         where r.public_id = $1 and ${filter.where}
         order by d.slot_at desc, d.id desc
         limit $2
       ) newest order by sort_slot_at, sort_id`,
      values: [publicId, filter.limit, ...filter.values],
    },
  ]);
  const raffle = raffleRows[0] as RaffleRow | undefined;
  if (!raffle) return undefined;
  return {
    publicId: raffle.public_id,
    channelLogin: raffle.twitch_broadcaster_login,
    everyMinutes: raffle.every_minutes,
    cooldownMinutes: raffle.cooldown_minutes,
    luck: raffle.luck,
    rules: raffle.rules,
    gates: mapGates(raffle),
    status: raffle.status,
    startedAt: raffle.started_at,
    draws: (drawRows as DrawRow[]).map(mapPublicDraw),
    terms: listTerms(raffle, drawRows as DrawRow[]),
    drawTotal: Number(raffle.draw_total),
  };
}

/** The versions the draws name (each read with its first draw) and the raffle's current one, oldest first. */
function listTerms(raffle: RaffleRow, draws: DrawRow[]): PublicTerms[] {
  const versions = new Map<number, PublicTerms>();
  for (const draw of draws) if (draw.terms) versions.set(draw.terms.version, mapTerms(draw.terms));
  // The raffle's own columns are its newest version (a trigger keeps them together).
  versions.set(raffle.terms_version, mapTerms({ ...raffle, version: raffle.terms_version }));
  return [...versions.values()].sort((left, right) => left.version - right.version);
}

function mapTerms(row: TermsRow): PublicTerms {
  return {
    version: row.version,
    channelLogin: row.twitch_broadcaster_login,
    everyMinutes: row.every_minutes,
    cooldownMinutes: row.cooldown_minutes,
    luck: row.luck,
    rules: row.rules,
    gates: mapGates(row),
  };
}

function mapPublicDraw(row: DrawRow): PublicDraw {
  const proof = mapProof(row);
  return {
    termsVersion: row.terms_version,
    channelLogin: row.channel_login,
    drawNumber: row.draw_number,
    kind: row.kind,
    slotAt: row.slot_at,
    itemName: row.item_name,
    winnerUserId: row.winner_twitch_user_id,
    winnerLogin: row.winner_twitch_login,
    winnerDisplayName: row.winner_twitch_display_name,
    entrantCount: row.entrant_count,
    proof,
    claims: (row.claims ?? []).map((claim) => ({
      n: claim.n,
      winnerUserId: claim.user_id,
      winnerLogin: claim.login,
      winnerDisplayName: claim.name,
      status: claim.status,
    })),
  };
}

function mapProof(row: DrawRow): VerifiableDrawProof | null {
  if (
    row.algorithm !== "liveloot/v1" ||
    row.slot_label === null ||
    row.randomness === null ||
    row.entrants_read_at === null ||
    row.entrants_sha256 === null ||
    row.items_sha256 === null
  ) {
    return null;
  }
  return {
    algorithm: "liveloot/v1",
    slotLabel: row.slot_label,
    round: row.beacon_round === null ? null : Number(row.beacon_round),
    signature: row.beacon_signature,
    randomness: row.randomness,
    entrantsReadAt: row.entrants_read_at,
    entrants: mapWeightedLines(row.entrants),
    entrantsSha256: row.entrants_sha256,
    items: mapWeightedLines(row.items),
    itemsSha256: row.items_sha256,
    itemId: row.item_id,
  };
}

/** record_draw stores the lists as the Worker published them; ids are made strings whatever JSON type they came in. */
function mapWeightedLines(value: unknown): [string, string, number][] {
  if (!Array.isArray(value)) return [];
  return value.map((line: unknown) => {
    const [id, name, weight] = Array.isArray(line) ? line : [];
    return [String(id), String(name), Number(weight)];
  });
}
