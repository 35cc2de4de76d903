-- Events that reach a disabled endpoint are recorded, not lost, and owners hear of the
-- disabling even when that endpoint was their only one.
--
-- `skipped`: a message recorded while its endpoint was disabled (or waiting when it was
-- disabled), never attempted since. The claim ignores it; the owner brings it back with
-- POST /v1/webhook_endpoints/{id}/recover once the endpoint is enabled again, and
-- retention removes it after VW_WEBHOOK_RETENTION_DAYS otherwise.
ALTER TABLE webhook_messages DROP CONSTRAINT webhook_messages_state_check;
ALTER TABLE webhook_messages ADD CONSTRAINT webhook_messages_state_check
  CHECK (state IN ('pending', 'queued', 'delivering', 'delivered', 'failed', 'skipped'));
-- Recovery walks an endpoint's skipped messages by id (creation order).
CREATE INDEX webhook_messages_skipped_idx ON webhook_messages (endpoint_id, id)
  WHERE state = 'skipped';

-- When the endpoint was disabled (with disabled_reason saying why and by whom).
ALTER TABLE webhook_endpoints ADD COLUMN disabled_at timestamptz;
UPDATE webhook_endpoints SET disabled_at = updated_at WHERE status = 'disabled';

-- Notices to a user about their account (an endpoint disabled, …): listed by
-- GET /v1/notifications and, when SMTP is configured, emailed once.
CREATE TABLE notifications (
  id          text        PRIMARY KEY,                     -- ntf_…
  owner_id    text        NOT NULL,                        -- usr_… it is for
  type        text        NOT NULL,                        -- webhook_endpoint.disabled, …
  subject     text        NOT NULL,
  text        text        NOT NULL,                        -- what a person reads
  data        jsonb       NOT NULL DEFAULT '{}',
  -- Set once the SMTP server accepted the email; null without SMTP or until then.
  emailed_at  timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_owner_idx ON notifications (owner_id, id);
