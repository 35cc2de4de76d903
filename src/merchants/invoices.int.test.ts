import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import {
  drain,
  fund,
  merchant,
  registerAssets,
  user,
  walletBalance,
  type TestMerchant,
} from '../../test/fixtures/merchants/setup.js';

/**
 * Invoices paid from wallets and with test payments: rates, partial payments, fees,
 * expiry, events, refunds, and bad input refused with nothing moved.
 */

let t: TestApp;
let now = Date.now();
let shop: TestMerchant;
let payer: { id: string; token: string };
let operator: { id: string; token: string };

beforeAll(async () => {
  t = await createTestApp({}, { now: () => now });
  await registerAssets(t);
  shop = await merchant(t, 'Coffee Co', 'owner@example.com');
  payer = await user(t, 'payer@example.com');
  operator = await user(t, 'op@example.com', 'operator');
  await fund(t, payer.id, 'USD', '1000.00');
  await fund(t, payer.id, 'ETH', '1');
  const fees = await t.request('PUT', `/v1/merchants/${shop.id}/fees`, {
    token: operator.token,
    body: { bps: 250, fixed: { USD: '0.30' } },
  });
  expect(fees.status, fees.text).toBe(200);
});

afterAll(async () => {
  await t.close();
});

const invoice = (token: string, body: Record<string, unknown>) =>
  t.request('POST', '/v1/invoices', { token, body });
const pay = (id: string, body: Record<string, unknown>, token = payer.token) =>
  t.request('POST', `/v1/checkout/invoices/${id}/pay`, { token, body });
const get = (id: string, token = shop.liveKey) => t.request('GET', `/v1/invoices/${id}`, { token });

async function balances(token: string): Promise<Record<string, string>> {
  const r = await t.request('GET', '/v1/merchant_balance', { token });
  expect(r.status).toBe(200);
  return Object.fromEntries(
    (r.body.balances as { asset: string; available: string }[]).map((b) => [b.asset, b.available]),
  );
}

async function eventsOf(id: string): Promise<string[]> {
  const { rows } = await t.vw.db.query<{ type: string }>(
    'SELECT type FROM outbox_events WHERE aggregate_id = $1 ORDER BY seq',
    [id],
  );
  return rows.map((r) => r.type);
}

describe('invoices', () => {
  it('prices an invoice in every accepted asset at a locked rate', async () => {
    const r = await invoice(shop.liveKey, {
      currency: 'USD',
      amount: '100.00',
      assets: ['USD', 'ETH', 'USDC'],
      description: 'Two bags of beans',
      order_id: 'order-1',
      customer_email: 'buyer@example.com',
      redirect_url: 'https://shop.example/thanks',
      metadata: { cart: '42' },
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({
      livemode: true,
      status: 'open',
      currency: 'USD',
      amount: '100',
      amount_paid: '0',
      order_id: 'order-1',
      metadata: { cart: '42' },
      expires_at: new Date(now + 900_000).toISOString(),
    });
    const due = Object.fromEntries(
      (r.body.payment_options as { asset: string; amount_due: string; rate: string }[]).map((o) => [
        o.asset,
        [o.amount_due, o.rate],
      ]),
    );
    expect(due).toEqual({
      ETH: ['0.03125', '3200'],
      USD: ['100', '1'],
      USDC: ['100', '1'],
    });
    expect(await eventsOf(r.body.id)).toEqual(['invoice.created']);
  });

  it('takes two partial wallet payments, books fees once and marks it paid', async () => {
    const inv = await invoice(shop.liveKey, { currency: 'USD', amount: '40.00' });
    const first = await pay(inv.body.id, { asset: 'USD', amount: '15.00' });
    expect(first.status, first.text).toBe(200);
    expect(first.body).toMatchObject({ status: 'open', amount_paid: '15' });
    const second = await pay(inv.body.id, { asset: 'ETH' });
    expect(second.status, second.text).toBe(200);
    expect(second.body).toMatchObject({ status: 'paid', amount_paid: '40' });
    const full = await get(inv.body.id);
    // 2.5% of each payment, plus 0.30 USD once (converted at 3200 USD/ETH if in ETH).
    expect(
      full.body.payments.map((p: { asset: string; amount: string; fee: string }) => [
        p.asset,
        p.amount,
        p.fee,
      ]),
    ).toEqual([
      ['USD', '15', '0.68'],
      ['ETH', '0.0078125', '0.0001953125'],
    ]);
    expect(await balances(shop.liveKey)).toMatchObject({ USD: '14.32', ETH: '0.0076171875' });
    expect(await walletBalance(t, payer.id, 'USD')).toBe(100_000n - 1_500n);
    const fees = await t.vw.ledger.houseAccount('fees', 'USD');
    expect(fees.ok && fees.account.balance.posted).toBe(68n);
    expect(await eventsOf(inv.body.id)).toEqual([
      'invoice.created',
      'invoice.payment_confirmed',
      'invoice.payment_confirmed',
      'invoice.paid',
    ]);
    // A paid invoice takes no more wallet money.
    const again = await pay(inv.body.id, { asset: 'USD' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('invoice_not_payable');
  });

  it('keeps test mode apart: simulated payments, test balances, no wallet', async () => {
    const inv = await invoice(shop.testKey, { currency: 'USD', amount: '5.00' });
    expect(inv.body.livemode).toBe(false);
    const wallet = await pay(inv.body.id, { asset: 'USD' });
    expect(wallet.status).toBe(409);
    expect(wallet.body.error.code).toBe('invoice_test_mode');
    const sim = await t.request('POST', `/v1/invoices/${inv.body.id}/test_payments`, {
      token: shop.testKey,
      body: { asset: 'USD' },
    });
    expect(sim.status, sim.text).toBe(200);
    expect(sim.body.status).toBe('paid');
    // 2.5% of 5.00 rounded up (0.13) plus 0.30.
    expect(await balances(shop.testKey)).toEqual({ USD: '4.57' });
    expect((await balances(shop.liveKey))['USD']).toBe('14.32');
    // A simulated payment is refunded (to the test faucet), with an Idempotency-Key as
    // the dashboard sends it; the same key again answers the same refund.
    const refund = () =>
      t.request('POST', `/v1/invoices/${inv.body.id}/refunds`, {
        token: shop.testKey,
        body: { asset: 'USD', amount: '1.00', reason: 'test refund' },
        headers: { 'idempotency-key': 'test-refund-1' },
      });
    const refunded = await refund();
    expect(refunded.status, refunded.text).toBe(201);
    expect(refunded.body.status).toBe('succeeded');
    const replayed = await refund();
    expect(replayed.body.id).toBe(refunded.body.id);
    expect(await balances(shop.testKey)).toEqual({ USD: '3.57' });
    const live = await invoice(shop.liveKey, { currency: 'USD', amount: '5.00' });
    const simLive = await t.request('POST', `/v1/invoices/${live.body.id}/test_payments`, {
      token: shop.liveKey,
      body: { asset: 'USD' },
    });
    expect(simLive.status).toBe(403);
  });

  it('expires an unpaid invoice, marks a partly paid one underpaid, and refuses paying late', async () => {
    const unpaid = await invoice(shop.liveKey, {
      currency: 'USD',
      amount: '3.00',
      expires_in_seconds: 60,
    });
    const partial = await invoice(shop.liveKey, {
      currency: 'USD',
      amount: '3.00',
      expires_in_seconds: 60,
    });
    expect((await pay(partial.body.id, { asset: 'USD', amount: '1.00' })).status).toBe(200);
    now += 61_000;
    expect(await t.vw.merchants.invoices.expireDue()).toBe(2);
    expect((await get(unpaid.body.id)).body.status).toBe('expired');
    expect((await get(partial.body.id)).body.status).toBe('underpaid');
    expect(await eventsOf(unpaid.body.id)).toEqual(['invoice.created', 'invoice.expired']);
    const before = await walletBalance(t, payer.id, 'USD');
    const late = await pay(unpaid.body.id, { asset: 'USD' });
    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({ type: 'conflict_error', code: 'invoice_expired' });
    expect(await walletBalance(t, payer.id, 'USD')).toBe(before);
  });
});

describe('bad input moves nothing', () => {
  it('refuses unknown assets, too many decimals, negative amounts with typed 400s', async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ currency: 'XYZ', amount: '1.00' }, 'currency_unknown', 'currency'],
      [{ currency: 'USD', amount: '1.00', assets: ['DOGE'] }, 'asset_unknown', 'assets'],
      [{ currency: 'USD', amount: '1.001' }, 'amount_too_precise', 'amount'],
      [{ currency: 'USD', amount: '-5.00' }, 'amount_negative', 'amount'],
      [{ currency: 'USD', amount: 'ten' }, 'amount_malformed', 'amount'],
    ];
    const { rows: before } = await t.vw.db.query<{ n: string }>(
      'SELECT count(*)::text AS n FROM merchant_invoices',
    );
    for (const [body, code, param] of cases) {
      const r = await invoice(shop.liveKey, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error).toMatchObject({ type: 'invalid_request_error', code, param });
    }
    const { rows: after } = await t.vw.db.query<{ n: string }>(
      'SELECT count(*)::text AS n FROM merchant_invoices',
    );
    expect(after[0]?.n).toBe(before[0]?.n);

    const inv = await invoice(shop.liveKey, { currency: 'USD', amount: '10.00', assets: ['USD'] });
    const usd = await walletBalance(t, payer.id, 'USD');
    for (const [body, status, code] of [
      [{ asset: 'DOGE' }, 400, 'asset_unknown'],
      [{ asset: 'ETH' }, 400, 'asset_not_enabled'],
      [{ asset: 'USD', amount: '1.001' }, 400, 'amount_too_precise'],
      [{ asset: 'USD', amount: '-1.00' }, 400, 'amount_negative'],
      [{ asset: 'USD', amount: '10.01' }, 400, 'amount_above_due'],
    ] as const) {
      const r = await pay(inv.body.id, body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.body.error.code).toBe(code);
    }
    const poor = await user(t, 'poor@example.com');
    const broke = await pay(inv.body.id, { asset: 'USD' }, poor.token);
    expect(broke.status).toBe(402);
    expect(broke.body.error.code).toBe('insufficient_funds');
    const frozen = await user(t, 'frozen@example.com');
    await fund(t, frozen.id, 'USD', '50.00');
    await t.vw.wallet.freeze({ type: 'system', id: 'test' }, frozen.id, 'fraud review');
    const refused = await pay(inv.body.id, { asset: 'USD' }, frozen.token);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('account_frozen');
    expect(await walletBalance(t, frozen.id, 'USD')).toBe(5_000n);
    expect(await walletBalance(t, payer.id, 'USD')).toBe(usd);
    expect((await get(inv.body.id)).body).toMatchObject({ status: 'open', payments: [] });
  });

  it('refuses a refund above what was paid, and one of an unknown asset', async () => {
    const inv = await invoice(shop.liveKey, { currency: 'USD', amount: '20.00', assets: ['USD'] });
    expect((await pay(inv.body.id, { asset: 'USD' })).status).toBe(200);
    const merchantBefore = await balances(shop.liveKey);
    const payerBefore = await walletBalance(t, payer.id, 'USD');
    const above = await t.request('POST', `/v1/invoices/${inv.body.id}/refunds`, {
      token: shop.liveKey,
      body: { asset: 'USD', amount: '20.01' },
    });
    expect(above.status).toBe(409);
    expect(above.body.error).toMatchObject({ code: 'refund_exceeds_paid', param: 'amount' });
    const unknown = await t.request('POST', `/v1/invoices/${inv.body.id}/refunds`, {
      token: shop.liveKey,
      body: { asset: 'DOGE', amount: '1' },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('asset_unknown');
    const negative = await t.request('POST', `/v1/invoices/${inv.body.id}/refunds`, {
      token: shop.liveKey,
      body: { asset: 'USD', amount: '-1' },
    });
    expect(negative.body.error.code).toBe('amount_negative');
    expect(await balances(shop.liveKey)).toEqual(merchantBefore);
    expect(await walletBalance(t, payer.id, 'USD')).toBe(payerBefore);

    const part = await t.request('POST', `/v1/invoices/${inv.body.id}/refunds`, {
      token: shop.liveKey,
      body: { asset: 'USD', amount: '5.00', reason: 'one bag was broken' },
    });
    expect(part.status, part.text).toBe(201);
    expect(part.body).toMatchObject({ amount: '5', asset: 'USD', status: 'succeeded' });
    expect(await walletBalance(t, payer.id, 'USD')).toBe(payerBefore + 500n);
    await drain(t);
    expect(await eventsOf(part.body.id)).toEqual(['refund.succeeded']);
  });
});
