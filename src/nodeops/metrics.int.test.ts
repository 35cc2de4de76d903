import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import { startLocalNode, type LocalNode } from '../../test/fixtures/chains/node.js';
import { startTelegram, type FakeService } from '../../test/fixtures/nodeops/receivers.js';
import { startScriptedChain, type ScriptedChain } from './simulator.js';

/**
 * `/metrics` as a running `nodeops` role exports it, read the way Prometheus scrapes it:
 * a scripted CometBFT chain (its RPC and Cosmos SDK staking REST shaped as documented,
 * see simulator.ts) with one validator that stops precommitting, and a real Hardhat node
 * answering `eth_syncing` and `web3_clientVersion`. The shipped Prometheus rules and the
 * CometBFT, EVM and all-family Grafana dashboards must name only series that appear here;
 * EOS, XRP Ledger and backup series come from checks this test does not run.
 */
const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
/** Series of families and checks this run does not watch (other tests export them). */
const NOT_WATCHED_HERE = /^vaultwire_nodeops_(backup_|producer_|xrpl_)/;

let hub: ScriptedChain;
let hardhat: LocalNode;
let telegram: FakeService;
let t: TestApp;
let role: { stop(): Promise<void> } | undefined;
let mining: NodeJS.Timeout | undefined;

beforeAll(async () => {
  hub = await startScriptedChain({ chainId: 'metrichub-1', blockTimeMs: 300, validators: 4 });
  for (const n of ['val-ok', 'val-miss', 'ref-a']) hub.addNode(n);
  hardhat = await startLocalNode({ chainId: 31_998 });
  mining = setInterval(() => {
    void hardhat.mine(1).catch(() => undefined);
  }, 300);
  telegram = await startTelegram(TOKEN);
  t = await createTestApp({
    VW_NODEOPS: JSON.stringify({
      enabled: true,
      intervalMs: 150,
      sendPollMs: 50,
      ssrfAllow: ['127.0.0.0/8'],
      chains: [
        {
          key: 'hub',
          family: 'cometbft',
          blockTimeSeconds: 0.3,
          minPeers: 0,
          missedConsecutive: 3,
          missedWindow: 50,
          missedWindowMax: 40,
          references: [hub.nodeUrl('ref-a')],
          lcdUrl: hub.lcdUrl,
        },
        {
          key: 'hh',
          family: 'evm',
          blockTimeSeconds: 0.3,
          lagBlocks: 5,
          minPeers: 0,
          references: [hardhat.url],
        },
      ],
      nodes: [
        {
          name: 'val-ok',
          chain: 'hub',
          region: 'eu',
          role: 'validator',
          url: hub.nodeUrl('val-ok'),
          validatorAddress: hub.validators[0],
        },
        {
          name: 'val-miss',
          chain: 'hub',
          region: 'us',
          role: 'validator',
          url: hub.nodeUrl('val-miss'),
          validatorAddress: hub.validators[1],
        },
        { name: 'hh-1', chain: 'hh', region: 'eu', role: 'rpc', url: hardhat.url },
      ],
      channels: [
        { name: 'tg', kind: 'telegram', botToken: TOKEN, chatId: '7', apiUrl: telegram.url },
      ],
    }),
  });
  role = await t.vw.nodeops.startRole();
});

afterAll(async () => {
  clearInterval(mining);
  await role?.stop();
  await t.close();
  await Promise.all([hub.close(), telegram.close(), hardhat.stop()]);
});

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** `/metrics` in the text exposition format, parsed into samples. */
async function scrape(): Promise<Sample[]> {
  const r = await t.request('GET', '/metrics');
  expect(r.status).toBe(200);
  const out: Sample[] = [];
  for (const line of r.text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[l[1] as string] = l[2] as string;
    }
    out.push({ name: m[1] as string, labels, value: Number(m[3]) });
  }
  return out;
}

const find = (samples: Sample[], name: string, labels: Record<string, string>) =>
  samples.find(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );

/** Scrapes until `fn` holds for a scrape; returns that scrape. */
async function scrapeUntil(what: string, fn: (s: Sample[]) => boolean, ms = 30_000) {
  const end = Date.now() + ms;
  for (;;) {
    const s = await scrape();
    if (fn(s)) return s;
    if (Date.now() > end) {
      const ours = s.filter((x) => x.name.startsWith('vaultwire_nodeops_'));
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(ours.slice(0, 80))}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

const value = (s: Sample[], name: string, labels: Record<string, string>) =>
  find(s, name, labels)?.value;

describe('nodeops metrics read from a running monitor', () => {
  it('a validator that stops precommitting shows its misses; the one still signing shows none', async () => {
    // Both sign first: the signing window fills with signatures.
    await scrapeUntil('both validators seen signing', (s) =>
      ['val-ok', 'val-miss'].every(
        (node) =>
          (value(s, 'vaultwire_nodeops_validator_signing_window_blocks', { node }) ?? 0) >= 3,
      ),
    );
    hub.stopSigning(hub.validators[1] as string);
    const s = await scrapeUntil(
      'val-miss missing precommits in a row',
      (x) =>
        (value(x, 'vaultwire_nodeops_validator_missed_precommits_consecutive', {
          node: 'val-miss',
        }) ?? 0) >= 4,
    );
    const consecutive = value(s, 'vaultwire_nodeops_validator_missed_precommits_consecutive', {
      chain: 'hub',
      node: 'val-miss',
      region: 'us',
      role: 'validator',
    }) as number;
    const inWindow = value(s, 'vaultwire_nodeops_validator_missed_precommits_window', {
      node: 'val-miss',
    }) as number;
    const window = value(s, 'vaultwire_nodeops_validator_signing_window_blocks', {
      node: 'val-miss',
    }) as number;
    // Every miss since it stopped is in the window, and the window is at most 50 blocks.
    expect(inWindow).toBeGreaterThanOrEqual(consecutive);
    expect(window).toBeGreaterThan(inWindow);
    expect(window).toBeLessThanOrEqual(50);
    expect(
      value(s, 'vaultwire_nodeops_validator_missed_precommits_consecutive', { node: 'val-ok' }),
    ).toBe(0);
    expect(
      value(s, 'vaultwire_nodeops_validator_missed_precommits_window', { node: 'val-ok' }),
    ).toBe(0);
    // The check the rules alert on fires for the one and not the other.
    const firing = await scrapeUntil(
      'missed_signatures firing',
      (x) =>
        value(x, 'vaultwire_nodeops_node_check_firing', {
          node: 'val-miss',
          check: 'missed_signatures',
        }) === 1,
    );
    expect(
      value(firing, 'vaultwire_nodeops_node_check_firing', {
        node: 'val-ok',
        check: 'missed_signatures',
      }),
    ).toBe(0);
    // The staking REST says both are bonded and not jailed.
    expect(value(firing, 'vaultwire_nodeops_validator_active', { node: 'val-miss' })).toBe(1);
    expect(value(firing, 'vaultwire_nodeops_validator_jailed', { node: 'val-miss' })).toBe(0);
  });

  it('the Hardhat node shows eth_syncing (not syncing) and its web3_clientVersion', async () => {
    const expected = await hardhat.rpc<string>('web3_clientVersion', []);
    expect(expected).toMatch(/^HardhatNetwork\//);
    const s = await scrapeUntil(
      'the Hardhat node checked',
      (x) => value(x, 'vaultwire_nodeops_node_syncing', { node: 'hh-1' }) !== undefined,
    );
    expect(value(s, 'vaultwire_nodeops_node_syncing', { chain: 'hh', node: 'hh-1' })).toBe(0);
    expect(
      value(s, 'vaultwire_nodeops_node_info', { node: 'hh-1', family: 'evm', version: expected }),
    ).toBe(1);
    // One info series per node: the version label is the one the node reports.
    expect(
      s.filter((x) => x.name === 'vaultwire_nodeops_node_info' && x.labels['node'] === 'hh-1'),
    ).toHaveLength(1);
    expect(value(s, 'vaultwire_nodeops_node_up', { node: 'hh-1' })).toBe(1);
    expect(value(s, 'vaultwire_nodeops_node_height', { node: 'hh-1' })).toBeGreaterThan(0);
  });

  it('the shipped rules and the CometBFT, EVM and fleet dashboards name series that appear', async () => {
    // Notices sent (the missed precommits alert) and the sender lease show up too.
    const s = await scrapeUntil('a notice sent', (x) =>
      x.some((y) => y.name === 'vaultwire_nodeops_notifications_total' && y.value > 0),
    );
    expect(telegram.received.map((m) => String(m.body['text']))).toContainEqual(
      expect.stringMatching(/^\[FIRING \w+\] hub\/val-miss \(us, validator\)/),
    );
    const present = new Set(s.map((x) => x.name));
    const texts = [
      readFileSync(join('deploy', 'prometheus', 'nodeops-rules.yml'), 'utf8'),
      ...[
        'nodeops-cometbft-fleet.json',
        'nodeops-cometbft-node.json',
        'nodeops-evm-fleet.json',
        'nodeops-evm-node.json',
        'nodeops-fleet.json',
        'nodeops-node.json',
      ].map((f) => readFileSync(join('deploy', 'grafana', f), 'utf8')),
    ];
    // The rules file parses: a broken one would name nothing.
    expect(parse(texts[0] as string)).toHaveProperty('groups');
    const named = new Set(
      texts.flatMap((x) => [...x.matchAll(/\bvaultwire_nodeops_[a-z_]+/g)].map((m) => m[0])),
    );
    const watched = [...named].filter((n) => !NOT_WATCHED_HERE.test(n));
    expect(watched.length).toBeGreaterThan(15);
    expect(watched.filter((n) => !present.has(n)).sort()).toEqual([]);
  });
});
