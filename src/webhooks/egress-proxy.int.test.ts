import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startConnectProxy,
  type ConnectProxy,
} from '../../test/fixtures/webhooks/connect-proxy.js';
import { startReceiver, waitFor, type Receiver } from '../../test/fixtures/webhooks/receiver.js';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import type { RunningDelivery } from './service.js';

let t: TestApp;
let rx: Receiver;
let proxy: ConnectProxy;
let delivery: RunningDelivery;

beforeAll(async () => {
  rx = await startReceiver();
  proxy = await startConnectProxy();
  t = await createTestApp({
    VW_WEBHOOK_SSRF_ALLOW: '127.0.0.1/32',
    VW_WEBHOOK_PROXY: proxy.url.toString(),
    VW_WEBHOOK_POLL_MS: '20',
  });
  delivery = await t.vw.webhooks.startDelivery({ concurrency: 4 });
});

afterAll(async () => {
  await delivery.stop();
  await t.close();
  await proxy.close();
  await rx.close();
});

describe('webhook delivery through VW_WEBHOOK_PROXY', () => {
  it('sends an endpoint’s webhooks through a CONNECT tunnel to the receiver', async () => {
    const email = 'proxied@example.com';
    const password = 'correct horse battery staple';
    expect((await t.request('POST', '/v1/users', { body: { email, password } })).status).toBe(201);
    const session = await t.request('POST', '/v1/sessions', { body: { email, password } });
    const r = await t.request('POST', '/v1/webhook_endpoints', {
      token: session.body.token as string,
      body: { url: `${rx.url}/proxied`, event_types: ['payment.completed'] },
    });
    expect(r.status, r.text).toBe(201);
    // The creation ping: delivered, and through the proxy.
    await waitFor(() => rx.received.some((q) => q.path === '/proxied'), 'the ping');
    expect(proxy.asked).toEqual([`127.0.0.1:${rx.port}`]);
    const token = session.body.token as string;
    const attempts = async () => {
      const a = await t.request('GET', `/v1/webhook_endpoints/${r.body.id as string}/attempts`, {
        token,
      });
      return (a.body.data ?? []) as { outcome: string; status_code: number | null }[];
    };
    let recorded: { outcome: string; status_code: number | null }[] = [];
    await waitFor(async () => (recorded = await attempts()).length > 0, 'the attempt recorded');
    expect(recorded[0]).toMatchObject({ outcome: 'delivered', status_code: 200 });
  });
});
