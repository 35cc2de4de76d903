-- The last anchor of the audit chain head (see src/platform/audit/anchor.ts), kept for
-- display and so the anchor writer knows which sinks still owe it a copy after a restart
-- or a failover. Verification never trusts this row: it reads the exported copies, which
-- the database operator cannot rewrite.

CREATE TABLE audit_anchor_last (
  singleton   boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
  seq         bigint      NOT NULL CHECK (seq > 0),
  hash        text        NOT NULL,
  occurred_at timestamptz NOT NULL,
  anchored_at timestamptz NOT NULL,
  key_id      text        NOT NULL,
  hmac        text        NOT NULL,
  -- Sinks that have taken this anchor ('file', 'url'); the others are offered it again.
  sinks       text[]      NOT NULL DEFAULT '{}',
  updated_at  timestamptz NOT NULL DEFAULT now()
);
