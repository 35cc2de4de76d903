-- A payment's guard for its one-statement path (src/wallet/payments.ts, fastPay):
-- wallet_lock_profiles_and_limits (0090) with its answer folded into one boolean, true
-- only when the payment may go ahead as it is: nobody frozen, the payer's tier allows
-- the amount outright and both counters took it, and both users' ledger accounts are
-- the ones the caller built the posting with. Anything else is false, the statement
-- rolls back (ledger_after_guard, ledger/0105) and the wallet's full path decides, with
-- the exact refusal. Volatile PL/pgSQL: the profile rows are read after the locks.
CREATE OR REPLACE FUNCTION wallet_payment_guard(
  p_lock_class integer, p_user_ids text[], p_accounts text[], p_tier text, p_asset text,
  p_payer text, p_counter text, p_amount numeric, p_day timestamptz, p_hour timestamptz,
  p_tiers text[], p_daily numeric[], p_per_hour integer[])
RETURNS boolean
LANGUAGE plpgsql
AS $$
DECLARE
  v_ok boolean;
BEGIN
  SELECT count(*) = cardinality(p_user_ids)
         AND coalesce(bool_and(NOT g.frozen), false)
         AND coalesce(bool_and(g.ledger_account_id IS NOT DISTINCT FROM
                               p_accounts[array_position(p_user_ids, g.user_id)]), false)
         AND coalesce(bool_or(g.daily_ok AND g.hourly_ok) FILTER (WHERE g.user_id = p_payer),
                      false)
    INTO v_ok
    FROM wallet_lock_profiles_and_limits(p_lock_class, p_user_ids, p_tier, p_asset, p_payer,
                                         p_counter, p_amount, p_day, p_hour, p_tiers,
                                         p_daily, p_per_hour) AS g;
  RETURN v_ok;
END
$$;
