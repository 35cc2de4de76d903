import type { EventCatalog } from '../events/registry.js';
import { Counter, Gauge, type Registry } from 'prom-client';
import { deleteInSlices, DELETE_SLICE, type Db, type Statement } from '../db/db.js';
import { idBefore, newId } from '../ids.js';
import type { Logger } from '../observability/logger.js';
import { noWakeups, type Wakeups } from '../db/wakeups.js';
import { metricOnce } from '../observability/metrics.js';
import {
  QUEUE_NAME,
  type EnqueueItem,
  type HandlerOptions,
  type Job,
  type JobQueue,
} from '../queue/queue.js';

/**
 * The transactional outbox: how one module tells others that something happened.
 *
 * `publish` writes the event in the caller's transaction, so the event exists exactly
 * when the state change it describes does. The relay (the `scheduler` role, under a
 * lease) turns each event into one job per interested subscriber and stamps it
 * dispatched, all in one transaction; subscribers then run as ordinary jobs, with
 * retries and dead-lettering, in whichever process runs the `worker` role.
 *
 * Commit order versus sequence order: under concurrency a transaction can take a lower
 * `seq` and commit after one with a higher `seq`. A relay that remembered "everything up
 * to seq N is done" would skip the late one forever. This relay keeps no high-water
 * mark: every pass takes whatever undispatched rows are visible (`dispatched_at IS NULL`,
 * a small partial index), locking them with `FOR UPDATE SKIP LOCKED`. A row whose
 * transaction has not committed yet is invisible now and simply found by a later pass.
 * Rows are taken in `seq` order as a best effort; subscribers run concurrently anyway,
 * so none may rely on global ordering (order per aggregate, where needed, is for the
 * subscriber to enforce, e.g. by version numbers in the payload). We chose this over
 * relaying only transactions older than `pg_snapshot_xmin`, which preserves commit order
 * but stalls every subscriber behind any long-running transaction on the server.
 *
 * Fan-out jobs carry the event id as their dedupe key per subscriber, so even if two
 * relays raced past the row locks (or an event was re-relayed by hand), no subscriber
 * gets an event twice while the job is retained.
 */

export interface DomainEvent<P = unknown> {
  /** `evt_…` */
  id: string;
  /** Dotted, past tense: `payment.completed`. */
  type: string;
  /** Id of the thing that changed (`pay_…`). */
  aggregateId: string;
  payload: P;
  createdAt: Date;
}

export interface NewEvent<P = unknown> {
  type: string;
  aggregateId: string;
  payload: P;
}

export type EventHandler<P = unknown> = (event: DomainEvent<P>, job: Job<unknown>) => Promise<void>;

export interface SubscribeOptions extends HandlerOptions {
  /** Deliveries of one event before its job is dead-lettered. */
  maxAttempts?: number;
}

export interface Outbox {
  /** Records an event; inside `db.transaction` it commits or rolls back with the caller. */
  publish<P>(event: NewEvent<P>): Promise<{ id: string }>;
  /**
   * `publish` as a statement to embed in a larger one (one round trip for a state change
   * and its event), with the same checks. The event is written when `onlyIf`, a relation
   * of the embedding statement, has a row (e.g. the ledger's `posted`); always without it.
   */
  publishStatement<P>(event: NewEvent<P>, options?: { onlyIf?: string }): Statement;
  /**
   * Several events as one statement to embed, with the same checks, in a text that does
   * not vary with their number (arrays): a batch of changes made in one statement keeps one
   * text, and stays prepared. Written in the order given; with `onlyIf`, only if that
   * relation of the enclosing statement has a row (as `publishStatement`).
   */
  publishEachStatement(events: readonly NewEvent[], options?: { onlyIf?: string }): Statement;
  /**
   * Registers subscriber `name` for event `types` (exact, `prefix.*`, or `*`). Its
   * handler runs as a job on queue `outbox.<name>`; by default inside a transaction
   * that also completes the job, so its database effects happen once per event.
   * Only events dispatched after a subscriber exists reach it.
   *
   * @example
   * outbox.subscribe('ledger.projection', ['payment.completed'], async (event) => {
   *   await db.query('INSERT INTO ... ON CONFLICT DO NOTHING', [event.id]);
   * });
   */
  subscribe<P = unknown>(
    name: string,
    types: readonly string[],
    handler: EventHandler<P>,
    options?: SubscribeOptions,
  ): void;
  /**
   * One relay pass: fans out up to `limit` undispatched events and resolves with how
   * many it took. `fence` runs inside the pass's transaction (a lease check).
   */
  relayOnce(options?: { limit?: number; fence?: () => Promise<void> }): Promise<number>;
  /** Relays until `signal` aborts, polling every `pollMs` when there is nothing to do. */
  runRelay(options: {
    signal: AbortSignal;
    pollMs: number;
    limit?: number;
    fence?: () => Promise<void>;
  }): Promise<void>;
  /** Undispatched events and the age of the oldest. */
  pending(): Promise<{ count: number; oldestAgeSeconds: number }>;
  /**
   * Deletes events dispatched more than `olderThanMs` ago (in slices); returns how many.
   * Undispatched events are never deleted, however old.
   */
  pruneDispatched(olderThanMs: number): Promise<number>;
}

interface Subscription {
  name: string;
  queue: string;
  matches: (type: string) => boolean;
  maxAttempts: number | undefined;
}

interface EventJobPayload {
  event: { id: string; type: string; aggregateId: string; payload: unknown; createdAt: string };
}

const EVENT_TYPE = /^[a-z0-9_]+(\.[a-z0-9_]+)+$/;

function matcher(types: readonly string[]): (type: string) => boolean {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  let all = false;
  for (const t of types) {
    if (t === '*') all = true;
    else if (t.endsWith('.*')) prefixes.push(t.slice(0, -1));
    else exact.add(t);
  }
  return (type) => all || exact.has(type) || prefixes.some((p) => type.startsWith(p));
}

export function createOutbox(deps: {
  db: Db;
  jobs: JobQueue;
  logger: Logger;
  registry: Registry;
  /**
   * The combined event registries: a type no module declared is refused, so every event
   * published is in the catalogue webhooks and docs serve.
   */
  events?: Pick<EventCatalog, 'get'>;
  /**
   * Ends the relay's idle wait when an event is committed (the `outbox_events` trigger's
   * notification); without it the relay finds new events by polling alone.
   */
  wakeups?: Wakeups;
}): Outbox {
  const { db, jobs, logger } = deps;
  const wakeups = deps.wakeups ?? noWakeups;
  const subscriptions: Subscription[] = [];

  const relayed = metricOnce(
    deps.registry,
    'vaultwire_outbox_events_relayed_total',
    () =>
      new Counter({
        name: 'vaultwire_outbox_events_relayed_total',
        help: 'Domain events fanned out to subscribers by the relay',
        registers: [deps.registry],
      }),
  );

  async function pending(): Promise<{ count: number; oldestAgeSeconds: number }> {
    const { rows } = await db.detached(() =>
      db.query<{ count: bigint; oldest: number | null }>(
        `SELECT count(*) AS count, extract(epoch FROM now() - min(created_at))::float8 AS oldest
           FROM outbox_events WHERE dispatched_at IS NULL`,
      ),
    );
    return {
      count: Number(rows[0]?.count ?? 0n),
      oldestAgeSeconds: Math.max(0, rows[0]?.oldest ?? 0),
    };
  }

  const oldestGauge = metricOnce(
    deps.registry,
    'vaultwire_outbox_oldest_pending_age_seconds',
    () =>
      new Gauge({
        name: 'vaultwire_outbox_oldest_pending_age_seconds',
        help: 'Age of the oldest domain event not yet relayed (a stuck relay shows here)',
        registers: [deps.registry],
      }),
  );
  metricOnce(
    deps.registry,
    'vaultwire_outbox_pending_events',
    () =>
      new Gauge({
        name: 'vaultwire_outbox_pending_events',
        help: 'Domain events written but not yet relayed to subscribers',
        registers: [deps.registry],
        async collect() {
          try {
            const p = await pending();
            this.set(p.count);
            oldestGauge.set(p.oldestAgeSeconds);
          } catch {
            // Database unreachable: keep the last value rather than fail the scrape.
          }
        },
      }),
  );

  async function relayOnce(options: { limit?: number; fence?: () => Promise<void> } = {}) {
    const limit = options.limit ?? 500;
    const count = await db.detached(() =>
      db.transaction(async (tx) => {
        const { rows } = await tx.query<{
          seq: bigint;
          id: string;
          type: string;
          aggregate_id: string;
          payload: unknown;
          created_at: Date;
        }>(
          // outbox_claim (migration 0051) locks the next undispatched events, FOR UPDATE
          // SKIP LOCKED, for this transaction. It is a function so that it carries the
          // planner settings that keep it a walk of the pending index: with the
          // statistics of an empty table, a burst of events was read whole by a bitmap
          // scan and sorted on every pass (80 ms per pass at 200,000 events, not 0.4 ms).
          'SELECT seq, id, type, aggregate_id, payload, created_at FROM outbox_claim($1)',
          [limit],
        );
        if (rows.length === 0) return 0;
        const items: EnqueueItem<EventJobPayload>[] = [];
        for (const r of rows) {
          for (const s of subscriptions) {
            if (!s.matches(r.type)) continue;
            items.push({
              queue: s.queue,
              payload: {
                event: {
                  id: r.id,
                  type: r.type,
                  aggregateId: r.aggregate_id,
                  payload: r.payload,
                  createdAt: r.created_at.toISOString(),
                },
              },
              options: {
                dedupeKey: r.id,
                ...(s.maxAttempts !== undefined ? { maxAttempts: s.maxAttempts } : {}),
              },
            });
          }
        }
        await jobs.enqueueMany(items);
        await tx.query(
          'UPDATE outbox_events SET dispatched_at = now() WHERE seq = ANY($1::int8[])',
          [rows.map((r) => r.seq)],
        );
        // Last, right before commit: the lease check then holds the lease row until the
        // commit, so a relay that lost its lease commits nothing.
        if (options.fence) await options.fence();
        return rows.length;
      }),
    );
    relayed.inc(count);
    return count;
  }

  function checkEvent(event: NewEvent): void {
    if (!EVENT_TYPE.test(event.type)) {
      throw new Error(
        `Event type "${event.type}" must be dotted lowercase words, like payment.completed`,
      );
    }
    if (deps.events && !deps.events.get(event.type)) {
      throw new Error(
        `Event type "${event.type}" is in no module's event registry; declare it with its producer`,
      );
    }
    if (event.aggregateId.length === 0) throw new Error('An event needs an aggregateId');
  }

  /** The checked INSERT of one event (`$1` is its new id), gated on `onlyIf` if given. */
  function insertEvent(event: NewEvent, onlyIf?: string): Statement {
    checkEvent(event);
    return {
      sql: `INSERT INTO outbox_events (id, type, aggregate_id, payload)
            SELECT $1, $2, $3, $4::jsonb${onlyIf ? ` WHERE EXISTS (SELECT 1 FROM ${onlyIf})` : ''}`,
      params: [newId('evt'), event.type, event.aggregateId, JSON.stringify(event.payload ?? null)],
    };
  }

  return {
    pruneDispatched(olderThanMs) {
      // Old events are found by id: ids are ULIDs that begin with their creation time, so
      // everything written before the cutoff sorts below idBefore(cutoff), and a range
      // read of the id index reaches it. `dispatched_at` has no index, and filtering on
      // it walked every event of the table, the more so when none was old enough. An
      // event dispatched before the cutoff was written before it too; the undispatched
      // ones below it (stuck, never deleted) are read again each pass.
      const cutoff = Date.now() - olderThanMs;
      return deleteInSlices(
        db,
        `DELETE FROM outbox_events WHERE seq = ANY (ARRAY(
           SELECT seq FROM outbox_events
            WHERE id < $1 AND dispatched_at < $2
            ORDER BY id LIMIT ${DELETE_SLICE}))`,
        [idBefore('evt', cutoff), new Date(cutoff)],
      );
    },

    async publish(event) {
      const { sql, params } = insertEvent(event);
      await db.query(sql, params);
      return { id: params[0] as string };
    },

    publishStatement: (event, options = {}) => insertEvent(event, options.onlyIf),

    publishEachStatement(events, options = {}) {
      for (const event of events) checkEvent(event);
      const { onlyIf } = options;
      return {
        // WITH ORDINALITY: seq follows the order given.
        sql: `INSERT INTO outbox_events (id, type, aggregate_id, payload)
              SELECT e.id, e.type, e.aggregate_id, e.payload::jsonb
                FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
                     WITH ORDINALITY AS e(id, type, aggregate_id, payload, n)
               ${onlyIf ? `WHERE EXISTS (SELECT 1 FROM ${onlyIf})` : ''}
               ORDER BY e.n`,
        params: [
          events.map(() => newId('evt')),
          events.map((e) => e.type),
          events.map((e) => e.aggregateId),
          events.map((e) => JSON.stringify(e.payload ?? null)),
        ],
      };
    },

    subscribe<P>(
      name: string,
      types: readonly string[],
      handler: EventHandler<P>,
      options: SubscribeOptions = {},
    ) {
      const queue = `outbox.${name}`;
      if (!QUEUE_NAME.test(queue))
        throw new Error(`Subscriber name "${name}" is not a valid queue name`);
      if (subscriptions.some((s) => s.name === name)) {
        throw new Error(`Subscriber ${name} is already registered`);
      }
      if (types.length === 0)
        throw new Error(`Subscriber ${name} must name at least one event type`);
      subscriptions.push({
        name,
        queue,
        matches: matcher(types),
        maxAttempts: options.maxAttempts,
      });
      const { maxAttempts: _unused, ...handlerOptions } = options;
      jobs.register<EventJobPayload>(
        queue,
        (job) => {
          const e = job.payload.event;
          return handler(
            {
              id: e.id,
              type: e.type,
              aggregateId: e.aggregateId,
              payload: e.payload as P,
              createdAt: new Date(e.createdAt),
            },
            job,
          );
        },
        handlerOptions,
      );
    },

    relayOnce,

    async runRelay(options) {
      const limit = options.limit ?? 500;
      let failures = 0;
      const aborted = () => options.signal.aborted;
      while (!aborted()) {
        let taken: number;
        try {
          taken = await relayOnce({ limit, ...(options.fence ? { fence: options.fence } : {}) });
          failures = 0;
        } catch (err) {
          if (aborted()) return;
          if ((err as Error).name === 'LeaseLostError') throw err;
          failures++;
          logger.error({ err, failures }, 'outbox relay pass failed');
          await sleep(
            Math.min(30_000, options.pollMs * 2 ** Math.min(failures, 7)),
            options.signal,
          );
          continue;
        }
        if (taken < limit) await wakeups.wait(options.pollMs, options.signal);
      }
    },

    pending,
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
