import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/app.js';
import { waitFor } from '../../../test/fixtures/webhooks/receiver.js';
import type { RunningDelivery } from '../service.js';

/**
 * `VW_WEBHOOK_FLEET_HEARTBEAT_MS` reaches the delivery fleet: a process started without
 * a heartbeat of its own beats at the configured pace, and stops counting a worker that
 * died (its row three of those heartbeats old) within that time, not the 5 s default's.
 */

let t: TestApp;
let delivery: RunningDelivery | undefined;

beforeAll(async () => {
  t = await createTestApp({ VW_WEBHOOK_FLEET_HEARTBEAT_MS: '500', VW_INSTANCE_ID: 'hb-live' });
});

afterAll(async () => {
  await delivery?.stop();
  await t.close();
});

describe('delivery fleet heartbeat', () => {
  it('follows the configured heartbeat and drops a dead worker after three of them', async () => {
    // A worker that beat once, at the same pace, and then died without leaving.
    await t.vw.db.query(
      `INSERT INTO webhook_workers (id, instance_id, expires_at)
       VALUES ($1, 'hb-dead', now() + interval '1500 milliseconds')`,
      [randomUUID()],
    );
    const started = Date.now();
    delivery = await t.vw.webhooks.startDelivery({ concurrency: 4 });
    expect(delivery.fleet.size).toBe(2);

    const { rows } = await t.vw.db.query<{ ms: number }>(
      `SELECT (extract(epoch FROM expires_at - heartbeat_at) * 1000)::float8 AS ms
         FROM webhook_workers WHERE instance_id = 'hb-live'`,
    );
    expect(rows.map((r) => Math.round(r.ms))).toEqual([1500]);

    // Expected after ~2 s (its row expires at 1.5 s, the next recount follows within
    // 0.5 s); with the 5 s default the first recount would come after 5 s. The slack is
    // for a loaded test machine.
    await waitFor(() => delivery?.fleet.size === 1, 'the dead worker no longer counts', 4000);
    expect(Date.now() - started).toBeLessThan(4000);
    const live = await t.request('GET', '/metrics');
    expect(live.text).toMatch(/^vaultwire_webhook_delivery_workers\{[^}]*\} 1$/m);
  });
});
