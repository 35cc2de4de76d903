-- Merchants (see src/merchants/service.ts): tenants that take payments. A merchant has two
-- accounts, one per mode (`mca_…` live and test): every object, API key, ledger balance and
-- webhook endpoint belongs to one of them, so test and live never meet. Members are
-- platform users with a role in the merchant.

CREATE TABLE merchants (
  id               text        PRIMARY KEY,
  name             text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  live_account_id  text        NOT NULL UNIQUE,
  test_account_id  text        NOT NULL UNIQUE,
  -- Fees the platform keeps from each payment: basis points of the amount plus a fixed
  -- part per pricing currency ({"USD": "0.30"}), converted at the invoice's locked rate.
  fee_bps          integer     NOT NULL DEFAULT 0 CHECK (fee_bps BETWEEN 0 AND 10000),
  fee_fixed        jsonb       NOT NULL DEFAULT '{}',
  created_by       text        NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE merchant_members (
  merchant_id text        NOT NULL REFERENCES merchants (id),
  user_id     text        NOT NULL,
  role        text        NOT NULL CHECK (role IN ('owner', 'admin', 'developer', 'support', 'viewer')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (merchant_id, user_id)
);
CREATE INDEX merchant_members_user_idx ON merchant_members (user_id, merchant_id);

-- Secret keys `mk_live_…` / `mk_test_…`: only the SHA-256 of the token is kept.
CREATE TABLE merchant_api_keys (
  id          text        PRIMARY KEY,
  merchant_id text        NOT NULL REFERENCES merchants (id),
  account_id  text        NOT NULL,
  livemode    boolean     NOT NULL,
  name        text        NOT NULL,
  token_hash  bytea       NOT NULL UNIQUE,
  token_hint  text        NOT NULL,
  scopes      text[]      NOT NULL,
  created_by  text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);
CREATE INDEX merchant_api_keys_merchant_idx ON merchant_api_keys (merchant_id, id);
