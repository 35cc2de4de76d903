-- Idempotency keys as claims (see src/platform/http/idempotency.ts). A POST claims its key
-- in a statement of its own, runs its handler outside any transaction, and records the
-- response in another short statement. status 0 is a claim still open.
ALTER TABLE idempotency_keys
  -- The request holding an open claim; its handler's transactions commit only while it
  -- still holds it (a fence against an owner that outlived its claim).
  ADD COLUMN claim_token   text,
  -- An open claim past this was abandoned (its process died or hung): a retry may take
  -- it over, unless work was committed under it.
  ADD COLUMN claimed_until timestamptz,
  -- Set in the same transaction as any work the handler committed under the claim, so a
  -- retry after a crash between that commit and the recording of the response never
  -- does the work twice.
  ADD COLUMN committed     boolean NOT NULL DEFAULT false;
