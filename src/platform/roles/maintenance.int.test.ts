import { Registry } from 'prom-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../../test/support/db.js';
import { createLogger } from '../observability/logger.js';
import { createPostgresJobQueue } from '../queue/postgres.js';
import { runMaintenance } from './maintenance.js';

let t: TestDb;

beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t.drop();
});

it("runs the modules' tasks after the platform's pruning, and one failing does not stop the rest", async () => {
  const logger = createLogger({ level: 'silent' });
  const jobs = createPostgresJobQueue({
    db: t.db,
    logger,
    registry: new Registry(),
    instanceId: 'maint',
    visibilityMs: 30_000,
    pollMs: 20,
  });
  const ran: string[] = [];
  const pruned = await runMaintenance({
    db: t.db,
    jobs,
    logger,
    jobRetentionDays: 7,
    tasks: [
      {
        name: 'broken',
        run: () => {
          ran.push('broken');
          return Promise.reject(new Error('table missing'));
        },
      },
      {
        name: 'counters',
        run: () => {
          ran.push('counters');
          return Promise.resolve(3);
        },
      },
    ],
  });
  expect(ran).toEqual(['broken', 'counters']);
  expect(pruned).toMatchObject({ idempotencyKeys: 0, jobs: 0, counters: 3 });
  expect(pruned).not.toHaveProperty('broken');
});
