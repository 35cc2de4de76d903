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
import { merchantApiError } from './errors.js';
import {
  startTestCardProcessor,
  TEST_CARDS,
  type TestCardProcessor,
} from './cards/test-processor.js';
import { CARD_CLEARING_OWNER } from './invoices.js';

/**
 * A card paying part of an invoice, and refunds split across an invoice's payments, on
 * PostgreSQL against the local test card processor (a real HTTP server speaking the
 * Stripe charges API).
 */

let processor: TestCardProcessor;
let t: TestApp;
let shop: TestMerchant;
/** Moves the app's clock forward (invoices expiring). */
let later = 0;

beforeAll(async () => {
  processor = await startTestCardProcessor();
  t = await createTestApp(
    {
      VW_MERCHANTS_CARD_API_URL: processor.url,
      VW_MERCHANTS_CARD_LIVE_SECRET_KEY: processor.secretKey,
      VW_MERCHANTS_CARD_LIVE_PUBLISHABLE_KEY: processor.publishableKey,
      VW_MERCHANTS_CARD_TEST_SECRET_KEY: processor.secretKey,
      VW_MERCHANTS_CARD_TEST_PUBLISHABLE_KEY: processor.publishableKey,
    },
    { now: () => Date.now() + later },
  );
  await registerAssets(t);
  shop = await merchant(t, 'Split Shop', 'split-shop@example.com');
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

async function invoice(amount: string): Promise<string> {
  const r = await t.request('POST', '/v1/invoices', {
    token: shop.liveKey,
    body: { currency: 'USD', amount, assets: ['USD'] },
  });
  expect(r.status, r.text).toBe(201);
  return r.body.id as string;
}

async function payByCard(invoiceId: string, amount?: string, pan: string = TEST_CARDS.visa) {
  return t.vw.merchants.cards.pay(invoiceId, true, await tokenFor(pan), amount);
}

async function payFromWallet(invoiceId: string, payerToken: string, amount: string) {
  const r = await t.request('POST', `/v1/checkout/invoices/${invoiceId}/pay`, {
    token: payerToken,
    body: { asset: 'USD', amount },
  });
  expect(r.status, r.text).toBe(200);
  return r.body as { status: string; amount_paid: string };
}

/** The merchant's available USD, in cents. */
async function merchantCents(): Promise<bigint> {
  const parsed = await t.vw.ledger.parseAmount('USD', await merchantBalance());
  if (!parsed.ok) throw new Error(parsed.code);
  return parsed.amount;
}

async function merchantBalance(): Promise<string> {
  const r = await t.request('GET', '/v1/merchant_balance', { token: shop.liveKey });
  const usd = (r.body.balances as { asset: string; available: string }[]).find(
    (b) => b.asset === 'USD',
  );
  return usd?.available ?? '0';
}

const clearing = async () =>
  (await t.vw.ledger.findAccount(CARD_CLEARING_OWNER.live, 'USD'))?.balance.available ?? 0n;

const charged = (id: string | null | undefined) => processor.charges().find((c) => c.id === id);

const refund = (invoiceId: string, amount: string) =>
  t.request('POST', `/v1/invoices/${invoiceId}/refunds`, {
    token: shop.liveKey,
    body: { asset: 'USD', amount },
  });

/** Answers counted by status and error code, for a failed count to say what happened. */
const tally = (results: { status: number; body: { error?: { code?: string } } }[]) =>
  JSON.stringify(
    results.reduce<Record<string, number>>((acc, r) => {
      const k = `${r.status} ${r.body.error?.code ?? ''}`.trim();
      acc[k] = (acc[k] ?? 0) + 1;
      return acc;
    }, {}),
  );

async function eventTypes(invoiceId: string): Promise<string[]> {
  const { rows } = await t.vw.db.query<{ type: string }>(
    'SELECT type FROM outbox_events WHERE aggregate_id = $1 ORDER BY seq',
    [invoiceId],
  );
  return rows.map((r) => r.type);
}

/** How much of each payment of the invoice was refunded, by method. */
async function refundedBy(invoiceId: string): Promise<Record<string, [string, string]>> {
  const { rows } = await t.vw.db.query<{ method: string; amount: string; refunded: string }>(
    `SELECT method, amount::text AS amount, refunded::text AS refunded FROM merchant_payments
      WHERE invoice_id = $1 AND status = 'confirmed'`,
    [invoiceId],
  );
  return Object.fromEntries(rows.map((r) => [r.method, [r.refunded, r.amount]]));
}

describe('a card paying less than is due', () => {
  it('card pays 10.00 of 37.00: 27.00 stays due; a second card pays the rest, each booked once', async () => {
    const balanceBefore = await merchantBalance();
    const clearingBefore = await clearing();
    const id = await invoice('37.00');
    const part = await payByCard(id, '10.00');
    if (isFailure(part)) throw new Error(part.code);
    expect(part.status).toBe('open');
    expect(part.paidValue).toBe(1_000n);
    expect(part.pendingValue).toBe(0n);
    const first = part.payments.find((p) => p.method === 'card');
    expect(charged(first?.cardChargeId)).toMatchObject({ amount: 1_000, amountCaptured: 1_000 });
    // The payer sees what is left, on the API and on the checkout page's card button.
    const shown = await t.request('GET', `/v1/invoices/${id}`, { token: shop.liveKey });
    expect(shown.body).toMatchObject({ status: 'open', amount: '37', amount_paid: '10' });
    const page = await t.request('GET', `/pay/${id}`);
    expect(page.text).toContain('Pay 27.00 USD by card');

    const rest = await payByCard(id, undefined, TEST_CARDS.mastercard);
    if (isFailure(rest)) throw new Error(rest.code);
    expect(rest.status).toBe('paid');
    expect(rest.paidValue).toBe(3_700n);
    expect(rest.payments.map((p) => [p.method, p.status, p.amount])).toEqual([
      ['card', 'confirmed', 1_000n],
      ['card', 'confirmed', 2_700n],
    ]);
    // Each payment is one ledger transaction: the processor owes exactly the 37.00 it took.
    expect(clearingBefore - (await clearing())).toBe(3_700n);
    expect(await merchantBalance()).not.toBe(balanceBefore);
    const { rows } = await t.vw.db.query<{ n: string }>(
      `SELECT count(DISTINCT ledger_ref)::text AS n FROM merchant_payments WHERE invoice_id = $1`,
      [id],
    );
    expect(rows[0]?.n).toBe('2');
    const events = await eventTypes(id);
    expect(events.filter((e) => e === 'invoice.payment_confirmed')).toHaveLength(2);
    expect(events.filter((e) => e === 'invoice.paid')).toHaveLength(1);
    // Nothing more is due: another card is refused before the processor is asked.
    const again = await payByCard(id, '0.01');
    expect(isFailure(again) && again.code).toBe('invoice_not_payable');
  });

  it('a card part then a wallet part pay the invoice; unpaid at expiry it would be underpaid', async () => {
    const payer = await user(t, 'split-wallet-payer@example.com');
    await fund(t, payer.id, 'USD', '27.00');
    const id = await invoice('37.00');
    const part = await payByCard(id, '10.00');
    if (isFailure(part)) throw new Error(part.code);
    const paid = await payFromWallet(id, payer.token, '27.00');
    expect(paid).toMatchObject({ status: 'paid', amount_paid: '37' });
    expect(await walletBalance(t, payer.id, 'USD')).toBe(0n);

    // The same card part on an invoice left at that: past its expiry it is underpaid.
    const short = await t.request('POST', '/v1/invoices', {
      token: shop.liveKey,
      body: { currency: 'USD', amount: '37.00', assets: ['USD'], expires_in_seconds: 60 },
    });
    expect(short.status, short.text).toBe(201);
    const partOnly = await payByCard(short.body.id as string, '10.00');
    if (isFailure(partOnly)) throw new Error(partOnly.code);
    later += 61_000;
    await t.vw.merchants.invoices.expireDue();
    const after = await t.vw.merchants.invoices.find(short.body.id as string);
    expect(after).toMatchObject({ status: 'underpaid', paidValue: 1_000n });
  });

  it('a prepaid card approved for less than asked pays what it had; the rest stays due', async () => {
    const clearingBefore = await clearing();
    const id = await invoice('37.00');
    const part = await payByCard(id, undefined, TEST_CARDS.prepaid);
    if (isFailure(part)) throw new Error(part.code);
    // The issuer approved 10.00 of the 37.00 asked: the payment is what was captured.
    expect(part.status).toBe('open');
    expect(part.paidValue).toBe(1_000n);
    const card = part.payments[0];
    expect(card).toMatchObject({ method: 'card', status: 'confirmed', amount: 1_000n });
    expect(charged(card?.cardChargeId)).toMatchObject({ amountCaptured: 1_000, captured: true });
    expect(clearingBefore - (await clearing())).toBe(1_000n);
    const rest = await payByCard(id);
    expect(isFailure(rest) ? rest.code : rest.status).toBe('paid');
  });

  it('the hosted checkout pays a part by card without script: amount chosen, card posted to the processor, the rest due', async () => {
    const id = await invoice('37.00');
    const chosen = await t.request('GET', `/pay/${id}?card_amount=10.00`);
    expect(chosen.status).toBe(200);
    expect(chosen.text).toContain('Pay 10.00 USD by card');
    expect(chosen.text).toContain('27.00 USD will still be due');
    const returnUrl = /name="return_url" value="([^"]+)"/.exec(chosen.text)?.[1] ?? '';
    expect(returnUrl).toMatch(new RegExp(`/pay/${id}/card\\?amount=10\\.00$`));
    // More than is due is not taken: the form says why and the card offers all that is due.
    const tooMuch = await t.request('GET', `/pay/${id}?card_amount=37.01`);
    expect(tooMuch.text).toContain('That is more than the invoice still owes.');
    expect(tooMuch.text).toContain('Pay 37.00 USD by card');

    // What the payer's browser does with the form: the card to the processor, then back.
    const posted = await fetch(`${processor.url}/v1/tokens`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        key: processor.publishableKey,
        return_url: returnUrl.replaceAll('&amp;', '&'),
        'card[number]': TEST_CARDS.visa,
        'card[exp]': '12/34',
        'card[cvc]': '123',
      }).toString(),
    });
    expect(posted.status).toBe(303);
    const back = new URL(posted.headers.get('location') ?? '');
    const landed = await t.request('GET', `${back.pathname}${back.search}`);
    expect(landed.status).toBe(303);
    expect(landed.headers.get('location')).toBe(`/pay/${id}`);
    const inv = await t.vw.merchants.invoices.find(id);
    expect(inv).toMatchObject({ status: 'open', paidValue: 1_000n });
    const page = await t.request('GET', `/pay/${id}`);
    expect(page.text).toContain('Pay 27.00 USD by card');
  });

  it('refuses above what is due, zero, negative and too many decimals with a typed 4xx, moving nothing', async () => {
    const id = await invoice('37.00');
    const part = await payByCard(id, '10.00');
    if (isFailure(part)) throw new Error(part.code);
    const before = await merchantBalance();
    const charges = processor.requests()['POST /v1/charges'] ?? 0;
    const cases: [string, string, number][] = [
      ['27.01', 'amount_above_due', 400],
      ['0', 'amount_zero', 400],
      ['0.00', 'amount_zero', 400],
      ['-1.00', 'amount_negative', 400],
      ['1.001', 'amount_too_precise', 400],
      ['ten', 'amount_malformed', 400],
    ];
    for (const [amount, code, status] of cases) {
      const r = await payByCard(id, amount);
      expect(isFailure(r) && r.code, amount).toBe(code);
      if (isFailure(r)) {
        const http = merchantApiError(r.code);
        expect(http.status, amount).toBe(status);
        expect(http.param).toBe('amount');
      }
    }
    // Through the checkout's return from the processor: back to the form with the reason.
    const back = await t.request(
      'GET',
      `/pay/${id}/card?token=${await tokenFor(TEST_CARDS.visa)}&amount=1.001`,
    );
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe(`/pay/${id}?card_error=amount_too_precise#card`);

    expect(processor.requests()['POST /v1/charges'] ?? 0).toBe(charges);
    expect(await merchantBalance()).toBe(before);
    const inv = await t.vw.merchants.invoices.find(id);
    expect(inv?.payments).toHaveLength(1);
    expect(inv).toMatchObject({ status: 'open', paidValue: 1_000n, pendingValue: 0n });
  });
});

/** An invoice of 37.00 paid 20.00 from a wallet, then 17.00 by card. */
async function splitInvoice(email: string) {
  const payer = await user(t, email);
  await fund(t, payer.id, 'USD', '20.00');
  const id = await invoice('37.00');
  await payFromWallet(id, payer.token, '20.00');
  const paid = await payByCard(id);
  if (isFailure(paid)) throw new Error(paid.code);
  expect(paid.status).toBe('paid');
  const charge = paid.payments.find((p) => p.method === 'card')?.cardChargeId ?? '';
  expect(charged(charge)).toMatchObject({ amount: 1_700, captured: true });
  expect(await walletBalance(t, payer.id, 'USD')).toBe(0n);
  return { id, payer, charge };
}

describe('refunds across split payments', () => {
  it('refunds the whole 37.00 of wallet 20 + card 17 in one request, each part to its source', async () => {
    const before = await merchantBalance();
    const inv = await splitInvoice('split-refund-1@example.com');
    const r = await refund(inv.id, '37.00');
    expect(r.status, r.text).toBe(201);
    const parts = r.body.parts as {
      id: string;
      amount: string;
      status: string;
      card_refund: string | null;
      split: string;
    }[];
    expect(parts.map((p) => [p.amount, p.status])).toEqual([
      ['20', 'succeeded'],
      ['17', 'succeeded'],
    ]);
    expect(r.body).toMatchObject({ id: parts[0]?.id, amount: '20', split: parts[0]?.id });
    expect(parts.every((p) => p.split === parts[0]?.id)).toBe(true);
    expect(parts[0]?.card_refund).toBeNull();
    expect(parts[1]?.card_refund).toMatch(/^re_/);
    expect(await walletBalance(t, inv.payer.id, 'USD')).toBe(2_000n);
    expect(charged(inv.charge)?.amountRefunded).toBe(1_700);
    expect(await merchantBalance()).toBe(before);
    expect(await refundedBy(inv.id)).toEqual({
      wallet: ['2000', '2000'],
      card: ['1700', '1700'],
    });
    const more = await refund(inv.id, '0.01');
    expect(more.status).toBe(409);
    expect(more.body.error.code).toBe('refund_exceeds_paid');
    // Each part is its own refund: listed, fetched and announced on its own.
    const got = await t.request('GET', `/v1/refunds/${parts[1]?.id}`, { token: shop.liveKey });
    expect(got.body).toMatchObject({ amount: '17', status: 'succeeded', parts: null });
  });

  it('refuses more than the total paid, moving nothing', async () => {
    const inv = await splitInvoice('split-refund-2@example.com');
    const before = await merchantBalance();
    const refundsBefore = processor.requests()['POST /v1/refunds'] ?? 0;
    const r = await refund(inv.id, '37.01');
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ type: 'conflict_error', code: 'refund_exceeds_paid' });
    expect(await merchantBalance()).toBe(before);
    expect(await walletBalance(t, inv.payer.id, 'USD')).toBe(0n);
    expect(processor.requests()['POST /v1/refunds'] ?? 0).toBe(refundsBefore);
    expect(await refundedBy(inv.id)).toEqual({ wallet: ['0', '2000'], card: ['0', '1700'] });
  });

  it('50 concurrent refunds of 1.00 against wallet 20 + card 17: exactly 37 refunded, no source past what it paid', async () => {
    const before = await merchantBalance();
    const inv = await splitInvoice('split-refund-3@example.com');
    const results = await Promise.all(Array.from({ length: 50 }, () => refund(inv.id, '1.00')));
    const ok = results.filter((r) => r.status === 201);
    expect(ok, tally(results)).toHaveLength(37);
    expect(ok.every((r) => r.body.status === 'succeeded')).toBe(true);
    const refused = results.filter((r) => r.status !== 201);
    expect(refused).toHaveLength(13);
    expect(refused.every((r) => r.body.error.code === 'refund_exceeds_paid')).toBe(true);

    expect(await refundedBy(inv.id)).toEqual({
      wallet: ['2000', '2000'],
      card: ['1700', '1700'],
    });
    expect(await walletBalance(t, inv.payer.id, 'USD')).toBe(2_000n);
    expect(charged(inv.charge)?.amountRefunded).toBe(1_700);
    expect(await merchantBalance()).toBe(before);
    const { rows } = await t.vw.db.query<{ n: string; total: string; legs: string }>(
      `SELECT count(*)::text AS n, sum(amount)::text AS total,
              count(DISTINCT ledger_ref)::text AS legs
         FROM merchant_refunds WHERE invoice_id = $1 AND status = 'succeeded'`,
      [inv.id],
    );
    expect(rows[0]).toEqual({ n: '37', total: '3700', legs: '37' });
  });

  it('50 concurrent refunds of 3.00: 12 go through (one of them split), 1.00 is left and no more', async () => {
    const before = await merchantBalance();
    const inv = await splitInvoice('split-refund-4@example.com');
    const results = await Promise.all(Array.from({ length: 50 }, () => refund(inv.id, '3.00')));
    const ok = results.filter((r) => r.status === 201);
    expect(ok, tally(results)).toHaveLength(12);
    expect(results.filter((r) => r.status === 409)).toHaveLength(38);
    // The wallet's last 2.00 could not cover a 3.00 alone, so one refund was split.
    const split = ok.filter((r) => r.body.parts !== null);
    expect(split).toHaveLength(1);
    expect((split[0]?.body.parts as { amount: string }[]).map((p) => p.amount)).toEqual(['2', '1']);
    expect(await refundedBy(inv.id)).toEqual({
      wallet: ['2000', '2000'],
      card: ['1600', '1700'],
    });
    expect((await refund(inv.id, '1.01')).status).toBe(409);
    expect((await refund(inv.id, '1.00')).status).toBe(201);
    expect(await walletBalance(t, inv.payer.id, 'USD')).toBe(2_000n);
    expect(charged(inv.charge)?.amountRefunded).toBe(1_700);
    expect(await merchantBalance()).toBe(before);
  });

  it('a card part the processor refuses fails alone: the wallet part stands, the card part may be refunded again', async () => {
    const inv = await splitInvoice('split-refund-5@example.com');
    const before = await merchantCents();
    // Someone refunded the card charge at the processor's dashboard: it refuses more.
    const direct = await fetch(`${processor.url}/v1/refunds`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${processor.secretKey}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ charge: inv.charge }).toString(),
    });
    expect(direct.status).toBe(200);
    const r = await refund(inv.id, '25.00');
    expect(r.status, r.text).toBe(201);
    expect(
      (r.body.parts as { amount: string; status: string; failure_reason: string | null }[]).map(
        (p) => [p.amount, p.status, p.failure_reason],
      ),
    ).toEqual([
      ['20', 'succeeded', null],
      ['5', 'failed', 'refund_exceeds_charge'],
    ]);
    expect(await walletBalance(t, inv.payer.id, 'USD')).toBe(2_000n);
    expect(await refundedBy(inv.id)).toEqual({ wallet: ['2000', '2000'], card: ['0', '1700'] });
    // Only the wallet part left the merchant balance; the card part's booking was reversed.
    expect(await merchantCents()).toBe(before - 2_000n);
    // The card part may be asked for again (here the processor refuses it again).
    const again = await refund(inv.id, '17.00');
    expect(again.body).toMatchObject({ status: 'failed', parts: null });
    expect(await merchantCents()).toBe(before - 2_000n);
  });
});
