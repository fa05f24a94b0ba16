-- 0009 gave subscriptions a broadcaster_id column with its own index (broadcaster_id, type); the
-- tick's "does EventSub push this channel's liveness" now reads that column, so the expression
-- index 0005 built on condition ->> 'broadcaster_user_id' serves nothing and only costs writes.
drop index twitch_eventsub_subscriptions_enabled_by_broadcaster;
