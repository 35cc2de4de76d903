import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.js';
import { spawnVaultwire } from '../support/process.js';

/** `vaultwire jobs list-dead` and `vaultwire jobs retry` as an operator uses them. */

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb('postgres');
  await t.db.query(
    `INSERT INTO jobs (id, queue, payload, state, attempts, max_attempts, last_error, finished_at)
     VALUES ('job_01DEADDEADDEADDEADDEADDEAD', 'webhooks.deliver', '{"n":1}', 'dead', 5, 5,
             'Error: 503 from https://example.test' || chr(10) || '    at deliver (x.ts:1:1)', now()),
            ('job_01D0NED0NED0NED0NED0NED0NE', 'webhooks.deliver', '{"n":2}', 'done', 1, 5, NULL, now())`,
  );
});
afterAll(async () => {
  await t.drop();
});

async function cli(args: string[]): Promise<{ code: number | string; out: string }> {
  if (!t.url) throw new Error('no database url');
  const p = spawnVaultwire(args, {
    DATABASE_URL: t.url,
    LOG_LEVEL: 'warn',
    VW_DATA_DIR: mkdtempSync(join(tmpdir(), 'vw-cli-')),
  });
  const code = await p.exited;
  return { code, out: p.lines.join('\n') };
}

describe('vaultwire jobs', () => {
  it('lists dead jobs with their last error and retries one', { timeout: 60_000 }, async () => {
    const listed = await cli(['jobs', 'list-dead']);
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(
      /job_01DEADDEADDEADDEADDEADDEAD\s+webhooks\.deliver\s+attempts=5\/5\s+died=\S+\s+Error: 503 from https:\/\/example\.test/,
    );
    expect(listed.out).not.toMatch(/job_01D0NE/);

    const retried = await cli(['jobs', 'retry', 'job_01DEADDEADDEADDEADDEADDEAD']);
    expect(retried.code).toBe(0);
    expect(retried.out).toMatch(/Requeued job_01DEADDEADDEADDEADDEADDEAD/);
    const { rows } = await t.db.query<{ state: string; attempts: number }>(
      "SELECT state, attempts FROM jobs WHERE id = 'job_01DEADDEADDEADDEADDEADDEAD'",
    );
    expect(rows).toEqual([{ state: 'queued', attempts: 0 }]);

    const notDead = await cli(['jobs', 'retry', 'job_01D0NED0NED0NED0NED0NED0NE']);
    expect(notDead.code).toBe(1);
    expect(notDead.out).toMatch(/is done, not dead/);
    expect((await cli(['jobs', 'list-dead'])).out).toMatch(/No dead jobs/);
  });
});
