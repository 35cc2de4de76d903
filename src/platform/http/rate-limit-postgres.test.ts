import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../../test/support/db.js';
import { createLogger } from '../observability/logger.js';
import { createApiRateLimiter } from './rate-limit-postgres.js';

/** Embedded PGlite is one process: its limiter stays in memory (the shared one: *.pg.test.ts). */
describe('the API rate limiter on embedded PGlite', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb('pglite');
  });
  afterAll(async () => {
    await t.drop();
  });

  it('keeps its buckets in process memory, writing nothing to the database', async () => {
    const rl = createApiRateLimiter({ db: t.db, logger: createLogger({ level: 'silent' }) });
    for (let i = 0; i < 5; i++) expect((await rl.take('ip:a', 5)).ok).toBe(true);
    expect(await rl.take('ip:a', 5)).toEqual({ ok: false, retryAfterSeconds: 12 });
    expect(rl.size()).toBe(1);
    const { rows } = await t.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM rate_limit_buckets',
    );
    expect(rows[0]?.n).toBe(0);
  });
});
