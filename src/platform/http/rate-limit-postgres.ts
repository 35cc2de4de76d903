import { DELETE_SLICE, deleteInSlices, type Db } from '../db/db.js';
import type { Logger } from '../observability/logger.js';
import { createRateLimiter, type RateLimiter } from './rate-limit.js';
import { createSharedRateLimiter, type BucketStore } from './rate-limit-shared.js';

/**
 * The API's rate limiter for this database: shared by every process on PostgreSQL, where
 * API replicas are the point; in process memory on embedded PGlite, which only one
 * process can open, so there is nothing to share and no reason to pay a statement.
 */
export function createApiRateLimiter(deps: { db: Db; logger: Logger }): RateLimiter {
  if (deps.db.kind === 'pglite') return createRateLimiter();
  return createSharedRateLimiter({
    store: createPostgresBucketStore(deps.db),
    logger: deps.logger,
  });
}

/**
 * What the bucket of the conflicting row holds now: its tokens, the ones handed back,
 * and the refill since `refilled_at`, capped at the limit. Time is the database's, so
 * processes on hosts with skewed clocks fill one bucket at one rate; `greatest(0, …)`
 * because a statement that waited on the row lock may have a `now()` older than the
 * `refilled_at` its predecessor wrote.
 */
const AVAILABLE = `least(EXCLUDED.limit_per_min,
  b.tokens + $4::int
  + greatest(0, extract(epoch FROM now() - b.refilled_at)) * EXCLUDED.limit_per_min / 60.0)`;

/**
 * Buckets in the UNLOGGED table `rate_limit_buckets` (migration 0048). A lease is one
 * INSERT … ON CONFLICT: the row lock serialises processes leasing from the same bucket,
 * and refill, give-back and take happen in that one statement, never read-then-write.
 */
export function createPostgresBucketStore(db: Db): BucketStore {
  return {
    async lease(key, limitPerMinute, want, returned) {
      // A new bucket starts full, minus this lease; `granted` keeps what the lease got
      // because RETURNING sees only the new row.
      const { rows } = await db.detached(() =>
        db.query<{ granted: number; tokens: number }>(
          `INSERT INTO rate_limit_buckets AS b (key, limit_per_min, tokens, granted, refilled_at)
           VALUES ($1, $2::int, $2::int - least($3::int, $2::int), least($3::int, $2::int), now())
           ON CONFLICT (key) DO UPDATE SET
             limit_per_min = EXCLUDED.limit_per_min,
             granted       = floor(least(EXCLUDED.granted, ${AVAILABLE})),
             tokens        = ${AVAILABLE} - floor(least(EXCLUDED.granted, ${AVAILABLE})),
             refilled_at   = greatest(b.refilled_at, now())
           RETURNING granted, tokens`,
          [key, limitPerMinute, want, returned],
        ),
      );
      const row = rows[0];
      if (!row) throw new Error(`rate-limit lease for ${key} returned no row`);
      return { granted: row.granted, tokens: row.tokens };
    },

    async giveBack(returns) {
      // Rows are locked in key order, so two processes giving back overlapping sets of
      // keys cannot deadlock. A bucket swept meanwhile is full: nothing to give back to.
      await db.detached(() =>
        db.query(
          `WITH back AS (
             SELECT r.key, r.tokens FROM unnest($1::text[], $2::int[]) AS r(key, tokens)
           ), locked AS (
             SELECT b.key, back.tokens FROM rate_limit_buckets b JOIN back USING (key)
              ORDER BY b.key FOR UPDATE OF b
           )
           UPDATE rate_limit_buckets b
              SET tokens = least(b.limit_per_min, b.tokens + locked.tokens)
             FROM locked
            WHERE b.key = locked.key`,
          [returns.map((r) => r.key), returns.map((r) => r.tokens)],
        ),
      );
    },

    sweep() {
      // A bucket untouched for a minute has refilled completely (it refills its whole
      // limit in a minute), so its row says nothing a missing row would not. The outer
      // condition is checked again on a row a lease updated meanwhile, which is kept.
      return db.detached(() =>
        deleteInSlices(
          db,
          `DELETE FROM rate_limit_buckets
            WHERE key IN (SELECT key FROM rate_limit_buckets
                           WHERE refilled_at < now() - interval '1 minute'
                           LIMIT ${DELETE_SLICE})
              AND refilled_at < now() - interval '1 minute'`,
          [],
        ),
      );
    },
  };
}
