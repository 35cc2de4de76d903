import { Hono, type Env } from 'hono';
import type { Metrics } from '../observability/metrics.js';
import { ApiError } from './errors.js';
import type { MetricsAccess } from './metrics-access.js';
import { listen, type RunningServer } from './server.js';

/**
 * The operations listener: `/livez`, `/readyz` and `/metrics` on a port of their own
 * (`VW_OPS_PORT`), served by every process whatever its roles. A delivery worker or a
 * chain follower has no API port, yet its health must be probed and its metrics
 * scraped: the broker lag that drives the delivery autoscaler exists only in the
 * delivery processes. Nothing else is served here, so the port can be opened to the
 * cluster's probes and scrapers without opening the API.
 */
export interface OpsDeps {
  metrics: Metrics;
  readiness: () => Promise<{ ok: boolean; checks: Record<string, string> }>;
  /** Who may read /metrics: the API port's rule. */
  metricsAccess: MetricsAccess;
}

/**
 * `/livez`, `/readyz` and `/metrics`, as both listeners serve them (the API port mounts
 * the same three).
 */
export function mountHealthRoutes<E extends Env>(app: Hono<E>, deps: OpsDeps): void {
  app.get('/livez', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const r = await deps.readiness();
    return c.json({ status: r.ok ? 'ready' : 'not_ready', checks: r.checks }, r.ok ? 200 : 503);
  });
  app.get('/metrics', async (c) => {
    const refused = deps.metricsAccess(c);
    if (refused) return refused;
    const body = await deps.metrics.registry.metrics();
    return c.body(body, 200, { 'content-type': deps.metrics.registry.contentType });
  });
}

export function createOpsApp(deps: OpsDeps): Hono {
  const app = new Hono();
  mountHealthRoutes(app, deps);
  app.notFound((c) =>
    c.json(
      new ApiError(
        404,
        'not_found_error',
        'route_not_found',
        'The operations port serves /livez, /readyz and /metrics only',
      ).toBody(),
      404,
    ),
  );
  return app;
}

export function startOpsServer(
  deps: OpsDeps,
  options: { port: number; host: string },
): Promise<RunningServer> {
  return listen(createOpsApp(deps), options);
}
