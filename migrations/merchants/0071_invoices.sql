-- Invoices (see src/merchants/invoices.ts): an amount in a pricing currency, payable in
-- several assets at rates locked when the invoice is made. Payments are summed per asset
-- and valued at those rates; the status is derived from them (open, processing, paid,
-- overpaid, paid_late, underpaid, expired). Amounts are minor units, numeric(78,0) like
-- the ledger's. Every confirmed payment names the ledger transaction that booked it.

CREATE TABLE merchant_invoices (
  id             text          PRIMARY KEY,
  account_id     text          NOT NULL,
  merchant_id    text          NOT NULL REFERENCES merchants (id),
  livemode       boolean       NOT NULL,
  currency       text          NOT NULL,
  amount         numeric(78,0) NOT NULL CHECK (amount > 0),
  status         text          NOT NULL DEFAULT 'open'
                 CHECK (status IN ('open', 'processing', 'paid', 'overpaid', 'paid_late', 'underpaid', 'expired')),
  -- Confirmed and unconfirmed payments, valued in `currency` minor units at the locked rates.
  paid_value     numeric(78,0) NOT NULL DEFAULT 0,
  pending_value  numeric(78,0) NOT NULL DEFAULT 0,
  description    text,
  order_id       text,
  customer_email text,
  redirect_url   text,
  metadata       jsonb         NOT NULL DEFAULT '{}',
  chain_key      text,
  address        text,
  expires_at     timestamptz   NOT NULL,
  paid_at        timestamptz,
  created_at     timestamptz   NOT NULL DEFAULT now(),
  updated_at     timestamptz   NOT NULL DEFAULT now()
);
CREATE INDEX merchant_invoices_account_idx ON merchant_invoices (account_id, id);
CREATE INDEX merchant_invoices_order_idx ON merchant_invoices (account_id, order_id) WHERE order_id IS NOT NULL;
CREATE INDEX merchant_invoices_expiry_idx ON merchant_invoices (expires_at) WHERE status = 'open';

-- What the invoice costs in each accepted asset, at the rate locked at creation.
CREATE TABLE merchant_invoice_options (
  invoice_id  text          NOT NULL REFERENCES merchant_invoices (id),
  asset       text          NOT NULL,
  scale       integer       NOT NULL,
  amount_due  numeric(78,0) NOT NULL CHECK (amount_due > 0),
  -- `currency` per whole `asset`, exact: rate_num / rate_den.
  rate_num    numeric       NOT NULL,
  rate_den    numeric       NOT NULL,
  on_chain    boolean       NOT NULL,
  PRIMARY KEY (invoice_id, asset)
);

CREATE TABLE merchant_payments (
  id            text          PRIMARY KEY,
  invoice_id    text          NOT NULL REFERENCES merchant_invoices (id),
  account_id    text          NOT NULL,
  asset         text          NOT NULL,
  amount        numeric(78,0) NOT NULL CHECK (amount > 0),
  method        text          NOT NULL CHECK (method IN ('wallet', 'chain', 'test')),
  status        text          NOT NULL CHECK (status IN ('pending', 'confirmed', 'removed')),
  -- The ledger owner a refund goes back to (the paying user; none for on-chain payments).
  payer_owner   text,
  deposit_id    text          UNIQUE,
  tx_hash       text,
  fee           numeric(78,0) NOT NULL DEFAULT 0,
  refunded      numeric(78,0) NOT NULL DEFAULT 0 CHECK (refunded >= 0 AND refunded <= amount),
  -- First seen after the invoice expired.
  late          boolean       NOT NULL DEFAULT false,
  ledger_ref    text,
  created_at    timestamptz   NOT NULL DEFAULT now(),
  confirmed_at  timestamptz
);
CREATE INDEX merchant_payments_invoice_idx ON merchant_payments (invoice_id, id);
