-- Fewer round trips per money movement (bench:api: a payment's cost is its statements).
--
-- The ledger account of a user in an asset, as the wallet opened or found it through the
-- ledger's interface: an opaque reference, like wallet_payments.ledger_transaction_id.
-- Written in the transaction that opens (or first uses) the account, so it never names
-- an account whose opening rolled back; accounts are never deleted or re-opened.
CREATE TABLE wallet_ledger_accounts (
  user_id    text NOT NULL,
  asset      text NOT NULL,
  account_id text NOT NULL,
  PRIMARY KEY (user_id, asset)
);

-- wallet_lock_profiles: what the wallet's lockProfiles did in two to four statements
-- (take the users' profile locks shared, in id order; create the profile rows of first
-- movements; read the rows) in one call. A function, not one statement: in READ
-- COMMITTED each statement of a (volatile) PL/pgSQL function takes a new snapshot, so
-- the read after the lock sees a freeze that committed while this call waited for the
-- lock, which a single statement, whose snapshot predates its own lock wait, would not.
-- The lock class is a parameter so that it stays defined once, in the wallet's code.
-- Given an asset, it also answers each user's ledger account in it, as the wallet
-- recorded it (wallet_ledger_accounts), so a movement needs no lookup of its own.
CREATE OR REPLACE FUNCTION wallet_lock_profiles(p_lock_class integer, p_user_ids text[],
                                                p_tier text, p_asset text DEFAULT NULL)
RETURNS TABLE (user_id text, tier text, frozen boolean, frozen_reason text,
               frozen_at timestamptz, frozen_by text, ledger_account_id text)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
BEGIN
  PERFORM pg_advisory_xact_lock_shared(p_lock_class, hashtext(u.id))
     FROM unnest(p_user_ids) AS u(id) ORDER BY u.id;
  -- First movement of a user: the row is created here, in the caller's transaction, so
  -- a refused movement leaves no trace; a concurrent first movement waits for it (ON
  -- CONFLICT waits for the other insert to commit or roll back).
  INSERT INTO wallet_profiles (user_id, tier)
  SELECT u.id, p_tier FROM unnest(p_user_ids) AS u(id)
   WHERE NOT EXISTS (SELECT 1 FROM wallet_profiles p WHERE p.user_id = u.id)
   ORDER BY u.id
  ON CONFLICT (user_id) DO NOTHING;
  RETURN QUERY
  SELECT p.user_id, p.tier, p.frozen, p.frozen_reason, p.frozen_at, p.frozen_by, a.account_id
    FROM wallet_profiles p
    LEFT JOIN wallet_ledger_accounts a ON a.user_id = p.user_id AND a.asset = p_asset
   WHERE p.user_id = ANY (p_user_ids);
END
$$;
