import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDb, type TestDb } from '../../../test/support/db.js';
import { createLogger } from '../observability/logger.js';
import { createOutbox } from '../outbox/outbox.js';
import { createPostgresJobQueue } from '../queue/postgres.js';
import { createWakeups, WAKEUP_CHANNELS, type Wakeups } from './wakeups.js';

/**
 * Wake-ups on PGlite and PostgreSQL: with a poll interval of a minute, a job or event
 * written is handled within seconds only because the insert trigger's notification woke
 * the idle loop. The same setup without wake-ups shows the poll really is that long.
 */

const POLL_MS = 60_000;
const logger = createLogger({ level: 'silent' });
let t: TestDb;
const opened: Wakeups[] = [];

beforeAll(async () => {
  t = await createTestDb();
  await t.db.query('CREATE TABLE wake_effects (key text NOT NULL)');
});
afterAll(async () => {
  await Promise.all(opened.map((w) => w.close()));
  await t.drop();
});

function wakeups(channel: string): Wakeups {
  const w = createWakeups({ db: t.db, channel, logger });
  opened.push(w);
  return w;
}

async function effects(key: string): Promise<number> {
  const { rows } = await t.db.query<{ n: bigint }>(
    'SELECT count(*) AS n FROM wake_effects WHERE key = $1',
    [key],
  );
  return Number(rows[0]?.n);
}

function jobQueue(name: string, w?: Wakeups) {
  const q = createPostgresJobQueue({
    db: t.db,
    logger,
    registry: new Registry(),
    instanceId: name,
    visibilityMs: 30_000,
    pollMs: POLL_MS,
    ...(w ? { wakeups: w } : {}),
  });
  q.register<{ key: string }>(`wake.${name}`, async (job) => {
    await t.db.query('INSERT INTO wake_effects (key) VALUES ($1)', [job.payload.key]);
  });
  return q;
}

/** Lets a freshly started loop make its first (empty) claim and settle into its wait. */
const idle = () => new Promise((r) => setTimeout(r, 500));

describe('wake-ups instead of waits', () => {
  it('an idle worker runs a job enqueued after it went idle within seconds, not at its 60 s poll', async () => {
    const q = jobQueue('woken', wakeups(WAKEUP_CHANNELS.jobs));
    const worker = q.startWorker({ concurrency: 2, queues: ['wake.woken'] });
    try {
      await idle();
      const started = Date.now();
      await q.enqueue('wake.woken', { key: 'woken-1' });
      await vi.waitFor(
        async () => {
          expect(await effects('woken-1')).toBe(1);
        },
        {
          timeout: 5_000,
          interval: 20,
        },
      );
      expect(Date.now() - started).toBeLessThan(5_000);
      // Still idle and still woken: a second job after the first wait ended.
      await idle();
      await q.enqueue('wake.woken', { key: 'woken-2' });
      await vi.waitFor(
        async () => {
          expect(await effects('woken-2')).toBe(1);
        },
        {
          timeout: 5_000,
          interval: 20,
        },
      );
    } finally {
      await worker.stop({ timeoutMs: 5_000 });
    }
    // Exactly once: each job ran one time.
    expect(await effects('woken-1')).toBe(1);
    expect(await effects('woken-2')).toBe(1);
  });

  it('without wake-ups the same job waits for the poll (the control)', async () => {
    const q = jobQueue('polled');
    const worker = q.startWorker({ concurrency: 2, queues: ['wake.polled'] });
    try {
      await idle();
      await q.enqueue('wake.polled', { key: 'polled-1' });
      await new Promise((r) => setTimeout(r, 2_000));
      expect(await effects('polled-1')).toBe(0);
    } finally {
      await worker.stop({ timeoutMs: 5_000 });
    }
  });

  it('an event published in a transaction reaches its subscriber through the relay within seconds', async () => {
    const jobsWake = wakeups(WAKEUP_CHANNELS.jobs);
    const jobs = createPostgresJobQueue({
      db: t.db,
      logger,
      registry: new Registry(),
      instanceId: 'relay',
      visibilityMs: 30_000,
      pollMs: POLL_MS,
      wakeups: jobsWake,
    });
    const outbox = createOutbox({
      db: t.db,
      jobs,
      logger,
      registry: new Registry(),
      wakeups: wakeups(WAKEUP_CHANNELS.outbox),
    });
    outbox.subscribe<{ key: string }>('wake_test', ['wake_order.paid'], async (event) => {
      await t.db.query('INSERT INTO wake_effects (key) VALUES ($1)', [event.payload.key]);
    });
    const stopRelay = new AbortController();
    const relay = outbox.runRelay({ signal: stopRelay.signal, pollMs: POLL_MS });
    const worker = jobs.startWorker({ concurrency: 2, queues: ['outbox.wake_test'] });
    try {
      await idle();
      await t.db.transaction(async () => {
        await outbox.publish({
          type: 'wake_order.paid',
          aggregateId: 'ord_1',
          payload: { key: 'relayed-1' },
        });
        // Not before the commit: the relay cannot see the row until then.
        await new Promise((r) => setTimeout(r, 300));
      });
      const committed = Date.now();
      await vi.waitFor(
        async () => {
          expect(await effects('relayed-1')).toBe(1);
        },
        {
          timeout: 5_000,
          interval: 20,
        },
      );
      expect(Date.now() - committed).toBeLessThan(5_000);
    } finally {
      stopRelay.abort();
      await relay;
      await worker.stop({ timeoutMs: 5_000 });
    }
    expect(await effects('relayed-1')).toBe(1);
  });
});
