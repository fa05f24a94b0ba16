-- A raffle can also be paused because Twitch refuses its viewer list (Get Chatters answers 403:
-- the linked account is neither the broadcaster nor one of its moderators).
alter table raffles drop constraint raffles_status_reason_check;
alter table raffles add constraint raffles_status_reason_check check (
  status_reason in (
    'stopped_by_user',
    'no_items',
    'twitch_disconnected',
    'twitch_needs_reauth',
    'channel_unavailable',
    'chatters_forbidden'
  )
);
