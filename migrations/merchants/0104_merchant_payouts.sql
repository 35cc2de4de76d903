-- Bank payouts of a merchant balance (see src/merchants/payouts/payouts.ts) and the
-- schedules that create them.
--
-- Money moves on the ledger, never here: creating a payout transfers the amount from the
-- merchant account to its "payouts in transit" account (refused by the ledger when the
-- balance does not cover it, under the account's lock), so the amount can never be paid
-- twice or more than once. `paid` moves it on to the settlement house account (it left
-- the operator's bank); `failed`, `rejected` and `canceled` reverse the first transfer.
--
-- status: pending_approval (above the approval limit: an operator approves or rejects),
-- in_transit (handed to the payout rail, or about to be), paid, failed (the rail gave up),
-- rejected (an operator refused it), canceled (the merchant withdrew it before approval).
CREATE TABLE merchant_payouts (
  id                 text          PRIMARY KEY,
  account_id         text          NOT NULL,
  merchant_id        text          NOT NULL REFERENCES merchants (id),
  livemode           boolean       NOT NULL,
  asset              text          NOT NULL,
  amount             numeric(78,0) NOT NULL CHECK (amount > 0),
  -- The bank account at the rail (an IBAN, or the rail's account reference).
  destination        text          NOT NULL,
  description        text,
  status             text          NOT NULL CHECK (status IN
                       ('pending_approval', 'in_transit', 'paid', 'failed', 'rejected', 'canceled')),
  -- Set for payouts a schedule created: one per schedule and period.
  schedule_key       text          UNIQUE,
  ledger_transfer_id text          NOT NULL,
  -- The transaction that finished it: to settlement (paid) or the reversal.
  ledger_finish_id   text,
  rail               text,
  rail_reference     text,
  approved_by        text,
  approved_at        timestamptz,
  failure_reason     text,
  created_by         text          NOT NULL,
  created_at         timestamptz   NOT NULL,
  updated_at         timestamptz   NOT NULL,
  finished_at        timestamptz
);
CREATE INDEX merchant_payouts_account_idx ON merchant_payouts (account_id, id);
CREATE INDEX merchant_payouts_pending_idx ON merchant_payouts (id)
  WHERE status = 'pending_approval';

-- One schedule per merchant account and asset: each period, the whole available balance
-- is paid out to `destination` if it reaches `minimum`.
CREATE TABLE merchant_payout_schedules (
  account_id  text          NOT NULL,
  asset       text          NOT NULL,
  merchant_id text          NOT NULL REFERENCES merchants (id),
  livemode    boolean       NOT NULL,
  enabled     boolean       NOT NULL,
  -- daily: every day at 00:00 UTC; weekly: on `weekday` (1 = Monday … 7 = Sunday).
  period      text          NOT NULL CHECK (period IN ('daily', 'weekly')),
  weekday     smallint      CHECK (weekday BETWEEN 1 AND 7),
  minimum     numeric(78,0) NOT NULL CHECK (minimum > 0),
  destination text          NOT NULL,
  next_run_at timestamptz   NOT NULL,
  last_run_at timestamptz,
  updated_at  timestamptz   NOT NULL,
  PRIMARY KEY (account_id, asset),
  CHECK ((period = 'weekly') = (weekday IS NOT NULL))
);
CREATE INDEX merchant_payout_schedules_due_idx ON merchant_payout_schedules (next_run_at)
  WHERE enabled;
