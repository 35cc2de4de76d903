-- Node operations: monitors that are not chain nodes — backup freshness per region, HTTP
-- uptime checks of web services, push (heartbeat) monitors — and alerts about them. An
-- alert is about exactly one node or one monitor.

CREATE TABLE nodeops_monitors (
  id              text        PRIMARY KEY,                  -- nmo_…
  name            text        NOT NULL UNIQUE,
  kind            text        NOT NULL CHECK (kind IN ('backup', 'http', 'push')),
  -- Optional: alerts are routed by it (channels' `chains`), backups are grouped by it.
  chain_key       text,
  region          text,
  -- What to check and its thresholds (see monitors.ts); never a secret.
  settings        jsonb       NOT NULL,
  -- Push monitors: SHA-256 (hex) of the token a job calls in with; the token is not kept.
  push_token_hash text        UNIQUE,
  last_push_at    timestamptz,
  -- The last check as the status view shows it (not history).
  last_state      jsonb,
  source          text        NOT NULL CHECK (source IN ('config', 'api')),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind = 'push') = (push_token_hash IS NOT NULL))
);
CREATE INDEX nodeops_monitors_kind_idx ON nodeops_monitors (kind, chain_key, region);

ALTER TABLE nodeops_alerts ALTER COLUMN node_id DROP NOT NULL;
-- A monitor of a web service belongs to no chain: only channels taking every chain get it.
ALTER TABLE nodeops_alerts ALTER COLUMN chain_key DROP NOT NULL;
ALTER TABLE nodeops_alerts ADD COLUMN monitor_id text
  REFERENCES nodeops_monitors (id) ON DELETE CASCADE;
ALTER TABLE nodeops_alerts ADD CONSTRAINT nodeops_alerts_subject_check
  CHECK ((node_id IS NULL) <> (monitor_id IS NULL));
-- One open alert per monitor and kind, as per node and kind (deduplication across
-- replicas and restarts).
CREATE UNIQUE INDEX nodeops_alerts_monitor_open_uq ON nodeops_alerts (monitor_id, kind)
  WHERE status <> 'resolved';
CREATE INDEX nodeops_alerts_monitor_idx ON nodeops_alerts (monitor_id, id DESC);
