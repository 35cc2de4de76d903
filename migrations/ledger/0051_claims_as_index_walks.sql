-- The claims of the job queue, the outbox relay and the ledger's hold-expiry sweep, as
-- functions that carry planner settings (the way 0046 did for webhook_claim).
--
-- Each claim must walk its table's partial "due" index in order and stop at the limit.
-- These are queue tables: their statistics are stale exactly when a backlog builds up
-- faster than autovacuum analyses them. Measured on PostgreSQL 15 with the statistics
-- of an empty table (never analysed with rows: a new install, a restore, pg_upgrade)
-- or of a table where nearly every row was finished, the planner believed a handful
-- of rows were due and chose instead:
--   * jobs: a bitmap scan of every due job and a sort, to keep 32
--     (200,000 due: 60-70 ms per claim instead of 0.6-1 ms, the sort spilling to disk);
--   * outbox_events: the same over every undispatched event, to keep 500 (200,000:
--     60-100 ms per relay pass instead of 0.4-1.5 ms);
--   * ledger_holds: a bitmap scan and a sort (50,000 due: 24-30 ms instead of 8 ms),
--     or, with finished holds in the statistics, a nested loop that ran the
--     LIMIT ... SKIP LOCKED subquery once per pending hold: 267 s for one sweep, which
--     expired all 50,000 due holds instead of the 1,000 asked for (a rescanned
--     subquery skips the rows this statement already updated, so its window slid
--     forward each time). Here the due rows are a materialised CTE, computed once.
-- The settings apply to these functions' statements only. Inside a SQL function the
-- limit is a parameter the planner cannot see, so with true statistics it expects a
-- tenth of the due rows to be claimed; allowed a hash join, it then read the whole
-- table to find them (jobs, 200,000 due: 73 ms). Nested loops are the only join these
-- functions allow, so claimed rows are found by their primary key.

CREATE FUNCTION job_claim(p_queues text[], p_limit integer, p_visibility_ms float8,
                          p_claimed_by text)
RETURNS TABLE (id text, queue text, state text, payload jsonb, attempts integer,
               max_attempts integer, created_at timestamptz, claim_token text)
LANGUAGE sql
SET enable_bitmapscan = off
SET enable_sort = off
SET enable_hashjoin = off
SET enable_mergejoin = off
AS $$
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
            j.claim_token::text
$$;

-- Locks (FOR UPDATE SKIP LOCKED) the next undispatched events for the caller's
-- transaction; the relay stamps them dispatched in that same transaction.
CREATE FUNCTION outbox_claim(p_limit integer)
RETURNS TABLE (seq bigint, id text, type text, aggregate_id text, payload jsonb,
               created_at timestamptz)
LANGUAGE sql
SET enable_bitmapscan = off
SET enable_sort = off
AS $$
  SELECT e.seq, e.id, e.type, e.aggregate_id, e.payload, e.created_at FROM outbox_events e
   WHERE e.dispatched_at IS NULL
   ORDER BY e.seq
   LIMIT p_limit
   FOR UPDATE SKIP LOCKED
$$;

-- Expires up to p_limit pending holds due at p_now, oldest first, skipping holds that a
-- post or void is resolving right now. The index is on expires_at alone: ties are put
-- in id order by an incremental sort, which enable_sort does not disable.
CREATE FUNCTION ledger_expire_due_holds(p_now timestamptz, p_limit integer)
RETURNS SETOF ledger_holds
LANGUAGE sql
SET enable_bitmapscan = off
SET enable_sort = off
SET enable_hashjoin = off
SET enable_mergejoin = off
AS $$
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
  RETURNING h.*
$$;
