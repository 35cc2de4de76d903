import type { Db } from '../platform/db/db.js';

/**
 * The change log caches follow (`webhook_changes`). Writers serialise on an advisory
 * lock before taking a sequence number, so numbers become visible in commit order and a
 * reader that has seen N has seen everything below N. Changes are API-rate events
 * (endpoint edits, address uploads), so the serialisation costs nothing that matters.
 */

const CHANGE_LOCK = 7_263_040;

/** Must run inside a transaction; returns the change's sequence number. */
export async function recordChange(
  db: Db,
  entity: 'endpoint' | 'subscription',
  entityId: string,
): Promise<bigint> {
  if (!db.inTransaction()) throw new Error('recordChange must run inside a transaction');
  await db.query('SELECT pg_advisory_xact_lock($1)', [CHANGE_LOCK]);
  const { rows } = await db.query<{ seq: bigint }>(
    'INSERT INTO webhook_changes (entity, entity_id) VALUES ($1, $2) RETURNING seq',
    [entity, entityId],
  );
  const seq = rows[0]?.seq;
  if (seq === undefined) throw new Error('change not recorded');
  return seq;
}

export interface Change {
  seq: bigint;
  entity: 'endpoint' | 'subscription';
  entityId: string;
}

export async function changesSince(db: Db, seq: bigint, limit = 10_000): Promise<Change[]> {
  const { rows } = await db.query<{ seq: bigint; entity: Change['entity']; entity_id: string }>(
    'SELECT seq, entity, entity_id FROM webhook_changes WHERE seq > $1 ORDER BY seq LIMIT $2',
    [seq, limit],
  );
  return rows.map((r) => ({ seq: r.seq, entity: r.entity, entityId: r.entity_id }));
}

export async function latestChange(db: Db): Promise<bigint> {
  const { rows } = await db.query<{ seq: bigint | null }>(
    'SELECT max(seq) AS seq FROM webhook_changes',
  );
  return rows[0]?.seq ?? 0n;
}
