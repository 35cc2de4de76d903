import { isIP } from 'node:net';
import { Pool } from 'undici';
import type { SsrfGuard } from '../ssrf/ssrf.js';

/**
 * HTTP out: one undici `Pool` per endpoint (keep-alive, bounded connections), connecting
 * through the SSRF guard's lookup so the address checked is the address used. Redirects
 * are never followed (undici's `request` does not follow them; a 3xx is a failure).
 */
export interface HttpSender {
  post(target: SendTarget, headers: Record<string, string>, body: string): Promise<SendResult>;
  /** Pools open now (one per endpoint origin). */
  readonly pools: number;
  close(): Promise<void>;
}

export interface SendTarget {
  endpointId: string;
  url: URL;
  /** Connections this endpoint may hold open (its in-flight bound). */
  connections: number;
}

export type SendResult =
  | {
      kind: 'response';
      status: number;
      retryAfter: string | undefined;
      excerpt: string;
      latencyMs: number;
    }
  | { kind: 'timeout' | 'network' | 'blocked'; error: string; latencyMs: number };

const EXCERPT_BYTES = 512;
const MAX_READ_BYTES = 64 * 1024;
const IDLE_POOL_MS = 5 * 60_000;

interface PoolEntry {
  pool: Pool;
  origin: string;
  lastUsed: number;
}

export function createHttpSender(deps: {
  guard: SsrfGuard;
  timeoutMs: number;
  connectTimeoutMs?: number;
}): HttpSender {
  const pools = new Map<string, PoolEntry>();
  const literalVerdicts = new Map<string, string | null>();

  const poolFor = (target: SendTarget): Pool => {
    const origin = target.url.origin;
    const entry = pools.get(target.endpointId);
    if (entry && entry.origin === origin) {
      entry.lastUsed = Date.now();
      return entry.pool;
    }
    if (entry) void entry.pool.close().catch(() => undefined);
    const pool = new Pool(origin, {
      connections: target.connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 120_000,
      headersTimeout: deps.timeoutMs,
      bodyTimeout: deps.timeoutMs,
      connect: {
        timeout: deps.connectTimeoutMs ?? Math.min(5_000, deps.timeoutMs),
        lookup: deps.guard.lookup,
      },
    });
    pools.set(target.endpointId, { pool, origin, lastUsed: Date.now() });
    return pool;
  };

  const sweep = setInterval(() => {
    const cutoff = Date.now() - IDLE_POOL_MS;
    for (const [id, e] of pools) {
      if (e.lastUsed < cutoff) {
        pools.delete(id);
        void e.pool.close().catch(() => undefined);
      }
    }
  }, 60_000);
  sweep.unref();

  return {
    get pools() {
      return pools.size;
    },

    async post(target, headers, body) {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      // `net.connect` skips the lookup for IP literals: check those here (once per host,
      // an IP literal's verdict never changes).
      const host = target.url.hostname;
      let why = literalVerdicts.get(host);
      if (why === undefined) {
        const bare = host.replace(/^\[|\]$/g, '');
        why = isIP(bare) !== 0 ? (deps.guard.forbidden(bare) ?? null) : null;
        if (literalVerdicts.size > 10_000) literalVerdicts.clear();
        literalVerdicts.set(host, why);
      }
      if (why !== null) {
        return { kind: 'blocked', error: `${host} is a ${why} address`, latencyMs: 0 };
      }
      try {
        // headersTimeout and bodyTimeout bound each phase; the connect timeout the rest.
        const res = await postOnce(
          poolFor(target),
          `${target.url.pathname}${target.url.search}`,
          headers,
          body,
        );
        return { kind: 'response', ...res, latencyMs: elapsed() };
      } catch (err) {
        return { ...describeFailure(err), latencyMs: elapsed() };
      }
    },

    async close() {
      clearInterval(sweep);
      const all = [...pools.values()];
      pools.clear();
      await Promise.all(all.map((e) => e.pool.close().catch(() => undefined)));
    },
  };
}

/**
 * One POST through undici's dispatcher interface, keeping the status, `Retry-After` and
 * the first bytes of the answer. Not `request()`: that wraps every response in a
 * readable stream, which cost a delivery worker about a fifth of its CPU for answers
 * that are a few bytes long and read once. A body longer than MAX_READ_BYTES is not read
 * to the end: the answer counts as given and the connection is dropped.
 */
function postOnce(
  pool: Pool,
  path: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; retryAfter: string | undefined; excerpt: string }> {
  return new Promise((resolve, reject) => {
    let status = 0;
    let retryAfter: string | undefined;
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let read = 0;
    let settled = false;
    const answer = () => {
      settled = true;
      resolve({ status, retryAfter, excerpt: Buffer.concat(kept).toString('utf8') });
    };
    pool.dispatch(
      { method: 'POST', path, headers, body },
      {
        // Its presence tells undici this handler speaks the controller interface.
        onRequestStart() {
          // nothing to do before the request is written
        },
        onResponseStart(_controller, statusCode, responseHeaders) {
          status = statusCode;
          const ra = responseHeaders['retry-after'];
          retryAfter = Array.isArray(ra) ? ra[0] : ra;
        },
        onResponseData(controller, chunk) {
          if (settled) return;
          read += chunk.length;
          if (keptBytes < EXCERPT_BYTES) {
            const part = chunk.subarray(0, EXCERPT_BYTES - keptBytes);
            kept.push(part);
            keptBytes += part.length;
          }
          if (read > MAX_READ_BYTES) {
            answer();
            controller.abort(new Error('webhook response body too large; not read further'));
          }
        },
        onResponseEnd() {
          if (!settled) answer();
        },
        onResponseError(_controller, err) {
          if (!settled) {
            settled = true;
            reject(err);
          }
        },
      },
    );
  });
}

function describeFailure(err: unknown): { kind: 'timeout' | 'network' | 'blocked'; error: string } {
  const chain: unknown[] = [];
  for (let e: unknown = err; e instanceof Error && chain.length < 5; e = e.cause) chain.push(e);
  for (const e of chain) {
    if ((e as { code?: string }).code === 'ERR_WEBHOOK_SSRF_BLOCKED') {
      return { kind: 'blocked', error: (e as Error).message };
    }
  }
  const first = err instanceof Error ? err : new Error(String(err));
  const name = `${first.name} ${(first as { code?: string }).code ?? ''}`;
  if (/Timeout|TimeoutError|UND_ERR_(HEADERS|BODY|CONNECT)_TIMEOUT|AbortError/.test(name)) {
    return { kind: 'timeout', error: first.message || 'request timed out' };
  }
  return { kind: 'network', error: `${first.name}: ${first.message}`.slice(0, 500) };
}
