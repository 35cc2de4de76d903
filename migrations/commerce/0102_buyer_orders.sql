-- How many live orders (pending, paid or fulfilled) each logged-in buyer has. It is the
-- guard of first-order-only coupons: a checkout with one increments it only while it is 0
-- (one conditional upsert), so two first orders raced by one buyer cannot both get the
-- coupon. Every member checkout increments it, a cancel or a refund decrements it.
CREATE TABLE commerce_buyer_orders (
  buyer_id     text PRIMARY KEY,
  live_orders  integer NOT NULL CHECK (live_orders >= 0)
);

-- Existing orders, counted as the guard counts them.
INSERT INTO commerce_buyer_orders (buyer_id, live_orders)
SELECT buyer_id, count(*) FROM commerce_orders
 WHERE buyer_id IS NOT NULL AND status IN ('pending', 'paid', 'fulfilled')
 GROUP BY buyer_id;
