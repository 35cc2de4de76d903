import type { Deposit } from './deposits.js';
import type { ChainStatus } from './service.js';
import type { Withdrawal } from './withdrawals/service.js';

/** The wire form of chain objects: amounts and heights as decimal strings. */

export const chainJson = (s: ChainStatus, staff: boolean) => ({
  object: 'chain' as const,
  chain: s.chain,
  chain_id: s.chainId,
  state: s.state,
  cursor: s.cursor?.toString() ?? null,
  confirmed: s.confirmed?.toString() ?? null,
  head: s.head?.toString() ?? null,
  lag: s.lag?.toString() ?? null,
  halt_reason: s.haltReason,
  updated_at: s.updatedAt?.toISOString() ?? null,
  ...(staff
    ? {
        follower_holder: s.followerHolder,
        endpoints: s.endpoints.map((e) => ({
          url: e.url,
          healthy: e.healthy,
          banned: e.banned,
          consecutive_failures: e.consecutiveFailures,
          last_error: e.lastError,
          latency_ms: e.latencyMs,
        })),
        hot_wallet: s.hotWallet,
        sender: s.sender
          ? {
              next_nonce: s.sender.nextNonce.toString(),
              chain_nonce: s.sender.chainNonce?.toString() ?? null,
              stuck: s.sender.stuck,
              checked_at: s.sender.checkedAt?.toISOString() ?? null,
            }
          : null,
        reorged_after_credit: {
          count: s.reorgedAfterCredit.count,
          on_hold: s.reorgedAfterCredit.onHold,
        },
      }
    : {}),
});

export const depositJson = (d: Deposit) => ({
  id: d.id,
  object: 'deposit' as const,
  status: d.status,
  chain: d.chainKey,
  asset: d.asset,
  amount: d.amountDecimal,
  address: d.address,
  from_address: d.fromAddress,
  tx_hash: d.txHash,
  block_number: d.blockNumber.toString(),
  block_hash: d.blockHash,
  event_id: d.eventId,
  confirmations_required: d.confirmations,
  user_id: d.userId,
  created_at: d.createdAt.toISOString(),
  confirmed_at: d.confirmedAt?.toISOString() ?? null,
  removed_at: d.removedAt?.toISOString() ?? null,
  on_hold: d.onHold,
  hold_error: d.holdError,
  reincluded: d.reincluded,
  reversed_at: d.reversedAt?.toISOString() ?? null,
  reversal_reason: d.reversalReason,
});

export const withdrawalJson = (w: Withdrawal) => ({
  id: w.id,
  object: 'withdrawal' as const,
  status: w.status,
  chain: w.chainKey,
  asset: w.asset,
  amount: w.amountDecimal,
  to_address: w.toAddress,
  internal: w.internalUserId !== null,
  tx_hash: w.txHash,
  nonce: w.nonce?.toString() ?? null,
  block_number: w.blockNumber?.toString() ?? null,
  failure_reason: w.failureReason,
  user_id: w.userId,
  created_at: w.createdAt.toISOString(),
  updated_at: w.updatedAt.toISOString(),
  finished_at: w.finishedAt?.toISOString() ?? null,
});
