-- Webhooks (see src/webhooks): endpoints with their signing secrets, subscriptions to
-- chain activity, and the messages delivered to endpoints with every attempt.

CREATE TABLE webhook_endpoints (
  id                  text        PRIMARY KEY,             -- whe_…
  owner_id            text        NOT NULL,                -- usr_… who registered it
  -- Operators' endpoints may receive every platform event, not only their own.
  owner_staff         boolean     NOT NULL DEFAULT false,
  url                 text        NOT NULL,
  description         text,
  event_types         text[]      NOT NULL,
  status              text        NOT NULL DEFAULT 'active'
                      CHECK (status IN ('active', 'paused', 'disabled')),
  disabled_reason     text,
  ordered             boolean     NOT NULL DEFAULT false,
  rate_limit_per_sec  integer     CHECK (rate_limit_per_sec > 0),
  max_in_flight       integer     CHECK (max_in_flight > 0),
  -- First failure of the current run of failures; cleared by a success.
  failing_since       timestamptz,
  last_success_at     timestamptz,
  -- Ordered endpoints number their messages here; the row lock serialises ingest.
  next_seq            bigint      NOT NULL DEFAULT 0,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_owner_idx ON webhook_endpoints (owner_id, id);
CREATE INDEX webhook_endpoints_failing_idx ON webhook_endpoints (failing_since)
  WHERE status = 'active' AND failing_since IS NOT NULL;

-- Signing secrets, sealed by the secret box. During a rotation an endpoint has two or
-- more live secrets and every delivery carries one signature per secret.
CREATE TABLE webhook_secrets (
  id             text        PRIMARY KEY,                  -- whk_…
  endpoint_id    text        NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  secret_sealed  text        NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  expires_at     timestamptz
);
CREATE INDEX webhook_secrets_endpoint_idx ON webhook_secrets (endpoint_id);

CREATE TABLE webhook_subscriptions (
  id             text        PRIMARY KEY,                  -- wsub_…
  endpoint_id    text        NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  owner_id       text        NOT NULL,
  kind           text        NOT NULL
                 CHECK (kind IN ('address_activity', 'contract_log', 'new_block', 'transaction')),
  chain_key      text        NOT NULL,
  filter         jsonb       NOT NULL DEFAULT '{}',
  address_count  integer     NOT NULL DEFAULT 0,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_subscriptions_endpoint_idx ON webhook_subscriptions (endpoint_id, id);
CREATE INDEX webhook_subscriptions_owner_idx ON webhook_subscriptions (owner_id, id);

-- Watched addresses (address activity) and transaction hashes (transaction), with the
-- block range they count in: from `from_block`, until `until_block` (exclusive) once
-- removed. `change_seq` is the change that last touched the row, so matchers in other
-- processes load only what changed since they last looked.
CREATE TABLE webhook_watch_items (
  subscription_id text   NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
  item            text   NOT NULL,                          -- lowercase address or tx hash
  from_block      bigint NOT NULL DEFAULT 0,
  until_block     bigint,
  change_seq      bigint NOT NULL,
  PRIMARY KEY (subscription_id, item)
);
CREATE INDEX webhook_watch_items_change_idx ON webhook_watch_items (change_seq);

-- Every change to endpoints and subscriptions, in commit order (writers take an advisory
-- lock first), so caches elsewhere catch up with one indexed range read.
CREATE TABLE webhook_changes (
  seq          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  entity       text        NOT NULL CHECK (entity IN ('endpoint', 'subscription')),
  entity_id    text        NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);

-- One row per (endpoint, event): the delivery log, the retry queue and the replay source.
-- `id` is the `webhook-id` header, stable across retries and replays.
CREATE TABLE webhook_messages (
  id               text        PRIMARY KEY,                -- msg_…
  endpoint_id      text        NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  event_id         text        NOT NULL,                   -- the same for every endpoint
  event_type       text        NOT NULL,
  chain_key        text,
  block_number     bigint,
  body             text        NOT NULL,                   -- the exact bytes signed and sent
  ordered          boolean     NOT NULL DEFAULT false,
  seq              bigint,
  -- pending: due at next_attempt_at (claimed by the PostgreSQL loop); queued: handed to
  -- the NATS stream; delivering: claimed until next_attempt_at; delivered; failed (dead).
  state            text        NOT NULL
                   CHECK (state IN ('pending', 'queued', 'delivering', 'delivered', 'failed')),
  attempts         integer     NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  claim            uuid,
  last_status      integer,
  last_error       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  delivered_at     timestamptz,
  updated_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_messages_due_idx ON webhook_messages (next_attempt_at)
  WHERE state IN ('pending', 'delivering');
CREATE INDEX webhook_messages_ordered_idx ON webhook_messages (endpoint_id, seq)
  WHERE ordered AND state IN ('pending', 'delivering');
CREATE INDEX webhook_messages_endpoint_idx ON webhook_messages (endpoint_id, id);
CREATE INDEX webhook_messages_failed_idx ON webhook_messages (endpoint_id, id)
  WHERE state = 'failed';
CREATE INDEX webhook_messages_queued_idx ON webhook_messages (updated_at)
  WHERE state = 'queued';
CREATE INDEX webhook_messages_block_idx ON webhook_messages (endpoint_id, chain_key, block_number)
  WHERE block_number IS NOT NULL;

-- Delivery attempts: the delivery log customers query.
CREATE TABLE webhook_attempts (
  id                text        PRIMARY KEY,               -- wha_…
  message_id        text        NOT NULL,
  endpoint_id       text        NOT NULL,
  attempt           integer     NOT NULL,
  outcome           text        NOT NULL,
  status_code       integer,
  latency_ms        integer,
  response_excerpt  text,
  error             text,
  worker            text,
  created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_attempts_message_idx ON webhook_attempts (message_id);
CREATE INDEX webhook_attempts_endpoint_idx ON webhook_attempts (endpoint_id, id);
