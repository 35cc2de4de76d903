import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../../test/support/db.js';

// Transactions that overlap, and detached work during one, need more than PGlite's one
// connection: the server only.
let t: TestDb;

beforeAll(async () => {
  t = await createTestDb('postgres');
  await t.db.query('CREATE TABLE test_ambient (id int PRIMARY KEY)');
});

afterAll(async () => {
  await t.drop();
});

describe('ambient transactions on the server', () => {
  it('keeps each overlapping transaction its own after another one ends', async () => {
    let releaseB: () => void = () => undefined;
    const bMayFinish = new Promise<void>((r) => (releaseB = r));
    const a = t.db.transaction(async () => {
      await t.db.query('INSERT INTO test_ambient VALUES (10)');
    });
    const b = t.db.transaction(async () => {
      await t.db.query('INSERT INTO test_ambient VALUES (11)');
      await bMayFinish;
      // A committed meanwhile: B must still be in its own transaction.
      expect(t.db.inTransaction()).toBe(true);
      await t.db.query('INSERT INTO test_ambient VALUES (12)');
      throw new Error('roll B back');
    });
    await a;
    releaseB();
    await expect(b).rejects.toThrow('roll B back');
    const { rows } = await t.db.query<{ id: number }>(
      'SELECT id FROM test_ambient WHERE id >= 10 ORDER BY id',
    );
    expect(rows.map((r) => r.id)).toEqual([10]);
  });

  it('detached work inside a transaction commits on its own', async () => {
    await expect(
      t.db.transaction(async () => {
        await t.db.detached(async () => {
          expect(t.db.inTransaction()).toBe(false);
          await t.db.query('INSERT INTO test_ambient VALUES (20)');
        });
        expect(t.db.inTransaction()).toBe(true);
        throw new Error('roll back the outer one');
      }),
    ).rejects.toThrow('roll back the outer one');
    const { rows } = await t.db.query('SELECT 1 FROM test_ambient WHERE id = 20');
    expect(rows).toHaveLength(1);
  });
});
