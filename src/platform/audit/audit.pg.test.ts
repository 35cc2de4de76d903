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
});
