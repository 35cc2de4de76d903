-- Refunds (see src/merchants/refunds.ts): money back from the merchant balance to the
-- payer, never more than a payment's amount (the guard is one conditional UPDATE of
-- merchant_payments.refunded). Each refund names its ledger transaction.

CREATE TABLE merchant_refunds (
  id          text          PRIMARY KEY,
  account_id  text          NOT NULL,
  invoice_id  text          NOT NULL REFERENCES merchant_invoices (id),
  payment_id  text          NOT NULL REFERENCES merchant_payments (id),
  asset       text          NOT NULL,
  amount      numeric(78,0) NOT NULL CHECK (amount > 0),
  reason      text,
  ledger_ref  text          NOT NULL,
  created_at  timestamptz   NOT NULL DEFAULT now()
);
CREATE INDEX merchant_refunds_account_idx ON merchant_refunds (account_id, id);
CREATE INDEX merchant_refunds_invoice_idx ON merchant_refunds (invoice_id, id);
