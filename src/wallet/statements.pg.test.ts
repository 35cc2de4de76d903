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
    for (let i = 0; i < 100; i++) {
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
