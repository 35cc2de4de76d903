-- Refunds of payments received on chain: the merchant creates the refund, which waits for
-- the payer to give an address through a signed, expiring, single-use link; it is then
-- paid as a withdrawal of the chains module from the merchant account.
--
-- status: pending_destination (amount reserved on the payment, no money moved yet),
-- processing (the withdrawal is on its way), succeeded, failed (the withdrawal failed or
-- was rejected: the reservation is given back), canceled (the merchant withdrew it while
-- it waited for a destination). Refunds to a wallet are `succeeded` from the start.
ALTER TABLE merchant_refunds
  ALTER COLUMN ledger_ref DROP NOT NULL,
  ADD COLUMN status text NOT NULL DEFAULT 'succeeded'
    CHECK (status IN ('pending_destination', 'processing', 'succeeded', 'failed', 'canceled')),
  ADD COLUMN destination_address text,
  ADD COLUMN withdrawal_id text UNIQUE,
  ADD COLUMN link_expires_at timestamptz,
  ADD COLUMN link_used_at timestamptz,
  ADD COLUMN failure_reason text,
  ADD COLUMN updated_at timestamptz;

-- Keys the module signs with (the refund link HMAC key), sealed by the platform's
-- envelope encryption: the row alone does not reveal the key.
CREATE TABLE merchant_secrets (
  name       text        PRIMARY KEY,
  sealed     text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
