-- A posting that runs behind its caller's guard, in one autocommitted statement
-- (LedgerService.transferGuarded). The caller's guard (a query of one boolean: take its
-- locks, check its rules, count its limits) must run before ledger_apply locks the
-- accounts, so it is passed through one of ledger_apply's arguments: a function's
-- arguments are evaluated before the function runs. When the guard declines, or the
-- posting is not applied (refused or replayed), the statement raises VWL01 and nothing
-- of it remains, the guard's own writes included; the caller then takes its full path,
-- which explains the refusal.

CREATE OR REPLACE FUNCTION ledger_after_guard(p_ok boolean, p_slot int) RETURNS int
LANGUAGE plpgsql AS $$
BEGIN
  IF p_ok IS NOT TRUE THEN
    RAISE EXCEPTION USING ERRCODE = 'VWL01', MESSAGE = 'guarded posting declined by its guard';
  END IF;
  RETURN p_slot;
END
$$;

CREATE OR REPLACE FUNCTION ledger_require_applied(p_status text[]) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM unnest(p_status) AS s WHERE s IS DISTINCT FROM 'ok') THEN
    RAISE EXCEPTION USING ERRCODE = 'VWL01', MESSAGE = 'guarded posting not applied';
  END IF;
  RETURN true;
END
$$;
