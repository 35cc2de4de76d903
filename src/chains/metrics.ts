import { Counter, Gauge, Histogram, type Metric, type Registry } from 'prom-client';
import { metricOnce } from '../platform/observability/metrics.js';
import type { RpcMetrics } from './evm/rpc.js';

/** Prometheus metrics of the chains module, labelled by chain key (and RPC endpoint). */
export interface ChainMetrics extends RpcMetrics {
  head: Gauge<'chain'>;
  cursor: Gauge<'chain'>;
  lag: Gauge<'chain'>;
  blocks: Counter<'chain'>;
  events: Counter<'chain' | 'kind'>;
  reorgs: Counter<'chain'>;
  reorgDepth: Histogram<'chain'>;
  deepReorgs: Counter<'chain'>;
  halted: Gauge<'chain'>;
  emptyLogRetries: Counter<'chain'>;
  deposits: Counter<'chain' | 'asset' | 'status'>;
  withdrawals: Counter<'chain' | 'asset' | 'status'>;
  reorgedAfterCredit: Counter<'chain' | 'asset'>;
  /** Credited deposits whose transfer is off the chain now, waiting (held) for an operator. */
  depositsOnHold: Gauge<'chain'>;
  withdrawalsReorged: Counter<'chain'>;
  senderStuck: Gauge<'chain'>;
}

export function createChainMetrics(registry: Registry): ChainMetrics {
  const once = <T extends Metric>(name: string, make: () => T): T =>
    metricOnce(registry, name, make);
  const r = [registry];
  return {
    head: once(
      'vaultwire_chain_head_block',
      () =>
        new Gauge({
          name: 'vaultwire_chain_head_block',
          help: 'Head block number reported by the node',
          labelNames: ['chain'] as const,
          registers: r,
        }),
    ),
    cursor: once(
      'vaultwire_chain_cursor_block',
      () =>
        new Gauge({
          name: 'vaultwire_chain_cursor_block',
          help: 'Last block the follower processed',
          labelNames: ['chain'] as const,
          registers: r,
        }),
    ),
    lag: once(
      'vaultwire_chain_lag_blocks',
      () =>
        new Gauge({
          name: 'vaultwire_chain_lag_blocks',
          help: 'Blocks between the node head and the follower cursor',
          labelNames: ['chain'] as const,
          registers: r,
        }),
    ),
    blocks: once(
      'vaultwire_chain_blocks_total',
      () =>
        new Counter({
          name: 'vaultwire_chain_blocks_total',
          help: 'Blocks ingested by the follower (rate() gives blocks per second)',
          labelNames: ['chain'] as const,
          registers: r,
        }),
    ),
    events: once(
      'vaultwire_chain_events_total',
      () =>
        new Counter({
          name: 'vaultwire_chain_events_total',
          help: 'Events (transfers and logs) ingested, by kind',
          labelNames: ['chain', 'kind'] as const,
          registers: r,
        }),
    ),
    reorgs: once(
      'vaultwire_chain_reorgs_total',
      () =>
        new Counter({
          name: 'vaultwire_chain_reorgs_total',
          help: 'Reorgs seen by the follower',
          labelNames: ['chain'] as const,
          registers: r,
        }),
    ),
    reorgDepth: once(
      'vaultwire_chain_reorg_depth_blocks',
      () =>
        new Histogram({
          name: 'vaultwire_chain_reorg_depth_blocks',
          help: 'Blocks dropped per reorg',
          labelNames: ['chain'] as const,
          buckets: [1, 2, 3, 5, 8, 13, 21, 34, 64, 128, 256],
          registers: r,
        }),
    ),
    deepReorgs: once(
      'vaultwire_chain_deep_reorgs_total',
      () =>
        new Counter({
          name: 'vaultwire_chain_deep_reorgs_total',
          help: 'Reorgs that removed confirmed events or went past the kept window',
          labelNames: ['chain'] as const,
          registers: r,
        }),
    ),
    halted: once(
      'vaultwire_chain_follower_halted',
      () =>
        new Gauge({
          name: 'vaultwire_chain_follower_halted',
          help: '1 while a follower is stopped by a reorg deeper than its window',
          labelNames: ['chain'] as const,
          registers: r,
        }),
    ),
    emptyLogRetries: once(
      'vaultwire_chain_empty_logs_retries_total',
      () =>
        new Counter({
          name: 'vaultwire_chain_empty_logs_retries_total',
          help: 'Log fetches retried because the node returned fewer logs than the block bloom promises',
          labelNames: ['chain'] as const,
          registers: r,
        }),
    ),
    deposits: once(
      'vaultwire_chain_deposits_total',
      () =>
        new Counter({
          name: 'vaultwire_chain_deposits_total',
          help: 'Deposit state changes',
          labelNames: ['chain', 'asset', 'status'] as const,
          registers: r,
        }),
    ),
    withdrawals: once(
      'vaultwire_chain_withdrawals_total',
      () =>
        new Counter({
          name: 'vaultwire_chain_withdrawals_total',
          help: 'Withdrawal state changes',
          labelNames: ['chain', 'asset', 'status'] as const,
          registers: r,
        }),
    ),
    reorgedAfterCredit: once(
      'vaultwire_chain_deposits_reorged_after_credit_total',
      () =>
        new Counter({
          name: 'vaultwire_chain_deposits_reorged_after_credit_total',
          help: 'Credited deposits whose transfer a reorg removed (credit held for an operator)',
          labelNames: ['chain', 'asset'] as const,
          registers: r,
        }),
    ),
    depositsOnHold: once(
      'vaultwire_chain_deposits_reorged_open',
      () =>
        new Gauge({
          name: 'vaultwire_chain_deposits_reorged_open',
          help: 'Deposits reorged out after credit and not yet re-included or reversed',
          labelNames: ['chain'] as const,
          registers: r,
        }),
    ),
    withdrawalsReorged: once(
      'vaultwire_chain_withdrawals_reorged_total',
      () =>
        new Counter({
          name: 'vaultwire_chain_withdrawals_reorged_total',
          help: 'Confirmed withdrawals a reorg removed (sent back to broadcast and re-sent)',
          labelNames: ['chain'] as const,
          registers: r,
        }),
    ),
    senderStuck: once(
      'vaultwire_chain_sender_stuck',
      () =>
        new Gauge({
          name: 'vaultwire_chain_sender_stuck',
          help: '1 while a nonce below the hot wallet next one is missing on the node and cannot be re-sent',
          labelNames: ['chain'] as const,
          registers: r,
        }),
    ),
    requests: once(
      'vaultwire_chain_rpc_requests_total',
      () =>
        new Counter({
          name: 'vaultwire_chain_rpc_requests_total',
          help: 'JSON-RPC requests by endpoint and method',
          labelNames: ['chain', 'url', 'method'] as const,
          registers: r,
        }),
    ),
    errors: once(
      'vaultwire_chain_rpc_errors_total',
      () =>
        new Counter({
          name: 'vaultwire_chain_rpc_errors_total',
          help: 'JSON-RPC endpoint failures by endpoint and kind',
          labelNames: ['chain', 'url', 'kind'] as const,
          registers: r,
        }),
    ),
    up: once(
      'vaultwire_chain_rpc_up',
      () =>
        new Gauge({
          name: 'vaultwire_chain_rpc_up',
          help: '1 when the endpoint is considered healthy',
          labelNames: ['chain', 'url'] as const,
          registers: r,
        }),
    ),
    banned: once(
      'vaultwire_chain_rpc_banned',
      () =>
        new Gauge({
          name: 'vaultwire_chain_rpc_banned',
          help: '1 while node operations has the endpoint banned (it gets no requests)',
          labelNames: ['chain', 'url'] as const,
          registers: r,
        }),
    ),
    usable: once(
      'vaultwire_chain_rpc_usable_endpoints',
      () =>
        new Gauge({
          name: 'vaultwire_chain_rpc_usable_endpoints',
          help: 'RPC endpoints of the chain not banned by node operations (0: every request fails)',
          labelNames: ['chain'] as const,
          registers: r,
        }),
    ),
    latency: once(
      'vaultwire_chain_rpc_latency_seconds',
      () =>
        new Histogram({
          name: 'vaultwire_chain_rpc_latency_seconds',
          help: 'JSON-RPC latency by endpoint',
          labelNames: ['chain', 'url'] as const,
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
          registers: r,
        }),
    ),
  };
}
