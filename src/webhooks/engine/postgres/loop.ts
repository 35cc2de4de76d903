import type { Db } from '../../../platform/db/db.js';
import type { Logger } from '../../../platform/observability/logger.js';
import type { DeliveryTask } from '../../delivery/deliverer.js';

/**
 * The PostgreSQL delivery loop: the `webhook_messages` rows are the queue.
 *
 * A claim takes due rows with `FOR UPDATE SKIP LOCKED` in one statement, marks them
 * `delivering` under a fresh claim token and pushes `next_attempt_at` to the end of the
 * visibility timeout, so rows of a worker that dies simply become due again. Only
 * active endpoints are claimed. For an ordered endpoint only its head (the lowest `seq`
 * not yet delivered or dead) is ever eligible, so its messages go one at a time, in
 * order, whichever worker takes them. Outcomes are written by the recorder, fenced on
 * the claim token.
 *
 * This loop runs in every `delivery` process with either engine: with NATS it serves the
 * retries, ordered endpoints and replays.
 */
export interface PostgresLoop {
  /** Claims again now instead of at the next poll. */
  poke(): void;
  readonly inFlight: number;
  stop(timeoutMs: number): Promise<{ handedBack: number }>;
}

interface ClaimedRow {
  id: string;
  endpoint_id: string;
  body: string;
  attempts: number;
  claim: string;
  created_at: Date;
}

export function startPostgresLoop(deps: {
  db: Db;
  logger: Logger;
  /** Delivers and records one task; resolves when the outcome is written. */
  run: (task: DeliveryTask) => Promise<void>;
  /** Called before each claim (the endpoint directory's sync). */
  beforeClaim?: () => Promise<void>;
  settings: { concurrency: number; batch: number; visibilityMs: number; pollMs: number };
}): PostgresLoop {
  const { db, logger, settings } = deps;
  const inFlight = new Map<string, ClaimedRow>();
  let stopping = false;
  let wake: (() => void) | undefined;
  // A poke while the loop is claiming (rows committed just after the claim read the
  // table) is kept, so the nap that follows ends at once instead of at the next poll.
  let poked = false;
  const nap = (ms: number) =>
    new Promise<void>((resolve) => {
      if (poked) {
        poked = false;
        resolve();
        return;
      }
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  const claim = async (limit: number): Promise<ClaimedRow[]> => {
    // The claim itself is `webhook_claim` (migrations/0046_webhook_claim.sql): one
    // statement, planned with the settings that keep it a walk of the due index.
    const { rows } = await db.detached(() =>
      db.query<ClaimedRow>(
        `SELECT id, endpoint_id, body, attempts, claim, created_at FROM webhook_claim($1, $2)`,
        [limit, settings.visibilityMs],
      ),
    );
    return rows;
  };

  let slotFreed: (() => void) | undefined;
  const launch = (row: ClaimedRow) => {
    inFlight.set(row.id, row);
    deps
      .run({
        messageId: row.id,
        endpointId: row.endpoint_id,
        body: row.body,
        attempts: row.attempts,
        claim: row.claim,
        createdAtMs: row.created_at.getTime(),
      })
      .catch((err: unknown) => {
        // The claim expires and the row comes back by itself.
        logger.error({ err, messageId: row.id }, 'webhook delivery failed unexpectedly');
      })
      .finally(() => {
        inFlight.delete(row.id);
        slotFreed?.();
      });
  };

  const loop = (async () => {
    let failures = 0;
    while (!stopping) {
      const free = settings.concurrency - inFlight.size;
      if (free < Math.min(settings.batch, settings.concurrency) / 4) {
        await new Promise<void>((resolve) => {
          slotFreed = () => {
            slotFreed = undefined;
            resolve();
          };
          wake = slotFreed;
        });
        continue;
      }
      let rows: ClaimedRow[];
      try {
        await deps.beforeClaim?.();
        rows = await claim(Math.min(free, settings.batch));
        failures = 0;
      } catch (err) {
        failures++;
        logger.error({ err, failures }, 'could not claim webhook messages');
        await nap(Math.min(30_000, settings.pollMs * 2 ** Math.min(failures, 7)));
        continue;
      }
      for (const r of rows) launch(r);
      if (rows.length < Math.min(free, settings.batch)) {
        await nap(settings.pollMs * (0.8 + Math.random() * 0.4));
      }
    }
  })();

  return {
    poke() {
      if (wake) wake();
      else poked = true;
    },
    get inFlight() {
      return inFlight.size;
    },
    async stop(timeoutMs) {
      stopping = true;
      wake?.();
      await loop;
      const deadline = Date.now() + timeoutMs;
      while (inFlight.size > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const left = [...inFlight.values()];
      if (left.length === 0) return { handedBack: 0 };
      // Hand unfinished claims back at once rather than waiting for them to expire.
      // One primary-key probe per claimed row, whatever the statistics say. Written
      // plainly (`state = 'delivering'`), the state test matches the due index's
      // predicate, and with statistics taken before a backlog built up (a queue table
      // outgrows its last analysis exactly then) that index looks empty: the planner
      // walked all of it to find the ids (200 ids among 30,000 due rows: 29,800 rows read
      // and thrown away). coalesce() keeps the state away from the index predicate and
      // the statistics (as in the recorder); with hash and merge joins off for this
      // transaction, the join is a nested loop, whose cheapest form on any table beyond a
      // few pages is a primary-key probe per id (a few thousand ids otherwise became a
      // hash join over a sequential scan of the whole table).
      const { rowCount } = await db.transaction(async (tx) => {
        await tx.query(
          `SELECT set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)`,
        );
        return tx.query(
          `UPDATE webhook_messages m SET state = 'pending', next_attempt_at = now(), claim = NULL,
                  updated_at = now()
             FROM unnest($1::text[], $2::uuid[]) AS x(id, claim)
            WHERE m.id = x.id AND m.claim = x.claim AND coalesce(m.state, '') = 'delivering'`,
          [left.map((r) => r.id), left.map((r) => r.claim)],
        );
      });
      return { handedBack: rowCount };
    },
  };
}
