-- Chains: the reorg-safe follower's state (see src/chains/follower.ts).

-- One row per chain: the last block fully processed. Every follower write first
-- updates this row with its lease's fencing token and only if no higher token has
-- written, so a stale follower cannot move the cursor after losing its lease.
CREATE TABLE chain_cursors (
  chain_key     text        PRIMARY KEY,
  block_number  bigint      NOT NULL,                 -- -1 before the first block
  block_hash    text        NOT NULL,
  -- Highest block whose `confirmed` stage was announced; only a deep reorg lowers it.
  confirmed_number bigint   NOT NULL,
  fencing_token bigint      NOT NULL DEFAULT 0,
  holder        text,
  head_number   bigint,                               -- the node's head at the last poll
  status        text        NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'halted')),
  halt_reason   text,
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- The recent canonical blocks as we linked them (number → hash → parent). A reorg is
-- found when a new block's parent is not the hash we hold, and resolved by walking the
-- node's chain back by parent hash until it meets a hash held here.
CREATE TABLE chain_blocks (
  chain_key   text   NOT NULL,
  number      bigint NOT NULL,
  hash        text   NOT NULL,
  parent_hash text   NOT NULL,
  block_time  bigint NOT NULL,                         -- seconds since the epoch
  PRIMARY KEY (chain_key, number)
);

-- Every decoded event. `id` is derived from (chain, block hash, tx index, log index,
-- item) so a re-read block produces the same ids and inserts nothing twice. Events of a
-- block that a reorg dropped stay, with stage `removed`.
CREATE TABLE chain_events (
  id           text        PRIMARY KEY,
  chain_key    text        NOT NULL,
  block_number bigint      NOT NULL,
  block_hash   text        NOT NULL,
  tx_hash      text        NOT NULL,
  tx_index     integer     NOT NULL,
  log_index    integer     NOT NULL,                  -- -1: native value transfer
  item_index   integer     NOT NULL DEFAULT 0,
  kind         text        NOT NULL CHECK (kind IN ('native', 'erc20', 'erc721', 'erc1155', 'log')),
  contract     text,
  from_address text,
  to_address   text,
  token_id     numeric,
  amount       numeric,
  filter       text,
  topics       jsonb,
  data         text,
  decoded      jsonb,
  stage        text        NOT NULL CHECK (stage IN ('pending', 'confirmed', 'removed')),
  seen_at      timestamptz NOT NULL DEFAULT now(),
  confirmed_at timestamptz,
  removed_at   timestamptz
);

CREATE INDEX chain_events_block_idx ON chain_events (chain_key, block_number);
CREATE INDEX chain_events_pending_idx ON chain_events (chain_key, block_number)
  WHERE stage = 'pending';
