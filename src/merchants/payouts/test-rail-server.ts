import { createHash, randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { listen } from '../../platform/http/server.js';

/**
 * A local stand-in for a bank's payout API, served over HTTP on 127.0.0.1: what tests,
 * benchmarks and a dev setup point `merchants.payoutRail.url` at. It speaks the API
 * `createHttpPayoutRail` calls — bearer key, `POST /v1/payouts` with a required
 * `Idempotency-Key` (the same key and body answer the same payout, a different body 422),
 * `GET /v1/payouts/{id}` — and keeps its payouts in memory.
 *
 * A payout is `pending`, then `in_transit`, then `paid` `settleMs` after it was created. A
 * destination starting with `fail` ends `failed` (`account_closed`) instead; one starting
 * with `reject` is refused at once with 400. `faults` makes the next requests answer 500,
 * before or after the payout is made (a lost answer), to try retries.
 */
export interface TestPayoutRailServer {
  readonly url: string;
  readonly apiKey: string;
  /** Every payout the rail made, oldest first. */
  payouts(): TestRailPayout[];
  /** The next `count` create requests answer 500: `after` makes the payout first. */
  fault(count: number, when: 'before' | 'after'): void;
  /** Create requests seen (replays and faults included). */
  requests(): number;
  close(): Promise<void>;
}

export interface TestRailPayout {
  id: string;
  idempotencyKey: string;
  amount: string;
  currency: string;
  destination: string;
  metadata: Record<string, string>;
  createdAt: number;
}

const DESTINATION = /^[\x20-\x7e]{1,100}$/;

export async function startTestPayoutRail(
  options: { settleMs?: number; now?: () => number; apiKey?: string } = {},
): Promise<TestPayoutRailServer> {
  const settleMs = options.settleMs ?? 0;
  const now = options.now ?? Date.now;
  const apiKey = options.apiKey ?? `rk_test_${randomBytes(16).toString('hex')}`;
  const payouts = new Map<string, TestRailPayout>();
  const byKey = new Map<string, { hash: string; id: string }>();
  let faults: { count: number; when: 'before' | 'after' } = { count: 0, when: 'before' };
  let requests = 0;

  const wire = (p: TestRailPayout) => {
    const age = now() - p.createdAt;
    const failing = p.destination.startsWith('fail');
    const status =
      age >= settleMs
        ? failing
          ? 'failed'
          : 'paid'
        : age >= settleMs / 2
          ? 'in_transit'
          : 'pending';
    return {
      id: p.id,
      object: 'payout' as const,
      amount: p.amount,
      currency: p.currency,
      destination: p.destination,
      metadata: p.metadata,
      status,
      failure_code: status === 'failed' ? 'account_closed' : null,
      failure_message: status === 'failed' ? 'The destination bank account is closed' : null,
      created: Math.floor(p.createdAt / 1000),
      arrival_date: Math.floor((p.createdAt + settleMs) / 1000),
    };
  };

  const error = (code: string, message: string, param?: string) => ({
    error: { type: 'invalid_request_error', code, message, param: param ?? null },
  });

  const app = new Hono();
  app.use('*', async (c, next) => {
    if (c.req.header('authorization') !== `Bearer ${apiKey}`) {
      return c.json(error('unauthorized', 'Invalid API key'), 401);
    }
    await next();
    return undefined;
  });

  app.post('/v1/payouts', async (c) => {
    requests += 1;
    const key = c.req.header('idempotency-key');
    if (!key || key.length > 255) {
      return c.json(error('idempotency_key_missing', 'Idempotency-Key is required'), 400);
    }
    const raw = await c.req.text();
    let body: {
      amount?: unknown;
      currency?: unknown;
      destination?: unknown;
      metadata?: unknown;
    };
    try {
      body = JSON.parse(raw) as typeof body;
    } catch {
      return c.json(error('body_invalid', 'The body is not JSON'), 400);
    }
    if (faults.count > 0 && faults.when === 'before') {
      faults = { ...faults, count: faults.count - 1 };
      return c.json({ error: { type: 'api_error', message: 'Injected fault' } }, 500);
    }
    const hash = createHash('sha256').update(raw).digest('hex');
    const prior = byKey.get(key);
    if (prior) {
      if (prior.hash !== hash) {
        return c.json(
          error('idempotency_key_reused', 'This key was used with other parameters'),
          422,
        );
      }
      const p = payouts.get(prior.id);
      if (!p) throw new Error('keyed payout vanished');
      c.header('idempotent-replayed', 'true');
      return c.json(wire(p), 200);
    }
    if (typeof body.amount !== 'string' || !/^[1-9][0-9]{0,30}$/.test(body.amount)) {
      return c.json(error('amount_invalid', 'amount: minor units, positive', 'amount'), 400);
    }
    if (typeof body.currency !== 'string' || !/^[a-z][a-z0-9]{1,15}$/.test(body.currency)) {
      return c.json(error('currency_invalid', 'currency: a lower-case code', 'currency'), 400);
    }
    if (typeof body.destination !== 'string' || !DESTINATION.test(body.destination)) {
      return c.json(error('destination_invalid', 'No such bank account', 'destination'), 400);
    }
    if (body.destination.startsWith('reject')) {
      return c.json(
        error('destination_refused', 'The bank refuses payouts to this account', 'destination'),
        400,
      );
    }
    const p: TestRailPayout = {
      id: `rpo_${randomBytes(12).toString('hex')}`,
      idempotencyKey: key,
      amount: body.amount,
      currency: body.currency,
      destination: body.destination,
      metadata: (body.metadata ?? {}) as Record<string, string>,
      createdAt: now(),
    };
    payouts.set(p.id, p);
    byKey.set(key, { hash, id: p.id });
    if (faults.count > 0 && faults.when === 'after') {
      faults = { ...faults, count: faults.count - 1 };
      return c.json({ error: { type: 'api_error', message: 'Injected fault' } }, 500);
    }
    return c.json(wire(p), 201);
  });

  app.get('/v1/payouts/:id', (c) => {
    const p = payouts.get(c.req.param('id'));
    if (!p) return c.json(error('resource_missing', 'No such payout'), 404);
    return c.json(wire(p), 200);
  });

  const server = await listen(app, { port: 0, host: '127.0.0.1' });
  return {
    url: `http://127.0.0.1:${server.port}`,
    apiKey,
    payouts: () => [...payouts.values()],
    fault(count, when) {
      faults = { count, when };
    },
    requests: () => requests,
    close: () => server.close(),
  };
}
