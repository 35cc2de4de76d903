import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import { localChainInput } from '../../test/fixtures/chains/harness.js';
import { startLocalNode, type LocalNode } from '../../test/fixtures/chains/node.js';
import { startRpcProxy, type RpcProxy } from '../../test/fixtures/chains/proxy.js';
import { runChainsStatus } from './cli.js';
import { RpcEndpointsBannedError } from './evm/rpc.js';

/**
 * The chains module's RPC pool and node-operations bans, on real PostgreSQL and a real
 * Hardhat node. The chain has two endpoints, `a` (first, preferred) and `b`, each a proxy
 * in front of the node that counts the requests it forwards; node operations watches
 * the same two URLs. `a` goes down, stays out of consensus past `banAfterSeconds` and is
 * banned by the monitor; from then on the pool sends it nothing, even once it answers
 * again, until an operator unbans it. With every endpoint banned, requests fail with a
 * typed error and the usable-endpoints gauge reads 0: the pool never quietly runs dry.
 *
 * Counting uses `eth_chainId`, a method the node-ops probes never call, so the counts
 * are the chains pool's requests only.
 */
let node: LocalNode;
let a: RpcProxy;
let b: RpcProxy;
let t: TestApp;
let monitor: { stop(): Promise<void> } | undefined;

beforeAll(async () => {
  node = await startLocalNode({ chainId: 31_977 });
  a = await startRpcProxy(node.url);
  b = await startRpcProxy(node.url);
  t = await createTestApp({
    VW_CHAINS: JSON.stringify([localChainInput(node, { rpcUrls: [a.url, b.url] })]),
    VW_NODEOPS: JSON.stringify({
      intervalMs: 100,
      sendPollMs: 50,
      ssrfAllow: ['127.0.0.0/8'],
      chains: [
        {
          key: 'local',
          family: 'evm',
          blockTimeSeconds: 1,
          minPeers: 0,
          banAfterSeconds: 1,
          unbanAfterSeconds: 0,
          references: [node.url],
        },
      ],
      nodes: [
        // Written as an operator might: the pool matches it to `a.url` all the same.
        { name: 'a', chain: 'local', region: 'eu', role: 'rpc', url: `${a.url}/` },
        { name: 'b', chain: 'local', region: 'us', role: 'rpc', url: b.url },
      ],
    }),
  });
});

afterAll(async () => {
  await monitor?.stop();
  await t.close();
  await Promise.all([a.close(), b.close(), node.stop()]);
});

const rpc = () => {
  const adapter = t.vw.chains.adapter('local');
  if (!adapter) throw new Error('no local chain');
  return adapter.rpc;
};
const chainIds = (p: RpcProxy) => p.seen.get('eth_chainId') ?? 0;
const endpoints = async () => (await t.vw.chains.status())[0]?.endpoints ?? [];

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the pool sees `url`'s ban as `banned` (bans reach it by notification). */
const poolSees = (index: number, banned: boolean) =>
  until(`endpoint ${index} banned=${banned} in the pool`, async () =>
    (await endpoints())[index]?.banned === banned ? true : undefined,
  );

async function gauge(name: string, labels: string): Promise<number | undefined> {
  const text = await t.vw.metrics.registry.metrics();
  // Every series also carries the registry's default label (`service`).
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels},`));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

describe('RPC pool and node-operations bans', () => {
  it('a banned node gets no requests; unbanning restores it; all banned fails loudly', async () => {
    // Both healthy: the first endpoint takes the requests.
    await rpc().request('eth_chainId');
    expect(chainIds(a)).toBe(1);
    expect(chainIds(b)).toBe(0);

    // `a` goes down; the monitor finds it out of consensus and bans it after 1 s.
    a.down = true;
    monitor = t.vw.nodeops.createMonitor().start();
    const banned = await until('the automatic ban of a', async () => {
      const n = await t.vw.nodeops.fleet.getNode('a');
      return 'bannedAt' in n && n.bannedAt !== null ? n : undefined;
    });
    expect(banned).toMatchObject({ bannedBy: 'auto' });
    expect(banned.banReason).toMatch(/^out of consensus for \d+ s \(unreachable/);
    await monitor.stop();
    monitor = undefined;
    await poolSees(0, true);

    // Back up, but banned: the pool sends it nothing.
    a.down = false;
    for (let i = 0; i < 5; i++) await rpc().request('eth_chainId');
    expect(chainIds(a)).toBe(1);
    expect(chainIds(b)).toBe(5);
    expect(await gauge('vaultwire_chain_rpc_banned', `chain="local",url="0:${a.url}"`)).toBe(1);
    expect(await gauge('vaultwire_chain_rpc_usable_endpoints', 'chain="local"')).toBe(1);

    // Every endpoint banned: a typed error, nothing sent, the gauge at 0.
    const byOperator = { type: 'user' as const, id: 'usr_operator' };
    expect(await t.vw.nodeops.fleet.ban('b', 'maintenance', byOperator)).toMatchObject({
      bannedBy: 'usr_operator',
    });
    await poolSees(1, true);
    await expect(rpc().request('eth_chainId')).rejects.toBeInstanceOf(RpcEndpointsBannedError);
    await expect(rpc().request('eth_chainId')).rejects.toThrow(
      /local: every RPC endpoint is banned by node operations/,
    );
    expect(chainIds(a) + chainIds(b)).toBe(6);
    expect(await gauge('vaultwire_chain_rpc_usable_endpoints', 'chain="local"')).toBe(0);
    const lines: string[] = [];
    await runChainsStatus(
      t.vw.chains,
      { out: (l) => lines.push(l), err: (l) => lines.push(l) },
      {},
    );
    expect(lines).toContain(
      `  EVERY RPC ENDPOINT BANNED (node operations): 0:${a.url}, 1:${b.url}`,
    );

    // An operator unbans `a`: it is first in the list again and takes the requests.
    expect(await t.vw.nodeops.fleet.unban('a', byOperator)).toMatchObject({ bannedAt: null });
    await poolSees(0, false);
    for (let i = 0; i < 3; i++) await rpc().request('eth_chainId');
    expect(chainIds(a)).toBe(4);
    expect(chainIds(b)).toBe(5);
    expect(await gauge('vaultwire_chain_rpc_usable_endpoints', 'chain="local"')).toBe(1);

    expect(await t.vw.nodeops.fleet.unban('b', byOperator)).toMatchObject({ bannedAt: null });
    await poolSees(1, false);
    expect(await gauge('vaultwire_chain_rpc_banned', `chain="local",url="1:${b.url}"`)).toBe(0);
  });
});
