-- Withdrawals (on-chain sends) and the nonce manager (see src/chains/withdrawals/).

-- The next nonce of each hot wallet. A nonce is taken by incrementing this row in the
-- same transaction that stores the transaction signed with it, so a rollback gives it
-- back (no gap) and the row lock hands each concurrent sender a different one (no reuse).
CREATE TABLE chain_nonces (
  chain_key  text   NOT NULL,
  address    text   NOT NULL,
  next_nonce bigint NOT NULL CHECK (next_nonce >= 0),
  PRIMARY KEY (chain_key, address)
);

CREATE TABLE withdrawals (
  id               text        PRIMARY KEY,           -- wd_…
  user_id          text        NOT NULL,
  chain_key        text        NOT NULL,
  asset            text        NOT NULL,
  to_address       text        NOT NULL,              -- lowercase
  amount           numeric     NOT NULL CHECK (amount > 0),
  status           text        NOT NULL CHECK (status IN (
                     'pending_approval', 'queued', 'signed', 'broadcast',
                     'confirmed', 'failed', 'rejected', 'completed')),
  internal_user_id text,                              -- set when settled inside the ledger
  hold_ref         text,
  from_address     text,
  nonce            bigint,
  tx_hash          text,                              -- latest attempt
  gas_limit        bigint,
  block_number     bigint,
  failure_reason   text,
  approved_by      text,
  usage_day        date        NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  broadcast_at     timestamptz,
  finished_at      timestamptz,
  UNIQUE (chain_key, from_address, nonce)
);

CREATE INDEX withdrawals_user_idx ON withdrawals (user_id, id);
CREATE INDEX withdrawals_active_idx ON withdrawals (chain_key, status)
  WHERE status IN ('queued', 'signed', 'broadcast');

-- Every signed transaction of a withdrawal: the first and each fee replacement. Any of
-- them may be the one mined.
CREATE TABLE withdrawal_attempts (
  tx_hash         text        PRIMARY KEY,
  withdrawal_id   text        NOT NULL REFERENCES withdrawals (id),
  raw_tx          text        NOT NULL,
  max_fee_per_gas numeric     NOT NULL,
  priority_fee    numeric     NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX withdrawal_attempts_withdrawal_idx ON withdrawal_attempts (withdrawal_id);

-- Per user, asset and UTC day: the amount withdrawn (taken atomically against the limit).
CREATE TABLE withdrawal_usage (
  user_id text    NOT NULL,
  asset   text    NOT NULL,
  day     date    NOT NULL,
  amount  numeric NOT NULL CHECK (amount >= 0),
  PRIMARY KEY (user_id, asset, day)
);

CREATE TABLE withdrawal_allowlist (
  user_id    text        NOT NULL,
  chain_key  text        NOT NULL,
  address    text        NOT NULL,
  label      text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, chain_key, address)
);
