-- The tick takes the raffles of channels known live first (worker/db/dueRaffles.ts): an offline
-- channel's raffle keeps its old next_slot_at, and ordered by that alone, enough of them would
-- fill every tick. Few channels are live at once, so this index is small.
create index twitch_channel_liveness_live on twitch_channel_liveness (broadcaster_id) where is_live;

-- twitch_eventsub_messages is purged by the tick along twitch_eventsub_messages_by_age (0001).
