import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getAddress, parseEther, toHex, type Address } from 'viem';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import { localChainInput, syncToHead } from '../../test/fixtures/chains/harness.js';
import { startLocalNode, type LocalNode } from '../../test/fixtures/chains/node.js';
import { fund, user } from '../../test/fixtures/merchants/setup.js';

/**
 * A chain that has just started: a real local node still at block 0, below the
 * confirmation depth, followed from `latest`. Nothing is confirmed yet, and that is a
 * normal state, not an error; a withdrawal approved then goes out and is mined. A node
 * that refuses a transaction (the hot wallet has no ETH yet) is a refusal the operator
 * can read, not an endpoint failure.
 */

// The BIP-39 test vector: a valid seed whose keys are not Hardhat's funded accounts.
const MNEMONIC =
  'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const CONFIRMATIONS = 3;

let node: LocalNode;
let t: TestApp;

beforeAll(async () => {
  node = await startLocalNode();
  t = await createTestApp({
    VW_CUSTODY_MNEMONIC: MNEMONIC,
    VW_CHAINS: JSON.stringify([
      localChainInput(node, {
        confirmations: CONFIRMATIONS,
        startBlock: 'latest',
        withdrawals: { approvalAbove: { ETH: '5' } },
      }),
    ]),
  });
});

afterAll(async () => {
  await t.close();
  await node.stop();
});

async function localStatus() {
  const s = (await t.vw.chains.status()).find((c) => c.chain === 'local');
  if (!s) throw new Error('no status for chain local');
  return s;
}

describe('a fresh chain at block 0', () => {
  it('confirms nothing yet, sends an approved withdrawal, and records no RPC error', async () => {
    const follower = t.vw.chains.follower('local');
    const sender = t.vw.chains.sender('local');
    if (!follower || !sender) throw new Error('chain local not built');
    expect(await node.rpc<string>('eth_blockNumber')).toBe('0x0');
    await syncToHead(follower);
    let status = await localStatus();
    expect(status).toMatchObject({ cursor: 0n, confirmed: null, head: 0n, state: 'running' });
    const alice = await user(t, 'alice@example.com');
    const api = await t.request('GET', '/v1/chains', { token: alice.token });
    expect(api.status, api.text).toBe(200);
    expect(api.body.data[0]).toMatchObject({ cursor: '0', confirmed: null, head: '0' });

    await fund(t, alice.id, 'ETH', '10');
    const op = await user(t, 'op@example.com', 'operator');
    const outsider = getAddress(node.accounts[5] as Address);
    const created = await t.request('POST', '/v1/withdrawals', {
      token: alice.token,
      body: { chain: 'local', asset: 'ETH', to_address: outsider, amount: '6' },
    });
    expect(created.body.status, created.text).toBe('pending_approval');
    const approved = await t.request('POST', `/v1/withdrawals/${created.body.id}/approve`, {
      token: op.token,
    });
    expect(approved.body.status, approved.text).toBe('queued');
    await sender.syncNonce();

    // The hot wallet has no ETH on chain yet: the node refuses the transaction. That is
    // the node's answer about this transaction, not an endpoint failure: the endpoint
    // stays healthy, the sender is stuck with the node's reason, and the withdrawal
    // waits, signed, for the wallet to be funded.
    await sender.tick();
    const withdrawal = async () =>
      (await t.request('GET', `/v1/withdrawals/${created.body.id}`, { token: alice.token })).body;
    expect((await withdrawal()).status).toBe('signed');
    status = await localStatus();
    expect(status.endpoints).toEqual([
      expect.objectContaining({ healthy: true, consecutiveFailures: 0, lastError: null }),
    ]);
    expect(status.sender).toMatchObject({ nextNonce: 1n, chainNonce: 0n });
    expect(status.sender?.stuck).toMatch(
      new RegExp(
        `^nonce 0 \\(withdrawal ${String(created.body.id)}\\) could not be sent: .*enough funds`,
      ),
    );

    // Funding without mining a block: the chain is still at block 0 when it is sent.
    const hot = await t.vw.chains.custody.hotWalletAddress();
    if (!hot) throw new Error('no hot wallet');
    await node.rpc('hardhat_setBalance', [hot, toHex(parseEther('10'))]);
    expect(await node.rpc<string>('eth_blockNumber')).toBe('0x0');
    const before = BigInt(await node.rpc<string>('eth_getBalance', [outsider, 'latest']));
    await sender.tick();
    const sent = await withdrawal();
    expect(sent.status).toBe('broadcast');
    const receipt = await node.rpc<{ blockNumber: string; status: string } | null>(
      'eth_getTransactionReceipt',
      [sent.tx_hash],
    );
    expect(receipt).toMatchObject({ blockNumber: '0x1', status: '0x1' });
    expect(BigInt(await node.rpc<string>('eth_getBalance', [outsider, 'latest'])) - before).toBe(
      parseEther('6'),
    );

    await node.mine(CONFIRMATIONS);
    await sender.tick();
    await syncToHead(follower);
    expect((await withdrawal()).status).toBe('confirmed');
    status = await localStatus();
    expect(status).toMatchObject({
      head: 4n,
      cursor: 4n,
      confirmed: 1n,
      sender: expect.objectContaining({ nextNonce: 1n, chainNonce: 1n, stuck: null }),
    });
    expect(status.endpoints).toEqual([
      expect.objectContaining({ healthy: true, consecutiveFailures: 0, lastError: null }),
    ]);
  });
});
