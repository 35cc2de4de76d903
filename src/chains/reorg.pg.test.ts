import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getAddress, parseEther, parseGwei, type Address, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import {
  call,
  localChainInput,
  silentLogger,
  syncToHead,
  tokenConstructorArgs,
} from '../../test/fixtures/chains/harness.js';
import { startLocalNode, type LocalNode } from '../../test/fixtures/chains/node.js';
import { verifyLedger } from '../ledger/verify.js';
import { allowNetworkInTransaction } from '../platform/db/network-guard.js';
import { createFollower, type Follower, type FollowerHook } from './follower.js';
import { RpcUnavailableError } from './evm/rpc.js';
import { createEvmSender, type ChainSender } from './evm/sender.js';
import { createWithdrawalSender, type WithdrawalSender } from './withdrawals/sender.js';
import { runChainsRewind, runChainsStatus } from './cli.js';

/**
 * Deposits and withdrawals through reorgs, on a real local EVM node with the real
 * ledger. Reorgs are built with the node's snapshots: revert to a snapshot, then mine
 * another branch (longer, so the node switches to it). Each scenario runs several times
 * with different timing and shapes; a race that passes once proves little.
 */

const MNEMONIC =
  'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const PW = 'correct horse battery staple';
const CONF = 3;

let node: LocalNode;
let t: TestApp;
let follower: Follower;
let sender: WithdrawalSender;
let funder: Address;
let outsider: Address;
let operator: { id: string; token: string };
let hot: Address;
let usdc: Address;

async function user(email: string, role?: 'operator') {
  const r = await t.request('POST', '/v1/users', { body: { email, password: PW } });
  expect(r.status, r.text).toBe(201);
  if (role) await t.vw.identity.changeRole(r.body.id, role, { type: 'system', id: 'test' });
  const s = await t.request('POST', '/v1/sessions', { body: { email, password: PW } });
  expect(s.status, s.text).toBe(201);
  return { id: r.body.id as string, token: s.body.token as string };
}

let userSeq = 0;
async function depositor() {
  const u = await user(`u${++userSeq}@example.com`);
  const r = await t.request('POST', '/v1/deposit_addresses', {
    token: u.token,
    body: { chain: 'local', asset: 'ETH' },
  });
  expect(r.status, r.text).toBe(200);
  return { ...u, address: r.body.address as Address };
}

async function balance(userId: string) {
  const a = await t.vw.ledger.findAccount(userId, 'ETH');
  return a?.balance ?? { posted: 0n, available: 0n, pendingDebits: 0n, pendingCredits: 0n };
}

async function deposits(userId: string) {
  return t.vw.chains.deposits.list({ userId, limit: 100 });
}

async function published(type: string, field: string, value: string): Promise<number> {
  const { rows } = await t.vw.db.query<{ n: bigint }>(
    `SELECT count(*) AS n FROM outbox_events WHERE type = $1 AND payload->>$2 = $3`,
    [type, field, value],
  );
  return Number(rows[0]?.n ?? 0);
}

const head = async () => BigInt(await node.rpc<string>('eth_blockNumber'));
const ethBalance = async (a: Address) =>
  BigInt(await node.rpc<string>('eth_getBalance', [a, 'latest']));

/** A key of our own, so a transaction's signed bytes can be broadcast again after a reorg. */
async function signer() {
  const account = privateKeyToAccount(generatePrivateKey());
  await node.send({ from: funder, to: account.address, value: parseEther('50') });
  let nonce = 0;
  return {
    address: account.address,
    async sign(to: Address, value: bigint): Promise<Hex> {
      return account.signTransaction({
        type: 'eip1559',
        chainId: node.chainId,
        nonce: nonce++,
        to,
        value,
        gas: 21_000n,
        maxFeePerGas: parseGwei('50'),
        maxPriorityFeePerGas: parseGwei('1'),
      });
    },
  };
}

const sendRaw = (raw: Hex) => node.rpc<Hex>('eth_sendRawTransaction', [raw]);

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
  usdc = await node.deploy('VwToken', tokenConstructorArgs('USD Coin', 'USDC', 6));
  t = await createTestApp({
    VW_CUSTODY_MNEMONIC: MNEMONIC,
    VW_CHAINS: JSON.stringify([
      localChainInput(node, {
        confirmations: CONF,
        windowBlocks: 48,
        startBlock: 'latest',
        tokens: [{ code: 'USDC', address: usdc, decimals: 6, gasLimit: 100000 }],
        withdrawals: { stuckAfterSeconds: 3600, dailyLimit: { ETH: '1000' } },
      }),
      {
        key: 'tight',
        chainId: node.chainId,
        rpcUrls: [node.url],
        confirmations: 2,
        pollMs: 50,
        windowBlocks: 8,
        startBlock: 'latest',
        nativeAsset: { code: 'ETH', decimals: 18 },
        withdrawals: { enabled: false },
      },
    ]),
  });
  const f = t.vw.chains.follower('local');
  const s = t.vw.chains.sender('local');
  if (!f || !s) throw new Error('chain local not built');
  follower = f;
  sender = s;
  operator = await user('op@example.com', 'operator');
  await syncToHead(follower);
  const h = await t.vw.chains.custody.hotWalletAddress();
  if (!h) throw new Error('no hot wallet');
  hot = h as Address;
  await node.send({ from: funder, to: hot, value: parseEther('200') });
  await sender.syncNonce();
}, 120_000);

afterAll(async () => {
  await t.close();
  await node.stop();
});

async function ledgerOk() {
  const report = await verifyLedger(t.vw.db);
  expect(report.ok, JSON.stringify(report)).toBe(true);
}

describe('a follower catching up', () => {
  // The deposit gets 2 blocks on top (confirmations = 3), then a 3-block reorg removes it
  // while the follower, far behind, commits the batch before the one holding it. The
  // blocks it fetched ahead (with the deposit) are older than the head of its next step.
  const shapes = [
    { batch: 3, delayMs: 150, longer: 4 },
    { batch: 5, delayMs: 0, longer: 6 },
    { batch: 4, delayMs: 300, longer: 5 },
    { batch: 6, delayMs: 50, longer: 7 },
    { batch: 8, delayMs: 200, longer: 4 },
    { batch: 3, delayMs: 400, longer: 6 },
  ];
  it.each(shapes)(
    'never credits a deposit that never had the confirmations ($batch-block batches, $delayMs ms slow commit)',
    async ({ batch, delayMs, longer }) => {
      const u = await depositor();
      const s = await signer();
      await syncToHead(follower);
      const start = await head();
      // Batches end at start + batch·i: put the deposit right after one of them.
      await node.mine(batch * 3);
      const snap = await node.snapshot();
      const raw = await s.sign(u.address, parseEther('1.25'));
      const tx = await sendRaw(raw);
      const depositBlock = await head();
      expect(depositBlock).toBe(start + BigInt(batch * 3) + 1n);
      await node.mine(2);

      let fired = false;
      const slowCommit: FollowerHook = {
        async afterStep(_chain, change) {
          if (fired || !change.ingested || change.ingested.to !== depositBlock - 1n) return;
          fired = true;
          await new Promise((r) => setTimeout(r, delayMs));
          // The chain reorganises while the follower's commit is in flight, on purpose.
          await allowNetworkInTransaction(async () => {
            await node.revert(snap);
            await node.mine(longer);
          });
        },
      };
      const adapter = t.vw.chains.adapter('local');
      const settings = t.vw.chains.chain('local');
      if (!adapter || !settings) throw new Error('chain local not built');
      const catchingUp = createFollower({
        db: t.vw.db,
        adapter,
        settings,
        outbox: t.vw.outbox,
        metrics: t.vw.chains.metrics,
        logger: silentLogger,
        hooks: [slowCommit, t.vw.chains.deposits],
        maxBatchBlocks: batch,
      });
      await syncToHead(catchingUp);
      expect(fired).toBe(true);
      await node.mine(CONF + 1);
      await syncToHead(follower);

      expect((await balance(u.id)).posted).toBe(0n);
      expect(await published('deposit.confirmed', 'tx_hash', tx)).toBe(0);
      const statuses = (await deposits(u.id)).map((d) => d.status);
      if (delayMs > 0) expect(statuses).toEqual(['removed']);
      // With no delay the reorg can land before the blocks read ahead reach the deposit's:
      // the follower then never sees it at all, which is as right as seeing it removed.
      else expect([[], ['removed']]).toContainEqual(statuses);
      expect(await node.rpc('eth_getTransactionReceipt', [tx])).toBeNull();
    },
  );
});

describe('a reorg deeper than the confirmations', () => {
  const shapes = [
    { before: 0, syncBetween: true },
    { before: 1, syncBetween: false },
    { before: 2, syncBetween: true },
    { before: 3, syncBetween: false },
  ];
  it.each(shapes)(
    're-mining the same transaction is the same deposit, credited once ($before blocks first, sync between: $syncBetween)',
    async ({ before, syncBetween }) => {
      const u = await depositor();
      const s = await signer();
      await syncToHead(follower);
      const snap = await node.snapshot();
      const raw = await s.sign(u.address, parseEther('2.5'));
      const tx = await sendRaw(raw);
      await node.mine(CONF + 1);
      await syncToHead(follower);
      expect((await balance(u.id)).posted).toBe(parseEther('2.5'));

      // The reorg: the transaction goes back to the mempool and is mined again, in
      // another block of a longer branch.
      await node.revert(snap);
      await node.mine(before);
      if (syncBetween) await syncToHead(follower);
      expect(await sendRaw(raw)).toBe(tx);
      await node.mine(CONF + 3);
      await syncToHead(follower);
      await node.mine(CONF);
      await syncToHead(follower);

      // One deposit (moved to the new block, or back in the same one when the branch
      // rebuilt it identically), credited once.
      const list = await deposits(u.id);
      expect(list.map((d) => [d.status, d.amountDecimal])).toEqual([['confirmed', '2.5']]);
      const receipt = await node.rpc<{ blockHash: string }>('eth_getTransactionReceipt', [tx]);
      expect(list[0]?.blockHash).toBe(receipt.blockHash.toLowerCase());
      expect(await balance(u.id)).toMatchObject({
        posted: parseEther('2.5'),
        available: parseEther('2.5'),
      });
      expect(await published('deposit.confirmed', 'tx_hash', tx)).toBe(1);
      await ledgerOk();
    },
  );

  it('holds a credit whose transfer is gone, alerts, and lets an operator reverse it (audited)', async () => {
    const u = await depositor();
    const s = await signer();
    await syncToHead(follower);
    const snap = await node.snapshot();
    const tx = await sendRaw(await s.sign(u.address, parseEther('4')));
    await node.mine(CONF + 1);
    await syncToHead(follower);
    expect((await balance(u.id)).available).toBe(parseEther('4'));

    await node.revert(snap);
    await node.mine(CONF + 4);
    await syncToHead(follower);

    const [d] = await deposits(u.id);
    expect(d).toMatchObject({ status: 'reorged_after_credit', onHold: true, holdError: null });
    // The credit is still booked but cannot be spent.
    expect(await balance(u.id)).toMatchObject({ posted: parseEther('4'), available: 0n });
    const w = await t.request('POST', '/v1/withdrawals', {
      token: u.token,
      body: { chain: 'local', asset: 'ETH', to_address: outsider, amount: '1' },
    });
    expect([w.status, w.body.error?.code]).toEqual([402, 'insufficient_funds']);
    expect(await published('deposit.reorged_after_credit', 'tx_hash', tx)).toBe(1);
    const open = await t.vw.chains.metrics.depositsOnHold.get();
    expect(open.values.find((v) => v.labels['chain'] === 'local')?.value).toBeGreaterThan(0);
    const listed = await t.request('GET', '/v1/deposits?status=reorged_after_credit', {
      token: operator.token,
    });
    expect(listed.body.data.map((x: { id: string }) => x.id)).toContain(d?.id);

    // The user cannot reverse it; the operator can, once, and it is audited.
    const byUser = await t.request('POST', `/v1/deposits/${d?.id}/reverse`, {
      token: u.token,
      body: { reason: 'reorged out' },
    });
    expect(byUser.status).toBe(403);
    const r = await t.request('POST', `/v1/deposits/${d?.id}/reverse`, {
      token: operator.token,
      body: { reason: 'transfer gone after a 7-block reorg' },
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ status: 'reversed', on_hold: false });
    expect(await balance(u.id)).toMatchObject({ posted: 0n, available: 0n, pendingDebits: 0n });
    const again = await t.request('POST', `/v1/deposits/${d?.id}/reverse`, {
      token: operator.token,
      body: { reason: 'twice' },
    });
    expect([again.status, again.body.error?.code]).toEqual([409, 'deposit_not_reorged']);
    const audit = await t.vw.audit.list({ limit: 5, actorId: operator.id });
    expect(audit.events.map((e) => e.action)).toContain('deposit.reversed');
    await ledgerOk();
  });
});

async function withdraw(token: string, amount: string) {
  const r = await t.request('POST', '/v1/withdrawals', {
    token,
    body: { chain: 'local', asset: 'ETH', to_address: getAddress(outsider), amount },
  });
  expect(r.status, r.text).toBe(201);
  return r.body.id as string;
}

async function funded(eth: string) {
  const u = await depositor();
  await node.send({ from: funder, to: u.address, value: parseEther(eth) });
  await node.mine(CONF);
  await syncToHead(follower);
  expect((await balance(u.id)).available).toBe(parseEther(eth));
  return u;
}

/** Transactions from the hot wallet to `to` in blocks start..end of the canonical chain. */
async function hotTransfers(from: bigint, to: bigint): Promise<{ hash: string; value: bigint }[]> {
  const out: { hash: string; value: bigint }[] = [];
  for (let n = from; n <= to; n++) {
    const b = await node.rpc<{
      transactions: { hash: string; from: string; to: string | null; value: string }[];
    }>('eth_getBlockByNumber', [`0x${n.toString(16)}`, true]);
    for (const x of b.transactions) {
      if (
        x.from.toLowerCase() === hot.toLowerCase() &&
        x.to?.toLowerCase() === outsider.toLowerCase()
      )
        out.push({ hash: x.hash, value: BigInt(x.value) });
    }
  }
  return out;
}

/** The app's chain sender for `local`, and a withdrawal sender built over another one. */
function senderParts() {
  const chain = t.vw.chains.chain('local');
  const adapter = t.vw.chains.adapter('local');
  if (!chain || !adapter) throw new Error('no chain');
  const real = createEvmSender({ settings: chain, rpc: adapter.rpc });
  const withSender = (chainSender: ChainSender) =>
    createWithdrawalSender({
      db: t.vw.db,
      settings: chain,
      sender: chainSender,
      custody: t.vw.chains.custody,
      withdrawals: t.vw.chains.withdrawals,
      outbox: t.vw.outbox,
      metrics: t.vw.chains.metrics,
      logger: silentLogger,
    });
  return { real, withSender };
}

describe('withdrawals through reorgs', () => {
  it.each([{ deeper: 1 }, { deeper: 4 }, { deeper: 9 }])(
    'a confirmed withdrawal reorged out goes back to broadcast and is re-sent; three later ones go through (reorg $deeper blocks past the confirmations)',
    async ({ deeper }) => {
      const u = await funded('10');
      await sender.tick();
      const from = (await head()) + 1n;
      const outsiderBefore = await ethBalance(outsider);
      const snap = await node.snapshot();
      const first = await withdraw(u.token, '1.5');
      await sender.tick();
      await node.mine(CONF);
      await sender.tick();
      expect((await t.vw.chains.withdrawals.get(first))?.status).toBe('confirmed');
      const firstHash = (await t.vw.chains.withdrawals.get(first))?.txHash;

      await node.revert(snap);
      await node.mine(CONF + deeper);
      expect(await ethBalance(outsider)).toBe(outsiderBefore);
      await sender.tick();
      const back = await t.vw.chains.withdrawals.get(first);
      expect(back?.txHash).toBe(firstHash);
      expect(await published('withdrawal.reorged', 'id', first)).toBe(1);
      const reorgedMetric = await t.vw.chains.metrics.withdrawalsReorged.get();
      expect(reorgedMetric.values[0]?.value).toBeGreaterThan(0);

      const later = [await withdraw(u.token, '0.1'), await withdraw(u.token, '0.2')];
      later.push(await withdraw(u.token, '0.3'));
      for (let i = 0; i < 4; i++) {
        await sender.tick();
        await node.mine(CONF);
      }
      await sender.tick();
      for (const id of [first, ...later]) {
        expect((await t.vw.chains.withdrawals.get(id))?.status, id).toBe('confirmed');
      }
      // On the canonical chain: each exactly once, the first with its original bytes.
      const sent = await hotTransfers(from, await head());
      expect(sent.map((x) => x.value).sort()).toEqual(
        [parseEther('0.1'), parseEther('0.2'), parseEther('0.3'), parseEther('1.5')].sort(),
      );
      expect(sent.map((x) => x.hash)).toContain(firstHash);
      expect((await ethBalance(outsider)) - outsiderBefore).toBe(parseEther('2.1'));
      // Debited once each, nothing held any more.
      expect(await balance(u.id)).toMatchObject({
        posted: parseEther('7.9'),
        available: parseEther('7.9'),
        pendingDebits: 0n,
      });
      const status = await t.request('GET', '/v1/chains/local', { token: operator.token });
      expect(status.body.sender).toMatchObject({ stuck: null });
      await ledgerOk();
    },
  );

  it('re-sends a transaction the node lost, so later nonces are mined', async () => {
    const u = await funded('3');
    await sender.tick();
    await node.rpc('evm_setAutomine', [false]);
    let lost: string | null | undefined;
    try {
      const a = await withdraw(u.token, '0.4');
      await sender.tick();
      lost = (await t.vw.chains.withdrawals.get(a))?.txHash;
      expect(await node.rpc('hardhat_dropTransaction', [lost])).toBe(true);
      const b = await withdraw(u.token, '0.6');
      await sender.tick();
      await node.mine(1);
      expect((await t.vw.chains.withdrawals.get(b))?.status).toBe('broadcast');
    } finally {
      await node.rpc('evm_setAutomine', [true]);
    }
    await node.mine(CONF);
    await sender.tick();
    await node.mine(CONF);
    await sender.tick();
    const ws = await t.vw.chains.withdrawals.list({ userId: u.id, limit: 10 });
    expect(ws.map((w) => w.status)).toEqual(['confirmed', 'confirmed']);
    expect(await node.rpc('eth_getTransactionReceipt', [lost])).not.toBeNull();
  });

  it.each([{ longer: 5 }, { longer: 7 }, { longer: 11 }])(
    'a reorg while the sender checks its nonce does not fail a withdrawal that was ours (new branch of $longer blocks)',
    async ({ longer }) => {
      const u = await funded('5');
      await sender.tick();
      const from = (await head()) + 1n;
      const outsiderBefore = await ethBalance(outsider);
      const snap = await node.snapshot();
      const a = await withdraw(u.token, '0.7');
      await sender.tick();
      expect((await t.vw.chains.withdrawals.get(a))?.status).toBe('broadcast');
      // Its block is now deep enough to be checked, and this sender has not looked yet.
      await node.mine(CONF + 1);
      // The sender reads how many transactions of the hot wallet are `confirmations`
      // deep; right after that read a reorg deeper than the confirmations removes the
      // withdrawal, so its receipts (read next) are gone too. Before, that pair of reads
      // judged the nonce used by a foreign transaction: the withdrawal failed (hold
      // voided) while its nonce was free again, and every later one was stuck behind it.
      const { real, withSender } = senderParts();
      let reorg: (() => Promise<void>) | undefined = async () => {
        await node.revert(snap);
        await node.mine(longer);
      };
      const racing = withSender({
        ...real,
        async nonce(address, tag) {
          const n = await real.nonce(address, tag);
          const r = tag === 'pending' || tag === 'latest' ? undefined : reorg;
          reorg = undefined;
          await r?.();
          return n;
        },
      });
      await racing.tick();
      expect(reorg).toBeUndefined();
      expect((await t.vw.chains.withdrawals.get(a))?.status).toBe('broadcast');

      const b = await withdraw(u.token, '0.2');
      for (let i = 0; i < 3; i++) {
        await sender.tick();
        await node.mine(CONF);
      }
      await sender.tick();
      for (const id of [a, b]) {
        expect((await t.vw.chains.withdrawals.get(id))?.status, id).toBe('confirmed');
      }
      const sent = await hotTransfers(from, await head());
      expect(sent.map((x) => x.value).sort()).toEqual([parseEther('0.2'), parseEther('0.7')]);
      expect((await ethBalance(outsider)) - outsiderBefore).toBe(parseEther('0.9'));
      expect(await balance(u.id)).toMatchObject({
        posted: parseEther('4.1'),
        available: parseEther('4.1'),
        pendingDebits: 0n,
      });
      const status = await t.request('GET', '/v1/chains/local', { token: operator.token });
      expect(status.body.sender).toMatchObject({ stuck: null });
      await ledgerOk();
    },
  );

  it("counts a withdrawal's confirmations on the branch that holds it, not from a head read before a reorg", async () => {
    const u = await funded('5');
    await sender.tick();
    const snap = await node.snapshot();
    const a = await withdraw(u.token, '0.3');
    await sender.tick();
    const { rows } = await t.vw.db.query<{ raw_tx: Hex }>(
      `SELECT a.raw_tx FROM withdrawals w JOIN withdrawal_attempts a ON a.tx_hash = w.tx_hash
        WHERE w.id = $1`,
      [a],
    );
    const raw = rows[0]?.raw_tx;
    if (!raw) throw new Error('not signed');
    await node.mine(CONF + 4);
    // Right after the sender reads the head, a reorg to a branch where the same
    // transaction is mined in the newest block: it has no confirmations at all there.
    const { real, withSender } = senderParts();
    let reorg: (() => Promise<void>) | undefined = async () => {
      await node.revert(snap);
      await node.mine(1);
      await sendRaw(raw);
    };
    const racing = withSender({
      ...real,
      async headNumber() {
        const n = await real.headNumber();
        const r = reorg;
        reorg = undefined;
        await r?.();
        return n;
      },
    });
    await racing.track();
    expect(reorg).toBeUndefined();
    expect((await t.vw.chains.withdrawals.get(a))?.status).toBe('broadcast');
    expect(await published('withdrawal.confirmed', 'id', a)).toBe(0);
    await node.mine(CONF);
    await sender.tick();
    expect((await t.vw.chains.withdrawals.get(a))?.status).toBe('confirmed');
    expect((await balance(u.id)).posted).toBe(parseEther('4.7'));
    await ledgerOk();
  });

  it('a withdrawal that reverted on chain and was then reorged out: refunded once, its nonce filled, its bytes never mined', async () => {
    const u = await funded('2');
    await node.send({ from: funder, ...call('VwToken', usdc, 'mint', [u.address, 5_000_000n]) });
    await node.mine(CONF);
    await syncToHead(follower);
    await sender.tick();
    const usdcBefore = (await t.vw.ledger.findAccount(u.id, 'USDC'))?.balance;
    expect(usdcBefore?.available).toBe(5_000_000n);
    const from = (await head()) + 1n;
    const snap = await node.snapshot();
    // The hot wallet holds no USDC: this transfer reverts on chain and the withdrawal
    // fails (the hold is released). A reorg then removes it: its nonce is free again,
    // and its signed bytes could still be mined on the new branch.
    const a = (
      await t.request('POST', '/v1/withdrawals', {
        token: u.token,
        body: { chain: 'local', asset: 'USDC', to_address: outsider, amount: '1' },
      })
    ).body.id as string;
    await sender.tick();
    await node.mine(CONF);
    await sender.tick();
    expect((await t.vw.chains.withdrawals.get(a))?.status).toBe('failed');
    const { rows } = await t.vw.db.query<{ raw_tx: Hex; nonce: bigint }>(
      `SELECT a.raw_tx, w.nonce FROM withdrawals w JOIN withdrawal_attempts a ON a.tx_hash = w.tx_hash
        WHERE w.id = $1`,
      [a],
    );
    const failed = rows[0];
    if (!failed) throw new Error('not signed');
    const b = await withdraw(u.token, '0.5');
    await sender.tick();
    await node.revert(snap);
    await node.mine(2);

    // Out of gas money, the sender can neither fill the nonce nor send later ones: stuck,
    // and shown as such.
    const gasMoney = await node.rpc<Hex>('eth_getBalance', [hot, 'latest']);
    await node.rpc('hardhat_setBalance', [hot, '0x0']);
    await sender.tick();
    const s = await t.request('GET', '/v1/chains/local', { token: operator.token });
    expect(s.body.sender.stuck).toMatch(
      new RegExp(`^nonce ${failed.nonce} is not on the node and could not be filled`),
    );
    expect(BigInt(s.body.sender.chain_nonce)).toBeLessThan(BigInt(s.body.sender.next_nonce));
    expect(await published('chain.sender.stuck', 'chain', 'local')).toBe(1);
    const g = await t.vw.chains.metrics.senderStuck.get();
    expect(g.values.find((v) => v.labels['chain'] === 'local')?.value).toBe(1);
    expect((await t.vw.chains.withdrawals.get(b))?.status).toBe('broadcast');
    const out: string[] = [];
    const code = await runChainsStatus(
      t.vw.chains,
      { out: (l) => out.push(l), err: (l) => out.push(l) },
      {},
    );
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/SENDER STUCK: nonce \d+ is not on the node/);

    // Funded again: the nonce is filled by a zero-value transfer to the hot wallet, the
    // later withdrawal goes through, and the failed one's bytes can no longer be mined.
    await node.rpc('hardhat_setBalance', [hot, gasMoney]);
    await sender.tick();
    expect(await published('chain.sender.nonce_filled', 'withdrawal_id', a)).toBe(1);
    await expect(sendRaw(failed.raw_tx)).rejects.toThrow(/nonce/i);
    await node.mine(CONF);
    await sender.tick();
    expect((await t.vw.chains.withdrawals.get(b))?.status).toBe('confirmed');
    expect((await t.vw.chains.withdrawals.get(a))?.status).toBe('failed');
    expect(
      (await t.request('GET', '/v1/chains/local', { token: operator.token })).body.sender,
    ).toMatchObject({ stuck: null });
    expect(
      (await t.vw.chains.metrics.senderStuck.get()).values.find(
        (v) => v.labels['chain'] === 'local',
      )?.value,
    ).toBe(0);
    // The user's money: the USDC is back in full (refunded once), the ETH withdrawal
    // debited once; on the canonical chain the hot wallet sent only that 0.5 ETH.
    expect((await t.vw.ledger.findAccount(u.id, 'USDC'))?.balance).toMatchObject({
      posted: 5_000_000n,
      available: 5_000_000n,
      pendingDebits: 0n,
    });
    expect(await balance(u.id)).toMatchObject({
      posted: parseEther('1.5'),
      available: parseEther('1.5'),
      pendingDebits: 0n,
    });
    expect((await hotTransfers(from, await head())).map((x) => x.value)).toEqual([
      parseEther('0.5'),
    ]);
    await ledgerOk();
  });

  it.each([{ spent: false }, { spent: true }])(
    'a withdrawal that reverted on chain, then went through on the branch a reorg switched to: the user is debited again, once (refund spent meanwhile: $spent)',
    async ({ spent }) => {
      const u = await funded('1');
      await node.send({ from: funder, ...call('VwToken', usdc, 'mint', [u.address, 3_000_000n]) });
      await node.mine(CONF);
      await syncToHead(follower);
      await sender.tick();
      const snap = await node.snapshot();
      const tokenBalance = async (a: Address) =>
        BigInt(
          await node.rpc<Hex>('eth_call', [call('VwToken', usdc, 'balanceOf', [a]), 'latest']),
        );
      const outsiderBefore = await tokenBalance(outsider);
      // The hot wallet holds no USDC (all earlier ones were given back): it reverts.
      const a = (
        await t.request('POST', '/v1/withdrawals', {
          token: u.token,
          body: { chain: 'local', asset: 'USDC', to_address: outsider, amount: '2' },
        })
      ).body.id as string;
      await sender.tick();
      await node.mine(CONF);
      await sender.tick();
      expect((await t.vw.chains.withdrawals.get(a))?.status).toBe('failed');
      expect((await t.vw.ledger.findAccount(u.id, 'USDC'))?.balance.available).toBe(3_000_000n);
      const { rows } = await t.vw.db.query<{ raw_tx: Hex }>(
        `SELECT a.raw_tx FROM withdrawals w JOIN withdrawal_attempts a ON a.tx_hash = w.tx_hash
        WHERE w.id = $1`,
        [a],
      );
      const raw = rows[0]?.raw_tx;
      if (!raw) throw new Error('not signed');

      // The new branch: the hot wallet has USDC there, and the same signed bytes are
      // mined again (as a node does with a reorged-out transaction): now they go through.
      await node.revert(snap);
      await node.send({ from: funder, ...call('VwToken', usdc, 'mint', [hot, 2_000_000n]) });
      await sendRaw(raw);
      expect((await tokenBalance(outsider)) - outsiderBefore).toBe(2_000_000n);
      await sender.tick();
      // Not yet deep enough on the new branch: still failed.
      expect((await t.vw.chains.withdrawals.get(a))?.status).toBe('failed');
      await node.mine(CONF);
      if (spent) {
        // The refund is tied up elsewhere (a hold on all of it): the debit cannot be made
        // again, and the withdrawal says so to the operator until it can.
        const from = await t.vw.ledger.openAccount({ owner: u.id, asset: 'USDC' });
        const to = await t.vw.ledger.houseAccount('settlement', 'USDC');
        if (!from.ok || !to.ok) throw new Error('no accounts');
        const hold = await t.vw.ledger.createHold({
          key: `test:${a}:elsewhere`,
          from: from.account.id,
          to: to.account.id,
          asset: 'USDC',
          amount: 3_000_000n,
        });
        if (!hold.ok) throw new Error(hold.message);
        await sender.tick();
        const w = await t.vw.chains.withdrawals.get(a);
        expect(w?.status).toBe('failed');
        expect(w?.failureReason).toMatch(/^PAID ON CHAIN after a reorg .* operator action needed$/);
        expect((await t.vw.ledger.findAccount(u.id, 'USDC'))?.balance.posted).toBe(3_000_000n);
        const freed = await t.vw.ledger.voidHold({
          key: `test:${a}:elsewhere:void`,
          holdId: hold.hold.id,
        });
        expect(freed.ok).toBe(true);
      }
      await sender.tick();
      await sender.tick();
      expect((await t.vw.chains.withdrawals.get(a))?.status).toBe('confirmed');
      expect((await t.vw.chains.withdrawals.get(a))?.failureReason).toBeNull();
      expect((await t.vw.ledger.findAccount(u.id, 'USDC'))?.balance).toMatchObject({
        posted: 1_000_000n,
        available: 1_000_000n,
        pendingDebits: 0n,
      });
      await ledgerOk();
    },
  );
});

describe('withdrawals while no RPC endpoint answers', () => {
  it('an outage marks nothing stuck and raises no alert; the withdrawals go out once a node answers', async () => {
    const u = await funded('2');
    await sender.tick();
    const stuckAlerts = await published('chain.sender.stuck', 'chain', 'local');
    const { real, withSender } = senderParts();
    // Every endpoint down for sending (as when all are banned): the pool's typed error.
    const outage = withSender({
      ...real,
      broadcast: () => Promise.reject(new RpcUnavailableError('local: every endpoint failed')),
    });
    const calm = async () => {
      const s = await t.request('GET', '/v1/chains/local', { token: operator.token });
      expect(s.body.sender).toMatchObject({ stuck: null });
      const g = await t.vw.chains.metrics.senderStuck.get();
      expect(g.values.find((v) => v.labels['chain'] === 'local')?.value ?? 0).toBe(0);
      expect(await published('chain.sender.stuck', 'chain', 'local')).toBe(stuckAlerts);
    };

    // Signed, and the broadcast meets the outage: the round fails, the withdrawal waits.
    const a = await withdraw(u.token, '0.3');
    await expect(outage.tick()).rejects.toBeInstanceOf(RpcUnavailableError);
    expect((await t.vw.chains.withdrawals.get(a))?.status).toBe('signed');
    await calm();
    await sender.tick();
    expect((await t.vw.chains.withdrawals.get(a))?.status).toBe('broadcast');

    // Broadcast, lost by the node, and its re-send meets the outage: the same.
    await node.rpc('evm_setAutomine', [false]);
    let b: string;
    try {
      b = await withdraw(u.token, '0.4');
      await sender.tick();
      const lost = (await t.vw.chains.withdrawals.get(b))?.txHash;
      expect(await node.rpc('hardhat_dropTransaction', [lost])).toBe(true);
      await expect(outage.tick()).rejects.toBeInstanceOf(RpcUnavailableError);
      await calm();
    } finally {
      await node.rpc('evm_setAutomine', [true]);
    }
    await sender.tick();
    await node.mine(CONF);
    await sender.tick();
    await node.mine(CONF);
    await sender.tick();
    for (const id of [a, b]) {
      expect((await t.vw.chains.withdrawals.get(id))?.status, id).toBe('confirmed');
    }
    expect(await balance(u.id)).toMatchObject({
      posted: parseEther('1.3'),
      available: parseEther('1.3'),
      pendingDebits: 0n,
    });
    await calm();
    await ledgerOk();
  });
});

describe('rewinding', () => {
  it('refuses a target above the fork point and names the last stored block still canonical', async () => {
    await syncToHead(follower);
    const fork = await head();
    const snap = await node.snapshot();
    await node.mine(5);
    await syncToHead(follower);
    await node.revert(snap);
    // Empty blocks mined again can come out identical: this branch differs at once.
    await node.send({ from: funder, to: outsider, value: 1n });
    await node.mine(8);
    const refused = await t.vw.chains.requestRewind('local', fork + 3n);
    expect(refused).toMatchObject({ code: 'rewind_target_not_canonical' });
    expect((refused as { message: string }).message).toContain(
      `the last stored block still on the node's chain is ${fork}`,
    );
    expect(await t.vw.chains.requestRewind('local', fork)).toBe(true);
    await syncToHead(follower);
    expect(await t.vw.chains.heights('local')).toMatchObject({ cursor: await head() });
  });

  it('after a halt deeper than the window: the stale credit is held, the canonical deposit credited', async () => {
    const u = await depositor();
    const addr = await t.request('POST', '/v1/deposit_addresses', {
      token: u.token,
      body: { chain: 'tight', asset: 'ETH' },
    });
    expect(addr.body.address).toBe(u.address);
    const tight = t.vw.chains.follower('tight');
    if (!tight) throw new Error('chain tight not built');
    const s = await signer();
    await syncToHead(tight);
    const fork = await head();
    const snap = await node.snapshot();
    await sendRaw(await s.sign(u.address, parseEther('1')));
    await node.mine(12);
    await syncToHead(tight);
    const staleCredited = (await balance(u.id)).posted;
    const cursorBefore = await head();
    await node.revert(snap);
    await node.mine(1);
    await node.send({ from: funder, to: u.address, value: parseEther('2') });
    // The new branch is shorter than the stored one: the node's head is below the cursor.
    await node.mine(8);
    expect(await head()).toBeLessThan(cursorBefore);

    const solo = {
      signal: new AbortController().signal,
      token: 1n,
      holder: 'test',
      fence: () => Promise.resolve(),
    };
    const halted = await tight.step(solo);
    expect(halted.kind).toBe('halted');
    // What Prometheus scrapes while halted: halted, a lag that is never negative (the
    // head is below the cursor), and the node's head as it is now, not a stale one.
    const scrape = async () => {
      const text = (await t.request('GET', '/metrics')).text;
      const read = (name: string) =>
        Number(
          new RegExp(`^${name}\\{[^}]*chain="tight"[^}]*\\} (-?[\\d.e+]+)$`, 'm').exec(text)?.[1],
        );
      return {
        halted: read('vaultwire_chain_follower_halted'),
        lag: read('vaultwire_chain_lag_blocks'),
        head: read('vaultwire_chain_head_block'),
      };
    };
    expect(await scrape()).toEqual({ halted: 1, lag: 0, head: Number(await head()) });
    await node.mine(5);
    expect((await tight.step(solo)).kind).toBe('halted');
    expect(await scrape()).toEqual({
      halted: 1,
      lag: Number((await head()) - cursorBefore),
      head: Number(await head()),
    });
    const reason = halted.kind === 'halted' ? halted.reason : '';
    const oldest = BigInt(/stored blocks \(from (\d+)\)/.exec(reason)?.[1] ?? '-1');
    expect(reason).toContain(`rewind to a final block below ${oldest}`);
    expect(oldest).toBeGreaterThan(fork);
    const status = await t.request('GET', '/v1/chains/tight', { token: operator.token });
    expect(status.body).toMatchObject({ state: 'halted', lag: expect.any(String) });
    expect(BigInt(status.body.lag)).toBeGreaterThanOrEqual(0n);

    // The stored hash of its oldest block is not canonical: refused (rewinding there
    // would skip the canonical deposit and keep the stale credit).
    expect(await t.vw.chains.requestRewind('tight', oldest)).toMatchObject({
      code: 'rewind_target_not_canonical',
    });
    // Below the window, a stored event above the fork still says no.
    expect(await t.vw.chains.requestRewind('tight', fork + 1n)).toMatchObject({
      code: 'rewind_target_not_canonical',
    });
    expect(await t.vw.chains.requestRewind('tight', fork)).toMatchObject({
      code: 'rewind_target_unverified',
    });
    const out: string[] = [];
    expect(
      await runChainsRewind(
        t.vw.chains,
        { out: (l) => out.push(l), err: (l) => out.push(l) },
        { chain: 'tight', to: fork, unverified: true },
      ),
    ).toBe(0);
    await syncToHead(tight);
    expect(await scrape()).toMatchObject({ halted: 0, lag: 0 });
    const list = await t.vw.chains.deposits.list({ userId: u.id, chainKey: 'tight', limit: 10 });
    expect(list.map((d) => [d.amountDecimal, d.status])).toEqual([
      ['2', 'confirmed'],
      ['1', 'reorged_after_credit'],
    ]);
    expect(staleCredited).toBe(parseEther('1'));
    expect(await balance(u.id)).toMatchObject({
      posted: parseEther('3'),
      available: parseEther('2'),
    });
  });
});
