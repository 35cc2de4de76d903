-- Card payments (see src/merchants/cards/): the payer's browser posts the card to the
-- processor, which gives back a single-use token; Vaultwire charges the token. A card
-- payment keeps the token (unique: the processor's redirect may be opened twice, the
-- payment is made once), the processor's charge id, the card's brand and last four
-- digits, and why it failed. Never the card number: nothing here can hold one, and free
-- text that looks like one is refused before it is stored.
ALTER TABLE merchant_payments DROP CONSTRAINT merchant_payments_method_check;
ALTER TABLE merchant_payments
  ADD CONSTRAINT merchant_payments_method_check CHECK (method IN ('wallet', 'chain', 'test', 'card'));
ALTER TABLE merchant_payments DROP CONSTRAINT merchant_payments_status_check;
ALTER TABLE merchant_payments
  ADD CONSTRAINT merchant_payments_status_check
  CHECK (status IN ('pending', 'confirmed', 'removed', 'failed'));

ALTER TABLE merchant_payments
  ADD COLUMN card_token     text UNIQUE,
  ADD COLUMN card_charge_id text UNIQUE,
  ADD COLUMN card_brand     text,
  ADD COLUMN card_last4     text CHECK (card_last4 ~ '^[0-9]{4}$'),
  ADD COLUMN failure_code   text;

-- Card payments still waiting for the processor's answer (a process that died between
-- the two is resumed from here).
CREATE INDEX merchant_payments_card_pending_idx
  ON merchant_payments (created_at) WHERE method = 'card' AND status = 'pending';
