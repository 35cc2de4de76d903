import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.js';

/**
 * Versioned SQL migrations, the same files for PGlite and PostgreSQL. They live in
 * `migrations/NNNN_name.sql` at the repository root (three folders above this file in
 * both `src/` and `dist/`).
 */
export const MIGRATIONS_DIR = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'migrations',
);

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql'));
  const migrations = files.map((file) => {
    const match = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!match) throw new Error(`Migration file name ${file} must look like 0001_name.sql`);
    const sql = readFileSync(join(dir, file), 'utf8');
    return {
      version: Number(match[1]),
      name: match[2] ?? file,
      sql,
      checksum: createHash('sha256').update(sql).digest('hex'),
    };
  });
  migrations.sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]?.version === migrations[i - 1]?.version) {
      throw new Error(`Two migrations share version ${migrations[i]?.version}`);
    }
  }
  return migrations;
}

export interface MigrateResult {
  applied: { version: number; name: string }[];
  /** Versions already present before this run. */
  existing: number;
}

/** Key of the advisory lock every migrating process takes (any constant would do). */
const MIGRATION_LOCK_KEY = 7_263_001;

/**
 * Applies pending migrations in one transaction under an advisory lock: a second process
 * starting at the same moment waits on the lock, then finds nothing left to do. A file
 * edited after it was applied is refused (its checksum no longer matches).
 */
export async function migrate(
  db: Db,
  options: { migrations?: Migration[]; log?: (msg: string) => void } = {},
): Promise<MigrateResult> {
  const migrations = options.migrations ?? loadMigrations();
  const log = options.log ?? (() => undefined);
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    integer PRIMARY KEY,
      name       text NOT NULL,
      checksum   text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await tx.query<{ version: number; name: string; checksum: string }>(
      'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
    );
    const done = new Map(rows.map((r) => [r.version, r]));
    for (const m of migrations) {
      const prior = done.get(m.version);
      if (prior && prior.checksum !== m.checksum) {
        throw new Error(
          `Migration ${m.version}_${m.name} was changed after it was applied; add a new migration instead`,
        );
      }
    }
    const known = new Set(migrations.map((m) => m.version));
    const unknown = rows.filter((r) => !known.has(r.version));
    if (unknown.length > 0) {
      throw new Error(
        `The database has migrations this build does not know (${unknown.map((u) => u.version).join(', ')}): it was migrated by a newer Vaultwire`,
      );
    }
    const applied: MigrateResult['applied'] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      try {
        await tx.exec(m.sql);
      } catch (err) {
        throw new Error(`Migration ${m.version}_${m.name} failed: ${(err as Error).message}`, {
          cause: err,
        });
      }
      await tx.query(
        'INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)',
        [m.version, m.name, m.checksum],
      );
      applied.push({ version: m.version, name: m.name });
      log(`applied migration ${m.version}_${m.name}`);
    }
    return { applied, existing: rows.length };
  });
}
