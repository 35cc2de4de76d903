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
  const monitorLabels = ['monitor', 'chain', 'region'] as const;
  const monitorGauge = (name: string, help: string) =>
    metricOnce(
      registry,
      name,
      () => new Gauge({ name, help, labelNames: monitorLabels, registers: [registry] }),
    );
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
    // Monitors that are not chain nodes (labels: monitor, chain, region; '' when unset).
    backupNewest: monitorGauge(
      'vaultwire_nodeops_backup_newest_timestamp_seconds',
      'Time (Unix seconds) of the newest backup the monitor found',
    ),
    backupMaxAge: monitorGauge(
      'vaultwire_nodeops_backup_max_age_seconds',
      'The monitor’s limit on the newest backup’s age',
    ),
    backupHeight: monitorGauge(
      'vaultwire_nodeops_backup_height',
      'Block height of the newest backup, where known',
    ),
    httpLatency: monitorGauge(
      'vaultwire_nodeops_http_latency_seconds',
      'Latency of the last uptime check (to the end of the body)',
    ),
    certExpiry: monitorGauge(
      'vaultwire_nodeops_cert_expiry_timestamp_seconds',
      'Time (Unix seconds) the TLS certificate of an uptime-checked service expires',
    ),
    heartbeat: monitorGauge(
      'vaultwire_nodeops_heartbeat_timestamp_seconds',
      'Time (Unix seconds) of the last push to a heartbeat monitor (as this process received it)',
    ),
    monitorOk: metricOnce(
      registry,
      'vaultwire_nodeops_monitor_ok',
      () =>
        new Gauge({
          name: 'vaultwire_nodeops_monitor_ok',
          help: '1 while none of the monitor’s checks fires, 0 while one does',
          labelNames: ['monitor', 'kind', 'chain', 'region'] as const,
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
