import { deleteInSlices, DELETE_SLICE, type Db } from '../db/db.js';
import type { Logger } from '../observability/logger.js';
import type { JobQueue } from '../queue/queue.js';

/** How long a stored `Idempotency-Key` response is replayed; after that the key is free. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 3600 * 1000;

/**
 * Deletes idempotency keys older than `olderThanMs`, in slices so a large backlog never
 * becomes one long transaction. (The table belongs to the HTTP edge; its pruning lives
 * here because the `scheduler` role runs it, once, under a lease.)
 */
export function pruneIdempotencyKeys(
  db: Db,
  olderThanMs = IDEMPOTENCY_KEY_TTL_MS,
): Promise<number> {
  return deleteInSlices(
    db,
    `DELETE FROM idempotency_keys WHERE (principal, key) IN (
       SELECT principal, key FROM idempotency_keys
        WHERE created_at < now() - $1 * interval '1 millisecond'
        LIMIT ${DELETE_SLICE})`,
    [olderThanMs],
  );
}

/**
 * Pruning a module contributes to the maintenance pass (the module owns its tables, the
 * scheduler only runs it): resolves with the rows it removed.
 */
export interface MaintenanceTask {
  name: string;
  run(): Promise<number>;
}

/**
 * One maintenance pass: everything the platform prunes periodically, then the modules'
 * tasks. A task that fails is logged and the others still run.
 */
export async function runMaintenance(deps: {
  db: Db;
  jobs: JobQueue;
  logger: Logger;
  jobRetentionDays: number;
  tasks?: readonly MaintenanceTask[];
}): Promise<Record<string, number>> {
  const pruned: Record<string, number> = {
    idempotencyKeys: await pruneIdempotencyKeys(deps.db),
    jobs: await deps.jobs.pruneFinished(deps.jobRetentionDays * 24 * 3600 * 1000),
  };
  for (const task of deps.tasks ?? []) {
    try {
      pruned[task.name] = await task.run();
    } catch (err) {
      deps.logger.error({ err, task: task.name }, 'maintenance task failed');
    }
  }
  if (Object.values(pruned).some((n) => n > 0)) {
    deps.logger.info(pruned, 'maintenance pruned old rows');
  }
  return pruned;
}
