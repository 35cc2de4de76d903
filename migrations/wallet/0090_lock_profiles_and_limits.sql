-- A payment's profile locks and its payer's limit counters in one call (bench:api: each
-- statement inside the payment's transaction is a round trip while its locks are held).
--
-- wallet_lock_profiles_and_limits: wallet_lock_profiles (0057), then, only when no user
-- is frozen and the payer's tier is one of p_tiers (those whose limits allow the amount
-- outright), the consumeLimits upserts of the daily and hourly counters, exactly as the
-- wallet sends them on their own: each upsert's row lock serialises the payer's
-- movements and its WHERE sees the latest committed usage. The payer's row answers
-- whether each counter took the movement (NULL on every row when they were not tried;
-- the wallet then refuses from what it read, and a refusal rolls back the caller's
-- transaction, counters and all). Statements of a volatile PL/pgSQL function each take
-- a new snapshot, so the counters are read after the profile locks were granted.
CREATE OR REPLACE FUNCTION wallet_lock_profiles_and_limits(
  p_lock_class integer, p_user_ids text[], p_tier text, p_asset text,
  p_payer text, p_counter text, p_amount numeric, p_day timestamptz, p_hour timestamptz,
  p_tiers text[], p_daily numeric[], p_per_hour integer[])
RETURNS TABLE (user_id text, tier text, frozen boolean, frozen_reason text,
               frozen_at timestamptz, frozen_by text, ledger_account_id text,
               daily_ok boolean, hourly_ok boolean)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
  v_tier text;
  v_frozen boolean;
  v_i integer;
  v_daily boolean;
  v_hourly boolean;
BEGIN
  PERFORM pg_advisory_xact_lock_shared(p_lock_class, hashtext(u.id))
     FROM unnest(p_user_ids) AS u(id) ORDER BY u.id;
  INSERT INTO wallet_profiles (user_id, tier)
  SELECT u.id, p_tier FROM unnest(p_user_ids) AS u(id)
   WHERE NOT EXISTS (SELECT 1 FROM wallet_profiles p WHERE p.user_id = u.id)
   ORDER BY u.id
  ON CONFLICT (user_id) DO NOTHING;
  SELECT bool_or(p.frozen), max(p.tier) FILTER (WHERE p.user_id = p_payer)
    INTO v_frozen, v_tier
    FROM wallet_profiles p WHERE p.user_id = ANY (p_user_ids);
  v_i := array_position(p_tiers, v_tier);
  IF v_frozen IS FALSE AND v_i IS NOT NULL THEN
    WITH daily AS (
      INSERT INTO wallet_limit_counters AS c (user_id, counter, period_start, amount)
      VALUES (p_payer, p_counter, p_day, p_amount)
      ON CONFLICT (user_id, counter, period_start)
      DO UPDATE SET amount = c.amount + excluded.amount
       WHERE c.amount + excluded.amount <= p_daily[v_i]
      RETURNING 1
    ), hourly AS (
      INSERT INTO wallet_limit_counters AS c (user_id, counter, period_start, amount)
      VALUES (p_payer, 'hourly', p_hour, 1)
      ON CONFLICT (user_id, counter, period_start)
      DO UPDATE SET amount = c.amount + excluded.amount
       WHERE c.amount + excluded.amount <= p_per_hour[v_i]
      RETURNING 1
    )
    SELECT EXISTS (SELECT 1 FROM daily), EXISTS (SELECT 1 FROM hourly)
      INTO v_daily, v_hourly;
  END IF;
  RETURN QUERY
  SELECT p.user_id, p.tier, p.frozen, p.frozen_reason, p.frozen_at, p.frozen_by, a.account_id,
         CASE WHEN p.user_id = p_payer THEN v_daily END,
         CASE WHEN p.user_id = p_payer THEN v_hourly END
    FROM wallet_profiles p
    LEFT JOIN wallet_ledger_accounts a ON a.user_id = p.user_id AND a.asset = p_asset
   WHERE p.user_id = ANY (p_user_ids);
END
$$;
