-- Reserving a coupon for an order in one statement (src/campaigns/service.ts, reserve).
--
-- The guards are the ones reserve ran as separate statements, in the same lock order
-- (code, cap shard, campaign budget, customer), each a conditional write with no read
-- before it: the code's use count below its usage limit, one use of a cap shard with room
-- (one no other transaction holds first, SKIP LOCKED from a random shard so callers
-- spread; then, in shard order so waiters cannot deadlock, the first to come free), the
-- budget, the customer's count below the per-customer limit. Then the redemption row.
--
-- Called bare it is one autocommitted statement: one round trip and one commit per
-- redemption instead of BEGIN, two to five statements and COMMIT. Called inside the
-- order's transaction it joins it. A refused guard raises inside the inner block, which
-- rolls back every write the block made (a subtransaction, as the savepoint reserve used
-- before), and the refusal comes back as a value: o_refusal is the error code
-- (coupon_not_found, coupon_exhausted, coupon_budget_spent, coupon_customer_limit).
CREATE OR REPLACE FUNCTION campaign_reserve(
  p_code text, p_redemption_id text, p_order_id text, p_customer text, p_currency text,
  p_discount numeric, p_order_total numeric, p_at timestamptz, p_first_shard integer,
  OUT o_campaign_id text, OUT o_refusal text)
LANGUAGE plpgsql
AS $$
DECLARE
  v_usage_limit integer;
  v_redemption_limit integer;
  v_budgeted boolean;
  v_per_customer integer;
BEGIN
  SELECT b.campaign_id, b.usage_limit, m.redemption_limit, m.budget IS NOT NULL,
         m.per_customer_limit
    INTO o_campaign_id, v_usage_limit, v_redemption_limit, v_budgeted, v_per_customer
    FROM campaign_codes c
    JOIN campaign_code_batches b ON b.id = c.batch
    JOIN campaigns m ON m.id = b.campaign_id
   WHERE c.code = p_code;
  IF NOT FOUND THEN
    o_refusal := 'coupon_not_found';
    RETURN;
  END IF;

  BEGIN
    -- A code without a usage limit keeps no use count (0112): nothing to queue on.
    IF v_usage_limit IS NOT NULL THEN
      UPDATE campaign_codes SET used = used + 1 WHERE code = p_code AND used < v_usage_limit;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'coupon_exhausted';
      END IF;
    END IF;

    IF v_redemption_limit IS NOT NULL THEN
      -- The shard's room is re-checked under its row lock (the outer WHERE, and the
      -- lock's recheck of the inner one), so the shards never grant more than K.
      UPDATE campaign_cap_shards s SET used = s.used + 1
       WHERE s.campaign_id = o_campaign_id AND s.used < s.cap AND s.shard = (
         SELECT shard FROM campaign_cap_shards
          WHERE campaign_id = o_campaign_id AND used < cap
          ORDER BY (shard + p_first_shard) % 16 LIMIT 1 FOR UPDATE SKIP LOCKED);
      IF NOT FOUND THEN
        -- Every shard with room is held: wait for the first, in shard order. A shard that
        -- fills meanwhile is passed over (its lock kept to the end, which the one order
        -- makes safe).
        UPDATE campaign_cap_shards s SET used = s.used + 1
         WHERE s.campaign_id = o_campaign_id AND s.used < s.cap AND s.shard = (
           SELECT shard FROM campaign_cap_shards
            WHERE campaign_id = o_campaign_id AND used < cap
            ORDER BY shard LIMIT 1 FOR UPDATE);
        IF NOT FOUND THEN
          RAISE EXCEPTION 'coupon_exhausted';
        END IF;
      END IF;
    END IF;

    IF v_budgeted THEN
      UPDATE campaigns SET budget_used = budget_used + p_discount
       WHERE id = o_campaign_id AND budget_used + p_discount <= budget;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'coupon_budget_spent';
      END IF;
    END IF;

    IF v_per_customer IS NOT NULL THEN
      INSERT INTO campaign_customer_usage AS u (campaign_id, customer_key, used)
      VALUES (o_campaign_id, p_customer, 1)
      ON CONFLICT (campaign_id, customer_key)
      DO UPDATE SET used = u.used + 1 WHERE u.used < v_per_customer;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'coupon_customer_limit';
      END IF;
    END IF;

    INSERT INTO campaign_redemptions (id, campaign_id, code, order_id, customer_key, currency,
                                      discount, order_total, status, created_at)
    VALUES (p_redemption_id, o_campaign_id, p_code, p_order_id, p_customer, p_currency,
            p_discount, p_order_total, 'reserved', p_at);
  EXCEPTION
    -- Only the refusals raised above (SQLSTATE P0001); anything else is a fault and
    -- propagates.
    WHEN raise_exception THEN
      o_refusal := SQLERRM;
  END;
END
$$;
