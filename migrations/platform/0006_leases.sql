-- Leases with fencing tokens (see src/platform/leases/postgres.ts). A row per lease name
-- is kept forever (released leases have no holder) so `token` only ever grows: every
-- new acquisition gets a higher token than any holder before it.
CREATE TABLE leases (
  name        text        PRIMARY KEY,
  holder      text,
  token       bigint      NOT NULL,
  expires_at  timestamptz NOT NULL,
  acquired_at timestamptz NOT NULL,
  renewed_at  timestamptz NOT NULL
);
