import type { Registry } from 'prom-client';
import type { Db } from '../db/db.js';
import type { Logger } from '../observability/logger.js';
import {
  LeaseLostError,
  withSingletons,
  type Lease,
  type LeaseHolder,
  type LeaseManager,
  type LeaseStore,
} from './leases.js';

/**
 * Leases on PostgreSQL (table `leases`, migration 0006). Expiry is judged by the
 * database clock alone, so holders on machines with skewed clocks still agree on who
 * holds what. Each lease row lives forever and its token only grows.
 */
export function createPostgresLeaseManager(deps: {
  db: Db;
  logger: Logger;
  registry: Registry;
  instanceId: string;
  defaultTtlMs: number;
}): LeaseManager {
  const { db } = deps;

  const store: LeaseStore = {
    async acquire(name, holder, ttlMs) {
      const { rows } = await db.detached(() =>
        db.query<{ token: bigint; expires_at: Date }>(
          `INSERT INTO leases AS l (name, holder, token, expires_at, acquired_at, renewed_at)
           VALUES ($1, $2, 1, now() + $3 * interval '1 millisecond', now(), now())
           ON CONFLICT (name) DO UPDATE SET
             holder      = EXCLUDED.holder,
             token       = CASE WHEN l.holder = EXCLUDED.holder AND l.expires_at > now()
                                THEN l.token ELSE l.token + 1 END,
             acquired_at = CASE WHEN l.holder = EXCLUDED.holder AND l.expires_at > now()
                                THEN l.acquired_at ELSE now() END,
             expires_at  = EXCLUDED.expires_at,
             renewed_at  = now()
           WHERE l.holder IS NULL OR l.expires_at <= now() OR l.holder = EXCLUDED.holder
           RETURNING token, expires_at`,
          [name, holder, ttlMs],
        ),
      );
      const row = rows[0];
      return row ? { name, holder, token: row.token, expiresAt: row.expires_at } : undefined;
    },

    async renew(lease, ttlMs) {
      const { rows } = await db.detached(() =>
        db.query<{ expires_at: Date }>(
          `UPDATE leases SET expires_at = now() + $4 * interval '1 millisecond', renewed_at = now()
            WHERE name = $1 AND holder = $2 AND token = $3 AND expires_at > now()
            RETURNING expires_at`,
          [lease.name, lease.holder, lease.token, ttlMs],
        ),
      );
      const row = rows[0];
      return row ? { ...lease, expiresAt: row.expires_at } : undefined;
    },

    async release(lease) {
      const { rowCount } = await db.detached(() =>
        db.query(
          `UPDATE leases SET holder = NULL, expires_at = now()
            WHERE name = $1 AND holder = $2 AND token = $3`,
          [lease.name, lease.holder, lease.token],
        ),
      );
      return rowCount > 0;
    },

    async fence(name, token) {
      // FOR SHARE: a contender's takeover (an UPDATE of this row) waits until the caller's
      // transaction ends, so the fenced writes land before any new holder starts.
      // clock_timestamp(), not now(): the caller's transaction may have begun long ago.
      const { rowCount } = await db.query(
        `SELECT 1 FROM leases
          WHERE name = $1 AND token = $2 AND holder IS NOT NULL AND expires_at > clock_timestamp()
          FOR SHARE`,
        [name, token],
      );
      if (rowCount === 0) throw new LeaseLostError(name, `token ${token} is no longer current`);
    },

    async holders() {
      const { rows } = await db.query<{
        name: string;
        holder: string;
        token: bigint;
        expires_at: Date;
        acquired_at: Date;
        renewed_at: Date;
      }>(
        `SELECT name, holder, token, expires_at, acquired_at, renewed_at FROM leases
          WHERE holder IS NOT NULL AND expires_at > now() ORDER BY name`,
      );
      return rows.map((r): LeaseHolder => ({
        name: r.name,
        holder: r.holder,
        token: r.token,
        expiresAt: r.expires_at,
        acquiredAt: r.acquired_at,
        renewedAt: r.renewed_at,
      }));
    },
  };

  return withSingletons({
    store,
    logger: deps.logger,
    registry: deps.registry,
    instanceId: deps.instanceId,
    defaultTtlMs: deps.defaultTtlMs,
  });
}

export type { Lease, LeaseManager };
