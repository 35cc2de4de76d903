-- Wallet (see src/wallet/service.ts): the user-facing side of the ledger. The ledger holds
-- the money; these tables hold what the wallet did with it (payments, requests, quotes
-- and trades, fiat deposits and withdrawals, adjustments), the per-user risk state (tier,
-- freeze, limit counters) and a typed activity feed for history. Every row that records
-- a movement names its ledger transaction, written in the same database transaction.
-- Amounts are minor units of the asset, numeric(78,0) like the ledger's.

CREATE FUNCTION wallet_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'wallet: % on % is not allowed (%)', TG_OP, TG_TABLE_NAME, TG_ARGV[0]
    USING ERRCODE = 'integrity_constraint_violation';
END
$$;

-- Risk state per user. Every money-moving transaction reads its users' rows FOR SHARE,
-- so a freeze (an UPDATE) waits for movements in flight and every later one sees it.
CREATE TABLE wallet_profiles (
  user_id       text        PRIMARY KEY,
  tier          text        NOT NULL DEFAULT 'unverified'
                            CHECK (tier IN ('unverified', 'verified', 'enhanced')),
  frozen        boolean     NOT NULL DEFAULT false,
  frozen_reason text,
  frozen_at     timestamptz,
  frozen_by     text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  CHECK (frozen = (frozen_at IS NOT NULL))
);

-- Usage against limits: `daily:<ASSET>` (minor units per UTC day) and `hourly` (movements
-- per clock hour). Consumed with one conditional upsert that refuses to pass the limit,
-- in the same transaction as the movement, so a refused movement gives its usage back.
CREATE TABLE wallet_limit_counters (
  user_id      text          NOT NULL,
  counter      text          NOT NULL,
  period_start timestamptz   NOT NULL,
  amount       numeric(78,0) NOT NULL CHECK (amount >= 0),
  PRIMARY KEY (user_id, counter, period_start)
);

CREATE TABLE wallet_payments (
  id                    text          PRIMARY KEY,                 -- pay_…
  payer_id              text          NOT NULL,
  payee_id              text          NOT NULL,
  asset                 text          NOT NULL,
  amount                numeric(78,0) NOT NULL CHECK (amount > 0),
  note                  text,
  payment_request_id    text,
  -- The payer's Idempotency-Key, kept beyond the HTTP layer's 24 h so a late retry
  -- still finds the payment instead of paying again.
  request_key           text,
  ledger_transaction_id text          NOT NULL UNIQUE,
  created_at            timestamptz   NOT NULL,
  CHECK (payer_id <> payee_id)
);
CREATE UNIQUE INDEX wallet_payments_request_key ON wallet_payments (payer_id, request_key)
  WHERE request_key IS NOT NULL;
CREATE UNIQUE INDEX wallet_payments_request_paid_once ON wallet_payments (payment_request_id)
  WHERE payment_request_id IS NOT NULL;
CREATE INDEX wallet_payments_payer ON wallet_payments (payer_id, id);
CREATE INDEX wallet_payments_payee ON wallet_payments (payee_id, id);
CREATE TRIGGER wallet_payments_append_only BEFORE UPDATE OR DELETE ON wallet_payments
  FOR EACH ROW EXECUTE FUNCTION wallet_refuse_change('payments are final; refund with a new payment');

CREATE TABLE wallet_payment_requests (
  id           text          PRIMARY KEY,                          -- prq_…
  requester_id text          NOT NULL,                             -- who gets paid
  payer_id     text          NOT NULL,                             -- who is asked
  asset        text          NOT NULL,
  amount       numeric(78,0) NOT NULL CHECK (amount > 0),
  note         text,
  status       text          NOT NULL DEFAULT 'pending'
                             CHECK (status IN ('pending', 'paid', 'declined', 'cancelled')),
  payment_id   text,
  created_at   timestamptz   NOT NULL,
  resolved_at  timestamptz,
  CHECK (requester_id <> payer_id),
  CHECK ((status = 'paid') = (payment_id IS NOT NULL)),
  CHECK ((status = 'pending') = (resolved_at IS NULL))
);
CREATE INDEX wallet_payment_requests_requester ON wallet_payment_requests (requester_id, id);
CREATE INDEX wallet_payment_requests_payer ON wallet_payment_requests (payer_id, id);
-- A request resolves once.
CREATE TRIGGER wallet_payment_requests_resolve_once BEFORE UPDATE ON wallet_payment_requests
  FOR EACH ROW WHEN (OLD.status <> 'pending' OR OLD.amount IS DISTINCT FROM NEW.amount
                     OR OLD.asset IS DISTINCT FROM NEW.asset OR OLD.payer_id IS DISTINCT FROM NEW.payer_id
                     OR OLD.requester_id IS DISTINCT FROM NEW.requester_id)
  EXECUTE FUNCTION wallet_refuse_change('a payment request resolves once and its terms are fixed');

-- A quote freezes everything about a trade; executing it only stamps it. The split of
-- what the user spends always adds up (fee + cost + residue), in the spend asset.
CREATE TABLE wallet_quotes (
  id                    text          PRIMARY KEY,                 -- quo_…
  user_id               text          NOT NULL,
  side                  text          NOT NULL CHECK (side IN ('buy', 'sell', 'convert')),
  mode                  text          NOT NULL CHECK (mode IN ('spend', 'receive')),
  spend_asset           text          NOT NULL,
  receive_asset         text          NOT NULL,
  spend_amount          numeric(78,0) NOT NULL CHECK (spend_amount > 0),
  receive_amount        numeric(78,0) NOT NULL CHECK (receive_amount > 0),
  fee_amount            numeric(78,0) NOT NULL CHECK (fee_amount >= 0),
  cost_amount           numeric(78,0) NOT NULL CHECK (cost_amount > 0),
  residue_amount        numeric(78,0) NOT NULL CHECK (residue_amount >= 0),
  -- Exact rates as fractions: whole receive units per whole spend unit.
  rate_numerator        numeric       NOT NULL CHECK (rate_numerator > 0),
  rate_denominator      numeric       NOT NULL CHECK (rate_denominator > 0),
  mid_numerator         numeric       NOT NULL CHECK (mid_numerator > 0),
  mid_denominator       numeric       NOT NULL CHECK (mid_denominator > 0),
  spread_bps            integer       NOT NULL CHECK (spread_bps >= 0),
  fee_bps               integer       NOT NULL CHECK (fee_bps >= 0),
  price_source          text          NOT NULL,
  price_observed_at     timestamptz   NOT NULL,
  status                text          NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'executed')),
  trade_id              text          NOT NULL UNIQUE,             -- trd_…, fixed at quote time
  ledger_transaction_id text          UNIQUE,
  created_at            timestamptz   NOT NULL,
  expires_at            timestamptz   NOT NULL,
  executed_at           timestamptz,
  CHECK (spend_asset <> receive_asset),
  CHECK (spend_amount = fee_amount + cost_amount + residue_amount),
  CHECK ((status = 'executed') = (executed_at IS NOT NULL)),
  CHECK ((status = 'executed') = (ledger_transaction_id IS NOT NULL)),
  CHECK (executed_at IS NULL OR executed_at < expires_at)
);
CREATE INDEX wallet_quotes_user ON wallet_quotes (user_id, id);
CREATE INDEX wallet_quotes_trades ON wallet_quotes (user_id, trade_id) WHERE status = 'executed';
CREATE TRIGGER wallet_quotes_execute_once BEFORE UPDATE ON wallet_quotes
  FOR EACH ROW WHEN (OLD.status <> 'open' OR OLD.spend_amount IS DISTINCT FROM NEW.spend_amount
                     OR OLD.receive_amount IS DISTINCT FROM NEW.receive_amount
                     OR OLD.expires_at IS DISTINCT FROM NEW.expires_at
                     OR OLD.user_id IS DISTINCT FROM NEW.user_id)
  EXECUTE FUNCTION wallet_refuse_change('a quote is executed once and its terms are fixed');

CREATE TABLE wallet_fiat_deposits (
  id                    text          PRIMARY KEY,                 -- fdp_…
  user_id               text          NOT NULL,
  asset                 text          NOT NULL,
  amount                numeric(78,0) NOT NULL CHECK (amount > 0),
  rail                  text          NOT NULL,
  rail_reference        text,                                      -- set once the rail took it
  status                text          NOT NULL DEFAULT 'pending'
                                      CHECK (status IN ('pending', 'settled', 'failed')),
  failure_reason        text,
  request_key           text,
  ledger_transaction_id text          UNIQUE,
  created_at            timestamptz   NOT NULL,
  finished_at           timestamptz,
  CHECK ((status = 'settled') = (ledger_transaction_id IS NOT NULL)),
  CHECK ((status = 'pending') = (finished_at IS NULL))
);
CREATE UNIQUE INDEX wallet_fiat_deposits_request_key ON wallet_fiat_deposits (user_id, request_key)
  WHERE request_key IS NOT NULL;
CREATE INDEX wallet_fiat_deposits_user ON wallet_fiat_deposits (user_id, id);

CREATE TABLE wallet_fiat_withdrawals (
  id                    text          PRIMARY KEY,                 -- fwd_…
  user_id               text          NOT NULL,
  asset                 text          NOT NULL,
  amount                numeric(78,0) NOT NULL CHECK (amount > 0),
  destination           text          NOT NULL,
  rail                  text          NOT NULL,
  rail_reference        text,                                      -- set once the rail took it
  status                text          NOT NULL DEFAULT 'pending'
                                      CHECK (status IN ('pending', 'completed', 'failed')),
  failure_reason        text,
  request_key           text,
  ledger_hold_id        text          NOT NULL UNIQUE,
  ledger_transaction_id text          UNIQUE,
  created_at            timestamptz   NOT NULL,
  finished_at           timestamptz,
  CHECK ((status = 'completed') = (ledger_transaction_id IS NOT NULL)),
  CHECK ((status = 'pending') = (finished_at IS NULL))
);
CREATE UNIQUE INDEX wallet_fiat_withdrawals_request_key ON wallet_fiat_withdrawals (user_id, request_key)
  WHERE request_key IS NOT NULL;
CREATE INDEX wallet_fiat_withdrawals_user ON wallet_fiat_withdrawals (user_id, id);

-- Corrections by an operator, always with a reason; also in the audit log.
CREATE TABLE wallet_adjustments (
  id                    text          PRIMARY KEY,                 -- adj_…
  user_id               text          NOT NULL,
  asset                 text          NOT NULL,
  direction             text          NOT NULL CHECK (direction IN ('credit', 'debit')),
  amount                numeric(78,0) NOT NULL CHECK (amount > 0),
  reason                text          NOT NULL CHECK (length(reason) >= 3),
  actor_id              text          NOT NULL,
  request_key           text,
  ledger_transaction_id text          NOT NULL UNIQUE,
  created_at            timestamptz   NOT NULL
);
CREATE UNIQUE INDEX wallet_adjustments_request_key ON wallet_adjustments (actor_id, request_key)
  WHERE request_key IS NOT NULL;
CREATE INDEX wallet_adjustments_user ON wallet_adjustments (user_id, id);
CREATE TRIGGER wallet_adjustments_append_only BEFORE UPDATE OR DELETE ON wallet_adjustments
  FOR EACH ROW EXECUTE FUNCTION wallet_refuse_change('adjustments are final; correct with another');

-- What each movement did to one user's balance in one asset (a trade writes two rows),
-- for history with filters. Written with the movement; never changed.
CREATE TABLE wallet_activity (
  id                    text          PRIMARY KEY,                 -- act_…
  user_id               text          NOT NULL,
  type                  text          NOT NULL
                        CHECK (type IN ('payment', 'trade', 'fiat_deposit', 'fiat_withdrawal', 'adjustment')),
  asset                 text          NOT NULL,
  amount                numeric(78,0) NOT NULL CHECK (amount <> 0),  -- signed: + in, − out
  reference_id          text          NOT NULL,                    -- pay_/trd_/fdp_/fwd_/adj_…
  counterparty_id       text,
  description           text,
  ledger_transaction_id text          NOT NULL,
  occurred_at           timestamptz   NOT NULL
);
CREATE INDEX wallet_activity_user ON wallet_activity (user_id, id);
CREATE INDEX wallet_activity_user_asset ON wallet_activity (user_id, asset, id);
CREATE INDEX wallet_activity_ledger ON wallet_activity (ledger_transaction_id);
CREATE TRIGGER wallet_activity_append_only BEFORE UPDATE OR DELETE ON wallet_activity
  FOR EACH ROW EXECUTE FUNCTION wallet_refuse_change('activity is append-only');
