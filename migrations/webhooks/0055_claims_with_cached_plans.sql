-- The claim functions (0046, 0051, 0052) in PL/pgSQL, with the same statements and
-- planner settings.
--
-- A SQL-language function that carries SET clauses is never inlined, and PostgreSQL 15
-- plans its statements again on every call: ~0.5 ms of planning per claim, which every
-- delivery process (webhook_claim, every 200 ms), every worker (job_claim, every 250
-- ms) and the relay (outbox_claim) paid on each poll, idle or not. PL/pgSQL keeps one
-- plan per session. plan_cache_mode = force_generic_plan keeps it the plan these
-- functions always had: planned without the parameters' values, as a SQL function's
-- statements are, so the limit stays invisible to the planner (see 0051) and the
-- settings below decide the shape. Measured per idle call, 100,000 delivered webhook
-- rows, two alternating runs each: webhook_claim 0.50–0.66 ms before, 0.26–0.29 ms now;
-- job_claim 0.34–0.49 → 0.21–0.24 ms; outbox_claim (in its transaction) 0.22–0.32 →
-- 0.16–0.25 ms.
--
-- `#variable_conflict use_column`: the result columns (id, state, …) are variables in
-- PL/pgSQL; a bare name in a statement means the table's column, as it did.

CREATE OR REPLACE FUNCTION webhook_claim(p_limit integer, p_visibility_ms integer)
RETURNS TABLE (id text, endpoint_id text, body text, attempts integer, claim text,
               created_at timestamptz)
LANGUAGE plpgsql
SET enable_bitmapscan = off
SET enable_sort = off
SET enable_hashjoin = off
SET enable_mergejoin = off
SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH due AS (
    SELECT m.id FROM webhook_messages m
     WHERE m.state IN ('pending', 'delivering') AND m.next_attempt_at <= now()
       -- A correlated scalar subquery, not EXISTS: it can only be a filter on the walk.
       AND (SELECT e.status FROM webhook_endpoints e WHERE e.id = m.endpoint_id) = 'active'
       -- An ordered endpoint: only its lowest undelivered message is claimable.
       AND (NOT m.ordered OR NOT EXISTS (
             SELECT 1 FROM webhook_messages o
              WHERE o.endpoint_id = m.endpoint_id AND o.ordered
                AND o.state IN ('pending', 'delivering') AND o.seq < m.seq))
     ORDER BY m.next_attempt_at
     LIMIT p_limit
     FOR UPDATE OF m SKIP LOCKED
  )
  UPDATE webhook_messages m SET
    state = 'delivering', claim = gen_random_uuid(),
    next_attempt_at = now() + p_visibility_ms * interval '1 millisecond', updated_at = now()
  FROM due WHERE m.id = due.id
  RETURNING m.id, m.endpoint_id, m.body, m.attempts, m.claim::text, m.created_at;
END
$$;

CREATE OR REPLACE FUNCTION job_claim(p_queues text[], p_limit integer,
                                     p_visibility_ms float8, p_claimed_by text)
RETURNS TABLE (id text, queue text, state text, payload jsonb, attempts integer,
               max_attempts integer, created_at timestamptz, claim_token text)
LANGUAGE plpgsql
SET enable_bitmapscan = off
SET enable_sort = off
SET enable_hashjoin = off
SET enable_mergejoin = off
SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH due AS MATERIALIZED (
    SELECT d.id FROM jobs d
     WHERE d.state IN ('queued', 'running') AND d.run_at <= now() AND d.queue = ANY (p_queues)
     ORDER BY d.run_at
     LIMIT p_limit
     FOR UPDATE SKIP LOCKED
  )
  UPDATE jobs j SET
    state       = CASE WHEN j.attempts >= j.max_attempts THEN 'dead' ELSE 'running' END,
    attempts    = CASE WHEN j.attempts >= j.max_attempts THEN j.attempts ELSE j.attempts + 1 END,
    claim_token = CASE WHEN j.attempts >= j.max_attempts THEN NULL ELSE gen_random_uuid() END,
    claimed_by  = CASE WHEN j.attempts >= j.max_attempts THEN j.claimed_by ELSE p_claimed_by END,
    run_at      = CASE WHEN j.attempts >= j.max_attempts THEN j.run_at
                       ELSE now() + p_visibility_ms * interval '1 millisecond' END,
    last_error  = CASE WHEN j.attempts >= j.max_attempts
                       THEN 'claim expired on the last attempt (worker crashed or hung); previous error: '
                            || coalesce(j.last_error, 'none')
                       ELSE j.last_error END,
    finished_at = CASE WHEN j.attempts >= j.max_attempts THEN now() ELSE NULL END,
    updated_at  = now()
  FROM due WHERE j.id = due.id
  RETURNING j.id, j.queue, j.state, j.payload, j.attempts, j.max_attempts, j.created_at,
            j.claim_token::text;
END
$$;

CREATE OR REPLACE FUNCTION outbox_claim(p_limit integer)
RETURNS TABLE (seq bigint, id text, type text, aggregate_id text, payload jsonb,
               created_at timestamptz)
LANGUAGE plpgsql
SET enable_bitmapscan = off
SET enable_sort = off
SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  SELECT e.seq, e.id, e.type, e.aggregate_id, e.payload, e.created_at FROM outbox_events e
   WHERE e.dispatched_at IS NULL
   ORDER BY e.seq
   LIMIT p_limit
   FOR UPDATE SKIP LOCKED;
END
$$;

CREATE OR REPLACE FUNCTION ledger_expire_due_holds(p_now timestamptz, p_limit integer)
RETURNS SETOF ledger_holds
LANGUAGE plpgsql
SET enable_bitmapscan = off
SET enable_sort = off
SET enable_hashjoin = off
SET enable_mergejoin = off
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
  RETURN QUERY
  WITH due AS MATERIALIZED (
    SELECT d.id FROM ledger_holds d
     WHERE d.status = 'pending' AND d.expires_at <= p_now
     ORDER BY d.expires_at, d.id
     LIMIT p_limit
     FOR UPDATE SKIP LOCKED
  )
  -- No second status check here: FOR UPDATE has already re-checked each row's latest
  -- version and locked it, and any filter on h would give the planner an estimate to
  -- get wrong (with one, it scanned the table once per claimed hold).
  UPDATE ledger_holds h SET status = 'expired', resolved_at = now()
    FROM due WHERE h.id = due.id
  RETURNING h.*;
END
$$;
