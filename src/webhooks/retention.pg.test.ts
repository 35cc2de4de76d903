import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertEndpoint } from '../../test/fixtures/webhooks/endpoints.js';
import type { TestDb } from '../../test/support/db.js';
import {
  executedPlans,
  indexCondsOf,
  lastIssued,
  recordStatements,
  scansOf,
  plansTestDb,
} from '../../test/support/plans.js';
import { idBefore } from '../platform/ids.js';
import { pruneWebhooks } from './retention.js';

/**
 * The retention pass reads only what lies below its cutoff, by primary key: it runs
 * against the biggest tables of the deployment, where a sequential scan costs minutes.
 * Here most rows are old (the first pass after a long outage of the scheduler, or after
 * the retention was shortened), the case most tempting for a sequential scan.
 */
const DAY = 24 * 3600 * 1000;

const NOW = Date.UTC(2026, 11, 5, 12, 0, 0);
let t: TestDb;
let url: string;

beforeAll(async () => {
  ({ t, url } = await plansTestDb());
  await insertEndpoint(t.db, 'whe_plans');
  // Old and recent rows alike: the old ones are what the pass removes.
  await t.db.query(
    `INSERT INTO webhook_messages (id, endpoint_id, event_id, event_type, body, state, delivered_at)
     SELECT CASE WHEN g <= 150000 THEN $1 ELSE $2 END || lpad(g::text, 16, '0'), 'whe_plans',
            'evt_' || g, 'payment.completed', '{}', 'delivered',
            CASE WHEN g <= 150000 THEN $3 ELSE $4 END::timestamptz
       FROM generate_series(1, 200000) g`,
    [
      idBefore('msg', NOW - 30 * DAY),
      idBefore('msg', NOW - DAY),
      new Date(NOW - 30 * DAY),
      new Date(NOW - DAY),
    ],
  );
  await t.db.query(
    `INSERT INTO webhook_attempts (id, message_id, endpoint_id, attempt, outcome)
     SELECT CASE WHEN g <= 150000 THEN $1 ELSE $2 END || lpad(g::text, 16, '0'), 'msg_x',
            'whe_plans', 1, 'failed'
       FROM generate_series(1, 200000) g`,
    [idBefore('wha', NOW - 30 * DAY), idBefore('wha', NOW - DAY)],
  );
  await t.db.exec('ANALYZE webhook_messages');
  await t.db.exec('ANALYZE webhook_attempts');
});

afterAll(async () => {
  await t.drop();
});

describe('webhook retention plans (PostgreSQL)', () => {
  it('finds and removes old messages and attempts through their primary keys', async () => {
    const { db, issued } = recordStatements(t.db);
    // Rolled back by executedPlans below: run the statements first for their parameters.
    expect(await pruneWebhooks(db, 14, NOW)).toBe(300_000);

    for (const [pattern, table] of [
      [/SELECT id FROM webhook_messages/, 'webhook_messages'],
      [/DELETE FROM webhook_messages/, 'webhook_messages'],
      [/DELETE FROM webhook_attempts/, 'webhook_attempts'],
    ] as const) {
      const statement = lastIssued(issued, pattern);
      const plans = await executedPlans(url, statement);
      const scans = scansOf(plans, table);
      expect(scans.length, statement.sql).toBeGreaterThan(0);
      for (const scan of scans) expect(scan, statement.sql).toContain(`${table}_pkey`);
      // And bounded by the key: an index walk filtered on anything else reads it all.
      for (const cond of indexCondsOf(plans, table)) {
        expect(cond, statement.sql).toMatch(/\(id (<|= ANY) /);
      }
    }
  });
});
