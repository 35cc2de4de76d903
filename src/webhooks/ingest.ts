import type { EventCatalog } from '../platform/events/registry.js';
import type { Db } from '../platform/db/db.js';
import { arrayColumns } from '../platform/db/packed.js';
import { newId } from '../platform/ids.js';
import { WAKEUP_CHANNELS } from '../platform/db/wakeups.js';
import type { DomainEvent } from '../platform/outbox/outbox.js';
import type { DeliveryEngine } from './engine/engine.js';
import type { EndpointDirectory } from './endpoints/directory.js';
import type { WebhookMetrics } from './metrics.js';
import type { DispatchItem, NewMessage } from './model.js';

/**
 * Turns events into messages (one per endpoint) and hands them to the engine.
 *
 * Creation is idempotent on (endpoint, event): the outbox delivers each event at least
 * once, and a repeat creates nothing. With rows first (`insertMessages`), a repeat still
 * re-dispatches messages that are `queued` (nats engine): if a process died after the
 * rows committed but before the broker had them, the retry publishes them, and the
 * broker's duplicate window drops a second copy of one that did arrive. `createMessages`
 * on the nats engine defers the rows of unordered endpoints to the worker (see
 * `createDeferred`).
 */
export interface Ingest {
  createMessages(items: readonly NewMessage[]): Promise<number>;
  /**
   * `createMessages` in two halves, for callers that commit other writes with the
   * messages (a sweep marking what it sent, a backfill saving its progress): inserts in
   * the caller's transaction, and `dispatch` once it has committed, so the broker never
   * hears of a row that could still roll back.
   *
   * @example
   * const inserted = await db.transaction(async () => {
   *   const r = await ingest.insertMessages(items);
   *   await db.query('UPDATE … progress …');
   *   return r;
   * });
   * await ingest.dispatch(inserted);
   */
  insertMessages(items: readonly NewMessage[]): Promise<InsertedMessages>;
  dispatch(inserted: InsertedMessages): Promise<void>;
  /** A platform event (deposit.confirmed, payment.completed, …) to the endpoints that take it. */
  platformEvent(event: DomainEvent): Promise<number>;
}

/** Messages inserted and not yet handed to the engine. */
export interface InsertedMessages {
  /** Rows created (or found still `queued`), `skipped` ones included. */
  count: number;
  queued: DispatchItem[];
  /** Rows the PostgreSQL loop will claim. */
  pending: number;
}

export function createIngest(deps: {
  db: Db;
  directory: EndpointDirectory;
  engine: DeliveryEngine;
  metrics: WebhookMetrics;
  /** Wakes this process's PostgreSQL delivery loop after `pending` messages commit. */
  wake: () => void;
  /** Whose each platform event is, and which go to operators. */
  events: Pick<EventCatalog, 'get'>;
}): Ingest {
  const { db, directory, engine, metrics } = deps;

  const insertMessages = async (items: readonly NewMessage[]): Promise<InsertedMessages> => {
    if (items.length === 0) return { count: 0, queued: [], pending: 0 };
    const orderedCounts = new Map<string, number>();
    for (const it of items) {
      if (directory.get(it.endpointId)?.ordered) {
        orderedCounts.set(it.endpointId, (orderedCounts.get(it.endpointId) ?? 0) + 1);
      }
    }
    const created = await db.transaction(async () => {
      // Ordered endpoints number their messages under the endpoint's row lock, so numbers
      // follow commit order (locks taken in id order: no deadlock between batches).
      const nextSeq = new Map<string, bigint>();
      if (orderedCounts.size > 0) {
        const { rows } = await db.query<{ id: string; next_seq: bigint }>(
          `UPDATE webhook_endpoints e SET next_seq = e.next_seq + x.n
             FROM (SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(id text, n int) ORDER BY id) x
            WHERE e.id = x.id
            RETURNING e.id, e.next_seq - x.n AS next_seq`,
          [JSON.stringify([...orderedCounts].map(([id, n]) => ({ id, n })))],
        );
        for (const r of rows) nextSeq.set(r.id, r.next_seq);
      }
      const rows = items.map((it) => {
        const base = nextSeq.get(it.endpointId);
        const ordered = base !== undefined;
        if (ordered) nextSeq.set(it.endpointId, base + 1n);
        return {
          id: newId('msg'),
          endpoint_id: it.endpointId,
          event_id: it.eventId,
          event_type: it.eventType,
          chain_key: it.chainKey ?? null,
          block_number: it.blockNumber?.toString() ?? null,
          body: it.body,
          ordered,
          seq: ordered ? base.toString() : null,
          state: ordered ? 'pending' : engine.initialState,
        };
      });
      const c = arrayColumns(
        [
          { type: 'text', values: rows.map((r) => r.id) },
          { type: 'text', values: rows.map((r) => r.endpoint_id) },
          { type: 'text', values: rows.map((r) => r.event_id) },
          { type: 'text', values: rows.map((r) => r.event_type) },
          { type: 'text', values: rows.map((r) => r.chain_key) },
          { type: 'bigint', values: rows.map((r) => r.block_number) },
          { type: 'text', values: rows.map((r) => r.body) },
          { type: 'boolean', values: rows.map((r) => r.ordered) },
          { type: 'bigint', values: rows.map((r) => r.seq) },
          { type: 'text', values: rows.map((r) => r.state) },
        ],
        2,
      );
      const { rows: out } = await db.query<{
        id: string;
        endpoint_id: string;
        body: string | null;
        state: DispatchItem['state'];
        created_at: Date;
      }>(
        `INSERT INTO webhook_messages (id, endpoint_id, event_id, event_type, chain_key, block_number,
                                       body, ordered, seq, state)
         SELECT x.id, x.endpoint_id, x.event_id, x.event_type, x.chain_key, x.block_number,
                x.body, x.ordered, x.seq,
                -- A disabled endpoint's message is recorded, not sent. The locking read
                -- sees the endpoint's latest committed status, whatever this process's
                -- directory last saw.
                CASE WHEN e.status = 'disabled' THEN 'skipped' ELSE x.state END
           FROM unnest(${c.sql.join(', ')})
                AS x(id, endpoint_id, event_id, event_type, chain_key, block_number, body,
                     ordered, seq, state)
           -- Only for endpoints that exist, locked until this commits (in place of a
           -- foreign key, see migration 0054): one deleted meanwhile gets no messages.
           JOIN (SELECT id, status FROM webhook_endpoints WHERE id = ANY($1::text[])
                   FOR KEY SHARE) e
             ON e.id = x.endpoint_id
         ON CONFLICT (endpoint_id, event_id) DO UPDATE SET updated_at = webhook_messages.updated_at
           WHERE webhook_messages.state = 'queued'
         RETURNING id, endpoint_id, state, created_at,
                   -- The body only of a row that was already there (xmax is set on the
                   -- conflict path): a new row's body is the one we just sent, and sending
                   -- every body back doubled the bytes on the wire.
                   CASE WHEN xmax::text <> '0' THEN body END AS body`,
        // Packed text columns (platform/db/packed.ts): the pg client would escape every
        // element of typed arrays, and every JSON body is full of quotes.
        [[...new Set(rows.map((r) => r.endpoint_id))], ...c.params],
      );
      const sent = new Map(rows.map((r) => [r.id, r.body]));
      return out.map((r) => ({ ...r, body: r.body ?? sent.get(r.id) ?? '' }));
    });
    const queued: DispatchItem[] = [];
    let pending = 0;
    for (const r of created) {
      if (r.state === 'skipped') continue;
      if (r.state === 'queued') {
        queued.push({
          id: r.id,
          endpointId: r.endpoint_id,
          body: r.body,
          state: r.state,
          createdAtMs: r.created_at.getTime(),
        });
      } else pending++;
    }
    return { count: created.length, queued, pending };
  };

  const dispatch = async ({ queued, pending }: InsertedMessages): Promise<void> => {
    if (queued.length > 0) await engine.dispatch(queued);
    if (pending > 0) {
      deps.wake();
      // Delivery loops of other processes (see delivery/runtime.ts). Inside a caller's
      // transaction PostgreSQL sends it at that commit, never before the rows are visible.
      // A statement of its own rather than an insert trigger: one per batch, and it keeps
      // the webhooks module's schema as it is.
      // Only while a delivery loop listens (wakeup_listeners): a NOTIFY serialises commits.
      await db.query(
        `SELECT pg_notify($1, '') WHERE EXISTS (
           SELECT 1 FROM wakeup_listeners WHERE channel = $1 AND waiting_until > now())`,
        [WAKEUP_CHANNELS.webhookMessages],
      );
    }
    metrics.messagesCreated.inc({ engine: 'nats' }, queued.length);
    metrics.messagesCreated.inc({ engine: 'postgres' }, pending);
  };

  /**
   * The nats engine's first attempts of unordered endpoints skip PostgreSQL here: the
   * broker (file storage, replicated in a cluster) holds them, and the delivery worker
   * writes each row once, with its first outcome. That halves the database's work per
   * delivery (one INSERT instead of an INSERT and an UPDATE that can never be HOT, and no
   * dead row left for vacuum): measured 23–26 µs of PostgreSQL CPU per delivery against
   * 43–55 µs. What it costs: a message is visible in the API from its first attempt, not
   * from ingest, and a repeat of the same events is caught by the broker's duplicate
   * window (the batch's message id is derived from its event ids) and, after that, by the
   * worker, which skips events whose row exists before it sends.
   */
  const createDeferred = async (items: readonly NewMessage[]): Promise<number> => {
    const seen = new Set<string>();
    const out: DispatchItem[] = [];
    const now = Date.now();
    for (const it of items) {
      const key = `${it.endpointId}\u0000${it.eventId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({
        id: newId('msg'),
        endpointId: it.endpointId,
        body: it.body,
        state: 'queued',
        createdAtMs: now,
        deferred: {
          eventId: it.eventId,
          eventType: it.eventType,
          chainKey: it.chainKey ?? null,
          blockNumber: it.blockNumber ?? null,
        },
      });
    }
    if (out.length > 0) await engine.dispatch(out);
    metrics.messagesCreated.inc({ engine: 'nats' }, out.length);
    return out.length;
  };

  const createMessages = async (items: readonly NewMessage[]): Promise<number> => {
    // Ordered endpoints number their messages in PostgreSQL and run from it; a disabled
    // endpoint's messages are rows (`skipped`) from the start. One disabled a moment ago
    // that this process still sees active is caught by the worker (recorded skipped).
    const defer = (it: NewMessage) => {
      const e = directory.get(it.endpointId);
      return engine.defersRows && !e?.ordered && e?.status !== 'disabled';
    };
    const rowsFirst = items.filter((it) => !defer(it));
    let count = 0;
    if (rowsFirst.length > 0) {
      const inserted = await insertMessages(rowsFirst);
      await dispatch(inserted);
      count = inserted.count;
    }
    return count + (await createDeferred(items.filter(defer)));
  };

  return {
    createMessages,
    insertMessages,
    dispatch,

    async platformEvent(event) {
      const def = deps.events.get(event.type);
      if (def?.visibility !== 'public') return 0;
      await directory.sync();
      const payload = (event.payload ?? {}) as Record<string, unknown>;
      // A customer's endpoints take the events that are theirs (both sides of a payment);
      // an operator's also the operator events, never other people's private activity.
      // Disabled endpoints included: their messages are recorded as `skipped`.
      const owners = new Set(def.owners(payload));
      const forOperators = def.operator === true;
      const body = JSON.stringify({
        id: event.id,
        type: event.type,
        created_at: event.createdAt.toISOString(),
        data: payload,
      });
      const items: NewMessage[] = directory
        .accepting(event.type)
        .filter((e) => owners.has(e.ownerId) || (forOperators && e.ownerStaff))
        .map((e) => ({ endpointId: e.id, eventId: event.id, eventType: event.type, body }));
      return createMessages(items);
    },
  };
}
