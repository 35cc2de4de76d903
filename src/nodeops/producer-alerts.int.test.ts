import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import { startLocalSmtp, type LocalSmtp } from '../../test/support/smtp.js';
import {
  startPagerDuty,
  startSlack,
  startTelegram,
  type FakeService,
} from '../../test/fixtures/nodeops/receivers.js';

/**
 * The producer module's events reach the node-ops channels: the events are published
 * into the outbox with the payloads the producer service writes (producer/service.ts),
 * relayed to the `nodeops.producer_alerts` subscriber as the scheduler and worker roles
 * do, and the nodeops monitor sends the notices to local servers speaking Telegram's,
 * Slack's and PagerDuty's APIs and to a local SMTP server. What a person reads is
 * asserted, with routing by chain and severity, dedup, ack, silence, reminders and
 * resolve.
 */
const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const SLACK_PATH = '/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX';
const PD_KEY = 'R0123456789ABCDEF0123456789ABCDE';
const PW = 'correct horse battery staple';

let telegram: FakeService;
let slack: FakeService;
let pagerduty: FakeService;
let smtp: LocalSmtp;
let t: TestApp;
let operator: string;
const running: { stop(): Promise<void> }[] = [];

beforeAll(async () => {
  [telegram, slack, pagerduty, smtp] = await Promise.all([
    startTelegram(TOKEN),
    startSlack(SLACK_PATH),
    startPagerDuty(PD_KEY),
    startLocalSmtp(),
  ]);
  const nodeops = {
    enabled: false,
    intervalMs: 100,
    sendPollMs: 50,
    senderLeaseMs: 1500,
    remindEverySeconds: 1,
    doubleSignQuietSeconds: 8,
    ssrfAllow: ['127.0.0.0/8'],
    channels: [
      {
        name: 'ops-telegram',
        kind: 'telegram',
        botToken: TOKEN,
        chatId: '-1001234567',
        apiUrl: telegram.url,
      },
      // Only the cosmoshub producer's alerts.
      {
        name: 'hub-slack',
        kind: 'slack',
        webhookUrl: `${slack.url}${SLACK_PATH}`,
        chains: ['cosmoshub'],
      },
      {
        name: 'ops-pagerduty',
        kind: 'pagerduty',
        routingKey: PD_KEY,
        eventsUrl: `${pagerduty.url}/v2/enqueue`,
        minSeverity: 'critical',
      },
      { name: 'ops-email', kind: 'email', to: ['oncall@example.com'] },
    ],
  };
  t = await createTestApp({
    VW_NODEOPS: JSON.stringify(nodeops),
    VW_SMTP_URL: smtp.url,
    VW_MAIL_FROM: 'Vaultwire <alerts@vw.test>',
  });
  const r = await t.request('POST', '/v1/users', {
    body: { email: 'op@example.com', password: PW },
  });
  expect(r.status, r.text).toBe(201);
  await t.vw.identity.changeRole(r.body.id, 'operator', { type: 'system', id: 'test' });
  const s = await t.request('POST', '/v1/sessions', {
    body: { email: 'op@example.com', password: PW },
  });
  operator = s.body.token as string;
});

afterEach(async () => {
  while (running.length > 0) await running.pop()?.stop();
});

afterAll(async () => {
  await t.close();
  await Promise.all([telegram.close(), slack.close(), pagerduty.close(), smtp.close()]);
});

const texts = () => telegram.received.map((r) => String(r.body['text']));

async function until<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  ms = 15_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** What the producer service publishes (aggregate: the chain). */
async function producerEvent(type: string, payload: Record<string, unknown>) {
  await t.vw.outbox.publish({ type, aggregateId: String(payload['chain']), payload });
}

/** What the scheduler and worker roles do: relay the outbox, run the subscribers' jobs. */
async function drain() {
  for (let i = 0; i < 50; i++) {
    const relayed = await t.vw.outbox.relayOnce({ limit: 1000 });
    const ran = await t.vw.jobs.runDue({ limit: 1000 });
    if (relayed === 0 && ran === 0) return;
  }
}

function startMonitor() {
  const m = t.vw.nodeops.createMonitor({ instanceId: 'm1' }).start();
  running.push(m);
  return m;
}

interface AlertJson {
  id: string;
  kind: string;
  status: string;
  severity: string;
  producer_chain: string | null;
  chain: string | null;
  region: string | null;
  opened_at: string;
  details: Record<string, unknown>;
}

async function producerAlerts(chain: string, status = 'open'): Promise<AlertJson[]> {
  const r = await t.request('GET', `/v1/nodeops/alerts?status=${status}&chain=${chain}`, {
    token: operator,
  });
  expect(r.status, r.text).toBe(200);
  return r.body.data as AlertJson[];
}

describe('producer events on the node-ops channels', () => {
  it('a health failover fires on the chain’s channels and resolves when the new region is active, in either order of events', async () => {
    const decidedAt = new Date(Date.now() - 500).toISOString();
    await producerEvent('producer.failover.health', {
      chain: 'cosmoshub',
      from: 'eu',
      to: 'us',
      reason: 'validator node out of consensus for 31 s',
      decided_at: decidedAt,
    });
    // The same event twice (a re-relay): one alert, one notice.
    await producerEvent('producer.failover.health', {
      chain: 'cosmoshub',
      from: 'eu',
      to: 'us',
      reason: 'validator node out of consensus for 31 s',
      decided_at: decidedAt,
    });
    await drain();
    const [open] = await producerAlerts('cosmoshub');
    expect(open).toMatchObject({
      kind: 'producer_failover',
      severity: 'warning',
      status: 'firing',
      producer_chain: 'cosmoshub',
      chain: 'cosmoshub',
      region: 'us',
    });
    startMonitor();
    await telegram.waitFor(1);
    expect(texts()[0]).toBe(
      `[FIRING warning] cosmoshub/producer: failover: active region eu -> us because validator node out of consensus for 31 s\nAlert ${open?.id ?? ''}, since ${open?.opened_at ?? ''}`,
    );
    await slack.waitFor(1);
    expect(String(slack.received[0]?.body['text'])).toBe(texts()[0]);
    const mails = await smtp.waitFor(1);
    expect(mails[0]?.to).toEqual(['oncall@example.com']);
    expect(mails[0]?.subject).toBe('[FIRING] cosmoshub/producer: producer_failover');
    expect(mails[0]?.text).toContain('failover: active region eu -> us');

    // The new region takes the lease: the failover is over.
    await producerEvent('producer.region.activated', {
      chain: 'cosmoshub',
      region: 'us',
      reason: 'campaign',
    });
    await drain();
    await until('resolved on Telegram', () =>
      texts().find((x) => x.startsWith('[RESOLVED] cosmoshub/producer')),
    );
    const resolved = texts().find((x) => x.startsWith('[RESOLVED] cosmoshub/producer')) ?? '';
    expect(resolved).toMatch(
      /^\[RESOLVED\] cosmoshub\/producer: producer_failover cleared after \d+s\nWas: failover: active region eu -> us because validator node out of consensus for 31 s\nAlert nal_\w+\nus is the active producer since \d{4}-/,
    );
    expect(await producerAlerts('cosmoshub')).toEqual([]);
    // A warning: PagerDuty (critical only) was not paged; opened once (reminders, if
    // the 1 s spell passed, say STILL FIRING).
    expect(pagerduty.received).toHaveLength(0);
    expect(texts().filter((x) => x.startsWith('[FIRING')).length).toBe(1);

    // Another chain, events in the other order: the activation is handled before the
    // failover that led to it. The alert opens and resolves at once; Slack (cosmoshub
    // only) hears nothing of it.
    const slackBefore = slack.received.length;
    await producerEvent('producer.region.activated', {
      chain: 'osmosis',
      region: 'ap',
      reason: 'campaign',
    });
    await drain();
    await producerEvent('producer.failover.health', {
      chain: 'osmosis',
      from: 'eu',
      to: 'ap',
      reason: 'validator node banned',
      decided_at: new Date(Date.now() - 5000).toISOString(),
    });
    await drain();
    await until('osmosis opened and resolved', () =>
      texts().some((x) => x.startsWith('[RESOLVED] osmosis/producer: producer_failover'))
        ? true
        : undefined,
    );
    expect(texts()).toContainEqual(
      expect.stringMatching(
        /^\[FIRING warning\] osmosis\/producer: failover: active region eu -> ap because validator node banned\n/,
      ),
    );
    expect(await producerAlerts('osmosis')).toEqual([]);
    await new Promise((r) => setTimeout(r, 300));
    expect(
      slack.received.slice(slackBefore).filter((r) => String(r.body['text']).includes('osmosis')),
    ).toEqual([]);
  });

  it('a failover silenced by an operator resolves without a notice', async () => {
    await producerEvent('producer.failover.health', {
      chain: 'cosmoshub',
      from: 'us',
      to: 'eu',
      reason: 'backup stale',
      decided_at: new Date().toISOString(),
    });
    await drain();
    const [a] = await producerAlerts('cosmoshub');
    expect(a?.kind).toBe('producer_failover');
    const s = await t.request('POST', `/v1/nodeops/alerts/${a?.id ?? ''}/silence`, {
      token: operator,
      body: { seconds: 600 },
    });
    expect(s.status, s.text).toBe(200);
    startMonitor();
    await until('opened', () =>
      texts().find((x) => x.includes('failover: active region us -> eu because backup stale')),
    );
    await producerEvent('producer.region.activated', {
      chain: 'cosmoshub',
      region: 'eu',
      reason: 'campaign',
    });
    await drain();
    await until('resolved', async () =>
      (await producerAlerts('cosmoshub')).length === 0 ? true : undefined,
    );
    const [done] = await producerAlerts('cosmoshub', 'resolved');
    expect(done?.id).toBe(a?.id);
    // No notice of it but its opening, and nothing pending for it either.
    await new Promise((r) => setTimeout(r, 1500));
    expect(texts().filter((x) => x.includes(a?.id ?? '-'))).toHaveLength(1);
  });

  it('double-sign attempts page once (PagerDuty, Telegram, Slack, email), remind until acknowledged, and resolve after a quiet spell', async () => {
    const before = telegram.received.length;
    const pdBefore = pagerduty.received.length;
    for (const [height, blockId] of [
      ['1234', 'B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0'],
      ['1235', 'C1C1C1C1C1C1C1C1C1C1C1C1C1C1C1C1'],
      ['1236', 'D2D2D2D2D2D2D2D2D2D2D2D2D2D2D2D2'],
    ] as const) {
      await producerEvent('producer.double_sign_attempt', {
        chain: 'cosmoshub',
        region: 'us',
        height,
        round: 0,
        step: 2,
        block_id: blockId,
        signed_block_id: 'A9A9A9A9A9A9A9A9A9A9A9A9A9A9A9A9',
        signed_region: 'eu',
      });
      // One at a time, so the first one is the alert's text.
      await drain();
    }
    const [a] = await producerAlerts('cosmoshub');
    expect(a).toMatchObject({
      kind: 'double_sign_attempt',
      severity: 'critical',
      status: 'firing',
      producer_chain: 'cosmoshub',
      region: 'us',
    });
    expect(a?.details).toMatchObject({ attempts: 3, height: '1234', last_height: '1236' });

    startMonitor();
    await pagerduty.waitFor(pdBefore + 1);
    expect(pagerduty.received[pdBefore]?.body).toMatchObject({
      routing_key: PD_KEY,
      event_action: 'trigger',
      dedup_key: a?.id,
      payload: {
        source: 'cosmoshub producer',
        component: 'cosmoshub',
        group: 'us',
        severity: 'critical',
        class: 'double_sign_attempt',
      },
    });
    await telegram.waitFor(before + 1);
    const firing = texts().slice(before);
    expect(firing[0]).toMatch(
      /^\[FIRING critical\] cosmoshub\/producer: double-sign attempt refused on cosmoshub at height 1234 \(round 0, step 2\): us asked to sign block B0B0B0B0B0B0, eu signed A9A9A9A9A9A9\. Two producers are live: stop the one in us\nAlert nal_/,
    );
    await until('on Slack', () =>
      slack.received.some((r) => String(r.body['text']).includes('double-sign attempt refused'))
        ? true
        : undefined,
    );
    await until('by email', () =>
      smtp.received.find((m) => m.subject === '[FIRING] cosmoshub/producer: double_sign_attempt'),
    );

    // Still firing and unacknowledged: reminded (every second here) until acknowledged.
    await until('a reminder', () =>
      texts()
        .slice(before)
        .find((x) =>
          x.startsWith('[STILL FIRING critical] cosmoshub/producer: double-sign attempt refused'),
        ),
    );
    const ack = await t.request('POST', `/v1/nodeops/alerts/${a?.id ?? ''}/acknowledge`, {
      token: operator,
    });
    expect(ack.status, ack.text).toBe(200);
    expect(ack.body.status).toBe('acknowledged');

    // Another attempt keeps it open (still one alert); then 8 s without one resolve it.
    await producerEvent('producer.double_sign_attempt', {
      chain: 'cosmoshub',
      region: 'us',
      height: '1240',
      round: 0,
      step: 2,
      block_id: 'E3E3E3E3E3E3E3E3E3E3E3E3E3E3E3E3',
      signed_block_id: 'F4F4F4F4F4F4F4F4F4F4F4F4F4F4F4F4',
      signed_region: 'eu',
    });
    await drain();
    await until(
      'resolved',
      () => texts().find((x) => x.startsWith('[RESOLVED] cosmoshub/producer: double_sign_attempt')),
      30_000,
    );
    const [done] = await producerAlerts('cosmoshub', 'resolved');
    expect(done).toMatchObject({ id: a?.id, kind: 'double_sign_attempt' });
    expect(done?.details).toMatchObject({ attempts: 4, last_height: '1240' });
    const fired = texts()
      .slice(before)
      .filter((x) => x.startsWith('[FIRING critical] cosmoshub/producer'));
    expect(fired).toHaveLength(1);
    await until('PagerDuty resolve', () =>
      pagerduty.received.find(
        (r) => r.body['event_action'] === 'resolve' && r.body['dedup_key'] === a?.id,
      ),
    );

    // The alert engine's events, for webhooks: opened and resolved, naming the producer chain.
    const { rows } = await t.vw.db.query<{ type: string; payload: Record<string, unknown> }>(
      `SELECT type, payload FROM outbox_events
        WHERE type LIKE 'nodeops.alert.%' AND aggregate_id = $1 ORDER BY seq`,
      [a?.id],
    );
    expect(rows.map((r) => r.type)).toEqual(['nodeops.alert.opened', 'nodeops.alert.resolved']);
    expect(rows[0]?.payload).toMatchObject({
      producer_chain: 'cosmoshub',
      chain: 'cosmoshub',
      kind: 'double_sign_attempt',
      severity: 'critical',
    });
  });
});
