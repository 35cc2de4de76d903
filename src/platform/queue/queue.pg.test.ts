import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDb, type TestDb } from '../../../test/support/db.js';
import { createLogger } from '../observability/logger.js';
import { createPostgresJobQueue } from './postgres.js';
import type { JobWorker } from './queue.js';

/**
 * Many workers on one PostgreSQL database at once: SKIP LOCKED claiming must hand every
 * job to exactly one of them. The effects table has no unique constraint on purpose: a
 * job handled twice would show up as two rows instead of being hidden by an error.
 */

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb('postgres');
  await t.db.query('CREATE TABLE drain_effects (job_id text NOT NULL, worker int NOT NULL)');
});
afterAll(async () => {
  await t.drop();
});

describe('job queue under concurrent workers (PostgreSQL)', () => {
  it('4 workers × concurrency 8 drain 2,000 jobs, each handled exactly once', async () => {
    const total = 2000;
    const logger = createLogger({ level: 'silent' });
    const queues = [0, 1, 2, 3].map((n) => {
      const q = createPostgresJobQueue({
        db: t.db,
        logger,
        registry: new Registry(),
        instanceId: `worker-${n}`,
        visibilityMs: 30_000,
        pollMs: 20,
      });
      q.register<{ n: number }>('drain.q', async (job) => {
        await t.db.query('INSERT INTO drain_effects (job_id, worker) VALUES ($1, $2)', [job.id, n]);
      });
      return q;
    });
    const producer = queues[0];
    if (!producer) throw new Error('no queue');
    for (let i = 0; i < total; i += 500) {
      await producer.enqueueMany(
        Array.from({ length: 500 }, (_, k) => ({ queue: 'drain.q', payload: { n: i + k } })),
      );
    }

    const workers: JobWorker[] = queues.map((q) => q.startWorker({ concurrency: 8 }));
    try {
      await vi.waitFor(
        async () => {
          const { rows } = await t.db.query<{ n: bigint }>(
            "SELECT count(*) AS n FROM jobs WHERE queue = 'drain.q' AND state <> 'done'",
          );
          expect(rows[0]?.n).toBe(0n);
        },
        { timeout: 90_000, interval: 100 },
      );
    } finally {
      await Promise.all(workers.map((w) => w.stop({ timeoutMs: 5_000 })));
    }

    const { rows } = await t.db.query<{ effects: bigint; distinct_jobs: bigint; workers: bigint }>(
      `SELECT count(*) AS effects, count(DISTINCT job_id) AS distinct_jobs,
              count(DISTINCT worker) AS workers FROM drain_effects`,
    );
    expect(rows[0]).toEqual({ effects: BigInt(total), distinct_jobs: BigInt(total), workers: 4n });
    const attempts = await t.db.query<{ attempts: number; n: bigint }>(
      "SELECT attempts, count(*) AS n FROM jobs WHERE queue = 'drain.q' GROUP BY attempts",
    );
    expect(attempts.rows).toEqual([{ attempts: 1, n: BigInt(total) }]);
  });
});
