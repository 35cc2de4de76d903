-- Per-endpoint limits held across the whole delivery fleet (see src/webhooks/delivery/fleet.ts).

-- Delivery processes alive now: each upserts its row every heartbeat and counts the rows
-- not yet expired, then takes 1/N of every endpoint's rate limit and in-flight bound.
-- The expiry is the writer's own (three of its heartbeats), so workers with different
-- heartbeat settings still agree on who is alive. Both times come from the database
-- clock, so the hosts' clocks do not matter.
CREATE TABLE webhook_workers (
  id            uuid        PRIMARY KEY,               -- one per running delivery loop
  instance_id   text        NOT NULL,                  -- VW_INSTANCE_ID, for operators
  started_at    timestamptz NOT NULL DEFAULT now(),
  heartbeat_at  timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL
);
CREATE INDEX webhook_workers_expires_idx ON webhook_workers (expires_at);

-- An endpoint's circuit, opened by any worker: every worker stops sending until then
-- (it reads the value through the endpoint directory, which follows webhook_changes).
-- Delivery state, not a customer setting: the API does not show it.
ALTER TABLE webhook_endpoints ADD COLUMN circuit_open_until timestamptz;
