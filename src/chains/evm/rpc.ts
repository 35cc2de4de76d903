import { http, HttpRequestError, RpcRequestError, TimeoutError } from 'viem';
import type { Counter, Gauge, Histogram } from 'prom-client';
import type { EndpointHealth } from '../types.js';

/**
 * JSON-RPC over several HTTP endpoints of one chain. Requests go to the first healthy
 * endpoint in configured order; a transport failure (network, timeout, 5xx, rate limit)
 * marks that endpoint down for a growing cool-down and the request moves to the next.
 * An answer from the node that is an error about the request itself (a revert, "nonce
 * too low") is returned to the caller as is: another endpoint would say the same.
 */
export interface RpcPool {
  request<T>(method: string, params?: readonly unknown[]): Promise<T>;
  health(): EndpointHealth[];
}

export interface RpcMetrics {
  requests: Counter<'chain' | 'url' | 'method'>;
  errors: Counter<'chain' | 'url' | 'kind'>;
  up: Gauge<'chain' | 'url'>;
  latency: Histogram<'chain' | 'url'>;
}

/** A node error about the request (revert, bad nonce…), not about the endpoint. */
export class RpcCallError extends Error {
  override name = 'RpcCallError';
  constructor(
    readonly method: string,
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

/** Every endpoint failed for this request. */
export class RpcUnavailableError extends Error {
  override name = 'RpcUnavailableError';
}

interface Endpoint {
  label: string;
  request: (args: { method: string; params?: unknown }) => Promise<unknown>;
  failures: number;
  downUntil: number;
  lastError: string | null;
  latencyMs: number | null;
}

// JSON-RPC codes that speak about the server's state rather than our request.
const ENDPOINT_CODES = new Set([-32603, -32005, -32002, -32001, 429]);

/** The URL as safe to show: scheme, host and port (API keys often live in the path). */
export function endpointLabel(url: string, index: number): string {
  try {
    const u = new URL(url);
    return `${index}:${u.protocol}//${u.host}`;
  } catch {
    return `${index}:invalid`;
  }
}

export function createRpcPool(options: {
  chainKey: string;
  urls: readonly string[];
  metrics: RpcMetrics;
  timeoutMs?: number;
  /** JSON-RPC requests made in the same tick go out as one batch of at most this many. */
  batchSize?: number;
  now?: () => number;
}): RpcPool {
  const now = options.now ?? Date.now;
  const { metrics, chainKey } = options;
  const endpoints: Endpoint[] = options.urls.map((url, i) => {
    const transport = http(url, {
      batch: { batchSize: options.batchSize ?? 100, wait: 0 },
      retryCount: 0,
      timeout: options.timeoutMs ?? 15_000,
    })({ retryCount: 0 });
    const label = endpointLabel(url, i);
    metrics.up.set({ chain: chainKey, url: label }, 1);
    return {
      label,
      request: transport.request,
      failures: 0,
      downUntil: 0,
      lastError: null,
      latencyMs: null,
    };
  });

  const order = (): Endpoint[] => {
    const t = now();
    const up = endpoints.filter((e) => e.downUntil <= t);
    if (up.length > 0) return up;
    // All down: try the one that comes back soonest rather than failing outright.
    return [...endpoints].sort((a, b) => a.downUntil - b.downUntil);
  };

  const markDown = (e: Endpoint, err: unknown, kind: string) => {
    e.failures += 1;
    e.lastError = errorText(err);
    e.downUntil = now() + Math.min(60_000, 500 * 2 ** Math.min(e.failures - 1, 7));
    metrics.errors.inc({ chain: chainKey, url: e.label, kind });
    metrics.up.set({ chain: chainKey, url: e.label }, 0);
  };

  return {
    async request<T>(method: string, params: readonly unknown[] = []): Promise<T> {
      let last: unknown;
      for (const e of order()) {
        const started = performance.now();
        metrics.requests.inc({ chain: chainKey, url: e.label, method });
        try {
          const result = await e.request({ method, params }).catch((err: unknown) => {
            // A keep-alive connection the server closed as we reused it fails before the
            // request is read; every call we make is safe to repeat, so try once more.
            if (err instanceof HttpRequestError && err.status === undefined) {
              return e.request({ method, params });
            }
            throw err;
          });
          const ms = performance.now() - started;
          e.latencyMs = e.latencyMs === null ? ms : e.latencyMs * 0.8 + ms * 0.2;
          metrics.latency.observe({ chain: chainKey, url: e.label }, ms / 1000);
          if (e.failures > 0 || e.downUntil > 0) {
            e.failures = 0;
            e.downUntil = 0;
            metrics.up.set({ chain: chainKey, url: e.label }, 1);
          }
          return result as T;
        } catch (err) {
          if (err instanceof RpcRequestError && !ENDPOINT_CODES.has(err.code)) {
            // The node understood and refused: an answer, and the endpoint is fine.
            const cause = err.cause as { message?: string; data?: unknown } | undefined;
            throw new RpcCallError(method, err.code, cause?.message ?? err.details, cause?.data);
          }
          const kind =
            err instanceof TimeoutError
              ? 'timeout'
              : err instanceof HttpRequestError
                ? err.status !== undefined
                  ? `http_${err.status}`
                  : 'network'
                : err instanceof RpcRequestError
                  ? `rpc_${err.code}`
                  : 'other';
          markDown(e, err, kind);
          last = err;
        }
      }
      throw new RpcUnavailableError(
        `${chainKey}: every RPC endpoint failed for ${method}: ${errorText(last)}`,
        { cause: last },
      );
    },
    health() {
      const t = now();
      return endpoints.map((e) => ({
        url: e.label,
        healthy: e.downUntil <= t,
        consecutiveFailures: e.failures,
        lastError: e.lastError,
        latencyMs: e.latencyMs === null ? null : Math.round(e.latencyMs * 10) / 10,
      }));
    },
  };
}

function errorText(err: unknown): string {
  if (err instanceof HttpRequestError) return `HTTP ${err.status ?? 'error'}: ${err.shortMessage}`;
  if (err instanceof Error) return (err as { shortMessage?: string }).shortMessage ?? err.message;
  return String(err);
}
