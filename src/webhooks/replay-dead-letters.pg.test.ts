import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { merchant, user } from '../../test/fixtures/merchants/setup.js';
import { startReceiver, type Receiver } from '../../test/fixtures/webhooks/receiver.js';
import { createTestApp, type TestApp } from '../../test/support/app.js';

/**
 * "Replay all failed" (the dashboard's and the console's button): `POST /replay` with
 * `only_failed: true` and no range puts every dead letter of the endpoint back, and the
 * healed receiver gets each with its original `webhook-id`. Run with the roles a
 * deployment runs (the scheduler relays the outbox, the worker ingests, `delivery`
 * sends), on real PostgreSQL: a merchant's test-mode endpoint, its ping and a paid
 * invoice's `invoice.paid` both out of attempts.
 */
describe('replaying every dead letter of an endpoint', () => {
  let t: TestApp;
  let rx: Receiver;
  let failing = true;

  beforeAll(async () => {
    rx = await startReceiver();
    rx.respond = () => ({ status: failing ? 500 : 200 });
    t = await createTestApp({
      VW_WEBHOOK_SSRF_ALLOW: '127.0.0.1/32',
      VW_WEBHOOK_POLL_MS: '20',
      VW_WEBHOOK_RETRY_SCHEDULE: '0.05,0.1',
      VW_WEBHOOK_CIRCUIT_THRESHOLD: '1000',
    });
    await t.vw.start(['worker', 'scheduler', 'delivery']);
  });

  afterAll(async () => {
    /* eslint-disable @typescript-eslint/no-unnecessary-condition */
    await t?.close();
    await rx?.close();
    /* eslint-enable @typescript-eslint/no-unnecessary-condition */
  });

  it('puts back every dead letter with only_failed alone, and the receiver gets them', async () => {
    const m = await merchant(t, 'Coffee Co', 'owner@example.com');
    const ep = await t.request('POST', '/v1/webhook_endpoints', {
      token: m.testKey,
      body: { url: `${rx.url}/hooks`, event_types: ['invoice.paid'] },
    });
    expect(ep.status, ep.text).toBe(201);
    const endpointId = ep.body.id as string;
    const invoice = await t.request('POST', '/v1/invoices', {
      token: m.testKey,
      body: { currency: 'USD', amount: '25.00' },
    });
    expect(invoice.status, invoice.text).toBe(201);
    const paid = await t.request('POST', `/v1/invoices/${invoice.body.id}/test_payments`, {
      token: m.testKey,
      body: { asset: 'USD' },
    });
    expect(paid.body.status, paid.text).toBe('paid');

    const op = await user(t, 'op@example.com', 'operator');
    const deadLetters = async () =>
      (
        await t.request('GET', `/v1/webhook_endpoints/${endpointId}/dead_letters`, {
          token: op.token,
        })
      ).body.data as { id: string; event_type: string }[];
    await expect
      .poll(async () => (await deadLetters()).map((d) => d.event_type).sort(), {
        timeout: 60_000,
        interval: 200,
      })
      .toEqual(['invoice.paid', 'webhook.ping']);
    const dead = await deadLetters();

    // A range field of another selector still has to come whole; nothing at all is refused.
    for (const body of [{}, { only_failed: false }, { only_failed: true, since: 'x' }]) {
      const refused = await t.request('POST', `/v1/webhook_endpoints/${endpointId}/replay`, {
        token: op.token,
        body,
      });
      expect(refused.status, JSON.stringify(body)).toBe(400);
    }

    failing = false;
    const before = rx.received.length;
    const replay = await t.request('POST', `/v1/webhook_endpoints/${endpointId}/replay`, {
      token: op.token,
      body: { only_failed: true },
    });
    expect(replay.status, replay.text).toBe(200);
    expect(replay.body).toEqual({ object: 'webhook_replay', replayed: 2 });

    // Each dead letter reaches the healed receiver, under the webhook-id it had.
    await expect
      .poll(
        () =>
          rx.received
            .slice(before)
            .filter((r) => r.status === 200)
            .map((r) => r.headers['webhook-id'])
            .sort(),
        { timeout: 30_000, interval: 100 },
      )
      .toEqual(dead.map((d) => d.id).sort());
    const types = rx.received
      .slice(before)
      .map((r) => (JSON.parse(r.body) as { type: string }).type)
      .sort();
    expect(types).toEqual(['invoice.paid', 'webhook.ping']);
    await expect.poll(async () => (await deadLetters()).length, { timeout: 30_000 }).toBe(0);

    // Delivered messages are not dead letters: a second "replay all" puts nothing back.
    const again = await t.request('POST', `/v1/webhook_endpoints/${endpointId}/replay`, {
      token: op.token,
      body: { only_failed: true },
    });
    expect(again.body.replayed).toBe(0);
  }, 120_000);
});
