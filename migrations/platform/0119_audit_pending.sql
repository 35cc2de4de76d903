-- Audit entries waiting to be linked into the hash chain (see src/platform/audit/audit.ts,
-- `enqueue` and `seal`).
--
-- Appending to the chain locks its one-row head until the writer's transaction commits,
-- so every chained append waits for the previous one's commit: one WAL flush at a time.
-- A hot path (invoice creation) instead inserts its entry here, in its own transaction,
-- taking no shared lock; the sealer moves committed entries into audit_events in
-- `pending_seq` order, many per transaction, and deletes them in that same transaction,
-- so each entry is chained exactly once. Until sealed (a fraction of a second) an entry
-- is protected by the database's permissions only, like any business row.

CREATE TABLE audit_pending (
  pending_seq   bigserial   PRIMARY KEY,
  id            text        NOT NULL UNIQUE,
  occurred_at   timestamptz NOT NULL,
  action        text        NOT NULL,
  actor_type    text        NOT NULL CHECK (actor_type IN ('user', 'system', 'anonymous')),
  actor_id      text,
  credential_id text,
  target_type   text,
  target_id     text,
  ip            text,
  request_id    text,
  data          jsonb       NOT NULL DEFAULT '{}'::jsonb
);

-- A waiting entry is sealed as written or not at all: it may only be removed (by the
-- sealer, which chains it in the same transaction).
CREATE TRIGGER audit_pending_immutable BEFORE UPDATE ON audit_pending
  FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
