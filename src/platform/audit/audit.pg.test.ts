import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../../test/support/db.js';
import { openDb } from '../db/drivers.js';
import type { Db } from '../db/db.js';
import { createAuditLog } from './audit.js';

let t: TestDb;
let other: Db;

beforeAll(async () => {
  t = await createTestDb('postgres');
  // A second pool on the same database stands in for a second server process.
  other = await openDb({ databaseUrl: t.url, poolMax: 20 });
});

afterAll(async () => {
  await other.close();
  await t.drop();
});

describe('audit log under concurrency (PostgreSQL)', () => {
  it('keeps one unbroken, gapless chain when two processes append at once', async () => {
    const logs = [createAuditLog({ db: t.db }), createAuditLog({ db: other })];
    const dbs = [t.db, other];
    const perProcess = 60;
    const outcomes = await Promise.allSettled(
      Array.from({ length: perProcess * 2 }, async (_, i) => {
        const which = i % 2;
        const db = dbs[which];
        const log = logs[which];
        if (!db || !log) throw new Error('unreachable');
        return db.transaction(async (tx) => {
          // Other work in the same transaction, so appends really overlap.
          await tx.query('SELECT pg_sleep(0.002)');
          const e = await log.record({
            action: 'test.appended',
            actorType: 'system',
            data: { i, process: which },
          });
          // Every fifth writer fails after recording: its event must vanish with it.
          if (i % 5 === 4) throw new Error('rolled back on purpose');
          return e;
        });
      }),
    );
    const committed = outcomes.filter((o) => o.status === 'fulfilled').length;
    const failed = outcomes.filter(
      (o) => o.status === 'rejected' && /on purpose/.test(String(o.reason)),
    ).length;
    expect(committed + failed).toBe(perProcess * 2);
    expect(failed).toBe((perProcess * 2) / 5);

    const r = await logs[0]?.verify();
    expect(r).toMatchObject({ ok: true, events: committed });
    const { rows } = await t.db.query<{ n: bigint; max: bigint; min: bigint }>(
      'SELECT count(*) AS n, max(seq) AS max, min(seq) AS min FROM audit_events',
    );
    expect(rows[0]).toEqual({ n: BigInt(committed), max: BigInt(committed), min: 1n });
  });

  it('chains every committed enqueued event exactly once while both processes seal at once', async () => {
    const logs = [createAuditLog({ db: t.db }), createAuditLog({ db: other })];
    const dbs = [t.db, other];
    const before = await logs[0]?.verify();
    if (!before?.ok) throw new Error('chain broken before the test');
    const perProcess = 100;
    let writing = true;
    // Sealers in both processes race each other and the writers the whole time.
    const sealers = logs.map(async (log) => {
      let sealed = 0;
      while (writing) {
        sealed += await log.seal({ limit: 7 });
        await new Promise((r) => setTimeout(r, 1));
      }
      return sealed;
    });
    const outcomes = await Promise.allSettled(
      Array.from({ length: perProcess * 2 }, async (_, i) => {
        const which = i % 2;
        const db = dbs[which];
        const log = logs[which];
        if (!db || !log) throw new Error('unreachable');
        return db.transaction(async (tx) => {
          const e = await log.enqueue({
            action: 'test.enqueued',
            actorType: 'system',
            data: { i, process: which },
          });
          // Held open a little after enqueueing, so sealers see later events commit first.
          await tx.query('SELECT pg_sleep(0.002)');
          if (i % 5 === 4) throw new Error('rolled back on purpose');
          return e.id;
        });
      }),
    );
    writing = false;
    const sealedByRacers = (await Promise.all(sealers)).reduce((a, b) => a + b, 0);
    const committed = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    expect(committed).toHaveLength((perProcess * 2 * 4) / 5);
    expect(sealedByRacers).toBeGreaterThan(0);

    const r = await logs[1]?.verify();
    expect(r).toMatchObject({ ok: true, events: before.events + committed.length });
    const { rows } = await t.db.query<{ id: string }>(
      `SELECT id FROM audit_events WHERE action = 'test.enqueued' ORDER BY seq`,
    );
    expect(rows.map((x) => x.id).sort()).toEqual([...committed].sort());
    const { rows: waiting } = await t.db.query('SELECT 1 FROM audit_pending');
    expect(waiting).toHaveLength(0);
  });
});
