import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLedger } from '../ledger/verify.js';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import {
  fund,
  merchant,
  registerAssets,
  user,
  walletBalance,
  type TestMerchant,
} from '../../test/fixtures/merchants/setup.js';

/**
 * Invoices paid from a Vaultwire wallet go through the wallet's own guards, on a real
 * PostgreSQL server: the freeze is read under the payer's profile lock (a freeze waits for
 * the payments in flight and stops every later one) and the payer's tier limits are
 * consumed in the payment's transaction (concurrent payments never exceed them).
 */

const DAILY_USD = '50.00';
const LIMITS = JSON.stringify({
  unverified: {
    perTransaction: { USD: '20.00' },
    daily: { USD: DAILY_USD },
    perHour: 100_000,
  },
  verified: { perTransaction: { USD: '1000.00' }, daily: { USD: '5000.00' }, perHour: 100_000 },
  enhanced: { perTransaction: { USD: '1000.00' }, daily: { USD: '5000.00' }, perHour: 100_000 },
});

let t: TestApp;
let shop: TestMerchant;

beforeAll(async () => {
  t = await createTestApp({ VW_WALLET_LIMITS: LIMITS });
  await registerAssets(t);
  shop = await merchant(t, 'Guarded Shop', 'guarded-shop@example.com');
});

afterAll(async () => {
  await t.close();
});

async function invoice(amount: string): Promise<string> {
  const r = await t.request('POST', '/v1/invoices', {
    token: shop.liveKey,
    body: { currency: 'USD', amount, assets: ['USD'] },
  });
  expect(r.status, r.text).toBe(201);
  return r.body.id as string;
}

async function ledgerEntriesOf(owner: string): Promise<number> {
  const { rows } = await t.vw.db.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id
      WHERE a.owner = $1`,
    [owner],
  );
  return Number(rows[0]?.n ?? '0');
}

function count(statuses: number[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const s of statuses) out[s] = (out[s] ?? 0) + 1;
  return out;
}

describe('invoice payments from a wallet, on PostgreSQL', () => {
  it('a freeze racing 6 loops of invoice payments: nothing moves after the freeze answers', async () => {
    const payer = await user(t, 'racing-payer@example.com');
    const ops = await user(t, 'racing-ops@example.com', 'operator');
    await fund(t, payer.id, 'USD', '1000.00');
    // One invoice for all loops: payments queue on its row lock, so many are in flight
    // (past any check made before the transaction) when the freeze lands.
    const inv = await invoice('1000.00');
    const state = { frozenAnswered: false };
    const afterFreeze: { status: number; code: string | undefined }[] = [];
    const deadline = Date.now() + 20_000;
    const loop = async () => {
      for (let i = 0; i < 300 && Date.now() < deadline; i++) {
        const answeredBefore = state.frozenAnswered;
        const r = await t.request('POST', `/v1/checkout/invoices/${inv}/pay`, {
          token: payer.token,
          body: { asset: 'USD', amount: '0.01' },
        });
        expect([201, 200, 403], r.text).toContain(r.status);
        if (answeredBefore) {
          afterFreeze.push({ status: r.status, code: r.body.error?.code });
          if (afterFreeze.length >= 60) return;
        }
      }
    };
    const loops = Array.from({ length: 6 }, () => loop());
    while ((await ledgerEntriesOf(payer.id)) < 40 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const freeze = await t.request('POST', `/v1/admin/wallets/${payer.id}/freeze`, {
      token: ops.token,
      body: { reason: 'Invoice race test' },
    });
    expect(freeze.status, freeze.text).toBe(200);
    const entriesAtFreeze = await ledgerEntriesOf(payer.id);
    const balanceAtFreeze = await walletBalance(t, payer.id, 'USD');
    state.frozenAnswered = true;
    await Promise.all(loops);

    // The ledger is the judge: not one cent left the payer after the freeze answered.
    expect(await ledgerEntriesOf(payer.id)).toBe(entriesAtFreeze);
    expect(await walletBalance(t, payer.id, 'USD')).toBe(balanceAtFreeze);
    expect(afterFreeze.length).toBeGreaterThan(0);
    expect(afterFreeze.every((r) => r.status === 403 && r.code === 'account_frozen')).toBe(true);
    // What the invoice counts as paid is what left the wallet, exactly.
    const { rows } = await t.vw.db.query<{ total: string }>(
      `SELECT coalesce(sum(amount), 0)::text AS total FROM merchant_payments
        WHERE payer_owner = $1 AND status = 'confirmed'`,
      [payer.id],
    );
    expect(BigInt(rows[0]?.total ?? '-1')).toBe(100_000n - balanceAtFreeze);
    const report = await verifyLedger(t.vw.db);
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
  });

  it('a daily limit of 50.00 and 40 concurrent 2.00 invoices: exactly 25 paid, 50.00 spent', async () => {
    const payer = await user(t, 'limited-payer@example.com');
    await fund(t, payer.id, 'USD', '500.00');
    const invoices = await Promise.all(Array.from({ length: 40 }, () => invoice('2.00')));
    const results = await Promise.all(
      invoices.map((id) =>
        t.request('POST', `/v1/checkout/invoices/${id}/pay`, {
          token: payer.token,
          body: { asset: 'USD' },
        }),
      ),
    );
    expect(count(results.map((r) => r.status))).toEqual({ 200: 25, 409: 15 });
    const refused = results.filter((r) => r.status === 409);
    expect(refused.every((r) => r.body.error.code === 'daily_limit_exceeded')).toBe(true);
    expect(refused.every((r) => r.body.error.param === 'amount')).toBe(true);
    // The sum that left the wallet is the limit, to the cent; refused invoices stay open.
    expect(await walletBalance(t, payer.id, 'USD')).toBe(45_000n);
    const { rows } = await t.vw.db.query<{ n: string; total: string }>(
      `SELECT count(*)::text AS n, sum(amount)::text AS total FROM merchant_payments
        WHERE payer_owner = $1 AND status = 'confirmed'`,
      [payer.id],
    );
    expect(rows[0]).toEqual({ n: '25', total: '5000' });
    const open = await t.vw.db.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM merchant_invoices WHERE id = ANY($1::text[]) AND status = 'open'`,
      [invoices],
    );
    expect(open.rows[0]?.n).toBe('15');
    // The wallet counts the invoice payments in the day's usage like any other movement.
    const limits = await t.vw.wallet.limits(payer.id);
    expect(limits.assets.find((a) => a.asset === 'USD')?.usedToday).toBe(DAILY_USD);
  });

  it('a payment above the per-transaction limit is refused and moves nothing', async () => {
    const payer = await user(t, 'big-payer@example.com');
    await fund(t, payer.id, 'USD', '500.00');
    const inv = await invoice('30.00');
    const r = await t.request('POST', `/v1/checkout/invoices/${inv}/pay`, {
      token: payer.token,
      body: { asset: 'USD' },
    });
    expect(r.status, r.text).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'amount_above_limit', param: 'amount' });
    expect(await walletBalance(t, payer.id, 'USD')).toBe(50_000n);
    // A part within the limit goes through.
    const part = await t.request('POST', `/v1/checkout/invoices/${inv}/pay`, {
      token: payer.token,
      body: { asset: 'USD', amount: '20.00' },
    });
    expect(part.status, part.text).toBe(200);
    expect(await walletBalance(t, payer.id, 'USD')).toBe(48_000n);
  });
});
