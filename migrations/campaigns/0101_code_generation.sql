-- Bulk code generation.
--
-- A foreign key on campaign_codes.campaign_id costs one trigger query per inserted code:
-- half the time of a million-code generation. It goes; the service checks the campaign
-- (its owner's) before generating, holds a KEY SHARE lock on the campaign row in every
-- transaction that inserts codes (so the row cannot be deleted under it), and campaigns
-- are never deleted. campaign_redemptions keeps its foreign keys.
ALTER TABLE campaign_codes DROP CONSTRAINT campaign_codes_campaign_id_fkey;

-- A generation too large to make inside one request runs as a job; this row is its
-- progress (`generated` of `requested`), committed with each batch of codes it inserts,
-- so a retried job resumes where the last attempt stopped.
CREATE TABLE campaign_code_generations (
  id            text PRIMARY KEY,
  campaign_id   text NOT NULL REFERENCES campaigns (id),
  owner_id      text NOT NULL,
  status        text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
  requested     integer NOT NULL CHECK (requested >= 1),
  generated     integer NOT NULL DEFAULT 0 CHECK (generated >= 0 AND generated <= requested),
  spec          jsonb NOT NULL,
  error         text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz
);
CREATE INDEX campaign_code_generations_campaign ON campaign_code_generations (campaign_id, id);
