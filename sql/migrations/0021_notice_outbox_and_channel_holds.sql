-- Nothing recorded is lost, even when Discord refuses (SPEC.md "The draw").
--
-- 1. Notices (the loot ran out, a re-link is needed, nobody eligible for five minutes, an EventSub
--    revocation, "linked as X") are an outbox like draws' and redraws' announcements, with the
--    same `announcement_*` columns, so one delivery leases, retries and records all three. A notice
--    is rendered when it is recorded (in the server's language); `dedupe_key` makes recording it
--    again (a replayed slot, a second tick) add nothing; Discord's nonce is `notice-{id}`.
create table discord_notices (
  id bigint generated always as identity primary key,
  guild_id discord_id_text not null references guilds (id) on delete cascade,
  -- The raffle the notice is about, when there is one: a channel that refuses it pauses that raffle.
  raffle_id bigint references raffles (id) on delete cascade,
  discord_channel_id discord_id_text not null,
  dedupe_key text not null check (char_length(dedupe_key) between 1 and 200),
  message_key text not null check (char_length(message_key) between 1 and 100),
  content text not null check (char_length(content) between 1 and 2000),
  created_at timestamptz not null default now(),
  announcement_status text not null default 'pending'
    check (announcement_status in ('pending', 'delivered', 'failed')),
  announcement_attempts integer not null default 0 check (announcement_attempts >= 0),
  announcement_next_attempt_at timestamptz not null default now(),
  announcement_message_id discord_id_text,
  announced_at timestamptz,
  announcement_last_error text check (char_length(announcement_last_error) <= 1000),
  constraint discord_notices_once unique (guild_id, dedupe_key),
  constraint discord_notices_delivered check (
    (announcement_status = 'delivered') = (announcement_message_id is not null and announced_at is not null)
  )
);
create index discord_notices_pending_announcements on discord_notices (announcement_next_attempt_at)
  where announcement_status = 'pending';
create index discord_notices_pending_by_channel on discord_notices (guild_id, discord_channel_id, created_at, id)
  where announcement_status = 'pending';

-- 2. A channel Discord refused (403/404: gone, or the bot lacks permission there) is held: every
--    outbox skips its posts, and the tick tries the oldest of them again at `next_probe_at` (at
--    most 10 minutes apart). When one goes through, the rest are posted in order, the hold is
--    deleted and the raffles it paused resume. Keyed by guild too, so no server can hold another's.
create table discord_channel_holds (
  guild_id discord_id_text not null references guilds (id) on delete cascade,
  discord_channel_id discord_id_text not null,
  held_since timestamptz not null,
  next_probe_at timestamptz not null,
  probes integer not null default 0 check (probes >= 0),
  last_error text check (char_length(last_error) <= 1000),
  primary key (guild_id, discord_channel_id)
);
create index discord_channel_holds_due on discord_channel_holds (next_probe_at);

-- 3. Discord's Cloudflare answering 429 with its HTML page (error 1015: the Worker's shared address
--    is limited, every route at once) blocks all outbox posts until `blocked_until`: 5 minutes, then
--    doubling up to 60 while it keeps refusing (`strikes`). One row; deleted by the next delivery.
create table discord_rate_limit_blocks (
  scope text primary key check (scope = 'discord'),
  since timestamptz not null,
  blocked_until timestamptz not null,
  strikes integer not null default 1 check (strikes >= 1),
  last_error text check (char_length(last_error) <= 1000)
);

-- Raffles paused for their channel before this migration gave their refused draws up at once and
-- had nothing to resume them: their channels are held now (probed by the next tick) and those
-- draws wait again, so a permission fixed since gets them announced and the raffle resumed.
insert into discord_channel_holds (guild_id, discord_channel_id, held_since, next_probe_at, last_error)
select distinct r.guild_id, r.discord_channel_id, now(), now(), 'held by 0021: paused for its channel before'
from raffles r
where r.status = 'paused' and r.status_reason = 'channel_unavailable'
on conflict do nothing;
update draws d set announcement_status = 'pending', announcement_next_attempt_at = now()
from raffles r
where r.id = d.raffle_id and r.status = 'paused' and r.status_reason = 'channel_unavailable'
  and d.announcement_status = 'failed' and d.announcement_last_error like 'channel unavailable:%';
