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

describe('fenced', () => {
  // A fence whose claim was taken over: every transaction under it must roll back.
  const lost = { commits: 0, refuse: true };
  const fence = {
    beforeCommit: () => {
      lost.commits++;
      return lost.refuse ? Promise.reject(new Error('claim lost')) : Promise.resolve();
    },
  };
  const rows = async () =>
    (await t.db.query<{ v: string }>('SELECT v FROM test_fenced ORDER BY v')).rows.map((r) => r.v);

  beforeAll(async () => {
    await t.db.exec(`
      CREATE TABLE test_fenced (v text PRIMARY KEY);
      CREATE FUNCTION test_fenced_add(x text) RETURNS void LANGUAGE sql
        AS $$ INSERT INTO test_fenced VALUES (x) $$;
      CREATE FUNCTION test_fenced_via(x text) RETURNS void LANGUAGE plpgsql
        AS $$ BEGIN PERFORM test_fenced_add(x); END $$;
      CREATE FUNCTION test_fenced_peek() RETURNS bigint LANGUAGE sql
        AS $$ SELECT count(*) FROM test_fenced $$;`);
  });

  it('makes a bare write of any kind a transaction that passes the fence, or lands nothing', async () => {
    lost.refuse = true;
    await t.db.fenced(fence, async () => {
      for (const sql of [
        `INSERT INTO test_fenced VALUES ('keyword')`,
        // No write keyword in the text: the function writes.
        `SELECT test_fenced_add('function')`,
        // The function writes through another function.
        `SELECT * FROM test_fenced_via ('nested')`,
      ]) {
        await expect(t.db.query(sql)).rejects.toThrow('claim lost');
      }
      // A function that only reads stays a bare statement: no transaction, no fence.
      const commits = lost.commits;
      const peek = await t.db.query<{ n: bigint }>('SELECT test_fenced_peek() AS n');
      expect(Number(peek.rows[0]?.n)).toBe(0);
      expect(lost.commits).toBe(commits);
    });
    expect(lost.commits).toBe(3);
    expect(await rows()).toEqual([]);

    lost.refuse = false;
    await t.db.fenced(fence, () => t.db.query(`SELECT test_fenced_via('kept')`));
    expect(lost.commits).toBe(4);
    expect(await rows()).toEqual(['kept']);
  });
});
