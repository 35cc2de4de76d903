import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../observability/logger.js';
import type { TakeResult } from './rate-limit.js';
import {
  createSharedRateLimiter,
  leaseChunk,
  type BucketStore,
  type Schedule,
} from './rate-limit-shared.js';

/**
 * The lease logic of the shared limiter against a store that keeps the buckets in
 * memory with the SQL's arithmetic (the SQL itself is tested on PostgreSQL in
 * rate-limit-postgres.pg.test.ts).
 */
function memoryStore(clock: () => number) {
  const buckets = new Map<string, { tokens: number; limit: number; at: number }>();
  let statements = 0;
  let failing = false;
  const store: BucketStore = {
    lease(key, limit, want, returned) {
      statements++;
      if (failing) return Promise.reject(new Error('connection refused'));
      const now = clock();
      const b = buckets.get(key);
      if (!b) {
        const granted = Math.min(want, limit);
        buckets.set(key, { tokens: limit - granted, limit, at: now });
        return Promise.resolve({ granted, tokens: limit - granted });
      }
      const available = Math.min(
        limit,
        b.tokens + returned + (Math.max(0, now - b.at) * limit) / 60_000,
      );
      const granted = Math.floor(Math.min(want, available));
      Object.assign(b, { tokens: available - granted, limit, at: Math.max(b.at, now) });
      return Promise.resolve({ granted, tokens: b.tokens });
    },
    giveBack(returns) {
      statements++;
      for (const r of returns) {
        const b = buckets.get(r.key);
        if (b) b.tokens = Math.min(b.limit, b.tokens + r.tokens);
      }
      return Promise.resolve();
    },
    sweep: () => Promise.resolve(0),
  };
  return {
    store,
    buckets,
    statements: () => statements,
    fail(on: boolean) {
      failing = on;
    },
  };
}

/** Timers the test fires by hand, so nothing runs behind its back. */
function manualTimers() {
  const due: (() => void)[] = [];
  const schedule: Schedule = (fn) => {
    due.push(fn);
    return () => {
      due.splice(due.indexOf(fn), 1);
    };
  };
  return {
    schedule,
    fire() {
      for (const fn of due.splice(0)) fn();
    },
  };
}

function logLines() {
  const lines: { msg: string }[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as { msg: string });
      done();
    },
  });
  return { logger: createLogger({ level: 'warn', destination }), lines };
}

function setup() {
  let now = 1_000_000;
  const clock = () => now;
  const s = memoryStore(clock);
  const timers = manualTimers();
  const log = logLines();
  const replica = () =>
    createSharedRateLimiter({
      store: s.store,
      logger: log.logger,
      clock,
      schedule: timers.schedule,
    });
  return {
    ...s,
    timers,
    log,
    replica,
    advance(ms: number) {
      now += ms;
    },
  };
}

const allowed = (results: TakeResult[]) => results.filter((r) => r.ok).length;

describe('shared rate limiter: leases', () => {
  it('leases a twentieth of the limit at a time', () => {
    expect([1, 19, 20, 60, 600, 1200].map(leaseChunk)).toEqual([1, 1, 1, 3, 30, 60]);
  });

  it('serves requests from its lease: 100 requests at 600/min cost 4 statements', async () => {
    const t = setup();
    const rl = t.replica();
    for (let i = 0; i < 100; i++) expect((await rl.take('ip:a', 600)).ok).toBe(true);
    expect(t.statements()).toBe(4); // chunks of 30
  });

  it('keeps a lease the client keeps using: one statement for a minute of steady requests', async () => {
    const t = setup();
    const rl = t.replica();
    // 600/min leases 30 at a time; one request a second spends 30 in 30 s.
    for (let i = 0; i < 29; i++) {
      expect((await rl.take('ip:a', 600)).ok).toBe(true);
      t.advance(1_000);
      t.timers.fire();
    }
    expect(t.statements()).toBe(1);
    // Idle past the lease lifetime: the unspent token goes back.
    t.advance(2_100);
    t.timers.fire();
    expect(t.statements()).toBe(2);
    expect(t.buckets.get('ip:a')?.tokens).toBe(571);
  });

  it('has simultaneous requests for one key wait for one statement instead of each sending one', async () => {
    const t = setup();
    const rl = t.replica();
    const results = await Promise.all(Array.from({ length: 50 }, () => rl.take('ip:a', 600)));
    expect(allowed(results)).toBe(50);
    expect(t.statements()).toBe(2);
  });

  it('holds two replicas to one budget, where per-process limits would allow twice as much', async () => {
    const t = setup();
    const [a, b] = [t.replica(), t.replica()];
    const results: TakeResult[] = [];
    for (let i = 0; i < 100; i++) {
      results.push(await a.take('cred:k', 60), await b.take('cred:k', 60));
    }
    expect(allowed(results)).toBe(60);
  });

  it('refuses with Retry-After once the bucket is empty, without asking again until it refills', async () => {
    const t = setup();
    const rl = t.replica();
    for (let i = 0; i < 60; i++) await rl.take('ip:a', 60);
    expect(await rl.take('ip:a', 60)).toEqual({ ok: false, retryAfterSeconds: 1 });
    const asked = t.statements();
    for (let i = 0; i < 20; i++) expect((await rl.take('ip:a', 60)).ok).toBe(false);
    expect(t.statements()).toBe(asked);
    t.advance(1_000); // one token a second at 60/min
    expect((await rl.take('ip:a', 60)).ok).toBe(true);
    expect(await rl.take('ip:a', 60)).toEqual({ ok: false, retryAfterSeconds: 1 });
  });

  it('gives the unspent tokens of an expired lease back, for the replica the client moved to', async () => {
    const t = setup();
    const [a, b] = [t.replica(), t.replica()];
    expect((await a.take('ip:a', 60)).ok).toBe(true); // a leases 3, spends 1
    let gotByB = 0;
    while ((await b.take('ip:a', 60)).ok) gotByB++;
    expect(gotByB).toBe(57);
    t.advance(2_100); // a's lease has expired; 2.1 tokens refilled meanwhile
    t.timers.fire(); // a's give-back
    gotByB = 0;
    while ((await b.take('ip:a', 60)).ok) gotByB++;
    expect(gotByB).toBe(4); // 2 refilled + 2 given back
  });

  it('returns an expired lease’s unspent tokens with the statement that replaces it', async () => {
    const t = setup();
    const [a, b] = [t.replica(), t.replica()];
    await a.take('ip:a', 60); // a leases 3, spends 1
    while ((await b.take('ip:a', 60)).ok);
    t.advance(2_100); // no give-back timer fires: a asks again first
    let gotByA = 0;
    while ((await a.take('ip:a', 60)).ok) gotByA++;
    expect(gotByA).toBe(4); // 2 refilled + its own 2 unspent
  });

  it('gives back what it holds when the process stops', async () => {
    const t = setup();
    const a = t.replica();
    await a.take('ip:a', 600);
    expect(t.buckets.get('ip:a')?.tokens).toBe(570);
    await a.close();
    expect(t.buckets.get('ip:a')?.tokens).toBe(599);
  });

  it('forgets keys it holds nothing for on sweep', async () => {
    const t = setup();
    const rl = t.replica();
    await rl.take('ip:a', 600);
    await rl.take('ip:b', 600);
    expect(rl.size()).toBe(2);
    t.advance(2_001);
    await rl.sweep();
    expect(rl.size()).toBe(0);
  });

  it('limits per process while the store fails, says so once, and asks the store again later', async () => {
    const t = setup();
    const rl = t.replica();
    t.fail(true);
    const results: TakeResult[] = [];
    for (let i = 0; i < 5; i++) results.push(await rl.take('ip:a', 3));
    expect(results.map((r) => r.ok)).toEqual([true, true, true, false, false]);
    expect(t.statements()).toBe(1);
    expect(t.log.lines.map((l) => l.msg)).toEqual([
      'shared rate limit unavailable; limiting per process meanwhile',
    ]);
    t.fail(false);
    t.advance(5_000);
    expect((await rl.take('ip:a', 3)).ok).toBe(true);
    expect(t.statements()).toBe(2);
  });
});
