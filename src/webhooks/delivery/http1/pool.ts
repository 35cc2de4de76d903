import { connect as netConnect, type LookupFunction, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { BODY_TOO_LARGE, COMPLETE, NEED_MORE, ResponseParser } from './response-parser.js';

/**
 * Keep-alive HTTP/1.1 connections to one origin, at most `max` open, one request at a
 * time on each (no pipelining: a receiver that mis-frames one answer cannot shift the
 * next), requests beyond that waiting in FIFO order.
 *
 * Deadlines are not timers: every connection with a request in flight sits in a
 * `Deadlines` list that the owner sweeps every few tens of milliseconds, so a request
 * costs two array writes and no Timeout object (about 0.05 µs against 0.11 µs for a
 * setTimeout/clearTimeout pair, measured in a loop; small either way, but free of GC).
 * A request carries one deadline from the moment it is posted, and it holds wherever the
 * request is: waiting in a pool's queue (pools with a queue are on the same list), while
 * its connection is made, and during the exchange. See `PendingRequest.deadline`.
 */

/** What one POST came to. Same shape as the sender's `SendResult`. */
export type ExchangeResult =
  | {
      kind: 'response';
      status: number;
      retryAfter: string | undefined;
      excerpt: string;
      latencyMs: number;
    }
  | { kind: 'timeout' | 'network' | 'blocked'; error: string; latencyMs: number };

export interface OriginAddress {
  tls: boolean;
  /** Host name or IP literal, without IPv6 brackets. */
  host: string;
  port: number;
  /** SNI and certificate name; undefined for an IP literal. */
  servername: string | undefined;
}

export interface PoolSettings {
  timeoutMs: number;
  connectTimeoutMs: number;
  /** Resolves host names for the socket (the SSRF guard's, so the address checked is the one used). */
  lookup: LookupFunction;
  /** Extra trust roots and verification switch, for tests only. */
  ca?: string | Buffer | undefined;
  rejectUnauthorized?: boolean | undefined;
  deadlines: Deadlines;
}

/** Longest body read before the answer is taken as given and the connection dropped. */
export const MAX_READ_BYTES = 64 * 1024;
export const EXCERPT_BYTES = 512;

/** One POST waiting for, or on, a connection. */
export class PendingRequest {
  /** Already re-sent once after a reused connection turned out to be closed. */
  retried = false;
  constructor(
    readonly payload: string,
    readonly started: number,
    /**
     * performance.now() time by which the request has its answer or is a timeout: queue
     * wait, connect, a stale-connection re-send and the exchange all count against it.
     */
    readonly deadline: number,
    readonly resolve: (result: ExchangeResult) => void,
  ) {}
}

/** Connections with a request in flight (or connecting), pools with requests waiting, and their deadlines. */
export class Deadlines {
  /** Date.now() at the last sweep: good enough for idle bookkeeping, and free to read. */
  coarseNow = Date.now();
  private readonly items: Connection[] = [];
  /** Pools with requests queued (and, until the next sweep, any whose queue has emptied). */
  private readonly queues: OriginPool[] = [];

  /** Sweeps `pool`'s queue until it is empty. */
  watchQueue(pool: OriginPool): void {
    if (pool.queueWatched) return;
    pool.queueWatched = true;
    this.queues.push(pool);
  }

  add(c: Connection): void {
    if (c.slot >= 0) return;
    c.slot = this.items.length;
    this.items.push(c);
  }

  remove(c: Connection): void {
    const i = c.slot;
    if (i < 0) return;
    c.slot = -1;
    const last = this.items.pop();
    if (last !== undefined && last !== c) {
      this.items[i] = last;
      last.slot = i;
    }
  }

  /** Times out every request, queued or on a connection, whose deadline has passed. */
  sweep(now: number): void {
    this.coarseNow = Date.now();
    // Queues first: a connection that expires below serves its pool's queue, and should
    // find there only requests that still have time.
    for (let i = this.queues.length - 1; i >= 0; i--) {
      const pool = this.queues[i];
      if (pool === undefined) continue;
      if (pool.queue.length > 0) pool.expireQueued(now);
      if (pool.queue.length === 0) {
        // Off the list, so a pool dropped by its owner is not kept alive by it.
        pool.queueWatched = false;
        const last = this.queues.pop();
        if (last !== undefined && last !== pool) this.queues[i] = last;
      }
    }
    // Backwards: expiring swaps the last item into this slot, and that one was checked.
    for (let i = this.items.length - 1; i >= 0; i--) {
      const c = this.items[i];
      if (c !== undefined && c.deadline <= now) c.expire();
    }
  }

  /** Every connection in flight (for close()). */
  all(): Connection[] {
    return this.items.slice();
  }
}

/** Where plain-TCP reads land (one at a time: JavaScript handles each before the next). */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

const CONNECTING = 0;
const BUSY = 1;
const IDLE = 2;
const CLOSED = 3;

/** Reset or broken pipe on a reused connection before any answer: the peer had closed it. */
const STALE_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

export class OriginPool {
  open = 0;
  readonly idle: Connection[] = [];
  readonly queue: PendingRequest[] = [];
  /** Taken out of use: serves what it holds, keeps no idle connection. */
  retired = false;
  /** Closed: refuses everything. */
  closed = false;
  tlsSession: Buffer | undefined = undefined;
  /** On the Deadlines list of pools with a queue. */
  queueWatched = false;

  constructor(
    readonly address: OriginAddress,
    readonly settings: PoolSettings,
    public max: number,
  ) {}

  dispatch(req: PendingRequest): void {
    if (this.closed) {
      req.resolve(failure(req, 'network', 'Error: HTTP sender closed'));
      return;
    }
    const c = this.idle.pop();
    if (c !== undefined) c.assign(req);
    else if (this.open < this.max) this.connect(req);
    else {
      this.queue.push(req);
      this.settings.deadlines.watchQueue(this);
    }
  }

  /** Serves the queue after a connection went away. */
  next(): void {
    if (this.closed) return;
    const req = this.open < this.max ? this.takeQueued() : undefined;
    if (req !== undefined) this.connect(req);
  }

  /** A connection finished a response and may carry another. */
  release(c: Connection): void {
    const req = this.takeQueued();
    if (req !== undefined) c.assign(req);
    else if (this.retired || this.open > this.max) c.close();
    else c.park();
  }

  /** Re-sends a request whose reused connection had been closed by the peer, on a fresh one. */
  retry(req: PendingRequest): void {
    req.retried = true;
    if (this.closed) req.resolve(failure(req, 'network', 'Error: HTTP sender closed'));
    else if (this.open < this.max) this.connect(req);
    else {
      this.queue.unshift(req);
      this.settings.deadlines.watchQueue(this);
    }
  }

  /** Answers as timed out every queued request whose deadline has passed (the sweep). */
  expireQueued(now: number): void {
    // In place, keeping the order: the queue is FIFO.
    const q = this.queue;
    let kept = 0;
    for (let i = 0; i < q.length; i++) {
      const req = q[i];
      if (req === undefined) continue;
      if (req.deadline <= now) this.timeOutQueued(req);
      else q[kept++] = req;
    }
    q.length = kept;
  }

  /**
   * The next queued request still inside its deadline. One that expired since the last
   * sweep is answered here rather than sent: sending it would cost the connection it is
   * given, torn down by the next sweep in the middle of its exchange.
   */
  private takeQueued(): PendingRequest | undefined {
    if (this.queue.length === 0) return undefined;
    const now = performance.now();
    let req = this.queue.shift();
    while (req !== undefined && req.deadline <= now) {
      this.timeOutQueued(req);
      req = this.queue.shift();
    }
    return req;
  }

  private timeOutQueued(req: PendingRequest): void {
    req.resolve(
      failure(
        req,
        'timeout',
        `no connection free within ${this.settings.timeoutMs} ms (all ${this.max} busy)`,
      ),
    );
  }

  /**
   * Closes idle connections unused since `before` (Date.now() time); the others stop
   * holding the process open.
   */
  sweepIdle(before: number): void {
    // Parked last, taken last-in-first-out: the longest idle are at the front.
    while (this.idle.length > 0 && (this.idle[0]?.idleSince ?? 0) < before) {
      this.idle[0]?.close();
    }
    for (const c of this.idle) c.unrefIdle();
  }

  /** No new requests come here; what is queued or in flight still completes. */
  retire(): void {
    this.retired = true;
    while (this.idle.length > 0) this.idle[this.idle.length - 1]?.close();
  }

  /** Answers everything queued with a failure and closes idle connections (in-flight ones are aborted by the owner). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.retired = true;
    for (const req of this.queue.splice(0)) {
      req.resolve(failure(req, 'network', 'Error: HTTP sender closed'));
    }
    while (this.idle.length > 0) this.idle[this.idle.length - 1]?.close();
  }

  forget(c: Connection): void {
    this.open--;
    const i = this.idle.indexOf(c);
    if (i >= 0) this.idle.splice(i, 1);
  }

  private connect(req: PendingRequest): void {
    this.open++;
    try {
      new Connection(this, req);
    } catch (err) {
      // Invalid connect options throw at once instead of failing the socket.
      this.open--;
      const { kind, error } = describeFailure(err);
      req.resolve(failure(req, kind, error));
    }
  }
}

export class Connection {
  /** Index in the Deadlines list, -1 when not in it. */
  slot = -1;
  deadline = 0;
  idleSince = 0;
  private state = CONNECTING;
  private request: PendingRequest | undefined;
  private responses = 0;
  private unreferenced = false;
  private readonly parser = new ResponseParser(MAX_READ_BYTES, EXCERPT_BYTES);
  private readonly socket: Socket;

  constructor(
    private readonly pool: OriginPool,
    req: PendingRequest,
  ) {
    const { address, settings } = pool;
    this.request = req;
    const common = {
      host: address.host,
      port: address.port,
      lookup: settings.lookup,
      noDelay: true,
      keepAlive: true,
      keepAliveInitialDelay: 60_000,
    };
    if (address.tls) {
      this.socket = tlsConnect({
        ...common,
        servername: address.servername,
        ALPNProtocols: ['http/1.1'],
        session: pool.tlsSession,
        ca: settings.ca,
        rejectUnauthorized: settings.rejectUnauthorized ?? true,
      });
      this.socket.once('secureConnect', this.onConnect);
      this.socket.on('session', (session: Buffer) => {
        pool.tlsSession = session;
      });
      this.socket.on('data', this.onData);
    } else {
      // Reads land in one shared buffer and come straight here, past the stream
      // machinery: the parser copies what it keeps, so the buffer is free on return.
      this.socket = netConnect({
        ...common,
        onread: { buffer: READ_BUFFER, callback: this.onRead },
      });
      this.socket.once('connect', this.onConnect);
    }
    this.socket.on('end', this.onEnd);
    this.socket.on('error', this.onError);
    this.socket.on('close', this.onClose);
    this.deadline = Math.min(performance.now() + settings.connectTimeoutMs, req.deadline);
    settings.deadlines.add(this);
  }

  /** Puts a request on this idle (or just released) connection. */
  assign(req: PendingRequest): void {
    if (this.unreferenced) {
      this.socket.ref();
      this.unreferenced = false;
    }
    this.state = BUSY;
    this.request = req;
    this.pool.settings.deadlines.add(this);
    this.send(req);
  }

  /** Keeps the connection for a later request. */
  park(): void {
    this.state = IDLE;
    this.pool.settings.deadlines.remove(this);
    this.idleSince = this.pool.settings.deadlines.coarseNow;
    this.pool.idle.push(this);
  }

  /**
   * An idle connection stops holding the process open. Done by the owner's sweep rather
   * than on every park: under load a connection is idle for microseconds, and the
   * ref/unref pair would be paid on every request.
   */
  unrefIdle(): void {
    if (this.state === IDLE && !this.unreferenced) {
      this.socket.unref();
      this.unreferenced = true;
    }
  }

  /** The deadline passed: connect or the whole request took too long. */
  expire(): void {
    const req = this.request;
    const connecting = this.state === CONNECTING;
    // The connect bound, not the request's own deadline, is what ran out.
    const connectBound = connecting && req !== undefined && this.deadline < req.deadline;
    this.teardown();
    if (req !== undefined) {
      const { connectTimeoutMs, timeoutMs } = this.pool.settings;
      req.resolve(
        failure(
          req,
          'timeout',
          connectBound
            ? `connect timed out after ${connectTimeoutMs} ms`
            : `no complete response within ${timeoutMs} ms${connecting ? ' (still connecting)' : ''}`,
        ),
      );
    }
    this.pool.next();
  }

  /** Ends the connection, answering its request (if any) with `why`. */
  abort(why: string): void {
    const req = this.request;
    this.teardown();
    if (req !== undefined) req.resolve(failure(req, 'network', why));
    this.pool.next();
  }

  /** The owner is shutting down: nothing more is sent through this connection's pool. */
  shutdown(why: string): void {
    this.pool.close();
    this.abort(why);
  }

  close(): void {
    if (this.state === CLOSED) return;
    this.teardown();
    this.pool.next();
  }

  private send(req: PendingRequest): void {
    this.parser.reset();
    this.deadline = req.deadline;
    this.socket.write(req.payload);
  }

  private readonly onConnect = (): void => {
    if (this.state !== CONNECTING || this.request === undefined) return;
    this.state = BUSY;
    this.send(this.request);
  };

  private readonly onRead = (n: number): boolean => {
    this.onData(READ_BUFFER.subarray(0, n));
    return true;
  };

  private readonly onData = (chunk: Buffer): void => {
    if (this.state !== BUSY) {
      // Bytes nobody asked for (on an idle connection): its framing cannot be trusted.
      if (this.state === IDLE) this.close();
      return;
    }
    try {
      const r = this.parser.execute(chunk);
      if (r === NEED_MORE) return;
      if (r === COMPLETE) {
        // Bytes after the end of the answer belong to no request: do not reuse.
        this.answer(this.parser.keepAlive && this.parser.end === chunk.length);
      } else if (r === BODY_TOO_LARGE) {
        this.answer(false);
      } else {
        this.abort(`Error: malformed response: ${this.parser.error}`);
      }
    } catch (err) {
      // A fault of ours must cost this request, not the process (a socket callback has no caller).
      this.abort(describeFailure(err).error);
    }
  };

  private readonly onEnd = (): void => {
    if (this.state === BUSY && this.parser.bytesSeen > 0 && this.parser.finish() === COMPLETE) {
      this.answer(false);
      return;
    }
    this.lost(undefined);
  };

  private readonly onError = (err: Error): void => {
    this.lost(err);
  };

  private readonly onClose = (): void => {
    this.lost(undefined);
  };

  private answer(reusable: boolean): void {
    const req = this.request;
    if (req === undefined) return;
    this.request = undefined;
    this.responses++;
    const p = this.parser;
    const result: ExchangeResult = {
      kind: 'response',
      status: p.status,
      retryAfter: p.retryAfter,
      excerpt: p.excerpt(),
      latencyMs: Math.round(performance.now() - req.started),
    };
    if (reusable) this.pool.release(this);
    else this.close();
    req.resolve(result);
  }

  /** The socket failed or was closed by the peer. */
  private lost(err: Error | undefined): void {
    if (this.state === CLOSED) return;
    const req = this.request;
    const stale =
      req !== undefined &&
      this.state === BUSY &&
      this.responses > 0 &&
      this.parser.bytesSeen === 0 &&
      !req.retried &&
      (err === undefined || STALE_CODES.has((err as { code?: string }).code ?? ''));
    this.teardown();
    if (req !== undefined) {
      if (stale) {
        // The peer closed this idle connection as we wrote to it: it answered nothing,
        // so the request is sent once more on a fresh connection.
        this.pool.retry(req);
      } else if (err === undefined) {
        const why =
          this.parser.bytesSeen === 0
            ? 'Error: connection closed before any response'
            : 'Error: connection closed before the response ended';
        req.resolve(failure(req, 'network', why));
      } else {
        const { kind, error } = describeFailure(err);
        req.resolve(failure(req, kind, error));
      }
    }
    this.pool.next();
  }

  private teardown(): void {
    if (this.state === CLOSED) return;
    this.state = CLOSED;
    this.request = undefined;
    this.pool.settings.deadlines.remove(this);
    this.pool.forget(this);
    this.socket.destroy();
  }
}

function failure(
  req: PendingRequest,
  kind: 'timeout' | 'network' | 'blocked',
  error: string,
): ExchangeResult {
  return {
    kind,
    error: error.slice(0, 500),
    latencyMs: Math.round(performance.now() - req.started),
  };
}

/** Maps an error from a socket (or the SSRF guard's lookup inside it) to a result kind. */
export function describeFailure(err: unknown): {
  kind: 'timeout' | 'network' | 'blocked';
  error: string;
} {
  const chain: unknown[] = [];
  for (let e: unknown = err; e instanceof Error && chain.length < 5; e = e.cause) chain.push(e);
  for (const e of chain) {
    if ((e as { code?: string }).code === 'ERR_WEBHOOK_SSRF_BLOCKED') {
      return { kind: 'blocked', error: (e as Error).message.slice(0, 500) };
    }
  }
  // With several addresses to try, net reports an AggregateError of each attempt.
  if (err instanceof AggregateError) {
    for (const e of err.errors) {
      if ((e as { code?: string } | undefined)?.code === 'ERR_WEBHOOK_SSRF_BLOCKED') {
        return { kind: 'blocked', error: (e as Error).message.slice(0, 500) };
      }
    }
  }
  const first = err instanceof Error ? err : new Error(String(err));
  return { kind: 'network', error: `${first.name}: ${first.message}`.slice(0, 500) };
}
