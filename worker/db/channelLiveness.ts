import type { Queryable } from "./Database";

/** What is known about one Twitch channel being live (sql/README.md, twitch_channel_liveness). */
export interface ChannelLiveness {
  isLive: boolean;
  /** The stream's started_at on Twitch's clock; undefined while offline or unknown. */
  streamStartedAt: number | undefined;
  /** When this state was applied, on the Worker's clock. */
  observedAt: number;
  source: "eventsub" | "get_streams";
  /** The last Get Streams answer, on the Worker's clock. */
  polledAt: number | undefined;
}

/** A Get Streams answer for one broadcaster. */
export interface PolledLiveness {
  broadcasterId: string;
  isLive: boolean;
  streamStartedAt: number | undefined;
}

/** The columns a query selects, as `<alias>_…`, to map with `mapChannelLiveness`. */
export function selectChannelLivenessColumns(alias: string): string {
  return `${alias}.is_live as channel_is_live, ${alias}.stream_started_at as channel_stream_started_at,
    ${alias}.observed_at as channel_observed_at, ${alias}.source as channel_source,
    ${alias}.polled_at as channel_polled_at`;
}

export interface ChannelLivenessRow {
  channel_is_live: boolean | null;
  channel_stream_started_at: Date | null;
  channel_observed_at: Date | null;
  channel_source: string | null;
  channel_polled_at: Date | null;
}

/** Undefined when nothing is known yet about the channel (a left join found no row). */
export function mapChannelLiveness(row: ChannelLivenessRow): ChannelLiveness | undefined {
  if (row.channel_is_live == null || row.channel_observed_at == null) return undefined;
  return {
    isLive: row.channel_is_live,
    streamStartedAt: row.channel_stream_started_at?.getTime(),
    observedAt: row.channel_observed_at.getTime(),
    source: row.channel_source === "eventsub" ? "eventsub" : "get_streams",
    polledAt: row.channel_polled_at?.getTime(),
  };
}

export async function readChannelLiveness(
  database: Queryable,
  broadcasterId: string,
): Promise<ChannelLiveness | undefined> {
  const rows = await database.query<ChannelLivenessRow>(
    `select ${selectChannelLivenessColumns("c")} from twitch_channel_liveness c where c.broadcaster_id = $1`,
    [broadcasterId],
  );
  return rows[0] ? mapChannelLiveness(rows[0]) : undefined;
}

/**
 * Records Get Streams answers taken at `polledAt` (Worker clock), in one statement. An answer is
 * applied only where nothing newer is known: an EventSub message received after `polledAt`
 * wins. Returns each channel's state after that, so the caller acts on what is stored rather
 * than on an answer that was already out of date.
 */
export async function recordPolledLiveness(
  database: Queryable,
  answers: PolledLiveness[],
  polledAt: number,
): Promise<Map<string, ChannelLiveness>> {
  if (answers.length === 0) return new Map();
  const rows = await database.query<ChannelLivenessRow & { broadcaster_id: string }>(
    `with answer as (
       select * from unnest($1::text[], $2::boolean[], $3::timestamptz[]) as a(broadcaster_id, is_live, stream_started_at)
     )
     insert into twitch_channel_liveness as c (broadcaster_id, is_live, stream_started_at, observed_at, source, polled_at)
     select broadcaster_id, is_live, case when is_live then stream_started_at end, $4::timestamptz, 'get_streams',
       $4::timestamptz
     from answer
     on conflict (broadcaster_id) do update set
       is_live = case when c.observed_at <= excluded.observed_at then excluded.is_live else c.is_live end,
       stream_started_at = case when c.observed_at <= excluded.observed_at then excluded.stream_started_at
         else c.stream_started_at end,
       source = case when c.observed_at <= excluded.observed_at then 'get_streams' else c.source end,
       observed_at = greatest(c.observed_at, excluded.observed_at),
       polled_at = greatest(c.polled_at, excluded.polled_at)
     returning c.broadcaster_id, ${selectChannelLivenessColumns("c")}`,
    [
      answers.map((answer) => answer.broadcasterId),
      answers.map((answer) => answer.isLive),
      answers.map((answer) => (answer.streamStartedAt === undefined ? null : new Date(answer.streamStartedAt))),
      new Date(polledAt),
    ],
  );
  const states = new Map<string, ChannelLiveness>();
  for (const row of rows) {
    const state = mapChannelLiveness(row);
    if (state) states.set(row.broadcaster_id, state);
  }
  return states;
}

/** A stream.online or stream.offline notification. */
export interface StreamEvent {
  messageId: string;
  messageType: string;
  subscriptionType: string | undefined;
  broadcasterId: string;
  isLive: boolean;
  /** stream.online's started_at (Twitch clock). */
  streamStartedAt: number | undefined;
  /** Twitch-Eventsub-Message-Timestamp (Twitch clock). */
  sentAt: number;
  /** When the Worker received it. */
  receivedAt: number;
}

/**
 * Records the message id and applies the event to the channel in one statement, so a
 * redelivered message changes nothing and a failed one changes nothing either (Twitch delivers
 * it again). The event is applied only if it is newer than what is known:
 * - sent after the last stream event applied (Twitch's clock against Twitch's clock);
 * - a stream.offline sent before the known stream started is about an earlier stream;
 * - a stream.online for a stream that started before the known one is an earlier stream's.
 */
export async function recordStreamEvent(
  database: Queryable,
  event: StreamEvent,
): Promise<{ isNew: boolean; applied: boolean }> {
  const rows = await database.query<{ is_new: boolean; applied: boolean }>(
    `with new_message as (
       insert into twitch_eventsub_messages (message_id, message_type, subscription_type) values ($1, $2, $3)
       on conflict (message_id) do nothing returning message_id
     ), applied as (
       insert into twitch_channel_liveness as c
         (broadcaster_id, is_live, stream_started_at, observed_at, source, last_event_sent_at)
       select $4, $5::boolean, case when $5::boolean then coalesce($6::timestamptz, $7::timestamptz) end,
         $8::timestamptz, 'eventsub', $7::timestamptz
       where exists (select 1 from new_message)
       on conflict (broadcaster_id) do update set
         is_live = excluded.is_live,
         stream_started_at = excluded.stream_started_at,
         observed_at = greatest(c.observed_at, excluded.observed_at),
         source = 'eventsub',
         last_event_sent_at = excluded.last_event_sent_at
       where (c.last_event_sent_at is null or c.last_event_sent_at < excluded.last_event_sent_at)
         and not (not excluded.is_live and c.is_live and c.stream_started_at > excluded.last_event_sent_at)
         and not (excluded.is_live and c.is_live and c.stream_started_at > excluded.stream_started_at)
       returning broadcaster_id
     )
     select exists (select 1 from new_message) as is_new, exists (select 1 from applied) as applied`,
    [
      event.messageId,
      event.messageType,
      event.subscriptionType ?? null,
      event.broadcasterId,
      event.isLive,
      event.streamStartedAt === undefined ? null : new Date(event.streamStartedAt),
      new Date(event.sentAt),
      new Date(event.receivedAt),
    ],
  );
  return { isNew: Boolean(rows[0]?.is_new), applied: Boolean(rows[0]?.applied) };
}
