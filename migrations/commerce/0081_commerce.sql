-- Stores, catalog, inventory, carts and orders. Amounts are integers in minor units
-- (numeric, since an 18-decimal asset overflows bigint); quantities are integers.
CREATE TABLE commerce_stores (
  id             text PRIMARY KEY,
  owner_id       text NOT NULL,
  name           text NOT NULL,
  logo_url       text,
  colors         jsonb NOT NULL DEFAULT '{}',
  floor_level    integer NOT NULL DEFAULT 0,
  floor_x        integer NOT NULL,
  floor_y        integer NOT NULL,
  tax_bps        integer NOT NULL DEFAULT 0 CHECK (tax_bps BETWEEN 0 AND 10000),
  created_at     timestamptz NOT NULL DEFAULT now()
);
-- Two stores never share a spot of the mall's floor plan.
CREATE UNIQUE INDEX commerce_stores_spot ON commerce_stores (floor_level, floor_x, floor_y);
CREATE INDEX commerce_stores_owner ON commerce_stores (owner_id, id);

CREATE TABLE commerce_products (
  id           text PRIMARY KEY,
  store_id     text NOT NULL REFERENCES commerce_stores (id),
  name         text NOT NULL,
  description  text NOT NULL DEFAULT '',
  image_urls   text[] NOT NULL DEFAULT '{}',
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX commerce_products_store ON commerce_products (store_id, id);

-- Stock per variant: `reserved` units are held by pending orders. The CHECK is the last
-- line; the guard itself is the conditional UPDATE that reserves.
CREATE TABLE commerce_variants (
  id          text PRIMARY KEY,
  product_id  text NOT NULL REFERENCES commerce_products (id),
  store_id    text NOT NULL REFERENCES commerce_stores (id),
  sku         text NOT NULL,
  name        text NOT NULL,
  on_hand     integer NOT NULL CHECK (on_hand >= 0),
  reserved    integer NOT NULL DEFAULT 0 CHECK (reserved >= 0),
  created_at  timestamptz NOT NULL DEFAULT now(),
  CHECK (reserved <= on_hand)
);
CREATE UNIQUE INDEX commerce_variants_sku ON commerce_variants (store_id, sku);
CREATE INDEX commerce_variants_product ON commerce_variants (product_id, id);

CREATE TABLE commerce_variant_prices (
  variant_id  text NOT NULL REFERENCES commerce_variants (id),
  currency    text NOT NULL,
  amount      numeric(78, 0) NOT NULL CHECK (amount >= 0),
  PRIMARY KEY (variant_id, currency)
);

-- A cart belongs to a logged-in customer (owner_id) or to whoever holds its secret.
CREATE TABLE commerce_carts (
  id           text PRIMARY KEY,
  store_id     text NOT NULL REFERENCES commerce_stores (id),
  owner_id     text,
  secret_hash  text,
  currency     text NOT NULL,
  coupon_code  text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  CHECK (owner_id IS NOT NULL OR secret_hash IS NOT NULL)
);

CREATE TABLE commerce_cart_items (
  cart_id     text NOT NULL REFERENCES commerce_carts (id) ON DELETE CASCADE,
  variant_id  text NOT NULL REFERENCES commerce_variants (id),
  quantity    integer NOT NULL CHECK (quantity > 0),
  PRIMARY KEY (cart_id, variant_id)
);

CREATE TABLE commerce_orders (
  id                 text PRIMARY KEY,
  cart_id            text NOT NULL,
  store_id           text NOT NULL REFERENCES commerce_stores (id),
  merchant_id        text NOT NULL,
  buyer_id           text,
  guest_email        text,
  currency           text NOT NULL,
  status             text NOT NULL
                     CHECK (status IN ('pending', 'paid', 'fulfilled', 'cancelled', 'refunded')),
  subtotal           numeric(78, 0) NOT NULL,
  discount           numeric(78, 0) NOT NULL,
  tax                numeric(78, 0) NOT NULL,
  total              numeric(78, 0) NOT NULL,
  coupon_code        text,
  campaign_id        text,
  expires_at         timestamptz NOT NULL,
  payment_method     text,
  payment_reference  text,
  refund_reference   text,
  cancel_reason      text,
  created_at         timestamptz NOT NULL DEFAULT now(),
  paid_at            timestamptz,
  fulfilled_at       timestamptz,
  closed_at          timestamptz
);
-- A cart checks out once.
CREATE UNIQUE INDEX commerce_orders_cart ON commerce_orders (cart_id);
CREATE INDEX commerce_orders_store ON commerce_orders (store_id, id);
CREATE INDEX commerce_orders_buyer ON commerce_orders (buyer_id, id);
CREATE INDEX commerce_orders_pending ON commerce_orders (expires_at) WHERE status = 'pending';

-- The lines as sold, with the units each holds reserved until paid (then taken from
-- stock) or released (cancel, expiry).
CREATE TABLE commerce_order_lines (
  order_id    text NOT NULL REFERENCES commerce_orders (id),
  line_no     integer NOT NULL,
  variant_id  text NOT NULL REFERENCES commerce_variants (id),
  product_id  text NOT NULL,
  name        text NOT NULL,
  quantity    integer NOT NULL CHECK (quantity > 0),
  unit_price  numeric(78, 0) NOT NULL,
  subtotal    numeric(78, 0) NOT NULL,
  discount    numeric(78, 0) NOT NULL,
  tax         numeric(78, 0) NOT NULL,
  total       numeric(78, 0) NOT NULL,
  PRIMARY KEY (order_id, line_no)
);
