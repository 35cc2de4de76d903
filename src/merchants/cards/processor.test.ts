import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFailure } from '../../platform/failure.js';
import { createHttpCardProcessor, type CardProcessor } from './processor.js';
import { startTestCardProcessor, TEST_CARDS, type TestCardProcessor } from './test-processor.js';

/** The HTTP card processor client against the local test processor (the Stripe API subset). */
describe('card processor over HTTP', () => {
  let server: TestCardProcessor;
  let cards: CardProcessor;

  beforeAll(async () => {
    server = await startTestCardProcessor();
    cards = createHttpCardProcessor({
      apiUrl: server.url,
      secretKey: server.secretKey,
      publishableKey: server.publishableKey,
    });
  });
  afterAll(() => server.close());

  /** What the payer's browser does: post the card to the tokenizer, follow the redirect. */
  async function tokenize(number: string, extra: Record<string, string> = {}) {
    const res = await fetch(cards.tokenizer.action, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        key: cards.tokenizer.publishableKey,
        'card[number]': number,
        'card[exp]': '12/40',
        'card[cvc]': '123',
        return_url: 'https://shop.example/pay/inv_1/card?x=1',
        ...extra,
      }).toString(),
    });
    expect(res.status).toBe(303);
    return new URL(res.headers.get('location') ?? '');
  }

  it('tokenizes in the browser, authorizes, captures and refunds in parts', async () => {
    const back = await tokenize('4242 4242 4242 4242');
    expect(back.origin + back.pathname).toBe('https://shop.example/pay/inv_1/card');
    expect(back.searchParams.get('x')).toBe('1');
    const token = back.searchParams.get('token') ?? '';
    expect(token).toMatch(/^tok_/);

    const auth = await cards.authorize({
      token,
      amount: 1250n,
      currency: 'USD',
      idempotencyKey: 'pay_1',
    });
    if (isFailure(auth)) throw new Error(auth.code);
    expect(auth).toMatchObject({
      amount: 1250n,
      currency: 'USD',
      captured: false,
      brand: 'visa',
      last4: '4242',
    });
    // A retry with the same key answers the same charge; the token is not spent twice.
    const again = await cards.authorize({
      token,
      amount: 1250n,
      currency: 'USD',
      idempotencyKey: 'pay_1',
    });
    expect(isFailure(again) ? again.code : again.id).toBe(auth.id);
    const reused = await cards.authorize({
      token,
      amount: 1250n,
      currency: 'USD',
      idempotencyKey: 'pay_2',
    });
    expect(isFailure(reused) && reused.code).toBe('token_invalid');

    const captured = await cards.capture(auth.id, 'pay_1:capture');
    expect(!isFailure(captured) && captured.amountCaptured).toBe(1250n);
    const twice = await cards.capture(auth.id, 'pay_1:capture-again');
    expect(isFailure(twice) && twice.code).toBe('charge_not_capturable');

    const r1 = await cards.refund({ chargeId: auth.id, amount: 1000n, idempotencyKey: 're_1' });
    expect(!isFailure(r1) && r1.amount).toBe(1000n);
    const r1again = await cards.refund({
      chargeId: auth.id,
      amount: 1000n,
      idempotencyKey: 're_1',
    });
    expect(!isFailure(r1again) && !isFailure(r1) && r1again.id).toBe(!isFailure(r1) && r1.id);
    const over = await cards.refund({ chargeId: auth.id, amount: 251n, idempotencyKey: 're_2' });
    expect(isFailure(over) && over.code).toBe('refund_exceeds_charge');
    const rest = await cards.refund({ chargeId: auth.id, idempotencyKey: 're_3' });
    expect(!isFailure(rest) && rest.amount).toBe(250n);
    expect(server.charges().find((c) => c.id === auth.id)).toMatchObject({
      amountRefunded: 1250,
      captured: true,
    });
  });

  it('declines the test cards that decline, with the issuer’s reason', async () => {
    for (const [number, code] of [
      [TEST_CARDS.declined, 'card_declined'],
      [TEST_CARDS.insufficientFunds, 'insufficient_funds'],
      [TEST_CARDS.expired, 'expired_card'],
      [TEST_CARDS.incorrectCvc, 'incorrect_cvc'],
      [TEST_CARDS.processingError, 'processing_error'],
    ] as const) {
      const token = (await tokenize(number)).searchParams.get('token') ?? '';
      const r = await cards.authorize({
        token,
        amount: 500n,
        currency: 'EUR',
        idempotencyKey: `d-${number}`,
      });
      expect(isFailure(r) && r.code, number).toBe(code);
    }
  });

  it('refuses bad cards at the tokenizer and sends the browser back with the reason', async () => {
    expect((await tokenize('4242424242424241')).searchParams.get('error')).toBe('incorrect_number');
    expect(
      (await tokenize(TEST_CARDS.visa, { 'card[exp]': '01/20' })).searchParams.get('error'),
    ).toBe('invalid_expiry_year');
    expect((await tokenize(TEST_CARDS.visa, { 'card[cvc]': '1' })).searchParams.get('error')).toBe(
      'invalid_cvc',
    );
    expect(
      (await tokenize(TEST_CARDS.visa, { key: 'pk_test_wrong' })).searchParams.get('error'),
    ).toBe('api_key_invalid');
  });

  it('refuses a wrong secret key and answers an unreachable processor as unavailable', async () => {
    const wrong = createHttpCardProcessor({
      apiUrl: server.url,
      secretKey: 'sk_test_wrong',
      publishableKey: 'pk',
    });
    await expect(
      wrong.authorize({ token: 'tok_x', amount: 1n, currency: 'USD', idempotencyKey: 'k' }),
    ).rejects.toThrow(/401/);
    const gone = createHttpCardProcessor({
      apiUrl: 'http://127.0.0.1:9',
      secretKey: 'sk',
      publishableKey: 'pk',
    });
    const r = await gone.capture('ch_x', 'k');
    expect(isFailure(r) && r.code).toBe('processor_unavailable');
  });
});
