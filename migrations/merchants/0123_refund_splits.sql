-- Refunds split across an invoice's payments (see src/merchants/refunds.ts): a refund no
-- single payment can cover is made of one refund per payment, booked in one transaction.
-- Each part keeps its own payment, status and ledger transaction (a wallet part succeeds
-- at once, a card part goes through the processor under its own idempotency key, a chain
-- part waits for the payer's address); `split_id` names the first part on all of them, so
-- the parts of one request are found together. Null on a refund from one payment.
ALTER TABLE merchant_refunds ADD COLUMN split_id text;
CREATE INDEX merchant_refunds_split_idx ON merchant_refunds (split_id) WHERE split_id IS NOT NULL;
