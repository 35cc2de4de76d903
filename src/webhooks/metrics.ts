import { Counter, Gauge, Histogram, type Metric, type Registry } from 'prom-client';
import { metricOnce } from '../platform/observability/metrics.js';

/** Prometheus metrics of webhook delivery. */
export interface WebhookMetrics {
  deliveries: Counter<'outcome'>;
  requestSeconds: Histogram<'outcome'>;
  eventToDeliverySeconds: Histogram;
  deferred: Counter<'reason'>;
  retriesScheduled: Counter;
  deadLettered: Counter;
  messagesCreated: Counter<'engine'>;
  outcomesRecorded: Counter;
  recorderBatch: Histogram;
  /** Live delivery processes this one counts at its last heartbeat (it takes 1/N of each endpoint's limits). */
  deliveryWorkers: Gauge;
  /** `tx.dropped` messages created, by chain. */
  txDropped: Counter<'chain'>;
  /** Blocks re-read by backfills, by chain. */
  backfillBlocks: Counter<'chain'>;
}

export interface WebhookGaugeSources {
  /** Endpoints by status. */
  endpoints(): Promise<{ status: string; count: number }[]>;
  /** Age of the oldest due message per endpoint, worst first (bounded list). */
  lag(): Promise<{ endpointId: string; seconds: number; due: number }[]>;
  /** Messages waiting in the broker (nats engine). */
  broker?(): Promise<{ pending: number; ackPending: number }>;
  /** Backfills by state (queued, running, done, failed). */
  backfills(): Promise<{ state: string; count: number }[]>;
}

const BACKFILL_STATES = ['queued', 'running', 'done', 'failed'] as const;

const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export function createWebhookMetrics(registry: Registry): WebhookMetrics {
  const once = <T extends Metric>(name: string, make: () => T): T =>
    metricOnce(registry, name, make);
  return {
    deliveries: once(
      'vaultwire_webhook_deliveries_total',
      () =>
        new Counter({
          name: 'vaultwire_webhook_deliveries_total',
          help: 'Webhook delivery attempts by outcome (delivered, failed, throttled, gone, redirect, timeout, network, blocked)',
          labelNames: ['outcome'] as const,
          registers: [registry],
        }),
    ),
    requestSeconds: once(
      'vaultwire_webhook_request_duration_seconds',
      () =>
        new Histogram({
          name: 'vaultwire_webhook_request_duration_seconds',
          help: 'Duration of one webhook HTTP attempt, by outcome',
          labelNames: ['outcome'] as const,
          buckets: SECONDS,
          registers: [registry],
        }),
    ),
    eventToDeliverySeconds: once(
      'vaultwire_webhook_event_to_delivery_seconds',
      () =>
        new Histogram({
          name: 'vaultwire_webhook_event_to_delivery_seconds',
          help: 'From message creation to its successful delivery (includes retries)',
          buckets: [...SECONDS, 300, 3600, 86400],
          registers: [registry],
        }),
    ),
    deferred: once(
      'vaultwire_webhook_deferred_total',
      () =>
        new Counter({
          name: 'vaultwire_webhook_deferred_total',
          help: 'Deliveries put back without an attempt (circuit open, Retry-After hold, rate limit)',
          labelNames: ['reason'] as const,
          registers: [registry],
        }),
    ),
    retriesScheduled: once(
      'vaultwire_webhook_retries_scheduled_total',
      () =>
        new Counter({
          name: 'vaultwire_webhook_retries_scheduled_total',
          help: 'Failed attempts that scheduled a retry',
          registers: [registry],
        }),
    ),
    deadLettered: once(
      'vaultwire_webhook_dead_lettered_total',
      () =>
        new Counter({
          name: 'vaultwire_webhook_dead_lettered_total',
          help: 'Messages that ran out of attempts or met a 410 (dead letters)',
          registers: [registry],
        }),
    ),
    messagesCreated: once(
      'vaultwire_webhook_messages_created_total',
      () =>
        new Counter({
          name: 'vaultwire_webhook_messages_created_total',
          help: 'Messages created by ingest, by the engine that carries their first attempt',
          labelNames: ['engine'] as const,
          registers: [registry],
        }),
    ),
    outcomesRecorded: once(
      'vaultwire_webhook_outcomes_recorded_total',
      () =>
        new Counter({
          name: 'vaultwire_webhook_outcomes_recorded_total',
          help: 'Delivery outcomes written to the database',
          registers: [registry],
        }),
    ),
    recorderBatch: once(
      'vaultwire_webhook_recorder_batch_size',
      () =>
        new Histogram({
          name: 'vaultwire_webhook_recorder_batch_size',
          help: 'Outcomes written per database round trip',
          buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000],
          registers: [registry],
        }),
    ),
    deliveryWorkers: once(
      'vaultwire_webhook_delivery_workers',
      () =>
        new Gauge({
          name: 'vaultwire_webhook_delivery_workers',
          help: 'Live webhook delivery processes seen at the last heartbeat (each takes 1/N of every endpoint rate limit and in-flight bound); 0 outside the delivery role',
          registers: [registry],
        }),
    ),
    txDropped: once(
      'vaultwire_webhook_tx_dropped_total',
      () =>
        new Counter({
          name: 'vaultwire_webhook_tx_dropped_total',
          help: 'tx.dropped messages created (one per endpoint and watched hash not mined by its deadline), by chain',
          labelNames: ['chain'] as const,
          registers: [registry],
        }),
    ),
    backfillBlocks: once(
      'vaultwire_webhook_backfill_blocks_total',
      () =>
        new Counter({
          name: 'vaultwire_webhook_backfill_blocks_total',
          help: 'Blocks re-read from the node by webhook subscription backfills, by chain',
          labelNames: ['chain'] as const,
          registers: [registry],
        }),
    ),
  };
}

/**
 * Gauges read at scrape time: endpoints by status, queue lag per endpoint (the
 * autoscaling signal), the broker backlog and backfills by state.
 */
export function registerWebhookGauges(registry: Registry, sources: WebhookGaugeSources): void {
  metricOnce(
    registry,
    'vaultwire_webhook_endpoints',
    () =>
      new Gauge({
        name: 'vaultwire_webhook_endpoints',
        help: 'Webhook endpoints by status (active, paused, disabled)',
        labelNames: ['status'] as const,
        registers: [registry],
        async collect() {
          try {
            this.reset();
            for (const r of await sources.endpoints()) this.set({ status: r.status }, r.count);
          } catch {
            // Database unreachable: keep the scrape alive.
          }
        },
      }),
  );
  const lagMax = metricOnce(
    registry,
    'vaultwire_webhook_queue_lag_max_seconds',
    () =>
      new Gauge({
        name: 'vaultwire_webhook_queue_lag_max_seconds',
        help: 'Age of the oldest due, undelivered message over all active endpoints (scale on this)',
        registers: [registry],
      }),
  );
  metricOnce(
    registry,
    'vaultwire_webhook_queue_lag_seconds',
    () =>
      new Gauge({
        name: 'vaultwire_webhook_queue_lag_seconds',
        help: 'Age of the oldest due, undelivered message per endpoint (the 50 worst)',
        labelNames: ['endpoint'] as const,
        registers: [registry],
        async collect() {
          try {
            const rows = await sources.lag();
            this.reset();
            for (const r of rows) this.set({ endpoint: r.endpointId }, r.seconds);
            lagMax.set(rows[0]?.seconds ?? 0);
          } catch {
            // keep the last values
          }
        },
      }),
  );
  metricOnce(
    registry,
    'vaultwire_webhook_backfills',
    () =>
      new Gauge({
        name: 'vaultwire_webhook_backfills',
        help: 'Webhook subscription backfills by state (queued, running, done, failed)',
        labelNames: ['state'] as const,
        registers: [registry],
        async collect() {
          try {
            const rows = await sources.backfills();
            // Every state shows, at 0 when none is in it, so an alert on `failed` has a series.
            for (const state of BACKFILL_STATES) this.set({ state }, 0);
            for (const r of rows) this.set({ state: r.state }, r.count);
          } catch {
            // Database unreachable: keep the last values.
          }
        },
      }),
  );
  const broker = sources.broker?.bind(sources);
  if (broker) {
    metricOnce(
      registry,
      'vaultwire_webhook_broker_pending',
      () =>
        new Gauge({
          name: 'vaultwire_webhook_broker_pending',
          help: 'Messages in the JetStream stream not yet delivered to a worker (pending) or not yet acknowledged (ack_pending)',
          labelNames: ['kind'] as const,
          registers: [registry],
          async collect() {
            try {
              const b = await broker();
              this.set({ kind: 'pending' }, b.pending);
              this.set({ kind: 'ack_pending' }, b.ackPending);
            } catch {
              // broker unreachable
            }
          },
        }),
    );
  }
}
