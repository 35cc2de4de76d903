-- Idempotency keys for every POST (see src/platform/http/idempotency.ts).
-- The row is inserted in the same transaction as the request's writes, so a key exists
-- exactly when its effects do. A concurrent request with the same key blocks on the
-- primary key until the first one commits (then replays) or rolls back (then runs).
CREATE TABLE idempotency_keys (
  principal     text        NOT NULL, -- the caller (user, API key) or 'anonymous'
  key           text        NOT NULL,
  method        text        NOT NULL,
  path          text        NOT NULL,
  request_hash  text        NOT NULL, -- sha256 of method, path and body
  status        integer     NOT NULL,
  response_body text        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (principal, key)
);

CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);
