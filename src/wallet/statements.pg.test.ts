import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordClientStatements } from '../../test/support/client-statements.js';
import {
  createWalletHarness,
  type TestUser,
  type WalletHarness,
} from '../../test/fixtures/wallet/harness.js';

/**
 * Round trips per payment. Every statement a request sends is a round trip to the
 * database and most of a payment's cost (bench:api), so the count is a budget: a change
 * that adds one to the payment path fails here, not in a slower benchmark later.
 */

let h: WalletHarness;
let alice: TestUser;
let bob: TestUser;
const sent: string[] = [];
let recorder: { stop(): void };

beforeAll(async () => {
  h = await createWalletHarness();
  alice = await h.user('alice_stmts');
  bob = await h.user('bob_stmts');
  await h.fund(alice, 'USD', '100.00');
  // The first payment opens accounts and profiles; the budget is for the steady state.
  const first = await pay('warm-up');
  expect(first.status, first.text).toBe(201);
  // Every statement of every pooled client (pool.query goes through a client too).
  recorder = recordClientStatements(sent);
});

afterAll(async () => {
  recorder.stop();
  await h.close();
});

function pay(key: string) {
  return h.post('/v1/payments', alice, { to: '@bob_stmts', asset: 'USD', amount: '0.01' }, key);
}

describe('statements per payment', () => {
  it('a payment with an Idempotency-Key sends 2 statements and no transaction of its own', async () => {
    // The payer's token is verified once and then cached (src/identity/credential-cache.ts);
    // the cache is trusted once its change listener is connected.
    // (Polled for up to 30 s: on a busy machine the listener connects late.)
    for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
      sent.length = 0;
      expect((await h.t.request('GET', '/v1/me', { token: alice.token })).status).toBe(200);
      if (!sent.some((q) => q.includes('FROM sessions'))) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    sent.length = 0;
    const r = await pay('pay-1');
    expect(r.status, r.text).toBe(201);
    const statements = sent.map((s) => s.replace(/\s+/g, ' ').slice(0, 100));
    // The payment happened: the payee has both payments.
    expect(await h.balance(bob, 'USD')).toMatchObject({ available: '0.02' });
    // The payee's lookup, then one autocommitted statement: the profile locks and limit
    // counters (the guard), the ledger's posting with the payment's rows and its event.
    // The Idempotency-Key costs nothing of its own: the wallet stores it with the
    // payment. The session is not read (cached).
    expect(statements, statements.join('\n')).toHaveLength(2);
    expect(statements).not.toContain('BEGIN');
    expect(statements[0]?.trim()).toMatch(/^SELECT/);
    const payment = sent[1] ?? '';
    expect(payment).toContain('wallet_payment_guard');
    expect(payment).toContain('ledger_apply');
    expect(payment).toContain('INSERT INTO wallet_payments');
  });

  it('a refusal found on the one-statement path leaves nothing of it and answers as before', async () => {
    const carol = await h.user('carol_stmts');
    await h.fund(carol, 'USD', '1.00');
    // Accounts known to the process, so the next payments take the one-statement path.
    const first = await h.post(
      '/v1/payments',
      carol,
      { to: '@bob_stmts', asset: 'USD', amount: '0.50' },
      'c-1',
    );
    expect(first.status, first.text).toBe(201);
    const usage = async () => {
      const { rows } = await h.t.vw.db.query<{ amount: string }>(
        "SELECT amount::text AS amount FROM wallet_limit_counters WHERE user_id = $1 AND counter = 'daily:USD'",
        [carol.id],
      );
      return rows[0]?.amount;
    };
    expect(await usage()).toBe('50');
    const before = await h.snapshot();
    sent.length = 0;
    // More than is left: the guard counted the limit, the ledger refused, the statement
    // raised, and the full path answers insufficient_funds with what is available.
    const over = await h.post(
      '/v1/payments',
      carol,
      { to: '@bob_stmts', asset: 'USD', amount: '0.75' },
      'c-2',
    );
    expect(over.status, over.text).toBe(402);
    expect(over.body.error.code).toBe('insufficient_funds');
    // It did try the one statement first, then the full path in a transaction.
    const guarded = sent.findIndex((q) => q.includes('wallet_payment_guard'));
    expect(guarded).toBeGreaterThan(-1);
    expect(sent.indexOf('BEGIN')).toBeGreaterThan(guarded);
    expect(await usage()).toBe('50');
    expect(await h.snapshot()).toBe(before);
    // The first key again: the same payment, not a second one, and no limit usage.
    const again = await h.post(
      '/v1/payments',
      carol,
      { to: '@bob_stmts', asset: 'USD', amount: '0.50' },
      'c-1',
    );
    expect(again.status, again.text).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(await usage()).toBe('50');
    expect(await h.balance(carol, 'USD')).toMatchObject({ available: '0.50' });
    // Frozen since: refused as frozen, nothing moves.
    await h.t.vw.wallet.freeze({ type: 'system', id: 'test' }, carol.id, 'review');
    const frozen = await h.post(
      '/v1/payments',
      carol,
      { to: '@bob_stmts', asset: 'USD', amount: '0.10' },
      'c-3',
    );
    expect(frozen.status, frozen.text).toBe(403);
    expect(frozen.body.error.code).toBe('account_frozen');
    expect(await h.balance(carol, 'USD')).toMatchObject({ available: '0.50' });
    expect(await usage()).toBe('50');
    await h.expectLedgerVerified();
  });
});

/** Statements in one line each, for a failure's message. */
function brief(statements: readonly string[]): string {
  return statements.map((q) => q.replace(/\s+/g, ' ').slice(0, 160)).join('\n');
}

describe('statements per payment request', () => {
  async function events(type: string, aggregateId: string): Promise<number> {
    const { rows } = await h.t.vw.db.query<{ n: string }>(
      'SELECT count(*) AS n FROM outbox_events WHERE type = $1 AND aggregate_id = $2',
      [type, aggregateId],
    );
    return Number(rows[0]?.n);
  }

  /** A payment each way: both users' accounts are then known to the process. */
  async function payEachOther(a: TestUser, b: TestUser) {
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      const r = await h.post('/v1/payments', from, {
        to: `@${to.handle}`,
        asset: 'USD',
        amount: '1.00',
      });
      expect(r.status, r.text).toBe(201);
    }
  }

  async function ask(asker: TestUser, from: TestUser, amount: string) {
    const r = await h.post('/v1/payment_requests', asker, {
      from: `@${from.handle}`,
      asset: 'USD',
      amount,
    });
    expect(r.status, r.text).toBe(201);
    return r.body.id as string;
  }

  it('asking is one statement and paying is a read and one statement, each autocommitted', async () => {
    // Both users' USD accounts are known to the process (they paid each other before).
    expect((await pay('prq-warm')).status).toBe(201);
    // Bob's token verified and cached, as alice's is (the first test).
    expect((await h.t.request('GET', '/v1/me', { token: bob.token })).status).toBe(200);
    sent.length = 0;
    const id = await ask(bob, alice, '0.25');
    // The payer's lookup by handle, then the request in one statement.
    const asking = sent.filter((q) => !q.includes('FROM users') && !q.includes('FROM sessions'));
    expect(asking, brief(sent)).toHaveLength(1);
    expect(asking[0]).toContain('INSERT INTO wallet_payment_requests');
    expect(await events('payment_request.created', id)).toBe(1);

    sent.length = 0;
    const paid = await h.post(`/v1/payment_requests/${id}/pay`, alice);
    expect(paid.status, paid.text).toBe(200);
    expect(paid.body).toMatchObject({ status: 'paid', payment: { amount: '0.25' } });
    // The request read, the one statement; then the answer's handles (a read).
    const paying = sent.filter((q) => !q.includes('FROM users'));
    expect(paying, brief(sent)).toHaveLength(2);
    expect(sent).not.toContain('BEGIN');
    expect(paying[1]).toContain('wallet_claim_payment_request');
    expect(paying[1]).toContain('ledger_apply');
    // What the answer says is what is stored, and the events are there once each.
    const stored = await h.t.request('GET', `/v1/payment_requests/${id}`, { token: bob.token });
    expect(stored.body).toMatchObject({
      status: 'paid',
      payment_id: paid.body.payment.id,
      resolved_at: paid.body.resolved_at,
    });
    expect(await events('payment_request.paid', id)).toBe(1);
    expect(await events('payment.completed', paid.body.payment.id)).toBe(1);
    await h.expectLedgerVerified();
  });

  it('a request paid 10 times at once on the one-statement path is paid once', async () => {
    const asker = await h.user('asker_stmts');
    const giver = await h.user('giver_stmts');
    await h.fund(giver, 'USD', '100.00');
    // Accounts known both ways, so every racer may take the one-statement path.
    await payEachOther(giver, asker);
    const id = await ask(asker, giver, '9.99');
    const results = await Promise.all(
      Array.from({ length: 10 }, () => h.post(`/v1/payment_requests/${id}/pay`, giver)),
    );
    const codes = results.map((r) => r.status).sort();
    expect(codes, results.map((r) => r.text).join('\n')).toEqual([
      200, 409, 409, 409, 409, 409, 409, 409, 409, 409,
    ]);
    expect(await h.balance(asker, 'USD')).toMatchObject({ available: '9.99' });
    expect(await h.balance(giver, 'USD')).toMatchObject({ available: '90.01' });
    expect(await events('payment_request.paid', id)).toBe(1);
    await h.expectLedgerVerified();
  });

  it('a frozen payer or requester is refused and nothing is written', async () => {
    const asker = await h.user('frozen_asker');
    const giver = await h.user('frozen_giver');
    await h.fund(giver, 'USD', '10.00');
    await h.fund(asker, 'USD', '10.00');
    await payEachOther(giver, asker);
    const id = await ask(asker, giver, '2.00');
    await h.t.vw.wallet.freeze({ type: 'system', id: 'test' }, giver.id, 'review');
    const before = await h.snapshot();
    const refused = await h.post(`/v1/payment_requests/${id}/pay`, giver);
    expect(refused.status, refused.text).toBe(403);
    expect(refused.body.error.code).toBe('account_frozen');
    expect(await h.snapshot()).toBe(before);
    const still = await h.t.request('GET', `/v1/payment_requests/${id}`, { token: asker.token });
    expect(still.body.status).toBe('pending');

    await h.t.vw.wallet.freeze({ type: 'system', id: 'test' }, asker.id, 'review');
    const beforeAsking = await h.snapshot();
    const asking = await h.post('/v1/payment_requests', asker, {
      from: '@frozen_giver',
      asset: 'USD',
      amount: '1.00',
    });
    expect(asking.status, asking.text).toBe(403);
    expect(asking.body.error.code).toBe('account_frozen');
    expect(await h.snapshot()).toBe(beforeAsking);
  });
});
