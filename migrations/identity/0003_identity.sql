-- Identity: users, login sessions, API keys and TOTP second factors
-- (see src/identity/service.ts). Tokens and recovery codes are stored only as SHA-256
-- hashes; TOTP seeds only sealed by the secret box.

CREATE TABLE users (
  id                  text        PRIMARY KEY,
  -- Normalised by the service (trimmed, lower case); the check keeps it that way.
  email               text        NOT NULL CHECK (email = lower(email)),
  handle              text        CHECK (handle ~ '^[a-z0-9_]{3,30}$'),
  role                text        NOT NULL DEFAULT 'user'
                                  CHECK (role IN ('user', 'merchant', 'operator', 'admin')),
  password_hash       text        NOT NULL,
  password_changed_at timestamptz NOT NULL DEFAULT now(),
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE UNIQUE INDEX users_handle_key ON users (handle) WHERE handle IS NOT NULL;
CREATE INDEX users_role_idx ON users (role, id);

CREATE TABLE sessions (
  id           text        PRIMARY KEY,
  user_id      text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash   text        NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  last_used_at timestamptz,
  revoked_at   timestamptz,
  ip           text,
  user_agent   text
);

CREATE UNIQUE INDEX sessions_token_hash_key ON sessions (token_hash);
CREATE INDEX sessions_user_idx ON sessions (user_id) WHERE revoked_at IS NULL;

CREATE TABLE api_keys (
  id           text        PRIMARY KEY,
  user_id      text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name         text        NOT NULL,
  token_hash   text        NOT NULL,
  last4        text        NOT NULL,
  scopes       text[]      NOT NULL CHECK (cardinality(scopes) > 0),
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz,
  last_used_at timestamptz,
  revoked_at   timestamptz,
  revoked_by   text
);

CREATE UNIQUE INDEX api_keys_token_hash_key ON api_keys (token_hash);
CREATE INDEX api_keys_user_idx ON api_keys (user_id, id);

-- One TOTP factor per user: pending (confirmed_at NULL) until a first code proves the
-- authenticator has the secret. last_used_step refuses a code used before (replay).
CREATE TABLE totp_factors (
  user_id        text        PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  secret_sealed  text        NOT NULL,
  confirmed_at   timestamptz,
  last_used_step bigint,
  created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE totp_recovery_codes (
  user_id   text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code_hash text        NOT NULL,
  used_at   timestamptz,
  PRIMARY KEY (user_id, code_hash)
);
