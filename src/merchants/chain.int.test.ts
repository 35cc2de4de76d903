import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEther, type Address } from 'viem';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import {
  call,
  localChainInput,
  syncToHead,
  tokenConstructorArgs,
} from '../../test/fixtures/chains/harness.js';
import { startLocalNode, type LocalNode } from '../../test/fixtures/chains/node.js';
import {
  drain,
  merchant,
  registerAssets,
  user,
  type TestMerchant,
} from '../../test/fixtures/merchants/setup.js';
import { startReceiver, waitFor, type Receiver } from '../../test/fixtures/webhooks/receiver.js';
import type { RunningDelivery } from '../webhooks/service.js';
import type { Follower } from '../chains/follower.js';

/**
 * Invoices paid on chain, end to end: a real local EVM node, the chains module's
 * follower and deposits, the ledger, and webhooks delivered to a local receiver.
 */

const MNEMONIC =
  'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const CONFIRMATIONS = 3;

let node: LocalNode;
let t: TestApp;
let rx: Receiver;
let delivery: RunningDelivery;
let follower: Follower;
let funder: Address;
let usdc: Address;
let shop: TestMerchant;
let offsetMs = 0;

async function settle(): Promise<void> {
  await syncToHead(follower);
  await drain(t);
}

async function confirm(): Promise<void> {
  await node.mine(CONFIRMATIONS);
  await settle();
}

async function invoice(body: Record<string, unknown>) {
  const r = await t.request('POST', '/v1/invoices', { token: shop.liveKey, body });
  expect(r.status, r.text).toBe(201);
  return r.body as {
    id: string;
    payment_options: { asset: string; address: string; amount_due: string; payment_uri: string }[];
  };
}

const get = async (id: string) =>
  (await t.request('GET', `/v1/invoices/${id}`, { token: shop.liveKey })).body;

const delivered = (id: string) =>
  rx.received
    .filter((r) => r.path === '/shop' && (r.status ?? 0) < 300)
    .map((r) => JSON.parse(r.body) as { type: string; data: { id: string } })
    .filter((e) => e.data.id === id)
    .map((e) => e.type);

async function balance(asset: string): Promise<string | undefined> {
  const r = await t.request('GET', '/v1/merchant_balance', { token: shop.liveKey });
  return (r.body.balances as { asset: string; available: string }[]).find((b) => b.asset === asset)
    ?.available;
}

beforeAll(async () => {
  node = await startLocalNode();
  [funder] = node.accounts as [Address];
  usdc = await node.deploy('VwToken', tokenConstructorArgs('USD Coin', 'USDC', 6));
  rx = await startReceiver();
  t = await createTestApp(
    {
      VW_CUSTODY_MNEMONIC: MNEMONIC,
      VW_CHAINS: JSON.stringify([
        localChainInput(node, {
          confirmations: CONFIRMATIONS,
          startBlock: 'latest',
          tokens: [{ code: 'USDC', address: usdc, decimals: 6, gasLimit: 100000 }],
        }),
      ]),
      VW_MERCHANTS_LIVE_CHAIN: 'local',
      VW_WEBHOOK_SSRF_ALLOW: '127.0.0.1/32',
      VW_WEBHOOK_POLL_MS: '20',
      VW_WEBHOOK_TIMEOUT_MS: '1000',
    },
    { now: () => Date.now() + offsetMs },
  );
  await registerAssets(t);
  const f = t.vw.chains.follower('local');
  if (!f) throw new Error('chain local not built');
  follower = f;
  await syncToHead(follower);
  shop = await merchant(t, 'Chain Shop', 'chain-shop@example.com');
  const op = await user(t, 'chain-op@example.com', 'operator');
  const fees = await t.request('PUT', `/v1/merchants/${shop.id}/fees`, {
    token: op.token,
    body: { bps: 100 },
  });
  expect(fees.status, fees.text).toBe(200);
  const endpoint = await t.request('POST', '/v1/webhook_endpoints', {
    token: shop.liveKey,
    body: { url: `${rx.url}/shop`, event_types: ['invoice.*', 'refund.*'] },
  });
  expect(endpoint.status, endpoint.text).toBe(201);
  delivery = await t.vw.webhooks.startDelivery({ concurrency: 4 });
}, 300_000);

afterAll(async () => {
  await delivery.stop();
  await t.close();
  await rx.close();
  await node.stop();
});

describe('invoices paid on chain', () => {
  it('invoices created together each get a deposit address of their own, recorded for them', async () => {
    // Concurrent creations share one statement (the group commit): each invoice's address
    // must still be recorded for that invoice, under the index it was derived from.
    const created = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        invoice({ currency: 'USD', amount: '1.00', assets: ['ETH'], order_id: `together-${i}` }),
      ),
    );
    const addressOf = new Map(created.map((c) => [c.id, c.payment_options[0]?.address]));
    expect(new Set(addressOf.values()).size).toBe(12);
    const { rows } = await t.testDb.db.query<{
      user_id: string;
      address: string;
      derivation_index: number;
      owned_index: number | null;
    }>(
      `SELECT a.user_id, a.address, a.derivation_index, i.derivation_index AS owned_index
         FROM deposit_addresses a LEFT JOIN custody_user_indexes i ON i.user_id = a.user_id
        WHERE a.user_id = ANY($1::text[])`,
      [[...addressOf.keys()]],
    );
    expect(rows).toHaveLength(12);
    for (const r of rows) {
      expect(r.address).toBe(addressOf.get(r.user_id)?.toLowerCase());
      expect(r.owned_index).toBe(r.derivation_index);
    }
  });

  it('an ETH invoice paid in two parts: processing, then paid once confirmed, net of fees, with webhooks', async () => {
    const inv = await invoice({ currency: 'USD', amount: '64.00', assets: ['ETH', 'USDC'] });
    const eth = inv.payment_options.find((o) => o.asset === 'ETH');
    const usdcOption = inv.payment_options.find((o) => o.asset === 'USDC');
    if (!eth || !usdcOption) throw new Error('missing options');
    expect(eth.amount_due).toBe('0.02');
    expect(eth.address).toMatch(/^0x[0-9a-f]{40}$/);
    expect(usdcOption.address).toBe(eth.address);
    expect(eth.payment_uri).toBe(`ethereum:${eth.address}@${node.chainId}?value=20000000000000000`);
    // A fresh address per invoice.
    const other = await invoice({ currency: 'USD', amount: '1.00', assets: ['ETH'] });
    expect(other.payment_options[0]?.address).not.toBe(eth.address);

    await node.send({ from: funder, to: eth.address as Address, value: parseEther('0.012') });
    await settle();
    expect(await get(inv.id)).toMatchObject({ status: 'processing', amount_pending: '38.4' });
    await confirm();
    expect(await get(inv.id)).toMatchObject({ status: 'open', amount_paid: '38.4' });
    await node.send({ from: funder, to: eth.address as Address, value: parseEther('0.008') });
    await confirm();
    const paid = await get(inv.id);
    expect(paid).toMatchObject({ status: 'paid', amount_paid: '64', amount_pending: '0' });
    expect(
      paid.payments.map((p: { amount: string; method: string; status: string }) => [
        p.amount,
        p.method,
        p.status,
      ]),
    ).toEqual([
      ['0.012', 'chain', 'confirmed'],
      ['0.008', 'chain', 'confirmed'],
    ]);
    // 1% fee: 0.0198 ETH to the merchant, 0.0002 ETH to the platform.
    expect(await balance('ETH')).toBe('0.0198');
    const fees = await t.vw.ledger.houseAccount('fees', 'ETH');
    expect(fees.ok && fees.account.balance.posted).toBe(parseEther('0.0002'));
    await waitFor(() => delivered(inv.id).includes('invoice.paid'), 'invoice.paid delivered');
    expect(delivered(inv.id)).toEqual(
      expect.arrayContaining([
        'invoice.created',
        'invoice.processing',
        'invoice.payment_confirmed',
        'invoice.paid',
      ]),
    );
  });

  it('an ERC-20 invoice paid in two parts', async () => {
    const inv = await invoice({ currency: 'USD', amount: '25.00', assets: ['USDC'] });
    const o = inv.payment_options[0];
    if (!o) throw new Error('no option');
    expect(o.payment_uri).toBe(
      `ethereum:${usdc}@${node.chainId}/transfer?address=${o.address}&uint256=25000000`,
    );
    await node.send({ from: funder, ...call('VwToken', usdc, 'mint', [o.address, 10_000_000n]) });
    await node.send({ from: funder, ...call('VwToken', usdc, 'mint', [o.address, 15_000_000n]) });
    await settle();
    expect((await get(inv.id)).status).toBe('processing');
    await confirm();
    expect(await get(inv.id)).toMatchObject({ status: 'paid', amount_paid: '25' });
    expect(await balance('USDC')).toBe('24.75');
  });

  it('a payment reorged out before its confirmations moves the invoice back to open', async () => {
    const inv = await invoice({ currency: 'USD', amount: '32.00', assets: ['ETH'] });
    const address = inv.payment_options[0]?.address as Address;
    const snap = await node.snapshot();
    await node.send({ from: funder, to: address, value: parseEther('0.01') });
    await settle();
    expect((await get(inv.id)).status).toBe('processing');
    await node.revert(snap);
    await node.mine(2);
    await settle();
    expect(await get(inv.id)).toMatchObject({ status: 'open', amount_pending: '0' });
    await waitFor(() => delivered(inv.id).includes('invoice.reopened'), 'invoice.reopened');
  });

  it('an underpaid and an expired invoice', async () => {
    const under = await invoice({
      currency: 'USD',
      amount: '32.00',
      assets: ['ETH'],
      expires_in_seconds: 60,
    });
    const expired = await invoice({
      currency: 'USD',
      amount: '32.00',
      assets: ['ETH'],
      expires_in_seconds: 60,
    });
    await node.send({
      from: funder,
      to: under.payment_options[0]?.address as Address,
      value: parseEther('0.004'),
    });
    await confirm();
    offsetMs += 61_000;
    expect(await t.vw.merchants.invoices.expireDue()).toBe(2);
    expect(await get(under.id)).toMatchObject({ status: 'underpaid', amount_paid: '12.8' });
    expect((await get(expired.id)).status).toBe('expired');
    // The rest arrives late: paid late, still credited.
    await node.send({
      from: funder,
      to: under.payment_options[0]?.address as Address,
      value: parseEther('0.006'),
    });
    await confirm();
    expect(await get(under.id)).toMatchObject({ status: 'paid_late', amount_paid: '32' });
    await drain(t);
    await waitFor(() => delivered(expired.id).includes('invoice.expired'), 'invoice.expired');
    await waitFor(() => delivered(under.id).includes('invoice.paid_late'), 'invoice.paid_late');
  });
});

describe('payouts', () => {
  it('pays the merchant balance out on chain, visible only to that merchant', async () => {
    const sender = t.vw.chains.sender('local');
    const hot = await t.vw.chains.custody.hotWalletAddress();
    if (!sender || !hot) throw new Error('no sender');
    await node.send({ from: funder, to: hot as Address, value: parseEther('1') });
    await sender.syncNonce();
    const before = await balance('ETH');
    const to = node.accounts[5] as Address;
    const received = BigInt(await node.rpc<string>('eth_getBalance', [to, 'latest']));
    const r = await t.request('POST', '/v1/payouts', {
      token: shop.liveKey,
      body: { asset: 'ETH', amount: '0.01', to_address: to },
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({
      object: 'payout',
      livemode: true,
      amount: '0.01',
      status: 'queued',
    });
    expect(Number(await balance('ETH'))).toBeCloseTo(Number(before) - 0.01, 12);
    await sender.tick();
    await node.mine(CONFIRMATIONS);
    await sender.tick();
    const done = await t.request('GET', `/v1/payouts/${r.body.id}`, { token: shop.liveKey });
    expect(done.body.status).toBe('confirmed');
    const after = BigInt(await node.rpc<string>('eth_getBalance', [to, 'latest']));
    expect(after - received).toBe(parseEther('0.01'));

    const other = await merchant(t, 'Other Shop', 'other-shop@example.com');
    const peek = await t.request('GET', `/v1/payouts/${r.body.id}`, { token: other.liveKey });
    expect(peek.status).toBe(404);
    const list = await t.request('GET', '/v1/payouts', { token: other.liveKey });
    expect(list.body.data).toEqual([]);
    const overdraw = await t.request('POST', '/v1/payouts', {
      token: other.liveKey,
      body: { asset: 'ETH', amount: '0.01', to_address: to },
    });
    expect(overdraw.status).toBe(402);
  });
});

describe('refunds of on-chain payments through a signed refund link', () => {
  const deliveredRefund = (id: string) =>
    rx.received
      .filter((r) => r.path === '/shop' && (r.status ?? 0) < 300)
      .map((r) => JSON.parse(r.body) as { type: string; data: { id: string; status?: string } })
      .filter((e) => e.data.id === id)
      .map((e) => e.type);

  it('the payer gives an address once; the refund is sent on chain exactly once, never above what was paid', async () => {
    const sender = t.vw.chains.sender('local');
    const hot = await t.vw.chains.custody.hotWalletAddress();
    if (!sender || !hot) throw new Error('no sender');
    await node.send({ from: funder, to: hot as Address, value: parseEther('1') });
    await sender.syncNonce();

    const inv = await invoice({ currency: 'USD', amount: '32.00', assets: ['ETH'] });
    await node.send({
      from: funder,
      to: inv.payment_options[0]?.address as Address,
      value: parseEther('0.01'),
    });
    await confirm();
    expect((await get(inv.id)).status).toBe('paid');
    const before = await balance('ETH');

    const created = await t.request('POST', `/v1/invoices/${inv.id}/refunds`, {
      token: shop.liveKey,
      body: { asset: 'ETH', amount: '0.004', reason: 'One item returned' },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({
      status: 'pending_destination',
      amount: '0.004',
      chain: 'local',
      destination_address: null,
    });
    const link = created.body.link as { url: string; token: string; expires_at: string };
    expect(link.url).toBe(`/refund/${link.token}`);
    // Reserved at once: the rest of the payment is all that can still be refunded.
    const over = await t.request('POST', `/v1/invoices/${inv.id}/refunds`, {
      token: shop.liveKey,
      body: { asset: 'ETH', amount: '0.0061' },
    });
    expect(over.status).toBe(409);
    expect(over.body.error.code).toBe('refund_exceeds_paid');
    // Nothing moved yet.
    expect(await balance('ETH')).toBe(before);
    await drain(t);
    await waitFor(
      () => deliveredRefund(created.body.id).includes('refund.pending_destination'),
      'refund.pending_destination',
    );

    // The page works without JavaScript: a plain form.
    const pageRes = await t.request('GET', link.url);
    expect(pageRes.status).toBe(200);
    expect(pageRes.text).toContain('<form method="post"');
    expect(pageRes.text).toContain('0.004 ETH');
    expect(pageRes.text).not.toContain('<script');
    // A forged or altered token is not a link.
    const forged = link.token.slice(0, -2) + (link.token.endsWith('AA') ? 'BB' : 'AA');
    expect((await t.request('GET', `/v1/refund_links/${forged}`)).status).toBe(404);
    expect((await t.request('GET', `/refund/${forged}`)).status).toBe(404);
    // A wrong address is refused on the form, and the link still works.
    const bad = await t.request('POST', link.url, {
      rawBody: 'address=0x1234',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('role="alert"');
    const view = await t.request('GET', `/v1/refund_links/${link.token}`);
    expect(view.body).toMatchObject({ object: 'refund_link', open: true, amount: '0.004' });

    // Five submissions of the same link at once: exactly one sends.
    const to = node.accounts[6] as Address;
    const received = BigInt(await node.rpc<string>('eth_getBalance', [to, 'latest']));
    const submits = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        i === 0
          ? t.request('POST', link.url, {
              rawBody: `address=${to}`,
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
            })
          : t.request('POST', `/v1/refund_links/${link.token}`, { body: { address: to } }),
      ),
    );
    const ok = submits.filter((r) => r.status === 200 && !r.text.includes('role="alert"'));
    const used = submits.filter((r) => r.status === 409);
    expect(ok.length + used.length).toBe(5);
    const { rows: sends } = await t.vw.db.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM withdrawals WHERE user_id = (SELECT account_id FROM merchant_refunds WHERE id = $1)
         AND to_address = $2`,
      [created.body.id, to],
    );
    expect(sends[0]?.n).toBe('1');
    expect(used.every((r) => r.body.error.code === 'refund_link_used')).toBe(true);
    // Held from the merchant balance at once.
    expect(Number(await balance('ETH'))).toBeCloseTo(Number(before) - 0.004, 12);

    await sender.tick();
    await node.mine(CONFIRMATIONS);
    await sender.tick();
    await drain(t);
    const after = BigInt(await node.rpc<string>('eth_getBalance', [to, 'latest']));
    expect(after - received).toBe(parseEther('0.004'));
    const done = await t.request('GET', `/v1/refunds/${created.body.id}`, { token: shop.liveKey });
    expect(done.body).toMatchObject({ status: 'succeeded', destination_address: to, link: null });
    expect(done.body.withdrawal).toMatch(/^wd_/);
    await waitFor(
      () => deliveredRefund(created.body.id).includes('refund.succeeded'),
      'refund.succeeded',
    );
    // Used: the page says so, the API refuses, nothing more is sent.
    expect((await t.request('GET', link.url)).text).toContain('Your refund was sent.');
    const again = await t.request('POST', `/v1/refund_links/${link.token}`, {
      body: { address: to },
    });
    expect(again.status).toBe(409);
    expect(Number(await balance('ETH'))).toBeCloseTo(Number(before) - 0.004, 12);

    // The settlement report classes the on-chain refund and the earlier payout from the
    // withdrawals' postings, and still reconciles to the ledger.
    const report = await t.request(
      'GET',
      `/v1/settlements?from=${new Date(Date.now() - 3_600_000).toISOString()}&to=${new Date(Date.now() + 3_600_000).toISOString()}`,
      { token: shop.liveKey },
    );
    expect(report.status, report.text).toBe(200);
    const eth = report.body.totals.find((x: { asset: string }) => x.asset === 'ETH');
    expect(parseEther(eth.refunds)).toBe(parseEther('0.004'));
    expect(parseEther(eth.payouts)).toBe(parseEther('0.01'));
    expect(parseEther(eth.other)).toBe(0n);
    expect(parseEther(eth.closing_balance) - parseEther(eth.opening_balance)).toBe(
      parseEther(eth.net),
    );
  });

  it('an expired link is refused; a new link replaces it; a canceled refund frees its amount', async () => {
    const inv = await invoice({ currency: 'USD', amount: '32.00', assets: ['ETH'] });
    await node.send({
      from: funder,
      to: inv.payment_options[0]?.address as Address,
      value: parseEther('0.01'),
    });
    await confirm();
    const created = await t.request('POST', `/v1/invoices/${inv.id}/refunds`, {
      token: shop.liveKey,
      body: { asset: 'ETH', amount: '0.01', link_expires_in_seconds: 300 },
    });
    expect(created.status, created.text).toBe(201);
    const oldToken = created.body.link.token as string;
    offsetMs += 301_000;
    const late = await t.request('POST', `/v1/refund_links/${oldToken}`, {
      body: { address: node.accounts[7] },
    });
    expect(late.status).toBe(410);
    expect(late.body.error.code).toBe('refund_link_expired');
    expect((await t.request('GET', `/refund/${oldToken}`)).status).toBe(410);

    const renewed = await t.request('POST', `/v1/refunds/${created.body.id}/link`, {
      token: shop.liveKey,
      body: {},
    });
    expect(renewed.status, renewed.text).toBe(200);
    expect(renewed.body.link.token).not.toBe(oldToken);
    // The old link is dead even though its signature is genuine.
    expect((await t.request('GET', `/v1/refund_links/${oldToken}`)).status).toBe(404);
    expect((await t.request('GET', `/v1/refund_links/${renewed.body.link.token}`)).body.open).toBe(
      true,
    );

    const canceled = await t.request('POST', `/v1/refunds/${created.body.id}/cancel`, {
      token: shop.liveKey,
    });
    expect(canceled.body.status).toBe('canceled');
    expect((await t.request('GET', `/v1/refund_links/${renewed.body.link.token}`)).body.open).toBe(
      false,
    );
    // The whole payment can be refunded again.
    const full = await t.request('POST', `/v1/invoices/${inv.id}/refunds`, {
      token: shop.liveKey,
      body: { asset: 'ETH', amount: '0.01' },
    });
    expect(full.status, full.text).toBe(201);
    expect(full.body.status).toBe('pending_destination');
  });
});
