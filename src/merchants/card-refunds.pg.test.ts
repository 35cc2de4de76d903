import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import {
  fund,
  merchant,
  registerAssets,
  user,
  walletBalance,
  type TestMerchant,
} from '../../test/fixtures/merchants/setup.js';
import { isFailure } from '../platform/failure.js';
import {
  startTestCardProcessor,
  TEST_CARDS,
  type TestCardProcessor,
} from './cards/test-processor.js';
import { CARD_CLEARING_OWNER } from './invoices.js';

/**
 * Refunds of card payments and invoices paid partly by card, on PostgreSQL against the
 * local test card processor (a real HTTP server speaking the Stripe charges API): every
 * refund route shares one guard, the processor refunds each card refund once, and a
 * refusal or an outage leaves the ledger as the refund's status says.
 */

let processor: TestCardProcessor;
let t: TestApp;
let shop: TestMerchant;
let other: TestMerchant;

beforeAll(async () => {
  processor = await startTestCardProcessor();
  t = await createTestApp({
    VW_MERCHANTS_CARD_API_URL: processor.url,
    VW_MERCHANTS_CARD_LIVE_SECRET_KEY: processor.secretKey,
    VW_MERCHANTS_CARD_LIVE_PUBLISHABLE_KEY: processor.publishableKey,
    VW_MERCHANTS_CARD_TEST_SECRET_KEY: processor.secretKey,
    VW_MERCHANTS_CARD_TEST_PUBLISHABLE_KEY: processor.publishableKey,
    // As behind a TLS-terminating proxy: the server itself is reached over plain http.
    VW_MERCHANTS_CHECKOUT_BASE_URL: 'https://pay.example.com',
  });
  await registerAssets(t);
  shop = await merchant(t, 'Card Refunds', 'card-refunds@example.com');
  other = await merchant(t, 'Someone Else', 'card-refunds-other@example.com');
}, 300_000);

afterAll(async () => {
  /* eslint-disable @typescript-eslint/no-unnecessary-condition -- unset when beforeAll failed */
  await t?.close();
  await processor?.close();
  /* eslint-enable @typescript-eslint/no-unnecessary-condition */
});

/** What the payer's browser does: the card goes to the processor, a token comes back. */
async function tokenFor(pan: string): Promise<string> {
  const res = await fetch(`${processor.url}/v1/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      key: processor.publishableKey,
      'card[number]': pan,
      'card[exp]': '12/34',
      'card[cvc]': '123',
    }).toString(),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { id: string }).id;
}

async function invoice(amount: string) {
  const r = await t.request('POST', '/v1/invoices', {
    token: shop.liveKey,
    body: { currency: 'USD', amount, assets: ['USD'] },
  });
  expect(r.status, r.text).toBe(201);
  return r.body as { id: string };
}

async function payByCard(invoiceId: string, pan: string = TEST_CARDS.visa) {
  return t.vw.merchants.cards.pay(invoiceId, true, await tokenFor(pan));
}

async function cardInvoice(amount: string) {
  const inv = await invoice(amount);
  const paid = await payByCard(inv.id);
  if (isFailure(paid)) throw new Error(`card payment refused: ${paid.code}`);
  expect(paid.status).toBe('paid');
  const charge = paid.payments.find((p) => p.method === 'card')?.cardChargeId ?? '';
  return { id: inv.id, charge };
}

const refund = (invoiceId: string, amount: string, key = shop.liveKey) =>
  t.request('POST', `/v1/invoices/${invoiceId}/refunds`, {
    token: key,
    body: { asset: 'USD', amount },
  });

async function merchantBalance(): Promise<string> {
  const r = await t.request('GET', '/v1/merchant_balance', { token: shop.liveKey });
  const usd = (r.body.balances as { asset: string; available: string }[]).find(
    (b) => b.asset === 'USD',
  );
  return usd?.available ?? '0';
}

const charged = (id: string) => processor.charges().find((c) => c.id === id);

async function eventsOf(refundId: string): Promise<string[]> {
  const { rows } = await t.vw.db.query<{ type: string }>(
    'SELECT type FROM outbox_events WHERE aggregate_id = $1 ORDER BY seq',
    [refundId],
  );
  return rows.map((r) => r.type);
}

describe('invoices paid partly by card', () => {
  it('sums a wallet part and a card part into one paid invoice, and refunds each back its own way', async () => {
    const before = await merchantBalance();
    const payer = await user(t, 'part-payer@example.com');
    await fund(t, payer.id, 'USD', '13.00');
    const inv = await invoice('50.00');
    const part = await t.request('POST', `/v1/checkout/invoices/${inv.id}/pay`, {
      token: payer.token,
      body: { asset: 'USD', amount: '13.00' },
    });
    expect(part.status, part.text).toBe(200);
    expect(part.body.status).not.toBe('paid');
    expect(part.body.amount_paid).toBe('13');

    // The card is charged what is still due, not the invoice's amount.
    const paid = await payByCard(inv.id);
    if (isFailure(paid)) throw new Error(paid.code);
    expect(paid.status).toBe('paid');
    expect(paid.paidValue).toBe(5_000n);
    const card = paid.payments.find((p) => p.method === 'card');
    expect(card?.amount).toBe(3_700n);
    expect(charged(card?.cardChargeId ?? '')).toMatchObject({ amount: 3_700, captured: true });

    // More than both parts together: nothing can give it back (a refund no single part
    // covers is split across them, see split-payments.pg.test.ts).
    const tooMuch = await refund(inv.id, '50.01');
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body.error.code).toBe('refund_exceeds_paid');
    // 20 is more than the wallet part: it goes back to the card.
    const toCard = await refund(inv.id, '20.00');
    expect(toCard.status, toCard.text).toBe(201);
    expect(toCard.body).toMatchObject({ status: 'succeeded', payment: card?.id });
    expect(toCard.body.card_refund).toMatch(/^re_/);
    // The wallet part goes back to the wallet first.
    const toWallet = await refund(inv.id, '13.00');
    expect(toWallet.status, toWallet.text).toBe(201);
    expect(toWallet.body.card_refund).toBeNull();
    expect(await walletBalance(t, payer.id, 'USD')).toBe(1_300n);
    // 17 are left on the card, nothing in the wallet part: 18 is refused, 17 is not.
    expect((await refund(inv.id, '18.00')).status).toBe(409);
    expect((await refund(inv.id, '17.00')).body.status).toBe('succeeded');
    expect((await refund(inv.id, '0.01')).status).toBe(409);
    expect(charged(card?.cardChargeId ?? '')?.amountRefunded).toBe(3_700);
    expect(await merchantBalance()).toBe(before);
  });

  it('a declined card leaves the wallet part standing; the next card pays what is still due', async () => {
    const payer = await user(t, 'part-payer-2@example.com');
    await fund(t, payer.id, 'USD', '5.00');
    const inv = await invoice('20.00');
    const part = await t.request('POST', `/v1/checkout/invoices/${inv.id}/pay`, {
      token: payer.token,
      body: { asset: 'USD', amount: '5.00' },
    });
    expect(part.status, part.text).toBe(200);
    const declined = await payByCard(inv.id, TEST_CARDS.declined);
    expect(isFailure(declined) && declined.code).toBe('card_declined');
    const between = await t.vw.merchants.invoices.find(inv.id);
    expect(between?.paidValue).toBe(500n);
    expect(between?.pendingValue).toBe(0n);
    expect(between?.status).not.toBe('paid');

    const paid = await payByCard(inv.id, TEST_CARDS.mastercard);
    if (isFailure(paid)) throw new Error(paid.code);
    expect(paid.status).toBe('paid');
    expect(paid.paidValue).toBe(2_000n);
    expect(paid.payments.map((p) => [p.method, p.status, p.amount])).toEqual(
      expect.arrayContaining([
        ['wallet', 'confirmed', 500n],
        ['card', 'failed', 1_500n],
        ['card', 'confirmed', 1_500n],
      ]),
    );
    // Nothing more is due: another card is refused before the processor is asked.
    const again = await payByCard(inv.id);
    expect(isFailure(again) && again.code).toBe('invoice_not_payable');
  });
});

describe('card refunds', () => {
  it('50 concurrent card refunds against a card payment of 37 units: exactly 37 refunded, each once', async () => {
    const before = await merchantBalance();
    const inv = await cardInvoice('37.00');
    expect(await merchantBalance()).not.toBe(before);
    const results = await Promise.all(Array.from({ length: 50 }, () => refund(inv.id, '1.00')));
    const ok = results.filter((r) => r.status === 201);
    expect(ok).toHaveLength(37);
    expect(ok.every((r) => r.body.status === 'succeeded')).toBe(true);
    expect(new Set(ok.map((r) => r.body.card_refund as string)).size).toBe(37);
    const refused = results.filter((r) => r.status !== 201);
    expect(refused).toHaveLength(13);
    expect(refused.every((r) => r.body.error.code === 'refund_exceeds_paid')).toBe(true);

    expect(charged(inv.charge)?.amountRefunded).toBe(3_700);
    expect(await merchantBalance()).toBe(before);
    const { rows } = await t.vw.db.query<{ n: string; total: string; legs: string }>(
      `SELECT count(*)::text AS n, sum(amount)::text AS total,
              count(DISTINCT ledger_ref)::text AS legs
         FROM merchant_refunds WHERE invoice_id = $1`,
      [inv.id],
    );
    expect(rows[0]).toEqual({ n: '37', total: '3700', legs: '37' });
    const first = ok[0]?.body.id as string;
    expect(await eventsOf(first)).toEqual(['refund.processing', 'refund.succeeded']);
    const audit = await t.vw.db.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM audit_events WHERE action = 'merchant.refund_created'
          AND target_id = ANY($1::text[])`,
      [ok.map((r) => r.body.id as string)],
    );
    expect(audit.rows[0]?.n).toBe('37');
  });

  it('a refund the processor refuses ends failed with its booking reversed, once', async () => {
    const inv = await cardInvoice('10.00');
    const before = await merchantBalance();
    const clearing = await t.vw.ledger.findAccount(CARD_CLEARING_OWNER.live, 'USD');
    const clearingBefore = clearing?.balance.available ?? 0n;
    // Someone refunded the whole charge at the processor's dashboard: it refuses more.
    const direct = await fetch(`${processor.url}/v1/refunds`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${processor.secretKey}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ charge: inv.charge }).toString(),
    });
    expect(direct.status).toBe(200);

    const r = await refund(inv.id, '4.00');
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({ status: 'failed', card_refund: null });
    expect(r.body.failure_reason).toBe('refund_exceeds_charge');
    expect(await merchantBalance()).toBe(before);
    expect(
      (await t.vw.ledger.findAccount(CARD_CLEARING_OWNER.live, 'USD'))?.balance.available,
    ).toBe(clearingBefore);
    const { rows } = await t.vw.db.query<{ refunded: string; reversal_ref: string | null }>(
      `SELECT p.refunded::text AS refunded, r.reversal_ref FROM merchant_refunds r
         JOIN merchant_payments p ON p.id = r.payment_id WHERE r.id = $1`,
      [r.body.id],
    );
    expect(rows[0]?.refunded).toBe('0');
    expect(rows[0]?.reversal_ref).not.toBeNull();
    expect(await eventsOf(r.body.id as string)).toEqual(['refund.processing', 'refund.failed']);
    // Asking again changes nothing: the refund is final.
    expect(await t.vw.merchants.refunds.resumeCardRefunds(0)).toBe(0);
    expect(await merchantBalance()).toBe(before);
  });

  it('a refund sent during a processor outage stays processing, then is refunded once by the resume pass', async () => {
    const inv = await cardInvoice('10.00');
    const before = await merchantBalance();
    processor.setOutage(true);
    let r;
    try {
      r = await refund(inv.id, '4.00');
    } finally {
      processor.setOutage(false);
    }
    expect(r.status, r.text).toBe(201);
    expect(r.body.status).toBe('processing');
    // Booked and reserved already: the merchant cannot spend it twice meanwhile.
    expect(await merchantBalance()).not.toBe(before);
    expect(charged(inv.charge)?.amountRefunded).toBe(0);
    expect((await refund(inv.id, '6.01')).status).toBe(409);

    expect(await t.vw.merchants.refunds.resumeCardRefunds(0)).toBe(1);
    const after = await t.request('GET', `/v1/refunds/${r.body.id}`, { token: shop.liveKey });
    expect(after.body.status).toBe('succeeded');
    expect(after.body.card_refund).toMatch(/^re_/);
    expect(await t.vw.merchants.refunds.resumeCardRefunds(0)).toBe(0);
    expect(charged(inv.charge)?.amountRefunded).toBe(400);
    expect(await eventsOf(r.body.id as string)).toEqual(['refund.processing', 'refund.succeeded']);
  });
});

describe('card refunds: bad input moves nothing', () => {
  it('refuses a refund above what the card paid, of a declined card payment, and by another merchant', async () => {
    const inv = await cardInvoice('8.00');
    const declined = await invoice('9.00');
    const refusal = await payByCard(declined.id, TEST_CARDS.declined);
    expect(isFailure(refusal) && refusal.code).toBe('card_declined');
    const before = await merchantBalance();
    const requestsBefore = processor.requests()['POST /v1/refunds'] ?? 0;

    const above = await refund(inv.id, '8.01');
    expect(above.status).toBe(409);
    expect(above.body.error).toMatchObject({ type: 'conflict_error', code: 'refund_exceeds_paid' });
    const ofDeclined = await refund(declined.id, '1.00');
    expect(ofDeclined.status).toBe(409);
    expect(ofDeclined.body.error.code).toBe('refund_exceeds_paid');
    const foreign = await refund(inv.id, '1.00', other.liveKey);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('invoice_not_found');
    const decimals = await refund(inv.id, '1.001');
    expect(decimals.status).toBe(400);
    const negative = await refund(inv.id, '-1.00');
    expect(negative.status).toBe(400);

    expect(await merchantBalance()).toBe(before);
    expect(processor.requests()['POST /v1/refunds'] ?? 0).toBe(requestsBefore);
    const { rows } = await t.vw.db.query<{ n: string }>(
      'SELECT count(*)::text AS n FROM merchant_refunds WHERE invoice_id = ANY($1::text[])',
      [[inv.id, declined.id]],
    );
    expect(rows[0]?.n).toBe('0');
  });
});

describe('card form behind a TLS proxy', () => {
  it('sends the payer back to the configured public origin, not the request origin', async () => {
    const inv = await invoice('3.00');
    const page = await t.request('GET', `/pay/${inv.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(
      `name="return_url" value="https://pay.example.com/pay/${inv.id}/card"`,
    );
    expect(page.text).not.toContain('value="http://');
  });
});

describe('card payments left pending', () => {
  it('the resume pass finishes a payment whose process stopped before the processor was asked, charging once', async () => {
    const inv = await invoice('6.00');
    const token = await tokenFor(TEST_CARDS.visa);
    // Step 1 only, as if the process died right after it.
    const begun = await t.vw.merchants.invoices.beginCardPayment(inv.id, true, token);
    if (isFailure(begun)) throw new Error(begun.code);
    expect(begun.invoice.status).toBe('processing');
    const chargesBefore = processor.charges().length;

    // While the processor is down the payment stays pending and holds the amount.
    processor.setOutage(true);
    try {
      expect(await t.vw.merchants.cards.resumeStale(0)).toBe(0);
    } finally {
      processor.setOutage(false);
    }
    expect((await t.vw.merchants.invoices.find(inv.id))?.status).toBe('processing');

    expect(await t.vw.merchants.cards.resumeStale(0)).toBe(1);
    const after = await t.vw.merchants.invoices.find(inv.id);
    expect(after?.status).toBe('paid');
    expect(after?.payments.map((p) => p.status)).toEqual(['confirmed']);
    expect(await t.vw.merchants.cards.resumeStale(0)).toBe(0);
    // The payer's redirect arriving late pays nothing more.
    const late = await t.vw.merchants.cards.pay(inv.id, true, token);
    expect(isFailure(late) ? late.code : late.status).toBe('paid');
    const made = processor.charges().slice(chargesBefore);
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({ amount: 600, captured: true });
  });
});
