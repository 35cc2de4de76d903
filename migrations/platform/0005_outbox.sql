-- Transactional outbox (see src/platform/outbox/outbox.ts). A domain event is inserted in
-- the same transaction as the state change it describes; the relay fans undispatched
-- events out to subscribers as jobs and stamps `dispatched_at`.
CREATE TABLE outbox_events (
  seq           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id            text        NOT NULL UNIQUE,           -- evt_…
  type          text        NOT NULL,
  aggregate_id  text        NOT NULL,
  payload       jsonb       NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  dispatched_at timestamptz
);

-- Only undispatched rows are in it, so the relay's scan stays small however long the
-- history grows.
CREATE INDEX outbox_events_pending_idx ON outbox_events (seq) WHERE dispatched_at IS NULL;
CREATE INDEX outbox_events_aggregate_idx ON outbox_events (aggregate_id, seq);
