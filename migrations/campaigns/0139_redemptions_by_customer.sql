-- A first-order-only redemption counts the customer's live redemptions (src/campaigns/
-- redemptions.ts) under the customer's advisory lock. Without an index that count read
-- the whole of campaign_redemptions, once per such redemption, for as long as the lock
-- was held: its cost grew with every redemption ever recorded. The index holds only the
-- rows the count reads (released ones never count).
CREATE INDEX campaign_redemptions_customer_live
  ON campaign_redemptions (customer_key)
  WHERE status <> 'released';
