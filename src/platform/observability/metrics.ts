import {
  Counter,
  Gauge,
  Histogram,
  Registry,
  collectDefaultMetrics,
  type Metric,
} from 'prom-client';

/**
 * One Prometheus registry per process (not prom-client's global one), so tests can build
 * several apps side by side. Modules add their own metrics to `registry`.
 */
export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  httpInFlight: Gauge;
  rateLimited: Counter<'scope'>;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'vaultwire' });
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'vaultwire_http_request_duration_seconds',
      help: 'HTTP request latency by method, route template and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    httpInFlight: new Gauge({
      name: 'vaultwire_http_requests_in_flight',
      help: 'HTTP requests being served',
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'vaultwire_http_rate_limited_total',
      help: 'Requests refused by a rate limit, by scope (ip, credential, login)',
      labelNames: ['scope'] as const,
      registers: [registry],
    }),
  };
}

/**
 * The metric called `name` in `registry`, created by `make` the first time. Modules call
 * this instead of `new Counter(...)` so that two instances of a service sharing one
 * registry (several workers in one process, tests) share the metric instead of throwing.
 */
export function metricOnce<T extends Metric>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}
