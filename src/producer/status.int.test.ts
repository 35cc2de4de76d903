import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import { startScriptedChain, type ScriptedChain } from '../nodeops/simulator.js';
import { runProducerStatus } from './cli.js';

/**
 * The producer's status shows each region's health as the node-ops checks see its
 * validator nodes (what health-driven failover decides on): in consensus or not, down,
 * banned, since when, and when it was last healthy. Read by a process that does not run
 * the producer role (the API), so no etcd is needed here.
 */
const PW = 'correct horse battery staple';
let chain: ScriptedChain;
let t: TestApp;
let operator: string;

beforeAll(async () => {
  chain = await startScriptedChain({ chainId: 'hub-1', blockTimeMs: 300 });
  for (const n of ['eu-val', 'us-val', 'ref']) chain.addNode(n);
  t = await createTestApp({
    VW_NODEOPS: JSON.stringify({
      ssrfAllow: ['127.0.0.0/8'],
      chains: [
        {
          key: 'hub',
          family: 'cometbft',
          blockTimeSeconds: 0.3,
          minPeers: 0,
          references: [chain.nodeUrl('ref')],
        },
      ],
      nodes: ['eu', 'us'].map((region, i) => ({
        name: `${region}-val`,
        chain: 'hub',
        region,
        role: 'validator',
        url: chain.nodeUrl(`${region}-val`),
        validatorAddress: chain.validators[i],
      })),
    }),
    VW_PRODUCER_CHAINS: JSON.stringify([{ key: 'hub-1', chainId: 'hub-1', nodeopsChain: 'hub' }]),
  });
  const r = await t.request('POST', '/v1/users', {
    body: { email: 'op@example.com', password: PW },
  });
  await t.vw.identity.changeRole(r.body.id, 'operator', { type: 'system', id: 'test' });
  operator = (
    await t.request('POST', '/v1/sessions', { body: { email: 'op@example.com', password: PW } })
  ).body.token as string;
});

afterAll(async () => {
  await t.close();
  await chain.close();
});

type Region = Record<string, unknown> & { region: string };
async function regions(): Promise<Region[]> {
  const r = await t.request('GET', '/v1/producer/chains/hub-1', { token: operator });
  expect(r.status, r.text).toBe(200);
  return r.body.regions as Region[];
}

async function until<T>(what: string, fn: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + 30_000;
  for (;;) {
    await t.vw.nodeops.createMonitor().tick({ write: true });
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('producer status: region health', () => {
  it('shows each region in or out of consensus, down, banned, and when it was last healthy', async () => {
    const both = await until('both regions healthy', async () => {
      const rs = await regions();
      return rs.length === 2 && rs.every((x) => x.state === 'healthy') ? rs : undefined;
    });
    for (const r of both) {
      expect(r).toMatchObject({ in_consensus: true, down: false, banned: false, reason: null });
      expect(Date.parse(String(r['last_healthy_at']))).toBeGreaterThan(0);
    }

    chain.down('us-val', true);
    const us = await until('us out of consensus', async () =>
      (await regions()).find((x) => x.region === 'us' && x.state === 'unhealthy'),
    );
    expect(us).toMatchObject({
      in_consensus: false,
      down: true,
      banned: false,
      reason: 'unreachable',
    });
    expect(us['out_of_consensus_since']).toEqual(expect.any(String));
    expect(us['last_healthy_at']).toBe(us['out_of_consensus_since']);

    await t.vw.nodeops.fleet.ban('eu-val', 'disk replaced', { type: 'system', id: 'test' });
    const eu = (await regions()).find((x) => x.region === 'eu');
    expect(eu).toMatchObject({ state: 'unhealthy', banned: true, reason: 'disk replaced' });

    const lines: string[] = [];
    expect(
      await runProducerStatus(
        t.vw.producer,
        { out: (l) => lines.push(l), err: (l) => lines.push(l) },
        {},
      ),
    ).toBe(0);
    expect(lines[0]).toMatch(/^hub-1 {2}active=- /);
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^ {2}region us: unhealthy {2}OUT OF CONSENSUS {2}DOWN {2}\(unreachable\) {2}out since \S+ {2}last healthy \S+ {2}checked \S+$/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^ {2}region eu: unhealthy {2}OUT OF CONSENSUS {2}BANNED {2}\(disk replaced\) {2}last healthy/,
      ),
    );
  });
});
