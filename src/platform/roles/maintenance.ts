import type { Db } from '../db/db.js';
import type { Logger } from '../observability/logger.js';
import type { JobQueue } from '../queue/queue.js';

/** How long a stored `Idempotency-Key` response is replayed; after that the key is free. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 3600 * 1000;

const SLICE = 5000;

/**
 * Deletes idempotency keys older than `olderThanMs`, in slices so a large backlog never
 * becomes one long transaction. (The table belongs to the HTTP edge; its pruning lives
 * here because the `scheduler` role runs it, once, under a lease.)
 */
export async function pruneIdempotencyKeys(
  db: Db,
  olderThanMs = IDEMPOTENCY_KEY_TTL_MS,
): Promise<number> {
  let total = 0;
  for (;;) {
    const { rowCount } = await db.query(
      `DELETE FROM idempotency_keys WHERE (principal, key) IN (
         SELECT principal, key FROM idempotency_keys
          WHERE created_at < now() - $1 * interval '1 millisecond'
          LIMIT ${SLICE})`,
      [olderThanMs],
    );
    total += rowCount;
    if (rowCount < SLICE) return total;
  }
}

/** One maintenance pass: everything the platform prunes periodically. */
export async function runMaintenance(deps: {
  db: Db;
  jobs: JobQueue;
  logger: Logger;
  jobRetentionDays: number;
}): Promise<{ idempotencyKeys: number; jobs: number }> {
  const idempotencyKeys = await pruneIdempotencyKeys(deps.db);
  const jobs = await deps.jobs.pruneFinished(deps.jobRetentionDays * 24 * 3600 * 1000);
  if (idempotencyKeys + jobs > 0) {
    deps.logger.info({ idempotencyKeys, jobs }, 'maintenance pruned old rows');
  }
  return { idempotencyKeys, jobs };
}
