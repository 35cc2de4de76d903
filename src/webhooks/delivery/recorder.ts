import type { Db } from '../../platform/db/db.js';
import { newId } from '../../platform/ids.js';
import type { Logger } from '../../platform/observability/logger.js';
import type { WebhookMetrics } from '../metrics.js';
import type { OutcomeRecord } from './deliverer.js';

/**
 * Writes delivery outcomes in batches: one UPDATE of the messages, one INSERT of the
 * failed attempts (a success is recorded on its message only) and (only when an endpoint's health flips) one UPDATE of the endpoints per
 * flush, whatever the batch size. `record` resolves once its outcome is durable, so the
 * NATS consumer acknowledges a message only after its outcome is written: a worker that
 * dies in between gets the message redelivered (same `webhook-id`) rather than lost.
 */
export interface OutcomeRecorder {
  record(outcome: OutcomeRecord): Promise<void>;
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
}

export function createOutcomeRecorder(deps: {
  db: Db;
  logger: Logger;
  metrics: WebhookMetrics;
  workerId: string;
  /** Called for outcomes that ask to disable their endpoint (410 Gone). */
  disableEndpoint: (endpointId: string, reason: string) => Promise<void>;
  maxBatch?: number;
  flushMs?: number;
  /** Flushes running at once (each takes a pool connection). */
  parallel?: number;
}): OutcomeRecorder {
  const { db, logger, metrics } = deps;
  const maxBatch = deps.maxBatch ?? 1000;
  // Long enough to gather a real batch at high rates, short next to an HTTP round trip.
  const flushMs = deps.flushMs ?? 20;
  const parallel = deps.parallel ?? 2;
  let buffer: Pending[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running = 0;
  let closed = false;
  const idle: (() => void)[] = [];

  const write = async (batch: Pending[]) => {
    const outcomes = batch.map((p) => p.outcome).filter((o) => o.state !== 'drop');
    if (outcomes.length > 0) {
      await db.query(
        `UPDATE webhook_messages m SET
           state           = x.state,
           attempts        = m.attempts + x.inc,
           next_attempt_at = coalesce(x.next_at, m.next_attempt_at),
           last_status     = CASE WHEN x.inc = 1 THEN x.status ELSE m.last_status END,
           last_error      = CASE WHEN x.inc = 1 THEN x.error ELSE m.last_error END,
           last_latency_ms = CASE WHEN x.inc = 1 THEN x.latency ELSE m.last_latency_ms END,
           last_excerpt    = CASE WHEN x.inc = 1 THEN x.excerpt ELSE m.last_excerpt END,
           last_worker     = CASE WHEN x.inc = 1 THEN $2 ELSE m.last_worker END,
           delivered_at    = CASE WHEN x.state = 'delivered' THEN now() ELSE m.delivered_at END,
           claim           = NULL,
           updated_at      = now()
         FROM unnest($1::text[], $3::uuid[], $4::text[], $5::int[], $6::timestamptz[], $7::int[],
                     $8::text[], $9::int[], $10::text[])
              AS x(id, claim, state, inc, next_at, status, error, latency, excerpt)
         WHERE m.id = x.id AND m.state <> 'delivered' AND (x.claim IS NULL OR m.claim = x.claim)`,
        // Typed arrays rather than one JSON document: less server CPU per outcome.
        [
          outcomes.map((o) => o.messageId),
          deps.workerId,
          outcomes.map((o) => o.claim),
          outcomes.map((o) => o.state),
          outcomes.map((o) => o.attemptsInc),
          outcomes.map((o) => o.nextAttemptAt?.toISOString() ?? null),
          outcomes.map((o) => o.attempt?.statusCode ?? null),
          outcomes.map((o) =>
            o.attempt
              ? (o.attempt.error ??
                (o.attempt.outcome === 'delivered' ? null : `HTTP ${o.attempt.statusCode ?? ''}`))
              : null,
          ),
          outcomes.map((o) => o.attempt?.latencyMs ?? null),
          outcomes.map((o) => o.attempt?.excerpt?.replaceAll('\u0000', '') ?? null),
        ],
      );
      const attempts = outcomes.filter((o) => o.attempt !== undefined);
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
        if (buffer.length > 0) pump();
        else if (running === 0) for (const f of idle.splice(0)) f();
      })();
    }
  };

  const schedule = () => {
    if (buffer.length >= maxBatch) pump();
    else timer ??= setTimeout(pump, flushMs);
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
    record(outcome) {
      if (closed) return Promise.reject(new Error('the outcome recorder is closed'));
      return new Promise((resolve, reject) => {
        buffer.push({ outcome, resolve, reject });
        schedule();
      });
    },
    flush,
    async close() {
      await flush();
      closed = true;
    },
  };
}
