-- Contract-log subscriptions count from a block (`from_block`), as watched addresses do
-- per item in webhook_watch_items. NULL: from the first block the follower reads after
-- the subscription was created. Other kinds leave it NULL.
ALTER TABLE webhook_subscriptions ADD COLUMN from_block bigint;
