import { randomUUID } from 'node:crypto';
import type { Db, Subscription } from './db.js';
import type { Logger } from '../observability/logger.js';

/**
 * Wake-ups for loops that poll a table (the outbox relay, job workers, webhook delivery).
 *
 * The writer NOTIFYs `channel` in its transaction (an insert trigger on `outbox_events`
 * and `jobs`, migration platform/0124; webhooks ingest sends its own), so the
 * notification arrives when the rows are committed and visible. A loop
 * that found nothing waits with `wait(pollMs)` instead of sleeping: a notification ends
 * every current wait at once. Polling stays the source of truth: a notification missed
 * (the listening connection dropped, or none was sent) only costs the poll interval.
 *
 * Writers notify only while a loop says it waits (`wakeup_listeners`, platform/0124): a
 * NOTIFY serialises commits, so a loop kept busy stops asking for them. Each wait records
 * until when it waits (one small upsert, not awaited: a notification missed while it is
 * on its way costs one poll interval).
 *
 * Debounced: any number of notifications while waiters exist wake them once; a
 * notification heard while nobody waits (the loop was busy claiming) is remembered, so
 * the next wait returns at once instead of missing a row committed just after the claim
 * read the table.
 */
export interface Wakeups {
  /** Resolves on the next notification (or one heard since the last wait), after `ms`, or on abort. */
  wait(ms: number, signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** Waits that are plain sleeps: the pure polling configuration. */
export const noWakeups: Wakeups = {
  wait: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) {
        resolve();
        return;
      }
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
  close: () => Promise.resolve(),
};

/** Channels the writers notify on (platform/0124's triggers; webhooks' ingest). */
export const WAKEUP_CHANNELS = {
  outbox: 'vw_outbox_written',
  jobs: 'vw_jobs_written',
  webhookMessages: 'vw_webhook_messages_written',
} as const;

/**
 * Listens on `channel`, lazily: the listening connection opens on the first wait, so a
 * process that never waits (an `api`-only one) holds no extra connection.
 */
export function createWakeups(options: { db: Db; channel: string; logger: Logger }): Wakeups {
  const log = options.logger.child({ channel: options.channel });
  const listener = randomUUID();
  const waiting = (ms: number) => {
    markWaiting(options.db, options.channel, listener, ms).catch((err: unknown) => {
      log.debug({ err }, 'could not record the wait; writers may not notify');
    });
  };
  let waiters: (() => void)[] = [];
  let heard = false;
  let closed = false;
  let subscription: Promise<Subscription | undefined> | undefined;

  const wakeAll = () => {
    if (waiters.length === 0) {
      heard = true;
      return;
    }
    const now = waiters;
    waiters = [];
    for (const w of now) w();
  };
  const listen = () => {
    subscription ??= options.db
      .subscribe(options.channel, {
        message: wakeAll,
        // Whatever was written while the connection was down was not heard: poll now.
        gap: wakeAll,
      })
      .catch((err: unknown) => {
        log.warn({ err }, 'cannot listen for wake-ups; polling meanwhile');
        subscription = undefined;
        return undefined;
      });
  };

  return {
    wait(ms, signal) {
      // Closed: a plain sleep, so a loop still running during shutdown does not spin.
      if (closed) return noWakeups.wait(ms, signal);
      listen();
      if (heard || signal?.aborted) {
        heard = false;
        return Promise.resolve();
      }
      waiting(ms);
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          waiters = waiters.filter((w) => w !== done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        signal?.addEventListener('abort', done, { once: true });
        waiters.push(done);
      });
    },
    async close() {
      closed = true;
      wakeAll();
      const sub = await subscription;
      await sub?.close();
      await stopWaiting(options.db, options.channel, listener).catch(() => undefined);
    },
  };
}

/**
 * Says `listener` waits on `channel` for the next `ms` (plus a margin for the upsert's own
 * delay), so writers notify it. A loop that listens all the time (webhook delivery)
 * renews it on a timer.
 */
export async function markWaiting(
  db: Db,
  channel: string,
  listener: string,
  ms: number,
): Promise<void> {
  await db.query(
    `INSERT INTO wakeup_listeners (channel, listener, waiting_until)
     VALUES ($1, $2, now() + make_interval(secs => $3))
     ON CONFLICT (channel, listener) DO UPDATE SET waiting_until = EXCLUDED.waiting_until`,
    [channel, listener, (ms + 1_000) / 1_000],
  );
}

export async function stopWaiting(db: Db, channel: string, listener: string): Promise<void> {
  await db.query(`DELETE FROM wakeup_listeners WHERE channel = $1 AND listener = $2`, [
    channel,
    listener,
  ]);
}
