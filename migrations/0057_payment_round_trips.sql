-- Fewer round trips per money movement (bench:api: a payment's cost is its statements).
--
-- wallet_lock_profiles: what the wallet's lockProfiles did in two to four statements
-- (take the users' profile locks shared, in id order; create the profile rows of first
-- movements; read the rows) in one call. A function, not one statement: in READ
-- COMMITTED each statement of a (volatile) PL/pgSQL function takes a new snapshot, so
-- the read after the lock sees a freeze that committed while this call waited for the
-- lock, which a single statement, whose snapshot predates its own lock wait, would not.
-- The lock class is a parameter so that it stays defined once, in the wallet's code.
CREATE OR REPLACE FUNCTION wallet_lock_profiles(p_lock_class integer, p_user_ids text[],
                                                p_tier text)
RETURNS TABLE (user_id text, tier text, frozen boolean, frozen_reason text,
               frozen_at timestamptz, frozen_by text)
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
  SELECT p.user_id, p.tier, p.frozen, p.frozen_reason, p.frozen_at, p.frozen_by
    FROM wallet_profiles p WHERE p.user_id = ANY (p_user_ids);
END
$$;
