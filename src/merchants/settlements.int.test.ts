import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import {
  fund,
  merchant,
  registerAssets,
  user,
  type TestMerchant,
} from '../../test/fixtures/merchants/setup.js';

/** The settlement report reconciles to the merchant's ledger balances. */

let t: TestApp;
let shop: TestMerchant;

beforeAll(async () => {
  t = await createTestApp();
  await registerAssets(t);
  shop = await merchant(t, 'Settling Shop', 'settling@example.com');
  const op = await user(t, 'settle-op@example.com', 'operator');
  const fees = await t.request('PUT', `/v1/merchants/${shop.id}/fees`, {
    token: op.token,
    body: { bps: 250, fixed: { USD: '0.30' } },
  });
  expect(fees.status, fees.text).toBe(200);
});

afterAll(async () => {
  await t.close();
});

const minor = (s: string) => {
  const [i = '0', f = ''] = s.replace('-', '').split('.');
  const v = BigInt(i + f.padEnd(2, '0').slice(0, 2));
  return s.startsWith('-') ? -v : v;
};

describe('settlement report', () => {
  it('per day and asset: gross, fees, refunds and net; the totals equal the ledger balance change', async () => {
    const payer = await user(t, 'settle-payer@example.com');
    await fund(t, payer.id, 'USD', '500.00');
    await fund(t, payer.id, 'EUR', '500.00');
    const from = new Date(Date.now() - 3_600_000);
    const paid: { asset: string; amount: string }[] = [
      { asset: 'USD', amount: '40.00' },
      { asset: 'USD', amount: '12.34' },
      { asset: 'EUR', amount: '20.00' },
    ];
    const invoices: string[] = [];
    for (const p of paid) {
      const inv = await t.request('POST', '/v1/invoices', {
        token: shop.liveKey,
        body: { currency: p.asset, amount: p.amount, assets: [p.asset] },
      });
      expect(inv.status, inv.text).toBe(201);
      const r = await t.request('POST', `/v1/checkout/invoices/${inv.body.id}/pay`, {
        token: payer.token,
        body: { asset: p.asset },
      });
      expect(r.status, r.text).toBe(200);
      invoices.push(inv.body.id as string);
    }
    const refund = await t.request('POST', `/v1/invoices/${invoices[0]}/refunds`, {
      token: shop.liveKey,
      body: { asset: 'USD', amount: '5.00' },
    });
    expect(refund.status, refund.text).toBe(201);
    const to = new Date(Date.now() + 1000);

    const csv = await t.request(
      'GET',
      `/v1/settlements?from=${from.toISOString()}&to=${to.toISOString()}&format=csv`,
      { token: shop.liveKey },
    );
    expect(csv.status, csv.text).toBe(200);
    const [header, ...lines] = csv.text.trim().split('\n');
    expect(header).toBe(
      'date,asset,gross,fees,refunds,payouts,other,net,opening_balance,closing_balance',
    );
    const rows = lines.map((l) => l.split(','));
    const days = rows.filter((r) => r[0] !== 'total');
    const totals = rows.filter((r) => r[0] === 'total');
    expect(totals.map((r) => r[1])).toEqual(['EUR', 'USD']);

    // USD: 52.34 paid; fees 2.5% rounded up per payment plus 0.30 once per invoice.
    const usd = totals.find((r) => r[1] === 'USD') ?? [];
    const usdFees = 100n + 30n + 31n + 30n; // 40.00 → 1.00 + 0.30; 12.34 → 0.31 + 0.30
    expect(usd.slice(2, 8).map(minor)).toEqual([
      5_234n,
      usdFees,
      500n,
      0n,
      0n,
      5_234n - usdFees - 500n,
    ]);

    for (const total of totals) {
      const asset = total[1] ?? '';
      const [gross = 0n, fees = 0n, refunds = 0n, payouts = 0n, other = 0n, net = 0n] = total
        .slice(2, 8)
        .map(minor);
      const opening = minor(total[8] ?? '');
      const closing = minor(total[9] ?? '');
      // The day lines add up to the total.
      const mine = days.filter((d) => d[1] === asset);
      for (let col = 2; col <= 7; col++) {
        expect(mine.reduce((s, d) => s + minor(d[col] ?? '0'), 0n)).toBe(minor(total[col] ?? ''));
      }
      // The columns explain the net, and the net is the ledger balance's change.
      expect(gross - fees - refunds - payouts + other).toBe(net);
      expect(closing - opening).toBe(net);
      const { rows: acc } = await t.vw.db.query<{ id: string }>(
        'SELECT live_account_id AS id FROM merchants WHERE id = $1',
        [shop.id],
      );
      const account = await t.vw.ledger.findAccount(acc[0]?.id ?? '', asset);
      expect(account?.balance.posted).toBe(closing);
    }

    // JSON says the same; another merchant's report is its own (empty).
    const json = await t.request(
      'GET',
      `/v1/settlements?from=${from.toISOString()}&to=${to.toISOString()}`,
      { token: shop.liveKey },
    );
    expect(json.body.totals.find((x: { asset: string }) => x.asset === 'USD')).toMatchObject({
      gross: '52.34',
      refunds: '5.00',
    });
    const other = await merchant(t, 'Quiet Shop', 'quiet@example.com');
    const empty = await t.request(
      'GET',
      `/v1/settlements?from=${from.toISOString()}&to=${to.toISOString()}`,
      { token: other.liveKey },
    );
    expect(empty.body.days).toEqual([]);
    // A period backwards is a typed 400.
    const bad = await t.request(
      'GET',
      `/v1/settlements?from=${to.toISOString()}&to=${from.toISOString()}`,
      { token: shop.liveKey },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('date_range_invalid');
  });
});
