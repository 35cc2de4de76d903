import { allMigrations } from '../../src/migrations.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEmptyPostgresDb } from '../support/db.js';
import { spawnVaultwire, type VaultwireProcess } from '../support/process.js';

/**
 * Two servers starting at the same moment against one empty PostgreSQL database: the
 * advisory lock makes one apply every migration while the other waits, then finds
 * nothing to do. Both must come up and answer /readyz.
 */

const running: VaultwireProcess[] = [];
let empty: { url: string; drop(): Promise<void> };

beforeAll(async () => {
  empty = await createEmptyPostgresDb();
});
afterEach(() => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
});
afterAll(async () => {
  await empty.drop();
});

function startApi(): VaultwireProcess {
  const p = spawnVaultwire(['start', '--roles', 'api'], {
    DATABASE_URL: empty.url,
    PORT: '0',
    LOG_LEVEL: 'info',
    VW_DATA_DIR: mkdtempSync(join(tmpdir(), 'vw-race-')),
    VW_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
    VW_DB_POOL_MAX: '5',
  });
  running.push(p);
  return p;
}

describe('migration race (PostgreSQL)', () => {
  it(
    'two servers migrating one empty database at once: one applies, the other waits, both come up',
    { timeout: 120_000 },
    async () => {
      const servers = [startApi(), startApi()];
      const ready = await Promise.all(servers.map((s) => s.waitForLog('database ready', 90_000)));
      const listening = await Promise.all(
        servers.map((s) => s.waitForLog('api listening', 90_000)),
      );

      const total = allMigrations().length;
      expect(ready.map((r) => r['applied']).sort()).toEqual([0, total]);
      for (const l of listening) {
        const res = await fetch(`http://127.0.0.1:${String(l['port'])}/readyz`);
        expect(res.status).toBe(200);
      }

      const client = new pg.Client({ connectionString: empty.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ versions: string; distinct_versions: string }>(
          'SELECT count(*) AS versions, count(DISTINCT (module, version)) AS distinct_versions FROM schema_migrations',
        );
        expect(rows[0]).toEqual({ versions: String(total), distinct_versions: String(total) });
      } finally {
        await client.end();
      }

      for (const s of servers) s.kill('SIGTERM');
      expect(await Promise.all(servers.map((s) => s.exited))).toEqual([0, 0]);
    },
  );
});
