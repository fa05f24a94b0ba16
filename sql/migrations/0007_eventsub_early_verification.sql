-- Twitch sends a new subscription's verification challenge right after answering 202 to its
-- creation, so the challenge can arrive before the Worker has stored the subscription. Such a
-- challenge is remembered here, and storing the subscription then takes it as verified; without
-- this it would stay "pending" and the channel would be polled instead of pushed.
create table twitch_eventsub_early_verifications (
  twitch_subscription_id text primary key check (char_length(twitch_subscription_id) between 1 and 100),
  verified_at timestamptz not null default now()
);
