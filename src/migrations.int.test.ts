import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allMigrations, migrationSources } from './migrations.js';
import { openDb } from './platform/db/drivers.js';
import { loadMigrations, migrate, type Migration } from './platform/db/migrate.js';
import type { Db } from './platform/db/db.js';

/**
 * What the migrator did before migrations had owners: one folder, one global version
 * sequence, `schema_migrations` keyed by version. The files are the same ones (moved, not
 * edited), so this builds exactly the database an existing install has.
 */
async function migrateTheOldWay(db: Db, migrations: readonly Migration[]): Promise<void> {
  await db.exec(`CREATE TABLE schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    await db.transaction(async (tx) => {
      await tx.exec(m.sql);
      await tx.query(
        'INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)',
        [m.version, m.name, m.checksum],
      );
    });
  }
}

/** Tables, columns and functions: what a schema is, for comparing two of them. */
async function schemaOf(db: Db): Promise<string[]> {
  const cols = await db.query<{ t: string }>(
    `SELECT table_name || '.' || column_name || ':' || data_type || ':' || is_nullable AS t
       FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name <> 'schema_migrations'`,
  );
  const fns = await db.query<{ t: string }>(
    `SELECT p.proname || ':' || md5(pg_get_functiondef(p.oid)) AS t
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = 'public' AND p.prokind = 'f'`,
  );
  const idx = await db.query<{ t: string }>(
    `SELECT indexdef AS t FROM pg_indexes WHERE schemaname = 'public' AND tablename <> 'schema_migrations'`,
  );
  return [...cols.rows, ...fns.rows, ...idx.rows].map((r) => r.t).sort();
}

describe('migrations per module', () => {
  it('upgrades a database migrated by the single-folder layout without applying anything again', async () => {
    const migrations = allMigrations();
    const legacy = await openDb({ dataDir: 'memory://' });
    const fresh = await openDb({ dataDir: 'memory://' });
    try {
      await migrateTheOldWay(legacy, migrations);
      const before = await schemaOf(legacy);

      const upgraded = await migrate(legacy, { migrations });
      expect(upgraded.applied).toEqual([]);
      expect(upgraded.existing).toBe(migrations.length);
      // Every row now names its owner, and the owner is the folder its file sits in.
      const { rows } = await legacy.query<{ module: string; version: number; name: string }>(
        'SELECT module, version, name FROM schema_migrations ORDER BY version',
      );
      expect(rows).toEqual(
        [...migrations]
          .sort((a, b) => a.version - b.version)
          .map((m) => ({ module: m.owner, version: m.version, name: m.name })),
      );
      expect(await schemaOf(legacy)).toEqual(before);
      expect((await migrate(legacy, { migrations })).applied).toEqual([]);

      // A fresh database, migrated owner by owner, ends with the same schema.
      const applied = await migrate(fresh, { migrations });
      expect(applied.applied.map((m) => m.owner)).toEqual(migrations.map((m) => m.owner));
      expect(await schemaOf(fresh)).toEqual(before);
    } finally {
      await legacy.close();
      await fresh.close();
    }
  });

  it('applies a module’s new migration once, after the migrations of the owners before it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'vw-migrations-'));
    const sources = migrationSources(root);
    for (const s of sources) mkdirSync(s.dir);
    writeFileSync(join(root, 'platform', '0001_base.sql'), 'CREATE TABLE base (id int);');
    // The same version in two modules is fine: versions are per owner.
    writeFileSync(join(root, 'ledger', '0001_notes.sql'), 'CREATE TABLE notes (id int);');
    writeFileSync(
      join(root, 'wallet', '0001_wallet_notes.sql'),
      'CREATE TABLE wallet_notes (id int, note int);',
    );
    const db = await openDb({ dataDir: 'memory://' });
    try {
      const first = await migrate(db, { migrations: loadMigrations(sources, root) });
      expect(first.applied.map((m) => `${m.owner}/${m.version}`)).toEqual([
        'platform/1',
        'ledger/1',
        'wallet/1',
      ]);
      writeFileSync(join(root, 'ledger', '0002_more.sql'), 'ALTER TABLE notes ADD COLUMN x int;');
      const second = await migrate(db, { migrations: loadMigrations(sources, root) });
      expect(second.applied).toEqual([{ owner: 'ledger', version: 2, name: 'more' }]);
      expect((await migrate(db, { migrations: loadMigrations(sources, root) })).applied).toEqual(
        [],
      );

      // Never edited once applied.
      writeFileSync(join(root, 'ledger', '0002_more.sql'), 'ALTER TABLE notes ADD COLUMN y int;');
      await expect(migrate(db, { migrations: loadMigrations(sources, root) })).rejects.toThrow(
        /ledger\/0002_more was changed after it was applied/,
      );
      // A file left in the old single folder is refused, saying where it goes.
      writeFileSync(join(root, '0057_stray.sql'), 'SELECT 1;');
      expect(() => loadMigrations(sources, root)).toThrow(/migrations\/<module>\//);
    } finally {
      await db.close();
    }
  });

  it('refuses an old-layout database holding a migration this build does not have', async () => {
    const migrations = allMigrations();
    const db = await openDb({ dataDir: 'memory://' });
    try {
      await migrateTheOldWay(db, migrations.slice(0, 3));
      await db.exec(
        "INSERT INTO schema_migrations (version, name, checksum) VALUES (999, 'from_the_future', 'x')",
      );
      await expect(migrate(db, { migrations })).rejects.toThrow(/0999_from_the_future/);
      // Nothing changed: the upgrade rolled back with the refusal.
      const { rows } = await db.query<{ column_name: string }>(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'schema_migrations'",
      );
      expect(rows.map((r) => r.column_name)).not.toContain('module');
    } finally {
      await db.close();
    }
  });
});
