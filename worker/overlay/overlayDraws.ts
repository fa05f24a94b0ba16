import type { Queryable } from "../db/Database";
import { buildReel, type OverlayDraw, type OverlayWinner } from "./overlayEvents";

/** Draws `/overlay/{token}/state` lists, newest first (docs/contract.md). */
export const overlayStateDrawLimit = 10;

const isoMilliseconds = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/**
 * The columns of one overlay draw. Its winner is the latest claim's (a redraw's pick once the
 * first winner let the prize expire), else the draw's own; only `liveloot/v1` draws, which record
 * the items and their weights the reel is made of, are shown.
 */
const overlayDrawColumns = `r.guild_id, r.public_id, d.draw_number, d.slot_label,
  to_char(d.created_at at time zone 'UTC', ${isoMilliseconds}) as at,
  coalesce(c.winner_twitch_user_id, d.winner_twitch_user_id) as winner_user_id,
  coalesce(c.winner_twitch_login, d.winner_twitch_login) as winner_login,
  coalesce(c.winner_twitch_display_name, d.winner_twitch_display_name) as winner_display_name,
  d.item_id::text as item_id, d.item_name,
  coalesce(d.items, (select l.items from draw_item_lists l where l.id = d.item_list_id)) as items,
  d.beacon_round::text as beacon_round, d.randomness,
  case when c.status = 'open' then to_char(c.expires_at at time zone 'UTC', ${isoMilliseconds}) end as claim_expires_at`;

const latestClaimJoin = `left join lateral (
    select c.winner_twitch_user_id, c.winner_twitch_login, c.winner_twitch_display_name, c.status, c.expires_at
    from claims c where c.draw_id = d.id order by c.n desc limit 1
  ) c on true`;

interface OverlayDrawRow {
  guild_id: string;
  public_id: string;
  draw_number: number;
  slot_label: string;
  at: string;
  winner_user_id: string;
  winner_login: string;
  winner_display_name: string;
  item_id: string | null;
  item_name: string;
  items: unknown;
  beacon_round: string | null;
  randomness: string;
  claim_expires_at: string | null;
}

/** A draw to publish, with the server it belongs to and whether it is a redraw's new winner. */
export interface PublishableDraw {
  guildId: string;
  kind: "draw" | "redraw";
  draw: OverlayDraw;
}

/**
 * The draws and redraws (by the claims a redraw made) just committed, of servers that have an
 * overlay link: one query, and nothing at all to publish for a server without one.
 */
export async function readPublishableDraws(
  database: Queryable,
  publicBaseUrl: string,
  selection: { drawIds: readonly string[]; redrawClaimIds: readonly string[] },
): Promise<PublishableDraw[]> {
  if (selection.drawIds.length === 0 && selection.redrawClaimIds.length === 0) return [];
  const rows = await database.query<OverlayDrawRow & { is_redraw: boolean }>(
    `select ${overlayDrawColumns}, not (d.id = any($1::bigint[])) as is_redraw
     from draws d
     join raffles r on r.id = d.raffle_id
     join overlay_links o on o.guild_id = r.guild_id
     ${latestClaimJoin}
     where (d.id = any($1::bigint[]) or d.id in (select draw_id from claims where id = any($2::bigint[])))
       and d.algorithm is not null and d.draw_number is not null
     order by d.draw_number`,
    [selection.drawIds, selection.redrawClaimIds],
  );
  return rows.map((row) => ({
    guildId: row.guild_id,
    kind: row.is_redraw ? "redraw" : "draw",
    draw: mapOverlayDraw(row, publicBaseUrl),
  }));
}

/** What `/overlay/{token}/state` answers: the server's latest raffle and its newest draws. */
export interface OverlayState {
  raffle: { id: string; status: "running" | "paused" | "stopped"; every: number; channel: string } | null;
  draws: OverlayDraw[];
}

export async function readOverlayState(
  database: Queryable,
  publicBaseUrl: string,
  guildId: string,
): Promise<OverlayState> {
  const [raffleRows = [], drawRows = []] = await database.batch([
    {
      text: `select public_id, status, every_minutes, twitch_broadcaster_login from raffles
       where guild_id = $1 order by started_at desc, id desc limit 1`,
      values: [guildId],
    },
    {
      text: `select ${overlayDrawColumns}
       from draws d
       join raffles r on r.id = d.raffle_id
       ${latestClaimJoin}
       where d.raffle_id = (select id from raffles where guild_id = $1 order by started_at desc, id desc limit 1)
         and d.algorithm is not null and d.draw_number is not null
       order by d.draw_number desc
       limit $2`,
      values: [guildId, overlayStateDrawLimit],
    },
  ]);
  const raffle = raffleRows[0] as
    | {
        public_id: string;
        status: "running" | "paused" | "stopped";
        every_minutes: number;
        twitch_broadcaster_login: string;
      }
    | undefined;
  return {
    raffle: raffle
      ? {
          id: raffle.public_id,
          status: raffle.status,
          every: raffle.every_minutes,
          channel: raffle.twitch_broadcaster_login,
        }
      : null,
    draws: (drawRows as OverlayDrawRow[]).map((row) => mapOverlayDraw(row, publicBaseUrl)),
  };
}

export async function hasOverlayLink(database: Queryable, guildId: string): Promise<boolean> {
  const rows = await database.query("select 1 from overlay_links where guild_id = $1", [guildId]);
  return rows.length > 0;
}

/** A claim just made, as the overlay's `claimed` event names it. */
export async function readClaimForOverlay(
  database: Queryable,
  claimId: string,
): Promise<{ guildId: string; raffle: string; drawNumber: number; by: OverlayWinner } | undefined> {
  const rows = await database.query<{
    guild_id: string;
    public_id: string;
    draw_number: number | null;
    winner_twitch_user_id: string;
    winner_twitch_login: string;
    winner_twitch_display_name: string;
  }>(
    `select r.guild_id, r.public_id, d.draw_number, c.winner_twitch_user_id, c.winner_twitch_login,
       c.winner_twitch_display_name
     from claims c
     join draws d on d.id = c.draw_id
     join raffles r on r.id = d.raffle_id
     join overlay_links o on o.guild_id = r.guild_id
     where c.id = $1 and c.status = 'claimed'`,
    [claimId],
  );
  const row = rows[0];
  if (!row || row.draw_number === null) return undefined;
  return {
    guildId: row.guild_id,
    raffle: row.public_id,
    drawNumber: row.draw_number,
    by: {
      platform: "twitch",
      user_id: row.winner_twitch_user_id,
      login: row.winner_twitch_login,
      display_name: row.winner_twitch_display_name,
    },
  };
}

function mapOverlayDraw(row: OverlayDrawRow, publicBaseUrl: string): OverlayDraw {
  const items = readItems(row.items);
  const total = items.reduce((sum, item) => sum + item.weight, 0);
  // The record keeps the drawn item's id even after the item was removed (draws.item_id is then null).
  const drawn =
    items.find((item) => item.id === row.item_id) ?? items.find((item) => item.name === row.item_name) ?? undefined;
  const item = drawn ?? { id: row.item_id ?? "", name: row.item_name, weight: 0 };
  return {
    raffle: row.public_id,
    draw_number: row.draw_number,
    slot: row.slot_label,
    at: row.at,
    winner: {
      platform: "twitch",
      user_id: row.winner_user_id,
      login: row.winner_login,
      display_name: row.winner_display_name,
    },
    item: { id: item.id, name: item.name, weight: item.weight, chance: total > 0 ? item.weight / total : 0 },
    reel: buildReel(items, item.id, row.randomness),
    round: row.beacon_round === null ? null : Number(row.beacon_round),
    verify_url: `${publicBaseUrl}/r/${encodeURIComponent(row.public_id)}#draw-${row.draw_number}`,
    claim_expires_at: row.claim_expires_at,
  };
}

/** The record's `[[item_id, name, weight]]`, as make_raffle stored it. */
function readItems(value: unknown): { id: string; name: string; weight: number }[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((line: unknown) => {
    if (!Array.isArray(line) || line.length < 3) return [];
    const weight = Number(line[2]);
    return Number.isFinite(weight) && weight > 0 ? [{ id: String(line[0]), name: String(line[1]), weight }] : [];
  });
}
