-- Custody and deposits (see src/chains/custody/ and src/chains/deposits.ts).

-- The deployment's HD wallet. `sealed_seed` is the BIP-39 mnemonic encrypted with the
-- platform's envelope encryption (null in watch-only mode, where only the xpub is kept).
CREATE TABLE custody_wallets (
  id          text        PRIMARY KEY CHECK (id = 'default'),
  mode        text        NOT NULL CHECK (mode IN ('seed', 'watch_only')),
  sealed_seed text,
  xpub        text        NOT NULL,                   -- account level, m/44'/60'/0'
  created_at  timestamptz NOT NULL DEFAULT now(),
  CHECK ((mode = 'seed') = (sealed_seed IS NOT NULL))
);

-- One derivation index per user, shared by every EVM chain, so an address never
-- belongs to two users on two chains.
CREATE SEQUENCE custody_index_seq MINVALUE 0 START 0;
CREATE TABLE custody_user_indexes (
  user_id          text        PRIMARY KEY,
  derivation_index integer     NOT NULL UNIQUE,
  created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE deposit_addresses (
  chain_key        text        NOT NULL,
  address          text        NOT NULL,              -- lowercase
  user_id          text        NOT NULL,
  derivation_index integer     NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (chain_key, address),
  UNIQUE (chain_key, user_id)
);

-- A deposit exists once per chain event. It is credited exactly when its row moves from
-- `pending` to `confirmed` (a conditional update in the follower's transaction).
CREATE TABLE deposits (
  id            text        PRIMARY KEY,              -- dep_…
  event_id      text        NOT NULL UNIQUE,
  chain_key     text        NOT NULL,
  user_id       text        NOT NULL,
  asset         text        NOT NULL,
  amount        numeric     NOT NULL CHECK (amount > 0),
  address       text        NOT NULL,
  from_address  text,
  tx_hash       text        NOT NULL,
  block_number  bigint      NOT NULL,
  block_hash    text        NOT NULL,
  status        text        NOT NULL
                CHECK (status IN ('pending', 'confirmed', 'credit_failed', 'removed',
                                  'reorged_after_credit')),
  ledger_ref    text,
  credit_error  text,                                  -- why the ledger refused (credit_failed)
  created_at    timestamptz NOT NULL DEFAULT now(),
  confirmed_at  timestamptz,
  removed_at    timestamptz
);

CREATE INDEX deposits_user_idx ON deposits (user_id, id);
CREATE INDEX deposits_block_idx ON deposits (chain_key, block_number);
CREATE INDEX deposits_pending_idx ON deposits (chain_key) WHERE status = 'pending';
CREATE INDEX deposits_removed_idx ON deposits (chain_key) WHERE status = 'removed';
