import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import { fund, merchant, registerAssets, user } from '../../test/fixtures/merchants/setup.js';

/**
 * Merchant actions on invoices and refunds land in the platform's hash-chained audit
 * log: who (the merchant account and the API key used), what, when, from where.
 */

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
  await registerAssets(t);
});

afterAll(async () => {
  await t.close();
});

interface AuditRow {
  action: string;
  actor_type: string;
  actor_id: string | null;
  credential_id: string | null;
  target_type: string;
  occurred_at: Date;
  data: Record<string, unknown>;
}

const auditOf = async (targetId: string) => {
  // Invoice creation enqueues its entry; the api role's sealer chains it a moment later.
  await t.vw.audit.seal();
  return (
    await t.vw.db.query<AuditRow>(
      `SELECT action, actor_type, actor_id, credential_id, target_type, occurred_at, data
         FROM audit_events WHERE target_id = $1 ORDER BY seq`,
      [targetId],
    )
  ).rows;
};

describe('audit of invoice and refund actions', () => {
  it('records who created an invoice and who refunded it, with the key used', async () => {
    const shop = await merchant(t, 'Audited Shop', 'audited-shop@example.com');
    const account = (await t.vw.merchants.directory.get(shop.id))?.liveAccountId;
    const payer = await user(t, 'audited-payer@example.com');
    await fund(t, payer.id, 'USD', '20.00');
    const started = t.now();
    const inv = await t.request('POST', '/v1/invoices', {
      token: shop.liveKey,
      body: { currency: 'USD', amount: '20.00', assets: ['USD'], order_id: 'A-1' },
    });
    expect(inv.status, inv.text).toBe(201);
    const paid = await t.request('POST', `/v1/checkout/invoices/${inv.body.id}/pay`, {
      token: payer.token,
      body: { asset: 'USD' },
    });
    expect(paid.status, paid.text).toBe(200);
    const refund = await t.request('POST', `/v1/invoices/${inv.body.id}/refunds`, {
      token: shop.liveKey,
      body: { asset: 'USD', amount: '5.00', reason: 'damaged' },
    });
    expect(refund.status, refund.text).toBe(201);

    const [created] = await auditOf(inv.body.id);
    expect(created).toMatchObject({
      action: 'merchant.invoice_created',
      actor_type: 'user',
      actor_id: account,
      credential_id: shop.liveKeyId,
      target_type: 'merchant_invoice',
      data: { merchant_id: shop.id, currency: 'USD', amount: '20.00', livemode: true },
    });
    expect(created?.occurred_at.getTime()).toBeGreaterThanOrEqual(started - 1000);
    expect(await auditOf(refund.body.id)).toEqual([
      expect.objectContaining({
        action: 'merchant.refund_created',
        actor_id: account,
        credential_id: shop.liveKeyId,
        target_type: 'merchant_refund',
        data: expect.objectContaining({ invoice_id: inv.body.id, amount: '5', asset: 'USD' }),
      }),
    ]);
  });

  it('records nothing for a refused refund, and the chain still verifies', async () => {
    const shop = await merchant(t, 'Refused Shop', 'refused-shop@example.com');
    const inv = await t.request('POST', '/v1/invoices', {
      token: shop.liveKey,
      body: { currency: 'USD', amount: '3.00', assets: ['USD'] },
    });
    const before = await t.vw.db.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM audit_events WHERE action = 'merchant.refund_created'`,
    );
    const refused = await t.request('POST', `/v1/invoices/${inv.body.id}/refunds`, {
      token: shop.liveKey,
      body: { asset: 'USD', amount: '1.00' },
    });
    expect(refused.status).toBe(409);
    const after = await t.vw.db.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM audit_events WHERE action = 'merchant.refund_created'`,
    );
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
    const verified = await t.vw.audit.verify();
    expect(verified.ok).toBe(true);
  });
});
