import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../../test/support/db.js';
import { fail, isFailure, rollback, rollbackWith } from '../failure.js';

let t: TestDb;

beforeAll(async () => {
  t = await createTestDb();
  await t.db.query('CREATE TABLE test_ambient (id int PRIMARY KEY)');
});

afterAll(async () => {
  await t.drop();
});

const count = async () =>
  Number((await t.db.query<{ n: bigint }>('SELECT count(*) AS n FROM test_ambient')).rows[0]?.n);

describe('ambient transactions', () => {
  it('joins queries made anywhere inside, and forgets them after commit and rollback', async () => {
    expect(t.db.inTransaction()).toBe(false);
    await t.db.transaction(async () => {
      expect(t.db.inTransaction()).toBe(true);
      // Deep in the call stack and after timers, still the same transaction.
      await new Promise((r) => setTimeout(r, 5));
      await t.db.query('INSERT INTO test_ambient VALUES (1)');
    });
    expect(t.db.inTransaction()).toBe(false);
    await expect(
      t.db.transaction(async () => {
        await t.db.query('INSERT INTO test_ambient VALUES (2)');
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(t.db.inTransaction()).toBe(false);
    // Only the committed row exists, so the second insert was inside its rolled-back transaction.
    expect(await count()).toBe(1);
  });
});

describe('rollback(failure) inside attempt', () => {
  it('undoes what the attempt wrote and resolves with the failure', async () => {
    const before = await count();
    const r = await t.db.attempt(async () => {
      await t.db.query('INSERT INTO test_ambient VALUES (101)');
      return rollback(fail('limit_exceeded', { param: 'amount' }));
    });
    expect(isFailure(r) && r.code).toBe('limit_exceeded');
    expect(await count()).toBe(before);
  });

  it('nested, undoes only its own savepoint and lets the outer transaction commit', async () => {
    const before = await count();
    await t.db.attempt(async () => {
      await t.db.query('INSERT INTO test_ambient VALUES (102)');
      const inner = await t.db.attempt(async () => {
        await t.db.query('INSERT INTO test_ambient VALUES (103)');
        return rollback(fail('declined'));
      });
      expect(isFailure(inner)).toBe(true);
    });
    expect(await count()).toBe(before + 1);
    const kept = await t.db.query('SELECT id FROM test_ambient WHERE id IN (102, 103)');
    expect(kept.rows).toEqual([{ id: 102 }]);
  });
});

describe('rollbackWith(value) inside attempt', () => {
  it('undoes what the attempt wrote and resolves with the value, not a failure', async () => {
    class Replayed {
      constructor(readonly id: number) {}
    }
    const before = await count();
    const r = await t.db.attempt(async (): Promise<number | Replayed> => {
      await t.db.query('INSERT INTO test_ambient VALUES (104)');
      return rollbackWith(new Replayed(7));
    });
    expect(r).toEqual(new Replayed(7));
    expect(isFailure(r)).toBe(false);
    expect(await count()).toBe(before);
  });
});
