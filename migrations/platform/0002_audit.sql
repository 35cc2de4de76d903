-- Append-only, hash-chained audit log (see src/platform/audit/audit.ts).
--
-- Each row stores the hash of the row before it and its own hash over that and a
-- canonical serialisation of its fields, so changing, removing or inserting a row breaks
-- the chain at that row. Appends are serialised by the one-row chain head, locked
-- FOR UPDATE in the writer's transaction: the chain never forks and `seq` has no gaps
-- (a rolled-back append rolls back its head move too).

CREATE TABLE audit_chain_head (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  seq       bigint  NOT NULL,
  hash      text    NOT NULL
);

-- The genesis link: the first event's prev_hash.
INSERT INTO audit_chain_head (seq, hash) VALUES (0, repeat('0', 64));

CREATE TABLE audit_events (
  seq           bigint      PRIMARY KEY CHECK (seq > 0),
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
  data          jsonb       NOT NULL DEFAULT '{}'::jsonb,
  prev_hash     text        NOT NULL,
  hash          text        NOT NULL
);

CREATE INDEX audit_events_actor_idx ON audit_events (actor_id, seq);
CREATE INDEX audit_events_target_idx ON audit_events (target_id, seq);
CREATE INDEX audit_events_action_idx ON audit_events (action, seq);

-- The database itself links each new row to the head and moves the head, so even a
-- buggy writer cannot fork the chain or skip a number.
CREATE FUNCTION audit_events_link() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  head_seq  bigint;
  head_hash text;
BEGIN
  SELECT seq, hash INTO head_seq, head_hash FROM audit_chain_head FOR UPDATE;
  IF NEW.seq <> head_seq + 1 OR NEW.prev_hash <> head_hash THEN
    RAISE EXCEPTION 'audit event % does not extend the chain head (seq %, hash %)',
      NEW.seq, head_seq, head_hash USING ERRCODE = 'P0001';
  END IF;
  UPDATE audit_chain_head SET seq = NEW.seq, hash = NEW.hash;
  RETURN NEW;
END;
$$;

CREATE TRIGGER audit_events_link BEFORE INSERT ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_link();

CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'P0001';
END;
$$;

CREATE TRIGGER audit_events_immutable BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

-- The head only ever moves forward by one, and is never removed.
CREATE FUNCTION audit_chain_head_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'UPDATE' OR NEW.seq <> OLD.seq + 1 THEN
    RAISE EXCEPTION 'the audit chain head only moves forward one event at a time'
      USING ERRCODE = 'P0001';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER audit_chain_head_guard BEFORE UPDATE OR DELETE ON audit_chain_head
  FOR EACH ROW EXECUTE FUNCTION audit_chain_head_guard();
CREATE TRIGGER audit_chain_head_no_truncate BEFORE TRUNCATE ON audit_chain_head
  FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
