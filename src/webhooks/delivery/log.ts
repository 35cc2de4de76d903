import { prepared, type Db } from '../../platform/db/db.js';
import { fail, isFailure, type Failure } from '../../platform/failure.js';
import type { Attempt, Message, MessageState } from '../model.js';

/**
 * The delivery log customers query (messages, attempts, dead letters) and replay: a
 * replay puts messages back as due now with a fresh retry schedule, keeping their
 * `webhook-id`, so a receiver that already has one recognises it.
 */
export interface DeliveryLog {
  messages(
    endpointId: string,
    q: { state?: MessageState; limit: number; startingAfter?: string },
  ): Promise<Message[]>;
  message(endpointId: string, id: string): Promise<Message | undefined>;
  attempts(
    endpointId: string,
    q: { messageId?: string; limit: number; startingAfter?: string },
  ): Promise<Attempt[]>;
  /** Replays matching messages of one endpoint; resolves with how many. */
  replay(endpointId: string, selector: ReplaySelector): Promise<number>;
  /**
   * Sends the messages recorded `skipped` (while the endpoint was disabled) that were
   * created in [since, until), oldest first, and resolves with how many. Each is
   * recovered once: a second call finds it no longer skipped. Refused while the endpoint
   * is disabled (re-enable it first).
   */
  recover(
    endpointId: string,
    range: { since: Date; until: Date },
  ): Promise<number | Failure<'endpoint_disabled' | 'endpoint_not_found'>>;
  /** Counts by state for one endpoint (and the age of its oldest due message). */
  stats(endpointId: string): Promise<{ counts: Record<string, number>; lagSeconds: number }>;
  /**
   * The 50 endpoints whose oldest due message in PostgreSQL (retrying, or handed to the
   * broker as a row) has waited longest: its age and how many are due.
   */
  lag(): Promise<{ endpointId: string; seconds: number; due: number }[]>;
}

export type ReplaySelector =
  | { messageId: string }
  /** Every dead letter of the endpoint (the console's "Replay all failed"). */
  | { allFailed: true }
  | { since: Date; until: Date; onlyFailed?: boolean }
  | { chainKey?: string; fromBlock: bigint; toBlock: bigint; onlyFailed?: boolean };

interface MessageRow {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  chain_key: string | null;
  block_number: bigint | null;
  state: MessageState;
  attempts: number;
  next_attempt_at: Date;
  last_status: number | null;
  last_error: string | null;
  created_at: Date;
  delivered_at: Date | null;
  body: string;
}

const MESSAGE_COLUMNS = `id, endpoint_id, event_id, event_type, chain_key, block_number, state, attempts,
  next_attempt_at, last_status, last_error, created_at, delivered_at, body`;

const toMessage = (r: MessageRow): Message => ({
  id: r.id,
  endpointId: r.endpoint_id,
  eventId: r.event_id,
  eventType: r.event_type,
  chainKey: r.chain_key,
  blockNumber: r.block_number,
  state: r.state,
  attempts: r.attempts,
  nextAttemptAt: r.state === 'pending' ? r.next_attempt_at : null,
  lastStatus: r.last_status,
  lastError: r.last_error,
  createdAt: r.created_at,
  deliveredAt: r.delivered_at,
  body: r.body,
});

/** Rows replayed per statement, so a large range never holds one long transaction. */
const REPLAY_SLICE = 5_000;

/**
 * One endpoint's messages per state and its delivery lag, in one round trip (an
 * endpoint read runs it). First attempts waiting in the broker (nats engine) have no
 * row yet: the live delivery processes report their lag with each heartbeat
 * (delivery/fleet.ts), hence `broker_lag`. The broker side is an aggregate, always one
 * row, so an endpoint without messages still answers one row (with a null state).
 */
const ENDPOINT_STATS = prepared(
  `SELECT m.state, m.n, m.lag, b.lag AS broker_lag
     FROM (SELECT max((broker_lag ->> $1)::float8) AS lag FROM webhook_workers
            WHERE expires_at > now() AND broker_lag ? $1) b
     LEFT JOIN LATERAL (
       SELECT state, count(*) AS n,
              extract(epoch FROM now() - min(next_attempt_at)
                      FILTER (WHERE state IN ('pending', 'queued') AND next_attempt_at <= now()))::float8 AS lag
         FROM webhook_messages WHERE endpoint_id = $1 GROUP BY state
     ) m ON true`,
);

export function createDeliveryLog(deps: { db: Db; wake: () => void }): DeliveryLog {
  const { db } = deps;
  return {
    async messages(endpointId, q) {
      const { rows } = await db.query<MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM webhook_messages
          WHERE endpoint_id = $1 AND ($2::text IS NULL OR state = $2)
            AND ($3::text IS NULL OR id > $3)
          ORDER BY id LIMIT $4`,
        [endpointId, q.state ?? null, q.startingAfter ?? null, q.limit],
      );
      return rows.map(toMessage);
    },

    async message(endpointId, id) {
      const { rows } = await db.query<MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM webhook_messages WHERE endpoint_id = $1 AND id = $2`,
        [endpointId, id],
      );
      return rows[0] ? toMessage(rows[0]) : undefined;
    },

    async attempts(endpointId, q) {
      // Failed attempts have rows of their own; a successful one lives on its message
      // and is listed under an id derived from the message's (`wha_` + the same ULID).
      const { rows } = await db.query<{
        id: string;
        message_id: string;
        endpoint_id: string;
        attempt: number;
        outcome: string;
        status_code: number | null;
        latency_ms: number | null;
        response_excerpt: string | null;
        error: string | null;
        created_at: Date;
      }>(
        `SELECT * FROM (
           SELECT id, message_id, endpoint_id, attempt, outcome, status_code, latency_ms,
                  response_excerpt, error, created_at
             FROM webhook_attempts
            WHERE endpoint_id = $1 AND ($2::text IS NULL OR message_id = $2)
           UNION ALL
           SELECT 'wha_' || substr(id, 5), id, endpoint_id, attempts, 'delivered', last_status,
                  last_latency_ms, last_excerpt, NULL, delivered_at
             FROM webhook_messages
            WHERE endpoint_id = $1 AND state = 'delivered' AND ($2::text IS NULL OR id = $2)
         ) a
         WHERE ($3::text IS NULL OR id > $3)
         ORDER BY id LIMIT $4`,
        [endpointId, q.messageId ?? null, q.startingAfter ?? null, q.limit],
      );
      return rows.map((r) => ({
        id: r.id,
        messageId: r.message_id,
        endpointId: r.endpoint_id,
        attempt: r.attempt,
        outcome: r.outcome,
        statusCode: r.status_code,
        latencyMs: r.latency_ms,
        responseExcerpt: r.response_excerpt,
        error: r.error,
        createdAt: r.created_at,
      }));
    },

    async replay(endpointId, selector) {
      // Messages in flight or already due are left alone: they are about to go anyway.
      const set = `state = 'pending', attempts = 0, next_attempt_at = now(), claim = NULL,
                   updated_at = now()`;
      let total = 0;
      if ('messageId' in selector) {
        const { rowCount } = await db.query(
          `UPDATE webhook_messages SET ${set}
            WHERE endpoint_id = $1 AND id = $2 AND state IN ('delivered', 'failed', 'pending')`,
          [endpointId, selector.messageId],
        );
        total = rowCount;
      } else {
        const states =
          'allFailed' in selector || selector.onlyFailed ? ['failed'] : ['delivered', 'failed'];
        /** Puts back the next slice of matching messages after id `after`. */
        const slice = (after: string) =>
          'allFailed' in selector
            ? // `state = 'failed'` as a literal: read through the dead letters' partial index.
              db.query<{ id: string }>(
                `UPDATE webhook_messages SET ${set} WHERE id IN (
                   SELECT id FROM webhook_messages
                    WHERE endpoint_id = $1 AND state = 'failed' AND id > $2
                    ORDER BY id LIMIT ${REPLAY_SLICE})
                 RETURNING id`,
                [endpointId, after],
              )
            : 'since' in selector
              ? db.query<{ id: string }>(
                  `UPDATE webhook_messages SET ${set} WHERE id IN (
                     SELECT id FROM webhook_messages
                      WHERE endpoint_id = $1 AND state = ANY($2::text[]) AND id > $5
                        AND created_at >= $3 AND created_at < $4
                      ORDER BY id LIMIT ${REPLAY_SLICE})
                   RETURNING id`,
                  [endpointId, states, selector.since, selector.until, after],
                )
              : db.query<{ id: string }>(
                  `UPDATE webhook_messages SET ${set} WHERE id IN (
                     SELECT id FROM webhook_messages
                      WHERE endpoint_id = $1 AND state = ANY($2::text[]) AND id > $6
                        AND ($3::text IS NULL OR chain_key = $3)
                        AND block_number BETWEEN $4 AND $5
                      ORDER BY id LIMIT ${REPLAY_SLICE})
                   RETURNING id`,
                  [
                    endpointId,
                    states,
                    selector.chainKey ?? null,
                    selector.fromBlock,
                    selector.toBlock,
                    after,
                  ],
                );
        // Walk by id, so a message that is replayed and delivered again meanwhile is not
        // picked up a second time by a later slice.
        let after = '';
        for (;;) {
          const { rows } = await slice(after);
          total += rows.length;
          for (const r of rows) if (r.id > after) after = r.id;
          if (rows.length < REPLAY_SLICE) break;
        }
      }
      if (total > 0) deps.wake();
      return total;
    },

    async recover(endpointId, range) {
      let total = 0;
      let after = '';
      for (;;) {
        // A slice per transaction, each under a share lock of the endpoint's row: a
        // disabling (which turns waiting messages into `skipped`) waits for the slice or
        // comes first and is seen here, so nothing recovered is left waiting on a
        // disabled endpoint.
        const slice = await db.transaction(async () => {
          const { rows: ep } = await db.query<{ status: string }>(
            'SELECT status FROM webhook_endpoints WHERE id = $1 FOR SHARE',
            [endpointId],
          );
          const status = ep[0]?.status;
          if (status === undefined) return fail('endpoint_not_found');
          if (status === 'disabled') return fail('endpoint_disabled');
          // Due a microsecond apart in creation order, so the claim (which walks the due
          // index) takes them oldest first; an ordered endpoint's keep their sequence
          // numbers and go strictly in order as ever.
          const { rows } = await db.query<{ id: string }>(
            `UPDATE webhook_messages m SET state = 'pending', attempts = 0, claim = NULL,
                    next_attempt_at = now() + s.n * interval '1 microsecond', updated_at = now()
               FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM webhook_messages
                      WHERE endpoint_id = $1 AND state = 'skipped' AND id > $4
                        AND created_at >= $2 AND created_at < $3
                      ORDER BY id LIMIT ${REPLAY_SLICE}) s
              WHERE m.id = s.id AND m.state = 'skipped'
              RETURNING m.id`,
            [endpointId, range.since, range.until, after],
          );
          return rows.map((r) => r.id);
        });
        // Disabled meanwhile: what earlier slices put back was turned `skipped` again.
        if (isFailure(slice)) return slice;
        total += slice.length;
        for (const id of slice) if (id > after) after = id;
        if (slice.length < REPLAY_SLICE) break;
      }
      if (total > 0) deps.wake();
      return total;
    },

    async lag() {
      // One branch per state, each read through that state's partial index: with
      // `state IN ('pending', 'queued')` no partial index matched, and every scrape of
      // every process read the whole table (145 ms at 1,000,000 delivered rows, against
      // 0.65 ms now). What it reads is the due rows.
      const { rows } = await db.query<{ endpoint_id: string; s: number; n: bigint }>(
        `SELECT endpoint_id, extract(epoch FROM now() - min(due_at))::float8 AS s,
                count(*) AS n
           FROM (SELECT endpoint_id, next_attempt_at AS due_at FROM webhook_messages
                  WHERE state = 'pending' AND next_attempt_at <= now()
                 UNION ALL
                 SELECT endpoint_id, next_attempt_at FROM webhook_messages
                  WHERE state = 'queued' AND next_attempt_at <= now()) due
          GROUP BY endpoint_id ORDER BY s DESC LIMIT 50`,
      );
      return rows.map((r) => ({ endpointId: r.endpoint_id, seconds: r.s, due: Number(r.n) }));
    },

    async stats(endpointId) {
      const { rows } = await db.query<{
        state: string | null;
        n: bigint | null;
        lag: number | null;
        broker_lag: number | null;
      }>(ENDPOINT_STATS, [endpointId]);
      const counts: Record<string, number> = {};
      let lag = rows[0]?.broker_lag ?? 0;
      for (const r of rows) {
        if (r.state === null) continue;
        counts[r.state] = Number(r.n);
        lag = Math.max(lag, r.lag ?? 0);
      }
      return { counts, lagSeconds: lag };
    },
  };
}
