import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import { syncToHead } from '../../test/fixtures/chains/harness.js';
import { startLocalNode, type LocalNode } from '../../test/fixtures/chains/node.js';
import {
  runChainsBackfill,
  runChainsExportSeed,
  runChainsRewind,
  runChainsStatus,
  runChainsXpub,
} from './cli.js';

const MNEMONIC =
  'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';

let node: LocalNode;
let t: TestApp;

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) },
    out,
    err,
  };
}

beforeAll(async () => {
  node = await startLocalNode();
  t = await createTestApp({
    VW_CUSTODY_MNEMONIC: MNEMONIC,
    VW_CHAINS: JSON.stringify([
      {
        key: 'cli',
        chainId: node.chainId,
        rpcUrls: [node.url],
        confirmations: 2,
        startBlock: 0,
        nativeAsset: { code: 'ETH', decimals: 18 },
      },
    ]),
  });
  await node.mine(5);
  const follower = t.vw.chains.follower('cli');
  if (!follower) throw new Error('no follower');
  await syncToHead(follower);
});

afterAll(async () => {
  await t.close();
  await node.stop();
});

describe('vaultwire chains …', () => {
  it('status shows cursor, confirmed height, head and lag', async () => {
    const c = capture();
    expect(await runChainsStatus(t.vw.chains, c.io, {})).toBe(0);
    expect(c.out[0]).toMatch(
      /^cli\s+chain 31337\s+running\s+cursor 5\s+confirmed 3\s+head 5\s+lag 0/,
    );
    const j = capture();
    await runChainsStatus(t.vw.chains, j.io, { json: true });
    expect(JSON.parse(j.out[0] ?? '{}')).toMatchObject({
      chain: 'cli',
      cursor: '5',
      state: 'running',
    });
  });

  it('backfill re-reads a confirmed range and refuses one past it', async () => {
    const ok = capture();
    expect(await runChainsBackfill(t.vw.chains, ok.io, { chain: 'cli', from: 0n, to: 3n })).toBe(0);
    expect(ok.out[0]).toMatch(/blocks 0\.\.3: 4 blocks read, 0 new events stored/);
    const beyond = capture();
    expect(
      await runChainsBackfill(t.vw.chains, beyond.io, { chain: 'cli', from: 0n, to: 5n }),
    ).toBe(1);
    expect(beyond.err.join('\n')).toMatch(/confirmed height/);
    const unknown = capture();
    expect(
      await runChainsBackfill(t.vw.chains, unknown.io, { chain: 'nope', from: 0n, to: 1n }),
    ).toBe(1);
  });

  it('rewind is carried out by the follower on its next step', async () => {
    const c = capture();
    expect(await runChainsRewind(t.vw.chains, c.io, { chain: 'cli', to: 2n })).toBe(0);
    const follower = t.vw.chains.follower('cli');
    if (!follower) throw new Error('no follower');
    await syncToHead(follower);
    const { rows } = await t.vw.db.query<{ rewind_to: bigint | null; block_number: bigint }>(
      `SELECT rewind_to, block_number FROM chain_cursors WHERE chain_key = 'cli'`,
    );
    expect(rows[0]).toEqual({ rewind_to: null, block_number: 5n });
    const removed = await t.vw.db.query(
      `SELECT 1 FROM outbox_events WHERE type = 'chain.block.removed' AND aggregate_id LIKE 'cli:%'`,
    );
    expect(removed.rowCount).toBe(3);
  });

  it('prints the xpub freely and the seed only when asked twice', async () => {
    const x = capture();
    await runChainsXpub(t.vw.chains, x.io);
    expect(x.out[0]).toMatch(/^xpub/);
    const no = capture();
    expect(await runChainsExportSeed(t.vw.chains, no.io, {})).toBe(2);
    expect(no.out).toEqual([]);
    const yes = capture();
    expect(await runChainsExportSeed(t.vw.chains, yes.io, { yes: true })).toBe(0);
    expect(yes.out).toEqual([MNEMONIC]);
  });
});
