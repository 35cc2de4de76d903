import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../../test/support/db.js';

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
