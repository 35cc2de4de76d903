import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/platform/observability/logger.js';
import { createPostgresJobQueue } from '../../src/platform/queue/postgres.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { spawnVaultwire, type VaultwireProcess } from '../support/process.js';

/**
 * Worker processes dying and stopping while jobs run (test/fixtures/job-worker.ts runs
 * the real composition root with a `test.effect` queue whose handler writes one row).
 * Whatever happens to the process, every job's effect must exist exactly once.
 */

const FIXTURE = 'test/fixtures/job-worker.ts';
const running: VaultwireProcess[] = [];
let t: TestDb;

beforeAll(async () => {
  t = await createTestDb('postgres');
  await t.db.query(
    'CREATE TABLE test_job_effects (job_id text NOT NULL, attempt int NOT NULL, pid int NOT NULL)',
  );
});
afterEach(() => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
});
afterAll(async () => {
  await t.drop();
});

function startWorker(env: Record<string, string>): VaultwireProcess {
  if (!t.url) throw new Error('no database url');
  const p = spawnVaultwire(
    [],
    {
      DATABASE_URL: t.url,
      VW_DATA_DIR: mkdtempSync(join(tmpdir(), 'vw-jobs-')),
      VW_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
      LOG_LEVEL: 'info',
      VW_ROLES: 'worker',
      VW_WORKER_CONCURRENCY: '8',
      VW_JOB_POLL_MS: '50',
      VW_DB_POOL_MAX: '12',
      ...env,
    },
    FIXTURE,
  );
  running.push(p);
  return p;
}

async function enqueue(n: number): Promise<string[]> {
  const jobs = createPostgresJobQueue({
    db: t.db,
    logger: createLogger({ level: 'silent' }),
    registry: new Registry(),
    instanceId: 'test',
    visibilityMs: 30_000,
    pollMs: 50,
  });
  const results = await jobs.enqueueMany(
    Array.from({ length: n }, (_, i) => ({ queue: 'test.effect', payload: { n: i } })),
  );
  return results.map((r) => r.id);
}

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await t.db.query<{ n: bigint }>(sql, params);
  return Number(rows[0]?.n ?? 0n);
}

const effectsOf = (ids: string[]) =>
  count('SELECT count(*) AS n FROM test_job_effects WHERE job_id = ANY($1::text[])', [ids]);

async function waitForEffects(ids: string[], atLeast: number): Promise<void> {
  await vi.waitFor(
    async () => {
      expect(await effectsOf(ids)).toBeGreaterThanOrEqual(atLeast);
    },
    { timeout: 60_000, interval: 20 },
  );
}

async function waitUntilAllDone(ids: string[]): Promise<void> {
  await vi.waitFor(
    async () => {
      expect(
        await count(
          "SELECT count(*) AS n FROM jobs WHERE id = ANY($1::text[]) AND state <> 'done'",
          [ids],
        ),
      ).toBe(0);
    },
    { timeout: 60_000, interval: 100 },
  );
}

async function expectEachEffectedOnce(ids: string[]): Promise<void> {
  const { rows } = await t.db.query<{ effects: bigint; jobs: bigint }>(
    `SELECT count(*) AS effects, count(DISTINCT job_id) AS jobs
       FROM test_job_effects WHERE job_id = ANY($1::text[])`,
    [ids],
  );
  expect(rows[0]).toEqual({ effects: BigInt(ids.length), jobs: BigInt(ids.length) });
  expect(
    await count("SELECT count(*) AS n FROM jobs WHERE id = ANY($1::text[]) AND state = 'dead'", [
      ids,
    ]),
  ).toBe(0);
}

describe('worker processes (PostgreSQL)', () => {
  it(
    'SIGKILL mid-run: after a restart every job is done exactly once, none lost',
    { timeout: 180_000 },
    async () => {
      const ids = await enqueue(500);
      const first = startWorker({ VW_JOB_VISIBILITY_MS: '2000' });
      await first.waitForLog('vaultwire started');
      await waitForEffects(ids, 100);
      first.kill('SIGKILL');
      expect(await first.exited).toBe('SIGKILL');

      // Killed mid-way, with claims outstanding.
      const done = await count(
        "SELECT count(*) AS n FROM jobs WHERE id = ANY($1::text[]) AND state = 'done'",
        [ids],
      );
      expect(done).toBeGreaterThanOrEqual(100);
      expect(done).toBeLessThan(500);
      expect(
        await count(
          "SELECT count(*) AS n FROM jobs WHERE id = ANY($1::text[]) AND state = 'running'",
          [ids],
        ),
      ).toBeGreaterThan(0);

      const second = startWorker({ VW_JOB_VISIBILITY_MS: '2000' });
      await second.waitForLog('vaultwire started');
      await waitUntilAllDone(ids);
      second.kill('SIGTERM');
      expect(await second.exited).toBe(0);

      await expectEachEffectedOnce(ids);
      // The jobs that were in flight came back after the visibility timeout: a second attempt.
      expect(
        await count('SELECT count(*) AS n FROM jobs WHERE id = ANY($1::text[]) AND attempts = 2', [
          ids,
        ]),
      ).toBeGreaterThan(0);
    },
  );

  it(
    'SIGTERM mid-run: exits 0, leaves no claim behind, and another worker finishes the rest',
    { timeout: 180_000 },
    async () => {
      const ids = await enqueue(400);
      // A visibility timeout far beyond the test's waits: anything not handed back on
      // shutdown would be stuck, and the test would fail.
      const env = { VW_JOB_VISIBILITY_MS: '600000', VW_SHUTDOWN_TIMEOUT_MS: '10000' };
      const first = startWorker(env);
      await first.waitForLog('vaultwire started');
      await waitForEffects(ids, 80);
      first.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      const drained = first.lines.find((l) => l.includes('"worker drained"'));
      expect(drained).toBeDefined();
      expect(
        await count(
          "SELECT count(*) AS n FROM jobs WHERE id = ANY($1::text[]) AND state = 'running'",
          [ids],
        ),
      ).toBe(0);
      const doneBySecond = await count(
        "SELECT count(*) AS n FROM jobs WHERE id = ANY($1::text[]) AND state <> 'done'",
        [ids],
      );
      expect(doneBySecond).toBeGreaterThan(0);

      const second = startWorker(env);
      await second.waitForLog('vaultwire started');
      await waitUntilAllDone(ids);
      second.kill('SIGTERM');
      expect(await second.exited).toBe(0);

      await expectEachEffectedOnce(ids);
      // Nothing was counted twice: every job ran to completion on its first attempt.
      expect(
        await count('SELECT count(*) AS n FROM jobs WHERE id = ANY($1::text[]) AND attempts <> 1', [
          ids,
        ]),
      ).toBe(0);
    },
  );
});
