import { SQLSTATE, sqlState, type Db } from '../../platform/db/db.js';
import { arrayColumns, type ArrayColumn } from '../../platform/db/packed.js';
import { newId } from '../../platform/ids.js';
import type { Logger } from '../../platform/observability/logger.js';
import type { WebhookMetrics } from '../metrics.js';
import type { OutcomeRecord } from './deliverer.js';

/**
 * Writes delivery outcomes in batches, whatever the batch size: one INSERT of the rows of
 * deferred messages (nats engine: the row is created with its first outcome), one UPDATE
 * of the messages that have rows, one INSERT of the failed attempts (a success is
 * recorded on its message only) and, only when an endpoint's health flips, one UPDATE of
 * the endpoints per flush. `record` resolves once its outcome is durable, so the
 * NATS consumer acknowledges a message only after its outcome is written: a worker that
 * dies in between gets the message redelivered (same `webhook-id`) rather than lost.
 */
export interface OutcomeRecorder {
  /**
   * Resolves once the outcome is written. `soon`: something waits on this write (the next
   * message of an ordered endpoint is claimable only after it), so it waits at most
   * `soonMs` for company instead of `flushMs`.
   */
  record(outcome: OutcomeRecord, options?: { soon?: boolean }): Promise<void>;
  /** Writes everything buffered now. */
  flush(): Promise<void>;
  /** Flushes, then refuses new outcomes. */
  close(): Promise<void>;
  readonly buffered: number;
}

interface Pending {
  outcome: OutcomeRecord;
  resolve: () => void;
  reject: (err: unknown) => void;
  /** When it must be on its way at the latest (epoch ms). */
  due: number;
  /** Recorded with `soon`: something waits on this write. */
  soon: boolean;
}

export function createOutcomeRecorder(deps: {
  db: Db;
  logger: Logger;
  metrics: WebhookMetrics;
  workerId: string;
  /** Called for outcomes that ask to disable their endpoint (410 Gone). */
  disableEndpoint: (endpointId: string, reason: string) => Promise<void>;
  maxBatch?: number;
  /** Longest an outcome waits for others to share its flush (unless the batch fills). */
  flushMs?: number;
  /** The same for outcomes recorded with `soon`. */
  soonMs?: number;
  /** Flushes running at once (each takes a pool connection). */
  parallel?: number;
}): OutcomeRecorder {
  const { db, logger, metrics } = deps;
  // A flush also goes once this many wait: the tasks behind them hold their engine's
  // slots until written, so at high rates a smaller size keeps the slots turning.
  const maxBatch = deps.maxBatch ?? 500;
  // Batch size is what PostgreSQL's cost per outcome follows: the INSERT costs 17-19 µs of
  // server CPU per row in flushes of 1,000 and 22-26 µs in flushes of 200 (measured in
  // isolation). At 10,000 deliveries/s a 20 ms wait made flushes of ~200; at 80-100 ms,
  // paired benchmark runs gave 11-42 % less PostgreSQL CPU per delivery. The wait delays
  // only the outcome's write (what the API shows and the broker's acknowledgement), never
  // the request to the receiver. Outcomes something waits on use `soonMs`.
  const flushMs = deps.flushMs ?? 100;
  const soonMs = Math.min(flushMs, deps.soonMs ?? 20);
  const parallel = deps.parallel ?? 2;
  let buffer: Pending[] = [];
  let timer: NodeJS.Timeout | undefined;
  let timerDue = 0;
  let running = 0;
  let closed = false;
  // Callers of `flush()` waiting for everything to be written: while there are any,
  // whatever is buffered goes without waiting for company.
  const idle: (() => void)[] = [];

  // `tolerant`: an event may already have its row (see `write`).
  const writeRows = async (outcomes: OutcomeRecord[], tolerant: boolean) => {
    const creates = outcomes.filter((o) => o.create !== undefined);
    const updates = outcomes.filter((o) => o.create === undefined);
    // Rows this flush created (deferred messages); a conflict means the event had a row.
    let created = new Set<string>();
    if (creates.length > 0) {
      const c = arrayColumns(createColumns(creates), 3);
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO webhook_messages (id, endpoint_id, event_id, event_type, chain_key, block_number,
                                       body, state, attempts, next_attempt_at, last_status,
                                       last_error, last_latency_ms, last_excerpt, last_worker,
                                       delivered_at, created_at, updated_at)
         SELECT x.id, x.endpoint_id, x.event_id, x.event_type, x.chain_key, x.block_number, x.body,
                x.state, x.inc, coalesce(x.next_at, now()), x.status, x.error, x.latency, x.excerpt,
                CASE WHEN x.inc = 1 THEN $1 END, CASE WHEN x.state = 'delivered' THEN now() END,
                to_timestamp(x.created_ms / 1000.0), now()
           FROM unnest(${c.sql.join(', ')})
                AS x(id, endpoint_id, event_id, event_type, chain_key, block_number, body,
                     created_ms, state, inc, next_at, status, error, latency, excerpt)
           -- Rows only for endpoints that exist, which stay until this commits (the lock
           -- stands in for a foreign key, see migration 0054): an endpoint deleted
           -- meanwhile took its messages with it, and its outcomes are dropped here.
           JOIN (SELECT id FROM webhook_endpoints WHERE id = ANY($2::text[]) FOR KEY SHARE) e
             ON e.id = x.endpoint_id
         ${tolerant ? 'ON CONFLICT DO NOTHING' : ''}
         RETURNING id`,
        [deps.workerId, [...new Set(creates.map((o) => o.endpointId))], ...c.params],
      );
      created = new Set(rows.map((r) => r.id));
    }
    if (updates.length > 0) {
      const c = arrayColumns(
        [
          { type: 'text', values: updates.map((o) => o.messageId) },
          { type: 'uuid', values: updates.map((o) => o.claim) },
          ...outcomeColumns(updates),
        ],
        2,
      );
      await db.query(
        `UPDATE webhook_messages m SET
           state           = x.state,
           attempts        = m.attempts + x.inc,
           next_attempt_at = coalesce(x.next_at, m.next_attempt_at),
           last_status     = CASE WHEN x.inc = 1 THEN x.status ELSE m.last_status END,
           last_error      = CASE WHEN x.inc = 1 THEN x.error ELSE m.last_error END,
           last_latency_ms = CASE WHEN x.inc = 1 THEN x.latency ELSE m.last_latency_ms END,
           last_excerpt    = CASE WHEN x.inc = 1 THEN x.excerpt ELSE m.last_excerpt END,
           last_worker     = CASE WHEN x.inc = 1 THEN $1 ELSE m.last_worker END,
           delivered_at    = CASE WHEN x.state = 'delivered' THEN now() ELSE m.delivered_at END,
           claim           = NULL,
           updated_at      = now()
         FROM unnest(${c.sql.join(', ')})
              AS x(id, claim, state, inc, next_at, status, error, latency, excerpt)
         -- coalesce() hides the state from the planner's statistics on purpose: in steady
         -- state they say almost every row is delivered, so "state <> 'delivered'" looks
         -- like a handful of rows and the planner picks a sequential scan under a nested
         -- loop over the batch. With a backlog of undelivered rows that plan cost 6 ms per
         -- outcome instead of 25 µs (measured, 30,000 queued rows behind 60,000 delivered).
         WHERE m.id = x.id AND coalesce(m.state, '') <> 'delivered'
           AND (x.claim IS NULL OR m.claim = x.claim)`,
        [deps.workerId, ...c.params],
      );
    }
    if (outcomes.length > 0) {
      // A deferred message whose event already had a row: that row's history stands.
      const attempts = outcomes.filter(
        (o) => o.attempt !== undefined && (o.create === undefined || created.has(o.messageId)),
      );
      const failed = attempts.filter((o) => o.attempt?.outcome !== 'delivered');
      if (failed.length > 0) {
        await db.query(
          `INSERT INTO webhook_attempts (id, message_id, endpoint_id, attempt, outcome, status_code,
                                         latency_ms, response_excerpt, error, worker)
           SELECT x.id, x.message_id, x.endpoint_id, x.attempt, x.outcome, x.status_code,
                  x.latency_ms, x.response_excerpt, x.error, $2
             FROM jsonb_to_recordset($1::jsonb) AS x(id text, message_id text, endpoint_id text,
                  attempt int, outcome text, status_code int, latency_ms int, response_excerpt text,
                  error text)`,
          [
            JSON.stringify(
              failed.map((o) => ({
                id: newId('wha'),
                message_id: o.messageId,
                endpoint_id: o.endpointId,
                attempt: o.attempt?.number,
                outcome: o.attempt?.outcome,
                status_code: o.attempt?.statusCode,
                latency_ms: o.attempt?.latencyMs,
                response_excerpt: o.attempt?.excerpt?.replaceAll('\u0000', '') ?? null,
                error: o.attempt?.error,
              })),
            ),
            deps.workerId,
          ],
        );
      }
      // Endpoint health: a success anywhere in the batch wins. Rows are only rewritten
      // when something changes (or every 10 s for last_success_at), in id order.
      const health = new Map<string, boolean>();
      for (const o of attempts) {
        const ok = o.attempt?.outcome === 'delivered';
        health.set(o.endpointId, (health.get(o.endpointId) ?? false) || ok);
      }
      if (health.size > 0) {
        await db.query(
          `UPDATE webhook_endpoints e SET
             failing_since   = CASE WHEN x.ok THEN NULL ELSE coalesce(e.failing_since, now()) END,
             last_success_at = CASE WHEN x.ok THEN now() ELSE e.last_success_at END
           FROM (SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(id text, ok boolean) ORDER BY id) x
           WHERE e.id = x.id
             AND ((x.ok AND (e.failing_since IS NOT NULL OR e.last_success_at IS NULL
                             OR e.last_success_at < now() - interval '10 seconds'))
                  OR (NOT x.ok AND e.failing_since IS NULL))`,
          [JSON.stringify([...health].map(([id, ok]) => ({ id, ok })))],
        );
      }
    }
  };

  const write = async (batch: Pending[]) => {
    const outcomes = batch.map((p) => p.outcome).filter((o) => o.state !== 'drop');
    // A failed attempt is written twice (its message row and its attempt row): one
    // transaction, so nobody reads a 503 on a message whose attempt is not there yet, and
    // a crash between the two cannot lose the attempt. A flush of successes needs none.
    const failures = outcomes.some((o) => o.attempt && o.attempt.outcome !== 'delivered');
    const run = (tolerant: boolean) =>
      failures
        ? db.transaction(() => writeRows(outcomes, tolerant))
        : writeRows(outcomes, tolerant);
    // A plain INSERT first: ON CONFLICT makes every row a speculative insertion (its
    // unique indexes probed before the row goes in, and one more WAL record to confirm
    // it), for a conflict that only a repeat of the events past the worker's check can
    // cause. With the foreign key gone as well (migration 0054) the INSERT's time per row
    // fell from 23.9 to 15.9 µs (pg_stat_statements over a benchmark run, flushes of
    // ~500). The INSERT is the first statement of the flush, so when it fails nothing has
    // been written: the whole flush runs again, skipping the rows that exist.
    try {
      await run(false);
    } catch (err) {
      if (sqlState(err) !== SQLSTATE.uniqueViolation) throw err;
      await run(true);
    }
    for (const o of outcomes) {
      if (o.disable !== undefined) await deps.disableEndpoint(o.endpointId, o.disable);
    }
    metrics.outcomesRecorded.inc(outcomes.length);
    metrics.recorderBatch.observe(outcomes.length);
  };

  const pump = () => {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    while (running < parallel && buffer.length > 0) {
      const batch = buffer.slice(0, maxBatch);
      buffer = buffer.slice(batch.length);
      running++;
      void (async () => {
        let failures = 0;
        for (;;) {
          try {
            await db.detached(() => write(batch));
            for (const p of batch) p.resolve();
            break;
          } catch (err) {
            failures++;
            logger.error({ err, failures, outcomes: batch.length }, 'could not record outcomes');
            if (closed && failures >= 3) {
              for (const p of batch) p.reject(err);
              break;
            }
            await new Promise((r) => setTimeout(r, Math.min(5_000, 100 * 2 ** failures)));
          }
        }
        running--;
        // What arrived during this write waits for its own due time (or a full batch),
        // not for the next completion: flushing the remainder at once made flushes as
        // small as the rate times one write (~180 rows at ~7,000/s, measured with
        // pg_stat_statements) whatever flushMs said.
        // Outcomes something waits on (claim slots, ordered endpoints) go at once, as
        // before: holding claimed tasks longer would slow the PostgreSQL engine.
        if (
          buffer.length >= maxBatch ||
          (buffer.length > 0 && (idle.length > 0 || buffer.some((p) => p.soon)))
        ) {
          pump();
        } else if (buffer.length > 0) arm(earliestDue());
        else if (running === 0) for (const f of idle.splice(0)) f();
      })();
    }
  };

  const earliestDue = () => {
    let due = Infinity;
    for (const p of buffer) if (p.due < due) due = p.due;
    return due;
  };

  /** Makes sure a flush starts by `due`. */
  const arm = (due: number) => {
    if (timer !== undefined) {
      if (timerDue <= due) return;
      clearTimeout(timer);
    }
    timerDue = due;
    timer = setTimeout(pump, Math.max(0, due - Date.now()));
  };

  const flush = (): Promise<void> => {
    if (buffer.length === 0 && running === 0) return Promise.resolve();
    return new Promise((resolve) => {
      idle.push(resolve);
      pump();
    });
  };

  return {
    get buffered() {
      return buffer.length;
    },
    record(outcome, options) {
      if (closed) return Promise.reject(new Error('the outcome recorder is closed'));
      return new Promise((resolve, reject) => {
        const soon = options?.soon === true;
        const due = Date.now() + (soon ? soonMs : flushMs);
        buffer.push({ outcome, resolve, reject, due, soon });
        if (buffer.length >= maxBatch) pump();
        else arm(due);
      });
    },
    flush,
    async close() {
      await flush();
      closed = true;
    },
  };
}

/** The outcome columns every statement writes (state, attempts, next attempt, last attempt). */
function outcomeColumns(list: readonly OutcomeRecord[]): ArrayColumn[] {
  return [
    { type: 'text', values: list.map((o) => o.state) },
    { type: 'int', values: list.map((o) => o.attemptsInc) },
    { type: 'timestamptz', values: list.map((o) => o.nextAttemptAt?.toISOString() ?? null) },
    { type: 'int', values: list.map((o) => o.attempt?.statusCode ?? null) },
    {
      type: 'text',
      values: list.map((o) =>
        o.attempt
          ? (o.attempt.error ??
            (o.attempt.outcome === 'delivered' ? null : `HTTP ${o.attempt.statusCode ?? ''}`))
          : null,
      ),
    },
    { type: 'int', values: list.map((o) => o.attempt?.latencyMs ?? null) },
    { type: 'text', values: list.map((o) => o.attempt?.excerpt?.replaceAll('\u0000', '') ?? null) },
  ];
}

/**
 * The columns of deferred rows: packed text (../../platform/db/packed.ts) unless a value
 * (a receiver's excerpt, say) holds a separator. The rows of every flush pass through
 * here by the thousand per second, and packing them is what keeps the pg client from
 * escaping every JSON body (−20 % worker CPU per delivery, measured).
 */
function createColumns(list: readonly OutcomeRecord[]): ArrayColumn[] {
  return [
    { type: 'text', values: list.map((o) => o.messageId) },
    { type: 'text', values: list.map((o) => o.endpointId) },
    { type: 'text', values: list.map((o) => o.create?.eventId) },
    { type: 'text', values: list.map((o) => o.create?.eventType) },
    { type: 'text', values: list.map((o) => o.create?.chainKey ?? null) },
    { type: 'bigint', values: list.map((o) => o.create?.blockNumber ?? null) },
    { type: 'text', values: list.map((o) => o.create?.body) },
    { type: 'float8', values: list.map((o) => o.create?.createdAtMs) },
    ...outcomeColumns(list),
  ];
}
