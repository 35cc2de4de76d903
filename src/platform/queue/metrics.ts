import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { metricOnce } from '../observability/metrics.js';
import type { QueueDepth } from './queue.js';

export interface QueueMetrics {
  outcomes: Counter<'queue' | 'outcome'>;
  duration: Histogram<'queue' | 'outcome'>;
}

/**
 * Job metrics on `registry`. Queue depth is read from the database when Prometheus
 * scrapes (`depth`), so it is right whichever process did the work; outcomes and
 * durations are counted by the process that ran the job.
 */
export function queueMetrics(registry: Registry, depth: () => Promise<QueueDepth[]>): QueueMetrics {
  const seen = new Set<string>();
  const ageGauge = metricOnce(
    registry,
    'vaultwire_job_oldest_due_age_seconds',
    () =>
      new Gauge({
        name: 'vaultwire_job_oldest_due_age_seconds',
        help: 'How long the oldest due job of each queue has been waiting to be claimed',
        labelNames: ['queue'] as const,
        registers: [registry],
      }),
  );
  metricOnce(
    registry,
    'vaultwire_job_queue_depth',
    () =>
      new Gauge({
        name: 'vaultwire_job_queue_depth',
        help: 'Jobs by queue and state (queued = due now, scheduled = waiting for a retry or run_at)',
        labelNames: ['queue', 'state'] as const,
        registers: [registry],
        async collect() {
          let rows: QueueDepth[];
          try {
            rows = await depth();
          } catch {
            // Database unreachable (or closed): keep the last values rather than fail the scrape.
            return;
          }
          const present = new Set<string>();
          for (const r of rows) {
            this.set({ queue: r.queue, state: r.state }, r.count);
            present.add(`${r.queue}\u0000${r.state}`);
            if (r.state === 'queued') ageGauge.set({ queue: r.queue }, r.oldestAgeSeconds);
          }
          // A drained queue reads 0, not "no data".
          for (const key of seen) {
            if (present.has(key)) continue;
            const [queue = '', state = ''] = key.split('\u0000');
            this.set({ queue, state }, 0);
            if (state === 'queued') ageGauge.set({ queue }, 0);
          }
          for (const key of present) seen.add(key);
        },
      }),
  );
  return {
    outcomes: metricOnce(
      registry,
      'vaultwire_jobs_total',
      () =>
        new Counter({
          name: 'vaultwire_jobs_total',
          help: 'Job deliveries by queue and outcome (completed, retried, dead, handed_back, lost)',
          labelNames: ['queue', 'outcome'] as const,
          registers: [registry],
        }),
    ),
    duration: metricOnce(
      registry,
      'vaultwire_job_duration_seconds',
      () =>
        new Histogram({
          name: 'vaultwire_job_duration_seconds',
          help: 'Time a job delivery took, from start of the handler to its recorded outcome',
          labelNames: ['queue', 'outcome'] as const,
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
          registers: [registry],
        }),
    ),
  };
}
