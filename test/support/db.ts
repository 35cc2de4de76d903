import { migrationSources, allMigrations } from '../../src/migrations.js';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Db } from '../../src/platform/db/db.js';
import { dumpEmbeddedDb, openDb } from '../../src/platform/db/drivers.js';
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

/** Names the migrated state: changes with any migration's checksum. */
function migrationsHash(): string {
  const hash = createHash('sha256');
  for (const m of allMigrations()) hash.update(m.checksum);
  return hash.digest('hex').slice(0, 12);
}

/** A migrated template per set of migrations, made once per run under a lock. */
async function ensureTemplate(): Promise<string> {
  const name = `vw_tpl_${migrationsHash()}`;
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

let pgliteSnapshot: Promise<Blob> | undefined;

/**
 * The embedded counterpart of the PostgreSQL template: a migrated PGlite data folder,
 * dumped once per set of migrations and PGlite version to `.test-data/` and loaded by
 * every test file. initdb plus every migration cost each file about 2.5 s of CPU; loading
 * the dump about 0.6 s. Two workers that both miss it each make one; the rename makes
 * whichever lands last the file, and both are the same migrated state.
 */
function migratedPgliteSnapshot(): Promise<Blob> {
  pgliteSnapshot ??= (async () => {
    const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
    const pkg = join(root, 'node_modules', '@electric-sql', 'pglite', 'package.json');
    const { version } = JSON.parse(readFileSync(pkg, 'utf8')) as { version: string };
    const file = join(root, '.test-data', `pglite-${version}-${migrationsHash()}.tar`);
    if (existsSync(file)) return new Blob([readFileSync(file)]);
    const db = await openDb({ dataDir: 'memory://' });
    try {
      await migrate(db, { sources: migrationSources() });
      const tar = await dumpEmbeddedDb(db);
      mkdirSync(dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
      writeFileSync(tmp, Buffer.from(await tar.arrayBuffer()));
      renameSync(tmp, file);
      // Snapshots of older migrations are 45 MB each and never loaded again.
      for (const old of readdirSync(dirname(file))) {
        if (/^pglite-.*\.tar$/.test(old) && old !== basename(file)) {
          rmSync(join(dirname(file), old), { force: true });
        }
      }
      return tar;
    } finally {
      await db.close();
    }
  })();
  return pgliteSnapshot;
}

/**
 * A fresh, migrated, empty database for one test file. On PostgreSQL its sessions commit
 * without waiting for the WAL flush (`synchronous_commit = off`, set on the database so
 * child processes get it too): a commit is as visible and as atomic as before, only a
 * crash of the server itself could lose the last ones, and no test crashes the server.
 * The flush costs several milliseconds per commit on a shared disk.
 */
/**
 * Only for tests (vitest sets VITEST): benchmarks built on these helpers (bench:commerce,
 * bench:freeze, bench:mall) measure durable commits, as a deployment makes them.
 */
const NO_FLUSH_WAIT = process.env['VITEST'] !== undefined;

export async function createTestDb(kind = testDbKind()): Promise<TestDb> {
  if (kind === 'pglite') {
    const db = await openDb({ dataDir: 'memory://', loadDataDir: await migratedPgliteSnapshot() });
    return { db, drop: () => db.close() };
  }
  const template = await ensureTemplate();
  const name = testDatabaseName();
  await admin(async (c) => {
    await c.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
    if (NO_FLUSH_WAIT) await c.query(`ALTER DATABASE "${name}" SET synchronous_commit = off`);
  });
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
  await admin(async (c) => {
    await c.query(`CREATE DATABASE "${name}"`);
    if (NO_FLUSH_WAIT) await c.query(`ALTER DATABASE "${name}" SET synchronous_commit = off`);
  });
  return {
    url: withDatabase(postgresUrl(), name),
    drop: () =>
      admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}
