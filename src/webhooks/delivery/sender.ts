import { isIP } from 'node:net';
import { buildConnector, Pool, type Dispatcher } from 'undici';
import type { SsrfGuard } from '../ssrf/ssrf.js';
import { egressProxyConnector, type EgressProxy } from './egress-proxy.js';

/**
 * HTTP out, on undici: per endpoint a `Pool` of keep-alive HTTP/1.1 connections (no
 * pipelining), bounded by the endpoint's in-flight limit. Every connection is made by a
 * connector that resolves host names through the SSRF guard's lookup, so the address
 * checked is the address connected to (DNS rebinding cannot slip a private address in
 * between), or, with an egress proxy configured, through a CONNECT tunnel to the target
 * (./egress-proxy.ts). Redirects are never followed: a 3xx is an answer.
 */
export interface HttpSender {
  /**
   * Resolves within the sender's `timeoutMs` of the call, however long the requests ahead
   * of it on the endpoint take: past that it is a `timeout`.
   */
  post(target: SendTarget, headers: Record<string, string>, body: string): Promise<SendResult>;
  /** Pools open now (one per endpoint). */
  readonly pools: number;
  close(): Promise<void>;
}

export interface SendTarget {
  endpointId: string;
  url: URL;
  /** Connections this endpoint may hold open (its in-flight bound). */
  connections: number;
}

/** What one POST came to: the receiver's answer, or why there was none. */
export type SendResult =
  | {
      kind: 'response';
      status: number;
      retryAfter: string | undefined;
      excerpt: string;
      latencyMs: number;
    }
  | { kind: 'timeout' | 'network' | 'blocked'; error: string; latencyMs: number };

/** Longest answer body read; past it the answer is taken as given and the connection dropped. */
export const MAX_READ_BYTES = 64 * 1024;
/** Body bytes kept for the delivery log. */
export const EXCERPT_BYTES = 512;

const IDLE_CONNECTION_MS = 30_000;
/** A waiting request with less time left than this is not sent (see `Exchange.overdue`). */
const MIN_USEFUL_MS = 10;
const IDLE_POOL_MS = 5 * 60_000;
const CLOSED = 'Error: HTTP sender closed';

interface Endpoint {
  /** The URL object last seen for the endpoint: the same object skips every check below. */
  url: URL;
  origin: string;
  /** `POST` target: path and query. */
  path: string;
  connections: number;
  /** Why an IP-literal host may not be called; null when it may (or is a name). */
  blocked: string | null;
  pool: Pool | undefined;
  /** A connection was just made: the request that starts now is the first on it. */
  freshConnection: boolean;
  /** Requests handed to the pool and not answered yet: at most `connections`. */
  active: number;
  /**
   * Requests waiting for one of those places, oldest first (some may have timed out
   * meanwhile). They wait here rather than in undici's queue: a request undici has taken
   * can only be withdrawn by aborting it, and that closes the connection it would have
   * gone out on.
   */
  waiting: Exchange[];
  lastUsed: number;
}

export function createHttpSender(deps: {
  guard: SsrfGuard;
  timeoutMs: number;
  connectTimeoutMs?: number;
  /** HTTP CONNECT proxy every request goes through (`VW_WEBHOOK_PROXY`). */
  proxy?: EgressProxy | undefined;
  /** Trust roots and verification for https receivers: tests only (self-signed certificates). */
  tls?: { ca?: string | Buffer; rejectUnauthorized?: boolean };
}): HttpSender {
  const endpoints = new Map<string, Endpoint>();
  /** Pools taken out of use that still finish what they hold. */
  const retiring = new Set<Pool>();
  const literalVerdicts = new Map<string, string | null>();
  const timeoutMs = deps.timeoutMs;
  const connectTimeoutMs = deps.connectTimeoutMs ?? Math.min(5_000, timeoutMs);
  const tls = { ca: deps.tls?.ca, rejectUnauthorized: deps.tls?.rejectUnauthorized ?? true };
  const proxied =
    deps.proxy === undefined
      ? undefined
      : egressProxyConnector({ proxy: deps.proxy, guard: deps.guard, connectTimeoutMs, tls });
  const connect =
    proxied?.connect ??
    buildConnector({
      lookup: deps.guard.lookup,
      timeout: connectTimeoutMs,
      keepAlive: true,
      keepAliveInitialDelay: 60_000,
      ...tls,
    });
  const state = { closed: false, timeoutMs, connectTimeoutMs };

  // `net.connect` skips the lookup for IP literals: check those here (once per host, an
  // IP literal's verdict never changes).
  const literalVerdict = (hostname: string): string | null => {
    let why = literalVerdicts.get(hostname);
    if (why === undefined) {
      const bare = unbracket(hostname);
      why = isIP(bare) !== 0 ? (deps.guard.forbidden(bare) ?? null) : null;
      if (literalVerdicts.size > 10_000) literalVerdicts.clear();
      literalVerdicts.set(hostname, why);
    }
    return why === null ? null : `${hostname} is a ${why} address`;
  };

  const retire = (pool: Pool | undefined): void => {
    if (pool === undefined) return;
    retiring.add(pool);
    pool.close().then(
      () => retiring.delete(pool),
      () => retiring.delete(pool),
    );
  };

  const endpointFor = (target: SendTarget): Endpoint => {
    const url = target.url;
    const connections = target.connections > 0 ? target.connections : 1;
    const ep = endpoints.get(target.endpointId);
    if (ep?.url === url && ep.connections === connections) return ep;
    const origin = url.origin;
    if (ep?.origin === origin && ep.connections === connections) {
      ep.url = url;
      ep.path = `${url.pathname}${url.search}`;
      return ep;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error(`unsupported protocol ${url.protocol}`);
    }
    // A new origin or bound for this endpoint: the old pool finishes what it holds and goes.
    retire(ep?.pool);
    const blocked = literalVerdict(url.hostname);
    const fresh: Endpoint = {
      url,
      origin,
      path: `${url.pathname}${url.search}`,
      connections,
      blocked,
      pool: undefined,
      freshConnection: false,
      active: 0,
      waiting: [],
      lastUsed: performance.now(),
    };
    if (blocked === null) {
      const pool = new Pool(origin, {
        connections,
        pipelining: 1,
        connect,
        keepAliveTimeout: IDLE_CONNECTION_MS,
        // The exchange's own deadline covers the wait, the connection and the answer.
        headersTimeout: 0,
        bodyTimeout: 0,
      });
      pool.on('connect', () => {
        // undici writes the first request on a new connection right after this event,
        // in the same turn; a connection made for a request withdrawn meanwhile carries
        // none, and must not mark the next one.
        fresh.freshConnection = true;
        queueMicrotask(() => {
          fresh.freshConnection = false;
        });
      });
      fresh.pool = pool;
    }
    endpoints.set(target.endpointId, fresh);
    for (const waiting of ep?.waiting.splice(0) ?? []) waiting.moveTo(fresh);
    return fresh;
  };

  const idleSweep = setInterval(() => {
    const before = performance.now() - IDLE_POOL_MS;
    for (const [id, ep] of endpoints) {
      if (ep.lastUsed < before && ep.active === 0 && ep.waiting.length === 0) {
        endpoints.delete(id);
        retire(ep.pool);
      }
    }
  }, 60_000);
  idleSweep.unref();

  return {
    get pools() {
      let n = 0;
      for (const ep of endpoints.values()) if (ep.pool !== undefined) n++;
      return n;
    },

    post(target, headers, body) {
      const started = performance.now();
      if (state.closed) return Promise.resolve(failed('network', CLOSED, started));
      let ep: Endpoint;
      try {
        checkHeaders(headers);
        ep = endpointFor(target);
      } catch (err) {
        const e = err instanceof Error ? err : new Error(String(err));
        return Promise.resolve(failed('network', `${e.name}: ${e.message}`, started));
      }
      ep.lastUsed = started;
      const pool = ep.pool;
      if (pool === undefined) {
        return Promise.resolve<SendResult>({
          kind: 'blocked',
          error: ep.blocked ?? 'blocked',
          latencyMs: 0,
        });
      }
      // One deadline from here, not one per stage: the caller holds a concurrency slot and
      // a claim (PostgreSQL visibility, NATS ack wait) while it waits, and those are sized
      // from the request timeout; a separate bound on the queue wait would make the worst
      // case twice the timeout and hide a slow receiver (it is what keeps every connection
      // busy). The cost: a request taken from the queue late has less than the whole
      // timeout for its exchange, and times out against the receiver like any other.
      return new Promise<SendResult>((resolve) => {
        const exchange = new Exchange(
          state,
          ep,
          pool,
          { origin: ep.origin, path: ep.path, method: 'POST', headers, body },
          started,
          resolve,
        );
        if (ep.active < ep.connections) exchange.dispatch();
        else ep.waiting.push(exchange);
      });
    },

    async close() {
      state.closed = true;
      clearInterval(idleSweep);
      const pools = [...retiring];
      for (const ep of endpoints.values()) {
        if (ep.pool !== undefined) pools.push(ep.pool);
        for (const waiting of ep.waiting.splice(0)) waiting.abandon();
      }
      endpoints.clear();
      retiring.clear();
      // In flight and queued: answered now (as closed), sockets destroyed.
      await Promise.all(pools.map((p) => p.destroy(new Error('HTTP sender closed'))));
      await proxied?.close();
    },
  };
}

/**
 * One POST, from the call to its answer: undici's dispatch handler, plus the request's
 * deadline and the single re-send on a fresh connection.
 */
class Exchange implements Dispatcher.DispatchHandler {
  done = false;
  private started = false;
  private retried = false;
  /** Handed to the pool (it holds one of the endpoint's `active` places). */
  private dispatched = false;
  /** The request went out on a connection that had already carried an exchange. */
  private reused = false;
  private controller: Dispatcher.DispatchController | undefined;
  private status = 0;
  private retryAfter: string | undefined;
  private readonly kept = Buffer.allocUnsafe(EXCERPT_BYTES);
  private keptBytes = 0;
  private bodyBytes = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly sender: { closed: boolean; timeoutMs: number; connectTimeoutMs: number },
    private ep: Endpoint,
    private pool: Pool,
    private readonly options: Dispatcher.DispatchOptions,
    private readonly startedAt: number,
    private readonly resolve: (r: SendResult) => void,
  ) {
    this.timer = setTimeout(this.expire, sender.timeoutMs);
  }

  /** Still waiting when its endpoint got a new pool (origin or bound changed): waits there. */
  moveTo(ep: Endpoint): void {
    if (this.done) return;
    if (ep.pool === undefined) {
      this.finish('blocked', ep.blocked ?? 'blocked');
      return;
    }
    this.ep = ep;
    this.pool = ep.pool;
    if (ep.active < ep.connections) this.dispatch();
    else ep.waiting.push(this);
  }

  /**
   * Too late to be worth a connection (its timer is about to fire): answered as timed out
   * now rather than sent, which would cost the connection it is given, torn down in the
   * middle of its exchange.
   */
  overdue(now: number): boolean {
    if (this.startedAt + this.sender.timeoutMs - now > MIN_USEFUL_MS) return false;
    this.expire();
    return true;
  }

  /** The sender is closing. */
  abandon(): void {
    if (!this.done) this.finish('network', CLOSED);
  }

  dispatch(): void {
    if (!this.dispatched) {
      this.dispatched = true;
      this.ep.active++;
    }
    this.pool.dispatch(this.options, this);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    if (this.done) {
      // Timed out while undici made it a connection: it is not sent late.
      controller.abort(new Error('timed out before it was sent'));
      return;
    }
    this.controller = controller;
    this.started = true;
    this.reused = !this.ep.freshConnection;
    this.ep.freshConnection = false;
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    // 1xx (103 Early Hints) come before the answer.
    if (statusCode < 200) return;
    this.status = statusCode;
    const retryAfter = headers['retry-after'];
    this.retryAfter = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.done) return;
    const room = EXCERPT_BYTES - this.keptBytes;
    if (room > 0) this.keptBytes += chunk.copy(this.kept, this.keptBytes, 0, room);
    this.bodyBytes += chunk.length;
    if (this.bodyBytes > MAX_READ_BYTES) {
      // Enough read to log it; the rest is not worth the bandwidth, nor the connection.
      this.answer();
      controller.abort(new Error('answer longer than read'));
    }
  }

  onResponseEnd(): void {
    this.answer();
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    if (this.done) return;
    if (this.sender.closed) {
      this.finish('network', CLOSED);
      return;
    }
    if (this.started && this.status === 0 && this.reused && !this.retried && peerClosed(err)) {
      // The receiver closed this kept-alive connection as the request went out on it (its
      // idle timeout and our reuse crossed): it answered nothing, so the request is sent
      // once more, on another connection.
      this.retried = true;
      this.started = false;
      this.controller = undefined;
      this.dispatch();
      return;
    }
    const { kind, error } = describeFailure(err, this.sender.connectTimeoutMs);
    this.finish(kind, error);
  }

  private readonly expire = (): void => {
    if (this.done) return;
    const { timeoutMs } = this.sender;
    const why = this.started
      ? `no complete response within ${timeoutMs} ms`
      : this.dispatched
        ? `no complete response within ${timeoutMs} ms (still connecting)`
        : `no connection free within ${timeoutMs} ms (all ${this.ep.connections} busy)`;
    this.finish('timeout', why);
    // On a connection: drop it, its framing is mid-answer. Waiting: skipped when its turn comes.
    this.controller?.abort(new Error(why));
  };

  private answer(): void {
    if (this.done) return;
    this.settle({
      kind: 'response',
      status: this.status,
      retryAfter: this.retryAfter,
      excerpt: this.excerpt(),
      latencyMs: Math.round(performance.now() - this.startedAt),
    });
  }

  private finish(kind: 'timeout' | 'network' | 'blocked', error: string): void {
    this.settle(failed(kind, error, this.startedAt));
  }

  private settle(result: SendResult): void {
    this.done = true;
    clearTimeout(this.timer);
    if (this.dispatched) {
      const ep = this.ep;
      ep.active--;
      const now = performance.now();
      let next = ep.waiting.shift();
      while (next !== undefined && (next.done || next.overdue(now))) next = ep.waiting.shift();
      next?.dispatch();
    }
    this.resolve(result);
  }

  private excerpt(): string {
    let n = this.keptBytes;
    if (n === 0) return '';
    if (this.bodyBytes > n) n = completeUtf8Prefix(this.kept, n);
    return this.kept.toString('utf8', 0, n);
  }
}

/** The peer closed or reset the connection (as opposed to answering badly). */
function peerClosed(err: Error): boolean {
  const code = (err as { code?: string }).code;
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED') return true;
  return (
    code === 'UND_ERR_SOCKET' && (err.message === 'other side closed' || err.message === 'closed')
  );
}

/** Bytes of `buf[0, n)` that end on a whole UTF-8 character. */
function completeUtf8Prefix(buf: Buffer, n: number): number {
  let i = n;
  let continuation = 0;
  while (i > 0 && continuation < 3 && ((buf[i - 1] ?? 0) & 0xc0) === 0x80) {
    i--;
    continuation++;
  }
  if (i === 0) return n;
  const lead = buf[i - 1] ?? 0;
  const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return length > continuation + 1 ? i - 1 : n;
}

/** RFC 9110 token: what a header name may be. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Visible ASCII, space, tab: nothing that could end a line or the head (request splitting). */
const HEADER_VALUE = /^[\t\x20-\x7e]*$/;
/** Header names the client frames the request with; a caller's could disagree with the body. */
const FRAMING = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'upgrade']);
/** Names already checked: a sender uses the same few on every request. */
const goodNames = new Set<string>();

/**
 * Refuses headers that could not be sent as they are. Checked here, before undici sees
 * them: undici refuses them too, but a request it refuses while dispatching leaves the
 * pool counting that connection as busy for good.
 */
function checkHeaders(headers: Record<string, string>): void {
  for (const name in headers) {
    if (!goodNames.has(name)) {
      if (!HEADER_NAME.test(name)) throw new Error(`invalid header name ${JSON.stringify(name)}`);
      if (FRAMING.has(name.toLowerCase())) {
        throw new Error(`header ${name} is set by the HTTP client`);
      }
      if (goodNames.size < 1_000) goodNames.add(name);
    }
    if (!HEADER_VALUE.test(headers[name] ?? ''))
      throw new Error(`invalid value for header ${name}`);
  }
}

function failed(
  kind: 'timeout' | 'network' | 'blocked',
  error: string,
  started: number,
): SendResult {
  return { kind, error: error.slice(0, 500), latencyMs: Math.round(performance.now() - started) };
}

function unbracket(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

/** Maps an error from a connection (or the SSRF guard's lookup inside it) to a result kind. */
export function describeFailure(
  err: unknown,
  connectTimeoutMs: number,
): { kind: 'timeout' | 'network' | 'blocked'; error: string } {
  const chain: unknown[] = [];
  for (let e: unknown = err; e instanceof Error && chain.length < 5; e = e.cause) {
    chain.push(e);
    // With several addresses to try, net reports an AggregateError of each attempt.
    if (e instanceof AggregateError) chain.push(...(e.errors as unknown[]));
  }
  for (const e of chain) {
    const code = (e as { code?: string } | undefined)?.code;
    if (code === 'ERR_WEBHOOK_SSRF_BLOCKED') {
      return { kind: 'blocked', error: (e as Error).message.slice(0, 500) };
    }
    if (code === 'UND_ERR_CONNECT_TIMEOUT') {
      return { kind: 'timeout', error: `connect timed out after ${connectTimeoutMs} ms` };
    }
  }
  const first = err instanceof Error ? err : new Error(String(err));
  return { kind: 'network', error: `${first.name}: ${first.message}`.slice(0, 500) };
}
