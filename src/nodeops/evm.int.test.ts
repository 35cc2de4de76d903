import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import { startLocalNode, type LocalNode } from '../../test/fixtures/chains/node.js';
import { startTelegram, type FakeService } from '../../test/fixtures/nodeops/receivers.js';

/**
 * EVM checks against a real local Hardhat node. The reference is the node itself; the
 * watched node is the same node seen through a proxy that can freeze its head (it keeps
 * answering `eth_getBlockByNumber("latest")` with the block it had): a node that stopped
 * following the chain. Reverting Hardhat to a snapshot and mining again puts the
 * reference on other blocks at the frozen height: a fork.
 */
const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
let node: LocalNode;
let proxy: { url: string; frozen: string | undefined; close(): Promise<void> };
let telegram: FakeService;
let t: TestApp;
let mining: NodeJS.Timeout | undefined;
let monitor: { stop(): Promise<void> } | undefined;

function forward(target: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve(Buffer.concat(chunks).toString('utf8'));
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function startFreezingProxy(target: string) {
  const state = {
    url: '',
    frozen: undefined as string | undefined,
    close: () => Promise.resolve(),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      void forward(target, raw).then((answer) => {
        const calls = JSON.parse(raw) as { id: number; method: string; params: unknown[] }[];
        const replies = JSON.parse(answer) as { id: number; result: unknown }[];
        if (Array.isArray(calls)) {
          for (const c of calls) {
            if (c.method !== 'eth_getBlockByNumber' || c.params[0] !== 'latest') continue;
            const r = replies.find((x) => x.id === c.id);
            if (!r) continue;
            if (state.frozen === undefined) continue;
            r.result = JSON.parse(state.frozen) as unknown;
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(replies));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
      server.closeAllConnections();
    });
  return state;
}

const texts = () => telegram.received.map((r) => String(r.body['text']));
async function until(what: string, fn: () => boolean, ms = 20_000) {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(texts())}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
const startMining = () => {
  mining = setInterval(() => {
    void node.mine(1).catch(() => undefined);
  }, 500);
};
const stopMining = () => {
  clearInterval(mining);
};

beforeAll(async () => {
  node = await startLocalNode({ chainId: 31_999 });
  proxy = await startFreezingProxy(node.url);
  telegram = await startTelegram(TOKEN);
  t = await createTestApp({
    VW_NODEOPS: JSON.stringify({
      intervalMs: 100,
      sendPollMs: 50,
      ssrfAllow: ['127.0.0.0/8'],
      chains: [
        {
          key: 'local-evm',
          family: 'evm',
          blockTimeSeconds: 0.5,
          lagBlocks: 3,
          minPeers: 0,
          references: [node.url],
        },
      ],
      nodes: [{ name: 'geth-eu', chain: 'local-evm', region: 'eu', role: 'rpc', url: proxy.url }],
      channels: [
        { name: 'tg', kind: 'telegram', botToken: TOKEN, chatId: '42', apiUrl: telegram.url },
      ],
    }),
  });
  startMining();
  monitor = t.vw.nodeops.createMonitor().start();
});

afterAll(async () => {
  stopMining();
  await monitor?.stop();
  await t.close();
  await Promise.all([proxy.close(), telegram.close(), node.stop()]);
});

describe('EVM checks on a real Hardhat node', () => {
  it('a node that stops following alerts (stalled, lagging) and resolves when it follows again', async () => {
    await new Promise((r) => setTimeout(r, 800));
    expect(texts()).toEqual([]);
    const latest = await node.rpc('eth_getBlockByNumber', ['latest', false]);
    proxy.frozen = JSON.stringify(latest);
    await until('stalled and lagging', () =>
      ['stuck at height', 'blocks behind'].every((s) => texts().some((x) => x.includes(s))),
    );
    expect(texts()[0]).toMatch(/^\[FIRING critical\] local-evm\/geth-eu \(eu, rpc\): geth-eu /);
    proxy.frozen = undefined;
    await until('resolved', () => texts().filter((x) => x.startsWith('[RESOLVED]')).length === 2);
    let status = await t.vw.nodeops.fleet.getNode('geth-eu');
    const end = Date.now() + 10_000;
    while (
      (status as { lastState?: { state: string } }).lastState?.state !== 'ok' &&
      Date.now() < end
    ) {
      await new Promise((r) => setTimeout(r, 50));
      status = await t.vw.nodeops.fleet.getNode('geth-eu');
    }
    expect(status).toMatchObject({ lastState: { state: 'ok', peers: 0 } });
    expect((status as { lastState: { version: string } }).lastState.version).toMatch(
      /^HardhatNetwork/,
    );
  });

  it('a node on other blocks than the reference at the same height alerts as forked', async () => {
    stopMining();
    const before = telegram.received.length;
    const snap = await node.snapshot();
    await node.mine(1);
    proxy.frozen = JSON.stringify(await node.rpc('eth_getBlockByNumber', ['latest', false]));
    await node.revert(snap);
    const ts = (await node.rpc<{ timestamp: string }>('eth_getBlockByNumber', ['latest', false]))
      .timestamp;
    await node.rpc('evm_mine', [Number.parseInt(ts, 16) + 1000]);
    await until('forked', () =>
      texts()
        .slice(before)
        .some((x) => x.includes('geth-eu is on a fork')),
    );
    expect(
      texts()
        .slice(before)
        .find((x) => x.includes('on a fork')),
    ).toMatch(/block \d+ is 0x[0-9a-f]{64}, the references have 0x[0-9a-f]{64}/);
    proxy.frozen = undefined;
    startMining();
    await until('fork resolved', () =>
      texts()
        .slice(before)
        .some((x) => x.startsWith('[RESOLVED] local-evm/geth-eu (eu, rpc): forked')),
    );
  });
});
