-- Redemptions whose code's campaign the caller has not looked up (src/campaigns/
-- redemptions.ts: a code this process has not seen). Before, such a redemption cost two
-- round trips on its critical path: the code's campaign looked up (one statement for many
-- callers), then the redemption recorded (campaign_reserve_batch, another). Now the
-- caller quotes the order's discount under each campaign the code may belong to (the
-- merchant's campaigns whose rules it keeps), and one statement finds the code's campaign,
-- takes the discount quoted for it and records the redemption.
--
-- An item with p_discounts[i] set is recorded as campaign_reserve_batch records it. An
-- item with p_discounts[i] NULL is quoted: its quotes are the rows of (p_quote_items,
-- p_quote_campaigns, p_quote_discounts) whose item is i. Its code's campaign is read
-- (codes never move, so campaign_reserve_batch reads the same one), and
--  * a code that does not exist is 'coupon_not_found', as it would be in
--    campaign_reserve_batch;
--  * a code whose campaign was not quoted (another merchant's, one whose rules refuse the
--    order, one the caller does not keep) is 'unquoted', with its campaign: nothing of it
--    was taken, and the caller decides it the long way (look up, quote, reserve);
--  * otherwise the item goes to campaign_reserve_batch with the quoted discount, in the
--    same statement: the same guards, lock order and outcomes.
CREATE FUNCTION campaign_reserve_batch_quoted(
  p_codes text[], p_redemption_ids text[], p_order_ids text[], p_customers text[],
  p_currencies text[], p_discounts numeric[], p_order_totals numeric[], p_at timestamptz,
  p_seed integer, p_quote_items integer[], p_quote_campaigns text[], p_quote_discounts numeric[])
RETURNS TABLE (o_item integer, o_campaign_id text, o_refusal text)
LANGUAGE plpgsql
AS $$
DECLARE
  -- Items passed on, in item order; the k-th of them is item v_pass[k].
  v_pass integer[];
  v_discounts numeric[];
  -- Items decided here.
  v_held integer[];
  v_held_campaign text[];
  v_held_refusal text[];
BEGIN
  WITH items AS (
    SELECT u.item::integer AS item, u.code, p_discounts[u.item] AS discount
      FROM unnest(p_codes) WITH ORDINALITY AS u(code, item)
  ), decided AS (
    SELECT i.item, b.campaign_id,
           coalesce(i.discount, q.discount) AS discount,
           CASE WHEN i.discount IS NOT NULL THEN NULL
                WHEN b.campaign_id IS NULL THEN 'coupon_not_found'
                WHEN q.discount IS NULL THEN 'unquoted' END AS refusal
      FROM items i
      LEFT JOIN campaign_codes c ON i.discount IS NULL AND c.code = i.code
      LEFT JOIN campaign_code_batches b ON b.id = c.batch
      LEFT JOIN unnest(p_quote_items, p_quote_campaigns, p_quote_discounts)
                AS q(item, campaign_id, discount)
             ON q.item = i.item AND q.campaign_id = b.campaign_id
  )
  SELECT array_agg(d.item ORDER BY d.item) FILTER (WHERE d.refusal IS NULL),
         array_agg(d.discount ORDER BY d.item) FILTER (WHERE d.refusal IS NULL),
         array_agg(d.item ORDER BY d.item) FILTER (WHERE d.refusal IS NOT NULL),
         array_agg(d.campaign_id ORDER BY d.item) FILTER (WHERE d.refusal IS NOT NULL),
         array_agg(d.refusal ORDER BY d.item) FILTER (WHERE d.refusal IS NOT NULL)
    INTO v_pass, v_discounts, v_held, v_held_campaign, v_held_refusal
    FROM decided d;

  IF v_pass IS NOT NULL THEN
    RETURN QUERY
      SELECT v_pass[r.o_item], r.o_campaign_id, r.o_refusal
        FROM campaign_reserve_batch(
               ARRAY(SELECT p_codes[k] FROM unnest(v_pass) WITH ORDINALITY AS p(k, n) ORDER BY n),
               ARRAY(SELECT p_redemption_ids[k] FROM unnest(v_pass) WITH ORDINALITY AS p(k, n) ORDER BY n),
               ARRAY(SELECT p_order_ids[k] FROM unnest(v_pass) WITH ORDINALITY AS p(k, n) ORDER BY n),
               ARRAY(SELECT p_customers[k] FROM unnest(v_pass) WITH ORDINALITY AS p(k, n) ORDER BY n),
               ARRAY(SELECT p_currencies[k] FROM unnest(v_pass) WITH ORDINALITY AS p(k, n) ORDER BY n),
               v_discounts,
               ARRAY(SELECT p_order_totals[k] FROM unnest(v_pass) WITH ORDINALITY AS p(k, n) ORDER BY n),
               p_at, p_seed) AS r;
  END IF;

  IF v_held IS NOT NULL THEN
    RETURN QUERY
      SELECT h.item, h.campaign_id, h.refusal
        FROM unnest(v_held, v_held_campaign, v_held_refusal) AS h(item, campaign_id, refusal);
  END IF;
END
$$;
