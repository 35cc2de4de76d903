import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createWalletHarness,
  type TestUser,
  type WalletHarness,
} from '../../test/fixtures/wallet/harness.js';

/**
 * Races on a real PostgreSQL server, through the HTTP layer (in-process, on a pool of
 * connections): every money and limit guard must hold when requests arrive together.
 */

const BIG = { USD: '1000000.00', BTC: '100', ETH: '1000', EUR: '1000000.00', USDC: '1000000' };
const LIMITS = JSON.stringify({
  // The daily-limit race: 100.00 per payment, 250.00 a day.
  unverified: {
    perTransaction: { ...BIG, USD: '100.00' },
    daily: { ...BIG, USD: '250.00' },
    perHour: 100000,
  },
  verified: { perTransaction: BIG, daily: BIG, perHour: 100000 },
  // The velocity race: 7 movements an hour.
  enhanced: { perTransaction: BIG, daily: BIG, perHour: 7 },
});

let h: WalletHarness;

beforeAll(async () => {
  h = await createWalletHarness({ VW_WALLET_LIMITS: LIMITS });
});

afterAll(async () => {
  await h.close();
});

const post: WalletHarness['post'] = (...args) => h.post(...args);

const expectLedgerVerified = () => h.expectLedgerVerified();

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await h.t.vw.db.query<{ n: bigint }>(sql, params);
  return Number(rows[0]?.n ?? 0n);
}

/** Samples an account's available balance until stopped; resolves with the lowest seen. */
function watchLowest(accountId: string): { stop(): Promise<bigint> } {
  const state = { running: true };
  const lowest = (async () => {
    let min: bigint | undefined;
    for (let i = 0; state.running && i < 100_000; i++) {
      const a = await h.t.vw.ledger.getAccount(accountId);
      const b = a?.balance;
      if (b) for (const v of [b.posted, b.available]) if (min === undefined || v < min) min = v;
    }
    return min ?? 0n;
  })();
  return {
    stop() {
      state.running = false;
      return lowest;
    },
  };
}

function statuses(rs: { status: number }[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const r of rs) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
}

describe('concurrency on PostgreSQL', () => {
  it('200 concurrent payments from an account that can afford 37: exactly 37 succeed', async () => {
    const payer = await h.user('payer');
    const payee = await h.user('payee');
    await h.fund(payer, 'USD', '37.00');
    const account = await h.t.vw.ledger.findAccount(payer.id, 'USD');
    if (!account) throw new Error('no account');
    const watch = watchLowest(account.id);
    // Half carry an Idempotency-Key (their own), so both request paths race.
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        post(
          '/v1/payments',
          payer,
          { to: '@payee', asset: 'USD', amount: '1.00' },
          i % 2 === 0 ? `race-${i}` : undefined,
        ),
      ),
    );
    const lowest = await watch.stop();
    expect(statuses(results)).toEqual({ 201: 37, 402: 163 });
    for (const r of results.filter((x) => x.status === 402)) {
      expect(r.body.error.code).toBe('insufficient_funds');
    }
    expect(lowest >= 0n).toBe(true);
    expect(await h.balance(payer, 'USD')).toMatchObject({ available: '0.00', total: '0.00' });
    expect(await h.balance(payee, 'USD')).toMatchObject({ available: '37.00' });
    expect(
      await count('SELECT count(*) AS n FROM wallet_payments WHERE payer_id = $1', [payer.id]),
    ).toBe(37);
    // Refused payments gave back the limit usage they took.
    const { rows } = await h.t.vw.db.query<{ amount: string }>(
      "SELECT amount::text AS amount FROM wallet_limit_counters WHERE user_id = $1 AND counter = 'daily:USD'",
      [payer.id],
    );
    expect(rows[0]?.amount).toBe('3700');
    await expectLedgerVerified();
  });

  it('payments both ways between two users at once never deadlock', async () => {
    const a = await h.user('alpha');
    const b = await h.user('bravo');
    await h.fund(a, 'USD', '100.00');
    await h.fund(b, 'USD', '100.00');
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        i % 2 === 0
          ? post('/v1/payments', a, { to: '@bravo', asset: 'USD', amount: '1.00' })
          : post('/v1/payments', b, { to: '@alpha', asset: 'USD', amount: '1.00' }),
      ),
    );
    expect(statuses(results)).toEqual({ 201: 60 });
    expect(await h.balance(a, 'USD')).toMatchObject({ available: '100.00' });
    await expectLedgerVerified();
  });

  it('a quote executed 25 times at once moves money once', async () => {
    const trader = await h.user('trader');
    await h.fund(trader, 'USD', '1000.00');
    const q = await post('/v1/quotes', trader, { from: 'USD', to: 'BTC', spend_amount: '500.00' });
    expect(q.status, q.text).toBe(201);
    const results = await Promise.all(
      Array.from({ length: 25 }, () => post(`/v1/quotes/${q.body.id}/execute`, trader)),
    );
    expect(statuses(results)).toEqual({ 200: 25 });
    expect(new Set(results.map((r) => r.body.ledger_transaction_id)).size).toBe(1);
    expect(
      await count('SELECT count(*) AS n FROM ledger_idempotency WHERE key = $1', [
        `wallet:trade:${q.body.id}`,
      ]),
    ).toBe(1);
    expect(await h.balance(trader, 'USD')).toMatchObject({ available: '500.00' });
    expect(await h.balance(trader, 'BTC')).toMatchObject({ available: q.body.receive_amount });
    expect(
      await count(
        "SELECT count(*) AS n FROM outbox_events WHERE type = 'trade.executed' AND aggregate_id = $1",
        [q.body.trade_id],
      ),
    ).toBe(1);
    await expectLedgerVerified();
  });

  it('one Idempotency-Key raced 20 times through HTTP makes one payment', async () => {
    const u = await h.user('keyed');
    await h.user('keyee');
    await h.fund(u, 'USD', '100.00');
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        post('/v1/payments', u, { to: '@keyee', asset: 'USD', amount: '3.00' }, 'same-key'),
      ),
    );
    // One pays; every other one waits for it on the payment's key and answers that
    // payment (no 409 to retry: the key is the wallet's own, all the way down).
    const paid = results.filter((r) => r.status === 201);
    const replayed = results.filter((r) => r.status !== 201);
    expect(paid).toHaveLength(1);
    for (const r of replayed) {
      expect(r.status, r.text).toBe(200);
      expect(r.headers.get('idempotent-replayed')).toBe('true');
      expect(r.body.id).toBe(paid[0]?.body.id);
    }
    expect(await h.balance(u, 'USD')).toMatchObject({ available: '97.00' });
  });

  it('one request key raced 20 times below HTTP (no middleware) makes one payment', async () => {
    const u = await h.user('direct');
    const to = await h.user('directee');
    await h.fund(u, 'USD', '100.00');
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        h.t.vw.wallet.pay({
          payerId: u.id,
          to: to.id,
          asset: 'USD',
          amount: '4.00',
          requestKey: 'k1',
        }),
      ),
    );
    const ids = new Set(results.map((r) => (r.ok ? r.payment.id : r.code)));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.ok && !r.replayed)).toHaveLength(1);
    expect(await h.balance(u, 'USD')).toMatchObject({ available: '96.00' });
    const { rows } = await h.t.vw.db.query<{ amount: string }>(
      "SELECT amount::text AS amount FROM wallet_limit_counters WHERE user_id = $1 AND counter = 'daily:USD'",
      [u.id],
    );
    expect(rows[0]?.amount).toBe('400');
    await expectLedgerVerified();
  });

  it('a daily limit raced by 40 payments is never exceeded', async () => {
    const u = await h.user('limited', 'unverified');
    await h.user('limitee');
    await h.fund(u, 'USD', '1000.00');
    const results = await Promise.all(
      Array.from({ length: 40 }, () =>
        post('/v1/payments', u, { to: '@limitee', asset: 'USD', amount: '10.00' }),
      ),
    );
    expect(statuses(results)).toEqual({ 201: 25, 409: 15 });
    expect(
      results
        .filter((r) => r.status === 409)
        .every((r) => r.body.error.code === 'daily_limit_exceeded'),
    ).toBe(true);
    expect(await h.balance(u, 'USD')).toMatchObject({ available: '750.00' });
  });

  it('a velocity limit raced by 30 movements lets exactly its number through', async () => {
    const u = await h.user('fast', 'enhanced');
    await h.user('fastee');
    await h.fund(u, 'USD', '1000.00');
    const results = await Promise.all(
      Array.from({ length: 30 }, () =>
        post('/v1/payments', u, { to: '@fastee', asset: 'USD', amount: '1.00' }),
      ),
    );
    expect(statuses(results)).toEqual({ 201: 7, 429: 23 });
  });

  it('50 concurrent bank withdrawals from an account that can afford 10: exactly 10 are held', async () => {
    const u = await h.user('withdrawer');
    await h.fund(u, 'USD', '100.00');
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        post('/v1/fiat_withdrawals', u, { asset: 'USD', amount: '10.00', destination: 'acct_w' }),
      ),
    );
    expect(statuses(results)).toEqual({ 201: 10, 402: 40 });
    expect(await h.balance(u, 'USD')).toEqual({
      available: '0.00',
      held: '100.00',
      total: '100.00',
    });
    await h.t.vw.jobs.runDue({ limit: 100 });
    expect(await h.balance(u, 'USD')).toEqual({ available: '0.00', held: '0.00', total: '0.00' });
    await expectLedgerVerified();
  });

  it('a payment request paid 10 times at once is paid once', async () => {
    const asker = await h.user('asker');
    const giver = await h.user('giver');
    await h.fund(giver, 'USD', '100.00');
    const ask = await post('/v1/payment_requests', asker, {
      from: '@giver',
      asset: 'USD',
      amount: '9.99',
    });
    const results = await Promise.all(
      Array.from({ length: 10 }, () => post(`/v1/payment_requests/${ask.body.id}/pay`, giver)),
    );
    expect(statuses(results)).toEqual({ 200: 1, 409: 9 });
    expect(await h.balance(asker, 'USD')).toMatchObject({ available: '9.99' });
  });

  it('payments of many payers raced together (grouped in one statement) answer and move exactly as alone', async () => {
    // Many payers with payments in flight at once: the one-statement path groups them
    // (payments.ts, fastPayments). Refusals of every kind are mixed in, so groups decline
    // and their payments go alone; every answer and every balance must be exact.
    const ops = await h.user('gops');
    await h.t.vw.identity.changeRole(ops.id, 'operator', { type: 'system', id: 'test' });
    const sink = await h.user('gsink');
    const frozenPayee = await h.user('gfrozenpayee');
    const a = await h.user('galpha');
    const b = await h.user('gbravo');
    await h.fund(a, 'USD', '50.00');
    await h.fund(b, 'USD', '50.00');
    // kind: how many payers, their tier, funds, payee, amount, and what 12 attempts each get.
    const kinds = {
      rich: { n: 4, tier: 'verified', funds: '100.00', to: '@gsink', amount: '1.00' },
      poor: { n: 3, tier: 'verified', funds: '3.00', to: '@gsink', amount: '1.00' },
      frozen: { n: 2, tier: 'verified', funds: '100.00', to: '@gsink', amount: '1.00' },
      limited: { n: 2, tier: 'unverified', funds: '1000.00', to: '@gsink', amount: '30.00' },
      fast: { n: 2, tier: 'enhanced', funds: '100.00', to: '@gsink', amount: '1.00' },
      toFrozen: { n: 2, tier: 'verified', funds: '100.00', to: '@gfrozenpayee', amount: '1.00' },
    } as const;
    const payers: {
      kind: keyof typeof kinds | 'a' | 'b';
      user: TestUser;
      to: string;
      amount: string;
    }[] = [
      { kind: 'a', user: a, to: '@gbravo', amount: '1.00' },
      { kind: 'b', user: b, to: '@galpha', amount: '1.00' },
    ];
    for (const [kind, k] of Object.entries(kinds) as [
      keyof typeof kinds,
      (typeof kinds)[keyof typeof kinds],
    ][]) {
      for (let i = 0; i < k.n; i++) {
        const user = await h.user(`g${kind.toLowerCase()}${i}`, k.tier);
        await h.fund(user, 'USD', k.funds);
        payers.push({ kind, user, to: k.to, amount: k.amount });
      }
    }
    // Every payer has paid once (0.01 to its payee), so the process knows the accounts
    // and the race takes the one-statement path from its first payment.
    for (const p of payers) {
      const r = await post('/v1/payments', p.user, { to: p.to, asset: 'USD', amount: '0.01' });
      expect(r.status).toBe(201);
    }
    for (const p of payers.filter((x) => x.kind === 'frozen')) {
      const r = await post(`/v1/admin/wallets/@${p.user.handle}/freeze`, ops, { reason: 'Group' });
      expect(r.status).toBe(200);
    }
    const r0 = await post('/v1/admin/wallets/@gfrozenpayee/freeze', ops, { reason: 'Group' });
    expect(r0.status).toBe(200);
    const calls = Array.from({ length: 12 }, (_, i) => payers.map((p) => ({ ...p, i }))).flat();
    const results = await Promise.all(
      calls.map(async (c) => ({
        c,
        r: await post(
          '/v1/payments',
          c.user,
          { to: c.to, asset: 'USD', amount: c.amount },
          c.i % 2 === 0 ? `group-${c.user.handle}-${c.i}` : undefined,
        ),
      })),
    );
    const answers = new Map<TestUser, Record<string, number>>();
    for (const { c, r } of results) {
      const key = r.status === 201 ? '201' : `${r.status} ${r.body.error.code}`;
      const k = answers.get(c.user) ?? {};
      k[key] = (k[key] ?? 0) + 1;
      answers.set(c.user, k);
    }
    const expected = {
      a: { 201: 12 },
      b: { 201: 12 },
      rich: { 201: 12 },
      // 3.00 less the priming 0.01: two payments of 1.00.
      poor: { 201: 2, '402 insufficient_funds': 10 },
      frozen: { '403 account_frozen': 12 },
      // 250.00 a day less the priming 0.01: eight payments of 30.00.
      limited: { 201: 8, '409 daily_limit_exceeded': 4 },
      // 7 movements an hour, the priming payment one of them.
      fast: { 201: 6, '429 velocity_limit_exceeded': 6 },
      toFrozen: { '409 recipient_unavailable': 12 },
    };
    for (const p of payers)
      expect([p.kind, answers.get(p.user)]).toEqual([p.kind, expected[p.kind]]);
    const paid = {
      rich: '87.99',
      poor: '0.99',
      frozen: '99.99',
      limited: '759.99',
      fast: '93.99',
      toFrozen: '99.99',
    };
    for (const p of payers) {
      if (p.kind === 'a' || p.kind === 'b') continue;
      expect([p.kind, (await h.balance(p.user, 'USD')).available]).toEqual([p.kind, paid[p.kind]]);
    }
    expect(await h.balance(a, 'USD')).toMatchObject({ available: '50.00' });
    expect(await h.balance(b, 'USD')).toMatchObject({ available: '50.00' });
    expect(await h.balance(frozenPayee, 'USD')).toMatchObject({ available: '0.02' });
    // rich 4 × 12, poor 3 × 2, limited 2 × 8 × 30, fast 2 × 6, and the priming 0.01s.
    expect(await h.balance(sink, 'USD')).toMatchObject({ available: '546.13', total: '546.13' });
    // One payment row, one payer activity row and one event per payment made, no more.
    const made = 2 * 12 + 4 * 12 + 3 * 2 + 2 * 8 + 2 * 6 + payers.length;
    const ids = payers.map((p) => p.user.id);
    for (const sql of [
      'SELECT count(*) AS n FROM wallet_payments WHERE payer_id = ANY ($1::text[])',
      `SELECT count(*) AS n FROM wallet_activity
        WHERE type = 'payment' AND amount < 0 AND user_id = ANY ($1::text[])`,
      `SELECT count(*) AS n FROM outbox_events e JOIN wallet_payments p ON p.id = e.aggregate_id
        WHERE e.type = 'payment.completed' AND p.payer_id = ANY ($1::text[])`,
    ]) {
      expect([sql, await count(sql, [ids])]).toEqual([sql, made]);
    }
    // Refused payments gave back the limit usage they took.
    const { rows } = await h.t.vw.db.query<{ amount: string }>(
      `SELECT amount::text AS amount FROM wallet_limit_counters
        WHERE user_id = ANY ($1::text[]) AND counter = 'daily:USD' ORDER BY user_id`,
      [payers.filter((p) => p.kind === 'poor' || p.kind === 'limited').map((p) => p.user.id)],
    );
    expect(rows.map((r) => r.amount).sort()).toEqual(['201', '201', '201', '24001', '24001']);
    // Then only payments that go through: groups that commit whole.
    const clean = payers.filter((p) => p.kind === 'rich' || p.kind === 'a' || p.kind === 'b');
    const again = await Promise.all(
      Array.from({ length: 10 }, () => clean)
        .flat()
        .map((p) => post('/v1/payments', p.user, { to: p.to, asset: 'USD', amount: '2.00' })),
    );
    expect(statuses(again)).toEqual({ 201: 60 });
    for (const p of clean.filter((x) => x.kind === 'rich')) {
      expect((await h.balance(p.user, 'USD')).available).toBe('67.99');
    }
    expect(await h.balance(a, 'USD')).toMatchObject({ available: '50.00' });
    expect(await h.balance(sink, 'USD')).toMatchObject({ available: '626.13' });
    await expectLedgerVerified();
  });

  it('a freeze raced with payments: once it answers, no payment gets through', async () => {
    const u = await h.user('racer');
    await h.user('racee');
    await h.fund(u, 'USD', '100.00');
    const ops = await h.user('racerops');
    await h.t.vw.identity.changeRole(ops.id, 'operator', { type: 'system', id: 'test' });
    const pay = () => post('/v1/payments', u, { to: '@racee', asset: 'USD', amount: '1.00' });
    const early = Array.from({ length: 20 }, pay);
    const freeze = await post('/v1/admin/wallets/@racer/freeze', ops, { reason: 'Race test' });
    expect(freeze.status).toBe(200);
    const late = await Promise.all(Array.from({ length: 20 }, pay));
    expect(statuses(late)).toEqual({ 403: 20 });
    const before = statuses(await Promise.all(early));
    expect((before[201] ?? 0) + (before[403] ?? 0)).toBe(20);
    expect(
      await count('SELECT count(*) AS n FROM wallet_payments WHERE payer_id = $1', [u.id]),
    ).toBe(before[201] ?? 0);
    await expectLedgerVerified();
  });
});
