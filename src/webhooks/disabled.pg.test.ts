import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../platform/ids.js';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import { startLocalSmtp, type LocalSmtp } from '../../test/support/smtp.js';
import { natsUrl, uniqueStream } from '../../test/fixtures/webhooks/nats.js';
import { startReceiver, waitFor, type Receiver } from '../../test/fixtures/webhooks/receiver.js';
import type { RunningDelivery } from './service.js';

/**
 * An endpoint that is disabled loses nothing: events for it are recorded as `skipped`
 * (never attempted), its owner hears of it even when it was their only endpoint (on the
 * endpoint, in GET /v1/notifications, by email when SMTP is configured), re-enabling
 * sends new events only, and `/recover` sends the skipped ones, each exactly once and an
 * ordered endpoint's in order. On both engines, on real PostgreSQL, NATS and SMTP.
 */
const PW = 'correct horse battery staple';
const SKIPPED = 5;

interface Harness {
  t: TestApp;
  rx: Receiver;
  smtp: LocalSmtp;
  delivery: RunningDelivery;
  /** While true the receiver answers 410 Gone (which disables the endpoint). */
  gone: { on: boolean };
  cleanup: (() => Promise<void>)[];
}

async function harness(engine: 'postgres' | 'nats', options: { smtp: boolean }): Promise<Harness> {
  const cleanup: (() => Promise<void>)[] = [];
  const smtp = await startLocalSmtp();
  cleanup.push(() => smtp.close());
  const rx = await startReceiver();
  cleanup.push(() => rx.close());
  const gone = { on: true };
  rx.respond = () => ({ status: gone.on ? 410 : 200 });
  const env: Record<string, string> = {
    VW_WEBHOOK_SSRF_ALLOW: '127.0.0.1/32',
    VW_WEBHOOK_ENGINE: engine,
    VW_WEBHOOK_POLL_MS: '20',
    VW_WEBHOOK_RETRY_SCHEDULE: '0.05,0.1,0.2',
    VW_WEBHOOK_TIMEOUT_MS: '2000',
    VW_WEBHOOK_CIRCUIT_THRESHOLD: '1000',
  };
  if (options.smtp) {
    Object.assign(env, { VW_SMTP_URL: smtp.url, VW_MAIL_FROM: 'Vaultwire <alerts@vw.test>' });
  }
  if (engine === 'nats') {
    const stream = uniqueStream('disabled');
    Object.assign(env, { NATS_URL: await natsUrl(), VW_WEBHOOK_NATS_STREAM: stream });
    cleanup.push(async () => {
      const nc = await connect({ servers: env['NATS_URL'] });
      await (await jetstreamManager(nc)).streams.delete(stream).catch(() => false);
      await nc.close();
    });
  }
  const t = await createTestApp(env);
  cleanup.push(() => t.close());
  const delivery = await t.vw.webhooks.startDelivery({ concurrency: 16 });
  cleanup.push(() => delivery.stop());
  return { t, rx, smtp, delivery, gone, cleanup };
}

async function user(t: TestApp, email: string) {
  const r = await t.request('POST', '/v1/users', { body: { email, password: PW } });
  expect(r.status, r.text).toBe(201);
  const s = await t.request('POST', '/v1/sessions', { body: { email, password: PW } });
  expect(s.status, s.text).toBe(201);
  return { id: r.body.id as string, email, token: s.body.token as string };
}

/**
 * Publishes `payment.completed` events of `userId` as the wallet does, and runs ingest
 * after each, so ingest accepts them (and numbers an ordered endpoint's) in this order.
 */
async function pay(t: TestApp, userId: string, tag: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = `pay_${tag}_${i}`;
    await t.vw.outbox.publish({
      type: 'payment.completed',
      aggregateId: id,
      payload: { id, from_user_id: userId, to_user_id: 'usr_elsewhere', seq: i },
    });
    ids.push(id);
    await runJobs(t);
  }
  return ids;
}

async function runJobs(t: TestApp) {
  while ((await t.vw.outbox.relayOnce()) > 0) {
    // fan out
  }
  while ((await t.vw.jobs.runDue({ limit: 100 })) > 0) {
    // ingest, emails
  }
}

/** The `data.id`s of the events a path received, in arrival order (pings left out). */
const paymentsAt = (rx: Receiver, path: string) =>
  rx.received
    .filter((r) => r.path === path)
    .map((r) => JSON.parse(r.body) as { type: string; data: { id?: string } })
    .filter((b) => b.type === 'payment.completed')
    .map((b) => b.data.id ?? '');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(['postgres', 'nats'] as const)('%s engine: a disabled endpoint', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness(engine, { smtp: true });
  });
  afterAll(async () => {
    for (const c of h.cleanup.reverse()) await c();
  });

  it('records events not attempted, tells the owner of only that endpoint, and recovers each once since T', async () => {
    const { t, rx, smtp } = h;
    // Each has this one endpoint only: nothing else of theirs could carry the notice.
    const alice = await user(t, `alice-${engine}@example.com`);
    const bob = await user(t, `bob-${engine}@example.com`);
    const endpoints: Record<string, { id: string; url: string }> = {};
    for (const [who, ordered] of [
      [alice, false],
      [bob, true],
    ] as const) {
      const url = `${rx.url}/${who.email}`;
      const r = await t.request('POST', '/v1/webhook_endpoints', {
        token: who.token,
        body: { url, event_types: ['payment.completed'], ordered },
      });
      expect(r.status, r.text).toBe(201);
      endpoints[who.email] = { id: r.body.id as string, url };
    }
    const ep = (who: { email: string }) => {
      const e = endpoints[who.email];
      if (!e) throw new Error('no endpoint');
      return e;
    };

    // The creation ping meets 410 Gone: the system disables each endpoint.
    for (const who of [alice, bob]) {
      await waitFor(async () => {
        const r = await t.request('GET', `/v1/webhook_endpoints/${ep(who).id}`, {
          token: who.token,
        });
        return r.body.status === 'disabled';
      }, `${who.email}'s endpoint disabled`);
      const r = await t.request('GET', `/v1/webhook_endpoints/${ep(who).id}`, {
        token: who.token,
      });
      expect(r.body.disabled_reason).toBe('the endpoint answered 410 Gone');
      expect(Date.parse(r.body.disabled_at as string)).toBeGreaterThan(Date.now() - 60_000);
    }
    h.gone.on = false;
    const before = rx.received.length;

    // Events while disabled: recorded, never attempted.
    const since = new Date();
    const skippedA = await pay(t, alice.id, `a_${engine}`, SKIPPED);
    const skippedB = await pay(t, bob.id, `b_${engine}`, SKIPPED);
    if (engine === 'nats') {
      // An ingest process that still saw the endpoint active would publish a first attempt
      // without a row: the worker records it skipped instead of sending it.
      const eventId = `evt_stale_view_${engine}`;
      await t.vw.webhooks.engine.dispatch([
        {
          id: newId('msg'),
          endpointId: ep(alice).id,
          body: JSON.stringify({
            id: eventId,
            type: 'payment.completed',
            data: { id: `pay_stale_${engine}` },
          }),
          state: 'queued',
          createdAtMs: Date.now(),
          deferred: { eventId, eventType: 'payment.completed', chainKey: null, blockNumber: null },
        },
      ]);
      skippedA.push(`pay_stale_${engine}`);
    }
    for (const [who, expected] of [
      [alice, skippedA.length],
      [bob, SKIPPED],
    ] as const) {
      await waitFor(async () => {
        const r = await t.request(
          'GET',
          `/v1/webhook_endpoints/${ep(who).id}/messages?state=skipped&limit=100`,
          { token: who.token },
        );
        return (r.body.data as unknown[]).length === expected;
      }, `${expected} skipped messages for ${who.email}`);
      const r = await t.request(
        'GET',
        `/v1/webhook_endpoints/${ep(who).id}/messages?state=skipped&limit=100`,
        { token: who.token },
      );
      for (const m of r.body.data as { attempts: number; last_status: number | null }[]) {
        expect(m).toMatchObject({ attempts: 0, last_status: null });
      }
    }
    expect(rx.received.length).toBe(before);

    // The notice: listed for its owner only, and emailed in words a person reads.
    for (const who of [alice, bob]) {
      const n = await t.request('GET', '/v1/notifications', { token: who.token });
      expect(n.status, n.text).toBe(200);
      expect(n.body.data).toHaveLength(1);
      expect(n.body.data[0]).toMatchObject({
        object: 'notification',
        type: 'webhook_endpoint.disabled',
        data: { endpoint_id: ep(who).id, reason: 'the endpoint answered 410 Gone' },
      });
    }
    await runJobs(t);
    const mails = await smtp.waitFor(2);
    for (const who of [alice, bob]) {
      const mail = mails.find((m) => m.to.includes(who.email));
      if (!mail) throw new Error(`no email to ${who.email}`);
      expect(mail.from).toBe('alerts@vw.test');
      expect(mail.subject).toBe(`Your webhook endpoint ${ep(who).url} was disabled`);
      expect(mail.text).toContain(`Vaultwire disabled your webhook endpoint ${ep(who).id}`);
      expect(mail.text).toContain('Why: the endpoint answered 410 Gone.');
      expect(mail.text).toContain('events for this endpoint are recorded but not sent');
      expect(mail.text).toContain(`POST /v1/webhook_endpoints/${ep(who).id}/resume`);
      expect(mail.text).toContain(`POST /v1/webhook_endpoints/${ep(who).id}/recover`);
    }
    expect(mails).toHaveLength(2);
    const listed = await t.request('GET', '/v1/notifications', { token: alice.token });
    expect(listed.body.data[0].emailed_at).not.toBeNull();

    // Recovery waits for the owner to re-enable the endpoint.
    const early = await t.request('POST', `/v1/webhook_endpoints/${ep(alice).id}/recover`, {
      token: alice.token,
      body: { since: since.toISOString() },
    });
    expect(early.status, early.text).toBe(409);
    expect(early.body.error.code).toBe('endpoint_disabled');
    // Another customer cannot recover it.
    const foreign = await t.request('POST', `/v1/webhook_endpoints/${ep(alice).id}/recover`, {
      token: bob.token,
      body: { since: since.toISOString() },
    });
    expect(foreign.status).toBe(404);

    // Re-enabling sends what comes from now on, not the skipped backlog.
    for (const who of [alice, bob]) {
      const r = await t.request('POST', `/v1/webhook_endpoints/${ep(who).id}/resume`, {
        token: who.token,
      });
      expect(r.status, r.text).toBe(200);
      expect(r.body).toMatchObject({ status: 'active', disabled_reason: null, disabled_at: null });
    }
    const liveA = await pay(t, alice.id, `a_live_${engine}`, 2);
    const liveB = await pay(t, bob.id, `b_live_${engine}`, 2);
    await waitFor(
      () =>
        paymentsAt(rx, `/${alice.email}`).length >= 2 &&
        paymentsAt(rx, `/${bob.email}`).length >= 2,
      'live events after re-enabling',
    );
    await sleep(300);
    expect(paymentsAt(rx, `/${alice.email}`)).toEqual(liveA);
    expect(paymentsAt(rx, `/${bob.email}`)).toEqual(liveB);

    // Recover since T: every skipped event, once; the ordered endpoint's in order.
    for (const [who, skipped] of [
      [alice, skippedA],
      [bob, skippedB],
    ] as const) {
      const r = await t.request('POST', `/v1/webhook_endpoints/${ep(who).id}/recover`, {
        token: who.token,
        body: { since: since.toISOString() },
      });
      expect(r.status, r.text).toBe(200);
      expect(r.body).toEqual({ object: 'webhook_recovery', recovered: skipped.length });
    }
    await waitFor(
      () =>
        paymentsAt(rx, `/${alice.email}`).length >= liveA.length + skippedA.length &&
        paymentsAt(rx, `/${bob.email}`).length >= liveB.length + skippedB.length,
      'recovered events',
    );
    // A second recovery finds nothing left to send.
    const again = await t.request('POST', `/v1/webhook_endpoints/${ep(alice).id}/recover`, {
      token: alice.token,
      body: { since: since.toISOString() },
    });
    expect(again.body.recovered).toBe(0);
    await sleep(300);
    expect([...paymentsAt(rx, `/${alice.email}`)].sort()).toEqual([...liveA, ...skippedA].sort());
    expect(paymentsAt(rx, `/${bob.email}`)).toEqual([...liveB, ...skippedB]);
    // The dead ping is a dead letter, not a skipped message: not sent again.
    expect(rx.received.filter((r) => r.body.includes('"webhook.ping"'))).toHaveLength(2);
  });

  it('lets the owner disable an endpoint: events are recorded skipped, and no notice about their own act', async () => {
    const { t, rx } = h;
    const carol = await user(t, `carol-${engine}@example.com`);
    const r = await t.request('POST', '/v1/webhook_endpoints', {
      token: carol.token,
      body: { url: `${rx.url}/carol`, event_types: ['payment.completed'] },
    });
    expect(r.status, r.text).toBe(201);
    const id = r.body.id as string;
    await waitFor(() => rx.received.some((q) => q.path === '/carol'), 'the ping');
    const d = await t.request('POST', `/v1/webhook_endpoints/${id}/disable`, {
      token: carol.token,
    });
    expect(d.status, d.text).toBe(200);
    expect(d.body).toMatchObject({ status: 'disabled', disabled_reason: 'disabled by its owner' });
    await pay(t, carol.id, `c_${engine}`, 3);
    const m = await t.request('GET', `/v1/webhook_endpoints/${id}`, { token: carol.token });
    expect(m.body.messages).toMatchObject({ skipped: 3 });
    await sleep(200);
    expect(paymentsAt(rx, '/carol')).toEqual([]);
    const n = await t.request('GET', '/v1/notifications', { token: carol.token });
    expect(n.body.data).toEqual([]);
  });
});

describe('without SMTP', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('postgres', { smtp: false });
  });
  afterAll(async () => {
    for (const c of h.cleanup.reverse()) await c();
  });

  it('lists the notice and sends no email', async () => {
    const { t, rx, smtp } = h;
    const dan = await user(t, 'dan@example.com');
    const r = await t.request('POST', '/v1/webhook_endpoints', {
      token: dan.token,
      body: { url: `${rx.url}/dan`, event_types: ['payment.completed'] },
    });
    expect(r.status, r.text).toBe(201);
    await waitFor(async () => {
      const n = await t.request('GET', '/v1/notifications', { token: dan.token });
      return (n.body.data as unknown[]).length === 1;
    }, 'the notice');
    await runJobs(t);
    const n = await t.request('GET', '/v1/notifications', { token: dan.token });
    expect(n.body.data[0]).toMatchObject({
      type: 'webhook_endpoint.disabled',
      subject: `Your webhook endpoint ${rx.url}/dan was disabled`,
      emailed_at: null,
    });
    expect(n.body.data[0].text).toContain('Why: the endpoint answered 410 Gone.');
    const { rows } = await t.vw.db.query<{ n: bigint }>(
      `SELECT count(*) AS n FROM jobs WHERE queue = 'notifications.email'`,
    );
    expect(Number(rows[0]?.n)).toBe(0);
    expect(smtp.received).toEqual([]);
  });
});
