-- The one-statement payment's guard (0106) in three statements instead of six, same
-- answer: the profile locks, one read of both profiles with their ledger accounts, and
-- (only when that read allows the payment) the payer's two limit counters.
--
-- 0106 called wallet_lock_profiles_and_limits (0090), written for the full path: it
-- creates missing profiles, returns every row through a result set, reads the profiles
-- twice, and 0106 then aggregated that set in a statement of its own. Each statement
-- inside a function is an executor start and end in the database: a one-statement
-- payment runs about a dozen (auto_explain), each over a handful of rows, and in a
-- `perf` profile of the backends under bench:api the PL/pgSQL statements and their
-- executor set-up are most of the time while index and heap writes are a tenth.
-- What the guard needs is one boolean, so it reads once and counts only when it may
-- go ahead. A user without a profile row yet (one is created on first use) now
-- declines the guard instead of being created by it: the wallet's full path then
-- creates it and decides, as for any other decline (a first payment goes that way once).
--
-- Unchanged: the shared profile locks come first, in id order (a freeze takes the
-- exclusive lock, so a profile read after them is not about to be frozen); each
-- statement of a volatile PL/pgSQL function takes a new snapshot, so the profiles and
-- the counters are read after the locks were granted; the counters' upserts are the
-- ones of 0090 (each row lock serialises the payer's movements, each WHERE sees the
-- latest committed usage); false rolls the whole statement back (ledger/0105),
-- counters included. p_tier is no longer used (no profile is created here).
CREATE OR REPLACE FUNCTION wallet_payment_guard(
  p_lock_class integer, p_user_ids text[], p_accounts text[], p_tier text, p_asset text,
  p_payer text, p_counter text, p_amount numeric, p_day timestamptz, p_hour timestamptz,
  p_tiers text[], p_daily numeric[], p_per_hour integer[])
RETURNS boolean
LANGUAGE plpgsql
AS $$
DECLARE
  v_found integer;
  v_frozen boolean;
  v_tier text;
  v_accounts_ok boolean;
  v_i integer;
  v_daily boolean;
  v_hourly boolean;
BEGIN
  PERFORM pg_advisory_xact_lock_shared(p_lock_class, hashtext(u.id))
     FROM unnest(p_user_ids) AS u(id) ORDER BY u.id;
  SELECT count(*), bool_or(p.frozen), max(p.tier) FILTER (WHERE p.user_id = p_payer),
         bool_and(a.account_id IS NOT DISTINCT FROM
                  p_accounts[array_position(p_user_ids, p.user_id)])
    INTO v_found, v_frozen, v_tier, v_accounts_ok
    FROM wallet_profiles p
    LEFT JOIN wallet_ledger_accounts a ON a.user_id = p.user_id AND a.asset = p_asset
   WHERE p.user_id = ANY (p_user_ids);
  v_i := array_position(p_tiers, v_tier);
  IF v_found <> cardinality(p_user_ids) OR v_frozen IS NOT FALSE
     OR v_accounts_ok IS NOT TRUE OR v_i IS NULL THEN
    RETURN false;
  END IF;
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
  RETURN v_daily AND v_hourly;
END
$$;
