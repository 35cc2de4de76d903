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
  it('a payment with an Idempotency-Key sends 8 statements', async () => {
    sent.length = 0;
    const r = await pay('pay-1');
    expect(r.status, r.text).toBe(201);
    const statements = sent.map((s) => s.replace(/\s+/g, ' ').slice(0, 100));
    // The payment happened: the payee has both payments.
    expect(await h.balance(bob, 'USD')).toMatchObject({ available: '0.02' });
    // 15 before: the ledger now writes the payment's rows and its event in its own
    // statement, the profile locks come with the users' ledger accounts in one call, a
    // retry's earlier payment is looked for only when the retry is refused, and the
    // Idempotency-Key claim and record are statements of their own around the payment's
    // transaction (no savepoint); then the limit counters came into the profile locks'
    // call. Of these 8, the session, the key's claim and record and the payee lookup are
    // not the payment's own; BEGIN … COMMIT holds its 2 statements.
    expect(statements, statements.join('\n')).toHaveLength(8);
  });
});
