import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createWalletHarness,
  type TestUser,
  type WalletHarness,
} from '../../test/fixtures/wallet/harness.js';

/**
 * The wallet through HTTP, on PGlite and PostgreSQL: balances, payments and requests,
 * quotes and trades, bank transfers on the test rail, limits, freezes, adjustments,
 * history and statements, and every refusal a typed 4xx that writes nothing.
 */

let h: WalletHarness;

beforeAll(async () => {
  h = await createWalletHarness();
});

afterAll(async () => {
  await h.close();
});

const req = (
  method: string,
  path: string,
  user: TestUser,
  body?: unknown,
  headers?: Record<string, string>,
) =>
  h.t.request(method, path, {
    token: user.token,
    ...(body !== undefined ? { body } : {}),
    ...(headers ? { headers } : {}),
  });

async function events(type: string, aggregateId?: string) {
  const { rows } = await h.t.vw.db.query<{
    aggregate_id: string;
    payload: Record<string, unknown>;
  }>(
    `SELECT aggregate_id, payload FROM outbox_events WHERE type = $1
       AND ($2::text IS NULL OR aggregate_id = $2) ORDER BY seq`,
    [type, aggregateId ?? null],
  );
  return rows;
}

async function house(kind: 'liquidity' | 'fees' | 'rounding' | 'settlement', asset: string) {
  const r = await h.t.vw.ledger.houseAccount(kind, asset);
  if (!r.ok) throw new Error(r.message);
  return r.account.balance.posted;
}

describe('funding in test mode and balances', () => {
  it('a bank deposit is pending until the rail settles it, then credits the user', async () => {
    const ann = await h.user('ann');
    const r = await req('POST', '/v1/fiat_deposits', ann, { asset: 'USD', amount: '250.00' });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({ object: 'fiat_deposit', status: 'pending', amount: '250.00' });
    expect(await h.balance(ann, 'USD')).toEqual({ available: '0.00', held: '0.00', total: '0.00' });

    // The job the worker role runs: the test rail settles at once (settle ms = 0).
    expect(await h.t.vw.jobs.runDue()).toBeGreaterThan(0);
    const after = await req('GET', `/v1/fiat_deposits/${r.body.id}`, ann);
    expect(after.body).toMatchObject({ status: 'settled', rail: 'test' });
    expect(after.body.ledger_transaction_id).toMatch(/^ltx_/);
    expect(await h.balance(ann, 'USD')).toEqual({
      available: '250.00',
      held: '0.00',
      total: '250.00',
    });
    const [settled] = await events('fiat_deposit.settled', r.body.id);
    expect(settled?.payload).toMatchObject({ id: r.body.id, status: 'settled', amount: '250.00' });
    await h.expectLedgerVerified();
  });

  it('lists every asset with zero balances for a new user', async () => {
    const bea = await h.user('bea');
    const r = await req('GET', '/v1/wallet/balances', bea);
    expect(r.body.data.map((b: { asset: string }) => b.asset).sort()).toEqual([
      'BTC',
      'ETH',
      'EUR',
      'USD',
      'USDC',
    ]);
    expect(r.body.data.find((b: { asset: string }) => b.asset === 'ETH')).toMatchObject({
      available: '0.000000000000000000',
    });
  });
});

describe('payments', () => {
  let ada: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    ada = await h.user('ada');
    bob = await h.user('bob');
    await h.fund(ada, 'USD', '100.00');
  });

  it('pays a friend by @handle, handle or email, with a note', async () => {
    for (const to of ['@bob', 'BOB', 'bob@example.com']) {
      const r = await req('POST', '/v1/payments', ada, {
        to,
        asset: 'USD',
        amount: '10.00',
        note: 'Lunch',
      });
      expect(r.status, r.text).toBe(201);
      expect(r.body).toMatchObject({
        object: 'payment',
        from_user_id: ada.id,
        to_user_id: bob.id,
        asset: 'USD',
        amount: '10.00',
        note: 'Lunch',
      });
    }
    expect(await h.balance(ada, 'USD')).toMatchObject({ available: '70.00' });
    expect(await h.balance(bob, 'USD')).toMatchObject({ available: '30.00' });
    const list = await req('GET', '/v1/payments?direction=received', bob);
    expect(list.body.data).toHaveLength(3);
    const [event] = await events('payment.completed', list.body.data[0].id);
    expect(event?.payload).toEqual(list.body.data[0]);
  });

  it('sends crypto to another user by handle, settled inside the ledger', async () => {
    await h.credit(ada, 'BTC', '0.5');
    const r = await req('POST', '/v1/payments', ada, {
      to: '@bob',
      asset: 'BTC',
      amount: '0.12345678',
    });
    expect(r.status, r.text).toBe(201);
    expect(await h.balance(bob, 'BTC')).toMatchObject({ available: '0.12345678' });
    expect(await h.balance(ada, 'BTC')).toMatchObject({ available: '0.37654322' });
    await h.expectLedgerVerified();
  });

  it('an Idempotency-Key pays once, even after the HTTP layer forgot the key', async () => {
    const headers = { 'idempotency-key': 'pay-once-1' };
    const body = { to: '@bob', asset: 'USD', amount: '1.00' };
    const first = await req('POST', '/v1/payments', ada, body, headers);
    expect(first.status, first.text).toBe(201);
    const again = await req('POST', '/v1/payments', ada, body, headers);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(first.body.id);

    // The HTTP layer prunes keys after 24 h; the wallet keeps its own.
    await h.t.vw.db.query('DELETE FROM idempotency_keys');
    const late = await req('POST', '/v1/payments', ada, body, headers);
    expect(late.status, late.text).toBe(200);
    expect(late.body.id).toBe(first.body.id);
    await h.t.vw.db.query('DELETE FROM idempotency_keys');
    const other = await req('POST', '/v1/payments', ada, { ...body, amount: '2.00' }, headers);
    expect(other.status).toBe(409);
    expect(other.body.error).toMatchObject({
      type: 'idempotency_error',
      code: 'idempotency_conflict',
    });
    const { rows } = await h.t.vw.db.query<{ n: bigint }>(
      "SELECT count(*) AS n FROM wallet_payments WHERE request_key = 'pay-once-1'",
    );
    expect(rows[0]?.n).toBe(1n);
  });

  it('a late retry answers the payment it made, even when the payer is frozen since', async () => {
    const cy = await h.user('cy_late');
    await h.fund(cy, 'USD', '5.00');
    const headers = { 'idempotency-key': 'pay-late-1' };
    const body = { to: '@bob', asset: 'USD', amount: '5.00' };
    const first = await req('POST', '/v1/payments', cy, body, headers);
    expect(first.status, first.text).toBe(201);
    const frozen = await h.t.vw.wallet.freeze({ type: 'system', id: 'test' }, cy.id, 'review');
    expect(frozen.ok).toBe(true);
    await h.t.vw.db.query('DELETE FROM idempotency_keys');
    // Frozen and with nothing left, the retry is still the payment it was, not a refusal.
    const late = await req('POST', '/v1/payments', cy, body, headers);
    expect(late.status, late.text).toBe(200);
    expect(late.body.id).toBe(first.body.id);
    // A new payment is refused, and moves nothing.
    const fresh = await req('POST', '/v1/payments', cy, body, { 'idempotency-key': 'pay-late-2' });
    expect(fresh.status).toBe(403);
    expect(await h.balance(cy, 'USD')).toMatchObject({ available: '0.00' });
  });

  it('payment requests: request, pay once, decline, cancel', async () => {
    const ask = await req('POST', '/v1/payment_requests', bob, {
      from: '@ada',
      asset: 'USD',
      amount: '5.25',
      note: 'Cinema',
    });
    expect(ask.status, ask.text).toBe(201);
    // Each side named by handle too: people see @bob, not an id.
    expect(ask.body).toMatchObject({
      status: 'pending',
      payer_user_id: ada.id,
      payer_handle: 'ada',
      requester_user_id: bob.id,
      requester_handle: 'bob',
    });
    const incoming = await req(
      'GET',
      '/v1/payment_requests?direction=incoming&status=pending',
      ada,
    );
    expect(incoming.body.data).toContainEqual(
      expect.objectContaining({ id: ask.body.id, requester_handle: 'bob', payer_handle: 'ada' }),
    );
    const one = await req('GET', `/v1/payment_requests/${ask.body.id}`, ada);
    expect(one.body).toMatchObject({ requester_handle: 'bob', payer_handle: 'ada' });

    // Someone without a handle (asked by email) is named by none: their email stays private.
    const plain = await h.t.request('POST', '/v1/users', {
      body: { email: 'no-handle@example.com', password: 'correct horse battery staple' },
    });
    expect(plain.status, plain.text).toBe(201);
    const byEmail = await req('POST', '/v1/payment_requests', bob, {
      from: 'no-handle@example.com',
      asset: 'USD',
      amount: '1.00',
    });
    expect(byEmail.status, byEmail.text).toBe(201);
    expect(byEmail.body).toMatchObject({ payer_user_id: plain.body.id, payer_handle: null });
    const outgoing = await req('GET', '/v1/payment_requests?direction=outgoing', bob);
    expect(outgoing.body.data).toContainEqual(
      expect.objectContaining({ id: byEmail.body.id, payer_handle: null, requester_handle: 'bob' }),
    );

    // Only the payer can pay it; to anyone else it does not exist.
    expect((await req('POST', `/v1/payment_requests/${ask.body.id}/pay`, bob)).status).toBe(404);
    const paid = await req('POST', `/v1/payment_requests/${ask.body.id}/pay`, ada);
    expect(paid.status, paid.text).toBe(200);
    expect(paid.body).toMatchObject({
      status: 'paid',
      payment: { amount: '5.25', note: 'Cinema' },
    });
    const twice = await req('POST', `/v1/payment_requests/${ask.body.id}/pay`, ada);
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('payment_request_not_pending');
    expect(await events('payment_request.paid', ask.body.id)).toHaveLength(1);

    const declined = await req('POST', '/v1/payment_requests', bob, {
      from: 'ada',
      asset: 'USD',
      amount: '1.00',
    });
    const d = await req('POST', `/v1/payment_requests/${declined.body.id}/decline`, ada);
    expect(d.body).toMatchObject({ status: 'declined' });
    expect((await req('POST', `/v1/payment_requests/${declined.body.id}/pay`, ada)).status).toBe(
      409,
    );

    const cancelled = await req('POST', '/v1/payment_requests', bob, {
      from: 'ada',
      asset: 'USD',
      amount: '1.00',
    });
    expect(
      (await req('POST', `/v1/payment_requests/${cancelled.body.id}/cancel`, ada)).status,
    ).toBe(404);
    const c = await req('POST', `/v1/payment_requests/${cancelled.body.id}/cancel`, bob);
    expect(c.body).toMatchObject({ status: 'cancelled' });
    expect(await events('payment_request.cancelled', cancelled.body.id)).toHaveLength(1);
  });
});

describe('quotes and trades', () => {
  let cat: TestUser;

  beforeAll(async () => {
    cat = await h.user('cat');
    await h.fund(cat, 'USD', '1000.00');
  });

  it('buys BTC for a USD amount: spread, fee and floor rounding, booked to the house', async () => {
    const q = await req('POST', '/v1/quotes', cat, {
      from: 'USD',
      to: 'BTC',
      spend_amount: '100.00',
    });
    expect(q.status, q.text).toBe(201);
    // 65000 USD/BTC mid, 0.5% spread → 65326.63 the customer's price; 0.25% fee on the 99.75
    // converted. 99.75 / 65326.63 = 0.001526942… BTC, rounded down.
    expect(q.body).toMatchObject({
      side: 'buy',
      mode: 'spend',
      spend_amount: '100.00',
      fee_amount: '0.25',
      receive_amount: '0.00152694',
      price_pair: 'BTC-USD',
      mid_price: '65000',
      status: 'open',
    });
    expect(Date.parse(q.body.expires_at) - Date.parse(q.body.created_at)).toBe(15_000);
    const feesBefore = await house('fees', 'USD');
    const x = await req('POST', `/v1/quotes/${q.body.id}/execute`, cat);
    expect(x.status, x.text).toBe(200);
    expect(x.body).toMatchObject({
      object: 'trade',
      id: q.body.trade_id,
      receive_amount: '0.00152694',
    });
    expect(await h.balance(cat, 'USD')).toMatchObject({ available: '900.00' });
    expect(await h.balance(cat, 'BTC')).toMatchObject({ available: '0.00152694' });
    expect((await house('fees', 'USD')) - feesBefore).toBe(25n);
    const [event] = await events('trade.executed', q.body.trade_id);
    expect(event?.payload).toEqual(x.body);
    await h.expectLedgerVerified();
  });

  it('executing a quote again answers the same trade and moves nothing', async () => {
    const q = await req('POST', '/v1/quotes', cat, {
      from: 'USD',
      to: 'ETH',
      receive_amount: '0.01',
    });
    expect(q.status, q.text).toBe(201);
    const first = await req('POST', `/v1/quotes/${q.body.id}/execute`, cat);
    const before = await h.snapshot();
    const second = await req('POST', `/v1/quotes/${q.body.id}/execute`, cat);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(await h.snapshot()).toBe(before);
    // Receive mode: exactly what was asked for, the price rounded up.
    expect(first.body.receive_amount).toBe('0.010000000000000000');
  });

  it('sells BTC for USD: the sub-cent remainder goes to the rounding account', async () => {
    const q = await req('POST', '/v1/quotes', cat, {
      from: 'BTC',
      to: 'USD',
      spend_amount: '0.00123456',
    });
    expect(q.status, q.text).toBe(201);
    expect(q.body).toMatchObject({
      side: 'sell',
      receive_amount: '79.64',
      fee_amount: '0.00000308',
    });
    const roundingBefore = await house('rounding', 'BTC');
    const x = await req('POST', `/v1/quotes/${q.body.id}/execute`, cat);
    expect(x.status, x.text).toBe(200);
    expect((await house('rounding', 'BTC')) - roundingBefore).toBe(9n);
    await h.expectLedgerVerified();
  });

  it('converts BTC to ETH through USD prices, across scales 8 → 18', async () => {
    const q = await req('POST', '/v1/quotes', cat, {
      from: 'BTC',
      to: 'ETH',
      spend_amount: '0.0001',
    });
    expect(q.status, q.text).toBe(201);
    expect(q.body.side).toBe('convert');
    // 0.0001 BTC less 0.25% fee, at 65000/3200 ETH per BTC less 0.5% spread.
    expect(q.body.receive_amount).toBe('0.002016041015625000');
    expect((await req('POST', `/v1/quotes/${q.body.id}/execute`, cat)).status).toBe(200);
    const trades = await req('GET', '/v1/trades?limit=2', cat);
    expect(trades.body.data[0]).toMatchObject({
      side: 'convert',
      from_asset: 'BTC',
      to_asset: 'ETH',
    });
    expect(trades.body.has_more).toBe(true);
  });

  it('an expired quote moves nothing', async () => {
    const q = await req('POST', '/v1/quotes', cat, {
      from: 'USD',
      to: 'BTC',
      spend_amount: '10.00',
    });
    h.clock.now += 15_000;
    try {
      const before = await h.snapshot();
      const x = await req('POST', `/v1/quotes/${q.body.id}/execute`, cat);
      expect(x.status).toBe(409);
      expect(x.body.error).toMatchObject({ type: 'conflict_error', code: 'quote_expired' });
      expect(await h.snapshot()).toBe(before);
      expect((await req('GET', `/v1/quotes/${q.body.id}`, cat)).body.status).toBe('expired');
    } finally {
      h.clock.now -= 15_000;
    }
  });

  it('a quote the user can no longer afford at execution moves nothing', async () => {
    const dan = await h.user('dan');
    await h.fund(dan, 'USD', '50.00');
    const q = await req('POST', '/v1/quotes', dan, {
      from: 'USD',
      to: 'BTC',
      spend_amount: '50.00',
    });
    expect(q.status, q.text).toBe(201);
    const pay = await req('POST', '/v1/payments', dan, {
      to: '@cat',
      asset: 'USD',
      amount: '1.00',
    });
    expect(pay.status).toBe(201);
    const before = await h.snapshot();
    const x = await req('POST', `/v1/quotes/${q.body.id}/execute`, dan);
    expect(x.status).toBe(402);
    expect(x.body.error).toMatchObject({
      code: 'insufficient_funds',
      message: 'Insufficient funds: 49.00 USD available',
    });
    expect(await h.snapshot()).toBe(before);
  });
});

describe('bad input: a typed 4xx, nothing written', () => {
  let eve: TestUser;

  beforeAll(async () => {
    eve = await h.user('eve');
    await h.user('fay');
    await h.fund(eve, 'USD', '20.00');
  });

  const cases: [string, string, unknown, number, string][] = [
    [
      'negative amount',
      '/v1/payments',
      { to: '@fay', asset: 'USD', amount: '-5.00' },
      400,
      'amount_negative',
    ],
    ['zero amount', '/v1/payments', { to: '@fay', asset: 'USD', amount: '0' }, 400, 'amount_zero'],
    [
      'too many decimals',
      '/v1/payments',
      { to: '@fay', asset: 'USD', amount: '1.001' },
      400,
      'amount_too_precise',
    ],
    [
      'exponent notation',
      '/v1/payments',
      { to: '@fay', asset: 'USD', amount: '1e3' },
      400,
      'amount_malformed',
    ],
    [
      'a number, not a string',
      '/v1/payments',
      { to: '@fay', asset: 'USD', amount: 5 },
      400,
      'parameter_invalid',
    ],
    [
      'unknown field',
      '/v1/payments',
      { to: '@fay', asset: 'USD', amount: '1', memo: 'x' },
      400,
      'parameter_unknown',
    ],
    [
      'unknown asset',
      '/v1/payments',
      { to: '@fay', asset: 'XYZ', amount: '1.00' },
      400,
      'unknown_asset',
    ],
    [
      'unknown recipient',
      '/v1/payments',
      { to: '@nobody', asset: 'USD', amount: '1.00' },
      404,
      'recipient_not_found',
    ],
    [
      'self-payment',
      '/v1/payments',
      { to: '@eve', asset: 'USD', amount: '1.00' },
      400,
      'self_payment',
    ],
    [
      'self-payment by email',
      '/v1/payments',
      { to: 'EVE@example.com', asset: 'USD', amount: '1.00' },
      400,
      'self_payment',
    ],
    [
      'insufficient funds',
      '/v1/payments',
      { to: '@fay', asset: 'USD', amount: '20.01' },
      402,
      'insufficient_funds',
    ],
    [
      'note too long',
      '/v1/payments',
      { to: '@fay', asset: 'USD', amount: '1.00', note: 'x'.repeat(281) },
      400,
      'parameter_invalid',
    ],
    [
      'request from yourself',
      '/v1/payment_requests',
      { from: '@eve', asset: 'USD', amount: '1.00' },
      400,
      'self_payment',
    ],
    [
      'quote with both amounts',
      '/v1/quotes',
      { from: 'USD', to: 'BTC', spend_amount: '1', receive_amount: '1' },
      400,
      'amount_both_or_neither',
    ],
    [
      'quote fiat for fiat',
      '/v1/quotes',
      { from: 'USD', to: 'EUR', spend_amount: '1.00' },
      400,
      'pair_not_supported',
    ],
    [
      'quote of an unknown asset',
      '/v1/quotes',
      { from: 'USD', to: 'DOGE', spend_amount: '1.00' },
      400,
      'unknown_asset',
    ],
    [
      'quote without a price',
      '/v1/quotes',
      { from: 'EUR', to: 'USDC', spend_amount: '1.00' },
      400,
      'pair_not_supported',
    ],
    [
      'quote too small to buy one unit',
      '/v1/quotes',
      { from: 'USD', to: 'BTC', spend_amount: '0.01' },
      400,
      'amount_too_small',
    ],
    [
      'quote beyond the balance',
      '/v1/quotes',
      { from: 'USD', to: 'BTC', spend_amount: '20.01' },
      402,
      'insufficient_funds',
    ],
    [
      'quote negative',
      '/v1/quotes',
      { from: 'USD', to: 'BTC', spend_amount: '-1' },
      400,
      'amount_negative',
    ],
    [
      'deposit of crypto',
      '/v1/fiat_deposits',
      { asset: 'BTC', amount: '1' },
      400,
      'asset_not_fiat',
    ],
    [
      'deposit too precise',
      '/v1/fiat_deposits',
      { asset: 'USD', amount: '0.001' },
      400,
      'amount_too_precise',
    ],
    [
      'withdrawal beyond the balance',
      '/v1/fiat_withdrawals',
      { asset: 'USD', amount: '20.01', destination: 'acct_1' },
      402,
      'insufficient_funds',
    ],
    [
      'withdrawal to a bad destination',
      '/v1/fiat_withdrawals',
      { asset: 'USD', amount: '1.00', destination: 'a\tb' },
      400,
      'destination_invalid',
    ],
  ];

  it.each(cases)('%s', async (_name, path, body, status, code) => {
    const before = await h.snapshot();
    const r = await req('POST', path, eve, body);
    expect(r.status, r.text).toBe(status);
    expect(r.body.error.code).toBe(code);
    expect(['invalid_request_error', 'not_found_error']).toContain(r.body.error.type);
    expect(await h.snapshot()).toBe(before);
  });

  it('executing an unknown quote, or another user’s, is 404', async () => {
    const gus = await h.user('gus');
    const quote = await req('POST', '/v1/quotes', eve, {
      from: 'USD',
      to: 'BTC',
      spend_amount: '5.00',
    });
    expect(quote.status).toBe(201);
    const before = await h.snapshot();
    const stolen = await req('POST', `/v1/quotes/${quote.body.id}/execute`, gus);
    expect(stolen.status).toBe(404);
    expect(stolen.body.error.code).toBe('quote_not_found');
    expect((await req('POST', '/v1/quotes/quo_nope/execute', eve)).status).toBe(404);
    expect(await h.snapshot()).toBe(before);
  });
});

describe('limits by tier', () => {
  it('per transaction, per day and per hour; refusals give their usage back', async () => {
    const hal = await h.user('hal', 'unverified');
    await h.user('ivy');
    await h.fund(hal, 'USD', '1000.00');
    const pay = (amount: string) =>
      req('POST', '/v1/payments', hal, { to: '@ivy', asset: 'USD', amount });

    let before = await h.snapshot();
    const big = await pay('100.01');
    expect(big.status).toBe(400);
    expect(big.body.error).toMatchObject({ code: 'amount_above_limit', param: 'amount' });
    expect(await h.snapshot()).toBe(before);

    expect((await pay('100.00')).status).toBe(201);
    expect((await pay('100.00')).status).toBe(201);
    before = await h.snapshot();
    const over = await pay('50.01');
    expect(over.status).toBe(409);
    expect(over.body.error.code).toBe('daily_limit_exceeded');
    expect(await h.snapshot()).toBe(before);
    expect((await pay('50.00')).status).toBe(201);

    const wallet = await req('GET', '/v1/wallet', hal);
    expect(wallet.body).toMatchObject({
      tier: 'unverified',
      limits: { per_hour: 5, used_this_hour: 3 },
    });
    expect(wallet.body.limits.assets).toContainEqual({
      asset: 'USD',
      per_transaction: '100.00',
      daily: '250.00',
      used_today: '250.00',
    });

    // A new UTC day: the daily limit starts again, the hourly count too.
    h.clock.now += 86_400_000;
    try {
      for (let i = 0; i < 5; i++) expect((await pay('1.00')).status).toBe(201);
      const sixth = await pay('1.00');
      expect(sixth.status).toBe(429);
      expect(sixth.body.error).toMatchObject({
        type: 'rate_limit_error',
        code: 'velocity_limit_exceeded',
      });
      // Nothing configured for EUR at this tier: it cannot be moved out at all.
      await h.fund(hal, 'EUR', '10.00');
      h.clock.now += 3_600_000;
      const eur = await req('POST', '/v1/payments', hal, {
        to: '@ivy',
        asset: 'EUR',
        amount: '1.00',
      });
      expect(eur.status).toBe(403);
      expect(eur.body.error.code).toBe('limit_not_configured');
    } finally {
      h.clock.now -= 86_400_000 + 3_600_000;
    }
  });
});

describe('limit counters', () => {
  it('are pruned once their day is over (today and yesterday are kept), and limits still hold', async () => {
    const kim = await h.user('pruned_kim', 'unverified');
    await h.user('pruned_lou');
    await h.fund(kim, 'USD', '500.00');
    const pay = (amount: string) =>
      req('POST', '/v1/payments', kim, { to: '@pruned_lou', asset: 'USD', amount });
    const countersOfKim = async () =>
      Number(
        (
          await h.t.vw.db.query<{ n: bigint }>(
            'SELECT count(*) AS n FROM wallet_limit_counters WHERE user_id = $1',
            [kim.id],
          )
        ).rows[0]?.n,
      );
    expect((await pay('10.00')).status).toBe(201);
    const today = await countersOfKim();
    expect(today).toBeGreaterThan(0);
    try {
      // Tomorrow: yesterday's counters stay, for support to look at.
      h.clock.now += 86_400_000;
      await h.t.vw.wallet.pruneLimitCounters();
      expect(await countersOfKim()).toBe(today);
      // The day after: they are gone, and today's usage still counts against the limit.
      h.clock.now += 86_400_000;
      await h.t.vw.wallet.pruneLimitCounters();
      expect(await countersOfKim()).toBe(0);
      expect((await pay('100.00')).status).toBe(201);
      expect((await pay('100.00')).status).toBe(201);
      const over = await pay('50.01');
      expect(over.body.error?.code).toBe('daily_limit_exceeded');
    } finally {
      h.clock.now -= 2 * 86_400_000;
    }
  });
});

describe('freeze by an operator', () => {
  it('stops every movement of the user, in and out, until unfrozen; audited', async () => {
    const jay = await h.user('jay');
    const kim = await h.user('kim');
    const ops = await h.user('ops');
    await h.fund(jay, 'USD', '50.00');
    await h.fund(kim, 'USD', '50.00');
    const q = await req('POST', '/v1/quotes', jay, {
      from: 'USD',
      to: 'BTC',
      spend_amount: '10.00',
    });
    expect(q.status).toBe(201);

    // A user cannot freeze anyone; an operator can.
    expect(
      (await req('POST', '/v1/admin/wallets/@kim/freeze', jay, { reason: 'nope' })).status,
    ).toBe(403);
    await h.t.vw.identity.changeRole(ops.id, 'operator', { type: 'system', id: 'test' });
    const frozen = await req('POST', '/v1/admin/wallets/@jay/freeze', ops, {
      reason: 'Suspicious login',
    });
    expect(frozen.status, frozen.text).toBe(200);
    expect(frozen.body).toMatchObject({ frozen: true, frozen_reason: 'Suspicious login' });

    const before = await h.snapshot();
    const tries = [
      await req('POST', '/v1/payments', jay, { to: '@kim', asset: 'USD', amount: '1.00' }),
      await req('POST', `/v1/quotes/${q.body.id}/execute`, jay),
      await req('POST', '/v1/quotes', jay, { from: 'USD', to: 'BTC', spend_amount: '10.00' }),
      await req('POST', '/v1/fiat_withdrawals', jay, {
        asset: 'USD',
        amount: '1.00',
        destination: 'a',
      }),
      await req('POST', '/v1/fiat_deposits', jay, { asset: 'USD', amount: '1.00' }),
    ];
    for (const r of tries) {
      expect(r.status, r.text).toBe(403);
      expect(r.body.error).toMatchObject({ type: 'permission_error', code: 'account_frozen' });
    }
    const toFrozen = await req('POST', '/v1/payments', kim, {
      to: '@jay',
      asset: 'USD',
      amount: '1.00',
    });
    expect(toFrozen.status).toBe(409);
    expect(toFrozen.body.error.code).toBe('recipient_unavailable');
    expect(await h.snapshot()).toBe(before);

    const unfrozen = await req('POST', '/v1/admin/wallets/@jay/unfreeze', ops, {
      reason: 'Verified by phone',
    });
    expect(unfrozen.body).toMatchObject({ frozen: false });
    expect(
      (await req('POST', '/v1/payments', jay, { to: '@kim', asset: 'USD', amount: '1.00' })).status,
    ).toBe(201);

    const audit = await h.t.vw.audit.list({ limit: 10, targetId: jay.id });
    expect(audit.events.map((e) => e.action)).toEqual(
      expect.arrayContaining(['wallet.frozen', 'wallet.unfrozen']),
    );
    expect(audit.events.find((e) => e.action === 'wallet.frozen')).toMatchObject({
      actorId: ops.id,
      data: { reason: 'Suspicious login' },
    });
    expect(await events('wallet.frozen', jay.id)).toHaveLength(1);
  });
});

describe('bank withdrawals', () => {
  it('holds the amount, then pays out; a refused payout releases the hold', async () => {
    const lea = await h.user('lea');
    await h.fund(lea, 'USD', '100.00');
    const w = await req('POST', '/v1/fiat_withdrawals', lea, {
      asset: 'USD',
      amount: '30.00',
      destination: 'acct_lea',
    });
    expect(w.status, w.text).toBe(201);
    expect(await h.balance(lea, 'USD')).toEqual({
      available: '70.00',
      held: '30.00',
      total: '100.00',
    });
    const failing = await req('POST', '/v1/fiat_withdrawals', lea, {
      asset: 'USD',
      amount: '20.00',
      destination: 'fail_acct',
    });
    expect(await h.balance(lea, 'USD')).toEqual({
      available: '50.00',
      held: '50.00',
      total: '100.00',
    });

    await h.t.vw.jobs.runDue();
    expect((await req('GET', `/v1/fiat_withdrawals/${w.body.id}`, lea)).body.status).toBe(
      'completed',
    );
    expect((await req('GET', `/v1/fiat_withdrawals/${failing.body.id}`, lea)).body).toMatchObject({
      status: 'failed',
      failure_reason: 'The test rail rejected the destination account',
    });
    expect(await h.balance(lea, 'USD')).toEqual({
      available: '70.00',
      held: '0.00',
      total: '70.00',
    });
    expect(await events('fiat_withdrawal.completed', w.body.id)).toHaveLength(1);
    expect(await events('fiat_withdrawal.failed', failing.body.id)).toHaveLength(1);
    // The refused payout's 20.00 no longer counts against today's limit; the paid 30.00 does.
    const wallet = await req('GET', '/v1/wallet', lea);
    expect(wallet.body.limits.assets).toContainEqual(
      expect.objectContaining({ asset: 'USD', used_today: '30.00' }),
    );
    await h.expectLedgerVerified();
  });
});

describe('adjustments', () => {
  it('an admin credits or debits with a reason, audited; others may not', async () => {
    const max = await h.user('max');
    const credit = await req('POST', '/v1/admin/adjustments', h.admin, {
      user: '@max',
      asset: 'USD',
      direction: 'credit',
      amount: '12.34',
      reason: 'Goodwill for an outage',
    });
    expect(credit.status, credit.text).toBe(201);
    expect(credit.body).toMatchObject({
      direction: 'credit',
      amount: '12.34',
      actor_id: h.admin.id,
    });
    const debit = await req('POST', '/v1/admin/adjustments', h.admin, {
      user: max.id,
      asset: 'USD',
      direction: 'debit',
      amount: '2.34',
      reason: 'Duplicate credit',
    });
    expect(debit.status).toBe(201);
    expect(await h.balance(max, 'USD')).toMatchObject({ available: '10.00' });

    const before = await h.snapshot();
    const tooMuch = await req('POST', '/v1/admin/adjustments', h.admin, {
      user: max.id,
      asset: 'USD',
      direction: 'debit',
      amount: '10.01',
      reason: 'Too much',
    });
    expect(tooMuch.status).toBe(402);
    const noReason = await req('POST', '/v1/admin/adjustments', h.admin, {
      user: max.id,
      asset: 'USD',
      direction: 'credit',
      amount: '1.00',
      reason: '  ',
    });
    expect(noReason.body.error.code).toBe('reason_required');
    const byUser = await req('POST', '/v1/admin/adjustments', max, {
      user: max.id,
      asset: 'USD',
      direction: 'credit',
      amount: '1000.00',
      reason: 'Free money',
    });
    expect(byUser.status).toBe(403);
    expect(await h.snapshot()).toBe(before);

    const audit = await h.t.vw.audit.list({
      limit: 10,
      action: 'wallet.adjustment_created',
      targetId: max.id,
    });
    expect(audit.events).toHaveLength(2);
    expect(audit.events[0]?.data).toMatchObject({ reason: 'Duplicate credit', amount: '2.34' });
  });
});

describe('assets', () => {
  it('an admin registers an asset (audited); a scale never changes; users may only list', async () => {
    const user = await h.user('rex');
    const gbp = { code: 'GBP', kind: 'fiat', scale: 2, name: 'Pound sterling' };
    expect((await req('POST', '/v1/assets', user, gbp)).status).toBe(403);
    const created = await req('POST', '/v1/assets', h.admin, gbp);
    expect(created.status, created.text).toBe(201);
    expect(created.body).toEqual({ object: 'asset', ...gbp });
    expect((await req('POST', '/v1/assets', h.admin, gbp)).status).toBe(200);
    const rescaled = await req('POST', '/v1/assets', h.admin, { ...gbp, scale: 3 });
    expect(rescaled.status).toBe(409);
    expect(rescaled.body.error.code).toBe('asset_exists');
    const list = await req('GET', '/v1/assets', user);
    expect(list.body.data.map((a: { code: string }) => a.code)).toContain('GBP');
    const audit = await h.t.vw.audit.list({ limit: 5, action: 'asset.created' });
    expect(audit.events).toHaveLength(1);
    expect(audit.events[0]).toMatchObject({ actorId: h.admin.id, targetId: 'GBP' });
  });
});

describe('history and statements', () => {
  it('filters by asset, type and time, and pages with a cursor', async () => {
    const ned = await h.user('ned');
    const ora = await h.user('ora');
    await h.fund(ned, 'USD', '100.00');
    for (let i = 1; i <= 5; i++) {
      expect(
        (await req('POST', '/v1/payments', ned, { to: '@ora', asset: 'USD', amount: `${i}.00` }))
          .status,
      ).toBe(201);
    }
    const q = await req('POST', '/v1/quotes', ned, {
      from: 'USD',
      to: 'BTC',
      spend_amount: '10.00',
    });
    await req('POST', `/v1/quotes/${q.body.id}/execute`, ned);

    const all = await req('GET', '/v1/wallet/history?limit=100', ned);
    expect(all.body.data.map((a: { type: string }) => a.type)).toEqual([
      'trade',
      'trade',
      'payment',
      'payment',
      'payment',
      'payment',
      'payment',
      'fiat_deposit',
    ]);
    const btc = await req('GET', '/v1/wallet/history?asset=BTC', ned);
    expect(btc.body.data).toHaveLength(1);
    expect(btc.body.data[0].amount).toMatch(/^0\.000/);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const path: string = `/v1/wallet/history?type=payment&limit=2${cursor ? `&starting_after=${cursor}` : ''}`;
      const page = await req('GET', path, ned);
      seen.push(...page.body.data.map((a: { amount: string }) => a.amount));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(['-5.00', '-4.00', '-3.00', '-2.00', '-1.00']);

    const future = new Date(h.clock.now + 60_000).toISOString();
    expect((await req('GET', `/v1/wallet/history?from=${future}`, ned)).body.data).toEqual([]);
    const received = await req('GET', '/v1/wallet/history?type=payment', ora);
    expect(received.body.data[0]).toMatchObject({ amount: '5.00', counterparty_user_id: ned.id });
  });

  it('names the other person of a payment by handle: sent, received and a paid request', async () => {
    const uma = await h.user('uma');
    const vic = await h.user('vic');
    await h.fund(uma, 'USD', '20.00');
    await h.fund(vic, 'USD', '20.00');
    expect(
      (await req('POST', '/v1/payments', uma, { to: '@vic', asset: 'USD', amount: '3.00' })).status,
    ).toBe(201);
    const ask = await req('POST', '/v1/payment_requests', uma, {
      from: '@vic',
      asset: 'USD',
      amount: '2.00',
      note: 'Taxi',
    });
    expect(ask.status, ask.text).toBe(201);
    const paid = await req('POST', `/v1/payment_requests/${ask.body.id}/pay`, vic);
    expect(paid.status, paid.text).toBe(200);
    // Someone without a handle, paid by email, is named by none: their email stays private.
    const plain = await h.t.request('POST', '/v1/users', {
      body: { email: 'no-handle-history@example.com', password: 'correct horse battery staple' },
    });
    expect(plain.status, plain.text).toBe(201);
    expect(
      (
        await req('POST', '/v1/payments', uma, {
          to: 'no-handle-history@example.com',
          asset: 'USD',
          amount: '1.00',
        })
      ).status,
    ).toBe(201);

    type Row = { type: string; amount: string; counterparty_handle: string | null };
    const pick = (rows: Row[]) =>
      rows.map((a) => [a.type, a.amount, a.counterparty_handle] as const);
    const umaSees = await req('GET', '/v1/wallet/history', uma);
    expect(umaSees.status, umaSees.text).toBe(200);
    expect(pick(umaSees.body.data as Row[])).toEqual([
      ['payment', '-1.00', null],
      ['payment', '2.00', 'vic'],
      ['payment', '-3.00', 'vic'],
      ['fiat_deposit', '20.00', null],
    ]);
    const vicSees = await req('GET', '/v1/wallet/history?type=payment', vic);
    expect(pick(vicSees.body.data as Row[])).toEqual([
      ['payment', '-2.00', 'uma'],
      ['payment', '3.00', 'uma'],
    ]);
    // The handle is the one they have now: a renamed friend shows under the new name.
    const renamed = await req('PATCH', '/v1/me', vic, { handle: 'victoria' });
    expect(renamed.status, renamed.text).toBe(200);
    const after = await req('GET', '/v1/wallet/history?type=payment&limit=1&asset=USD', uma);
    expect(after.body.data[0]).toMatchObject({ amount: '-1.00', counterparty_handle: null });
    const older = await req(
      'GET',
      `/v1/wallet/history?type=payment&starting_after=${after.body.next_cursor}`,
      uma,
    );
    expect(pick(older.body.data as Row[])).toEqual([
      ['payment', '2.00', 'victoria'],
      ['payment', '-3.00', 'victoria'],
    ]);
  });

  it('a CSV statement reconciles: opening + lines = closing, and notes cannot be formulas', async () => {
    const pia = await h.user('pia');
    await h.user('quinn');
    await h.fund(pia, 'USD', '40.00');
    await req('POST', '/v1/payments', pia, {
      to: '@quinn',
      asset: 'USD',
      amount: '7.50',
      note: '=HYPERLINK("x")',
    });
    await req('POST', '/v1/payments', pia, {
      to: '@quinn',
      asset: 'USD',
      amount: '2.50',
      note: 'a, "quoted" note',
    });
    const from = new Date(h.clock.now - 3_600_000).toISOString();
    const to = new Date(h.clock.now + 3_600_000).toISOString();
    const r = await req('GET', `/v1/wallet/statement?asset=USD&from=${from}&to=${to}`, pia);
    expect(r.status, r.text).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = r.text.trim().split('\r\n');
    expect(lines[0]).toBe('date,type,reference,counterparty,description,amount,balance');
    expect(lines[1]).toMatch(/,opening_balance,,,,,0\.00$/);
    expect(lines[2]).toMatch(/,fiat_deposit,fdp_\w+,,Bank deposit,40\.00,40\.00$/);
    expect(lines[3]).toMatch(/,payment,pay_\w+,usr_\w+,"'=HYPERLINK\(""x""\)",-7\.50,32\.50$/);
    expect(lines[4]).toMatch(/,"a, ""quoted"" note",-2\.50,30\.00$/);
    expect(lines[5]).toMatch(/,closing_balance,,,,,30\.00$/);

    // Without dates: the last 30 days, up to now (this test's clock stands still).
    h.clock.now += 1;
    const recent = await req('GET', '/v1/wallet/statement?asset=USD', pia);
    expect(recent.status, recent.text).toBe(200);
    expect(recent.text.trim().split('\r\n').at(-1)).toMatch(/,closing_balance,,,,,30\.00$/);

    const bad = await req('GET', `/v1/wallet/statement?asset=USD&from=${to}&to=${from}`, pia);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('date_range_invalid');
  });
});
