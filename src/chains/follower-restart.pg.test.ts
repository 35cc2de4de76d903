import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEther, type Address } from 'viem';
import { createTestApp, testEnv, type TestApp } from '../../test/support/app.js';
import { spawnVaultwire, type VaultwireProcess } from '../../test/support/process.js';
import { startLocalNode, type LocalNode } from '../../test/fixtures/chains/node.js';

/**
 * The follower as its own process (`vaultwire start --roles follower`), killed with
 * SIGKILL in the middle of a stream of deposits and started again: every transfer ends
 * up stored exactly once and every deposit credited exactly once.
 */

const MNEMONIC =
  'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';

let node: LocalNode;
let t: TestApp;
let env: Record<string, string>;
const procs: VaultwireProcess[] = [];

beforeAll(async () => {
  node = await startLocalNode();
  const chains = JSON.stringify([
    {
      key: 'crash',
      chainId: node.chainId,
      rpcUrls: [node.url],
      confirmations: 2,
      pollMs: 50,
      fetchConcurrency: 2,
      startBlock: 0,
      nativeAsset: { code: 'ETH', decimals: 18 },
    },
  ]);
  t = await createTestApp({ VW_CUSTODY_MNEMONIC: MNEMONIC, VW_CHAINS: chains });
  if (!t.testDb.url) throw new Error('this test needs PostgreSQL');
  env = {
    ...testEnv(),
    DATABASE_URL: t.testDb.url,
    LOG_LEVEL: 'info',
    VW_ROLES: 'follower',
    VW_CHAINS: chains,
    VW_CUSTODY_MNEMONIC: MNEMONIC,
    VW_LEASE_TTL_MS: '1500',
    VW_INSTANCE_ID: 'crash-follower',
  };
});

afterAll(async () => {
  for (const p of procs) {
    p.kill('SIGKILL');
    await p.exited;
  }
  await t.close();
  await node.stop();
});

async function cursor(): Promise<bigint> {
  const { rows } = await t.vw.db.query<{ block_number: bigint }>(
    `SELECT block_number FROM chain_cursors WHERE chain_key = 'crash'`,
  );
  return rows[0]?.block_number ?? -1n;
}

function start(): VaultwireProcess {
  const p = spawnVaultwire(['start'], env);
  procs.push(p);
  return p;
}

describe('follower killed and restarted', () => {
  it('resumes from its cursor with no gap and no duplicate credit', async () => {
    const [funder] = node.accounts as [Address];
    const users = ['u1', 'u2', 'u3'];
    const addresses: Address[] = [];
    for (const u of users) {
      addresses.push(
        (await t.vw.chains.custody.depositAddress(`usr_${u}`, 'crash')).address as Address,
      );
    }
    const sent: string[] = [];
    const send = async (i: number) => {
      const to = addresses[i % addresses.length] as Address;
      const r = await node.send({ from: funder, to, value: parseEther('0.001') * BigInt(i + 1) });
      sent.push(r.transactionHash.toLowerCase());
    };

    const first = start();
    await first.waitForLog('took lease');
    for (let i = 0; i < 30; i++) await send(i);
    // Kill it once it has made progress, while blocks keep coming.
    while ((await cursor()) < 10n) await new Promise((r) => setTimeout(r, 20));
    first.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    for (let i = 30; i < 60; i++) await send(i);
    expect(await cursor()).toBeLessThan(BigInt(await node.rpc<string>('eth_blockNumber')));

    const second = start();
    await second.waitForLog('took lease', 30_000);
    await node.mine(3);
    const head = BigInt(await node.rpc<string>('eth_blockNumber'));
    const deadline = Date.now() + 60_000;
    while ((await cursor()) < head) {
      if (Date.now() > deadline) throw new Error(`follower stuck at ${await cursor()} < ${head}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    second.kill('SIGTERM');
    await second.exited;

    // No gap, no duplicate: every transfer stored once, none extra.
    const { rows: events } = await t.vw.db.query<{ tx_hash: string; n: bigint }>(
      `SELECT tx_hash, count(*) AS n FROM chain_events WHERE chain_key = 'crash' AND kind = 'native'
        GROUP BY tx_hash`,
    );
    expect(events.map((e) => e.tx_hash).sort()).toEqual([...sent].sort());
    expect(events.every((e) => e.n === 1n)).toBe(true);
    // Every deposit credited exactly once.
    const { rows: deposits } = await t.vw.db.query<{ status: string; n: bigint }>(
      `SELECT status, count(*) AS n FROM deposits WHERE chain_key = 'crash' GROUP BY status`,
    );
    expect(deposits.map((d) => [d.status, Number(d.n)])).toEqual([['confirmed', 60]]);
    let total = 0n;
    for (const u of users)
      total += (await t.vw.ledger.findAccount(`usr_${u}`, 'ETH'))?.balance.posted ?? 0n;
    const expected = Array.from(
      { length: 60 },
      (_, i) => parseEther('0.001') * BigInt(i + 1),
    ).reduce((a, b) => a + b, 0n);
    expect(total).toBe(expected);
  });
});
