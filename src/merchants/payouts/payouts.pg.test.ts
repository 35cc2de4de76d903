import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/app.js';
import {
  fund,
  merchant,
  registerAssets,
  user,
  walletBalance,
} from '../../../test/fixtures/merchants/setup.js';
import { inTransitOwner } from './payouts.js';
import { startTestPayoutRail, type TestPayoutRailServer } from './test-rail-server.js';

/** The payout guards under real concurrency, on PostgreSQL. */

let t: TestApp;
let rail: TestPayoutRailServer;

beforeAll(async () => {
  rail = await startTestPayoutRail();
  t = await createTestApp({
    VW_MERCHANTS_PAYOUT_RAIL_URL: rail.url,
    VW_MERCHANTS_PAYOUT_RAIL_KEY: rail.apiKey,
    VW_MERCHANTS_PAYOUT_APPROVAL_ABOVE: JSON.stringify({ USD: '1000' }),
  });
  await registerAssets(t);
});

afterAll(async () => {
  await t.close();
  await rail.close();
});

describe('concurrent payouts', () => {
  it('20 concurrent payouts racing one balance of 100: the sum paid out never exceeds it', async () => {
    const shop = await merchant(t, 'Race Shop', 'race-shop@example.com');
    const account = (await t.vw.merchants.directory.get(shop.id))?.liveAccountId ?? '';
    await fund(t, account, 'USD', '100.00');

    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.request('POST', '/v1/bank_payouts', {
          token: shop.liveKey,
          body: { asset: 'USD', amount: '7.00', destination: `DE8937040044053201${1000 + i}` },
        }),
      ),
    );
    const statuses = results.map((r) => r.status);
    // 14 × 7 = 98 fit in 100; the other six are refused, whatever the interleaving.
    expect(statuses.filter((s) => s === 201)).toHaveLength(14);
    expect(statuses.filter((s) => s === 402)).toHaveLength(6);
    expect(
      results
        .filter((r) => r.status === 402)
        .every((r) => r.body.error.code === 'payout_exceeds_balance'),
    ).toBe(true);
    expect(await walletBalance(t, account, 'USD')).toBe(200n);
    expect(await walletBalance(t, inTransitOwner(account), 'USD')).toBe(9_800n);
    const { rows } = await t.vw.db.query<{ n: string; total: string }>(
      `SELECT count(*)::text AS n, sum(amount)::text AS total FROM merchant_payouts
        WHERE account_id = $1`,
      [account],
    );
    expect(rows[0]).toEqual({ n: '14', total: '9800' });
  });

  it('an operator approving while another rejects and the merchant cancels: exactly one decision', async () => {
    const shop = await merchant(t, 'Decision Shop', 'decision-shop@example.com');
    const account = (await t.vw.merchants.directory.get(shop.id))?.liveAccountId ?? '';
    await fund(t, account, 'USD', '5000.00');
    const p = await t.request('POST', '/v1/bank_payouts', {
      token: shop.liveKey,
      body: { asset: 'USD', amount: '2000.00', destination: 'DE89370400440532013000' },
    });
    expect(p.body.status).toBe('pending_approval');
    const ops = await Promise.all([
      user(t, 'decider-1@example.com', 'operator'),
      user(t, 'decider-2@example.com', 'operator'),
    ]);
    const attempts = await Promise.all(
      Array.from({ length: 12 }, (_, i) => {
        const op = ops[i % 2];
        if (!op) throw new Error('no operator');
        return i % 3 === 0
          ? t.request('POST', `/v1/admin/bank_payouts/${p.body.id}/approve`, {
              token: op.token,
              body: {},
            })
          : i % 3 === 1
            ? t.request('POST', `/v1/admin/bank_payouts/${p.body.id}/reject`, {
                token: op.token,
                body: { reason: 'race' },
              })
            : t.request('POST', `/v1/bank_payouts/${p.body.id}/cancel`, {
                token: shop.liveKey,
                body: {},
              });
      }),
    );
    expect(attempts.filter((r) => r.status === 200)).toHaveLength(1);
    expect(
      attempts
        .filter((r) => r.status !== 200)
        .every((r) => r.status === 409 && r.body.error.code === 'payout_not_pending_approval'),
    ).toBe(true);
    const winner = attempts.find((r) => r.status === 200)?.body as { status: string };
    // Rejected or canceled: all of it back; approved: still in transit, not yet paid.
    const balance = await walletBalance(t, account, 'USD');
    expect(balance).toBe(winner.status === 'in_transit' ? 300_000n : 500_000n);
    const { rows } = await t.vw.db.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM audit_events
        WHERE target_id = $1 AND action <> 'merchant.payout_created'`,
      [p.body.id],
    );
    expect(rows[0]?.n).toBe('1');
  });
});
