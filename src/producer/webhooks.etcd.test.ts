import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, waitFor, type Receiver } from '../../test/fixtures/webhooks/receiver.js';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import type { Stoppable } from '../platform/modules/descriptor.js';
import type { RunningDelivery } from '../webhooks/service.js';
import { encodeSignBytes } from './sign-bytes.js';
import { etcdClusterUrls, testRoot } from './testing/etcd-env.js';

/**
 * producer.* events reach an operator's webhook endpoint end to end: the producer role
 * on the real etcd cluster publishes them to the outbox, the relay and the webhook ingest
 * fan them out, and the delivery role POSTs them to a receiver on 127.0.0.1, signed as
 * Standard Webhooks (verified with the reference library). A customer's endpoint asking
 * for the same types gets none of them.
 */
const PW = 'correct horse battery staple';
const SYSTEM = { type: 'system' as const, id: 'test' };
const blockA = `${'aa'.repeat(32)}:1:${'bb'.repeat(32)}`;
const blockB = `${'cc'.repeat(32)}:1:${'dd'.repeat(32)}`;
const vote = (height: bigint, blockId: string) =>
  Buffer.from(
    encodeSignBytes({
      kind: 'precommit',
      height,
      round: 0,
      blockId,
      chainId: 'cosmoshub-4',
      timestamp: { seconds: 1_700_000_000n, nanos: 0 },
    }),
  ).toString('base64');

let t: TestApp;
let rx: Receiver;
let delivery: RunningDelivery;
let role: Stoppable | undefined;
let admin: string;
let customer: string;

async function session(email: string) {
  const s = await t.request('POST', '/v1/sessions', { body: { email, password: PW } });
  expect(s.status, s.text).toBe(201);
  return s.body.token as string;
}

async function endpoint(token: string, path: string) {
  const r = await t.request('POST', '/v1/webhook_endpoints', {
    token,
    body: { url: `${rx.url}${path}`, event_types: ['producer.*'] },
  });
  expect(r.status, r.text).toBe(201);
  return { id: r.body.id as string, secret: r.body.secret as string };
}

/** What the scheduler and worker roles do: relay the outbox, run the ingest jobs. */
async function pump() {
  while ((await t.vw.outbox.relayOnce()) > 0) {
    // relay everything
  }
  while ((await t.vw.jobs.runDue({ limit: 100 })) > 0) {
    // ingest everything
  }
}

beforeAll(async () => {
  rx = await startReceiver();
  t = await createTestApp({
    VW_WEBHOOK_SSRF_ALLOW: '127.0.0.1/32',
    VW_WEBHOOK_POLL_MS: '20',
    VW_PRODUCER_REGION: 'eu',
    VW_PRODUCER_ETCD_ENDPOINTS: etcdClusterUrls().join(','),
    VW_PRODUCER_ETCD_PREFIX: testRoot(),
    VW_PRODUCER_LEASE_TTL_SECONDS: '2',
    VW_PRODUCER_LOCK_DELAY_MS: '0',
    VW_PRODUCER_POLL_MS: '50',
    VW_PRODUCER_CHAINS: JSON.stringify([{ key: 'cosmoshub-4', chainId: 'cosmoshub-4' }]),
  });
  await t.vw.identity.createAdmin({ email: 'root@example.com', password: PW }, SYSTEM);
  admin = await session('root@example.com');
  const u = await t.request('POST', '/v1/users', {
    body: { email: 'customer@example.com', password: PW },
  });
  expect(u.status, u.text).toBe(201);
  customer = await session('customer@example.com');
  delivery = await t.vw.webhooks.startDelivery({ concurrency: 4 });
});

afterAll(async () => {
  await role?.stop();
  await delivery.stop();
  await t.close();
  await rx.close();
});

describe('producer events on webhooks', () => {
  it('are delivered to an operator endpoint, signed as Standard Webhooks, and to no customer', async () => {
    const ops = await endpoint(admin, '/ops');
    const theirs = await endpoint(customer, '/customer');

    const key = await t.request('PUT', '/v1/producer/chains/cosmoshub-4/key', {
      token: admin,
      body: {},
    });
    expect(key.status, key.text).toBe(200);
    role = await t.vw.producer.start();
    await waitFor(async () => {
      const s = await t.request('GET', '/v1/producer/chains/cosmoshub-4', { token: admin });
      return s.body.local_state === 'active';
    }, 'eu active');
    const sign = (signBytes: string) =>
      t.request('POST', '/v1/producer/chains/cosmoshub-4/signatures', {
        token: admin,
        body: { sign_bytes: signBytes },
      });
    expect((await sign(vote(7n, blockA))).status).toBe(200);
    expect((await sign(vote(7n, blockB))).body.error?.code).toBe('double_sign_attempt');
    const sw = await t.request('POST', '/v1/producer/chains/cosmoshub-4/switchover', {
      token: admin,
      body: { to: 'us' },
    });
    expect(sw.status, sw.text).toBeLessThan(300);

    const wanted = [
      'producer.region.activated',
      'producer.double_sign_attempt',
      'producer.switchover.requested',
      'producer.region.deactivated',
    ];
    const delivered = () =>
      rx.received
        .filter((r) => r.path === '/ops')
        .map((r) => ({
          r,
          body: JSON.parse(r.body) as { type: string; data: Record<string, unknown> },
        }))
        .filter((x) => x.body.type !== 'webhook.ping');
    await waitFor(async () => {
      await pump();
      const types = new Set(delivered().map((x) => x.body.type));
      return wanted.every((w) => types.has(w));
    }, 'every producer event at the operator endpoint');

    for (const { r, body } of delivered()) {
      // The reference library checks webhook-id, webhook-timestamp and the HMAC.
      expect(new Webhook(ops.secret).verify(r.body, r.headers)).toMatchObject({ type: body.type });
      expect(() => new Webhook(theirs.secret).verify(r.body, r.headers)).toThrow();
    }
    const byType = new Map(delivered().map((x) => [x.body.type, x.body.data]));
    expect(byType.get('producer.double_sign_attempt')).toMatchObject({
      chain: 'cosmoshub-4',
      region: 'eu',
      height: '7',
      block_id: blockB,
      signed_block_id: blockA,
    });
    expect(byType.get('producer.region.deactivated')).toMatchObject({
      chain: 'cosmoshub-4',
      region: 'eu',
      reason: 'switchover',
    });
    expect(byType.get('producer.switchover.requested')).toMatchObject({ to: 'us' });

    // The customer's endpoint, subscribed to the same types, got only its creation ping.
    await pump();
    const customerGot = rx.received
      .filter((r) => r.path === '/customer')
      .map((r) => (JSON.parse(r.body) as { type: string }).type);
    expect(customerGot.filter((x) => x !== 'webhook.ping')).toEqual([]);
  });
});
