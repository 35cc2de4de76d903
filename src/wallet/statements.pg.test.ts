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
  it('a payment with an Idempotency-Key sends 1 statement and no transaction of its own', async () => {
    // The payer's token is verified once and then cached (src/platform/http/credential-cache.ts);
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
    const statements = ofRequests(sent).map((s) => s.replace(/\s+/g, ' ').slice(0, 100));
    // The payment happened: the payee has both payments.
    expect(await h.balance(bob, 'USD')).toMatchObject({ available: '0.02' });
    // One autocommitted statement: the check that @bob_stmts still names the payee looked
    // up for the warm-up payment, the profile locks and limit counters (the guard), the
    // ledger's posting with the payment's rows and its event. The Idempotency-Key costs
    // nothing of its own: the wallet stores it with the payment. The session is not read
    // (cached).
    expect(statements, statements.join('\n')).toHaveLength(1);
    expect(statements).not.toContain('BEGIN');
    const payment = ofRequests(sent)[0] ?? '';
    expect(payment).toContain('FROM users WHERE handle');
    expect(payment).toContain('wallet_payment_guard');
    expect(payment).toContain('ledger_apply');
    expect(payment).toContain('INSERT INTO wallet_payments');
  });

  it('a payee named by id needs no check, and a handle that passes to another user pays its new holder', async () => {
    const dora = await h.user('dora_stmts');
    const erin = await h.user('erin_stmts');
    const frank = await h.user('frank_stmts');
    await h.fund(dora, 'USD', '1.00');
    const payDora = (to: string, key: string) =>
      h.post('/v1/payments', dora, { to, asset: 'USD', amount: '0.10' }, key);
    expect((await payDora('@erin_stmts', 'd-1')).status).toBe(201);
    sent.length = 0;
    const byId = await payDora(erin.id, 'd-2');
    expect(byId.status, byId.text).toBe(201);
    expect(ofRequests(sent), brief(sent)).toHaveLength(1);
    expect(ofRequests(sent)[0]).not.toContain('FROM users');
    // Erin gives up her handle and Frank takes it: @erin_stmts is Frank's now.
    const renamed = await h.t.request('PATCH', '/v1/me', {
      token: erin.token,
      body: { handle: 'erin_renamed' },
    });
    expect(renamed.status, renamed.text).toBe(200);
    const taken = await h.t.request('PATCH', '/v1/me', {
      token: frank.token,
      body: { handle: 'erin_stmts' },
    });
    expect(taken.status, taken.text).toBe(200);
    const toNewHolder = await payDora('@erin_stmts', 'd-3');
    expect(toNewHolder.status, toNewHolder.text).toBe(201);
    expect(toNewHolder.body.to_user_id).toBe(frank.id);
    expect(await h.balance(frank, 'USD')).toMatchObject({ available: '0.10' });
    expect(await h.balance(erin, 'USD')).toMatchObject({ available: '0.20' });
    // Remembered as Frank's now: one statement again, and Frank is paid.
    sent.length = 0;
    expect((await payDora('@erin_stmts', 'd-4')).status).toBe(201);
    expect(ofRequests(sent), brief(sent)).toHaveLength(1);
    expect(await h.balance(frank, 'USD')).toMatchObject({ available: '0.20' });
    expect(await h.balance(erin, 'USD')).toMatchObject({ available: '0.20' });
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

  it('a payee without a wallet profile is paid by the full path, which creates it; then one statement', async () => {
    const dave = await h.user('dave_stmts');
    await h.fund(dave, 'USD', '1.00');
    const first = await h.post('/v1/payments', alice, {
      to: dave.id,
      asset: 'USD',
      amount: '0.01',
    });
    expect(first.status, first.text).toBe(201);
    // A user whose ledger account the process knows but who has no profile row (profiles
    // are created on first use): the guard finds one profile of two and declines.
    await h.t.vw.db.query('DELETE FROM wallet_profiles WHERE user_id = $1', [dave.id]);
    const before = await h.balance(dave, 'USD');
    sent.length = 0;
    const second = await h.post('/v1/payments', alice, {
      to: dave.id,
      asset: 'USD',
      amount: '0.01',
    });
    expect(second.status, second.text).toBe(201);
    const guarded = sent.findIndex((q) => q.includes('wallet_payment_guard'));
    expect(guarded, brief(sent)).toBeGreaterThan(-1);
    expect(sent.indexOf('BEGIN'), brief(sent)).toBeGreaterThan(guarded);
    expect(before.available).toBe('1.01');
    expect(await h.balance(dave, 'USD')).toMatchObject({ available: '1.02' });
    const { rows } = await h.t.vw.db.query<{ frozen: boolean }>(
      'SELECT frozen FROM wallet_profiles WHERE user_id = $1',
      [dave.id],
    );
    expect(rows).toEqual([{ frozen: false }]);
    // The profile is back: the next payment is the one statement again.
    sent.length = 0;
    const third = await h.post('/v1/payments', alice, {
      to: dave.id,
      asset: 'USD',
      amount: '0.01',
    });
    expect(third.status, third.text).toBe(201);
    expect(ofRequests(sent), brief(sent)).toHaveLength(1);
    expect(await h.balance(dave, 'USD')).toMatchObject({ available: '1.03' });
    await h.expectLedgerVerified();
  });

  it('payments of many payers at once share one statement, of one text whatever their number', async () => {
    const payee = await h.user('grp_payee');
    const payers: TestUser[] = [];
    for (let i = 0; i < 8; i++) {
      const u = await h.user(`grp_payer${i}`);
      await h.fund(u, 'USD', '1.00');
      // Alone and one by one: the process learns both accounts.
      const warm = await h.post('/v1/payments', u, {
        to: '@grp_payee',
        asset: 'USD',
        amount: '0.01',
      });
      expect(warm.status, warm.text).toBe(201);
      payers.push(u);
    }
    const wave = (who: readonly TestUser[], amount = (_u: TestUser) => '0.10') =>
      Promise.all(
        who.map((u) =>
          h.post('/v1/payments', u, { to: '@grp_payee', asset: 'USD', amount: amount(u) }),
        ),
      );
    sent.length = 0;
    const eight = await wave(payers);
    expect(eight.map((r) => r.status)).toEqual(Array(8).fill(201));
    const five = await wave(payers.slice(0, 5));
    expect(five.map((r) => r.status)).toEqual(Array(5).fill(201));
    const grouped = sent.filter((q) => q.includes('wallet_payment_group_guard'));
    // Two groups at least (8 and 5 payments, or parts of them), one text for all.
    expect(grouped.length, brief(sent)).toBeGreaterThanOrEqual(2);
    expect(new Set(grouped).size).toBe(1);
    // The groups committed: no payment went alone but, perhaps, the first of each wave.
    const alone = sent.filter((q) => q.includes('wallet_payment_guard('));
    expect(alone.length, brief(sent)).toBeLessThanOrEqual(2);
    expect(grouped[0]).toContain('ledger_apply');
    expect(grouped[0]).toContain('INSERT INTO wallet_payments');
    expect(grouped[0]).toContain('INSERT INTO outbox_events');
    // Each payment is its own: one row, its event, both users' activity.
    const ids = [...eight, ...five].map((r) => r.body.id as string);
    expect(new Set(ids).size).toBe(13);
    const { rows } = await h.t.vw.db.query<{ payments: bigint; events: bigint; activity: bigint }>(
      `SELECT (SELECT count(*) FROM wallet_payments WHERE id = ANY ($1::text[])) AS payments,
              (SELECT count(*) FROM outbox_events
                WHERE type = 'payment.completed' AND aggregate_id = ANY ($1::text[])) AS events,
              (SELECT count(*) FROM wallet_activity WHERE reference_id = ANY ($1::text[])) AS activity`,
      [ids],
    );
    expect(rows[0]).toEqual({ payments: 13n, events: 13n, activity: 26n });
    // A group with a payment that cannot be made: the others are paid, that one refused.
    sent.length = 0;
    const mixed = await wave(payers.slice(0, 6), (u) => (u === payers[2] ? '5.00' : '0.10'));
    expect(mixed.map((r) => r.status)).toEqual([201, 201, 402, 201, 201, 201]);
    for (const [i, u] of payers.entries()) {
      // 0.01 to warm up, 0.10 in the eight, the five and the mixed group (but 2's 5.00).
      const paid = 0.11 + (i < 5 ? 0.1 : 0) + (i < 6 && i !== 2 ? 0.1 : 0);
      expect((await h.balance(u, 'USD')).available).toBe((1 - paid).toFixed(2));
    }
    expect((await h.balance(payee, 'USD')).available).toBe('1.88');
    await h.expectLedgerVerified();
  });
});

/**
 * The statements `sent` holds, less the rate limiter's: it settles its buckets in
 * batches of many requests' (a timer's), so one may fall into any request's window.
 */
function ofRequests(statements: readonly string[]): string[] {
  return statements.filter((q) => !q.includes('rate_limit_buckets'));
}

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
    const asking = ofRequests(sent).filter(
      (q) => !q.includes('FROM users') && !q.includes('FROM sessions'),
    );
    expect(asking, brief(sent)).toHaveLength(1);
    expect(asking[0]).toContain('INSERT INTO wallet_payment_requests');
    expect(await events('payment_request.created', id)).toBe(1);

    sent.length = 0;
    const paid = await h.post(`/v1/payment_requests/${id}/pay`, alice);
    expect(paid.status, paid.text).toBe(200);
    expect(paid.body).toMatchObject({ status: 'paid', payment: { amount: '0.25' } });
    // The request read, the one statement; then the answer's handles (a read).
    const paying = ofRequests(sent).filter((q) => !q.includes('FROM users'));
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

  it('paying with an Idempotency-Key costs no statement more, and the key replays or conflicts', async () => {
    const asker = await h.user('keyed_asker');
    const giver = await h.user('keyed_giver');
    await h.fund(giver, 'USD', '10.00');
    await payEachOther(giver, asker);
    const id = await ask(asker, giver, '1.25');
    const other = await ask(asker, giver, '2.00');
    expect((await h.t.request('GET', '/v1/me', { token: giver.token })).status).toBe(200);
    sent.length = 0;
    const paid = await h.post(`/v1/payment_requests/${id}/pay`, giver, undefined, 'prq-key-1');
    expect(paid.status, paid.text).toBe(200);
    expect(paid.headers.get('idempotent-replayed')).toBeNull();
    // The request read (with the key's earlier use), the one statement, the handles:
    // no claim or record of the key by the HTTP layer, no transaction. (The rate limiter
    // leases and gives back tokens in batches, on its own schedule: not this request's.)
    const paying = sent.filter(
      (q) => !q.includes('FROM users') && !q.includes('FROM sessions') && !q.includes('rate_limit'),
    );
    expect(paying, brief(sent)).toHaveLength(2);
    expect(sent).not.toContain('BEGIN');
    expect(sent.some((q) => q.includes('idempotency_keys'))).toBe(false);
    expect(paying[1]).toContain('wallet_claim_payment_request');
    const after = await h.snapshot();

    // The same key for the same request: the same answer, nothing moves again.
    const again = await h.post(`/v1/payment_requests/${id}/pay`, giver, undefined, 'prq-key-1');
    expect(again.status, again.text).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(paid.body);
    // Without the key it is the request's own at-most-once: 409 not pending.
    const unkeyed = await h.post(`/v1/payment_requests/${id}/pay`, giver);
    expect(unkeyed.status, unkeyed.text).toBe(409);
    expect(unkeyed.body.error.code).toBe('payment_request_not_pending');

    // The key for another request, or for a payment: the typed conflict, nothing written.
    const elsewhere = await h.post(
      `/v1/payment_requests/${other}/pay`,
      giver,
      undefined,
      'prq-key-1',
    );
    expect(elsewhere.status, elsewhere.text).toBe(409);
    expect(elsewhere.body.error).toMatchObject({
      type: 'idempotency_error',
      code: 'idempotency_conflict',
      param: 'Idempotency-Key',
    });
    const direct = await h.post(
      '/v1/payments',
      giver,
      { to: `@${asker.handle}`, asset: 'USD', amount: '1.25' },
      'prq-key-1',
    );
    expect(direct.status, direct.text).toBe(409);
    expect(direct.body.error.code).toBe('idempotency_conflict');
    expect(await h.snapshot()).toBe(after);
    const still = await h.t.request('GET', `/v1/payment_requests/${other}`, {
      token: asker.token,
    });
    expect(still.body.status).toBe('pending');
    // And a key first used by a payment cannot pay a request.
    const payment = await h.post(
      '/v1/payments',
      giver,
      { to: `@${asker.handle}`, asset: 'USD', amount: '0.10' },
      'prq-key-2',
    );
    expect(payment.status, payment.text).toBe(201);
    const reused = await h.post(`/v1/payment_requests/${other}/pay`, giver, undefined, 'prq-key-2');
    expect(reused.status, reused.text).toBe(409);
    expect(reused.body.error.code).toBe('idempotency_conflict');
    expect(await h.balance(asker, 'USD')).toMatchObject({ available: '1.35' });
    expect(await events('payment_request.paid', id)).toBe(1);
    expect(await events('payment_request.paid', other)).toBe(0);
    await h.expectLedgerVerified();
  });

  it('one Idempotency-Key raced 10 times on one request pays it once and answers it 10 times', async () => {
    const asker = await h.user('race_key_asker');
    const giver = await h.user('race_key_giver');
    await h.fund(giver, 'USD', '100.00');
    await payEachOther(giver, asker);
    const id = await ask(asker, giver, '9.99');
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        h.post(`/v1/payment_requests/${id}/pay`, giver, undefined, 'race-key'),
      ),
    );
    expect(
      results.map((r) => r.status),
      results.map((r) => r.text).join('\n'),
    ).toEqual(Array.from({ length: 10 }, () => 200));
    // One payment, every answer names it; all but one are replays.
    expect(new Set(results.map((r) => r.body.payment.id)).size).toBe(1);
    expect(results.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(9);
    expect(await h.balance(asker, 'USD')).toMatchObject({ available: '9.99' });
    expect(await h.balance(giver, 'USD')).toMatchObject({ available: '90.01' });
    expect(await events('payment_request.paid', id)).toBe(1);
    await h.expectLedgerVerified();
  });

  it('one Idempotency-Key raced on two requests pays one of them; the other is a conflict', async () => {
    const asker = await h.user('race_two_asker');
    const giver = await h.user('race_two_giver');
    await h.fund(giver, 'USD', '100.00');
    await payEachOther(giver, asker);
    const ids = [await ask(asker, giver, '3.00'), await ask(asker, giver, '4.00')];
    const results = await Promise.all(
      ids.flatMap((id) =>
        Array.from({ length: 5 }, () =>
          h.post(`/v1/payment_requests/${id}/pay`, giver, undefined, 'race-two-key'),
        ),
      ),
    );
    const won = results.filter((r) => r.status === 200);
    const lost = results.filter((r) => r.status !== 200);
    // Every answer for the winning request is its payment; the other request's are 409.
    expect(won.length, results.map((r) => r.text).join('\n')).toBeGreaterThan(0);
    const winner = won[0]?.body.id as string;
    expect(won.every((r) => r.body.id === winner)).toBe(true);
    expect(won).toHaveLength(5);
    expect(lost.map((r) => [r.status, r.body.error.code])).toEqual(
      Array.from({ length: 5 }, () => [409, 'idempotency_conflict']),
    );
    const paidAmount = winner === ids[0] ? '3.00' : '4.00';
    expect(await h.balance(asker, 'USD')).toMatchObject({ available: paidAmount });
    const loser = ids.find((id) => id !== winner) ?? '';
    const still = await h.t.request('GET', `/v1/payment_requests/${loser}`, {
      token: asker.token,
    });
    expect(still.body.status).toBe('pending');
    expect(await events('payment_request.paid', loser)).toBe(0);
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

describe('statements per trade', () => {
  async function count(sql: string, params: unknown[]): Promise<number> {
    const { rows } = await h.t.vw.db.query<{ n: string }>(sql, params);
    return Number(rows[0]?.n);
  }

  /** A trader whose USD and BTC accounts the process knows (one trade made). */
  async function trader(handle: string, usd: string): Promise<TestUser> {
    const u = await h.user(handle);
    await h.fund(u, 'USD', usd);
    const q = await h.post('/v1/quotes', u, { from: 'USD', to: 'BTC', spend_amount: '1.00' });
    expect(q.status, q.text).toBe(201);
    const x = await h.post(`/v1/quotes/${q.body.id}/execute`, u);
    expect(x.status, x.text).toBe(200);
    expect((await h.t.request('GET', '/v1/me', { token: u.token })).status).toBe(200);
    return u;
  }

  const quote = (u: TestUser, spend: string, key?: string) =>
    h.post('/v1/quotes', u, { from: 'USD', to: 'BTC', spend_amount: spend }, key);

  it('a quote is three statements and executing it a read and one statement, none a transaction', async () => {
    const u = await trader('trader_stmts', '100.00');
    sent.length = 0;
    const q = await quote(u, '10.00', 'tq-1');
    expect(q.status, q.text).toBe(201);
    // The profile and the account, read side by side, then the quote with its key: no
    // claim, fence or record of the key by the HTTP layer, no transaction.
    const quoting = ofRequests(sent).filter((s) => !s.includes('FROM sessions'));
    expect(quoting, brief(sent)).toHaveLength(3);
    expect(sent).not.toContain('BEGIN');
    expect(sent.some((s) => s.includes('idempotency_keys'))).toBe(false);

    sent.length = 0;
    const x = await h.post(`/v1/quotes/${q.body.id}/execute`, u, undefined, 'tx-1');
    expect(x.status, x.text).toBe(200);
    const executing = ofRequests(sent).filter((s) => !s.includes('FROM sessions'));
    expect(executing, brief(sent)).toHaveLength(2);
    expect(sent).not.toContain('BEGIN');
    expect(executing[1]).toContain('wallet_claim_quote');
    expect(executing[1]).toContain('wallet_payment_guard');
    expect(executing[1]).toContain('ledger_apply');
    // Everything the full path writes is there, once.
    expect(x.body).toMatchObject({ id: q.body.trade_id, quote_id: q.body.id });
    expect(await h.balance(u, 'USD')).toMatchObject({ available: '89.00' });
    const stored = await h.t.request('GET', `/v1/quotes/${q.body.id}`, { token: u.token });
    expect(stored.body).toMatchObject({
      status: 'executed',
      ledger_transaction_id: x.body.ledger_transaction_id,
    });
    const trade = q.body.trade_id as string;
    expect(
      await count(
        "SELECT count(*) AS n FROM outbox_events WHERE type = 'trade.executed' AND aggregate_id = $1",
        [trade],
      ),
    ).toBe(1);
    expect(
      await count('SELECT count(*) AS n FROM wallet_activity WHERE reference_id = $1', [trade]),
    ).toBe(2);
    expect(
      await count(
        "SELECT count(*) AS n FROM wallet_limit_counters WHERE user_id = $1 AND counter = 'daily:USD' AND amount = 1100",
        [u.id],
      ),
    ).toBe(1);
    // Again: the same trade, nothing moves.
    const again = await h.post(`/v1/quotes/${q.body.id}/execute`, u);
    expect(again.status, again.text).toBe(200);
    expect(again.body.ledger_transaction_id).toBe(x.body.ledger_transaction_id);
    expect(await h.balance(u, 'USD')).toMatchObject({ available: '89.00' });
    await h.expectLedgerVerified();
  });

  it('a quote executed 20 times at once on the one-statement path moves money once', async () => {
    const u = await trader('racer_stmts', '100.00');
    const btcBefore = (await h.balance(u, 'BTC')).available;
    const q = await quote(u, '50.00');
    expect(q.status, q.text).toBe(201);
    sent.length = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => h.post(`/v1/quotes/${q.body.id}/execute`, u)),
    );
    expect(
      results.map((r) => r.status),
      results.map((r) => r.text).join('\n'),
    ).toEqual(Array.from({ length: 20 }, () => 200));
    // The racers did take the one statement (they raced on the quote's row in it).
    expect(sent.filter((s) => s.includes('wallet_claim_quote')).length).toBeGreaterThan(1);
    expect(new Set(results.map((r) => r.body.ledger_transaction_id)).size).toBe(1);
    expect(
      await count('SELECT count(*) AS n FROM ledger_idempotency WHERE key = $1', [
        `wallet:trade:${q.body.id}`,
      ]),
    ).toBe(1);
    expect(
      await count(
        "SELECT count(*) AS n FROM outbox_events WHERE type = 'trade.executed' AND aggregate_id = $1",
        [q.body.trade_id],
      ),
    ).toBe(1);
    expect(await h.balance(u, 'USD')).toMatchObject({ available: '49.00' });
    const btc = BigInt(
      Math.round(Number((await h.balance(u, 'BTC')).available) * 1e8) -
        Math.round(Number(btcBefore) * 1e8),
    );
    expect(btc).toBe(BigInt(Math.round(Number(q.body.receive_amount) * 1e8)));
    await h.expectLedgerVerified();
  });

  it('a refusal met on the one-statement path leaves nothing and answers as before', async () => {
    const u = await trader('refused_stmts', '20.00');
    const usage = () =>
      count(
        "SELECT amount AS n FROM wallet_limit_counters WHERE user_id = $1 AND counter = 'daily:USD'",
        [u.id],
      );
    // Expired: 409, nothing moves.
    const late = await quote(u, '5.00');
    h.clock.now += 60_000;
    let before = await h.snapshot();
    const expired = await h.post(`/v1/quotes/${late.body.id}/execute`, u);
    expect(expired.status, expired.text).toBe(409);
    expect(expired.body.error.code).toBe('quote_expired');
    expect(await h.snapshot()).toBe(before);
    // The money spent since the quote: the guard counted the limit, the ledger refused,
    // the statement left nothing, and the full path answers insufficient_funds.
    const dear = await quote(u, '15.00');
    expect(dear.status, dear.text).toBe(201);
    const other = await h.user('refused_payee');
    const spent = await h.post('/v1/payments', u, {
      to: `@${other.handle}`,
      asset: 'USD',
      amount: '10.00',
    });
    expect(spent.status, spent.text).toBe(201);
    const used = await usage();
    before = await h.snapshot();
    sent.length = 0;
    const poor = await h.post(`/v1/quotes/${dear.body.id}/execute`, u);
    expect(poor.status, poor.text).toBe(402);
    expect(poor.body.error.code).toBe('insufficient_funds');
    const guarded = sent.findIndex((s) => s.includes('wallet_claim_quote'));
    expect(guarded).toBeGreaterThan(-1);
    expect(sent.indexOf('BEGIN')).toBeGreaterThan(guarded);
    expect(await h.snapshot()).toBe(before);
    expect(await usage()).toBe(used);
    const open = await h.t.request('GET', `/v1/quotes/${dear.body.id}`, { token: u.token });
    expect(open.body.status).toBe('open');
    // Frozen: 403, nothing moves.
    const small = await quote(u, '1.00');
    await h.t.vw.wallet.freeze({ type: 'system', id: 'test' }, u.id, 'review');
    before = await h.snapshot();
    const frozen = await h.post(`/v1/quotes/${small.body.id}/execute`, u);
    expect(frozen.status, frozen.text).toBe(403);
    expect(frozen.body.error.code).toBe('account_frozen');
    expect(await h.snapshot()).toBe(before);
    await h.expectLedgerVerified();
  });

  it('trades racing a daily limit on the one-statement path never exceed it', async () => {
    // Unverified: 100.00 USD per transaction, 250.00 a day, 5 movements an hour.
    const u = await h.user('limited_trader', 'unverified');
    await h.fund(u, 'USD', '1000.00');
    const warm = await quote(u, '1.00');
    expect((await h.post(`/v1/quotes/${warm.body.id}/execute`, u)).status).toBe(200);
    const quotes = [];
    for (let i = 0; i < 8; i++) {
      const q = await quote(u, '100.00');
      expect(q.status, q.text).toBe(201);
      quotes.push(q.body.id as string);
    }
    sent.length = 0;
    const results = await Promise.all(quotes.map((id) => h.post(`/v1/quotes/${id}/execute`, u)));
    expect(sent.filter((s) => s.includes('wallet_claim_quote')).length).toBeGreaterThan(1);
    // 249.00 left today: two trades of 100.00, the other six refused, nothing of them kept.
    expect(results.map((r) => r.status).sort(), results.map((r) => r.text).join('\n')).toEqual([
      200, 200, 409, 409, 409, 409, 409, 409,
    ]);
    for (const r of results.filter((x) => x.status !== 200)) {
      expect(r.body.error.code).toBe('daily_limit_exceeded');
    }
    expect(await h.balance(u, 'USD')).toMatchObject({ available: '799.00' });
    expect(
      await count(
        "SELECT amount AS n FROM wallet_limit_counters WHERE user_id = $1 AND counter = 'daily:USD'",
        [u.id],
      ),
    ).toBe(20100);
    await h.expectLedgerVerified();
  });

  it("a quote's Idempotency-Key answers the same quote, refuses another, and raced makes one", async () => {
    const u = await trader('keyed_trader', '100.00');
    const results = await Promise.all(
      Array.from({ length: 10 }, () => quote(u, '2.00', 'quote-key')),
    );
    const made = results.filter((r) => r.status === 201);
    expect(made, results.map((r) => r.text).join('\n')).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 201)) {
      expect(r.status, r.text).toBe(200);
      expect(r.headers.get('idempotent-replayed')).toBe('true');
      expect(r.body.id).toBe(made[0]?.body.id);
    }
    expect(
      await count(
        "SELECT count(*) AS n FROM wallet_quotes WHERE user_id = $1 AND request_key = 'quote-key'",
        [u.id],
      ),
    ).toBe(1);
    // Another request under the key: refused, nothing written.
    const before = await h.snapshot();
    const other = await quote(u, '3.00', 'quote-key');
    expect(other.status, other.text).toBe(409);
    expect(other.body.error).toMatchObject({
      type: 'idempotency_error',
      code: 'idempotency_conflict',
      param: 'Idempotency-Key',
    });
    expect(await h.snapshot()).toBe(before);
    // Executed since: the key answers the quote as it stands now.
    const id = made[0]?.body.id as string;
    expect((await h.post(`/v1/quotes/${id}/execute`, u)).status).toBe(200);
    const late = await quote(u, '2.00', 'quote-key');
    expect(late.status, late.text).toBe(200);
    expect(late.body).toMatchObject({ id, status: 'executed' });
  });

  it('asking with an Idempotency-Key is one statement of its own; the key answers, refuses or, raced, makes one', async () => {
    const asker = await h.user('keyed_ask');
    const payer = await h.user('keyed_ask_payer');
    expect((await h.t.request('GET', '/v1/me', { token: asker.token })).status).toBe(200);
    const ask = (amount: string, key: string) =>
      h.post(
        '/v1/payment_requests',
        asker,
        { from: `@${payer.handle}`, asset: 'USD', amount },
        key,
      );
    sent.length = 0;
    const first = await ask('1.50', 'ask-1');
    expect(first.status, first.text).toBe(201);
    const asking = ofRequests(sent).filter(
      (s) => !s.includes('FROM users') && !s.includes('FROM sessions'),
    );
    expect(asking, brief(sent)).toHaveLength(1);
    expect(asking[0]).toContain('INSERT INTO wallet_payment_requests');
    expect(sent.some((s) => s.includes('idempotency_keys'))).toBe(false);
    const again = await ask('1.50', 'ask-1');
    expect(again.status, again.text).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    const before = await h.snapshot();
    const conflict = await ask('2.50', 'ask-1');
    expect(conflict.status, conflict.text).toBe(409);
    expect(conflict.body.error.code).toBe('idempotency_conflict');
    expect(await h.snapshot()).toBe(before);

    const raced = await Promise.all(Array.from({ length: 10 }, () => ask('3.00', 'ask-race')));
    expect(raced.filter((r) => r.status === 201)).toHaveLength(1);
    expect(new Set(raced.map((r) => r.body.id)).size, raced.map((r) => r.text).join('\n')).toBe(1);
    const id = raced[0]?.body.id as string;
    expect(
      await count(
        "SELECT count(*) AS n FROM outbox_events WHERE type = 'payment_request.created' AND aggregate_id = $1",
        [id],
      ),
    ).toBe(1);
    expect(
      await count(
        "SELECT count(*) AS n FROM wallet_payment_requests WHERE requester_id = $1 AND request_key = 'ask-race'",
        [asker.id],
      ),
    ).toBe(1);
  });
});
