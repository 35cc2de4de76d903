import { Counter, Gauge, type Metric, type Registry } from 'prom-client';
import { metricOnce } from '../platform/observability/metrics.js';

export interface ProducerMetrics {
  active: Gauge<'chain' | 'region'>;
  transitions: Counter<'chain' | 'kind' | 'reason'>;
  signatures: Counter<'chain' | 'repeat'>;
  refusals: Counter<'chain' | 'reason'>;
  lastSignature: Gauge<'chain'>;
  renewals: Counter<'chain' | 'result'>;
  healthFailovers: Counter<'chain' | 'from' | 'to'>;
}

export function createProducerMetrics(registry: Registry): ProducerMetrics {
  const once = <T extends Metric>(name: string, make: () => T): T =>
    metricOnce(registry, name, make);
  const r = [registry];
  return {
    active: once(
      'vaultwire_producer_active',
      () =>
        new Gauge({
          name: 'vaultwire_producer_active',
          help: '1 while this region holds the producer lease of the chain',
          labelNames: ['chain', 'region'] as const,
          registers: r,
        }),
    ),
    transitions: once(
      'vaultwire_producer_transitions_total',
      () =>
        new Counter({
          name: 'vaultwire_producer_transitions_total',
          help: 'Times this region became active or stopped being active, by reason (lease flapping)',
          labelNames: ['chain', 'kind', 'reason'] as const,
          registers: r,
        }),
    ),
    signatures: once(
      'vaultwire_producer_signatures_total',
      () =>
        new Counter({
          name: 'vaultwire_producer_signatures_total',
          help: 'Signatures released (repeat="true": the same request again)',
          labelNames: ['chain', 'repeat'] as const,
          registers: r,
        }),
    ),
    refusals: once(
      'vaultwire_producer_refusals_total',
      () =>
        new Counter({
          name: 'vaultwire_producer_refusals_total',
          help: 'Sign requests refused, by reason (double_sign_attempt pages)',
          labelNames: ['chain', 'reason'] as const,
          registers: r,
        }),
    ),
    lastSignature: once(
      'vaultwire_producer_last_signature_seconds',
      () =>
        new Gauge({
          name: 'vaultwire_producer_last_signature_seconds',
          help: 'Unix time of the last signature this process released for the chain',
          labelNames: ['chain'] as const,
          registers: r,
        }),
    ),
    renewals: once(
      'vaultwire_producer_lease_renewals_total',
      () =>
        new Counter({
          name: 'vaultwire_producer_lease_renewals_total',
          help: 'Lease renewals the active region tried, by result (failed: etcd did not renew it in time)',
          labelNames: ['chain', 'result'] as const,
          registers: r,
        }),
    ),
    healthFailovers: once(
      'vaultwire_producer_health_failovers_total',
      () =>
        new Counter({
          name: 'vaultwire_producer_health_failovers_total',
          help: 'Times this region handed the producer role over because the node checks found it unhealthy',
          labelNames: ['chain', 'from', 'to'] as const,
          registers: r,
        }),
    ),
  };
}
