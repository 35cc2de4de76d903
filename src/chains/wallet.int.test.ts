import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getAddress, parseEther, type Address } from 'viem';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import {
  call,
  localChainInput,
  silentLogger,
  syncToHead,
  tokenConstructorArgs,
} from '../../test/fixtures/chains/harness.js';
import { startLocalNode, type LocalNode } from '../../test/fixtures/chains/node.js';
import { createEvmSender } from './evm/sender.js';
import type { Follower } from './follower.js';
import { createWithdrawalSender, type WithdrawalSender } from './withdrawals/sender.js';

/**
 * Deposits and withdrawals end to end: a real local EVM node, the real ledger, the HTTP
 * API. The follower and the withdrawal sender are stepped by hand so each assertion
 * sees a settled state.
 */

// The BIP-39 test vector: a valid seed whose keys are not Hardhat's funded accounts.
const MNEMONIC =
  'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const PW = 'correct horse battery staple';
const CONFIRMATIONS = 3;

let node: LocalNode;
let t: TestApp;
let follower: Follower;
let sender: WithdrawalSender;
let funder: Address;
let outsider: Address;
let token: Address;
let alice: { id: string; token: string; address: Address };
let bob: { id: string; token: string; address: Address };
let operatorToken: string;

async function user(email: string, role?: string) {
  const r = await t.request('POST', '/v1/users', { body: { email, password: PW } });
  expect(r.status, r.text).toBe(201);
  if (role) {
    const changed = await t.vw.identity.changeRole(r.body.id, role as 'operator', {
      type: 'system',
      id: 'test',
    });
    expect(changed).toMatchObject({ role });
  }
  const s = await t.request('POST', '/v1/sessions', { body: { email, password: PW } });
  expect(s.status, s.text).toBe(201);
  return { id: r.body.id as string, token: s.body.token as string };
}

async function depositAddress(tokenStr: string, asset = 'ETH'): Promise<Address> {
  const r = await t.request('POST', '/v1/deposit_addresses', {
    token: tokenStr,
    body: { chain: 'local', asset },
  });
  expect(r.status, r.text).toBe(200);
  return r.body.address as Address;
}

async function balance(userId: string, asset: string) {
  const a = await t.vw.ledger.findAccount(userId, asset);
  return a?.balance ?? { posted: 0n, available: 0n, pendingDebits: 0n, pendingCredits: 0n };
}

async function sync() {
  await syncToHead(follower);
}

async function confirmDepth() {
  await node.mine(CONFIRMATIONS);
  await sync();
}

async function withdraw(tokenStr: string, body: Record<string, unknown>, key?: string) {
  return t.request('POST', '/v1/withdrawals', {
    token: tokenStr,
    body: { chain: 'local', asset: 'ETH', ...body },
    ...(key ? { headers: { 'idempotency-key': key } } : {}),
  });
}

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await t.vw.db.query<{ n: bigint }>(sql, params);
  return Number(rows[0]?.n ?? 0);
}

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
  token = await node.deploy('VwToken', tokenConstructorArgs('USD Coin', 'USDC', 6));
  t = await createTestApp({
    VW_CUSTODY_MNEMONIC: MNEMONIC,
    VW_CHAINS: JSON.stringify([
      localChainInput(node, {
        confirmations: CONFIRMATIONS,
        startBlock: 'latest',
        tokens: [{ code: 'USDC', address: token, decimals: 6, gasLimit: 100000 }],
        withdrawals: {
          approvalAbove: { ETH: '5' },
          dailyLimit: { ETH: '40' },
          stuckAfterSeconds: 3600,
        },
      }),
      {
        key: 'strict',
        chainId: node.chainId,
        rpcUrls: [node.url],
        startBlock: 'latest',
        nativeAsset: { code: 'ETH', decimals: 18 },
        withdrawals: { requireAllowlist: true },
      },
    ]),
  });
  const f = t.vw.chains.follower('local');
  const s = t.vw.chains.sender('local');
  if (!f || !s) throw new Error('chain local not built');
  follower = f;
  sender = s;
  const a = await user('alice@example.com');
  const b = await user('bob@example.com');
  operatorToken = (await user('op@example.com', 'operator')).token;
  alice = { ...a, address: await depositAddress(a.token) };
  bob = { ...b, address: await depositAddress(b.token) };
  await sync();
  // The hot wallet needs ETH for values and gas.
  const hot = await t.vw.chains.custody.hotWalletAddress();
  if (!hot) throw new Error('no hot wallet');
  await node.send({ from: funder, to: hot as Address, value: parseEther('100') });
  await sender.syncNonce();
});

afterAll(async () => {
  await t.close();
  await node.stop();
});

describe('deposit addresses', () => {
  it('gives each user one stable address per chain, the same for every asset', async () => {
    expect(await depositAddress(alice.token)).toBe(alice.address);
    expect(await depositAddress(alice.token, 'USDC')).toBe(alice.address);
    expect(alice.address).not.toBe(bob.address);
    expect(alice.address).toMatch(/^0x[0-9a-f]{40}$/);
  });

  it('refuses an unknown chain or asset with a typed error', async () => {
    const chain = await t.request('POST', '/v1/deposit_addresses', {
      token: alice.token,
      body: { chain: 'nochain', asset: 'ETH' },
    });
    expect(chain.status).toBe(404);
    expect(chain.body.error).toMatchObject({ type: 'not_found_error', code: 'chain_unknown' });
    const asset = await t.request('POST', '/v1/deposit_addresses', {
      token: alice.token,
      body: { chain: 'local', asset: 'DOGE' },
    });
    expect(asset.status).toBe(400);
    expect(asset.body.error.code).toBe('asset_unknown');
  });
});

describe('deposits', () => {
  it('credits native and ERC-20 deposits once, after the confirmation depth', async () => {
    // Another token to the same address is an event, not a deposit.
    const other = await node.deploy('VwToken', tokenConstructorArgs('Junk', 'JNK', 18));
    await node.send({ from: funder, ...call('VwToken', other, 'mint', [alice.address, 1n]) });
    await node.send({ from: funder, to: alice.address, value: parseEther('20') });
    await node.send({
      from: funder,
      ...call('VwToken', token, 'mint', [alice.address, 2_500_000n]),
    });
    await sync();

    let list = await t.request('GET', '/v1/deposits', { token: alice.token });
    expect(list.status).toBe(200);
    expect(
      list.body.data.map((d: { asset: string; amount: string; status: string }) => [
        d.asset,
        d.amount,
        d.status,
      ]),
    ).toEqual([
      ['USDC', '2.5', 'pending'],
      ['ETH', '20', 'pending'],
    ]);
    expect((await balance(alice.id, 'ETH')).posted).toBe(0n);

    await confirmDepth();
    list = await t.request('GET', '/v1/deposits', { token: alice.token });
    expect(list.body.data.map((d: { status: string }) => d.status)).toEqual([
      'confirmed',
      'confirmed',
    ]);
    expect((await balance(alice.id, 'ETH')).posted).toBe(parseEther('20'));
    expect((await balance(alice.id, 'USDC')).posted).toBe(2_500_000n);

    // More blocks and a restart-like re-read of the same range change nothing.
    await confirmDepth();
    const r = await t.vw.chains.backfill(
      'local',
      0n,
      (await node.rpc<string>('eth_blockNumber').then(BigInt)) - 3n,
    );
    expect(r).toMatchObject({ inserted: 0 });
    expect((await balance(alice.id, 'ETH')).posted).toBe(parseEther('20'));
    expect(
      await count(
        `SELECT count(*) AS n FROM outbox_events WHERE type = 'deposit.confirmed' AND payload->>'user_id' = $1`,
        [alice.id],
      ),
    ).toBe(2);

    // Other users do not see it.
    const bobs = await t.request('GET', `/v1/deposits/${list.body.data[0].id}`, {
      token: bob.token,
    });
    expect(bobs.status).toBe(404);
  });

  it('drops a pending deposit that a reorg removes, never credits it, and credits the replacement once', async () => {
    const before = (await balance(bob.id, 'ETH')).posted;
    const snap = await node.snapshot();
    await node.send({ from: funder, to: bob.address, value: parseEther('2') });
    await sync();
    const pending = await t.request('GET', '/v1/deposits', { token: bob.token });
    expect(
      pending.body.data.map((d: { amount: string; status: string }) => [d.amount, d.status]),
    ).toEqual([['2', 'pending']]);

    await node.revert(snap);
    await node.mine(1);
    await node.send({ from: funder, to: bob.address, value: parseEther('3') });
    await sync();
    await confirmDepth();
    await confirmDepth();

    const after = await t.request('GET', '/v1/deposits', { token: bob.token });
    expect(
      after.body.data.map((d: { amount: string; status: string }) => [d.amount, d.status]),
    ).toEqual([
      ['3', 'confirmed'],
      ['2', 'removed'],
    ]);
    expect((await balance(bob.id, 'ETH')).posted - before).toBe(parseEther('3'));
    expect(
      await count(
        `SELECT count(*) AS n FROM outbox_events WHERE type = 'deposit.removed' AND payload->>'user_id' = $1`,
        [bob.id],
      ),
    ).toBe(1);
  });
});

describe('withdrawals', () => {
  it('sends ETH on chain, posts the hold once confirmed, and the money arrives', async () => {
    const start = await balance(alice.id, 'ETH');
    const outsiderBefore = BigInt(await node.rpc<string>('eth_getBalance', [outsider, 'latest']));
    const r = await withdraw(
      alice.token,
      { to_address: getAddress(outsider), amount: '1.5' },
      'wd-1',
    );
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({ status: 'queued', amount: '1.5', internal: false });
    expect((await balance(alice.id, 'ETH')).available).toBe(start.available - parseEther('1.5'));
    // The same key replays, never a second withdrawal.
    const again = await withdraw(
      alice.token,
      { to_address: getAddress(outsider), amount: '1.5' },
      'wd-1',
    );
    expect(again.body.id).toBe(r.body.id);

    await sender.tick();
    let w = await t.request('GET', `/v1/withdrawals/${r.body.id}`, { token: alice.token });
    expect(w.body.status).toBe('broadcast');
    expect(w.body.tx_hash).toMatch(/^0x[0-9a-f]{64}$/);
    await node.mine(CONFIRMATIONS);
    await sender.tick();
    w = await t.request('GET', `/v1/withdrawals/${r.body.id}`, { token: alice.token });
    expect(w.body.status).toBe('confirmed');
    const end = await balance(alice.id, 'ETH');
    expect(end.posted).toBe(start.posted - parseEther('1.5'));
    expect(end.pendingDebits).toBe(0n);
    const outsiderAfter = BigInt(await node.rpc<string>('eth_getBalance', [outsider, 'latest']));
    expect(outsiderAfter - outsiderBefore).toBe(parseEther('1.5'));
  });

  it('voids the hold of a withdrawal that fails on chain and gives the funds back', async () => {
    // The hot wallet holds no USDC, so the token transfer reverts when mined.
    const start = await balance(alice.id, 'USDC');
    const r = await withdraw(alice.token, { asset: 'USDC', to_address: outsider, amount: '1' });
    expect(r.status, r.text).toBe(201);
    expect((await balance(alice.id, 'USDC')).available).toBe(start.available - 1_000_000n);
    await sender.tick();
    await node.mine(CONFIRMATIONS);
    await sender.tick();
    const w = await t.request('GET', `/v1/withdrawals/${r.body.id}`, { token: alice.token });
    expect(w.body).toMatchObject({
      status: 'failed',
      failure_reason: 'transaction reverted on chain',
    });
    expect(await balance(alice.id, 'USDC')).toEqual(start);
  });

  it('settles a send to another user’s deposit address inside the ledger', async () => {
    const aliceBefore = (await balance(alice.id, 'ETH')).posted;
    const bobBefore = (await balance(bob.id, 'ETH')).posted;
    const r = await withdraw(alice.token, { to_address: bob.address, amount: '0.25' });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({ status: 'completed', internal: true, tx_hash: null });
    expect((await balance(alice.id, 'ETH')).posted).toBe(aliceBefore - parseEther('0.25'));
    expect((await balance(bob.id, 'ETH')).posted).toBe(bobBefore + parseEther('0.25'));
  });

  it('waits for an operator above the approval amount; rejection releases the hold', async () => {
    const start = await balance(alice.id, 'ETH');
    const big = await withdraw(alice.token, { to_address: outsider, amount: '6' });
    expect(big.body.status).toBe('pending_approval');
    await sender.tick();
    expect(
      (await t.request('GET', `/v1/withdrawals/${big.body.id}`, { token: alice.token })).body
        .status,
    ).toBe('pending_approval');
    const byUser = await t.request('POST', `/v1/withdrawals/${big.body.id}/approve`, {
      token: alice.token,
    });
    expect(byUser.status).toBe(403);
    const rejected = await t.request('POST', `/v1/withdrawals/${big.body.id}/reject`, {
      token: operatorToken,
      body: { reason: 'unusual destination' },
    });
    expect(rejected.status, rejected.text).toBe(200);
    expect(rejected.body.status).toBe('rejected');
    expect(await balance(alice.id, 'ETH')).toEqual(start);

    const big2 = await withdraw(alice.token, { to_address: outsider, amount: '5.5' });
    const approved = await t.request('POST', `/v1/withdrawals/${big2.body.id}/approve`, {
      token: operatorToken,
    });
    expect(approved.body.status).toBe('queued');
    await sender.tick();
    await node.mine(CONFIRMATIONS);
    await sender.tick();
    expect(
      (await t.request('GET', `/v1/withdrawals/${big2.body.id}`, { token: alice.token })).body
        .status,
    ).toBe('confirmed');
  });

  it('refuses bad input with typed 4xx errors and holds nothing', async () => {
    const holdsBefore = await balance(alice.id, 'ETH');
    const rowsBefore = await count('SELECT count(*) AS n FROM withdrawals');
    const checksummed = getAddress(outsider);
    const letter = checksummed.slice(2).search(/[a-fA-F]/) + 2;
    const flip = (ch: string) => (ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase());
    const wrongChecksum = `${checksummed.slice(0, letter)}${flip(checksummed.charAt(letter))}${checksummed.slice(letter + 1)}`;
    const cases: [Record<string, unknown>, number, string][] = [
      [{ to_address: '0x1234', amount: '1' }, 400, 'address_invalid'],
      [{ to_address: 'not an address at all', amount: '1' }, 400, 'address_invalid'],
      [
        { to_address: getAddress(outsider).replace(/[a-f]/, (c) => c.toUpperCase()), amount: '1' },
        400,
        'address_checksum_invalid',
      ],
      [{ to_address: wrongChecksum, amount: '1' }, 400, 'address_checksum_invalid'],
      [{ to_address: `0x${'0'.repeat(40)}`, amount: '1' }, 400, 'address_invalid'],
      [{ to_address: outsider, amount: '0.0000000000000000001' }, 400, 'amount_too_precise'],
      [{ asset: 'USDC', to_address: outsider, amount: '0.1234567' }, 400, 'amount_too_precise'],
      [{ to_address: outsider, amount: '-1' }, 400, 'amount_invalid'],
      [{ to_address: outsider, amount: '0' }, 400, 'amount_invalid'],
      [{ to_address: outsider, amount: '1e3' }, 400, 'amount_invalid'],
      [{ chain: 'nochain', to_address: outsider, amount: '1' }, 404, 'chain_unknown'],
      [{ asset: 'DOGE', to_address: outsider, amount: '1' }, 400, 'asset_unknown'],
      [{ to_address: outsider, amount: '30' }, 402, 'insufficient_funds'],
      [{ to_address: alice.address, amount: '1' }, 400, 'address_own'],
      [{ to_address: outsider, amount: '1', extra: true }, 400, 'parameter_unknown'],
    ];
    for (const [body, status, code] of cases) {
      const r = await withdraw(alice.token, body);
      expect([r.status, r.body?.error?.code], JSON.stringify(body)).toEqual([status, code]);
      expect(r.body.error.type).toMatch(/_error$/);
    }
    // Bob has 40+ ETH but the daily limit is 40.
    const overLimit = await withdraw(bob.token, { to_address: outsider, amount: '3' });
    expect(overLimit.status).toBe(201);
    const limited = await withdraw(bob.token, { to_address: outsider, amount: '38' });
    expect([limited.status, limited.body.error.code]).toEqual([400, 'daily_limit_exceeded']);
    expect(await balance(alice.id, 'ETH')).toEqual(holdsBefore);
    expect(await count('SELECT count(*) AS n FROM withdrawals')).toBe(rowsBefore + 1);
  });

  it('gives 20 concurrent withdrawals from one hot wallet 20 distinct consecutive nonces', async () => {
    // Send what earlier tests left queued, so only these 20 compete.
    await sender.tick();
    const created = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        withdraw(bob.token, { to_address: outsider, amount: `0.00${i + 1}` }),
      ),
    );
    for (const r of created) expect(r.status, r.text).toBe(201);
    const dispatched = await Promise.all(Array.from({ length: 20 }, () => sender.dispatchOne()));
    const nonces = dispatched.map((d) => d?.nonce).filter((n): n is bigint => n !== undefined);
    const sorted = [...nonces].sort((a, b) => (a < b ? -1 : 1));
    expect(new Set(nonces).size).toBe(nonces.length);
    // Every one signed (SKIP LOCKED hands each dispatcher a different row); the rest in later rounds.
    while ((await sender.dispatchOne()) !== undefined) sorted.push(-1n);
    const { rows } = await t.vw.db.query<{ nonce: bigint }>(
      `SELECT nonce FROM withdrawals WHERE id = ANY($1) ORDER BY nonce`,
      [created.map((r) => r.body.id)],
    );
    const all = rows.map((r) => r.nonce);
    const first = all[0] ?? 0n;
    expect(all).toEqual(Array.from({ length: 20 }, (_, i) => first + BigInt(i)));
    await sender.tick();
    await node.mine(CONFIRMATIONS);
    await sender.tick();
    expect(
      await count(
        `SELECT count(*) AS n FROM withdrawals WHERE id = ANY($1) AND status = 'confirmed'`,
        [created.map((r) => r.body.id)],
      ),
    ).toBe(20);
    // The node agrees: the hot wallet's next nonce follows the last one used.
    const hot = await t.vw.chains.custody.hotWalletAddress();
    expect(
      BigInt(await node.rpc<string>('eth_getTransactionCount', [hot, 'latest'])),
    ).toBeGreaterThan(all[19] ?? 0n);
  });
});

describe('withdrawals that need more care', () => {
  it('replaces a stuck transaction with higher fees, and the replacement settles it', async () => {
    await sender.tick();
    const chain = t.vw.chains.chain('local');
    const adapter = t.vw.chains.adapter('local');
    if (!chain || !adapter) throw new Error('no chain');
    // The same sender, two hours later: everything broadcast looks stuck to it.
    const later = createWithdrawalSender({
      db: t.vw.db,
      settings: chain,
      sender: createEvmSender({ settings: chain, rpc: adapter.rpc }),
      custody: t.vw.chains.custody,
      withdrawals: t.vw.chains.withdrawals,
      outbox: t.vw.outbox,
      metrics: t.vw.chains.metrics,
      logger: silentLogger,
      now: () => Date.now() + 2 * 3600_000,
    });
    const r = await withdraw(bob.token, { to_address: outsider, amount: '0.01' });
    expect(r.status, r.text).toBe(201);
    await node.rpc('evm_setAutomine', [false]);
    let first: string | null | undefined;
    try {
      await later.dispatchOne();
      await later.broadcastSigned();
      first = (await t.vw.chains.withdrawals.get(r.body.id))?.txHash;
      await later.track();
    } finally {
      await node.rpc('evm_setAutomine', [true]);
    }
    const replaced = await t.vw.chains.withdrawals.get(r.body.id);
    expect(replaced?.txHash).not.toBe(first);
    const { rows } = await t.vw.db.query<{ max_fee_per_gas: string }>(
      'SELECT max_fee_per_gas::text FROM withdrawal_attempts WHERE withdrawal_id = $1 ORDER BY created_at',
      [r.body.id],
    );
    expect(rows).toHaveLength(2);
    const [a, b] = rows.map((x) => BigInt(x.max_fee_per_gas));
    expect((b ?? 0n) * 100n).toBeGreaterThanOrEqual((a ?? 0n) * 110n);
    await node.mine(1 + CONFIRMATIONS);
    await sender.tick();
    const done = await t.vw.chains.withdrawals.get(r.body.id);
    expect(done?.status).toBe('confirmed');
    expect(await node.rpc('eth_getTransactionReceipt', [first])).toBeNull();
    expect(await node.rpc('eth_getTransactionReceipt', [replaced?.txHash])).not.toBeNull();
  });

  it('only sends to allowlisted addresses where the chain requires it', async () => {
    const refused = await t.request('POST', '/v1/withdrawals', {
      token: alice.token,
      body: { chain: 'strict', asset: 'ETH', to_address: outsider, amount: '0.1' },
    });
    expect([refused.status, refused.body.error.code]).toEqual([403, 'address_not_allowlisted']);
    const added = await t.request('POST', '/v1/withdrawal_allowlist', {
      token: alice.token,
      body: { chain: 'strict', address: getAddress(outsider), label: 'cold storage' },
    });
    expect(added.status, added.text).toBe(200);
    const ok = await t.request('POST', '/v1/withdrawals', {
      token: alice.token,
      body: { chain: 'strict', asset: 'ETH', to_address: outsider, amount: '0.1' },
    });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body.status).toBe('queued');
  });
});

describe('chain status', () => {
  it('shows head, cursor and lag; operators also see endpoints', async () => {
    await sync();
    const r = await t.request('GET', '/v1/chains/local', { token: alice.token });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ chain: 'local', state: 'running', lag: '0' });
    expect(r.body.endpoints).toBeUndefined();
    const op = await t.request('GET', '/v1/chains', { token: operatorToken });
    expect(op.body.data[0].endpoints[0]).toMatchObject({ healthy: true });
  });
});
