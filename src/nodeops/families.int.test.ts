import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import { startTelegram, type FakeService } from '../../test/fixtures/nodeops/receivers.js';
import type { Monitor } from './monitor.js';
import { startScriptedChain, type ScriptedChain } from './simulator.js';
import {
  startScriptedEos,
  startScriptedXrpl,
  type ScriptedEos,
  type ScriptedXrpl,
} from './simulators.js';

/**
 * The checks beyond height, lag and fork, against local servers speaking each real API:
 * a CometBFT validator jailed or out of the active set (Cosmos SDK staking REST), EOS
 * (nodeos chain API: stall, fork, a producer missing rounds or leaving the schedule),
 * the XRP Ledger (rippled JSON-RPC: server state, validated ledger stalled or forked),
 * and running versions against a GitHub-releases-shaped feed. The person on call reads
 * each on Telegram.
 */
const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const PW = 'correct horse battery staple';

let hub: ScriptedChain;
let eos: ScriptedEos;
let xrp: ScriptedXrpl;
let telegram: FakeService;
let releases: Server;
let releasesUrl: string;
let latestTag = 'v0.38.12';
let t: TestApp;
let operator: string;
let monitor: Monitor;

beforeAll(async () => {
  hub = await startScriptedChain({ chainId: 'lcdhub-1', blockTimeMs: 500 });
  for (const n of ['val-1', 'val-2', 'ref-a']) hub.addNode(n);
  eos = await startScriptedEos({
    blockTimeMs: 100,
    producers: ['produceraaa', 'producerbbb', 'producerccc'],
  });
  for (const n of ['bp-1', 'bp-2', 'api-1', 'ref-a', 'ref-b']) eos.addNode(n);
  xrp = await startScriptedXrpl({ closeMs: 400 });
  for (const n of ['xrp-1', 'xrp-2', 'ref-a', 'ref-b']) xrp.addNode(n);
  telegram = await startTelegram(TOKEN);
  // GitHub releases API: GET /repos/{owner}/{repo}/releases/latest.
  releases = createServer((req, res) => {
    if (req.url !== '/repos/cometbft/cometbft/releases/latest') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ message: 'Not Found', documentation_url: 'https://docs.github.com/rest' }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        url: 'https://api.github.com/repos/cometbft/cometbft/releases/1',
        html_url: `https://github.com/cometbft/cometbft/releases/tag/${latestTag}`,
        id: 1,
        tag_name: latestTag,
        name: latestTag,
        draft: false,
        prerelease: false,
        created_at: '2024-09-01T00:00:00Z',
        published_at: '2024-09-01T00:00:00Z',
        assets: [],
      }),
    );
  });
  await new Promise<void>((r) => releases.listen(0, '127.0.0.1', r));
  releasesUrl = `http://127.0.0.1:${(releases.address() as AddressInfo).port}/repos/cometbft/cometbft/releases/latest`;

  const nodeops = {
    enabled: false,
    intervalMs: 100,
    releaseCheckMs: 1000,
    ssrfAllow: ['127.0.0.0/8'],
    chains: [
      {
        key: 'lcdhub',
        family: 'cometbft',
        blockTimeSeconds: 0.5,
        missedConsecutive: 1000,
        missedWindowMax: 1000,
        missedWindow: 1000,
        minPeers: 0,
        references: [hub.nodeUrl('ref-a')],
        lcdUrl: hub.lcdUrl,
        releaseFeed: releasesUrl,
      },
      {
        key: 'eos',
        family: 'eos',
        blockTimeSeconds: 0.1,
        lagBlocks: 10,
        minPeers: 0,
        missedRounds: 1,
        references: [eos.nodeUrl('ref-a'), eos.nodeUrl('ref-b')],
      },
      {
        key: 'xrp',
        family: 'xrpl',
        blockTimeSeconds: 0.4,
        lagBlocks: 3,
        minPeers: 0,
        references: [xrp.nodeUrl('ref-a'), xrp.nodeUrl('ref-b')],
      },
    ],
    nodes: [
      {
        name: 'val-1',
        chain: 'lcdhub',
        region: 'eu',
        role: 'validator',
        url: hub.nodeUrl('val-1'),
        validatorAddress: hub.validators[0],
      },
      {
        name: 'val-2',
        chain: 'lcdhub',
        region: 'us',
        role: 'validator',
        url: hub.nodeUrl('val-2'),
        validatorAddress: hub.validators[3],
      },
      {
        name: 'bp-1',
        chain: 'eos',
        region: 'eu',
        role: 'validator',
        url: eos.nodeUrl('bp-1'),
        producerName: 'produceraaa',
      },
      {
        name: 'bp-2',
        chain: 'eos',
        region: 'us',
        role: 'validator',
        url: eos.nodeUrl('bp-2'),
        producerName: 'producerbbb',
      },
      { name: 'api-1', chain: 'eos', region: 'ap', role: 'rpc', url: eos.nodeUrl('api-1') },
      { name: 'xrp-1', chain: 'xrp', region: 'eu', role: 'rpc', url: xrp.nodeUrl('xrp-1') },
      { name: 'xrp-2', chain: 'xrp', region: 'us', role: 'rpc', url: xrp.nodeUrl('xrp-2') },
    ],
    channels: [
      {
        name: 'ops',
        kind: 'telegram',
        botToken: TOKEN,
        chatId: '-1001234567',
        apiUrl: telegram.url,
      },
    ],
  };
  t = await createTestApp({ VW_NODEOPS: JSON.stringify(nodeops) });
  const r = await t.request('POST', '/v1/users', {
    body: { email: 'op@example.com', password: PW },
  });
  expect(r.status, r.text).toBe(201);
  await t.vw.identity.changeRole(r.body.id, 'operator', { type: 'system', id: 'test' });
  const s = await t.request('POST', '/v1/sessions', {
    body: { email: 'op@example.com', password: PW },
  });
  operator = s.body.token as string;
  monitor = t.vw.nodeops.createMonitor({ instanceId: 'families' });
});

afterAll(async () => {
  await t.close();
  await Promise.all([hub.close(), eos.close(), xrp.close(), telegram.close()]);
  await new Promise<void>((r) =>
    releases.close(() => {
      r();
    }),
  );
});

/** Polls (as the lease holder) and sends until `fn` holds. */
async function pollUntil<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  ms = 15_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    await monitor.tick({ write: true });
    await monitor.sendPending();
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function openKinds(node: string): Promise<string[]> {
  const r = await t.request('GET', `/v1/nodeops/alerts?status=open&node=${node}`, {
    token: operator,
  });
  expect(r.status, r.text).toBe(200);
  return (r.body.data as { kind: string }[]).map((a) => a.kind).sort();
}

/** A sample's value as `/metrics` shows it now; undefined when the series does not exist. */
async function metric(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const r = await t.request('GET', '/metrics');
  expect(r.status).toBe(200);
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of r.text.split('\n')) {
    const m = /^([a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = (m[2] ?? '').split(',');
    if (want.every((w) => have.includes(w))) return Number(m[3]);
  }
  return undefined;
}

const told = (re: RegExp) => {
  const hit = telegram.received.map((m) => String(m.body['text'])).find((x) => re.test(x));
  return Promise.resolve(hit);
};

describe('nodeops checks for validators, EOS, XRP and releases', () => {
  it('a jailed validator and one out of the active set alert (Cosmos SDK staking REST), and resolve', async () => {
    await pollUntil('a quiet hub', async () =>
      (await openKinds('val-1')).length === 0 && (await openKinds('val-2')).length === 0
        ? true
        : undefined,
    );
    hub.jail(hub.validators[0] ?? '', true);
    hub.unbond(hub.validators[3] ?? '', true);
    const jailed = await pollUntil('jailed alert', () =>
      told(
        /^\[FIRING critical\] lcdhub\/val-1 \(eu, validator\): val-1: validator validator-0 is jailed/,
      ),
    );
    expect(jailed).toContain('Alert nal_');
    // Jailed validators also leave the active set; the one paged by the fourth page of
    // two-per-page answers (index 3) shows the LCD's paging is followed.
    expect(await openKinds('val-1')).toEqual(['inactive', 'jailed']);
    await pollUntil('inactive alert', () =>
      told(
        /^\[FIRING critical\] lcdhub\/val-2 \(us, validator\): val-2: validator validator-3 is not in the active set/,
      ),
    );
    expect(await openKinds('val-2')).toEqual(['inactive']);
    // The same standing on /metrics, for the CometBFT dashboard and the Prometheus rules.
    expect(await metric('vaultwire_nodeops_validator_jailed', { node: 'val-1' })).toBe(1);
    expect(await metric('vaultwire_nodeops_validator_active', { node: 'val-2' })).toBe(0);
    expect(await metric('vaultwire_nodeops_validator_jailed', { node: 'val-2' })).toBe(0);
    expect(
      await metric('vaultwire_nodeops_node_check_firing', { node: 'val-1', check: 'jailed' }),
    ).toBe(1);
    expect(
      await metric('vaultwire_nodeops_node_info', {
        node: 'val-1',
        family: 'cometbft',
        version: '0.38.12',
      }),
    ).toBe(1);
    hub.jail(hub.validators[0] ?? '', false);
    hub.unbond(hub.validators[3] ?? '', false);
    await pollUntil('resolved', async () =>
      (await openKinds('val-1')).length === 0 && (await openKinds('val-2')).length === 0
        ? true
        : undefined,
    );
    expect(await told(/^\[RESOLVED\] lcdhub\/val-1.*jailed/)).toBeDefined();
    expect(await metric('vaultwire_nodeops_validator_jailed', { node: 'val-1' })).toBe(0);
    expect(await metric('vaultwire_nodeops_validator_active', { node: 'val-2' })).toBe(1);
  });

  it('a node running an older version than the release feed’s latest gets an outdated warning', async () => {
    latestTag = 'v0.38.15';
    const text = await pollUntil('outdated', () =>
      told(/^\[FIRING warning\] lcdhub\/val-1 .*runs 0\.38\.12; the latest release is v0\.38\.15/),
    );
    expect(text).toBeDefined();
    latestTag = 'v0.38.12';
    await pollUntil('outdated resolved', async () =>
      (await openKinds('val-1')).includes('outdated') ? undefined : true,
    );
  });

  it('EOS: a stalled and a forked node alert, a producer that misses its round or leaves the schedule alerts', async () => {
    await pollUntil('a quiet EOS fleet', async () =>
      (await openKinds('bp-1')).length +
        (await openKinds('bp-2')).length +
        (await openKinds('api-1')).length ===
      0
        ? true
        : undefined,
    );
    eos.stall('api-1');
    await pollUntil('api-1 stalled', () =>
      told(/^\[FIRING critical\] eos\/api-1 .*(is stuck at height|blocks behind)/),
    );
    eos.heal('api-1');
    eos.fork('bp-2');
    await pollUntil('bp-2 forked', () =>
      told(/^\[FIRING critical\] eos\/bp-2 .*is on a fork: block \d+ is [0-9a-f]{64}/),
    );
    eos.heal('bp-2');

    const onset = Date.now();
    eos.skip('produceraaa', true);
    const missed = await pollUntil('bp-1 missed a round', () =>
      told(/^\[FIRING critical\] eos\/bp-1 .*producer produceraaa missed 1 round/),
    );
    expect(missed).toBeDefined();
    // A round is 3 producers × 12 blocks × 100 ms = 3.6 s; the alert comes within two.
    expect(Date.now() - onset).toBeLessThan(2 * 3600 + 2000);
    expect(await openKinds('bp-2')).not.toContain('missed_rounds');
    expect(
      await metric('vaultwire_nodeops_producer_missed_rounds', { node: 'bp-1' }),
    ).toBeGreaterThanOrEqual(1);
    expect(await metric('vaultwire_nodeops_producer_missed_rounds', { node: 'bp-2' })).toBe(0);
    expect(await metric('vaultwire_nodeops_validator_active', { node: 'bp-1' })).toBe(1);
    eos.skip('produceraaa', false);
    await pollUntil('bp-1 producing again', async () =>
      (await openKinds('bp-1')).includes('missed_rounds') ? undefined : true,
    );

    eos.unschedule('producerbbb', true);
    await pollUntil('bp-2 not scheduled', () =>
      told(/^\[FIRING critical\] eos\/bp-2 .*producer producerbbb is not in the active schedule/),
    );
    expect(await metric('vaultwire_nodeops_validator_active', { node: 'bp-2' })).toBe(0);
    eos.unschedule('producerbbb', false);
  });

  it('XRP Ledger: a server out of step (server_state), a stalled and a forked validated ledger alert', async () => {
    await pollUntil('a quiet XRP fleet', async () =>
      (await openKinds('xrp-1')).length + (await openKinds('xrp-2')).length === 0
        ? true
        : undefined,
    );
    xrp.state('xrp-1', 'syncing');
    await pollUntil('xrp-1 syncing', () =>
      told(
        /^\[FIRING critical\] xrp\/xrp-1 .*xrp-1 has no validated ledger \(server state syncing\)/,
      ),
    );
    expect(
      await metric('vaultwire_nodeops_xrpl_server_state', { node: 'xrp-1', state: 'syncing' }),
    ).toBe(1);
    expect(
      await metric('vaultwire_nodeops_xrpl_server_state', { node: 'xrp-1', state: 'full' }),
    ).toBe(0);
    expect(await metric('vaultwire_nodeops_node_syncing', { node: 'xrp-1' })).toBe(1);
    xrp.heal('xrp-1');
    await pollUntil('xrp-1 resolved', async () =>
      (await openKinds('xrp-1')).length === 0 ? true : undefined,
    );

    xrp.stall('xrp-2');
    await pollUntil('xrp-2 stalled', () =>
      told(/^\[FIRING critical\] xrp\/xrp-2 .*(is stuck at height|blocks behind)/),
    );
    // rippled's validated_ledger.age grows while the ledger stands still (0–1 s otherwise).
    await pollUntil('xrp-2 ledger age', async () => {
      const age = await metric('vaultwire_nodeops_node_height_age_seconds', { node: 'xrp-2' });
      return age !== undefined && age >= 2 ? true : undefined;
    });
    expect(
      await metric('vaultwire_nodeops_node_height_age_seconds', { node: 'xrp-1' }),
    ).toBeLessThanOrEqual(1);
    xrp.heal('xrp-2');
    xrp.fork('xrp-1');
    await pollUntil('xrp-1 forked', () =>
      told(/^\[FIRING critical\] xrp\/xrp-1 .*is on a fork: block \d+ is [0-9A-F]{64}/),
    );
    xrp.heal('xrp-1');
    await pollUntil('all resolved', async () =>
      (await openKinds('xrp-1')).length + (await openKinds('xrp-2')).length === 0
        ? true
        : undefined,
    );
  });

  it('refuses family-specific fields on the wrong family, and a release feed on a private address, writing nothing', async () => {
    const before = await t.vw.db.query('SELECT count(*)::int AS c FROM nodeops_chains');
    const lcdOnEvm = await t.request('POST', '/v1/nodeops/chains', {
      token: operator,
      body: { key: 'eth2', family: 'evm', lcd_url: 'http://127.0.0.1:1317' },
    });
    expect(lcdOnEvm.status).toBe(400);
    expect(lcdOnEvm.body.error).toMatchObject({ code: 'family_mismatch', param: 'lcd_url' });
    const privateFeed = await t.request('POST', '/v1/nodeops/chains', {
      token: operator,
      body: { key: 'hub2', family: 'cometbft', release_feed: 'http://10.1.2.3/releases/latest' },
    });
    expect(privateFeed.status).toBe(400);
    expect(privateFeed.body.error).toMatchObject({
      code: 'url_forbidden_address',
      param: 'release_feed',
    });
    const producerOnXrp = await t.request('POST', '/v1/nodeops/nodes', {
      token: operator,
      body: {
        name: 'x3',
        chain: 'xrp',
        region: 'eu',
        role: 'validator',
        url: xrp.nodeUrl('ref-a'),
        producer_name: 'produceraaa',
      },
    });
    expect(producerOnXrp.status).toBe(400);
    expect(producerOnXrp.body.error).toMatchObject({
      code: 'family_mismatch',
      param: 'producer_name',
    });
    const after = await t.vw.db.query('SELECT count(*)::int AS c FROM nodeops_chains');
    expect(after.rows[0]).toEqual(before.rows[0]);
    const ok = await t.request('POST', '/v1/nodeops/chains', {
      token: operator,
      body: { key: 'eos2', family: 'eos', release_feed: releasesUrl, missed_rounds: 2 },
    });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body).toMatchObject({
      family: 'eos',
      release_feed: releasesUrl,
      thresholds: { missed_rounds: 2 },
    });
  });
});
