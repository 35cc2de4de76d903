import { Counter, Gauge, type Registry } from 'prom-client';
import { metricOnce } from '../platform/observability/metrics.js';

/**
 * Node state as Prometheus metrics, so teams that route through Alertmanager get the
 * same signals (deploy/prometheus/nodeops-rules.yml). Every monitor replica exports what
 * it observed.
 */
export function createNodeopsMetrics(registry: Registry) {
  const labelNames = ['chain', 'node', 'region', 'role'] as const;
  const gauge = (name: string, help: string) =>
    metricOnce(registry, name, () => new Gauge({ name, help, labelNames, registers: [registry] }));
  return {
    height: metricOnce(
      registry,
      'vaultwire_nodeops_node_height',
      () =>
        new Gauge({
          name: 'vaultwire_nodeops_node_height',
          help: 'Latest block height the node reports',
          labelNames: ['chain', 'node', 'region', 'role'] as const,
          registers: [registry],
        }),
    ),
    lag: gauge(
      'vaultwire_nodeops_node_lag_blocks',
      'Blocks behind the highest of own nodes and references',
    ),
    peers: gauge('vaultwire_nodeops_node_peers', 'Peers the node reports'),
    up: gauge('vaultwire_nodeops_node_up', '1 when the node answered its last poll'),
    outOfConsensus: gauge(
      'vaultwire_nodeops_node_out_of_consensus',
      '1 while a consensus check (stalled, lagging, forked, syncing, missed signatures, unreachable) fires',
    ),
    banned: gauge('vaultwire_nodeops_node_banned', '1 while the node is banned'),
    referenceHeight: metricOnce(
      registry,
      'vaultwire_nodeops_chain_best_height',
      () =>
        new Gauge({
          name: 'vaultwire_nodeops_chain_best_height',
          help: 'Highest height among own nodes and references of the chain',
          labelNames: ['chain'] as const,
          registers: [registry],
        }),
    ),
    notifications: metricOnce(
      registry,
      'vaultwire_nodeops_notifications_total',
      () =>
        new Counter({
          name: 'vaultwire_nodeops_notifications_total',
          help: 'Alert notices sent to channels, by channel kind and outcome (sent, failed)',
          labelNames: ['channel', 'outcome'] as const,
          registers: [registry],
        }),
    ),
    leader: metricOnce(
      registry,
      'vaultwire_nodeops_sender',
      () =>
        new Gauge({
          name: 'vaultwire_nodeops_sender',
          help: '1 while this process holds the node-ops sender lease (writes alerts and sends them)',
          registers: [registry],
        }),
    ),
  };
}
export type NodeopsMetrics = ReturnType<typeof createNodeopsMetrics>;
