import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Address } from 'viem';
import { buildVaultwire, type Vaultwire } from '../app.js';
import { loadConfig } from '../modules.js';
import { createTestDb, type TestDb } from '../../test/support/db.js';
import { testEnv } from '../../test/support/app.js';
import { startLocalNode, type LocalNode } from '../../test/fixtures/chains/node.js';
import { CursorConflictError } from './follower.js';

/**
 * One active follower per chain: two processes' worth of Vaultwire on one PostgreSQL
 * database contend for the chain's lease; only the holder moves the cursor, and a
 * follower whose token is older than the cursor's cannot write at all.
 */

let node: LocalNode;
let t: TestDb;
const apps: Vaultwire[] = [];

async function app(instanceId: string): Promise<Vaultwire> {
  const config = loadConfig({
    env: testEnv({
      VW_INSTANCE_ID: instanceId,
      VW_LEASE_TTL_MS: '1500',
      VW_CHAINS: JSON.stringify([
        {
          key: 'lease',
          chainId: node.chainId,
          rpcUrls: [node.url],
          confirmations: 2,
          pollMs: 50,
          startBlock: 0,
          nativeAsset: { code: 'ETH', decimals: 18 },
          withdrawals: { enabled: false },
        },
      ]),
    }),
  });
  const vw = await buildVaultwire({ config, db: t.db, migrate: false });
  apps.push(vw);
  return vw;
}

async function cursor(): Promise<
  { block_number: bigint; fencing_token: bigint; holder: string } | undefined
> {
  const { rows } = await t.db.query<{
    block_number: bigint;
    fencing_token: bigint;
    holder: string;
  }>(`SELECT block_number, fencing_token, holder FROM chain_cursors WHERE chain_key = 'lease'`);
  return rows[0];
}

async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  node = await startLocalNode();
  t = await createTestDb('postgres');
});

afterAll(async () => {
  for (const a of apps) await a.lifecycle.stop('test done');
  await t.drop();
  await node.stop();
});

describe('follower lease', () => {
  it('lets only the lease holder advance the cursor, and hands over when it stops', async () => {
    const [funder, to] = node.accounts as [Address, Address];
    const a = await app('follower-a');
    const b = await app('follower-b');
    const runA = a.chains.startFollowers();
    const runB = b.chains.startFollowers();
    for (let i = 0; i < 5; i++) await node.send({ from: funder, to, value: 1n });
    const head = BigInt(await node.rpc<string>('eth_blockNumber'));
    const first = await until('cursor at head', async () => {
      const c = await cursor();
      return c && c.block_number === head ? c : undefined;
    });
    const holders = (await a.leases.holders()).filter((h) => h.name === 'chains.follower.lease');
    expect(holders).toHaveLength(1);
    expect(holders[0]?.holder).toBe(first.holder);
    expect(holders[0]?.token).toBe(first.fencing_token);
    const holderApp = first.holder.startsWith('follower-a') ? 'a' : 'b';

    // Stop the holder: the other takes the lease (a higher token) and carries on.
    await (holderApp === 'a' ? runA : runB).stop();
    for (let i = 0; i < 3; i++) await node.send({ from: funder, to, value: 1n });
    const head2 = BigInt(await node.rpc<string>('eth_blockNumber'));
    const second = await until('the other follower to catch up', async () => {
      const c = await cursor();
      return c && c.block_number === head2 ? c : undefined;
    });
    expect(second.holder.startsWith(holderApp === 'a' ? 'follower-b' : 'follower-a')).toBe(true);
    expect(second.fencing_token).toBeGreaterThan(first.fencing_token);
    const { rows } = await t.db.query<{ n: bigint }>(
      `SELECT count(*) AS n FROM chain_events WHERE chain_key = 'lease' AND kind = 'native'`,
    );
    expect(Number(rows[0]?.n)).toBe(8);
    await (holderApp === 'a' ? runB : runA).stop();
  });

  it('refuses a follower whose fencing token is older than the last writer’s', async () => {
    const c = await cursor();
    if (!c) throw new Error('no cursor');
    const vw = apps[0];
    const follower = vw?.chains.follower('lease');
    if (!follower) throw new Error('no follower');
    const [funder, to] = node.accounts as [Address, Address];
    await node.send({ from: funder, to, value: 1n });
    const stale = {
      signal: new AbortController().signal,
      token: c.fencing_token - 1n,
      holder: 'stale',
      fence: () => Promise.resolve(),
    };
    await expect(follower.step(stale)).rejects.toBeInstanceOf(CursorConflictError);
    expect((await cursor())?.block_number).toBe(c.block_number);
  });
});
