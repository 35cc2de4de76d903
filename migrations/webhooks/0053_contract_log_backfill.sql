-- Backfills of contract-log subscriptions (src/webhooks/subscriptions/backfill.ts).
--
-- A block the follower read before its log interest named a subscription's contracts
-- never carries their logs, even once it is confirmed, so such a backfill must cover
-- every block read without the subscription. The follower stores, with each cursor move
-- that read new blocks under an interest, the interest's watermark (an opaque number to
-- the chains module: the webhook change-log sequence it had caught up to); every later
-- block is read under an interest at least that new. NULL: no block read under one yet.
ALTER TABLE chain_cursors ADD COLUMN interest_mark bigint;

-- The change-log sequence of the subscription's creation: once the follower's
-- interest_mark reaches it, its cursor is the last block the backfill must cover
-- (to_block). NULL for address backfills, which need no such wait.
ALTER TABLE webhook_backfills ADD COLUMN ready_mark bigint;
