import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.js';

/**
 * Versioned SQL migrations, the same files for PGlite and PostgreSQL. Each owner (the
 * platform, then each module) keeps its own in `migrations/<owner>/NNNN_name.sql` at the
 * repository root (three folders above this file in both `src/` and `dist/`). Owners are
 * applied in the order given (the platform, then the modules in dependency order, see
 * `src/migrations.ts`), each owner's files by version.
 *
 * Versions 0001-0056 were numbered in one global sequence before the folders existed;
 * they keep their numbers (and their recorded names), so a database migrated then is
 * recognised file by file. Versions are unique within an owner.
 */
export const MIGRATIONS_DIR = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'migrations',
);

/** Who owns a folder of migrations, and where it is. */
export interface MigrationSource {
  owner: string;
  dir: string;
}

export interface Migration {
  /** `platform` or a module name. */
  owner: string;
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

/**
 * The migrations of `sources`, in order: owner by owner, each by version. A `.sql` file
 * left at the top of `migrations/` (the old single folder) is refused with where to move it.
 */
export function loadMigrations(
  sources: readonly MigrationSource[],
  root = MIGRATIONS_DIR,
): Migration[] {
  if (existsSync(root)) {
    const stray = readdirSync(root).filter((f) => f.endsWith('.sql'));
    if (stray.length > 0) {
      throw new Error(
        `Migration ${stray.join(', ')} sits in migrations/ itself: move it into the folder of the module that owns it (migrations/<module>/)`,
      );
    }
  }
  const all: Migration[] = [];
  const owners = new Set<string>();
  for (const { owner, dir } of sources) {
    if (owners.has(owner)) throw new Error(`Migration owner ${owner} is listed twice`);
    owners.add(owner);
    if (!existsSync(dir)) continue;
    const migrations = readdirSync(dir)
      .filter((f) => f.endsWith('.sql'))
      .map((file) => {
        const match = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
        if (!match) {
          throw new Error(`Migration file name ${owner}/${file} must look like 0001_name.sql`);
        }
        const sql = readFileSync(join(dir, file), 'utf8');
        return {
          owner,
          version: Number(match[1]),
          name: match[2] ?? file,
          sql,
          checksum: createHash('sha256').update(sql).digest('hex'),
        };
      });
    migrations.sort((a, b) => a.version - b.version);
    for (let i = 1; i < migrations.length; i++) {
      if (migrations[i]?.version === migrations[i - 1]?.version) {
        throw new Error(`Two migrations of ${owner} share version ${migrations[i]?.version}`);
      }
    }
    all.push(...migrations);
  }
  return all;
}

/** `owner/0001_name`, as logs and errors show a migration. */
export function migrationLabel(m: { owner: string; version: number; name: string }): string {
  return `${m.owner}/${String(m.version).padStart(4, '0')}_${m.name}`;
}

export interface MigrateResult {
  applied: { owner: string; version: number; name: string }[];
  /** Migrations already recorded before this run. */
  existing: number;
}

/** Key of the advisory lock every migrating process takes (any constant would do). */
const MIGRATION_LOCK_KEY = 7_263_001;

/**
 * Applies pending migrations in one transaction under an advisory lock: a second process
 * starting at the same moment waits on the lock, then finds nothing left to do. A file
 * edited after it was applied is refused (its checksum no longer matches), and so is a
 * database holding a migration this build does not know.
 *
 * A database migrated before migrations had owners (`schema_migrations` keyed by version
 * alone) is upgraded in the same transaction: each recorded version is matched to the
 * file of that version and name, whichever folder it now sits in, and nothing re-runs.
 */
export async function migrate(
  db: Db,
  options: {
    sources?: readonly MigrationSource[];
    migrations?: Migration[];
    log?: (msg: string) => void;
  },
): Promise<MigrateResult> {
  const migrations =
    options.migrations ??
    (options.sources ? loadMigrations(options.sources) : undefined) ??
    (() => {
      throw new Error('migrate needs its sources (src/migrations.ts) or the migrations');
    })();
  const log = options.log ?? (() => undefined);
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      module     text NOT NULL,
      version    integer NOT NULL,
      name       text NOT NULL,
      checksum   text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (module, version)
    )`);
    await upgradeLegacyLedger(tx, migrations, log);
    const { rows } = await tx.query<{
      module: string;
      version: number;
      name: string;
      checksum: string;
    }>('SELECT module, version, name, checksum FROM schema_migrations ORDER BY module, version');
    const key = (owner: string, version: number) => `${owner}/${version}`;
    const done = new Map(rows.map((r) => [key(r.module, r.version), r]));
    for (const m of migrations) {
      const prior = done.get(key(m.owner, m.version));
      if (prior && prior.checksum !== m.checksum) {
        throw new Error(
          `Migration ${migrationLabel(m)} was changed after it was applied; add a new migration instead`,
        );
      }
    }
    const known = new Set(migrations.map((m) => key(m.owner, m.version)));
    const unknown = rows.filter((r) => !known.has(key(r.module, r.version)));
    if (unknown.length > 0) {
      throw new Error(
        `The database has migrations this build does not know (${unknown.map((u) => migrationLabel({ owner: u.module, ...u })).join(', ')}): it was migrated by a newer Vaultwire`,
      );
    }
    const applied: MigrateResult['applied'] = [];
    for (const m of migrations) {
      if (done.has(key(m.owner, m.version))) continue;
      try {
        await tx.exec(m.sql);
      } catch (err) {
        throw new Error(`Migration ${migrationLabel(m)} failed: ${(err as Error).message}`, {
          cause: err,
        });
      }
      await tx.query(
        'INSERT INTO schema_migrations (module, version, name, checksum) VALUES ($1, $2, $3, $4)',
        [m.owner, m.version, m.name, m.checksum],
      );
      applied.push({ owner: m.owner, version: m.version, name: m.name });
      log(`applied migration ${migrationLabel(m)}`);
    }
    return { applied, existing: rows.length };
  });
}

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/**
 * A `schema_migrations` from before owners (no `module` column): gives each row the owner
 * of the file with its version and name, then keys the table by (module, version). A row
 * no file matches is refused like any unknown migration (and the transaction rolls back).
 */
async function upgradeLegacyLedger(
  tx: Tx,
  migrations: readonly Migration[],
  log: (msg: string) => void,
): Promise<void> {
  const { rows: cols } = await tx.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = 'schema_migrations'`,
  );
  if (cols.some((c) => c.column_name === 'module')) return;
  await tx.query('ALTER TABLE schema_migrations ADD COLUMN module text');
  const { rows } = await tx.query<{ version: number; name: string }>(
    'SELECT version, name FROM schema_migrations',
  );
  const unmatched: string[] = [];
  for (const r of rows) {
    const file = migrations.find((m) => m.version === r.version && m.name === r.name);
    if (!file) {
      unmatched.push(`${String(r.version).padStart(4, '0')}_${r.name}`);
      continue;
    }
    await tx.query('UPDATE schema_migrations SET module = $1 WHERE version = $2', [
      file.owner,
      r.version,
    ]);
  }
  if (unmatched.length > 0) {
    throw new Error(
      `The database has migrations this build does not know (${unmatched.join(', ')}): it was migrated by a newer Vaultwire`,
    );
  }
  await tx.exec(`
    ALTER TABLE schema_migrations ALTER COLUMN module SET NOT NULL;
    ALTER TABLE schema_migrations DROP CONSTRAINT schema_migrations_pkey;
    ALTER TABLE schema_migrations ADD PRIMARY KEY (module, version);
  `);
  log(`schema_migrations: ${rows.length} migrations recorded by owner`);
}
