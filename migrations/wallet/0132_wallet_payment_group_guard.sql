-- The guard of a group of one-statement payments, taking the group as arrays.
--
-- A group was guarded by one wallet_payment_guard call (0126) per payment: three
-- statements inside PL/pgSQL per payment, each with its own executor start and end.
-- In a `perf` profile of the database under bench:api those calls were over a third of
-- its CPU. The statement's text also grew with the group (one call and its parameters
-- per payment), so every group size was a text of its own to parse and plan.
-- This function answers for the whole group in three statements, whatever its size:
--
-- 1. every user's profile lock, shared, in id order (as 0126 and the group before it);
-- 2. one read of every payment's two profiles and two ledger accounts: nobody frozen,
--    the accounts are the ones the payment was built with, and the payer's tier allows
--    the amount;
-- 3. one upsert of the payers' counters in payer order, each payer's daily counter
--    before its hourly one (as 0126 took them payment after payment), each update
--    only within the tier's limit.
--
-- True only when every payment may go ahead; false declines the whole group
-- (ledger/0105 rolls the statement back, counters included) and each payment then
-- goes alone. The group has one payment per payer (a counter row is changed at most
-- once per statement); a repeated payer is an error, which also sends each alone.
--
-- p_tiers are the tiers in any order; p_daily and p_per_hour hold, for payment i and
-- tier t, the tier's limits at (i - 1) * cardinality(p_tiers) + t, NULL where the
-- tier does not allow the payment's amount. A user without a profile row, or without
-- a recorded account, declines (the wallet's full path creates them).
CREATE OR REPLACE FUNCTION wallet_payment_group_guard(
  p_lock_class integer, p_payers text[], p_payees text[], p_payer_accounts text[],
  p_payee_accounts text[], p_assets text[], p_amounts numeric[], p_day timestamptz,
  p_hour timestamptz, p_tiers text[], p_daily numeric[], p_per_hour integer[])
RETURNS boolean
LANGUAGE plpgsql
AS $$
DECLARE
  v_n integer := cardinality(p_payers);
  v_tiers integer := cardinality(p_tiers);
  v_found integer;
  v_ok boolean;
  v_daily numeric[];
  v_hourly integer[];
  v_counted integer;
BEGIN
  PERFORM pg_advisory_xact_lock_shared(p_lock_class, hashtext(u.id))
     FROM (SELECT DISTINCT unnest(p_payers || p_payees) AS id) AS u ORDER BY u.id;
  -- A new snapshot (each statement of a volatile function takes one): the profiles are
  -- read after the locks were granted, so a freeze that committed meanwhile is seen.
  SELECT count(*), bool_and(coalesce(x.ok, false)),
         array_agg(x.daily ORDER BY x.i), array_agg(x.per_hour ORDER BY x.i)
    INTO v_found, v_ok, v_daily, v_hourly
    FROM (SELECT p.i,
                 NOT (pp.frozen OR pe.frozen)
                   AND ap.account_id = p.payer_account AND ae.account_id = p.payee_account
                   AND p_daily[(p.i - 1) * v_tiers + array_position(p_tiers, pp.tier)]
                       IS NOT NULL AS ok,
                 p_daily[(p.i - 1) * v_tiers + array_position(p_tiers, pp.tier)] AS daily,
                 p_per_hour[(p.i - 1) * v_tiers + array_position(p_tiers, pp.tier)] AS per_hour
            FROM unnest(p_payers, p_payees, p_payer_accounts, p_payee_accounts, p_assets)
                 WITH ORDINALITY AS p(payer, payee, payer_account, payee_account, asset, i)
            JOIN wallet_profiles pp ON pp.user_id = p.payer
            JOIN wallet_profiles pe ON pe.user_id = p.payee
            JOIN wallet_ledger_accounts ap ON ap.user_id = p.payer AND ap.asset = p.asset
            JOIN wallet_ledger_accounts ae ON ae.user_id = p.payee AND ae.asset = p.asset) AS x;
  IF v_found <> v_n OR v_ok IS NOT TRUE THEN
    RETURN false;
  END IF;
  -- Each row lock serialises the payer's movements; each WHERE sees the latest committed
  -- usage. A new row is the period's first use, within the tier's limits already.
  INSERT INTO wallet_limit_counters AS c (user_id, counter, period_start, amount)
  SELECT l.payer, k.counter, k.period_start, k.amount
    FROM unnest(p_payers, p_assets, p_amounts) WITH ORDINALITY AS l(payer, asset, amount, i)
   CROSS JOIN LATERAL (VALUES (1, 'daily:' || l.asset, p_day, l.amount),
                              (2, 'hourly', p_hour, 1::numeric)) AS k(n, counter, period_start, amount)
   ORDER BY l.i, k.n
  ON CONFLICT (user_id, counter, period_start)
  DO UPDATE SET amount = c.amount + excluded.amount
   WHERE c.amount + excluded.amount <=
         CASE WHEN excluded.counter = 'hourly'
              THEN v_hourly[array_position(p_payers, excluded.user_id)]
              ELSE v_daily[array_position(p_payers, excluded.user_id)] END;
  GET DIAGNOSTICS v_counted = ROW_COUNT;
  RETURN v_counted = 2 * v_n;
END
$$;
