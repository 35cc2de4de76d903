import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDb, type TestDb } from '../../../test/support/db.js';
import { createLogger } from '../observability/logger.js';
import { LeaseLostError, withSingletons, type LeaseManager, type LeaseStore } from './leases.js';
import { createPostgresLeaseManager } from './postgres.js';

let t: TestDb;
let registry: Registry;
let leases: LeaseManager;
const logger = createLogger({ level: 'silent' });

beforeAll(async () => {
  t = await createTestDb();
  registry = new Registry();
  leases = createPostgresLeaseManager({
    db: t.db,
    logger,
    registry,
    instanceId: 'test',
    defaultTtlMs: 5_000,
  });
});
afterAll(async () => {
  await t.drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function heldGauge(name: string): Promise<number | undefined> {
  const metric = await registry.getSingleMetric('vaultwire_lease_held')?.get();
  return metric?.values.find((v) => v.labels['name'] === name)?.value;
}

describe('leases', () => {
  it('lets only one of two contenders hold a lease', async () => {
    const a = await leases.acquire('solo', 'a', 10_000);
    const b = await leases.acquire('solo', 'b', 10_000);
    expect(a?.holder).toBe('a');
    expect(b).toBeUndefined();
    const holders = await leases.holders();
    expect(holders.filter((h) => h.name === 'solo').map((h) => h.holder)).toEqual(['a']);
    // Re-acquiring what one already holds extends it under the same token.
    const again = await leases.acquire('solo', 'a', 10_000);
    expect(again?.token).toBe(a?.token);
  });

  it('hands an expired lease to the next contender with a higher fencing token', async () => {
    const old = await leases.acquire('handover', 'old', 200);
    if (!old) throw new Error('not acquired');
    expect(await leases.acquire('handover', 'new', 10_000)).toBeUndefined();
    await sleep(250);
    const next = await leases.acquire('handover', 'new', 10_000);
    if (!next) throw new Error('not handed over');
    expect(next.token).toBeGreaterThan(old.token);

    // The old holder wakes up: it can neither renew nor pass a fence.
    expect(await leases.renew(old, 10_000)).toBeUndefined();
    await expect(
      t.db.transaction(() => leases.fence('handover', old.token)),
    ).rejects.toBeInstanceOf(LeaseLostError);
    await expect(
      t.db.transaction(() => leases.fence('handover', next.token)),
    ).resolves.toBeUndefined();
    expect(await leases.release(old)).toBe(false);
    expect(await leases.release(next)).toBe(true);
    // Released: free at once, and the token keeps growing.
    const third = await leases.acquire('handover', 'third', 10_000);
    expect(third?.token).toBeGreaterThan(next.token);
  });

  it('runSingleton runs once at a time and releases the lease when done', async () => {
    let inside = 0;
    let maxInside = 0;
    const work = async () => {
      inside++;
      maxInside = Math.max(maxInside, inside);
      await sleep(50);
      expect(await heldGauge('single')).toBe(1);
      inside--;
      return 'ok';
    };
    const results = await Promise.all([
      leases.runSingleton('single', work),
      leases.runSingleton('single', work),
    ]);
    expect(results.filter((r) => r.acquired)).toEqual([{ acquired: true, value: 'ok' }]);
    expect(maxInside).toBe(1);
    expect(await heldGauge('single')).toBe(0);
    expect((await leases.holders()).some((h) => h.name === 'single')).toBe(false);
    expect(await leases.runSingleton('single', work)).toEqual({ acquired: true, value: 'ok' });
  });

  it('runSingleton aborts the work when another holder takes the lease over', async () => {
    let reason: unknown;
    const running = leases.runSingleton(
      'takeover',
      ({ signal }) =>
        new Promise<void>((_, reject) => {
          signal.addEventListener('abort', () => {
            reason = signal.reason;
            reject(new Error('work stopped'));
          });
        }),
      { ttlMs: 1_500 },
    );
    await vi.waitFor(
      async () => {
        expect(await heldGauge('takeover')).toBe(1);
      },
      { timeout: 10_000 },
    );
    // The holder stalls (say, a long GC pause) past its expiry; another process takes over.
    await t.db.query("UPDATE leases SET expires_at = now() WHERE name = 'takeover'");
    const usurper = await leases.acquire('takeover', 'usurper', 60_000);
    expect(usurper).toBeDefined();

    await expect(running).rejects.toBeInstanceOf(LeaseLostError);
    expect(reason).toBeInstanceOf(LeaseLostError);
    expect(await heldGauge('takeover')).toBe(0);
    // It did not release the usurper's lease on its way out.
    expect((await leases.holders()).find((h) => h.name === 'takeover')?.holder).toBe('usurper');
    expect(await registry.metrics()).toMatch(/vaultwire_lease_lost_total\{name="takeover"\} 1/);
  });

  it('runSingleton fails closed: work stops when the lease cannot be renewed in time', async () => {
    // A store whose renewals never come back (the database hangs or the network drops).
    const base = leases;
    const hanging: LeaseStore = {
      acquire: (n, h, ttl) => base.acquire(n, h, ttl),
      renew: () => new Promise(() => undefined),
      release: (l) => base.release(l),
      fence: (n, tok) => base.fence(n, tok),
      holders: () => base.holders(),
    };
    const isolated = withSingletons({
      store: hanging,
      logger,
      registry: new Registry(),
      instanceId: 'test',
      defaultTtlMs: 3_000,
    });
    let stillValidOnServer: boolean | undefined;
    const result = isolated.runSingleton('hang', ({ signal }) => {
      return new Promise<void>((_, reject) => {
        signal.addEventListener('abort', () => {
          void t.db
            .query<{ valid: boolean }>(
              "SELECT expires_at > clock_timestamp() AS valid FROM leases WHERE name = 'hang'",
            )
            .then(({ rows }) => {
              stillValidOnServer = rows[0]?.valid;
              reject(signal.reason as Error);
            });
        });
      });
    });
    await expect(result).rejects.toThrow(/not renewed before it expired/);
    // The work stopped while the server still counted the lease as ours: no other holder
    // can have started before this one stopped.
    expect(stillValidOnServer).toBe(true);
  });

  it('runSingleton stops and releases when its caller aborts', async () => {
    const stop = new AbortController();
    const running = leases.runSingleton(
      'stoppable',
      ({ signal }) =>
        new Promise<string>((resolve) => {
          signal.addEventListener('abort', () => {
            resolve('stopped cleanly');
          });
        }),
      { signal: stop.signal },
    );
    await vi.waitFor(
      async () => {
        expect((await leases.holders()).some((h) => h.name === 'stoppable')).toBe(true);
      },
      { timeout: 10_000 },
    );
    stop.abort();
    expect(await running).toEqual({ acquired: true, value: 'stopped cleanly' });
    expect((await leases.holders()).some((h) => h.name === 'stoppable')).toBe(false);
  });
});
