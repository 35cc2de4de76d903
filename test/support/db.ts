import { migrationSources, allMigrations } from '../../src/migrations.js';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Db } from '../../src/platform/db/db.js';
import { openDb } from '../../src/platform/db/drivers.js';
import { migrate } from '../../src/platform/db/migrate.js';
import { createHash } from 'node:crypto';

/** Which database this test process runs against (set per vitest project). */
/**
 * `vw_t_<creation time, base 36 ms>_<random>`: the global setup of another test run on
 * the same server drops only test databases old enough to be leftovers, never one that
 * a running test created a moment ago and has not connected to yet.
 */
export function testDatabaseName(): string {
  return `vw_t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

export function testDbKind(): 'pglite' | 'postgres' {
  return process.env['VW_TEST_DB'] === 'postgres' ? 'postgres' : 'pglite';
}

/** Server URL for tests that need real PostgreSQL; they fail (not skip) without it. */
export function postgresUrl(): string {
  const url = process.env['TEST_DATABASE_URL'];
  if (!url) {
    throw new Error(
      'TEST_DATABASE_URL is not set: this test needs a PostgreSQL server (npm test finds or starts one)',
    );
  }
  return url;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A migrated template per set of migrations, made once per run under a lock. */
async function ensureTemplate(): Promise<string> {
  const hash = createHash('sha256');
  for (const m of allMigrations()) hash.update(m.checksum);
  const name = `vw_tpl_${hash.digest('hex').slice(0, 12)}`;
  await admin(async (client) => {
    await client.query('SELECT pg_advisory_lock(7263002)');
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
        name,
      ]);
      if (rowCount === 0) {
        await client.query(`CREATE DATABASE "${name}"`);
        const db = await openDb({ databaseUrl: withDatabase(postgresUrl(), name), poolMax: 1 });
        try {
          await migrate(db, { sources: migrationSources() });
        } finally {
          await db.close();
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock(7263002)');
    }
  });
  return name;
}

export interface TestDb {
  db: Db;
  /** Connection URL (postgres only), for child processes. */
  url?: string;
  /** Closes and, on PostgreSQL, drops the database. */
  drop(): Promise<void>;
}

/** A fresh, migrated, empty database for one test file. */
export async function createTestDb(kind = testDbKind()): Promise<TestDb> {
  if (kind === 'pglite') {
    const db = await openDb({ dataDir: 'memory://' });
    await migrate(db, { sources: migrationSources() });
    return { db, drop: () => db.close() };
  }
  const template = await ensureTemplate();
  const name = testDatabaseName();
  await admin((c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
  const url = withDatabase(postgresUrl(), name);
  const db = await openDb({ databaseUrl: url, poolMax: 40 });
  return {
    db,
    url,
    drop: async () => {
      await db.close();
      await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

/** An empty database on the server (not migrated), e.g. for migration races. */
export async function createEmptyPostgresDb(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = testDatabaseName();
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  return {
    url: withDatabase(postgresUrl(), name),
    drop: () =>
      admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}
