import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import { syncToHead } from '../../test/fixtures/chains/harness.js';
import { startLocalNode, type LocalNode } from '../../test/fixtures/chains/node.js';
import { startRpcProxy, type RpcProxy } from '../../test/fixtures/chains/proxy.js';

/**
 * `chains.heights` reads the follower's stored cursor and confirmed height: callers that
 * ask often (webhook backfills) cost the node nothing and get an answer while it is down.
 * The chain's only RPC endpoint is a proxy that counts every request it forwards.
 */

let node: LocalNode;
let proxy: RpcProxy;
let t: TestApp;

const requests = () => [...proxy.seen.values()].reduce((a, b) => a + b, 0);

beforeAll(async () => {
  node = await startLocalNode();
  proxy = await startRpcProxy(node.url);
  t = await createTestApp({
    VW_CHAINS: JSON.stringify([
      {
        key: 'hts',
        chainId: node.chainId,
        rpcUrls: [proxy.url],
        confirmations: 2,
        startBlock: 0,
        nativeAsset: { code: 'ETH', decimals: 18 },
      },
    ]),
  });
});

afterAll(async () => {
  await t.close();
  await proxy.close();
  await node.stop();
});

describe('chains.heights', () => {
  it('reads the stored cursor and confirmed height without asking the node, even when it is down', async () => {
    expect(await t.vw.chains.heights('hts')).toBeUndefined(); // follower not started
    await node.mine(5);
    const follower = t.vw.chains.follower('hts');
    if (!follower) throw new Error('no follower');
    await syncToHead(follower);
    const head = BigInt(await node.rpc<string>('eth_blockNumber'));

    const before = requests();
    const heights = await t.vw.chains.heights('hts');
    // No webhook change yet: the interest the follower read under has taken in none (0).
    expect(heights).toEqual({ cursor: head, confirmed: head - 2n, interestMark: 0n });
    expect(requests()).toBe(before);
    // The same figures status() shows, which does ask the node for its head.
    const status = (await t.vw.chains.status()).find((s) => s.chain === 'hts');
    expect([status?.cursor, status?.confirmed]).toEqual([heights?.cursor, heights?.confirmed]);
    expect(requests()).toBeGreaterThan(before);

    proxy.down = true;
    try {
      expect(await t.vw.chains.heights('hts')).toEqual(heights);
    } finally {
      proxy.down = false;
    }
    expect(await t.vw.chains.heights('nope')).toBeUndefined();
  });
});
