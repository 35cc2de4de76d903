import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEther, parseGwei, type Address, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createTestApp, testEnv, type TestApp } from '../../test/support/app.js';
import { spawnVaultwire, type VaultwireProcess } from '../../test/support/process.js';
import { localChainInput } from '../../test/fixtures/chains/harness.js';
import { startLocalNode, type LocalNode } from '../../test/fixtures/chains/node.js';
import { isFailure } from '../platform/failure.js';
import { verifyLedger } from '../ledger/verify.js';

/**
 * A randomized soak: deposits and withdrawals for many users while reorgs of random
 * depth (inside and beyond the confirmations, inside the window) and SIGKILLs of the
 * follower process (`vaultwire start --roles follower`, which also runs the withdrawal
 * sender) are injected. Afterwards every user's credited total equals the canonical
 * transfers to their address, every withdrawal is on the canonical chain exactly once,
 * and the ledger verifies.
 *
 * VW_SOAK_ROUNDS sets the length (default small enough for CI); VW_SOAK_SEED repeats a run.
 */

const MNEMONIC =
  'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const ROUNDS = Number(process.env['VW_SOAK_ROUNDS'] ?? 6);
const USERS = 12;
const CONF = 3;
let seed = Number(process.env['VW_SOAK_SEED'] ?? Date.now() % 100_000);
const firstSeed = seed;
const rand = () => {
  // mulberry32: reproducible from VW_SOAK_SEED.
  seed = (seed + 0x6d2b79f5) | 0;
  let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
  return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
};
const pick = (n: number) => Math.floor(rand() * n);

let node: LocalNode;
let t: TestApp;
let env: Record<string, string>;
let proc: VaultwireProcess | undefined;
let funder: Address;
let outsider: Address;

beforeAll(async () => {
  node = await startLocalNode();
  [funder, , , , , outsider] = node.accounts as [
    Address,
    Address,
    Address,
    Address,
    Address,
    Address,
  ];
  const chains = JSON.stringify([
    localChainInput(node, {
      key: 'soak',
      confirmations: CONF,
      windowBlocks: 48,
      fetchConcurrency: 4,
      withdrawals: { stuckAfterSeconds: 3600, dailyLimit: { ETH: '100000' } },
    }),
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
    VW_INSTANCE_ID: 'soak-follower',
  };
}, 120_000);

afterAll(async () => {
  if (proc) {
    proc.kill('SIGKILL');
    await proc.exited;
  }
  await t.close();
  await node.stop();
});

/** Warnings and errors of every follower process so far, for a run that fails. */
const followerLog: string[] = [];
async function start() {
  if (proc) followerLog.push(...proc.lines.filter((l) => /"level":"(warn|error|fatal)"/.test(l)));
  proc = spawnVaultwire(['start'], env);
  // Generous: a loaded machine starts a process slowly.
  await proc.waitForLog('took lease', 120_000);
}

/** One depositor key per user: its signed bytes can be broadcast again after a reorg. */
interface Payer {
  key: ReturnType<typeof privateKeyToAccount>;
  nonce: number;
  /** Signed since the last snapshot (what a reorg to it removes). */
  recent: Hex[];
}

const head = async () => BigInt(await node.rpc<string>('eth_blockNumber'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('soak: deposits and withdrawals through random reorgs and follower kills', () => {
  it('ends with every credit and every withdrawal exactly as the canonical chain says', async () => {
    const users = Array.from({ length: USERS }, (_, i) => `usr_soak${i}`);
    const addresses: Address[] = [];
    for (const u of users) {
      addresses.push((await t.vw.chains.custody.depositAddress(u, 'soak')).address as Address);
    }
    const hot = (await t.vw.chains.custody.hotWalletAddress()) as Address;
    await node.send({ from: funder, to: hot, value: parseEther('500') });
    const payers: Payer[] = [];
    for (let i = 0; i < USERS; i++) {
      const key = privateKeyToAccount(generatePrivateKey());
      await node.send({ from: funder, to: key.address, value: parseEther('100') });
      payers.push({ key, nonce: 0, recent: [] });
    }
    // A starting balance deep below every reorg, so withdrawals never spend money a
    // reorg later takes back (the hold on a reorged credit then always succeeds).
    for (const a of addresses) await node.send({ from: funder, to: a, value: parseEther('5') });
    await node.mine(CONF);
    await start();
    for (let i = 0; ; i++) {
      const { rows } = await t.vw.db.query<{ n: bigint }>(
        `SELECT count(*) AS n FROM deposits WHERE status = 'confirmed'`,
      );
      if (rows[0]?.n === BigInt(USERS)) break;
      if (i > 600) throw new Error('starting deposits not credited');
      await sleep(100);
    }

    let reorgs = 0;
    let deepReorgs = 0;
    let kills = 0;
    let withdrawals = 0;
    const counted = { deposits: 0 };

    for (let round = 0; round < ROUNDS; round++) {
      const snap = await node.snapshot();
      const base = await head();
      for (const p of payers) p.recent = [];
      // Deposits, in 1 to 4 blocks.
      const blocks = 1 + pick(4);
      for (let b = 0; b < blocks; b++) {
        for (let k = 0; k < 1 + pick(4); k++) {
          const i = pick(USERS);
          const p = payers[i];
          if (!p) continue;
          const raw = await p.key.signTransaction({
            type: 'eip1559',
            chainId: node.chainId,
            nonce: p.nonce++,
            to: addresses[i],
            value: parseEther('0.01') * BigInt(1 + pick(50)),
            gas: 21_000n,
            maxFeePerGas: parseGwei('50'),
            maxPriorityFeePerGas: parseGwei('1'),
          });
          await node.rpc('evm_setAutomine', [false]);
          await node.rpc('eth_sendRawTransaction', [raw]);
          await node.rpc('evm_setAutomine', [true]);
          p.recent.push(raw);
          counted.deposits += 1;
        }
        await node.mine(1);
      }
      // Withdrawals from users with spendable money (the sender process signs them).
      for (let k = 0; k < pick(3); k++) {
        const u = users[pick(USERS)] ?? '';
        const available = (await t.vw.ledger.findAccount(u, 'ETH'))?.balance.available ?? 0n;
        if (available < parseEther('1')) continue;
        const r = await t.vw.chains.withdrawals.request({
          userId: u,
          chainKey: 'soak',
          asset: 'ETH',
          toAddress: outsider,
          amount: `0.0${1 + pick(4)}`,
        });
        if (!isFailure(r)) withdrawals += 1;
      }
      await sleep(100 + pick(400));
      await node.mine(pick(CONF + 3));
      await sleep(pick(300));

      if (rand() < 0.6) {
        // A reorg back to the round's start: depth random, inside or beyond the
        // confirmations. Per payer, its removed transfers come back (re-mined) or are
        // gone for good.
        const depth = (await head()) - base;
        await node.revert(snap);
        reorgs += 1;
        if (depth > BigInt(CONF)) deepReorgs += 1;
        await node.send({ from: funder, to: funder, value: 0n });
        for (const p of payers) {
          if (p.recent.length === 0) continue;
          if (rand() < 0.5) {
            await node.rpc('evm_setAutomine', [false]);
            for (const raw of p.recent) await node.rpc('eth_sendRawTransaction', [raw]);
            await node.rpc('evm_setAutomine', [true]);
          } else {
            p.nonce -= p.recent.length;
          }
        }
        await node.mine(Number(depth) + 1 + pick(3));
      }
      if (rand() < 0.35) {
        proc?.kill('SIGKILL');
        await proc?.exited;
        kills += 1;
        await start();
      }
    }

    // Let everything settle: blocks keep coming until the follower is at the head, no
    // deposit is pending and every withdrawal is confirmed.
    const deadline = Date.now() + 180_000;
    for (;;) {
      await node.mine(1);
      await sleep(150);
      const h = await head();
      const { rows } = await t.vw.db.query<{ cursor: bigint; open: bigint; wd: bigint }>(
        `SELECT (SELECT block_number FROM chain_cursors WHERE chain_key = 'soak') AS cursor,
                (SELECT count(*) FROM deposits WHERE status = 'pending') AS open,
                (SELECT count(*) FROM withdrawals WHERE status NOT IN ('confirmed', 'failed')) AS wd`,
      );
      const s = rows[0];
      if (s && s.cursor === h && s.open === 0n && s.wd === 0n) break;
      if (Date.now() > deadline) {
        // What was left, for whoever reads the failure.
        if (proc)
          followerLog.push(...proc.lines.filter((l) => /"level":"(warn|error|fatal)"/.test(l)));
        writeFileSync(
          new URL(`../../.test-data/soak-${firstSeed}.log`, import.meta.url),
          followerLog.join('\n'),
        );
        const { rows: left } = await t.vw.db.query(
          `SELECT w.id, w.status, w.nonce, w.reorged, w.failure_reason, n.next_nonce,
                  n.chain_nonce, n.stuck_reason
             FROM withdrawals w LEFT JOIN chain_nonces n ON n.chain_key = w.chain_key
            WHERE w.status NOT IN ('confirmed') ORDER BY w.nonce`,
        );
        throw new Error(
          `did not settle (seed ${firstSeed}): ${JSON.stringify({ s, left }, (_k, v: unknown) =>
            typeof v === 'bigint' ? String(v) : v,
          )}`,
        );
      }
    }
    proc?.kill('SIGTERM');
    await proc?.exited;
    proc = undefined;

    // Credits whose transfer is gone for good are held; the operator reverses them.
    const { rows: gone } = await t.vw.db.query<{ id: string }>(
      `SELECT id FROM deposits WHERE status = 'reorged_after_credit'`,
    );
    for (const g of gone) {
      const r = await t.vw.chains.deposits.reverse(g.id, { id: 'usr_operator', reason: 'soak' });
      expect(r, g.id).toMatchObject({ status: 'reversed' });
    }

    // The canonical chain, read back block by block.
    const final = await head();
    const canonicalIn = new Map<string, bigint>();
    const outTxs: { hash: string; value: bigint }[] = [];
    const byAddress = new Map(addresses.map((a, i) => [a.toLowerCase(), users[i] ?? '']));
    for (let n = 0n; n <= final; n++) {
      const b = await node.rpc<{
        transactions: { hash: string; from: string; to: string | null; value: string }[];
      }>('eth_getBlockByNumber', [`0x${n.toString(16)}`, true]);
      for (const x of b.transactions) {
        const user = x.to ? byAddress.get(x.to.toLowerCase()) : undefined;
        if (user) canonicalIn.set(user, (canonicalIn.get(user) ?? 0n) + BigInt(x.value));
        if (
          x.from.toLowerCase() === hot.toLowerCase() &&
          x.to?.toLowerCase() === outsider.toLowerCase()
        )
          outTxs.push({ hash: x.hash.toLowerCase(), value: BigInt(x.value) });
      }
    }
    for (const u of users) {
      const { rows } = await t.vw.db.query<{ total: string | null }>(
        `SELECT sum(amount)::text AS total FROM deposits WHERE user_id = $1 AND status = 'confirmed'`,
        [u],
      );
      expect(BigInt(rows[0]?.total ?? '0'), u).toBe(canonicalIn.get(u) ?? 0n);
      const { rows: w } = await t.vw.db.query<{ total: string | null }>(
        `SELECT sum(amount)::text AS total FROM withdrawals WHERE user_id = $1 AND status = 'confirmed'`,
        [u],
      );
      const balance = (await t.vw.ledger.findAccount(u, 'ETH'))?.balance;
      expect(balance?.posted ?? 0n, u).toBe(
        (canonicalIn.get(u) ?? 0n) - BigInt(w[0]?.total ?? '0'),
      );
      expect(balance?.pendingDebits ?? 0n).toBe(0n);
    }
    const { rows: wds } = await t.vw.db.query<{ tx_hash: string; amount: string; status: string }>(
      `SELECT w.tx_hash, w.amount::text AS amount, w.status FROM withdrawals w WHERE chain_key = 'soak'`,
    );
    expect(wds.every((w) => w.status === 'confirmed')).toBe(true);
    // Each exactly once on the canonical chain (by any of its attempts' hashes).
    const { rows: attempts } = await t.vw.db.query<{ tx_hash: string; withdrawal_id: string }>(
      'SELECT tx_hash, withdrawal_id FROM withdrawal_attempts',
    );
    const owner = new Map(attempts.map((a) => [a.tx_hash.toLowerCase(), a.withdrawal_id]));
    const seen = outTxs.map((x) => owner.get(x.hash));
    expect(seen.every((id) => id !== undefined)).toBe(true);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(wds.length);

    const report = await verifyLedger(t.vw.db);
    expect(report.ok, JSON.stringify(report)).toBe(true);
    console.log(
      `soak seed ${firstSeed}: ${ROUNDS} rounds, ${counted.deposits} deposits, ${withdrawals} withdrawals, ` +
        `${reorgs} reorgs (${deepReorgs} deeper than the confirmations), ${kills} follower SIGKILLs, ` +
        `${gone.length} credits reversed (transfer gone), final block ${final}`,
    );
  }, 900_000);
});
