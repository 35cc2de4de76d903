-- Refunds of card payments (see src/merchants/refunds.ts): the refund is booked (merchant
-- balance to the card clearing account) and reserved on the payment in one transaction,
-- status `processing`; the card processor is then asked to refund the charge under the
-- refund's id as idempotency key. Its refund id lands here when it answers; a refusal
-- fails the refund and books the reversal, whose ledger transaction is kept beside the
-- original so each is written exactly once.
ALTER TABLE merchant_refunds
  ADD COLUMN card_refund_id text UNIQUE,
  ADD COLUMN reversal_ref   text;

-- Refunds still waiting for an answer (card refunds when the processor could not be
-- reached, refunds on chain waiting for their withdrawal): the resume pass reads these.
CREATE INDEX merchant_refunds_processing_idx
  ON merchant_refunds (updated_at) WHERE status = 'processing';
