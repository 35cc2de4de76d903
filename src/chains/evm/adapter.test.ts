import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import type { Address } from 'viem';
import { startLocalNode, type LocalNode } from '../../../test/fixtures/chains/node.js';
import { startRpcProxy, type RpcProxy } from '../../../test/fixtures/chains/proxy.js';
import {
  call,
  localChainSettings,
  tokenConstructorArgs,
} from '../../../test/fixtures/chains/harness.js';
import { createChainMetrics } from '../metrics.js';
import { createEvmAdapter, InconsistentChainDataError } from './adapter.js';
import { createRpcPool } from './rpc.js';

let node: LocalNode;
let proxy: RpcProxy;
let transferBlock: bigint;

beforeAll(async () => {
  node = await startLocalNode();
  proxy = await startRpcProxy(node.url);
  const [from, to] = node.accounts as [Address, Address];
  const token = await node.deploy('VwToken', tokenConstructorArgs('T', 'T', 0));
  const r = await node.send({ from, ...call('VwToken', token, 'mint', [to, 5n]) });
  transferBlock = BigInt(r.blockNumber);
});

afterAll(async () => {
  await proxy.close();
  await node.stop();
});

function adapterOver(urls: string[]) {
  const metrics = createChainMetrics(new Registry());
  const settings = localChainSettings(node, { rpcUrls: urls });
  let retries = 0;
  const rpc = createRpcPool({ chainKey: 'local', urls, metrics, timeoutMs: 3000 });
  const adapter = createEvmAdapter({
    settings,
    rpc,
    onEmptyLogsRetry: () => {
      retries += 1;
    },
  });
  return { adapter, metrics, retries: () => retries };
}

describe('EVM adapter over JSON-RPC', () => {
  it('falls back to the next endpoint when one is down, and counts the errors per endpoint', async () => {
    proxy.down = true;
    const { adapter, metrics } = adapterOver([proxy.url, node.url]);
    const head = await adapter.getHead();
    expect(head.number).toBeGreaterThanOrEqual(transferBlock);
    const health = adapter.health();
    expect(health.map((h) => h.healthy)).toEqual([false, true]);
    expect(health[0]?.lastError).toMatch(/503/);
    expect(health[0]?.url).toMatch(/^0:http:\/\/127\.0\.0\.1:\d+$/);
    const errors = (await metrics.errors.get()).values;
    expect(errors).toEqual([
      expect.objectContaining({
        labels: expect.objectContaining({ url: health[0]?.url, kind: 'http_503' }),
        value: 1,
      }),
    ]);
    proxy.down = false;
  });

  it('refetches by block hash when the node answers empty logs for a block whose bloom says otherwise', async () => {
    const { adapter, retries } = adapterOver([proxy.url]);
    proxy.emptyLogs = 1; // the node answers [] the first time
    const [block] = await adapter.fetchBlocks(transferBlock, transferBlock);
    expect(block?.events.map((e) => [e.kind, e.amount])).toEqual([['erc20', '5']]);
    expect(retries()).toBe(1);
  });

  it('refuses, rather than stores, a block whose logs never add up', async () => {
    const { adapter } = adapterOver([proxy.url]);
    proxy.emptyLogs = 100;
    await expect(adapter.fetchBlocks(transferBlock, transferBlock)).rejects.toBeInstanceOf(
      InconsistentChainDataError,
    );
    proxy.emptyLogs = 0;
  });

  it('skips eth_getLogs for a block whose bloom is empty', async () => {
    await node.mine(1);
    const empty = BigInt(await node.rpc<string>('eth_blockNumber'));
    const { adapter } = adapterOver([proxy.url]);
    const before = proxy.seen.get('eth_getLogs') ?? 0;
    const [block] = await adapter.fetchBlocks(empty, empty);
    expect(block?.events).toEqual([]);
    expect((proxy.seen.get('eth_getLogs') ?? 0) - before).toBe(0);
  });
});

describe('transaction status', () => {
  it('answers mined for a hash in a block (reverted or not), unknown for a pending or never-seen one', async () => {
    const { adapter } = adapterOver([node.url]);
    const [from, to, poor] = node.accounts as [Address, Address, Address];
    const ok = await node.send({ from, to, value: 1n });
    expect(await adapter.transactionStatus(ok.transactionHash)).toBe('mined');

    // A transaction that reverted still sits in a block: it was not dropped.
    const token = await node.deploy('VwToken', tokenConstructorArgs('R', 'R', 0));
    const reverted = await node.sendReverting({
      from: poor,
      ...call('VwToken', token, 'transfer', [to, 1n]),
    });
    expect(reverted.status).toBe('0x0');
    expect(await adapter.transactionStatus(reverted.transactionHash)).toBe('mined');

    const random = `0x${randomBytes(32).toString('hex')}`;
    expect(await adapter.transactionStatus(random)).toBe('unknown');

    // Broadcast but not mined yet: unknown until its block exists.
    await node.rpc('evm_setAutomine', [false]);
    try {
      const pending = await node.rpc<string>('eth_sendTransaction', [
        { from, to, value: '0x2', gas: '0x5208' },
      ]);
      expect(await adapter.transactionStatus(pending)).toBe('unknown');
      await node.mine(1);
      expect(await adapter.transactionStatus(pending)).toBe('mined');
    } finally {
      await node.rpc('evm_setAutomine', [true]);
    }
  });
});
