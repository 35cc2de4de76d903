-- The last attempt of a message, kept on the message itself. A successful attempt is
-- recorded here only (webhook_attempts then holds failed attempts), which halves the
-- writes of the common case; `last_worker` names the delivery process that made it.
ALTER TABLE webhook_messages
  ADD COLUMN last_latency_ms integer,
  ADD COLUMN last_excerpt    text,
  ADD COLUMN last_worker     text;

-- Replays by block range read an endpoint's messages through webhook_messages_endpoint_idx:
-- one index less on the hottest table, where every state change rewrites each index.
DROP INDEX webhook_messages_block_idx;

COMMENT ON TABLE webhook_attempts IS
  'Failed webhook delivery attempts; a successful attempt lives on its message (last_*).';
