import { randomUUID } from 'node:crypto';
import type { Db } from '../../platform/db/db.js';
import type { Logger } from '../../platform/observability/logger.js';
import { recordChange } from '../changes.js';

/**
 * The delivery fleet as PostgreSQL sees it, so that an endpoint's limits hold across
 * every `delivery` process without another service.
 *
 * Membership: each delivery loop keeps a row of `webhook_workers` alive with a heartbeat
 * and, in the same statement, counts the live rows (N) and its rank among them. The
 * deliverer then gives each endpoint `rate / N` and its share of `maxInFlight` locally.
 * This is an approximation: with uneven load across workers the fleet stays at or under
 * the limit (a worker cannot lend its unused share); for up to one heartbeat after a
 * worker joins, the others still use the larger share; a worker that dies without
 * leaving counts until its row expires (three heartbeats), which only lowers the rate.
 *
 * Circuits: a worker whose breaker opens writes `circuit_open_until` on the endpoint and
 * a change-log entry, so every endpoint directory reloads the endpoint within its sync
 * period and the other workers hold their deliveries too.
 */
export interface FleetView {
  /** Live delivery loops, this one included (at least 1). */
  readonly size: number;
  /** This loop's place among them (0-based, by id), for splitting remainders. */
  readonly rank: number;
}

export interface FleetMembership extends FleetView {
  readonly workerId: string;
  /** Heartbeats now (the timer does it every `heartbeatMs`). */
  beat(): Promise<void>;
  /** Stops the heartbeat and removes the row, so the others take over its share at once. */
  leave(): Promise<void>;
}

/** Registers a delivery loop and keeps it alive; resolves after the first heartbeat. */
export async function joinFleet(deps: {
  db: Db;
  logger: Logger;
  instanceId: string;
  heartbeatMs: number;
  /** After each heartbeat that succeeded (the live-workers gauge). */
  onBeat?: (view: FleetView) => void;
  /** Seconds of broker lag per endpoint as this process measures it, sent with each beat. */
  brokerLag?: () => ReadonlyMap<string, number>;
}): Promise<FleetMembership> {
  const { db, logger, heartbeatMs } = deps;
  const workerId = randomUUID();
  let size = 1;
  let rank = 0;

  const beat = async () => {
    // One round trip: the data-modifying CTE runs whether or not the query reads it; the
    // count does not see this row (same snapshot), hence the + 1.
    const { rows } = await db.detached(() =>
      db.query<{ others: number; before: number }>(
        `WITH me AS (
           INSERT INTO webhook_workers (id, instance_id, expires_at, broker_lag)
           VALUES ($1, $2, now() + $3 * interval '1 millisecond', $4::jsonb)
           ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), expires_at = excluded.expires_at,
                                          broker_lag = excluded.broker_lag
           RETURNING id
         )
         SELECT count(*)::int AS others, count(*) FILTER (WHERE id < $1::uuid)::int AS before
           FROM webhook_workers WHERE expires_at > now() AND id <> $1::uuid`,
        [workerId, deps.instanceId, heartbeatMs * 3, laggingEndpoints(deps.brokerLag?.())],
      ),
    );
    size = (rows[0]?.others ?? 0) + 1;
    rank = rows[0]?.before ?? 0;
    deps.onBeat?.({ size, rank });
  };

  await beat();
  let beating: Promise<void> | undefined;
  const timer = setInterval(() => {
    // On failure keep the last view: a worker that cannot reach the database keeps the
    // share it had rather than guessing.
    beating ??= beat()
      .catch((err: unknown) => {
        logger.error({ err }, 'webhook delivery heartbeat failed');
      })
      .finally(() => {
        beating = undefined;
      });
  }, heartbeatMs);
  timer.unref();

  return {
    workerId,
    get size() {
      return size;
    },
    get rank() {
      return rank;
    },
    beat,
    async leave() {
      clearInterval(timer);
      await beating;
      try {
        await db.detached(() => db.query('DELETE FROM webhook_workers WHERE id = $1', [workerId]));
      } catch (err) {
        // The row expires by itself after three heartbeats.
        logger.warn({ err }, 'could not leave the webhook delivery fleet');
      }
    },
  };
}

/** The worst 1,000 endpoints with lag, as the heartbeat's JSON (bounded: one row per worker). */
function laggingEndpoints(lag: ReadonlyMap<string, number> | undefined): string {
  if (!lag || lag.size === 0) return '{}';
  const worst = [...lag].filter(([, s]) => s > 0);
  if (worst.length > 1_000) worst.sort((a, b) => b[1] - a[1]).length = 1_000;
  return JSON.stringify(Object.fromEntries(worst));
}

/** Writes an endpoint's circuit state where every delivery worker reads it. */
export interface SharedCircuits {
  /** The circuit opened here for `cooldownMs`: others hold until then too. */
  opened(endpointId: string, cooldownMs: number): void;
  /** A probe succeeded here after the circuit had opened: others may send again. */
  closed(endpointId: string): void;
}

export function createSharedCircuits(deps: { db: Db; logger: Logger }): SharedCircuits {
  const { db, logger } = deps;
  // Only a change makes the directories reload the endpoint: write one only when the
  // row changed. Rare (a circuit opening or closing), so the change log's lock is cheap.
  const write = (endpointId: string, sql: string, params: unknown[]) => {
    db.detached(() =>
      db.transaction(async () => {
        const { rowCount } = await db.query(sql, params);
        if (rowCount > 0) await recordChange(db, 'endpoint', endpointId);
      }),
    ).catch((err: unknown) => {
      // The local breaker still protects the receiver from this process.
      logger.error({ err, endpointId }, 'could not share a webhook circuit state');
    });
  };
  return {
    opened(endpointId, cooldownMs) {
      write(
        endpointId,
        `UPDATE webhook_endpoints SET circuit_open_until = now() + $2 * interval '1 millisecond'
          WHERE id = $1 AND (circuit_open_until IS NULL
                             OR circuit_open_until < now() + $2 * interval '1 millisecond')`,
        [endpointId, cooldownMs],
      );
    },
    closed(endpointId) {
      write(
        endpointId,
        `UPDATE webhook_endpoints SET circuit_open_until = NULL
          WHERE id = $1 AND circuit_open_until > now()`,
        [endpointId],
      );
    },
  };
}
