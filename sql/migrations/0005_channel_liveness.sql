-- Liveness belongs to the Twitch channel, not to a raffle. A raffle started, restarted or
-- re-targeted while the channel is live reads what is already known about the channel, and
-- several guilds that link one channel share it. sql/README.md explains the ordering rules.
create table twitch_channel_liveness (
  broadcaster_id twitch_id_text primary key,
  is_live boolean not null,
  -- The stream's started_at (Get Streams, or stream.online's event), on Twitch's clock; null
  -- while offline.
  stream_started_at timestamptz,
  -- On the Worker's clock: when this state was applied (a Get Streams answer, or an EventSub
  -- message received). A Get Streams answer older than this is not applied.
  observed_at timestamptz not null,
  source text not null check (source in ('eventsub', 'get_streams')),
  -- Twitch-Eventsub-Message-Timestamp of the last stream event applied, on Twitch's clock: an
  -- event sent before it is late and not applied, so a late stream.offline cannot stop a
  -- stream that went live again.
  last_event_sent_at timestamptz,
  -- The last Get Streams answer, whatever it said. Even while EventSub pushes, the tick asks
  -- again once the state is 10 minutes old, so a lost webhook costs at most 10 minutes.
  polled_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (is_live or stream_started_at is null)
);

create trigger twitch_channel_liveness_set_updated_at before update on twitch_channel_liveness
  for each row execute function set_updated_at();

-- "Does EventSub push this channel's liveness?": both stream subscriptions enabled, in any guild.
create index twitch_eventsub_subscriptions_enabled_by_broadcaster
  on twitch_eventsub_subscriptions ((condition ->> 'broadcaster_user_id'), type)
  where status = 'enabled';

-- The per-raffle flag only ever knew what happened while that raffle existed: a raffle started
-- mid-stream stayed "offline" until the next stream. Nothing reads it any more.
alter table raffles drop column is_live, drop column live_checked_at;
