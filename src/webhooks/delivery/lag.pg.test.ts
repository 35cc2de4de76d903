import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertEndpoint } from '../../../test/fixtures/webhooks/endpoints.js';
import type { TestDb } from '../../../test/support/db.js';
import {
  executedPlans,
  lastIssued,
  plansTestDb,
  recordStatements,
  scansOf,
} from '../../../test/support/plans.js';
import { createDeliveryLog } from './log.js';

/**
 * The queue-lag query runs at every scrape of every process's /metrics: it must read the
 * due rows through their partial indexes, never the whole table, which is mostly
 * delivered history (200,000 rows here, 100 of them due).
 */
let t: TestDb;
let url: string;

beforeAll(async () => {
  ({ t, url } = await plansTestDb());
  await insertEndpoint(t.db, 'whe_lagplan');
  await t.db.query(
    `INSERT INTO webhook_messages (id, endpoint_id, event_id, event_type, body, state,
                                   next_attempt_at, delivered_at)
     SELECT 'msg_lagplan_' || lpad(g::text, 7, '0'), 'whe_lagplan', 'evt_' || g,
            'payment.completed', '{}',
            CASE WHEN g % 2000 = 0 THEN 'pending' WHEN g % 2000 = 1 THEN 'queued'
                 ELSE 'delivered' END,
            now() - interval '1 minute',
            CASE WHEN g % 2000 > 1 THEN now() END
       FROM generate_series(1, 200000) g`,
  );
  await t.db.exec('ANALYZE webhook_messages');
});

afterAll(async () => {
  await t.drop();
});

describe('queue lag plan (PostgreSQL)', () => {
  it('reads pending and queued rows through their partial indexes', async () => {
    const { db, issued } = recordStatements(t.db);
    const lag = await createDeliveryLog({ db, wake: () => undefined }).lag();
    expect(lag).toEqual([{ endpointId: 'whe_lagplan', seconds: expect.any(Number), due: 200 }]);
    const plans = await executedPlans(url, lastIssued(issued, /FROM webhook_messages/));
    expect(scansOf(plans, 'webhook_messages').sort()).toEqual([
      'Index Scan using webhook_messages_due_idx',
      'Index Scan using webhook_messages_queued_idx',
    ]);
  });
});
