import { BaseError, http, HttpRequestError, RpcRequestError, TimeoutError } from 'viem';
import type { Counter, Gauge, Histogram } from 'prom-client';
import type { EndpointHealth } from '../types.js';

/**
 * JSON-RPC over several HTTP endpoints of one chain. Requests go to the first healthy
 * endpoint in configured order; a transport failure (network, timeout, 5xx, rate limit)
 * marks that endpoint down for a growing cool-down and the request moves to the next.
 * An answer from the node that is an error about the request itself (a revert, "nonce
 * too low") is returned to the caller as is: another endpoint would say the same.
 * An endpoint node operations banned (`isBanned`) gets no request at all; when every
 * endpoint is banned, requests fail with `RpcEndpointsBannedError` (and the
 * `vaultwire_chain_rpc_usable_endpoints` gauge is 0) rather than use a banned node.
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
  /** 1 while node operations has the endpoint banned. */
  banned: Gauge<'chain' | 'url'>;
  /** Endpoints not banned (0: every request fails with `RpcEndpointsBannedError`). */
  usable: Gauge<'chain'>;
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

/** Every endpoint of the chain is banned by node operations: nothing was sent. */
export class RpcEndpointsBannedError extends RpcUnavailableError {
  override name = 'RpcEndpointsBannedError';
  constructor(
    readonly chainKey: string,
    readonly method: string,
  ) {
    super(
      `${chainKey}: every RPC endpoint is banned by node operations (out of consensus); ` +
        `${method} was not sent. Unban a node (vaultwire nodes unban) or add an endpoint.`,
    );
  }
}

interface Endpoint {
  url: string;
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
  /** Endpoints node operations banned: skipped (see `EndpointBans`). */
  isBanned?: (url: string) => boolean;
}): RpcPool {
  const isBanned = options.isBanned ?? (() => false);
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
      url,
      label,
      request: transport.request,
      failures: 0,
      downUntil: 0,
      lastError: null,
      latencyMs: null,
    };
  });

  const bannedNow = new Set<Endpoint>();
  /** The endpoints bans leave; keeps the ban gauges in step with what requests see. */
  const allowed = (): Endpoint[] => {
    const list: Endpoint[] = [];
    for (const e of endpoints) {
      const banned = isBanned(e.url);
      if (banned !== bannedNow.has(e)) {
        if (banned) bannedNow.add(e);
        else bannedNow.delete(e);
        metrics.banned.set({ chain: chainKey, url: e.label }, banned ? 1 : 0);
      }
      if (!banned) list.push(e);
    }
    metrics.usable.set({ chain: chainKey }, list.length);
    return list;
  };
  for (const e of endpoints) metrics.banned.set({ chain: chainKey, url: e.label }, 0);
  allowed();

  const order = (method: string): Endpoint[] => {
    const t = now();
    const candidates = allowed();
    if (candidates.length === 0) throw new RpcEndpointsBannedError(chainKey, method);
    const up = candidates.filter((e) => e.downUntil <= t);
    if (up.length > 0) return up;
    // All down: try the one that comes back soonest rather than failing outright.
    return [...candidates].sort((a, b) => a.downUntil - b.downUntil);
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
      for (const e of order(method)) {
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
          const answer = nodeAnswer(err);
          if (answer && !ENDPOINT_CODES.has(answer.code)) {
            // The node understood and refused: an answer, and the endpoint is fine.
            const cause = answer.cause as { message?: string; data?: unknown } | undefined;
            throw new RpcCallError(
              method,
              answer.code,
              cause?.message ?? answer.details,
              cause?.data,
            );
          }
          const kind =
            err instanceof TimeoutError
              ? 'timeout'
              : err instanceof HttpRequestError
                ? err.status !== undefined
                  ? `http_${err.status}`
                  : 'network'
                : answer
                  ? `rpc_${answer.code}`
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
      // Brings the ban gauges in step too: a ban lifted while no request went out would
      // otherwise stay on the gauge until the next request.
      allowed();
      const t = now();
      return endpoints.map((e) => ({
        url: e.label,
        healthy: e.downUntil <= t,
        banned: isBanned(e.url),
        consecutiveFailures: e.failures,
        lastError: e.lastError,
        latencyMs: e.latencyMs === null ? null : Math.round(e.latencyMs * 10) / 10,
      }));
    },
  };
}

/**
 * The node's JSON-RPC error answer inside what viem threw. viem wraps an answer with a
 * well-known code (-32000 "insufficient funds", "nonce too low"; -32602…) in its own
 * typed error whose message is generic ("Missing or invalid parameters"); the node's
 * code and message stay on the `RpcRequestError` it wraps.
 */
function nodeAnswer(err: unknown): RpcRequestError | undefined {
  if (err instanceof RpcRequestError) return err;
  if (!(err instanceof BaseError)) return undefined;
  const found = err.walk((e) => e instanceof RpcRequestError);
  return found instanceof RpcRequestError ? found : undefined;
}

function errorText(err: unknown): string {
  if (err instanceof HttpRequestError) return `HTTP ${err.status ?? 'error'}: ${err.shortMessage}`;
  if (err instanceof Error) return (err as { shortMessage?: string }).shortMessage ?? err.message;
  return String(err);
}
