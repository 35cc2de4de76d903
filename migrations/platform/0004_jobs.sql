-- Durable job queue (see src/platform/queue/postgres.ts).
--
-- One row per job. `run_at` is the moment the row may next be claimed: for a queued job
-- its due time (now, or later after a backoff), for a running job the end of its claim
-- (the visibility timeout). So one partial index serves both "due" and "claim expired",
-- and a worker that vanished gives its jobs back without anyone having to notice.
CREATE TABLE jobs (
  id            text        PRIMARY KEY,              -- job_…, stable across attempts
  queue         text        NOT NULL,
  payload       jsonb       NOT NULL,
  state         text        NOT NULL DEFAULT 'queued'
                CHECK (state IN ('queued', 'running', 'done', 'dead')),
  run_at        timestamptz NOT NULL DEFAULT now(),
  attempts      integer     NOT NULL DEFAULT 0,        -- counted when claimed
  max_attempts  integer     NOT NULL CHECK (max_attempts > 0),
  dedupe_key    text,
  claim_token   uuid,                                  -- fencing: only this claim may finish it
  claimed_by    text,
  last_error    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz
);

-- A dedupe key is unique per queue for as long as the job row exists (finished jobs are
-- pruned after VW_JOB_RETENTION_DAYS).
CREATE UNIQUE INDEX jobs_queue_dedupe_key_idx ON jobs (queue, dedupe_key)
  WHERE dedupe_key IS NOT NULL;
CREATE INDEX jobs_claimable_idx ON jobs (run_at) WHERE state IN ('queued', 'running');
CREATE INDEX jobs_dead_idx ON jobs (queue, id) WHERE state = 'dead';
CREATE INDEX jobs_done_idx ON jobs (finished_at) WHERE state = 'done';
