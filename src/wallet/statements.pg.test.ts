import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
const clientQuery = Object.getOwnPropertyDescriptor(pg.Client.prototype, 'query')?.value as (
  this: pg.Client,
  ...args: unknown[]
) => unknown;

beforeAll(async () => {
  h = await createWalletHarness();
  alice = await h.user('alice_stmts');
  bob = await h.user('bob_stmts');
  await h.fund(alice, 'USD', '100.00');
  // The first payment opens accounts and profiles; the budget is for the steady state.
  const first = await pay('warm-up');
  expect(first.status, first.text).toBe(201);
  // Every statement of every pooled client (pool.query goes through a client too).
  Object.defineProperty(pg.Client.prototype, 'query', {
    configurable: true,
    writable: true,
    value: function (this: pg.Client, ...args: unknown[]) {
      const q = args[0];
      sent.push(typeof q === 'string' ? q : String((q as { text?: unknown }).text));
      return clientQuery.apply(this, args);
    },
  });
});

afterAll(async () => {
  Object.defineProperty(pg.Client.prototype, 'query', {
    configurable: true,
    writable: true,
    value: clientQuery,
  });
  await h.close();
});

function pay(key: string) {
  return h.post('/v1/payments', alice, { to: '@bob_stmts', asset: 'USD', amount: '0.01' }, key);
}

describe('statements per payment', () => {
  it('a payment with an Idempotency-Key sends 6 statements, one commit', async () => {
    sent.length = 0;
    const r = await pay('pay-1');
    expect(r.status, r.text).toBe(201);
    const statements = sent.map((s) => s.replace(/\s+/g, ' ').slice(0, 100));
    // The payment happened: the payee has both payments.
    expect(await h.balance(bob, 'USD')).toMatchObject({ available: '0.02' });
    // The session, the payee's lookup, then BEGIN, the profile locks with the limit
    // counters, the ledger's statement (with the payment's rows and its event), COMMIT.
    // The Idempotency-Key costs nothing of its own: the wallet stores it with the
    // payment, so no claim or record around it.
    expect(statements, statements.join('\n')).toHaveLength(6);
    // One commit: nothing outside BEGIN … COMMIT writes.
    const begin = statements.indexOf('BEGIN');
    const commit = statements.indexOf('COMMIT');
    expect(begin).toBeGreaterThan(0);
    expect(commit).toBe(statements.length - 1);
    for (const s of statements.slice(0, begin)) expect(s.trim()).toMatch(/^SELECT/);
  });
});
