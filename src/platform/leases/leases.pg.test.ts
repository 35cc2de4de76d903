import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../../test/support/db.js';
import { createLogger } from '../observability/logger.js';
import type { LeaseManager } from './leases.js';
import { createPostgresLeaseManager } from './postgres.js';

/** Leases under real concurrency: many connections racing for one lease. */

let t: TestDb;
let leases: LeaseManager;

beforeAll(async () => {
  t = await createTestDb('postgres');
  leases = createPostgresLeaseManager({
    db: t.db,
    logger: createLogger({ level: 'silent' }),
    registry: new Registry(),
    instanceId: 'test',
    defaultTtlMs: 5_000,
  });
});
afterAll(async () => {
  await t.drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('leases under contention (PostgreSQL)', () => {
  it('grants a new lease to exactly one of 20 simultaneous contenders', async () => {
    const got = await Promise.all(
      Array.from({ length: 20 }, (_, i) => leases.acquire('race.new', `c${i}`, 10_000)),
    );
    expect(got.filter(Boolean)).toHaveLength(1);
  });

  it('hands an expired lease to exactly one of 20 contenders, with the next token', async () => {
    const first = await leases.acquire('race.expired', 'first', 100);
    if (!first) throw new Error('not acquired');
    await sleep(150);
    const got = (
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => leases.acquire('race.expired', `c${i}`, 10_000)),
      )
    ).filter((l) => l !== undefined);
    expect(got).toHaveLength(1);
    expect(got[0]?.token).toBe(first.token + 1n);
  });

  it('a takeover waits until a transaction fenced by the old holder has committed', async () => {
    const old = await leases.acquire('fenced', 'old', 300);
    if (!old) throw new Error('not acquired');
    let takeoverDone = false;
    let takeover: Promise<unknown> | undefined;
    await t.db.transaction(async (tx) => {
      await leases.fence('fenced', old.token);
      await tx.query("CREATE TABLE fenced_writes AS SELECT 'written under token 1' AS note");
      await sleep(400); // the lease expires on the server meanwhile
      takeover = leases.acquire('fenced', 'new', 10_000).then((l) => {
        takeoverDone = true;
        return l;
      });
      await sleep(300);
      // The contender is blocked on the lease row the fence holds.
      expect(takeoverDone).toBe(false);
    });
    const next = (await takeover) as { token: bigint } | undefined;
    expect(next?.token).toBe(old.token + 1n);
    // And a fence by the old holder now fails, so its next write would be refused.
    await expect(t.db.transaction(() => leases.fence('fenced', old.token))).rejects.toThrow(
      /no longer current/,
    );
  });
});
