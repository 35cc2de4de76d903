import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDb, type TestDb } from '../../../test/support/db.js';
import { createLogger } from '../observability/logger.js';
import { createPostgresJobQueue, type PostgresJobQueue } from './postgres.js';
import { defineQueue, PermanentJobError, RetryLaterError, type JobHandler } from './queue.js';
import { ClaimLostError } from './worker.js';

/**
 * The job queue against a real database (PGlite, and PostgreSQL when TEST_DATABASE_URL
 * is set). Each test uses its own queue names, so they share one database.
 */

let t: TestDb;
let registry: Registry;
const logger = createLogger({ level: 'silent' });

beforeAll(async () => {
  t = await createTestDb();
  registry = new Registry();
  await t.db.query('CREATE TABLE test_effects (job_id text NOT NULL, note text)');
});
afterAll(async () => {
  await t.drop();
});

function queue(options: { visibilityMs?: number; random?: () => number } = {}): PostgresJobQueue {
  return createPostgresJobQueue({
    db: t.db,
    logger,
    registry,
    instanceId: 'test',
    visibilityMs: options.visibilityMs ?? 30_000,
    pollMs: 20,
    random: options.random ?? (() => 1),
  });
}

async function jobRow(id: string) {
  const { rows } = await t.db.query<{
    state: string;
    attempts: number;
    last_error: string | null;
    delay_ms: number;
  }>(
    `SELECT state, attempts, last_error,
            round(extract(epoch FROM run_at - updated_at) * 1000)::int AS delay_ms
       FROM jobs WHERE id = $1`,
    [id],
  );
  return rows[0];
}

async function effects(jobId: string): Promise<number> {
  const { rows } = await t.db.query<{ n: bigint }>(
    'SELECT count(*) AS n FROM test_effects WHERE job_id = $1',
    [jobId],
  );
  return Number(rows[0]?.n);
}

/** Runs due jobs of `jobs` until `done` holds (jobs waiting on a backoff become due). */
async function drainUntil(jobs: PostgresJobQueue, done: () => Promise<boolean>): Promise<void> {
  await vi.waitFor(
    async () => {
      await jobs.runDue();
      expect(await done()).toBe(true);
    },
    { timeout: 20_000, interval: 20 },
  );
}

describe('enqueue', () => {
  it('joins the caller’s transaction: a rollback leaves no job, a commit keeps both', async () => {
    const jobs = queue();
    await expect(
      t.db.transaction(async (tx) => {
        await tx.query("INSERT INTO test_effects (job_id, note) VALUES ('state', 'rolled back')");
        await jobs.enqueue('tx.rollback', { n: 1 });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const none = await t.db.query("SELECT 1 FROM jobs WHERE queue = 'tx.rollback'");
    expect(none.rowCount).toBe(0);

    const { id } = await t.db.transaction(async (tx) => {
      await tx.query("INSERT INTO test_effects (job_id, note) VALUES ('state', 'committed')");
      return jobs.enqueue('tx.commit', { n: 2 });
    });
    expect((await jobs.get(id))?.state).toBe('queued');
    const state = await t.db.query("SELECT note FROM test_effects WHERE job_id = 'state'");
    expect(state.rows).toEqual([{ note: 'committed' }]);
  });

  it('deduplicates on the dedupe key, within a batch and across calls', async () => {
    const jobs = queue();
    const first = await jobs.enqueue('dedupe.q', { v: 1 }, { dedupeKey: 'order-1' });
    const again = await jobs.enqueue('dedupe.q', { v: 2 }, { dedupeKey: 'order-1' });
    expect(first.created).toBe(true);
    expect(again).toEqual({ id: first.id, created: false });

    const batch = await jobs.enqueueMany([
      { queue: 'dedupe.q', payload: { v: 3 }, options: { dedupeKey: 'order-2' } },
      { queue: 'dedupe.q', payload: { v: 4 }, options: { dedupeKey: 'order-2' } },
      { queue: 'dedupe.q', payload: { v: 5 }, options: { dedupeKey: 'order-1' } },
      { queue: 'dedupe.q', payload: { v: 6 } },
      // The same key on another queue is another job.
      { queue: 'dedupe.other', payload: { v: 7 }, options: { dedupeKey: 'order-1' } },
    ]);
    expect(batch.map((r) => r.created)).toEqual([true, false, false, true, true]);
    expect(batch[1]?.id).toBe(batch[0]?.id);
    expect(batch[2]?.id).toBe(first.id);

    const { rows } = await t.db.query<{ queue: string; payload: { v: number } }>(
      "SELECT queue, payload FROM jobs WHERE queue LIKE 'dedupe.%' ORDER BY id",
    );
    expect(rows.map((r) => `${r.queue}:${r.payload.v}`)).toEqual([
      'dedupe.q:1',
      'dedupe.q:3',
      'dedupe.q:6',
      'dedupe.other:7',
    ]);
  });

  it('refuses bad options before writing anything', async () => {
    const jobs = queue();
    await expect(jobs.enqueue('bad.q', { a: 1 }, { maxAttempts: 0 })).rejects.toThrow(
      /maxAttempts/,
    );
    await expect(jobs.enqueue('bad q', { a: 1 })).rejects.toThrow(/Queue name/);
    await expect(jobs.enqueue('bad.q', undefined)).rejects.toThrow(/payload/);
    const none = await t.db.query("SELECT 1 FROM jobs WHERE queue = 'bad.q'");
    expect(none.rowCount).toBe(0);
  });

  it('does not run a job before its runAt', async () => {
    const jobs = queue();
    const ran: string[] = [];
    jobs.register<{ n: number }>('later.q', async (job) => {
      ran.push(job.id);
      await Promise.resolve();
    });
    const { id } = await jobs.enqueue(
      'later.q',
      { n: 1 },
      { runAt: new Date(Date.now() + 3_600_000) },
    );
    expect(await jobs.runDue()).toBe(0);
    expect(ran).toEqual([]);
    expect((await jobs.get(id))?.state).toBe('queued');
    expect((await jobs.depth()).find((d) => d.queue === 'later.q')?.state).toBe('scheduled');
  });
});

describe('running jobs', () => {
  it('commits a handler’s database effects with the completion, exactly once', async () => {
    const jobs = queue();
    // A typed queue: producer and handler agree on the payload at compile time.
    const Effects = defineQueue<{ note: string }>('effects.q');
    jobs.register(Effects, async (job) => {
      await t.db.query('INSERT INTO test_effects (job_id, note) VALUES ($1, $2)', [
        job.id,
        job.payload.note,
      ]);
    });
    const { id } = await jobs.enqueue(Effects, { note: 'hello' });
    expect(await jobs.runDue()).toBe(1);
    expect(await jobs.runDue()).toBe(0);
    const job = await jobs.get(id);
    expect(job?.state).toBe('done');
    expect(job?.attempts).toBe(1);
    expect(job?.finishedAt).toBeInstanceOf(Date);
    expect(await effects(id)).toBe(1);
  });

  it('retries with exponential backoff, rolling back each failed attempt, then succeeds', async () => {
    // random() = 1 makes every delay its ceiling: 40 ms, then 80 ms.
    const jobs = queue({ random: () => 0.999_999 });
    const delays: number[] = [];
    jobs.register<{ failTimes: number }>(
      'retry.q',
      async (job) => {
        await t.db.query('INSERT INTO test_effects (job_id, note) VALUES ($1, $2)', [
          job.id,
          `attempt ${job.attempt}`,
        ]);
        if (job.attempt <= job.payload.failTimes) throw new Error(`flaky ${job.attempt}`);
      },
      { backoff: { baseMs: 40, capMs: 10_000 } },
    );
    const { id } = await jobs.enqueue('retry.q', { failTimes: 2 });

    await jobs.runDue();
    let row = await jobRow(id);
    expect(row).toMatchObject({ state: 'queued', attempts: 1 });
    expect(row?.last_error).toMatch(/flaky 1/);
    delays.push(row?.delay_ms ?? -1);

    await drainUntil(jobs, async () => (await jobRow(id))?.attempts === 2);
    row = await jobRow(id);
    expect(row?.last_error).toMatch(/flaky 2/);
    delays.push(row?.delay_ms ?? -1);
    expect(delays).toEqual([39, 79]);

    await drainUntil(jobs, async () => (await jobRow(id))?.state === 'done');
    expect((await jobRow(id))?.attempts).toBe(3);
    // The two failed attempts' writes were rolled back with them.
    const notes = await t.db.query<{ note: string }>(
      'SELECT note FROM test_effects WHERE job_id = $1',
      [id],
    );
    expect(notes.rows).toEqual([{ note: 'attempt 3' }]);
  });

  it('honours a RetryLaterError delay (e.g. Retry-After) instead of the backoff', async () => {
    const jobs = queue();
    jobs.register('retry-after.q', () =>
      Promise.reject(new RetryLaterError('429 from upstream', 120_000)),
    );
    const { id } = await jobs.enqueue('retry-after.q', { x: 1 });
    await jobs.runDue();
    expect(await jobRow(id)).toMatchObject({ state: 'queued', attempts: 1, delay_ms: 120_000 });
  });

  it('logs a RetryLaterError as an expected wait (debug, no stack), a thrown error as a warning', async () => {
    const lines: { level: string; msg: string; err?: unknown }[] = [];
    const jobs = createPostgresJobQueue({
      db: t.db,
      logger: createLogger({
        level: 'debug',
        destination: {
          write: (line: string) => {
            lines.push(JSON.parse(line) as (typeof lines)[number]);
          },
        },
      }),
      registry,
      instanceId: 'test',
      visibilityMs: 30_000,
      pollMs: 20,
      random: () => 1,
    });
    jobs.register('not-settled.q', () =>
      Promise.reject(new RetryLaterError('the rail has not settled it yet', 2_000)),
    );
    jobs.register('broken.q', () => Promise.reject(new Error('upstream down')));
    await jobs.enqueue('not-settled.q', {});
    await jobs.runDue();
    expect(lines.filter((l) => l.level !== 'debug')).toEqual([]);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'debug', reason: 'the rail has not settled it yet' }),
    );
    expect(lines.some((l) => l.err !== undefined)).toBe(false);

    await jobs.enqueue('broken.q', {});
    await jobs.runDue();
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual([
      'job failed; will retry',
    ]);
  });

  it('dead-letters after maxAttempts, keeps the last error, and can be requeued', async () => {
    const jobs = queue({ random: () => 0 });
    let succeed = false;
    jobs.register('dead.q', async (job) => {
      await Promise.resolve();
      if (!succeed) throw new Error(`upstream down on attempt ${job.attempt}`);
    });
    const { id } = await jobs.enqueue('dead.q', { x: 1 }, { maxAttempts: 3 });
    await drainUntil(jobs, async () => (await jobs.get(id))?.state === 'dead');
    const dead = await jobs.get(id);
    expect(dead?.attempts).toBe(3);
    expect(dead?.lastError).toMatch(/upstream down on attempt 3/);
    expect(await jobs.runDue()).toBe(0);

    const listed = await jobs.listDead({ queue: 'dead.q' });
    expect(listed.map((j) => j.id)).toEqual([id]);
    expect(listed[0]?.lastError).toMatch(/attempt 3/);

    succeed = true;
    expect(await jobs.requeueDead(id)).toBe(true);
    expect(await jobs.requeueDead(id)).toBe(false);
    await drainUntil(jobs, async () => (await jobs.get(id))?.state === 'done');
    expect((await jobs.get(id))?.attempts).toBe(1);
    expect(await jobs.listDead({ queue: 'dead.q' })).toEqual([]);
  });

  it('dead-letters at once on a PermanentJobError', async () => {
    const jobs = queue();
    jobs.register('permanent.q', () => Promise.reject(new PermanentJobError('410 Gone')));
    const { id } = await jobs.enqueue('permanent.q', { x: 1 }, { maxAttempts: 10 });
    await jobs.runDue();
    const job = await jobs.get(id);
    expect(job).toMatchObject({ state: 'dead', attempts: 1 });
    expect(job?.lastError).toMatch(/410 Gone/);
  });

  it('gives a vanished worker’s claim to another worker after the visibility timeout, and refuses the old claim', async () => {
    const ghost = queue({ visibilityMs: 300 });
    const jobs = queue();
    const handler: JobHandler<{ n: number }> = async (job) => {
      await t.db.query('INSERT INTO test_effects (job_id, note) VALUES ($1, $2)', [
        job.id,
        'reclaimed',
      ]);
    };
    jobs.register('reclaim.q', handler);
    const { id } = await jobs.enqueue('reclaim.q', { n: 1 });

    // The ghost claims the job and then never runs it (its process "died").
    const claimed = await ghost.backend.claim(['reclaim.q'], 10);
    expect(claimed.jobs.map((j) => j.id)).toEqual([id]);
    expect(await jobs.runDue()).toBe(0);

    await drainUntil(jobs, async () => (await jobs.get(id))?.state === 'done');
    expect((await jobs.get(id))?.attempts).toBe(2);
    expect(await effects(id)).toBe(1);

    // The ghost wakes up: its completion, retry and hand-back are all fenced off.
    const stale = claimed.jobs[0];
    if (!stale) throw new Error('no claim');
    let ran = false;
    await expect(
      ghost.backend.execute(stale, true, async () => {
        ran = true;
        await t.db.query('INSERT INTO test_effects (job_id, note) VALUES ($1, $2)', [id, 'stale']);
      }),
    ).rejects.toBeInstanceOf(ClaimLostError);
    expect(ran).toBe(false);
    expect(await ghost.backend.fail(stale, 'late failure', 0)).toBe('lost');
    expect(await ghost.backend.handBack([stale])).toBe(0);
    expect(await effects(id)).toBe(1);
    expect((await jobs.get(id))?.state).toBe('done');
  });

  it('dead-letters a job whose every claim expires (it crashes its worker each time)', async () => {
    const crasher = queue({ visibilityMs: 50 });
    const { id } = await crasher.enqueue('crash.q', { n: 1 }, { maxAttempts: 2 });
    await vi.waitFor(
      async () => {
        // Each claim "crashes": it is taken and never finished.
        const c = await crasher.backend.claim(['crash.q'], 1);
        if (c.deadLettered.length === 0) throw new Error('not dead yet');
        expect(c.deadLettered).toEqual([{ id, queue: 'crash.q' }]);
      },
      { timeout: 10_000, interval: 60 },
    );
    const job = await crasher.get(id);
    expect(job).toMatchObject({ state: 'dead', attempts: 2 });
    expect(job?.lastError).toMatch(/claim expired on the last attempt/);
  });

  // PGlite has one connection, so transactional handlers run one at a time there; the
  // network-bound (non-transactional) kind holds no connection and runs side by side.
  it.each([
    { transactional: false, concurrency: 3 },
    { transactional: true, concurrency: 1 },
  ])(
    'a worker stopped mid-job hands unfinished jobs back without spending an attempt (transactional: $transactional)',
    async ({ transactional, concurrency }) => {
      const name = `handback.${transactional ? 'tx' : 'plain'}`;
      const jobs = queue();
      let started = 0;
      jobs.register(
        name,
        (job) =>
          new Promise<void>((_, reject) => {
            started++;
            // A long job that stops when told to.
            job.signal.addEventListener('abort', () => {
              reject(job.signal.reason as Error);
            });
          }),
        { timeoutMs: 600_000, transactional },
      );
      const ids = (
        await jobs.enqueueMany([1, 2, 3, 4].map((n) => ({ queue: name, payload: { n } })))
      ).map((r) => r.id);
      const worker = jobs.startWorker({ concurrency });
      try {
        await vi.waitFor(
          () => {
            expect(started).toBe(concurrency);
          },
          { timeout: 10_000 },
        );
        expect(worker.inFlight).toBe(concurrency);
      } finally {
        const report = await worker.stop({ timeoutMs: 50, graceMs: 5_000 });
        expect(report).toEqual({ finished: concurrency, handedBack: concurrency, abandoned: 0 });
      }
      const after = await Promise.all(ids.map((id) => jobs.get(id)));
      expect(after.map((j) => [j?.state, j?.attempts])).toEqual(ids.map(() => ['queued', 0]));
      expect(started).toBe(concurrency);
    },
  );

  it('reports depth, outcomes and durations as Prometheus metrics', async () => {
    const jobs = queue();
    jobs.register('metrics.q', () => Promise.resolve());
    await jobs.enqueueMany([1, 2, 3].map((n) => ({ queue: 'metrics.q', payload: { n } })));
    let text = await registry.metrics();
    expect(text).toMatch(/vaultwire_job_queue_depth\{queue="metrics.q",state="queued"\} 3/);
    await jobs.runDue();
    text = await registry.metrics();
    expect(text).toMatch(/vaultwire_jobs_total\{queue="metrics.q",outcome="completed"\} 3/);
    expect(text).toMatch(
      /vaultwire_job_duration_seconds_count\{queue="metrics.q",outcome="completed"\} 3/,
    );
    // Drained: the depth series reads 0 rather than vanishing.
    expect(text).toMatch(/vaultwire_job_queue_depth\{queue="metrics.q",state="queued"\} 0/);
  });

  it('prunes finished jobs past retention and keeps dead ones', async () => {
    const jobs = queue();
    jobs.register('prune.q', () => Promise.resolve());
    const done = await jobs.enqueue('prune.q', { n: 1 });
    const dead = await jobs.enqueue('prune.q', { n: 2 }, { maxAttempts: 1 });
    await t.db.query("UPDATE jobs SET state = 'dead' WHERE id = $1", [dead.id]);
    await jobs.runDue();
    await t.db.query(
      "UPDATE jobs SET finished_at = now() - interval '8 days' WHERE queue = 'prune.q'",
    );
    expect(await jobs.pruneFinished(7 * 24 * 3600 * 1000)).toBe(1);
    expect(await jobs.get(done.id)).toBeUndefined();
    expect((await jobs.get(dead.id))?.state).toBe('dead');
  });
});
