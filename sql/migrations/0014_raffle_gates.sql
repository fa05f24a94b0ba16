-- Who may win (SPEC.md, `/raffle start` gates): followers (for at least `min_follow_minutes`),
-- subscribers, accounts at least `min_account_days` old, viewers who chatted in the last
-- `active_minutes`. The Worker checks them against Twitch's answers, cached per viewer in Redis,
-- before read_draw_entrants: the entrants a draw publishes are the chat after the gates.
alter table raffles
  add column followers_only boolean not null default false,
  add column min_follow_minutes integer not null default 0 check (min_follow_minutes between 0 and 525600),
  add column subscribers_only boolean not null default false,
  add column min_account_days integer not null default 0 check (min_account_days between 0 and 3650),
  add column active_minutes integer not null default 0 check (active_minutes between 0 and 60),
  -- Why the last empty slot was empty, beside last_empty_candidates (the chat before the gates):
  -- how many the gates left out, and the gate after which nobody was left (null: not a gate).
  add column last_empty_gated integer check (last_empty_gated >= 0),
  add column last_empty_gate text check (last_empty_gate in ('active', 'account_age', 'subscribers', 'followers')),
  -- The last slot skipped because a gate could not be checked; /raffle status says so until a
  -- later slot is recorded. Reason: Twitch failed (`gate_failure_status`: a 5xx, a 429, a
  -- refusal), the link lacks the gate's scope, the gate facts' cache (Redis) is down (the chat
  -- gate has no other source), or the channel's `channel.chat.message` subscription is not enabled.
  add column gate_failure text check (gate_failure in ('active', 'account_age', 'subscribers', 'followers')),
  add column gate_failure_reason text check (gate_failure_reason in ('twitch', 'scope', 'cache', 'subscription')),
  add column gate_failure_status integer,
  add column gate_failure_at timestamptz;

-- Scopes a link asks for beyond the usual ones: the chat gate's `user:read:chat` and `user:bot`,
-- asked for only when a raffle uses the gate (its re-link button, or /twitch connect while such a
-- raffle runs).
alter table oauth_states
  add column extra_scopes text[] not null default '{}'
    check (extra_scopes <@ array['user:read:chat', 'user:bot']::text[]);
