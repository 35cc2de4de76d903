import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import {
  fund,
  merchant,
  registerAssets,
  user,
  walletBalance,
} from '../../test/fixtures/merchants/setup.js';

/** The refund guard under real concurrency, on PostgreSQL. */

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
  await registerAssets(t);
});

afterAll(async () => {
  await t.close();
});

describe('concurrent refunds', () => {
  it('200 concurrent refunds against an invoice paid 37 units: exactly 37 refunded', async () => {
    const shop = await merchant(t, 'Refund Shop', 'refunds@example.com');
    const payer = await user(t, 'refund-payer@example.com');
    await fund(t, payer.id, 'USD', '37.00');
    const inv = await t.request('POST', '/v1/invoices', {
      token: shop.liveKey,
      body: { currency: 'USD', amount: '37.00', assets: ['USD'] },
    });
    expect(inv.status, inv.text).toBe(201);
    const paid = await t.request('POST', `/v1/checkout/invoices/${inv.body.id}/pay`, {
      token: payer.token,
      body: { asset: 'USD' },
    });
    expect(paid.body.status).toBe('paid');
    expect(await walletBalance(t, payer.id, 'USD')).toBe(0n);

    const results = await Promise.all(
      Array.from({ length: 200 }, () =>
        t.request('POST', `/v1/invoices/${inv.body.id}/refunds`, {
          token: shop.liveKey,
          body: { asset: 'USD', amount: '1.00' },
        }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(37);
    expect(statuses.filter((s) => s === 409)).toHaveLength(163);
    expect(
      results
        .filter((r) => r.status === 409)
        .every((r) => r.body.error.code === 'refund_exceeds_paid'),
    ).toBe(true);

    // Every refund is one ledger transaction: the payer has all 37 back, the merchant nothing.
    expect(await walletBalance(t, payer.id, 'USD')).toBe(3_700n);
    const merchantAccount = (
      await t.request('GET', '/v1/merchant_balance', { token: shop.liveKey })
    ).body;
    expect(merchantAccount.balances).toEqual([{ asset: 'USD', available: '0', pending: '0' }]);
    const { rows } = await t.vw.db.query<{ n: string; total: string }>(
      `SELECT count(*)::text AS n, sum(amount)::text AS total FROM merchant_refunds WHERE invoice_id = $1`,
      [inv.body.id],
    );
    expect(rows[0]).toEqual({ n: '37', total: '3700' });
    const account = await t.vw.ledger.findAccount(payer.id, 'USD');
    const entries = await t.vw.ledger.listEntries({ accountId: account?.id ?? '', limit: 100 });
    expect(
      entries.filter((e) => e.change > 0n && e.description?.startsWith('Refund')),
    ).toHaveLength(37);
  });
});
