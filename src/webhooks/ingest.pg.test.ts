import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import { natsUrl, uniqueStream } from '../../test/fixtures/webhooks/nats.js';

/**
 * Ingest on the NATS engine: an event ingested again while its message is still `queued`
 * (the broker may never have had it) is handed over again, with the body stored the
 * first time, under the same message id.
 */
let t: TestApp;
let nats: string;
const stream = uniqueStream('ingest');

beforeAll(async () => {
  nats = await natsUrl();
  t = await createTestApp({
    VW_WEBHOOK_SSRF_ALLOW: '127.0.0.1/32',
    VW_WEBHOOK_ENGINE: 'nats',
    NATS_URL: nats,
    VW_WEBHOOK_NATS_STREAM: stream,
  });
});

afterAll(async () => {
  await t.close();
  const nc = await connect({ servers: nats });
  await (await jetstreamManager(nc)).streams.delete(stream).catch(() => false);
  await nc.close();
});

it('re-dispatches a still-queued message with its stored body and id', async () => {
  const PW = 'correct horse battery staple';
  await t.request('POST', '/v1/users', { body: { email: 'i@example.com', password: PW } });
  const s = await t.request('POST', '/v1/sessions', {
    body: { email: 'i@example.com', password: PW },
  });
  const e = await t.request('POST', '/v1/webhook_endpoints', {
    token: s.body.token as string,
    body: { url: 'http://127.0.0.1:9/hook', event_types: ['payment.completed'] },
  });
  expect(e.status, e.text).toBe(201);
  const endpointId = e.body.id as string;
  const items = ['a', 'b', 'c'].map((n) => ({
    endpointId,
    eventId: `evt_ingest_${n}`,
    eventType: 'payment.completed',
    body: JSON.stringify({ id: `evt_ingest_${n}`, type: 'payment.completed', data: { n } }),
  }));

  const first = await t.vw.webhooks.ingest.insertMessages(items);
  expect(first.queued.map((q) => q.body)).toEqual(items.map((i) => i.body));

  // The same events again, this time with different bytes offered: the stored ones win.
  const again = await t.vw.webhooks.ingest.insertMessages(
    items.map((i) => ({ ...i, body: '{"changed":true}' })),
  );
  expect(again.count).toBe(3);
  expect(again.queued.map((q) => q.id).sort()).toEqual(first.queued.map((q) => q.id).sort());
  const bodyById = new Map(first.queued.map((q) => [q.id, q.body]));
  for (const q of again.queued) expect(q.body).toBe(bodyById.get(q.id));
});
