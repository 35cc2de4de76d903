-- A store belongs to a merchant tenant (the merchants module's `mer_…`): its members
-- manage it, and its orders are paid through the merchant's invoices. `owner_id` stays
-- as the user who opened the store; a store opened before this has no merchant until
-- that user attaches one (PATCH /v1/stores/{id}), and cannot be checked out until then.
ALTER TABLE commerce_stores ADD COLUMN merchant_id text;
CREATE INDEX commerce_stores_merchant ON commerce_stores (merchant_id, id);

-- The merchant invoice that pays an order: opened at checkout, its paid or expired
-- state moves the order (once: the order row is locked and only a pending order moves).
ALTER TABLE commerce_orders ADD COLUMN invoice_id text;
-- The merchant's live account (`mca_…`): the owner of its webhook endpoints, which get
-- the order's events.
ALTER TABLE commerce_orders ADD COLUMN merchant_account_id text;
CREATE UNIQUE INDEX commerce_orders_invoice ON commerce_orders (invoice_id)
  WHERE invoice_id IS NOT NULL;
CREATE INDEX commerce_orders_merchant ON commerce_orders (merchant_id, id);
