import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDb } from '../../../test/support/db.js';
import {
  estimatedRows,
  executedPlans,
  nodeTypes,
  recordStatements,
  scansOf,
  type Issued,
  plansTestDb,
} from '../../../test/support/plans.js';
import type { Db } from '../db/db.js';
import { createLogger } from '../observability/logger.js';
import { createPostgresJobQueue } from './postgres.js';

/**
 * The queue's hot statements keep their plans when the statistics lie. A queue table's
 * statistics are stale exactly when it matters: a backlog builds up faster than
 * autovacuum analyses the table. Each case makes them lie the way production does
 * (taken on an empty table, or when nearly every job was done), checks that the
 * planner really is misled, then pins the plan of the statement the queue issues.
 * Autovacuum is off for `jobs` in this database so that the lie lasts the whole test.
 */

let t: TestDb;
let url: string;

beforeAll(async () => {
  ({ t, url } = await plansTestDb());
  await t.db.exec('ALTER TABLE jobs SET (autovacuum_enabled = false)');
});

afterAll(async () => {
  await t.drop();
});

function queueOn(db: Db) {
  return createPostgresJobQueue({
    db,
    logger: createLogger({ level: 'silent' }),
    registry: new Registry(),
    instanceId: 'plans-test',
    visibilityMs: 30_000,
    pollMs: 1_000,
  });
}

/** Runs `op` and returns the one statement it issued. */
async function statementOf(issued: Issued[], op: () => Promise<unknown>): Promise<Issued> {
  const before = issued.length;
  await op();
  const mine = issued.slice(before);
  expect(mine).toHaveLength(1);
  return mine[0] as Issued;
}

const DUE = "SELECT 1 FROM jobs WHERE state IN ('queued', 'running') AND run_at <= now()";

describe('job queue plans under stale statistics (PostgreSQL)', () => {
  it('claims by walking the due index when the statistics were taken on an empty table', async () => {
    const due = 12_000;
    await t.db.exec('TRUNCATE jobs; ANALYZE jobs');
    // Every fourth job is on the claimed queue; the oldest come first.
    await t.db.query(
      `INSERT INTO jobs (id, queue, payload, run_at, max_attempts)
       SELECT 'job_plan_' || lpad(g::text, 6, '0'), CASE WHEN g % 4 = 0 THEN 'plans.mail' ELSE 'plans.other' END,
              '{}', now() - interval '1 hour' + g * interval '10 milliseconds', 5
         FROM generate_series(1, $1::int) g`,
      [due],
    );
    expect(await estimatedRows(t.db, DUE)).toBeLessThan(due / 100);

    const { db, issued } = recordStatements(t.db);
    const queue = queueOn(db);
    let claimed: string[] = [];
    const claim = await statementOf(issued, async () => {
      const r = await queue.backend.claim(['plans.mail'], 32);
      claimed = r.jobs.map((j) => j.id);
    });
    const oldest = Array.from(
      { length: 32 },
      (_, i) => `job_plan_${String(4 * (i + 1)).padStart(6, '0')}`,
    );
    expect(claimed.sort()).toEqual(oldest);
    const { rows } = await t.db.query<{ state: string; n: bigint }>(
      `SELECT state, count(*) AS n FROM jobs WHERE claimed_by = 'plans-test' GROUP BY state`,
    );
    expect(rows).toEqual([{ state: 'running', n: 32n }]);

    const walk = ['Index Scan using jobs_claimable_idx', 'Index Scan using jobs_pkey'];
    const plans = await executedPlans(url, claim);
    expect(scansOf(plans, 'jobs')).toEqual(walk);
    expect(nodeTypes(plans)).not.toContain('Sort');
    // And with true statistics: the claim's limit is a parameter the planner cannot see
    // inside the function, so it then expects thousands of claimed jobs, and must still
    // find them by primary key rather than hash the whole table.
    await t.db.exec('ANALYZE jobs');
    expect(scansOf(await executedPlans(url, claim), 'jobs')).toEqual(walk);
  });

  it('completes, retries, hands back and extends by primary key when the statistics say nearly every job is done', async () => {
    const backlog = 10_000;
    await t.db.exec('TRUNCATE jobs');
    await t.db.query(
      `INSERT INTO jobs (id, queue, payload, state, run_at, max_attempts, attempts, finished_at)
       SELECT 'job_done_' || g, 'plans.mail', '{}', 'done', now() - interval '2 days', 5, 1,
              now() - interval '1 day'
         FROM generate_series(1, 20000) g`,
    );
    await t.db.exec('ANALYZE jobs');
    await t.db.query(
      `INSERT INTO jobs (id, queue, payload, run_at, max_attempts)
       SELECT 'job_plan_' || lpad(g::text, 6, '0'), 'plans.mail', '{}',
              now() - interval '1 hour' + g * interval '10 milliseconds', 5
         FROM generate_series(1, $1::int) g`,
      [backlog],
    );
    expect(await estimatedRows(t.db, DUE)).toBeLessThan(backlog / 100);

    const { db, issued } = recordStatements(t.db);
    const queue = queueOn(db);
    const [done, retried, handedBack, extended] = (await queue.backend.claim(['plans.mail'], 4))
      .jobs;
    if (!done || !retried || !handedBack || !extended) throw new Error('claimed fewer than 4 jobs');

    const complete = await statementOf(issued, () =>
      queue.backend.execute(done, false, () => Promise.resolve()),
    );
    expect((await queue.get(done.id))?.state).toBe('done');

    let outcome = '';
    const fail = await statementOf(issued, async () => {
      outcome = await queue.backend.fail(retried, 'boom', 60_000);
    });
    expect(outcome).toBe('retried');
    const later = await queue.get(retried.id);
    expect(later?.state).toBe('queued');
    expect(later?.lastError).toBe('boom');
    expect(later?.runAt.getTime()).toBeGreaterThan(Date.now() + 30_000);

    let returned = 0;
    const handBack = await statementOf(issued, async () => {
      returned = await queue.backend.handBack([handedBack]);
    });
    expect(returned).toBe(1);
    expect(await queue.get(handedBack.id)).toMatchObject({ state: 'queued', attempts: 0 });

    const claimEnds = (await queue.get(extended.id))?.runAt.getTime() ?? Infinity;
    await new Promise((resolve) => setTimeout(resolve, 20));
    const extend = await statementOf(issued, () => queue.backend.extend([extended]));
    expect((await queue.get(extended.id))?.runAt.getTime()).toBeGreaterThan(claimEnds);

    for (const statement of [complete, fail, handBack, extend]) {
      expect(scansOf(await executedPlans(url, statement), 'jobs')).toEqual([
        'Index Scan using jobs_pkey',
      ]);
    }
  });
  it('requeues a dead job by primary key when the statistics were taken before the dead jobs piled up', async () => {
    await t.db.exec('TRUNCATE jobs');
    await t.db.query(
      `INSERT INTO jobs (id, queue, payload, state, run_at, max_attempts, attempts, finished_at)
       SELECT 'job_done_' || g, 'plans.mail', '{}', 'done', now(), 5, 1, now()
         FROM generate_series(1, 1000) g`,
    );
    await t.db.exec('ANALYZE jobs');
    const dead = 50_000;
    await t.db.query(
      `INSERT INTO jobs (id, queue, payload, state, run_at, max_attempts, attempts, last_error)
       SELECT 'job_dead_' || lpad(g::text, 6, '0'), 'plans.mail', '{}', 'dead', now(), 5, 5, 'boom'
         FROM generate_series(1, $1::int) g`,
      [dead],
    );
    const DEAD = "SELECT 1 FROM jobs WHERE state = 'dead'";
    expect(await estimatedRows(t.db, DEAD)).toBeLessThan(dead / 100);

    const { db, issued } = recordStatements(t.db);
    const queue = queueOn(db);
    const id = 'job_dead_030000';
    let requeued = false;
    const requeue = await statementOf(issued, async () => {
      requeued = await queue.requeueDead(id);
    });
    expect(requeued).toBe(true);
    expect(await queue.get(id)).toMatchObject({ state: 'queued', attempts: 0 });
    expect(await queue.requeueDead('job_done_1')).toBe(false);
    expect(scansOf(await executedPlans(url, requeue), 'jobs')).toEqual([
      'Index Scan using jobs_pkey',
    ]);
  });
});
