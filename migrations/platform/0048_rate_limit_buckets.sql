-- API rate limits shared by every API process (see src/platform/http/rate-limit-shared.ts).
-- One token bucket per key (`ip:…`, `cred:…`, `login:…`): `tokens` as of `refilled_at`,
-- refilled at `limit_per_min` a minute up to `limit_per_min`. Processes lease a chunk of
-- tokens at a time with one INSERT … ON CONFLICT and serve requests from it in memory,
-- so the database sees one statement per chunk, not one per request.
--
-- UNLOGGED: this state is worth nothing after a crash. A crash empties the table, which
-- only means every bucket starts full again (each client may get one extra burst), and
-- in exchange the statement every lease costs writes no WAL. Unlogged tables are not
-- replicated either: after a failover the new primary starts with full buckets, the same.
-- fillfactor 70 leaves room on each page so a bucket's updates (none of them touching
-- the indexed key) stay HOT updates in place.
CREATE UNLOGGED TABLE rate_limit_buckets (
  key           text             PRIMARY KEY,
  limit_per_min integer          NOT NULL CHECK (limit_per_min > 0),
  tokens        double precision NOT NULL CHECK (tokens >= 0),
  granted       integer          NOT NULL,   -- what the latest lease got (read by RETURNING)
  refilled_at   timestamptz      NOT NULL
) WITH (fillfactor = 70);
