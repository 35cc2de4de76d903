import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import { spawnVaultwire, type VaultwireProcess } from '../../test/support/process.js';
import { startReceiver, waitFor, type Receiver } from '../../test/fixtures/webhooks/receiver.js';

/**
 * A `delivery` process polls only once a minute here, and ingest runs in another process
 * (this one): the webhook still arrives within seconds, because ingest's notification
 * wakes the delivery loop. Polling could not do it.
 */

const PW = 'correct horse battery staple';
let rx: Receiver;
let t: TestApp;
let delivery: VaultwireProcess | undefined;

beforeAll(async () => {
  rx = await startReceiver();
  t = await createTestApp({ VW_WEBHOOK_SSRF_ALLOW: '127.0.0.1/32' });
}, 300_000);
afterAll(async () => {
  delivery?.kill('SIGTERM');
  await delivery?.exited;
  await t.close();
  await rx.close();
});

describe('webhook delivery wake-ups across processes', () => {
  it('a message written by another process is delivered within seconds though the poll is a minute', async () => {
    await t.request('POST', '/v1/users', { body: { email: 'wake@example.com', password: PW } });
    const s = await t.request('POST', '/v1/sessions', {
      body: { email: 'wake@example.com', password: PW },
    });
    const e = await t.request('POST', '/v1/webhook_endpoints', {
      token: s.body.token as string,
      body: { url: `${rx.url}/wake`, event_types: ['payment.completed'] },
    });
    expect(e.status, e.text).toBe(201);
    if (!t.testDb.url) throw new Error('no database url');
    delivery = spawnVaultwire(['start'], {
      DATABASE_URL: t.testDb.url,
      VW_DATA_DIR: mkdtempSync(join(tmpdir(), 'vw-delivery-wake-')),
      VW_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
      LOG_LEVEL: 'info',
      VW_ROLES: 'delivery',
      VW_INSTANCE_ID: 'wake-delivery',
      VW_WEBHOOK_SSRF_ALLOW: '127.0.0.1/32',
      VW_WEBHOOK_POLL_MS: '60000',
    });
    await delivery.waitForLog('webhook delivery running', 120_000);
    // Its first claims (at start, and when its LISTEN connection came up) are over.
    await new Promise((r) => setTimeout(r, 1_000));

    const written = Date.now();
    await t.vw.webhooks.ingest.createMessages([
      {
        endpointId: e.body.id as string,
        eventId: 'evt_wake_1',
        eventType: 'payment.completed',
        body: JSON.stringify({ id: 'evt_wake_1', type: 'payment.completed', data: {} }),
      },
    ]);
    // (The endpoint's own creation message went out at the process's start.)
    const arrived = () =>
      rx.received.filter(
        (r) => r.path === '/wake' && (JSON.parse(r.body) as { id: string }).id === 'evt_wake_1',
      );
    await waitFor(() => arrived().length > 0, 'the webhook', 10_000);
    expect(Date.now() - written).toBeLessThan(10_000);
    expect(arrived()).toHaveLength(1);
  });
});
