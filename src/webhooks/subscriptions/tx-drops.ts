import type { Db } from '../../platform/db/db.js';
import type { Logger } from '../../platform/observability/logger.js';
import type { EndpointDirectory } from '../endpoints/directory.js';
import type { Ingest } from '../ingest.js';
import type { WebhookMetrics } from '../metrics.js';
import type { NewMessage } from '../model.js';
import { webhookEventId } from './chain-ingest.js';
import type { ChainBlockNotice } from './chain-notice.js';
import type { ChainSource } from './chain-source.js';

/**
 * `tx.dropped`: a watched transaction hash that is not mined by its deadline.
 *
 * A hash is armed when it is added (`drop_at` = now + the subscription's
 * `drop_after_seconds`). Ingest disarms it as soon as the hash shows up in a pending or
 * confirmed block, and keeps per chain the newest block time it has seen. The sweep runs
 * with the module's upkeep (every `delivery` process; `FOR UPDATE SKIP LOCKED` keeps two
 * processes from sending the same drop) and declares a hash dropped once that *chain*
 * clock has passed its deadline: while the follower lags or is halted nothing is
 * declared, because a block nobody has read yet may hold the transaction. Before it
 * does, it asks the node for a receipt, so a hash mined before it was watched (which no
 * block notice will ever show us) is disarmed quietly instead of reported dropped.
 *
 * The event id is derived from (chain, hash, deadline): stable across retries and
 * sweeps, and a hash watched again later gets a new deadline and can drop again. A
 * dropped hash stays watched: if it is mined after all, `tx.mined` still comes.
 */
export interface TxDrops {
  /** Part of ingesting a block notice (pending or confirmed). */
  observe(
    notice: ChainBlockNotice,
    mined: readonly { subscriptionId: string; txHash: string }[],
  ): Promise<void>;
  /** Sends `tx.dropped` for every hash past its deadline; resolves with how many. */
  sweep(): Promise<number>;
}

interface Candidate {
  subscription_id: string;
  item: string;
  chain_key: string;
}

interface Due {
  subscription_id: string;
  item: string;
  drop_at: Date;
  endpoint_id: string;
  chain_key: string;
  block_number: bigint;
  block_time: Date;
}

const BATCH = 200;
/** Receipt look-ups in flight at once during a sweep. */
const LOOKUPS = 16;

export function createTxDrops(deps: {
  db: Db;
  directory: EndpointDirectory;
  ingest: Pick<Ingest, 'insertMessages' | 'dispatch'>;
  chains: Pick<ChainSource, 'isMined'>;
  metrics: Pick<WebhookMetrics, 'txDropped'>;
  logger: Logger;
}): TxDrops {
  const { db, directory, ingest, logger } = deps;

  /** Hashes past their deadline whose node says "not mined", by (subscription, hash). */
  const confirmUnmined = async (
    candidates: Candidate[],
  ): Promise<{ unmined: Candidate[]; mined: number }> => {
    const unmined: Candidate[] = [];
    const mined: Candidate[] = [];
    for (let i = 0; i < candidates.length; i += LOOKUPS) {
      await Promise.all(
        candidates.slice(i, i + LOOKUPS).map(async (c) => {
          try {
            ((await deps.chains.isMined(c.chain_key, c.item)) ? mined : unmined).push(c);
          } catch (err) {
            // Unsure is not dropped: the next sweep asks again.
            logger.warn({ err, chain: c.chain_key, tx: c.item }, 'receipt look-up failed');
          }
        }),
      );
    }
    if (mined.length > 0) {
      await db.query(
        `UPDATE webhook_watch_items w SET drop_at = NULL
           FROM unnest($1::text[], $2::text[]) AS m(subscription_id, item)
          WHERE w.subscription_id = m.subscription_id AND w.item = m.item`,
        [mined.map((c) => c.subscription_id), mined.map((c) => c.item)],
      );
    }
    return { unmined, mined: mined.length };
  };

  const messagesFor = (due: Due[], nowIso: string): NewMessage[] => {
    const byKey = new Map<
      string,
      { message: Omit<NewMessage, 'body'>; body: object; subs: string[] }
    >();
    for (const d of due) {
      const endpoint = directory.get(d.endpoint_id);
      if (!endpoint || !endpoint.accepts('tx.dropped')) continue;
      const deadline = d.drop_at.toISOString();
      const eventId = webhookEventId(
        'tx.dropped',
        `${d.chain_key}:${d.item}:${deadline}`,
        'dropped',
      );
      const key = `${d.endpoint_id}/${eventId}`;
      const existing = byKey.get(key);
      if (existing) {
        existing.subs.push(d.subscription_id);
        continue;
      }
      byKey.set(key, {
        message: {
          endpointId: d.endpoint_id,
          eventId,
          eventType: 'tx.dropped',
          chainKey: d.chain_key,
        },
        body: {
          id: eventId,
          type: 'tx.dropped',
          created_at: nowIso,
          chain: d.chain_key,
          data: {
            tx_hash: d.item,
            deadline,
            // The newest block read when the deadline was judged passed.
            checked_through: {
              block_number: d.block_number.toString(),
              block_time: d.block_time.toISOString(),
            },
          },
        },
        subs: [d.subscription_id],
      });
    }
    return [...byKey.values()].map((m) => ({
      ...m.message,
      body: JSON.stringify({ ...m.body, subscription_ids: m.subs }),
    }));
  };

  return {
    async observe(notice, mined) {
      const time = notice.block.timestamp;
      if (mined.length === 0 && time === undefined) return;
      await db.transaction(async () => {
        if (mined.length > 0) {
          await db.query(
            `UPDATE webhook_watch_items w SET drop_at = NULL
               FROM unnest($1::text[], $2::text[]) AS m(subscription_id, item)
              WHERE w.subscription_id = m.subscription_id AND w.item = m.item
                AND w.drop_at IS NOT NULL`,
            [mined.map((m) => m.subscriptionId), mined.map((m) => m.txHash)],
          );
        }
        // In the same transaction as the disarming above: the clock never shows a block
        // time whose transactions have not been taken into account.
        if (time !== undefined) {
          await db.query(
            `INSERT INTO webhook_chain_clock (chain_key, block_number, block_time)
             VALUES ($1, $2, to_timestamp($3))
             ON CONFLICT (chain_key) DO UPDATE
               SET block_number = excluded.block_number, block_time = excluded.block_time,
                   updated_at = now()
               WHERE webhook_chain_clock.block_time < excluded.block_time`,
            [notice.chain, notice.block.number, time],
          );
        }
      });
    },

    async sweep() {
      let dropped = 0;
      // Bounded: rows another process holds, or whose look-up failed, stay due and would
      // otherwise be read again and again in one pass.
      for (let round = 0; round < 50; round++) {
        const { rows: candidates } = await db.query<Candidate>(
          `SELECT w.subscription_id, w.item, s.chain_key
             FROM webhook_watch_items w
             JOIN webhook_subscriptions s ON s.id = w.subscription_id
             JOIN webhook_chain_clock c ON c.chain_key = s.chain_key
            WHERE w.drop_at IS NOT NULL AND w.until_block IS NULL AND w.drop_at <= c.block_time
            ORDER BY w.drop_at
            LIMIT $1`,
          [BATCH],
        );
        if (candidates.length === 0) return dropped;
        const { unmined, mined } = await confirmUnmined(candidates);
        let progress = mined;
        if (unmined.length > 0) {
          await directory.sync();
          const nowIso = new Date().toISOString();
          const { due, inserted, messages } = await db.transaction(async () => {
            // Re-checked under the row lock: another process may have sent it, or ingest
            // disarmed it, since the look-up.
            const { rows } = await db.query<Due>(
              `WITH due AS (
                 SELECT w.subscription_id, w.item, w.drop_at, s.endpoint_id, s.chain_key,
                        c.block_number, c.block_time
                   FROM webhook_watch_items w
                   JOIN unnest($1::text[], $2::text[]) AS u(subscription_id, item)
                     ON u.subscription_id = w.subscription_id AND u.item = w.item
                   JOIN webhook_subscriptions s ON s.id = w.subscription_id
                   JOIN webhook_chain_clock c ON c.chain_key = s.chain_key
                  WHERE w.drop_at IS NOT NULL AND w.until_block IS NULL
                    AND w.drop_at <= c.block_time
                  FOR UPDATE OF w SKIP LOCKED
               )
               UPDATE webhook_watch_items w SET drop_at = NULL, dropped_at = now()
                 FROM due
                WHERE w.subscription_id = due.subscription_id AND w.item = due.item
               RETURNING due.subscription_id, due.item, due.drop_at, due.endpoint_id,
                         due.chain_key, due.block_number, due.block_time`,
              [unmined.map((c) => c.subscription_id), unmined.map((c) => c.item)],
            );
            const messages = messagesFor(rows, nowIso);
            return { due: rows, inserted: await ingest.insertMessages(messages), messages };
          });
          await ingest.dispatch(inserted);
          // Every message built here is new: its event id carries the deadline, and the
          // rows were disarmed under lock in the same transaction, so none can repeat.
          for (const m of messages) deps.metrics.txDropped.inc({ chain: m.chainKey ?? '' });
          dropped += due.length;
          progress += due.length;
        }
        if (candidates.length < BATCH || progress === 0) return dropped;
      }
      return dropped;
    },
  };
}
