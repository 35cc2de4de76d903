-- A campaign's codes listed by keyset: batch by batch, each batch in code order, a page
-- starting after the last code of the previous one (src/campaigns/service.ts, listCodes).
--
-- A btree on (batch, code) finds a page's first code by descent and reads the page off
-- its leaves, however deep in a batch of 100,000 codes the cursor is. The BRIN index on
-- batch (0112) could only narrow a page to the batch's block ranges, and so read and sort
-- the whole batch for every page; the btree serves what it served (a batch's codes), so
-- it goes.
--
-- Codes compare byte by byte ("C"): the cursor's comparison is the index's, and a
-- generation writes each batch's codes already in that order (sorted as JavaScript sorts
-- them) and in increasing batch numbers, so its inserts land on the rightmost leaf (the
-- btree's fast path for ascending keys, no descent and no page split in the middle): the
-- index costs a generation's COPY what one more index costs at the least. For the same
-- reason its leaves are filled full (fillfactor 100: a page split at the right edge
-- leaves the full page as it is, where the default 90 would leave 10 % of every page
-- empty for inserts that never come) and it skips deduplication (every key is distinct,
-- so a pass at each split would look for duplicates in vain).
DROP INDEX campaign_codes_batch;
CREATE INDEX campaign_codes_batch_code ON campaign_codes (batch, code COLLATE "C")
  WITH (fillfactor = 100, deduplicate_items = off);

-- A capped campaign's redemptions spread over up to 64 cap shards (was 16). A shard's row
-- lock is held until the redemption commits, so one shard grants about one use per commit
-- latency (a WAL flush): with 16 shards a capped campaign stopped gaining past 16
-- concurrent redemptions however many callers came, while uncapped ones kept gaining.
-- The service splits a new campaign's cap K over up to 64 shards (CAP_SHARDS); existing
-- campaigns keep their shards, which serve as before (only the shards' sum counts).
--
-- A redemption tries the shards with room in an order of its own: p_first_shard is now a
-- random seed and the order is hashint4(shard # seed), a different permutation per call
-- whatever the campaign's shard count (the rotation `(shard + first) % 16` assumed 16).
-- The wait, when every shard with room is held, is still in shard order, so waiters
-- cannot deadlock.
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
          ORDER BY hashint4(shard # p_first_shard) LIMIT 1 FOR UPDATE SKIP LOCKED);
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
