-- Paying a payment request in one autocommitted statement (src/wallet/payments.ts,
-- fastPayRequest): the request row is marked paid first, as the first lock of the
-- wallet's lock order (the row acted on, then the profile locks, then the limit
-- counters, then the ledger accounts), and only if it is still pending and still the
-- request the caller read. False when it is not: the statement's guard then declines,
-- nothing of the statement remains, and the wallet's full path answers exactly why.
CREATE OR REPLACE FUNCTION wallet_claim_payment_request(
  p_id text, p_payer text, p_requester text, p_asset text, p_amount numeric,
  p_payment text, p_at timestamptz)
RETURNS boolean
LANGUAGE plpgsql
AS $$
BEGIN
  UPDATE wallet_payment_requests
     SET status = 'paid', payment_id = p_payment, resolved_at = p_at
   WHERE id = p_id AND payer_id = p_payer AND requester_id = p_requester
     AND asset = p_asset AND amount = p_amount AND status = 'pending';
  RETURN FOUND;
END
$$;
