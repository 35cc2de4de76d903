import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import {
  startReceiver,
  waitFor,
  type Receiver,
  type ReceivedRequest,
  type Reply,
} from '../../test/fixtures/webhooks/receiver.js';
import type { RunningDelivery } from './service.js';

const PW = 'correct horse battery staple';

let t: TestApp;
let rx: Receiver;
let delivery: RunningDelivery;
let alice: { id: string; token: string };
let bob: { id: string; token: string };
const behaviours = new Map<string, (req: ReceivedRequest, n: number) => Reply>();
const counts = new Map<string, number>();

async function user(email: string) {
  const r = await t.request('POST', '/v1/users', { body: { email, password: PW } });
  expect(r.status, r.text).toBe(201);
  const s = await t.request('POST', '/v1/sessions', { body: { email, password: PW } });
  expect(s.status, s.text).toBe(201);
  return { id: r.body.id as string, token: s.body.token as string };
}

async function endpoint(
  token: string,
  path: string,
  extra: Record<string, unknown> = {},
): Promise<{ id: string; secret: string }> {
  const r = await t.request('POST', '/v1/webhook_endpoints', {
    token,
    body: { url: `${rx.url}${path}`, event_types: ['deposit.*', 'payment.completed'], ...extra },
  });
  expect(r.status, r.text).toBe(201);
  return { id: r.body.id as string, secret: r.body.secret as string };
}

const at = (path: string) => rx.received.filter((r) => r.path === path);
const events = (path: string) =>
  at(path).map((r) => JSON.parse(r.body) as { id: string; type: string });
/** Events the receiver acknowledged with a 2xx (in arrival order). */
const acked = (path: string) =>
  at(path)
    .filter((r) => (r.status ?? 0) >= 200 && (r.status ?? 0) < 300)
    .map((r) => JSON.parse(r.body) as { id: string; type: string });

/** Publishes platform events the way other modules do, then runs the relay and ingest. */
async function publish(
  type: string,
  userId: string,
  n: number,
  tag: string,
  firstSeq = 0,
): Promise<void> {
  await t.vw.db.transaction(async () => {
    for (let i = 0; i < n; i++) {
      await t.vw.outbox.publish({
        type,
        aggregateId: `pay_${tag}_${i}`,
        // Owned by `userId` whichever side it names: a deposit's user, a payment's payer.
        payload: {
          id: `pay_${tag}_${i}`,
          user_id: userId,
          from_user_id: userId,
          to_user_id: 'usr_elsewhere',
          seq: firstSeq + i,
        },
      });
    }
  });
  while ((await t.vw.outbox.relayOnce()) > 0) {
    // fan out everything
  }
  while ((await t.vw.jobs.runDue({ limit: 100 })) > 0) {
    // run every ingest job
  }
}

beforeAll(async () => {
  rx = await startReceiver();
  rx.respond = (req, n) => {
    const key = req.path;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    return behaviours.get(key)?.(req, counts.get(key) ?? n) ?? { status: 200 };
  };
  t = await createTestApp({
    VW_WEBHOOK_SSRF_ALLOW: '127.0.0.1/32',
    // Seven attempts over about 6 s: the test-sized version of the three-day schedule.
    VW_WEBHOOK_RETRY_SCHEDULE: '0.05,0.1,0.2,0.4,0.8,1.6,3.2',
    VW_WEBHOOK_POLL_MS: '20',
    // Well above a loopback answer even while PGlite, in this process, holds the event loop.
    VW_WEBHOOK_TIMEOUT_MS: '1500',
    VW_WEBHOOK_VISIBILITY_MS: '3000',
    // The breaker's own rules are unit-tested; here it would only stretch the schedule.
    VW_WEBHOOK_CIRCUIT_THRESHOLD: '1000',
  });
  alice = await user('alice@example.com');
  bob = await user('bob@example.com');
  delivery = await t.vw.webhooks.startDelivery({ concurrency: 32 });
});

afterAll(async () => {
  await delivery.stop();
  await t.close();
  await rx.close();
});

describe('webhook endpoints', () => {
  it('show the secret once, ping on creation, and sign what the reference library verifies', async () => {
    const e = await endpoint(alice.token, '/ping');
    expect(e.secret).toMatch(/^whsec_/);
    await waitFor(() => at('/ping').length === 1, 'the creation ping');
    const ping = at('/ping')[0];
    if (!ping) throw new Error('no ping');
    const body = new Webhook(e.secret).verify(ping.body, ping.headers) as {
      type: string;
      data: { endpoint_id: string };
    };
    expect(body.type).toBe('webhook.ping');
    expect(body.data.endpoint_id).toBe(e.id);
    expect(ping.headers['webhook-id']).toMatch(/^msg_/);

    const got = await t.request('GET', `/v1/webhook_endpoints/${e.id}`, { token: alice.token });
    expect(got.status).toBe(200);
    expect(got.body.secret).toBeUndefined();
    expect(got.body.status).toBe('active');
    // Another customer cannot see it.
    const other = await t.request('GET', `/v1/webhook_endpoints/${e.id}`, { token: bob.token });
    expect(other.status).toBe(404);
  });

  it('deliver platform events only to their owner, signed with both secrets during a rotation', async () => {
    const mine = await endpoint(alice.token, '/owner-a');
    await endpoint(bob.token, '/owner-b');
    await publish('deposit.confirmed', alice.id, 3, 'own');
    await waitFor(
      () => events('/owner-a').filter((b) => b.type === 'deposit.confirmed').length === 3,
      'alice gets 3',
    );
    expect(events('/owner-b').filter((b) => b.type === 'deposit.confirmed')).toHaveLength(0);

    const rot = await t.request('POST', `/v1/webhook_endpoints/${mine.id}/rotate_secret`, {
      token: alice.token,
      body: { overlap_seconds: 3600 },
    });
    expect(rot.status, rot.text).toBe(200);
    const next = rot.body.secret as string;
    expect(next).not.toBe(mine.secret);
    await publish('deposit.confirmed', alice.id, 1, 'rot');
    // The event published after the rotation (a busy machine may also deliver an earlier one
    // again after its timeout: that one is not what this checks).
    const rotated = () => at('/owner-a').find((r) => r.body.includes('"pay_rot_0"'));
    await waitFor(() => rotated() !== undefined, 'rotated delivery');
    const last = rotated();
    if (!last) throw new Error('none');
    expect(last.headers['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(new Webhook(mine.secret).verify(last.body, last.headers)).toBeTruthy();
    expect(new Webhook(next).verify(last.body, last.headers)).toBeTruthy();
  });

  it('send each platform event to the users it belongs to, and operators only operator events', async () => {
    const carol = await user('carol@example.com');
    await t.vw.identity.changeRole(carol.id, 'operator', { type: 'system', id: 'test' });
    const ops = await t.request('POST', '/v1/sessions', {
      body: { email: 'carol@example.com', password: PW },
    });
    // Every family the wallet publishes can be named.
    const types = [
      'payment.completed',
      'payment_request.*',
      'fiat_deposit.*',
      'adjustment.*',
      'wallet.*',
    ];
    const ids = {
      alice: (await endpoint(alice.token, '/mine-alice', { event_types: types })).id,
      bob: (await endpoint(bob.token, '/mine-bob', { event_types: types })).id,
      ops: (await endpoint(ops.body.token as string, '/mine-ops', { event_types: types })).id,
    };
    await t.vw.db.transaction(async () => {
      const emit = (type: string, payload: Record<string, unknown>) =>
        t.vw.outbox.publish({ type, aggregateId: String(payload['id']), payload });
      await emit('payment.completed', {
        id: 'pay_own',
        from_user_id: alice.id,
        to_user_id: bob.id,
      });
      await emit('payment_request.created', {
        id: 'preq_own',
        requester_user_id: bob.id,
        payer_user_id: alice.id,
      });
      await emit('fiat_deposit.settled', { id: 'fdep_own', user_id: alice.id });
      await emit('adjustment.created', { id: 'adj_own', user_id: bob.id });
    });
    while ((await t.vw.outbox.relayOnce()) > 0) {
      // fan out
    }
    while ((await t.vw.jobs.runDue({ limit: 100 })) > 0) {
      // ingest
    }
    const messages = async (endpointId: string) => {
      const { rows } = await t.vw.db.query<{ event_type: string }>(
        `SELECT event_type FROM webhook_messages WHERE endpoint_id = $1 AND event_type <> 'webhook.ping'
          ORDER BY event_type`,
        [endpointId],
      );
      return rows.map((r) => r.event_type);
    };
    // Payer and payee both; the operator only what operators act on.
    expect(await messages(ids.alice)).toEqual([
      'fiat_deposit.settled',
      'payment.completed',
      'payment_request.created',
    ]);
    expect(await messages(ids.bob)).toEqual([
      'adjustment.created',
      'payment.completed',
      'payment_request.created',
    ]);
    expect(await messages(ids.ops)).toEqual(['adjustment.created']);
    await waitFor(
      () => events('/mine-bob').some((b) => b.type === 'payment.completed'),
      'the payee gets payment.completed',
    );

    // The catalogue lists what the modules publish, and says who receives each.
    const cat = await t.request('GET', '/v1/event_types', { token: alice.token });
    expect(cat.status, cat.text).toBe(200);
    const byType = new Map(
      (cat.body.data as { type: string; audience: string; source: string }[]).map((e) => [
        e.type,
        e,
      ]),
    );
    expect(byType.get('payment.completed')).toMatchObject({ source: 'wallet', audience: 'owners' });
    expect(byType.get('adjustment.created')?.audience).toBe('owners_and_operators');
    expect(byType.get('deposit.confirmed')?.source).toBe('chains');
    for (const type of [
      'fiat_withdrawal.failed',
      'wallet.frozen',
      'payment_request.paid',
      'tx.dropped',
    ]) {
      expect(byType.has(type), type).toBe(true);
    }
    // Families of modules that do not exist are not offered.
    const r = await t.request('POST', '/v1/webhook_endpoints', {
      token: alice.token,
      body: { url: `${rx.url}/x`, event_types: ['coupon.*'] },
    });
    expect([r.status, r.body.error.code]).toEqual([400, 'event_type_unknown']);
  });

  it('refuse bad input with typed 4xx errors', async () => {
    const bad = async (body: Record<string, unknown>) =>
      t.request('POST', '/v1/webhook_endpoints', { token: alice.token, body });
    let r = await bad({ url: 'not a url', event_types: ['deposit.confirmed'] });
    expect([r.status, r.body.error.code]).toEqual([400, 'url_invalid']);
    r = await bad({ url: `${rx.url}/x`, event_types: ['nonsense.thing'] });
    expect([r.status, r.body.error.code, r.body.error.param]).toEqual([
      400,
      'event_type_unknown',
      'event_types',
    ]);
    r = await bad({ url: `${rx.url}/x`, event_types: [] });
    expect(r.status).toBe(400);
    r = await bad({ url: `${rx.url}/x`, event_types: ['deposit.confirmed'], extra: 1 });
    expect(r.status).toBe(400);
    r = await bad({ url: 'https://user:pw@example.com/x', event_types: ['deposit.confirmed'] });
    expect([r.status, r.body.error.code]).toEqual([400, 'url_has_credentials']);

    const e = await endpoint(alice.token, '/bad-input');
    const sub = async (body: Record<string, unknown>) =>
      t.request('POST', '/v1/webhook_subscriptions', {
        token: alice.token,
        body: { endpoint_id: e.id, ...body },
      });
    r = await sub({ kind: 'address_activity', chain: 'nochain', addresses: [] });
    expect(r.status).toBe(400);
    r = await sub({ kind: 'address_activity', chain: 'nochain' });
    expect([r.status, r.body.error.code]).toEqual([400, 'chain_unknown']);

    // Replay takes exactly one selector; nothing given is silently ignored.
    const replay = (body: Record<string, unknown>) =>
      t.request('POST', `/v1/webhook_endpoints/${e.id}/replay`, { token: alice.token, body });
    const hour = {
      since: new Date(Date.now() - 3600_000).toISOString(),
      until: new Date().toISOString(),
    };
    for (const body of [
      { message_id: 'msg_none', ...hour },
      { message_id: 'msg_none', since: hour.since },
      { message_id: 'msg_none', from_block: '1', to_block: '2' },
      { ...hour, from_block: '1', to_block: '2' },
      { since: hour.since },
      { from_block: '1' },
      { chain: 'nochain' },
    ]) {
      r = await replay(body);
      expect([JSON.stringify(body), r.status, r.body.error?.code]).toEqual([
        JSON.stringify(body),
        400,
        'replay_range_invalid',
      ]);
    }
    r = await replay({ from_block: '1', to_block: '2', chain: 'nochain' });
    expect([r.status, r.body.error.code, r.body.error.param]).toEqual([
      400,
      'chain_unknown',
      'chain',
    ]);
  });

  it('refuse endpoints at private addresses without the operator allowlist', async () => {
    const strict = await createTestApp({ VW_WEBHOOK_SSRF_ALLOW: '' });
    try {
      const r0 = await strict.request('POST', '/v1/users', {
        body: { email: 's@example.com', password: PW },
      });
      expect(r0.status).toBe(201);
      const s = await strict.request('POST', '/v1/sessions', {
        body: { email: 's@example.com', password: PW },
      });
      const token = s.body.token as string;
      for (const url of [
        `${rx.url}/x`,
        'http://10.1.2.3/hook',
        'http://169.254.169.254/latest/meta-data',
        `http://localhost:${rx.port}/x`,
        'http://[::1]/x',
        'http://[::ffff:127.0.0.1]/x',
      ]) {
        const r = await strict.request('POST', '/v1/webhook_endpoints', {
          token,
          body: { url, event_types: ['deposit.confirmed'] },
        });
        expect([url, r.status, r.body.error.code]).toEqual([url, 400, 'url_forbidden_address']);
      }
    } finally {
      await strict.close();
    }
  });

  it('require https outside the dev profile', async () => {
    const qa = await createTestApp({ VW_PROFILE: 'qa', VW_WEBHOOK_SSRF_ALLOW: '127.0.0.1/32' });
    try {
      await qa.request('POST', '/v1/users', { body: { email: 'q@example.com', password: PW } });
      const s = await qa.request('POST', '/v1/sessions', {
        body: { email: 'q@example.com', password: PW },
      });
      const r = await qa.request('POST', '/v1/webhook_endpoints', {
        token: s.body.token as string,
        body: { url: `${rx.url}/x`, event_types: ['deposit.confirmed'] },
      });
      expect([r.status, r.body.error.code]).toEqual([400, 'url_not_https']);
    } finally {
      await qa.close();
    }
  });
});

describe('delivery under faults', () => {
  it('retries 500s, timeouts, redirects and throttling until delivered, with one webhook-id per message', async () => {
    const paths = ['/flaky-500', '/flaky-slow', '/flaky-redirect', '/flaky-429'];
    behaviours.set('/flaky-500', (_r, n) => (n <= 4 ? { status: 500 } : { status: 200 }));
    behaviours.set('/flaky-slow', (_r, n) =>
      n <= 3 ? { status: 200, delayMs: 2500 } : { status: 200 },
    );
    behaviours.set('/flaky-redirect', (_r, n) =>
      n <= 3 ? { status: 302, headers: { location: `${rx.url}/elsewhere` } } : { status: 200 },
    );
    behaviours.set('/flaky-429', (_r, n) =>
      n <= 2 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 },
    );
    const ids = new Map<string, string>();
    for (const p of paths) ids.set(p, (await endpoint(alice.token, p)).id);
    await publish('payment.completed', alice.id, 5, 'faults');

    for (const p of paths) {
      await waitFor(() => {
        const ok = new Set(
          acked(p)
            .filter((b) => b.type === 'payment.completed')
            .map((b) => b.id),
        );
        return ok.size === 5;
      }, `all 5 events at ${p}`);
    }
    expect(at('/elsewhere')).toHaveLength(0); // redirects are never followed
    for (const p of paths) {
      const byEvent = new Map<string, Set<string>>();
      for (const r of at(p)) {
        const b = JSON.parse(r.body) as { id: string; type: string };
        if (b.type !== 'payment.completed') continue;
        const ids = byEvent.get(b.id) ?? new Set();
        ids.add(r.headers['webhook-id'] ?? '');
        byEvent.set(b.id, ids);
      }
      for (const ids of byEvent.values()) expect(ids.size).toBe(1);
    }
    // Retry-After is honoured: a message whose attempt was answered 429 was not tried again
    // within a second. The attempt log says which attempts the sender saw as throttled (on a
    // busy machine a 429 can arrive after the sender's timeout: that attempt is a timeout,
    // retried on the timeout schedule); the receiver's clock says when each attempt arrived
    // (the log's own times are when its batch was written, a moment after the answer).
    type Logged = { message_id: string; attempt: number; outcome: string };
    let log: Logged[] = [];
    await waitFor(async () => {
      const r = await t.request(
        'GET',
        `/v1/webhook_endpoints/${ids.get('/flaky-429') ?? ''}/attempts?limit=100`,
        {
          token: alice.token,
        },
      );
      log = r.body.data as Logged[];
      return log.filter((a) => a.outcome === 'delivered').length >= 5;
    }, 'the /flaky-429 attempts logged');
    const arrivals = (messageId: string) =>
      at('/flaky-429')
        .filter((r) => r.headers['webhook-id'] === messageId)
        .map((r) => r.at)
        .sort((a, b) => a - b);
    const throttledThenTried: number[] = [];
    for (const a of log) {
      if (a.outcome !== 'throttled') continue;
      // Every attempt reached the receiver (it never went down): attempt n is arrival n.
      const times = arrivals(a.message_id);
      const answered = times[a.attempt - 1];
      const next = times[a.attempt];
      if (answered !== undefined && next !== undefined) throttledThenTried.push(next - answered);
    }
    expect(throttledThenTried.length).toBeGreaterThan(0);
    for (const gap of throttledThenTried) expect(gap).toBeGreaterThanOrEqual(990);
  });

  it('delivers everything after a receiver outage, logs the attempts, and 410 disables the endpoint', async () => {
    const e = await endpoint(alice.token, '/outage');
    await waitFor(() => at('/outage').length >= 1, 'ping before the outage');
    await rx.down();
    await publish('payment.completed', alice.id, 6, 'outage');
    // Failing attempts pile up while it is down.
    await waitFor(async () => {
      const r = await t.request('GET', `/v1/webhook_endpoints/${e.id}/attempts?limit=100`, {
        token: alice.token,
      });
      return (r.body.data as { outcome: string }[]).some((a) => a.outcome === 'network');
    }, 'failed attempts logged');
    await rx.up();
    await waitFor(
      () =>
        new Set(
          acked('/outage')
            .filter((b) => b.type === 'payment.completed')
            .map((b) => b.id),
        ).size === 6,
      'every event after recovery',
    );
    // Outcomes are written in batches, a moment after the receiver has answered.
    let outcomes = new Set<string>();
    await waitFor(async () => {
      const log = await t.request('GET', `/v1/webhook_endpoints/${e.id}/attempts?limit=100`, {
        token: alice.token,
      });
      expect(log.status).toBe(200);
      outcomes = new Set((log.body.data as { outcome: string }[]).map((a) => a.outcome));
      return outcomes.has('delivered');
    }, 'the deliveries logged');
    expect(outcomes.has('network')).toBe(true);

    behaviours.set('/gone', () => ({ status: 410 }));
    const gone = await endpoint(alice.token, '/gone');
    await waitFor(async () => {
      const r = await t.request('GET', `/v1/webhook_endpoints/${gone.id}`, { token: alice.token });
      return r.body.status === 'disabled';
    }, 'disabled after 410');
    const dl = await t.request('GET', `/v1/webhook_endpoints/${gone.id}/dead_letters`, {
      token: alice.token,
    });
    expect(dl.body.data).toHaveLength(1);
    // The notice reaches the owner's other endpoints that take it.
    const watcher = await t.request('POST', '/v1/webhook_endpoints', {
      token: alice.token,
      body: { url: `${rx.url}/notices`, event_types: ['webhook.endpoint.disabled'] },
    });
    expect(watcher.status).toBe(201);
    behaviours.set('/gone2', () => ({ status: 410 }));
    const gone2 = await endpoint(alice.token, '/gone2');
    await waitFor(async () => {
      const r = await t.request('GET', `/v1/webhook_endpoints/${gone2.id}`, { token: alice.token });
      return r.body.status === 'disabled';
    }, 'second endpoint disabled');
    await publish('payment.noop', alice.id, 0, 'none');
    await waitFor(
      () => events('/notices').some((b) => b.type === 'webhook.endpoint.disabled'),
      'disabled notice delivered',
    );
  });

  it('dead-letters after the last attempt, and replays by message and by time range', async () => {
    let healthy = false;
    behaviours.set('/dead', () => (healthy ? { status: 200 } : { status: 500 }));
    const e = await endpoint(alice.token, '/dead');
    await publish('payment.completed', alice.id, 2, 'dead');
    await waitFor(async () => {
      const r = await t.request('GET', `/v1/webhook_endpoints/${e.id}/dead_letters`, {
        token: alice.token,
      });
      return (r.body.data as unknown[]).length === 3; // the ping and both events
    }, 'three dead letters');
    healthy = true;
    const dl = await t.request('GET', `/v1/webhook_endpoints/${e.id}/dead_letters`, {
      token: alice.token,
    });
    const one = (dl.body.data as { id: string }[])[0];
    let r = await t.request('POST', `/v1/webhook_endpoints/${e.id}/replay`, {
      token: alice.token,
      body: { message_id: one?.id },
    });
    expect(r.body.replayed).toBe(1);
    await waitFor(
      () => at('/dead').some((x) => x.headers['webhook-id'] === one?.id && x.at > 0),
      'replayed one',
    );
    r = await t.request('POST', `/v1/webhook_endpoints/${e.id}/replay`, {
      token: alice.token,
      body: {
        since: new Date(Date.now() - 3600_000).toISOString(),
        until: new Date(Date.now() + 1000).toISOString(),
        only_failed: true,
      },
    });
    expect(r.status, r.text).toBe(200);
    await waitFor(async () => {
      const s = await t.request('GET', `/v1/webhook_endpoints/${e.id}`, { token: alice.token });
      return s.body.messages.delivered === 3;
    }, 'all three delivered after replay');
    r = await t.request('POST', `/v1/webhook_endpoints/${e.id}/replay`, {
      token: alice.token,
      body: {},
    });
    expect([r.status, r.body.error.code]).toEqual([400, 'replay_range_invalid']);
  });

  it('keeps ordered endpoints in order through failures, and holds messages while paused', async () => {
    let n = 0;
    behaviours.set('/ordered', () => (++n % 3 === 0 ? { status: 503 } : { status: 200 }));
    const e = await endpoint(alice.token, '/ordered', { ordered: true });
    await waitFor(() => at('/ordered').length >= 1, 'ping');
    const pause = await t.request('POST', `/v1/webhook_endpoints/${e.id}/pause`, {
      token: alice.token,
    });
    expect(pause.body.status).toBe('paused');
    // One at a time: the order an endpoint is promised is the order events were accepted
    // (outbox subscribers run concurrently, so one batch has no order of its own).
    for (let i = 0; i < 12; i++) await publish('payment.completed', alice.id, 1, `ordered${i}`, i);
    await new Promise((r) => setTimeout(r, 300));
    expect(events('/ordered').filter((b) => b.type === 'payment.completed')).toHaveLength(0);
    const resume = await t.request('POST', `/v1/webhook_endpoints/${e.id}/resume`, {
      token: alice.token,
    });
    expect(resume.body.status).toBe('active');
    await waitFor(
      () =>
        new Set(
          acked('/ordered')
            .filter((b) => b.type === 'payment.completed')
            .map((b) => b.id),
        ).size === 12,
      'all ordered events',
    );
    // No message was sent before every earlier one had been acknowledged.
    const sent = at('/ordered')
      .map((r) => ({
        status: r.status ?? 0,
        b: JSON.parse(r.body) as { type: string; data: { seq: number } },
      }))
      .filter((x) => x.b.type === 'payment.completed');
    const done = new Set<number>();
    for (const x of sent) {
      for (let earlier = 0; earlier < x.b.data.seq; earlier++) expect(done.has(earlier)).toBe(true);
      if (x.status < 300) done.add(x.b.data.seq);
    }
    expect(sent.some((x) => x.status === 503)).toBe(true);
    expect([...done]).toEqual([...Array(12).keys()]);
  });
});
