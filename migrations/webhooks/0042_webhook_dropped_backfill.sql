-- Webhooks (see src/webhooks): `tx.dropped` for watched transactions that are never
-- mined, and backfills of addresses added with a `from_block` in the past.

-- A watched transaction hash is armed with the time by which it must be mined
-- (`drop_at`). Ingest clears it when the hash shows up in a block; the sweep clears it
-- and sets `dropped_at` when it sends `tx.dropped`. Addresses never have one.
ALTER TABLE webhook_watch_items
  ADD COLUMN drop_at    timestamptz,
  ADD COLUMN dropped_at timestamptz;
CREATE INDEX webhook_watch_items_drop_idx ON webhook_watch_items (drop_at)
  WHERE drop_at IS NOT NULL;

-- The newest block time ingest has seen per chain. Drops are judged on this clock, not
-- the wall clock: while the follower lags or is halted nothing is declared dropped,
-- because a block nobody has read yet may hold the transaction.
CREATE TABLE webhook_chain_clock (
  chain_key     text        PRIMARY KEY,
  block_number  bigint      NOT NULL,
  block_time    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- One backfill per add of addresses with a past `from_block`: blocks `from_block` up to
-- `to_block` (the follower's confirmed height when the job first ran) are re-read for
-- `addresses` only. `next_block` is the progress a restarted job resumes from; `job_id`
-- names the one job allowed to advance it (a slice hands over to its continuation).
CREATE TABLE webhook_backfills (
  id               text        PRIMARY KEY,               -- wbf_…
  subscription_id  text        NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
  chain_key        text        NOT NULL,
  addresses        text[]      NOT NULL,
  from_block       bigint      NOT NULL,
  to_block         bigint,
  next_block       bigint      NOT NULL,
  last_hash        text,                                  -- hash of block next_block - 1
  state            text        NOT NULL DEFAULT 'queued'
                   CHECK (state IN ('queued', 'running', 'done', 'failed')),
  job_id           text,
  messages         integer     NOT NULL DEFAULT 0,
  last_error       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  finished_at      timestamptz
);
CREATE INDEX webhook_backfills_subscription_idx ON webhook_backfills (subscription_id, id);
