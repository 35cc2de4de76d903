import { join } from 'node:path';
import { PLATFORM_OWNER } from './platform/modules/compose.js';
import {
  loadMigrations,
  MIGRATIONS_DIR,
  type Migration,
  type MigrationSource,
} from './platform/db/migrate.js';
import { MODULES } from './modules.js';

/**
 * Where each owner's migrations are, in the order they apply: `migrations/platform/`,
 * then `migrations/<module>/` for each module in dependency order.
 */
export function migrationSources(root = MIGRATIONS_DIR): MigrationSource[] {
  return MODULES.migrationOwners.map((owner) => ({ owner, dir: join(root, owner) }));
}

/** Every migration of this build, in the order they apply. */
export function allMigrations(): Migration[] {
  return loadMigrations(migrationSources());
}

export { PLATFORM_OWNER };
