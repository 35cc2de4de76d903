-- Reserving many coupons in one statement and one commit (src/campaigns/service.ts:
-- reserve made outside a transaction goes through a batcher, group commit). Each item's
-- outcome is its own: a refused item changes nothing and the others go on.
--
-- The guards are campaign_reserve's (0121, 0122), with the same lock order (code, cap
-- shard, campaign budget, customer), but taken a phase at a time over the whole batch:
-- every code in code order, then cap shards, then budgets in campaign order, then
-- customers in (campaign, customer) order, then the redemption rows. A batch therefore
-- waits only for resources later in the order than any it holds, or for earlier ones of
-- the same kind in the same sorted order: batches cannot deadlock one another, nor a
-- checkout's one-item campaign_reserve, which takes them in that order too.
--
-- Cap shards are only ever taken without waiting (SKIP LOCKED). Waiting for a held shard
-- while holding others could close a cycle; an item that finds every shard with room held
-- comes back as 'retry_alone' and the service reserves it alone after this batch has
-- committed (campaign_reserve, which waits in shard order holding no other shard). All
-- items of a batch try a campaign's shards in the same order (one seed per batch), so a
-- batch fills a shard it already holds before it takes another.
--
-- No subtransactions: an item refused at a later guard gives back, in the same
-- transaction, the uses its earlier guards took (relative updates of rows this
-- transaction has locked, so the give-back is exact and nobody sees the interim). A
-- savepoint per item would leave one subtransaction id per redeemed item in the
-- transaction, and past 64 every other session's snapshot check pays for it. Because the
-- guards run a phase at a time, an item can be refused by a count that a later item's
-- give-back then lowers; such an item is not refused but comes back as 'retry_alone' too,
-- so every refusal is one the item would have met on its own.
--
-- Anything that is not a refusal (a second redemption for one order: the unique index
-- on order_id) fails the whole statement; the service then reserves each item alone, so
-- the fault reaches only its own caller.

-- What an item's earlier guards took, given back when a later one refuses it: each row is
-- one this transaction has already locked and changed.
CREATE FUNCTION campaign_reserve_give_back(
  p_code text, p_code_counted boolean, p_campaign_id text, p_shard smallint,
  p_budget_spent numeric)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
  IF p_code_counted THEN
    UPDATE campaign_codes SET used = used - 1 WHERE code = p_code;
  END IF;
  IF p_shard IS NOT NULL THEN
    UPDATE campaign_cap_shards SET used = used - 1
     WHERE campaign_id = p_campaign_id AND shard = p_shard;
  END IF;
  IF p_budget_spent IS NOT NULL THEN
    UPDATE campaigns SET budget_used = budget_used - p_budget_spent WHERE id = p_campaign_id;
  END IF;
END
$$;

CREATE FUNCTION campaign_reserve_batch(
  p_codes text[], p_redemption_ids text[], p_order_ids text[], p_customers text[],
  p_currencies text[], p_discounts numeric[], p_order_totals numeric[], p_at timestamptz,
  p_seed integer)
RETURNS TABLE (o_item integer, o_campaign_id text, o_refusal text)
LANGUAGE plpgsql
AS $$
DECLARE
  n integer := coalesce(cardinality(p_codes), 0);
  v_campaign text[];
  v_usage_limit integer[];
  v_capped boolean[];
  v_budgeted boolean[];
  v_per_customer integer[];
  v_refusal text[] := array_fill(NULL::text, ARRAY[n]);
  v_shard smallint[] := array_fill(NULL::smallint, ARRAY[n]);
  v_spent boolean[] := array_fill(false, ARRAY[n]);
  v_freed_uses text[] := '{}';
  v_freed_budget text[] := '{}';
  v_taken smallint;
  i integer;
BEGIN
  IF n = 0 THEN
    RETURN;
  END IF;

  -- Every item's code, batch and campaign terms in one read.
  SELECT array_agg(b.campaign_id ORDER BY u.item), array_agg(b.usage_limit ORDER BY u.item),
         array_agg(m.redemption_limit IS NOT NULL ORDER BY u.item),
         array_agg(m.budget IS NOT NULL ORDER BY u.item),
         array_agg(m.per_customer_limit ORDER BY u.item)
    INTO v_campaign, v_usage_limit, v_capped, v_budgeted, v_per_customer
    FROM unnest(p_codes) WITH ORDINALITY AS u(code, item)
    LEFT JOIN campaign_codes c ON c.code = u.code
    LEFT JOIN campaign_code_batches b ON b.id = c.batch
    LEFT JOIN campaigns m ON m.id = b.campaign_id;

  -- Codes, in code order. A code without a usage limit keeps no use count (0112).
  FOR i IN SELECT u.item FROM unnest(p_codes) WITH ORDINALITY AS u(code, item)
            ORDER BY u.code COLLATE "C", u.item LOOP
    IF v_campaign[i] IS NULL THEN
      v_refusal[i] := 'coupon_not_found';
    ELSIF v_usage_limit[i] IS NOT NULL THEN
      UPDATE campaign_codes SET used = used + 1
       WHERE code = p_codes[i] AND used < v_usage_limit[i];
      IF NOT FOUND THEN
        v_refusal[i] := 'coupon_exhausted';
      END IF;
    END IF;
  END LOOP;

  -- Cap shards, never waiting. The shard's room is re-checked under its row lock (the
  -- outer WHERE), so the shards never grant more than K.
  FOR i IN 1 .. n LOOP
    CONTINUE WHEN v_refusal[i] IS NOT NULL OR NOT v_capped[i];
    UPDATE campaign_cap_shards s SET used = s.used + 1
     WHERE s.campaign_id = v_campaign[i] AND s.used < s.cap AND s.shard = (
       SELECT shard FROM campaign_cap_shards
        WHERE campaign_id = v_campaign[i] AND used < cap
        ORDER BY hashint4(shard # p_seed) LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING s.shard INTO v_taken;
    IF FOUND THEN
      v_shard[i] := v_taken;
    ELSE
      -- Room left only in shards others hold: alone, the item may wait for one.
      PERFORM 1 FROM campaign_cap_shards
        WHERE campaign_id = v_campaign[i] AND used < cap LIMIT 1;
      v_refusal[i] := CASE WHEN FOUND THEN 'retry_alone' ELSE 'coupon_exhausted' END;
      IF v_usage_limit[i] IS NOT NULL THEN
        PERFORM campaign_reserve_give_back(p_codes[i], true, v_campaign[i], NULL, NULL);
        v_freed_uses := v_freed_uses || v_campaign[i];
      END IF;
    END IF;
  END LOOP;

  -- Budgets, in campaign order.
  FOR i IN SELECT u.item FROM unnest(v_campaign) WITH ORDINALITY AS u(campaign_id, item)
            WHERE v_refusal[u.item] IS NULL AND v_budgeted[u.item]
            ORDER BY u.campaign_id COLLATE "C", u.item LOOP
    UPDATE campaigns SET budget_used = budget_used + p_discounts[i]
     WHERE id = v_campaign[i] AND budget_used + p_discounts[i] <= budget;
    IF FOUND THEN
      v_spent[i] := true;
    ELSE
      v_refusal[i] := 'coupon_budget_spent';
      PERFORM campaign_reserve_give_back(p_codes[i], v_usage_limit[i] IS NOT NULL,
                                         v_campaign[i], v_shard[i], NULL);
      IF v_usage_limit[i] IS NOT NULL OR v_shard[i] IS NOT NULL THEN
        v_freed_uses := v_freed_uses || v_campaign[i];
      END IF;
    END IF;
  END LOOP;

  -- Customers, in (campaign, customer) order.
  FOR i IN SELECT u.item FROM unnest(v_campaign, p_customers) WITH ORDINALITY
                              AS u(campaign_id, customer_key, item)
            WHERE v_refusal[u.item] IS NULL AND v_per_customer[u.item] IS NOT NULL
            ORDER BY u.campaign_id COLLATE "C", u.customer_key COLLATE "C", u.item LOOP
    INSERT INTO campaign_customer_usage AS c (campaign_id, customer_key, used)
    VALUES (v_campaign[i], p_customers[i], 1)
    ON CONFLICT (campaign_id, customer_key)
    DO UPDATE SET used = c.used + 1 WHERE c.used < v_per_customer[i];
    IF NOT FOUND THEN
      v_refusal[i] := 'coupon_customer_limit';
      PERFORM campaign_reserve_give_back(
        p_codes[i], v_usage_limit[i] IS NOT NULL, v_campaign[i], v_shard[i],
        CASE WHEN v_spent[i] THEN p_discounts[i] END);
      IF v_usage_limit[i] IS NOT NULL OR v_shard[i] IS NOT NULL THEN
        v_freed_uses := v_freed_uses || v_campaign[i];
      END IF;
      IF v_spent[i] THEN
        v_freed_budget := v_freed_budget || v_campaign[i];
      END IF;
    END IF;
  END LOOP;

  -- An item refused by a use count or a budget that a later guard then gave back to (an
  -- item of the same campaign refused further on) might have had room after all: it is
  -- decided again alone, after this batch has committed, as it would have been had the
  -- two not shared a batch.
  FOR i IN 1 .. n LOOP
    IF (v_refusal[i] = 'coupon_exhausted' AND v_campaign[i] = ANY (v_freed_uses))
       OR (v_refusal[i] = 'coupon_budget_spent' AND v_campaign[i] = ANY (v_freed_budget)) THEN
      v_refusal[i] := 'retry_alone';
    END IF;
  END LOOP;

  INSERT INTO campaign_redemptions (id, campaign_id, code, order_id, customer_key, currency,
                                    discount, order_total, status, created_at)
  SELECT p_redemption_ids[k], v_campaign[k], p_codes[k], p_order_ids[k], p_customers[k],
         p_currencies[k], p_discounts[k], p_order_totals[k], 'reserved', p_at
    FROM generate_series(1, n) AS k
   WHERE v_refusal[k] IS NULL;

  RETURN QUERY
    SELECT k, CASE WHEN v_refusal[k] IS NULL THEN v_campaign[k] END, v_refusal[k]
      FROM generate_series(1, n) AS k;
END
$$;

-- One redemption alone (a checkout's, inside the order's transaction, and a batched item
-- that came back 'retry_alone'): campaign_reserve as in 0122, except that it no longer
-- waits for a cap shard while holding another. Its SKIP LOCKED pass can end holding a
-- shard it locked and then found full (a redemption committed in between); waiting in
-- shard order on top of that could close a cycle with another redemption doing the same
-- (seen: three checkouts deadlocked near a cap's end). Now a pass that finds no free shard
-- with room rolls back (its code use and every shard lock it took go with it) and the
-- redemption goes again, waiting in shard order from the start: a waiter then holds only
-- shards below the one it waits for, and nothing that holds a shard waits for one.
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
  v_wait boolean := false;
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

  LOOP
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
        IF NOT v_wait THEN
          UPDATE campaign_cap_shards s SET used = s.used + 1
           WHERE s.campaign_id = o_campaign_id AND s.used < s.cap AND s.shard = (
             SELECT shard FROM campaign_cap_shards
              WHERE campaign_id = o_campaign_id AND used < cap
              ORDER BY hashint4(shard # p_first_shard) LIMIT 1 FOR UPDATE SKIP LOCKED);
          IF NOT FOUND THEN
            RAISE EXCEPTION 'wait_for_shard';
          END IF;
        ELSE
          -- A shard that fills meanwhile is passed over (its lock kept to the end, below
          -- the one waited for).
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

      INSERT INTO campaign_redemptions (id, campaign_id, code, order_id, customer_key,
                                        currency, discount, order_total, status, created_at)
      VALUES (p_redemption_id, o_campaign_id, p_code, p_order_id, p_customer, p_currency,
              p_discount, p_order_total, 'reserved', p_at);
      RETURN;
    EXCEPTION
      -- Only the refusals raised above (SQLSTATE P0001); anything else is a fault and
      -- propagates. The block's writes and locks are undone either way.
      WHEN raise_exception THEN
        IF SQLERRM = 'wait_for_shard' THEN
          v_wait := true;
        ELSE
          o_refusal := SQLERRM;
          RETURN;
        END IF;
    END;
  END LOOP;
END
$$;
