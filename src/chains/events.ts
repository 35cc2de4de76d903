import { defineEvents, ownersFrom } from '../platform/events/registry.js';
import type { WithdrawalStatus } from './withdrawals/service.js';

const user = ownersFrom('user_id');

const WITHDRAWAL_DESCRIPTIONS: Record<WithdrawalStatus, string> = {
  pending_approval: 'A withdrawal above the approval threshold waits for an operator',
  queued: 'A withdrawal was accepted and waits to be signed',
  signed: 'The withdrawal transaction was signed',
  broadcast: 'The signed transaction was sent to the chain',
  confirmed: 'The transaction is confirmed on chain',
  failed: 'The withdrawal failed; the hold was released',
  rejected: 'An operator rejected the withdrawal; the hold was released',
  completed: 'An internal withdrawal (to another user of this deployment) was booked',
};
// Operators approve, and act on failures.
const WITHDRAWAL_OPERATOR = new Set<WithdrawalStatus>(['pending_approval', 'failed']);

/**
 * The chains module's events: on-chain deposits and withdrawals of users (payloads
 * carry `user_id`), and the follower's internals (`chain.*`), which webhooks see as
 * subscriptions' chain activity, not as events.
 */
export const CHAIN_EVENT_REGISTRY = defineEvents('chains', [
  {
    type: 'deposit.pending',
    description: 'An on-chain deposit to a user address was seen, not yet confirmed',
    payload: 'deposit',
    owners: user,
    visibility: 'public',
  },
  {
    type: 'deposit.confirmed',
    description: 'The deposit reached its confirmations and the user was credited',
    payload: 'deposit',
    owners: user,
    visibility: 'public',
  },
  {
    type: 'deposit.removed',
    description: 'A pending deposit was reorged out before it was confirmed',
    payload: 'deposit',
    owners: user,
    visibility: 'public',
  },
  {
    type: 'deposit.credit_failed',
    description: 'A confirmed deposit could not be credited (an operator must look)',
    payload: 'deposit',
    owners: user,
    visibility: 'public',
    operator: true,
  },
  {
    type: 'deposit.reorged_after_credit',
    description: 'A credited deposit was reorged out deeper than its confirmations',
    payload: 'deposit',
    owners: user,
    visibility: 'public',
    operator: true,
  },
  {
    type: 'deposit.reincluded',
    description:
      'A reorg moved the deposit transfer to another block (the same deposit, never a second credit)',
    payload: 'deposit',
    owners: user,
    visibility: 'public',
  },
  {
    type: 'deposit.reconfirmed',
    description: 'A deposit reorged out after credit was confirmed again; its hold was released',
    payload: 'deposit',
    owners: user,
    visibility: 'public',
    operator: true,
  },
  {
    type: 'deposit.reversed',
    description: 'An operator reversed the credit of a deposit whose transfer a reorg removed',
    payload: 'deposit',
    owners: user,
    visibility: 'public',
    operator: true,
  },
  {
    type: 'withdrawal.reorged',
    description: 'A confirmed withdrawal was reorged out; it is broadcast again',
    payload: 'withdrawal',
    owners: user,
    visibility: 'public',
    operator: true,
  },
  ...(Object.keys(WITHDRAWAL_DESCRIPTIONS) as WithdrawalStatus[]).map((status) => ({
    type: `withdrawal.${status}`,
    description: WITHDRAWAL_DESCRIPTIONS[status],
    payload: 'withdrawal',
    owners: user,
    visibility: 'public' as const,
    operator: WITHDRAWAL_OPERATOR.has(status),
  })),
  {
    type: 'chain.block.*',
    description: "The follower's blocks (pending, confirmed, removed), read by ingest",
    payload: 'chain block notice',
    owners: () => [],
    visibility: 'internal',
  },
  {
    type: 'chain.reorg.deep',
    description: 'A reorg deeper than the confirmations removed confirmed activity',
    payload: 'chain, depth, events',
    owners: () => [],
    visibility: 'internal',
  },
  {
    type: 'chain.sender.stuck',
    description: 'The withdrawal sender cannot fill a nonce gap; later withdrawals wait',
    payload: 'chain, address, nonces, reason',
    owners: () => [],
    visibility: 'internal',
  },
  {
    type: 'chain.sender.nonce_filled',
    description:
      'The withdrawal sender filled a nonce nothing of its own was to use (a failed withdrawal reorged out) with a zero-value transfer to itself',
    payload: 'chain, address, nonce, withdrawal_id',
    owners: () => [],
    visibility: 'internal',
  },
  {
    type: 'chain.follower.halted',
    description: 'The follower stopped on a chain',
    payload: 'chain, reason, cursor',
    owners: () => [],
    visibility: 'internal',
  },
]);
