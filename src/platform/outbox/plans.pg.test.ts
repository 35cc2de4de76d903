import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDb } from '../../../test/support/db.js';
import {
  estimatedRows,
  executedPlans,
  lastIssued,
  nodeTypes,
  recordStatements,
  scansOf,
  plansTestDb,
} from '../../../test/support/plans.js';
import { idBefore } from '../ids.js';
import { createLogger } from '../observability/logger.js';
import { createPostgresJobQueue } from '../queue/postgres.js';
import { createOutbox } from './outbox.js';

/**
 * The relay's claim keeps its plan when the statistics lie: taken on an empty table (a
 * new install, a restore) and then a burst of events faster than autovacuum analyses
 * the table. Autovacuum is off for `outbox_events` here so that the lie lasts the test.
 */

const DAY = 24 * 3600 * 1000;

/** An outbox (and its job queue) whose statements are recorded for replay. */
function recordingOutbox() {
  const { db, issued } = recordStatements(t.db);
  const logger = createLogger({ level: 'silent' });
  const registry = new Registry();
  const jobs = createPostgresJobQueue({
    db: t.db,
    logger,
    registry,
    instanceId: 'plans-test',
    visibilityMs: 30_000,
    pollMs: 1_000,
  });
  return { outbox: createOutbox({ db, jobs, logger, registry }), issued };
}
let t: TestDb;
let url: string;

beforeAll(async () => {
  ({ t, url } = await plansTestDb());
  await t.db.exec('ALTER TABLE outbox_events SET (autovacuum_enabled = false)');
});

afterAll(async () => {
  await t.drop();
});

describe('outbox relay plan under stale statistics (PostgreSQL)', () => {
  it('takes the oldest undispatched events by walking the pending index', async () => {
    const backlog = 12_000;
    await t.db.exec('ANALYZE outbox_events');
    await t.db.query(
      `INSERT INTO outbox_events (id, type, aggregate_id, payload)
       SELECT 'evt_plan_' || lpad(g::text, 6, '0'), 'payment.completed', 'pay_' || g % 100, '{}'
         FROM generate_series(1, $1::int) g`,
      [backlog],
    );
    expect(
      await estimatedRows(t.db, 'SELECT 1 FROM outbox_events WHERE dispatched_at IS NULL'),
    ).toBeLessThan(backlog / 10);

    const { outbox, issued } = recordingOutbox();
    outbox.subscribe('plans.sink', ['payment.*'], () => Promise.resolve());

    expect(await outbox.relayOnce({ limit: 100 })).toBe(100);
    const oldest = Array.from(
      { length: 100 },
      (_, i) => `evt_plan_${String(i + 1).padStart(6, '0')}`,
    );
    const dispatched = await t.db.query<{ id: string }>(
      'SELECT id FROM outbox_events WHERE dispatched_at IS NOT NULL ORDER BY id',
    );
    expect(dispatched.rows.map((r) => r.id)).toEqual(oldest);
    const fannedOut = await t.db.query<{ dedupe_key: string }>(
      "SELECT dedupe_key FROM jobs WHERE queue = 'outbox.plans.sink' ORDER BY dedupe_key",
    );
    expect(fannedOut.rows.map((r) => r.dedupe_key)).toEqual(oldest);

    // The pass's first statement is its claim (the rest enqueue and stamp).
    const claim = issued[0];
    if (!claim) throw new Error('the relay issued nothing');
    const plans = await executedPlans(url, claim);
    expect(scansOf(plans, 'outbox_events')).toEqual(['Index Scan using outbox_events_pending_idx']);
    expect(nodeTypes(plans)).not.toContain('Sort');
  });

  it('prunes old dispatched events by an id range, not by reading the whole table', async () => {
    // 200,000 dispatched events, three quarters of them written and dispatched 30 days ago.
    await t.db.query(
      `INSERT INTO outbox_events (id, type, aggregate_id, payload, created_at, dispatched_at)
       SELECT CASE WHEN g <= 150000 THEN $1 ELSE $2 END || lpad(g::text, 16, '0'),
              'payment.completed', 'pay_' || g % 100, '{}', now(),
              CASE WHEN g <= 150000 THEN now() - interval '30 days' ELSE now() END
         FROM generate_series(1, 200000) g`,
      [idBefore('evt', Date.now() - 30 * DAY), idBefore('evt', Date.now() - 60_000)],
    );
    await t.db.exec('ANALYZE outbox_events');
    const { outbox, issued } = recordingOutbox();
    expect(await outbox.pruneDispatched(7 * DAY)).toBe(150_000);

    const prune = lastIssued(issued, /DELETE FROM outbox_events/);
    const plans = await executedPlans(url, prune);
    expect(scansOf(plans, 'outbox_events').sort()).toEqual([
      'Index Scan using outbox_events_id_key',
      'Index Scan using outbox_events_pkey',
    ]);
  });
});
