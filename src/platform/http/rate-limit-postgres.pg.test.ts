import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, testEnv, type TestApp } from '../../../test/support/app.js';
import { createTestDb, type TestDb } from '../../../test/support/db.js';
import { buildVaultwire, type Vaultwire } from '../../app.js';
import { loadConfig } from '../../modules.js';
import type { Db } from '../db/db.js';
import { openDb } from '../db/drivers.js';
import { createLogger } from '../observability/logger.js';
import type { TakeResult } from './rate-limit.js';
import { createPostgresBucketStore } from './rate-limit-postgres.js';
import { createSharedRateLimiter, leaseChunk } from './rate-limit-shared.js';

/**
 * The shared rate limit on a real PostgreSQL server: replicas, each with its own pool
 * (as separate processes have), leasing from one bucket concurrently.
 */

const silent = createLogger({ level: 'silent' });

async function bucket(db: Db, key: string) {
  const { rows } = await db.query<{ tokens: number; limit_per_min: number }>(
    'SELECT tokens, limit_per_min FROM rate_limit_buckets WHERE key = $1',
    [key],
  );
  return rows[0];
}

describe('shared rate limit on PostgreSQL (limiter level)', () => {
  let t: TestDb;
  let otherPool: Db;
  beforeAll(async () => {
    t = await createTestDb('postgres');
    if (!t.url) throw new Error('no database url');
    otherPool = await openDb({ databaseUrl: t.url, poolMax: 8 });
  });
  afterAll(async () => {
    await otherPool.close();
    await t.drop();
  });

  const replicas = () => [
    createSharedRateLimiter({ store: createPostgresBucketStore(t.db), logger: silent }),
    createSharedRateLimiter({ store: createPostgresBucketStore(otherPool), logger: silent }),
  ];

  it('two replicas hammered at once admit the limit plus at most a chunk each, then refuse with Retry-After', async () => {
    const limit = 120;
    const [a, b] = replicas();
    if (!a || !b) throw new Error('no replicas');
    const started = performance.now();
    const results: TakeResult[] = await Promise.all(
      Array.from({ length: 800 }, (_, i) => (i % 2 === 0 ? a : b).take('ip:198.51.100.7', limit)),
    );
    // The bucket refills while the test runs; that refill is allowed too.
    const refilled = Math.ceil(((performance.now() - started) / 60_000) * limit);
    const admitted = results.filter((r) => r.ok).length;
    expect(admitted).toBeGreaterThanOrEqual(limit - 2 * leaseChunk(limit));
    expect(admitted).toBeLessThanOrEqual(limit + 2 * leaseChunk(limit) + refilled);
    const refusals = results.filter((r) => !r.ok);
    expect(refusals.length).toBeGreaterThan(0);
    for (const r of refusals) expect(r.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    await Promise.all([a.close(), b.close()]);
  });

  it('keeps buckets of different keys apart', async () => {
    const [a, b] = replicas();
    if (!a || !b) throw new Error('no replicas');
    for (let i = 0; i < 3; i++) expect((await a.take('cred:one', 3)).ok).toBe(true);
    expect((await b.take('cred:one', 3)).ok).toBe(false);
    expect((await b.take('cred:two', 3)).ok).toBe(true);
  });

  it('hands back the unspent part of a lease when a replica stops', async () => {
    const [a] = replicas();
    if (!a) throw new Error('no replica');
    await a.take('ip:203.0.113.9', 600); // leases 30, spends 1
    expect((await bucket(t.db, 'ip:203.0.113.9'))?.tokens).toBeCloseTo(570, 0);
    await a.close();
    const after = await bucket(t.db, 'ip:203.0.113.9');
    expect(after?.tokens).toBeGreaterThanOrEqual(599);
    expect(after?.tokens).toBeLessThanOrEqual(600);
  });

  it('sweeps buckets idle for a minute (refilled by then) and keeps the others', async () => {
    const store = createPostgresBucketStore(t.db);
    await store.lease('ip:idle', 60, 3, 0);
    await store.lease('ip:busy', 60, 3, 0);
    await t.db.query(
      `UPDATE rate_limit_buckets SET refilled_at = now() - interval '61 seconds' WHERE key = 'ip:idle'`,
    );
    expect(await store.sweep()).toBe(1);
    expect(await bucket(t.db, 'ip:idle')).toBeUndefined();
    expect(await bucket(t.db, 'ip:busy')).toBeDefined();
  });
});

describe('shared rate limit on PostgreSQL (two API replicas)', () => {
  const env = { VW_RATE_LIMIT_IP_PER_MIN: '40' };
  let a: TestApp;
  let b: Vaultwire;
  let bDb: Db;
  beforeAll(async () => {
    a = await createTestApp(env);
    if (!a.testDb.url) throw new Error('no database url');
    bDb = await openDb({ databaseUrl: a.testDb.url, poolMax: 8 });
    b = await buildVaultwire({
      config: loadConfig({ env: testEnv(env) }),
      db: bDb,
      migrate: false,
    });
  });
  afterAll(async () => {
    await b.lifecycle.stop('test done');
    await bDb.close();
    await a.close();
  });

  it('holds a client to one per-IP budget across both, and answers 429 with Retry-After', async () => {
    const ask = async (i: number) =>
      i % 2 === 0 ? a.vw.http.request('/v1/scopes') : b.http.request('/v1/scopes');
    const started = performance.now();
    const responses = await Promise.all(Array.from({ length: 200 }, (_, i) => ask(i)));
    const refilled = Math.ceil(((performance.now() - started) / 60_000) * 40);
    const admitted = responses.filter((r) => r.status !== 429).length;
    // Per process, each replica alone would have let 40 through: 80 in all.
    expect(admitted).toBeLessThanOrEqual(40 + 2 * leaseChunk(40) + refilled);
    const refused = responses.find((r) => r.status === 429);
    if (!refused) throw new Error('nothing was refused');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await refused.json()).toMatchObject({
      error: { type: 'rate_limit_error', code: 'rate_limited' },
    });
    // Both replicas refused, whichever the client reached.
    const refusedBy = (replica: number) =>
      responses.some((r, i) => i % 2 === replica && r.status === 429);
    expect([refusedBy(0), refusedBy(1)]).toEqual([true, true]);
  });
});
