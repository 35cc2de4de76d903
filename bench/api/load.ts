/**
 * The load generator of `npm run bench:api`, run as its own process so that its CPU is
 * not the server's: `concurrency` keep-alive connections (an undici Pool), each a loop
 * that sends one operation, awaits its answer, and sends the next.
 *
 * Input: one JSON object (LoadSpec) in the environment variable BENCH_LOAD. Output, on
 * stdout: the line `measuring` when the timed window opens, `done` when it closes, and
 * then one JSON line (LoadResult).
 */
import { Pool } from 'undici';

export type Operation =
  | 'livez'
  | 'payment'
  | 'payment-unkeyed'
  | 'balances'
  | 'login'
  | 'history'
  | 'quote-execute'
  | 'payment-request'
  | 'webhook-endpoints';

export interface BenchUser {
  id: string;
  email: string;
  handle: string;
  token: string;
  /** A webhook endpoint of this user's (for `webhook-endpoints`). */
  endpointId?: string;
}

export interface LoadSpec {
  base: string;
  operation: Operation;
  concurrency: number;
  warmupMs: number;
  seconds: number;
  /** Upper bound on operations per connection in one measurement, whatever the speed. */
  maxPerConnection: number;
  users: BenchUser[];
  password: string;
  run: string;
}

export interface LoadResult {
  operation: Operation;
  concurrency: number;
  /** Operations completed in the timed window. */
  ops: number;
  /** HTTP requests completed in the timed window (an operation may take two). */
  requests: number;
  failed: number;
  /** Failed operations in the timed window by the HTTP status that failed them. */
  failedByStatus: Record<string, number>;
  /** A few failure answers, for the report. */
  failures: string[];
  seconds: number;
  p50Ms: number;
  p99Ms: number;
}

const spec = JSON.parse(process.env['BENCH_LOAD'] ?? '{}') as LoadSpec;
const pool = new Pool(spec.base, {
  connections: spec.concurrency,
  pipelining: 1,
  keepAliveTimeout: 60_000,
});

class Failed extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function call(
  method: 'GET' | 'POST',
  path: string,
  token: string | undefined,
  body?: unknown,
  idempotencyKey?: string,
): Promise<Record<string, unknown>> {
  const headers: Record<string, string> = {};
  if (token) headers['authorization'] = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
  const res = await pool.request({
    method,
    path,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.body.text();
  if (res.statusCode >= 300)
    throw new Failed(res.statusCode, `${method} ${path} ${res.statusCode} ${text}`);
  return text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {};
}

function pick<T>(items: readonly T[]): T {
  const item = items[Math.floor(Math.random() * items.length)];
  if (item === undefined) throw new Error('nothing to pick from');
  return item;
}

/**
 * Connection `n`'s user: each connection acts for its own user (a real API has many
 * distinct users at once, each with one request in flight), counterparties are random.
 */
function userOf(n: number): BenchUser {
  const u = spec.users[n % spec.users.length];
  if (!u) throw new Error('no users');
  return u;
}

function other(self: BenchUser): BenchUser {
  for (;;) {
    const u = pick(spec.users);
    if (u.id !== self.id) return u;
  }
}

/** One operation; resolves with the number of HTTP requests it took. */
async function operate(n: number, i: number): Promise<number> {
  const me = userOf(n);
  const key = `bench-${spec.run}-${n}-${i}`;
  switch (spec.operation) {
    case 'livez':
      await call('GET', '/livez', undefined);
      return 1;
    case 'payment':
      await call(
        'POST',
        '/v1/payments',
        me.token,
        { to: `@${other(me).handle}`, asset: 'USD', amount: '0.01', note: 'bench' },
        key,
      );
      return 1;
    case 'payment-unkeyed':
      // The same payment without an Idempotency-Key: what the key's claim and record cost.
      await call('POST', '/v1/payments', me.token, {
        to: `@${other(me).handle}`,
        asset: 'USD',
        amount: '0.01',
        note: 'bench',
      });
      return 1;
    case 'balances':
      await call('GET', '/v1/wallet/balances', me.token);
      return 1;
    case 'history':
      await call('GET', '/v1/wallet/history?limit=20', me.token);
      return 1;
    case 'login':
      await call('POST', '/v1/sessions', undefined, { email: me.email, password: spec.password });
      return 1;
    case 'quote-execute': {
      const quote = await call(
        'POST',
        '/v1/quotes',
        me.token,
        { from: 'USD', to: 'BTC', spend_amount: '1.00' },
        `${key}-q`,
      );
      await call('POST', `/v1/quotes/${String(quote['id'])}/execute`, me.token, {}, `${key}-x`);
      return 2;
    }
    case 'payment-request': {
      // Ask another user for money; they pay it (with their own token).
      const payer = other(me);
      const request = await call(
        'POST',
        '/v1/payment_requests',
        me.token,
        { from: `@${payer.handle}`, asset: 'USD', amount: '0.01', note: 'bench' },
        `${key}-r`,
      );
      await call(
        'POST',
        `/v1/payment_requests/${String(request['id'])}/pay`,
        payer.token,
        {},
        `${key}-p`,
      );
      return 2;
    }
    case 'webhook-endpoints':
      await call('GET', '/v1/webhook_endpoints?limit=10', me.token);
      await call('GET', `/v1/webhook_endpoints/${me.endpointId ?? ''}`, me.token);
      return 2;
  }
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? 0;
}

async function main(): Promise<void> {
  let counting = false;
  let stop = false;
  let ops = 0;
  let requests = 0;
  let failed = 0;
  const failedByStatus: Record<string, number> = {};
  const failures: string[] = [];
  const latencies: number[] = [];

  async function connection(n: number): Promise<void> {
    for (let i = 0; i < spec.maxPerConnection && !stop; i++) {
      const started = performance.now();
      try {
        const r = await operate(n, i);
        if (counting) {
          ops++;
          requests += r;
          latencies.push(performance.now() - started);
        }
      } catch (err) {
        if (!(err instanceof Failed)) throw err;
        if (counting) {
          failed++;
          failedByStatus[err.status] = (failedByStatus[err.status] ?? 0) + 1;
        }
        if (failures.length < 5) failures.push(err.message.slice(0, 300));
      }
    }
  }

  const loops = Array.from({ length: spec.concurrency }, (_, n) => connection(n));
  await new Promise((r) => setTimeout(r, spec.warmupMs));
  counting = true;
  process.stdout.write('measuring\n');
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, spec.seconds * 1000));
  counting = false;
  process.stdout.write('done\n');
  const seconds = (performance.now() - t0) / 1000;
  stop = true;
  await Promise.all(loops);
  await pool.close();
  latencies.sort((a, b) => a - b);
  const result: LoadResult = {
    operation: spec.operation,
    concurrency: spec.concurrency,
    ops,
    requests,
    failed,
    failedByStatus,
    failures,
    seconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
