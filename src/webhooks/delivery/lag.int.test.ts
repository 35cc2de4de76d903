import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertEndpoint } from '../../../test/fixtures/webhooks/endpoints.js';
import { createTestDb, type TestDb } from '../../../test/support/db.js';
import { newId } from '../../platform/ids.js';
import { createDeliveryLog } from './log.js';

/**
 * Queue lag from PostgreSQL, the figure the autoscaler follows: per endpoint, the age of
 * its oldest message that is due (retrying, or a row handed to the broker) and how many
 * are due. Messages delivered, dead, or due later do not count.
 */
let t: TestDb;

beforeAll(async () => {
  t = await createTestDb();
  for (const id of ['whe_lag_a', 'whe_lag_b', 'whe_lag_c']) await insertEndpoint(t.db, id);
});

afterAll(async () => {
  await t.drop();
});

async function message(endpointId: string, state: string, dueSecondsAgo: number): Promise<void> {
  const id = newId('msg');
  await t.db.query(
    `INSERT INTO webhook_messages (id, endpoint_id, event_id, event_type, body, state, next_attempt_at)
     VALUES ($1, $2, $1, 'payment.completed', '{}', $3, now() - $4 * interval '1 second')`,
    [id, endpointId, state, dueSecondsAgo],
  );
}

describe('queue lag from PostgreSQL', () => {
  it('ages each endpoint by its oldest due message, pending or queued, oldest first', async () => {
    await message('whe_lag_a', 'pending', 30);
    await message('whe_lag_a', 'pending', 5);
    await message('whe_lag_a', 'pending', -60); // due in a minute
    await message('whe_lag_b', 'queued', 90);
    await message('whe_lag_b', 'delivered', 500);
    await message('whe_lag_c', 'failed', 600);
    await message('whe_lag_c', 'delivered', 700);

    const lag = await createDeliveryLog({ db: t.db, wake: () => undefined }).lag();
    expect(lag.map((l) => [l.endpointId, l.due])).toEqual([
      ['whe_lag_b', 1],
      ['whe_lag_a', 2],
    ]);
    expect(lag[0]?.seconds).toBeGreaterThanOrEqual(90);
    expect(lag[0]?.seconds).toBeLessThan(120);
    expect(lag[1]?.seconds).toBeGreaterThanOrEqual(30);
    expect(lag[1]?.seconds).toBeLessThan(60);
  });
});
