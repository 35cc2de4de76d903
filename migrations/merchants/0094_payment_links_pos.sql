-- Payment links and point-of-sale terminals (see src/merchants/links.ts and terminals.ts).
-- A payment link is a reusable way to make invoices: a fixed or open amount, an optional
-- limit of uses, active or not. Using it is one guarded statement in the transaction that
-- inserts the invoice: `uses = uses + 1` only while the link is active and below its
-- limit, so an invoice exists exactly when a use was counted, and never after the link
-- was deactivated (the deactivating UPDATE and the guard queue on the same row).

CREATE TABLE merchant_payment_links (
  id                 text          PRIMARY KEY,
  account_id         text          NOT NULL,
  merchant_id        text          NOT NULL REFERENCES merchants (id),
  livemode           boolean       NOT NULL,
  currency           text          NOT NULL,
  -- Minor units of `currency`; NULL: the visitor keys in the amount.
  amount             numeric(78,0) CHECK (amount > 0),
  assets             text[],
  description        text,
  max_uses           integer       CHECK (max_uses > 0),
  uses               integer       NOT NULL DEFAULT 0 CHECK (uses >= 0),
  active             boolean       NOT NULL DEFAULT true,
  expires_in_seconds integer       NOT NULL,
  created_at         timestamptz   NOT NULL DEFAULT now(),
  updated_at         timestamptz   NOT NULL DEFAULT now(),
  CHECK (max_uses IS NULL OR uses <= max_uses)
);
CREATE INDEX merchant_payment_links_account_idx ON merchant_payment_links (account_id, id);

-- A shop's till: a secret token (only its SHA-256 is kept) that can create invoices for
-- one merchant account and read those it created, nothing else.
CREATE TABLE merchant_pos_terminals (
  id          text        PRIMARY KEY,
  account_id  text        NOT NULL,
  merchant_id text        NOT NULL REFERENCES merchants (id),
  livemode    boolean     NOT NULL,
  name        text        NOT NULL,
  currency    text        NOT NULL,
  assets      text[],
  token_hash  bytea       NOT NULL UNIQUE,
  hint        text        NOT NULL,
  created_by  text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);
CREATE INDEX merchant_pos_terminals_account_idx ON merchant_pos_terminals (account_id, id);

ALTER TABLE merchant_invoices
  ADD COLUMN payment_link_id text REFERENCES merchant_payment_links (id),
  ADD COLUMN pos_terminal_id text REFERENCES merchant_pos_terminals (id);
CREATE INDEX merchant_invoices_link_idx ON merchant_invoices (payment_link_id) WHERE payment_link_id IS NOT NULL;
