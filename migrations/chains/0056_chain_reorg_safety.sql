-- Reorg safety for deposits and withdrawals (see src/chains/deposits.ts and
-- src/chains/withdrawals/sender.ts).

-- A deposit is one on-chain transfer. When a reorg moves it to another block, the row
-- follows it (event_id, block) instead of a second row appearing, so it is credited once.
-- A credited deposit whose transfer is gone is `reorged_after_credit` with its credit held
-- (hold_ref) until it is re-included or an operator reverses it (`reversed`).
ALTER TABLE deposits DROP CONSTRAINT deposits_status_check;
ALTER TABLE deposits ADD CONSTRAINT deposits_status_check
  CHECK (status IN ('pending', 'confirmed', 'credit_failed', 'removed',
                    'reorged_after_credit', 'reversed'));
ALTER TABLE deposits
  ADD COLUMN hold_ref        text,                     -- the credit held while reorged out
  ADD COLUMN hold_error      text,                     -- why the ledger refused that hold
  ADD COLUMN reversal_ref    text,
  ADD COLUMN reversed_by     text,
  ADD COLUMN reversal_reason text,
  ADD COLUMN reversed_at     timestamptz,
  ADD COLUMN reincluded      integer NOT NULL DEFAULT 0; -- times it moved to another block
CREATE INDEX deposits_tx_idx ON deposits (chain_key, tx_hash);
CREATE INDEX deposits_reorged_idx ON deposits (chain_key) WHERE status = 'reorged_after_credit';

-- A confirmed withdrawal stays watched until it is deeper than the follower's window; a
-- reorg that drops it sends it back to `broadcast`. The hold was posted at confirmation,
-- so a withdrawal that then fails gives the money back by a ledger transfer.
ALTER TABLE withdrawals ADD COLUMN post_ref    text;                -- the posted hold (ledger transaction)
ALTER TABLE withdrawals ADD COLUMN reorged     integer NOT NULL DEFAULT 0;
CREATE INDEX withdrawals_recent_confirmed_idx ON withdrawals (chain_key, block_number)
  WHERE status = 'confirmed';

-- The nonce manager's view of the node: the node's pending nonce at the last check and,
-- when a nonce below ours is missing on the node and cannot be re-sent, why (a stuck sender).
ALTER TABLE chain_nonces
  ADD COLUMN chain_nonce  bigint,
  ADD COLUMN stuck_reason text,
  ADD COLUMN checked_at   timestamptz;
