-- Node operations (see src/nodeops): the fleet of chain nodes watched, their reference
-- endpoints, alerts with their notices and deliveries to channels, and bans.

-- A chain the fleet serves: its family, thresholds and the reference endpoints (public
-- or own) that nodes are compared with.
CREATE TABLE nodeops_chains (
  key         text        PRIMARY KEY,
  family      text        NOT NULL CHECK (family IN ('cometbft', 'evm')),
  -- Thresholds (block time, lag, stall, peers, missed signatures, ban): see settings.ts.
  thresholds  jsonb       NOT NULL,
  refs        text[]      NOT NULL DEFAULT '{}',
  -- `config`: written from the YAML file at start; `api`: by the API or CLI.
  source      text        NOT NULL CHECK (source IN ('config', 'api')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE nodeops_nodes (
  id                 text        PRIMARY KEY,               -- nod_…
  name               text        NOT NULL UNIQUE,
  chain_key          text        NOT NULL REFERENCES nodeops_chains (key),
  region             text        NOT NULL,
  role               text        NOT NULL CHECK (role IN ('validator', 'sentry', 'rpc')),
  url                text        NOT NULL,
  -- A validator's consensus address (hex), whose precommits are counted.
  validator_address  text,
  source             text        NOT NULL CHECK (source IN ('config', 'api')),
  -- First observation of the current spell out of consensus; NULL while in consensus.
  out_since          timestamptz,
  -- First observation back in consensus while banned (automatic unban counts from it).
  in_since           timestamptz,
  banned_at          timestamptz,
  ban_reason         text,
  -- `auto` (time out of consensus) or the operator who banned it.
  banned_by          text,
  -- The last observation: height, lag, peers, state, checked_at (a status view, not history).
  last_state         jsonb,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX nodeops_nodes_chain_idx ON nodeops_nodes (chain_key, name);

-- Where alerts go. Secrets (bot token, webhook URL, routing key) are sealed by the
-- platform secret box; `settings` holds only what is safe to show.
CREATE TABLE nodeops_channels (
  id            text        PRIMARY KEY,                    -- nch_…
  name          text        NOT NULL UNIQUE,
  kind          text        NOT NULL CHECK (kind IN ('telegram', 'slack', 'email', 'pagerduty')),
  settings      jsonb       NOT NULL,
  secret_sealed text,
  min_severity  text        NOT NULL CHECK (min_severity IN ('warning', 'critical')),
  -- Empty: every chain.
  chains        text[]      NOT NULL DEFAULT '{}',
  source        text        NOT NULL CHECK (source IN ('config', 'api')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE nodeops_alerts (
  id              text        PRIMARY KEY,                  -- nal_…
  node_id         text        NOT NULL REFERENCES nodeops_nodes (id) ON DELETE CASCADE,
  chain_key       text        NOT NULL,
  kind            text        NOT NULL,
  severity        text        NOT NULL CHECK (severity IN ('warning', 'critical')),
  status          text        NOT NULL CHECK (status IN ('firing', 'acknowledged', 'resolved')),
  summary         text        NOT NULL,
  details         jsonb       NOT NULL DEFAULT '{}',
  opened_at       timestamptz NOT NULL,
  acknowledged_at timestamptz,
  acknowledged_by text,
  silenced_until  timestamptz,
  resolved_at     timestamptz,
  last_notice_at  timestamptz NOT NULL
);
-- One open alert per node and kind: every monitor replica observes, the first insert
-- wins, the others find it open (deduplication across replicas and restarts).
CREATE UNIQUE INDEX nodeops_alerts_open_uq ON nodeops_alerts (node_id, kind)
  WHERE status <> 'resolved';
CREATE INDEX nodeops_alerts_node_idx ON nodeops_alerts (node_id, id DESC);

-- Each thing a person is told about an alert (opened, reminder, banned, resolved), and
-- its delivery to each channel. The sender (one process, under a lease) works through
-- pending deliveries; a delivery is marked sent after the channel accepted it.
CREATE TABLE nodeops_notices (
  id          text        PRIMARY KEY,                      -- nno_…
  alert_id    text        NOT NULL REFERENCES nodeops_alerts (id) ON DELETE CASCADE,
  kind        text        NOT NULL CHECK (kind IN ('opened', 'reminder', 'banned', 'unbanned', 'resolved')),
  text        text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX nodeops_notices_alert_idx ON nodeops_notices (alert_id, id);

CREATE TABLE nodeops_deliveries (
  notice_id   text        NOT NULL REFERENCES nodeops_notices (id) ON DELETE CASCADE,
  channel_id  text        NOT NULL REFERENCES nodeops_channels (id) ON DELETE CASCADE,
  status      text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts    integer     NOT NULL DEFAULT 0,
  next_at     timestamptz NOT NULL DEFAULT now(),
  -- Claimed by the sender (under its fenced lease) until then: a stale sender cannot
  -- claim, and a claim whose sender died comes back after it (never zero sends).
  claimed_until timestamptz,
  sent_at     timestamptz,
  last_error  text,
  PRIMARY KEY (notice_id, channel_id)
);
CREATE INDEX nodeops_deliveries_pending_idx ON nodeops_deliveries (next_at)
  WHERE status = 'pending';
