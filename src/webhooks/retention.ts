import { deleteInSlices, DELETE_SLICE, type Db } from '../platform/db/db.js';
import { idBefore } from '../platform/ids.js';

const DAY_MS = 24 * 3600 * 1000;

/**
 * What outlives the retention period goes: delivered messages whose delivery is older
 * than it, messages skipped (their endpoint disabled) longer ago than it and not
 * recovered, attempt logs older than it, the change log after a week at least, and the
 * heartbeat rows of workers that died without leaving. Dead letters and messages still
 * to be delivered (retrying, or held by a paused endpoint) stay, whatever their age.
 *
 * Old rows are found by id, not by timestamp. Ids are ULIDs whose leading characters are
 * their creation time, so everything created before a moment sorts below
 * `idBefore(prefix, moment)` and a range read of the primary key reaches it. Neither
 * `delivered_at` nor the attempts' `created_at` has an index (one more index entry per
 * delivered row would tax the delivery path for a once-in-ten-minutes pass), and a
 * filter on them read the whole table each time, all the more when nothing was old
 * enough to go.
 *
 * Run by the `scheduler` role's maintenance pass, once for the deployment (under its
 * lease). Resolves with the rows removed.
 */
export async function pruneWebhooks(
  db: Db,
  retentionDays: number,
  now = Date.now(),
): Promise<number> {
  const cutoff = new Date(now - retentionDays * DAY_MS);
  let pruned = 0;

  // Messages: every id below the cutoff is read (its row may be a dead letter, or one
  // delivered recently after a replay, and then stays), a slice at a time, and the
  // delivered ones among them go. Delivery follows creation, so a message delivered
  // before the cutoff always has an id below it.
  const below = idBefore('msg', cutoff.getTime());
  let after = '';
  for (;;) {
    const { rows } = await db.query<{ id: string }>(
      `SELECT id FROM webhook_messages WHERE id > $1 AND id < $2 ORDER BY id LIMIT ${DELETE_SLICE}`,
      [after, below],
    );
    const last = rows.at(-1);
    if (!last) break;
    const { rowCount } = await db.query(
      `DELETE FROM webhook_messages
        WHERE id = ANY ($1::text[])
          AND ((state = 'delivered' AND delivered_at < $2)
               -- Recorded while the endpoint was disabled and never recovered.
               OR (state = 'skipped' AND updated_at < $2))`,
      [rows.map((r) => r.id), cutoff],
    );
    pruned += rowCount;
    if (rows.length < DELETE_SLICE) break;
    after = last.id;
  }

  // Attempts: all of those created before the cutoff. ARRAY(…) is computed once, so the
  // DELETE probes the primary key per id whatever the statistics say.
  pruned += await deleteInSlices(
    db,
    `DELETE FROM webhook_attempts WHERE id = ANY (ARRAY(
       SELECT id FROM webhook_attempts WHERE id < $1 ORDER BY id LIMIT ${DELETE_SLICE}))`,
    [idBefore('wha', cutoff.getTime())],
  );

  // The change log is small (one row per change to an endpoint or a subscription), and
  // caches catching up read it by seq: a week at least, whatever the retention.
  pruned += await deleteInSlices(
    db,
    `DELETE FROM webhook_changes WHERE seq IN (SELECT seq FROM webhook_changes
       WHERE created_at < $1 LIMIT ${DELETE_SLICE})`,
    [new Date(now - Math.max(retentionDays, 7) * DAY_MS)],
  );
  // Rows of workers that died without leaving; they stopped counting long ago.
  pruned += (
    await db.query(`DELETE FROM webhook_workers WHERE expires_at < $1`, [
      new Date(now - 3600 * 1000),
    ])
  ).rowCount;
  return pruned;
}
