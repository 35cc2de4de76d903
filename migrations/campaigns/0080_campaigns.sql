-- Campaigns, their coupon codes and redemptions.
--
-- The counters on campaigns, codes and customers are guards, not reports: each is moved
-- by one conditional UPDATE (or upsert) that refuses past its limit, in the transaction
-- that records or releases a redemption, so concurrent redemptions never pass a cap or
-- the budget. Analytics are computed from campaign_redemptions (one row per order).
CREATE TABLE campaigns (
  id                  text PRIMARY KEY,
  owner_id            text NOT NULL,
  name                text NOT NULL,
  channel             text NOT NULL,
  currency            text NOT NULL,
  starts_at           timestamptz NOT NULL,
  ends_at             timestamptz,
  status              text NOT NULL CHECK (status IN ('active', 'paused')),
  rule                jsonb NOT NULL,
  target_store_ids    text[] NOT NULL DEFAULT '{}',
  target_product_ids  text[] NOT NULL DEFAULT '{}',
  segment             text NOT NULL CHECK (segment IN ('everyone', 'members', 'guests')),
  budget              numeric(78, 0) CHECK (budget >= 0),
  budget_used         numeric(78, 0) NOT NULL DEFAULT 0,
  redemption_limit    integer CHECK (redemption_limit >= 0),
  redemptions_used    integer NOT NULL DEFAULT 0,
  per_customer_limit  integer CHECK (per_customer_limit >= 1),
  created_at          timestamptz NOT NULL DEFAULT now(),
  CHECK (budget IS NULL OR budget_used <= budget),
  CHECK (redemption_limit IS NULL OR redemptions_used <= redemption_limit),
  CHECK (budget_used >= 0 AND redemptions_used >= 0)
);
CREATE INDEX campaigns_owner ON campaigns (owner_id, id);

-- The code is stored normalised (upper case, no separators); the unique index is what
-- guarantees that no two codes are the same, across every campaign.
CREATE TABLE campaign_codes (
  id           text PRIMARY KEY,
  campaign_id  text NOT NULL REFERENCES campaigns (id),
  code         text NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('shared', 'unique')),
  usage_limit  integer CHECK (usage_limit >= 1),
  used         integer NOT NULL DEFAULT 0 CHECK (used >= 0),
  created_at   timestamptz NOT NULL DEFAULT now(),
  CHECK (usage_limit IS NULL OR used <= usage_limit)
);
CREATE UNIQUE INDEX campaign_codes_code ON campaign_codes (code);
CREATE INDEX campaign_codes_campaign ON campaign_codes (campaign_id, id);

CREATE TABLE campaign_customer_usage (
  campaign_id   text NOT NULL REFERENCES campaigns (id),
  customer_key  text NOT NULL,
  used          integer NOT NULL CHECK (used >= 0),
  PRIMARY KEY (campaign_id, customer_key)
);

-- One redemption per order: `reserved` with the pending order, `redeemed` once it is
-- paid, `released` when it is cancelled, expires or is refunded (its use given back).
CREATE TABLE campaign_redemptions (
  id            text PRIMARY KEY,
  campaign_id   text NOT NULL REFERENCES campaigns (id),
  code_id       text NOT NULL REFERENCES campaign_codes (id),
  order_id      text NOT NULL,
  customer_key  text NOT NULL,
  currency      text NOT NULL,
  discount      numeric(78, 0) NOT NULL CHECK (discount >= 0),
  order_total   numeric(78, 0) NOT NULL CHECK (order_total >= 0),
  status        text NOT NULL CHECK (status IN ('reserved', 'redeemed', 'released')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  redeemed_at   timestamptz,
  released_at   timestamptz
);
CREATE UNIQUE INDEX campaign_redemptions_order ON campaign_redemptions (order_id);
CREATE INDEX campaign_redemptions_campaign ON campaign_redemptions (campaign_id, status);
