import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import { startLocalSmtp, type LocalSmtp } from '../../test/support/smtp.js';
import {
  startPagerDuty,
  startSlack,
  startTelegram,
  type FakeService,
} from '../../test/fixtures/nodeops/receivers.js';
import { startScriptedChain, type ScriptedChain } from './simulator.js';

/**
 * The monitor against a scripted CometBFT chain (the RPC a real node answers), with
 * every channel against a local server speaking that service's API: faults alert within
 * seconds on Telegram, Slack, PagerDuty and email, resolve when recovery is observed,
 * survive a restart of the monitor without a lost or repeated notice, and a node out of
 * consensus for ban_after is banned and unbanned by an operator.
 */
const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const SLACK_PATH = '/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX';
const PD_KEY = 'R0123456789ABCDEF0123456789ABCDE';
const PW = 'correct horse battery staple';
const BLOCK_MS = 1000;

let chain: ScriptedChain;
let telegram: FakeService;
let slack: FakeService;
let pagerduty: FakeService;
let smtp: LocalSmtp;
let t: TestApp;
let operator: string;
const running: { stop(): Promise<void> }[] = [];

beforeAll(async () => {
  chain = await startScriptedChain({ chainId: 'simhub-1', blockTimeMs: BLOCK_MS });
  for (const n of ['val-1', 'rpc-1', 'rpc-2', 'ref-a', 'ref-b']) chain.addNode(n);
  [telegram, slack, pagerduty, smtp] = await Promise.all([
    startTelegram(TOKEN),
    startSlack(SLACK_PATH),
    startPagerDuty(PD_KEY),
    startLocalSmtp(),
  ]);
  const nodeops = {
    enabled: false,
    intervalMs: 100,
    // The scripted chain answers in this process, which PGlite's queries can hold for a
    // while on a loaded machine: a slow answer must not read as an unreachable node (a node
    // "down" here answers 503 at once, so no case waits on this).
    requestTimeoutMs: 10_000,
    sendPollMs: 50,
    senderLeaseMs: 1500,
    ssrfAllow: ['127.0.0.0/8'],
    chains: [
      {
        key: 'simhub',
        family: 'cometbft',
        blockTimeSeconds: BLOCK_MS / 1000,
        lagBlocks: 3,
        minPeers: 2,
        missedConsecutive: 3,
        banAfterSeconds: 3,
        unbanAfterSeconds: 0,
        references: [chain.nodeUrl('ref-a'), chain.nodeUrl('ref-b')],
      },
    ],
    nodes: [
      {
        name: 'val-1',
        chain: 'simhub',
        region: 'eu',
        role: 'validator',
        url: chain.nodeUrl('val-1'),
        validatorAddress: chain.validators[0],
      },
      { name: 'rpc-1', chain: 'simhub', region: 'us', role: 'rpc', url: chain.nodeUrl('rpc-1') },
      { name: 'rpc-2', chain: 'simhub', region: 'ap', role: 'rpc', url: chain.nodeUrl('rpc-2') },
    ],
    channels: [
      {
        name: 'ops-telegram',
        kind: 'telegram',
        botToken: TOKEN,
        chatId: '-1001234567',
        apiUrl: telegram.url,
      },
      { name: 'ops-slack', kind: 'slack', webhookUrl: `${slack.url}${SLACK_PATH}` },
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
  for (const n of ['val-1', 'rpc-1', 'rpc-2']) chain.heal(n);
  chain.resumeSigning(chain.validators[0] ?? '');
  // ban_after is 3 s here: on a slow machine a node a case kept out of consensus can be
  // banned before it heals (by design); each case starts from an unbanned fleet.
  const banned = await t.request('GET', '/v1/nodeops/nodes?banned=true', { token: operator });
  for (const n of (banned.body.data ?? []) as { id: string }[]) {
    await t.request('POST', `/v1/nodeops/nodes/${n.id}/unban`, { token: operator });
  }
});

afterAll(async () => {
  await t.close();
  await Promise.all([
    chain.close(),
    telegram.close(),
    slack.close(),
    pagerduty.close(),
    smtp.close(),
  ]);
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

function startMonitor(instanceId = 'm1') {
  const m = t.vw.nodeops.createMonitor({ instanceId }).start();
  running.push(m);
  return m;
}

async function openAlerts(node: string) {
  const r = await t.request('GET', `/v1/nodeops/alerts?status=open&node=${node}`, {
    token: operator,
  });
  expect(r.status, r.text).toBe(200);
  return r.body.data as { id: string; kind: string; status: string }[];
}

async function settle() {
  // Every node in step, no alert open: the starting point of each case.
  startMonitor();
  await until('a quiet fleet', async () => {
    const r = await t.request('GET', '/v1/nodeops/alerts?status=open', { token: operator });
    const pending = await t.vw.db.query(
      `SELECT 1 FROM nodeops_deliveries WHERE status = 'pending' LIMIT 1`,
    );
    return r.body.data.length === 0 && pending.rows.length === 0 ? true : undefined;
  });
  await running.pop()?.stop();
}

describe('nodeops monitor (scripted CometBFT chain, real channels’ APIs)', () => {
  it('a stalled node alerts on Telegram, Slack, PagerDuty and email within seconds, and resolves on recovery', async () => {
    startMonitor();
    // Let it see the fleet in step first (heights remembered, no alert).
    await until('first poll', async () => {
      const r = await t.request('GET', '/v1/nodeops/nodes', { token: operator });
      return r.body.data.every((n: { state: string }) => n.state === 'ok') ? true : undefined;
    });
    const before = telegram.received.length;
    const onset = Date.now();
    chain.stall('rpc-1');
    await telegram.waitFor(before + 1);
    const first = telegram.received[before];
    const latencyMs = (first?.at ?? 0) - onset;
    // Twice the block time to call it stalled, one poll, one send: seconds, not minutes. The
    // bound leaves room for a loaded test machine; bench:nodeops measures the latency itself.
    expect(latencyMs).toBeLessThan(2 * BLOCK_MS + 20_000);
    expect(first?.body['chat_id']).toBe('-1001234567');
    expect(String(first?.body['text'])).toMatch(
      /^\[FIRING critical\] simhub\/rpc-1 \(us, rpc\): rpc-1 (is stuck at height \d+ for \d+ s while the chain is at \d+|is \d+ blocks behind \(height \d+, chain at \d+\))\nAlert nal_/,
    );
    await slack.waitFor(1);
    expect(String(slack.received[0]?.body['text'])).toContain('simhub/rpc-1');
    await pagerduty.waitFor(1);
    expect(pagerduty.received[0]?.body).toMatchObject({
      routing_key: PD_KEY,
      event_action: 'trigger',
      payload: { source: 'rpc-1', component: 'simhub', group: 'us', severity: 'critical' },
    });
    const mails = await smtp.waitFor(1);
    expect(mails[0]?.to).toEqual(['oncall@example.com']);
    expect(mails[0]?.subject).toMatch(/^\[FIRING\] simhub\/rpc-1: (stalled|lagging)$/);

    // Both stalled and lagging fire; each is its own alert, sent once.
    await until('lagging too', async () =>
      (await openAlerts('rpc-1')).length >= 2 ? true : undefined,
    );
    const open = await openAlerts('rpc-1');
    expect(open.map((a) => a.kind).sort()).toEqual(['lagging', 'stalled']);
    const status = await t.request('GET', '/v1/nodeops/nodes/rpc-1', { token: operator });
    expect(status.body).toMatchObject({ name: 'rpc-1', region: 'us' });
    expect(status.body.state).toMatch(/stalled|lagging/);
    expect(status.body.lag).toBeGreaterThan(0);

    chain.heal('rpc-1');
    await until('resolved', async () =>
      (await openAlerts('rpc-1')).length === 0 ? true : undefined,
    );
    await until('resolve notices', () =>
      texts().filter((x) => x.startsWith('[RESOLVED] simhub/rpc-1')).length === 2
        ? true
        : undefined,
    );
    const firing = texts().filter((x) => x.startsWith('[FIRING critical] simhub/rpc-1'));
    expect(firing).toHaveLength(2);
    await until('pagerduty resolve', () =>
      pagerduty.received.filter((r) => r.body['event_action'] === 'resolve').length === 2
        ? true
        : undefined,
    );
    // PagerDuty pairs trigger and resolve by the alert id. The incidents, not the count of
    // triggers, are compared: on a slow machine the 3 s ban_after can pass before the heal,
    // and the [BANNED] notice is by design a second trigger of the same incident (same
    // dedup_key), which PagerDuty folds into it.
    const keys = (action: string) =>
      [
        ...new Set(
          pagerduty.received
            .filter((r) => r.body['event_action'] === action)
            .map((r) => String(r.body['dedup_key'])),
        ),
      ].sort();
    expect(keys('resolve')).toHaveLength(2);
    expect(keys('resolve')).toEqual(keys('trigger'));
    // Every trigger beyond one per alert is that ban notice, never a repeated opening.
    const triggers = pagerduty.received.filter((r) => r.body['event_action'] === 'trigger');
    const extra = triggers.filter(
      (r, i) => triggers.findIndex((x) => x.body['dedup_key'] === r.body['dedup_key']) !== i,
    );
    for (const r of extra) {
      expect(
        (r.body['payload'] as { custom_details: { notice: string } }).custom_details.notice,
      ).toBe('banned');
    }

    const events = await t.vw.db.query<{ type: string }>(
      `SELECT type FROM outbox_events WHERE type LIKE 'nodeops.alert.%' ORDER BY seq`,
    );
    expect(events.rows.filter((e) => e.type === 'nodeops.alert.opened')).toHaveLength(2);
    expect(events.rows.filter((e) => e.type === 'nodeops.alert.resolved')).toHaveLength(2);
  });

  it('a node on another block at the same height (fork) and a validator that stops signing alert', async () => {
    await settle();
    startMonitor();
    const before = telegram.received.length;
    chain.fork('rpc-2');
    chain.stopSigning(chain.validators[0] ?? '');
    await until('fork and missed signatures', () => {
      const t2 = texts().slice(before);
      return t2.some((x) => x.includes('rpc-2 is on a fork')) &&
        t2.some((x) => /val-1 missed \d+ precommits in a row/.test(x))
        ? true
        : undefined;
    });
    const fork = texts().find((x) => x.includes('rpc-2 is on a fork'));
    expect(fork).toMatch(/block \d+ is [0-9A-F]{64}, the references have [0-9A-F]{64}/);
  });

  it('a restart during a firing alert neither loses nor repeats it', async () => {
    await settle();
    const m1 = startMonitor('first');
    const before = telegram.received.length;
    chain.down('rpc-2', true);
    await telegram.waitFor(before + 1);
    expect(texts()[before]).toMatch(
      /^\[FIRING critical\] simhub\/rpc-2 \(ap, rpc\): rpc-2 does not answer/,
    );
    await m1.stop();
    running.splice(running.indexOf(m1), 1);

    startMonitor('second');
    // Several polls of a fresh monitor with the node still down: no second notice.
    await new Promise((r) => setTimeout(r, 1500));
    expect(
      texts()
        .slice(before)
        .filter((x) => x.includes('rpc-2 does not answer')),
    ).toHaveLength(1);
    chain.down('rpc-2', false);
    await until('resolved once', () =>
      texts()
        .slice(before)
        .some((x) => x.startsWith('[RESOLVED] simhub/rpc-2 (ap, rpc): unreachable cleared'))
        ? true
        : undefined,
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(
      texts()
        .slice(before)
        .filter((x) => x.startsWith('[RESOLVED] simhub/rpc-2')),
    ).toHaveLength(1);
  });

  it('out of consensus for ban_after: banned (event, audit, API); an operator unbans it', async () => {
    await settle();
    // Only this case's events and audit entries are compared (an earlier case may have
    // banned and unbanned a node on a slow machine).
    const mark = await t.vw.db.query<{ events: string; audit: string }>(
      `SELECT (SELECT coalesce(max(seq), 0) FROM outbox_events)::text AS events,
              (SELECT coalesce(max(seq), 0) FROM audit_events)::text AS audit`,
    );
    const since = mark.rows[0] ?? { events: '0', audit: '0' };
    startMonitor();
    chain.stall('rpc-2');
    const banned = await until(
      'the ban',
      async () => {
        const r = await t.request('GET', '/v1/nodeops/nodes?banned=true', { token: operator });
        return r.body.data.find((n: { name: string }) => n.name === 'rpc-2') as
          { id: string; name: string; ban_reason: string; banned_by: string } | undefined;
      },
      20_000,
    );
    expect(banned).toMatchObject({ name: 'rpc-2', banned_by: 'auto' });
    // A stalled node may also time out (unreachable) on a loaded machine: still out of
    // consensus.
    expect(banned.ban_reason).toMatch(
      /^out of consensus for \d+ s \((stalled|lagging|unreachable)/,
    );
    await until('ban notice', () =>
      texts().some((x) => x.startsWith('[BANNED] simhub/rpc-2')) ? true : undefined,
    );
    expect(await t.vw.nodeops.fleet.isBanned(chain.nodeUrl('rpc-2'))).toBe(true);

    // Back in consensus: still banned (this chain unbans by operator only).
    chain.heal('rpc-2');
    await until('recovered', async () =>
      (await openAlerts('rpc-2')).length === 0 ? true : undefined,
    );
    expect(
      (await t.request('GET', '/v1/nodeops/nodes/rpc-2', { token: operator })).body.banned,
    ).toBe(true);

    const un = await t.request('POST', `/v1/nodeops/nodes/${banned.id}/unban`, { token: operator });
    expect(un.status, un.text).toBe(200);
    expect(un.body).toMatchObject({ banned: false, ban_reason: null });
    const again = await t.request('POST', `/v1/nodeops/nodes/${banned.id}/unban`, {
      token: operator,
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('node_not_banned');

    const events = await t.vw.db.query<{ type: string; payload: Record<string, unknown> }>(
      `SELECT type, payload FROM outbox_events
        WHERE type LIKE 'nodeops.node.%' AND aggregate_id = $1 AND seq > $2 ORDER BY seq`,
      [banned.id, since.events],
    );
    expect(events.rows.map((e) => e.type)).toEqual([
      'nodeops.node.banned',
      'nodeops.node.unbanned',
    ]);
    expect(events.rows[0]?.payload).toMatchObject({ node: 'rpc-2', banned_by: 'auto' });
    const audit = await t.vw.db.query<{ action: string; actor_type: string }>(
      `SELECT action, actor_type FROM audit_events
        WHERE action LIKE 'nodeops_node.%banned' AND target_id = $1 AND seq > $2 ORDER BY seq`,
      [banned.id, since.audit],
    );
    expect(audit.rows).toEqual([
      { action: 'nodeops_node.banned', actor_type: 'system' },
      { action: 'nodeops_node.unbanned', actor_type: 'user' },
    ]);
  });

  it('the nodeops role idles while nodeops.enabled is false', async () => {
    const role = await t.vw.nodeops.startRole();
    expect(role.idle).toBe(true);
    const before = telegram.received.length;
    chain.down('rpc-1', true);
    await new Promise((r) => setTimeout(r, 800));
    expect(telegram.received.length).toBe(before);
    await role.stop();
  });
});
