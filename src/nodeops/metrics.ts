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
    // Family-specific signals (same node labels). Each is set only where the family has it,
    // so a panel for CometBFT validators shows no EVM nodes.
    info: metricOnce(
      registry,
      'vaultwire_nodeops_node_info',
      () =>
        new Gauge({
          name: 'vaultwire_nodeops_node_info',
          help: 'Always 1: the node’s family and the client version it last reported (empty when unknown)',
          labelNames: ['chain', 'node', 'region', 'role', 'family', 'version'] as const,
          registers: [registry],
        }),
    ),
    syncing: gauge(
      'vaultwire_nodeops_node_syncing',
      '1 while the node says it is catching up (CometBFT catching_up, EVM eth_syncing, rippled server_state not in step)',
    ),
    heightAge: gauge(
      'vaultwire_nodeops_node_height_age_seconds',
      'Seconds since the node’s height last changed (XRP Ledger: the validated ledger’s age as rippled reports it)',
    ),
    check: metricOnce(
      registry,
      'vaultwire_nodeops_node_check_firing',
      () =>
        new Gauge({
          name: 'vaultwire_nodeops_node_check_firing',
          help: '1 while the check fires, 0 while it is clear; absent while it cannot be judged',
          labelNames: ['chain', 'node', 'region', 'role', 'check'] as const,
          registers: [registry],
        }),
    ),
    missedConsecutive: gauge(
      'vaultwire_nodeops_validator_missed_precommits_consecutive',
      'CometBFT validator: precommits missed in a row up to the newest block read',
    ),
    missedInWindow: gauge(
      'vaultwire_nodeops_validator_missed_precommits_window',
      'CometBFT validator: precommits missed in the chain’s signing window',
    ),
    signingWindow: gauge(
      'vaultwire_nodeops_validator_signing_window_blocks',
      'CometBFT validator: blocks in the signing window read so far (up to missed_window)',
    ),
    activeSet: gauge(
      'vaultwire_nodeops_validator_active',
      '1 while the validator is bonded (in the active set) or the EOS producer is in the active schedule',
    ),
    jailed: gauge('vaultwire_nodeops_validator_jailed', 'CometBFT validator: 1 while jailed'),
    missedRounds: gauge(
      'vaultwire_nodeops_producer_missed_rounds',
      'EOS producer: whole rounds since its last produced block',
    ),
    producedBehind: gauge(
      'vaultwire_nodeops_producer_blocks_since_produced',
      'EOS producer: blocks since its last produced block (or since watching began)',
    ),
    serverState: metricOnce(
      registry,
      'vaultwire_nodeops_xrpl_server_state',
      () =>
        new Gauge({
          name: 'vaultwire_nodeops_xrpl_server_state',
          help: 'XRP Ledger: 1 for the server_state rippled last reported, 0 for the states it left',
          labelNames: ['chain', 'node', 'region', 'role', 'state'] as const,
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
