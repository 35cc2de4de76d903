import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../../test/support/db.js';
import { prepared, preparedName } from './db.js';

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

describe('attempt: transient failures retried at the transaction boundary', () => {
  /**
   * Two transactions that each lock one row and then want the other's: PostgreSQL
   * aborts one of them (40P01). `wrap` runs each; `touch` counts the runs.
   */
  async function deadlockPair(
    wrap: (fn: () => Promise<void>) => Promise<unknown>,
  ): Promise<{ results: PromiseSettledResult<unknown>[]; runs: number }> {
    await t.db.query('CREATE TABLE IF NOT EXISTS test_attempt (id int PRIMARY KEY, v int)');
    await t.db.query('TRUNCATE test_attempt');
    await t.db.query('INSERT INTO test_attempt VALUES (1, 0), (2, 0)');
    let runs = 0;
    let arrived = 0;
    let bothHold: () => void = () => undefined;
    const barrier = new Promise<void>((r) => (bothHold = r));
    const side = (first: number, second: number) => async () => {
      runs++;
      await t.db.query('UPDATE test_attempt SET v = v + 1 WHERE id = $1', [first]);
      if (++arrived === 2) bothHold();
      await barrier;
      await t.db.query('UPDATE test_attempt SET v = v + 1 WHERE id = $1', [second]);
    };
    const results = await Promise.allSettled([wrap(side(1, 2)), wrap(side(2, 1))]);
    return { results, runs };
  }

  it('a plain transaction loses one side of a deadlock (the failure the retry exists for)', async () => {
    const { results } = await deadlockPair((fn) => t.db.transaction(fn));
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
  });

  it('outside any transaction, both sides of a deadlock complete', async () => {
    const { results, runs } = await deadlockPair((fn) =>
      t.db.attempt(fn, { retryTransient: true }),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(runs).toBe(3);
    const { rows } = await t.db.query<{ v: number }>('SELECT v FROM test_attempt ORDER BY id');
    expect(rows.map((r) => r.v)).toEqual([2, 2]);
  });

  it('inside a caller’s transaction (an Idempotency-Key’s), the savepoint is run again', async () => {
    const { results } = await deadlockPair((fn) =>
      t.db.transaction(() => t.db.attempt(fn, { retryTransient: true })),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    const { rows } = await t.db.query<{ v: number }>('SELECT v FROM test_attempt ORDER BY id');
    expect(rows.map((r) => r.v)).toEqual([2, 2]);
  });
});

describe('prepared statements', () => {
  const byId = prepared('SELECT id FROM test_ambient WHERE id = $1');

  it('answers like the plain statement, pooled and in a transaction, and is kept on the connection', async () => {
    await t.db.query('INSERT INTO test_ambient VALUES (40), (41)');
    // More runs than the pool has connections: each connection prepares it once.
    for (let i = 0; i < 12; i++) {
      const { rows } = await t.db.query<{ id: number }>(byId, [40 + (i % 2)]);
      expect(rows).toEqual([{ id: 40 + (i % 2) }]);
    }
    const names = await t.db.transaction(async () => {
      const { rows } = await t.db.query<{ id: number }>(byId, [41]);
      expect(rows).toEqual([{ id: 41 }]);
      const kept = await t.db.query<{ name: string; statement: string }>(
        'SELECT name, statement FROM pg_prepared_statements',
      );
      return kept.rows;
    });
    expect(names).toContainEqual({ name: preparedName(byId), statement: byId });
  });

  it('a failing run leaves the statement usable', async () => {
    const strict = prepared('SELECT 1 / $1::int AS q');
    await expect(t.db.query(strict, [0])).rejects.toThrow(/division by zero/);
    const { rows } = await t.db.query<{ q: number }>(strict, [1]);
    expect(rows).toEqual([{ q: 1 }]);
  });

  it('a text built at run time, marked where it is sent, is parsed once per connection', async () => {
    const factor = 2;
    await t.db.transaction(async () => {
      const answers: number[] = [];
      for (const n of [1, 2, 3]) {
        const sql = prepared(`SELECT $1::int * ${factor} AS doubled`);
        const { rows } = await t.db.query<{ doubled: number }>(sql, [n]);
        answers.push(rows[0]?.doubled ?? -1);
      }
      expect(answers).toEqual([2, 4, 6]);
      await t.db.query('SELECT $1::int AS plain', [1]);
      // This connection holds the marked statement once, and never the unmarked one.
      const { rows } = await t.db.query<{ statement: string }>(
        'SELECT statement FROM pg_prepared_statements',
      );
      const held = rows.map((r) => r.statement);
      expect(held.filter((x) => x === `SELECT $1::int * ${factor} AS doubled`)).toHaveLength(1);
      expect(held).not.toContain('SELECT $1::int AS plain');
    });
  });
});

describe('a connection lost in the middle of a transaction', () => {
  it('fails that transaction, not the process, and the pool goes on with a new connection', async () => {
    const failed = t.db.transaction(async () => {
      const { rows } = await t.db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      // The server ends the connection just after answering: the client hears it as an
      // 'error' event while no query runs (without a listener, an uncaught exception).
      await t.db.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
      await new Promise((r) => setTimeout(r, 300));
      await t.db.query('SELECT 1');
    });
    await expect(failed).rejects.toThrow();
    const { rows } = await t.db.query<{ ok: number }>('SELECT 1 AS ok');
    expect(rows).toEqual([{ ok: 1 }]);
  });
});
