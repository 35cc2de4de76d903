-- Executing a quote in one autocommitted statement (src/wallet/trades.ts, fastExecute):
-- the quote is marked executed first, as the first lock of the wallet's lock order (the
-- row acted on, then the profile locks, then the limit counters, then the ledger
-- accounts), and only if it is still open, unexpired at the caller's clock, the terms
-- the caller built the posting from, and the user's receiving account is the one the
-- caller proposed (the spending account is checked by wallet_payment_guard). False when
-- not: the statement's guard declines, nothing of it remains, and the full path answers
-- exactly why (executed already: the same trade; expired: quote_expired).
CREATE OR REPLACE FUNCTION wallet_claim_quote(
  p_id text, p_user text, p_spend_asset text, p_receive_asset text, p_spend_amount numeric,
  p_receive_amount numeric, p_now timestamptz, p_ledger_tx text, p_receive_account text)
RETURNS boolean
LANGUAGE plpgsql
AS $$
BEGIN
  UPDATE wallet_quotes
     SET status = 'executed', executed_at = p_now, ledger_transaction_id = p_ledger_tx
   WHERE id = p_id AND user_id = p_user AND status = 'open' AND expires_at > p_now
     AND spend_asset = p_spend_asset AND receive_asset = p_receive_asset
     AND spend_amount = p_spend_amount AND receive_amount = p_receive_amount
     AND EXISTS (SELECT 1 FROM wallet_ledger_accounts
                  WHERE user_id = p_user AND asset = p_receive_asset
                    AND account_id = p_receive_account);
  RETURN FOUND;
END
$$;

-- A quote and a payment request keep the Idempotency-Key they were created with (the
-- HTTP layer then neither claims nor records it): the same key again answers the same
-- quote or request, in the creating statement's own unique index.
ALTER TABLE wallet_quotes ADD COLUMN request_key text;
CREATE UNIQUE INDEX wallet_quotes_request_key ON wallet_quotes (user_id, request_key)
  WHERE request_key IS NOT NULL;
ALTER TABLE wallet_payment_requests ADD COLUMN request_key text;
CREATE UNIQUE INDEX wallet_payment_requests_request_key
  ON wallet_payment_requests (requester_id, request_key) WHERE request_key IS NOT NULL;
