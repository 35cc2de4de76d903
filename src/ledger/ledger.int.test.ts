import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../test/support/db.js';
import type { Db } from '../platform/db/db.js';
import { runLedgerVerify } from './cli.js';
import { LedgerError } from './errors.js';
import type { LedgerTransaction } from './model.js';
import { createLedgerService, type LedgerService } from './service.js';
import { verifyLedger } from './verify.js';

/**
 * The ledger's behaviour through its public interface, on PGlite and on PostgreSQL.
 * Concurrency lives in ledger.pg.test.ts.
 */

let t: TestDb;
let db: Db;
let ledger: LedgerService;
let now = new Date('2030-01-01T00:00:00.000Z');
let seq = 0;
const key = (label: string) => `test:${label}:${++seq}`;

beforeAll(async () => {
  t = await createTestDb();
  db = t.db;
  ledger = createLedgerService({ db, clock: () => now });
  for (const [code, kind, scale] of [
    ['USD', 'fiat', 2],
    ['BTC', 'crypto', 8],
    ['ETH', 'crypto', 18],
    ['USDC', 'crypto', 6],
  ] as const) {
    const r = await ledger.createAsset({ code, kind, scale });
    expect(r.ok).toBe(true);
  }
});

afterAll(async () => {
  await t.drop();
});

async function account(owner: string, asset = 'USD'): Promise<string> {
  const r = await ledger.openAccount({ owner, asset });
  if (!r.ok) throw new Error(r.message);
  return r.account.id;
}

async function house(kind: 'liquidity' | 'fees' | 'rounding' | 'settlement', asset = 'USD') {
  const r = await ledger.houseAccount(kind, asset);
  if (!r.ok) throw new Error(r.message);
  return r.account.id;
}

/** Deposits from the outside world (settlement) into an account. */
async function fund(to: string, amount: bigint, asset = 'USD'): Promise<LedgerTransaction> {
  const r = await ledger.transfer({
    key: key('fund'),
    from: await house('settlement', asset),
    to,
    asset,
    amount,
  });
  if (!r.ok) throw new Error(r.message);
  return r.transaction;
}

async function available(id: string): Promise<bigint> {
  const a = await ledger.getAccount(id);
  if (!a) throw new Error(`no account ${id}`);
  return a.balance.available;
}

/** Everything the ledger has written, to prove a refusal wrote nothing. */
async function snapshot(): Promise<string> {
  const { rows } = await db.query<{ s: string }>(
    `SELECT concat_ws('|',
       (SELECT count(*) FROM ledger_transactions), (SELECT count(*) FROM ledger_entries),
       (SELECT count(*) FROM ledger_holds), (SELECT count(*) FROM ledger_idempotency),
       (SELECT count(*) FROM ledger_holds WHERE status = 'pending'),
       (SELECT string_agg(concat_ws(':', id, debits_posted, credits_posted, debits_pending, credits_pending, status), ',' ORDER BY id)
          FROM ledger_accounts),
       (SELECT string_agg(concat_ws(':', account_id, slot, debits_posted, credits_posted, debits_pending, credits_pending), ',' ORDER BY account_id, slot)
          FROM ledger_balance_slots)) AS s`,
  );
  return rows[0]?.s ?? '';
}

describe('assets', () => {
  it('registers an asset with its four house accounts, once', async () => {
    const again = await ledger.createAsset({ code: 'USD', kind: 'fiat', scale: 2 });
    expect(again).toMatchObject({ ok: true, created: false, asset: { code: 'USD', scale: 2 } });
    const sides = await Promise.all(
      (['liquidity', 'fees', 'rounding', 'settlement'] as const).map(async (k) => {
        const r = await ledger.houseAccount(k, 'BTC');
        return r.ok ? [k, r.account.normalSide, r.account.mayGoNegative] : [k, r.code];
      }),
    );
    expect(sides).toEqual([
      ['liquidity', 'credit', true],
      ['fees', 'credit', true],
      ['rounding', 'credit', true],
      ['settlement', 'debit', true],
    ]);
    expect((await ledger.listAssets()).map((a) => `${a.code}/${a.scale}`)).toEqual([
      'BTC/8',
      'ETH/18',
      'USD/2',
      'USDC/6',
    ]);
  });

  it('refuses to change a scale, and bad definitions', async () => {
    expect(await ledger.createAsset({ code: 'USD', kind: 'fiat', scale: 3 })).toMatchObject({
      ok: false,
      code: LedgerError.AssetExists,
    });
    for (const bad of [
      { code: 'usd', kind: 'fiat' as const, scale: 2 },
      { code: 'X', kind: 'fiat' as const, scale: 2 },
      { code: 'EUR', kind: 'fiat' as const, scale: 37 },
      { code: 'EUR', kind: 'fiat' as const, scale: 1.5 },
      { code: 'EUR', kind: 'paper' as 'fiat', scale: 2 },
    ]) {
      expect(await ledger.createAsset(bad)).toMatchObject({
        ok: false,
        code: LedgerError.InvalidAsset,
      });
    }
    await expect(db.query(`UPDATE ledger_assets SET scale = 3 WHERE code = 'USD'`)).rejects.toThrow(
      /fixed/,
    );
  });

  it('parses amounts at the asset scale with typed errors', async () => {
    expect(await ledger.parseAmount('USD', '12.50')).toMatchObject({ ok: true, amount: 1250n });
    expect(await ledger.parseAmount('ETH', '1.000000000000000001')).toMatchObject({
      ok: true,
      amount: 10n ** 18n + 1n,
    });
    const cases: [string, string, LedgerError][] = [
      ['USD', '1.001', LedgerError.AmountTooPrecise],
      ['USD', '-1', LedgerError.AmountNegative],
      ['USD', '0', LedgerError.AmountZero],
      ['USD', '0.00', LedgerError.AmountZero],
      ['USD', '12,50', LedgerError.AmountMalformed],
      ['USD', '1e3', LedgerError.AmountMalformed],
      ['XYZ', '1', LedgerError.UnknownAsset],
    ];
    for (const [asset, text, error] of cases) {
      expect(await ledger.parseAmount(asset, text)).toMatchObject({ ok: false, code: error });
    }
  });
});

describe('accounts', () => {
  it('opens one account per owner and asset', async () => {
    const a = await ledger.openAccount({ owner: 'usr_acc', asset: 'USD' });
    const b = await ledger.openAccount({ owner: 'usr_acc', asset: 'USD' });
    const c = await ledger.openAccount({ owner: 'usr_acc', asset: 'BTC' });
    expect(a).toMatchObject({ ok: true, created: true });
    expect(b).toMatchObject({ ok: true, created: false });
    expect(a.ok && b.ok && a.account.id === b.account.id).toBe(true);
    expect(c).toMatchObject({ ok: true, account: { normalSide: 'credit', mayGoNegative: false } });
    expect((await ledger.listAccounts('usr_acc')).map((x) => x.asset).sort()).toEqual([
      'BTC',
      'USD',
    ]);
    expect(
      await ledger.openAccount({ owner: 'usr_acc', asset: 'USD', mayGoNegative: true }),
    ).toMatchObject({
      ok: false,
      code: LedgerError.InvalidRequest,
    });
    expect(await ledger.openAccount({ owner: 'usr_acc', asset: 'NOPE' })).toMatchObject({
      ok: false,
      code: LedgerError.UnknownAsset,
    });
  });

  it('balance reads made together answer each owner with their own balances', async () => {
    // Reads asked for at once travel in one statement: each must still get its own.
    const owners = Array.from({ length: 12 }, (_, i) => `usr_bal_${i}`);
    for (const [i, owner] of owners.entries()) {
      if (i % 3 !== 0) await fund(await account(owner), BigInt(100 + i));
    }
    const reads = await Promise.all([...owners, ...owners].map((o) => ledger.listHoldings(o)));
    for (const [i, held] of reads.entries()) {
      const n = i % owners.length;
      const usd = held.find((h) => h.asset === 'USD');
      const btc = held.find((h) => h.asset === 'BTC');
      expect(usd).toMatchObject({ kind: 'fiat', scale: 2 });
      expect(btc).toMatchObject({ kind: 'crypto', balance: { posted: 0n, available: 0n } });
      expect(usd?.balance).toMatchObject(
        n % 3 === 0
          ? { posted: 0n, available: 0n }
          : { posted: BigInt(100 + n), available: BigInt(100 + n), pendingDebits: 0n },
      );
      expect(held.map((h) => h.asset)).toEqual([...held.map((h) => h.asset)].sort());
    }
  });

  it('a balance read inside a transaction sees that transaction’s writes', async () => {
    const id = await account('usr_bal_tx');
    await db.transaction(async () => {
      await fund(id, 7n);
      const usd = (held: Awaited<ReturnType<LedgerService['listHoldings']>>) =>
        held.find((h) => h.asset === 'USD')?.balance.available;
      expect(usd(await ledger.listHoldings('usr_bal_tx'))).toBe(7n);
      // Not committed yet: a read from outside does not see it (PGlite has one
      // connection, which the transaction holds).
      if (db.kind === 'postgres') {
        const outside = await db.detached(() => ledger.listHoldings('usr_bal_tx'));
        expect(usd(outside)).toBe(0n);
      }
    });
  });
});

describe('transfers', () => {
  it('moves money between accounts and records a balanced transaction', async () => {
    const alice = await account('usr_alice');
    const bob = await account('usr_bob');
    await fund(alice, 10_000n);
    const r = await ledger.transfer({
      key: key('pay'),
      from: alice,
      to: bob,
      asset: 'USD',
      amount: 1250n,
      description: 'Dinner',
      metadata: { paymentId: 'pay_1', split: 2, shared: true, note: null },
    });
    expect(r).toMatchObject({
      ok: true,
      replayed: false,
      transaction: {
        kind: 'transfer',
        description: 'Dinner',
        metadata: { paymentId: 'pay_1', split: 2, shared: true, note: null },
        effectiveAt: now,
        entries: [
          { accountId: alice, asset: 'USD', direction: 'debit', amount: 1250n },
          { accountId: bob, asset: 'USD', direction: 'credit', amount: 1250n },
        ],
      },
    });
    expect(await available(alice)).toBe(8750n);
    expect(await available(bob)).toBe(1250n);
    const stored = r.ok ? await ledger.getTransaction(r.transaction.id) : undefined;
    expect(stored).toEqual(r.ok ? r.transaction : undefined);
  });

  it('keeps 18-decimal amounts in the billions exact', async () => {
    const whale = await account('usr_whale', 'ETH');
    const billions = 5_000_000_000n * 10n ** 18n + 1n; // 5e9 ETH and one wei
    await fund(whale, billions, 'ETH');
    await fund(whale, billions, 'ETH');
    const a = await ledger.getAccount(whale);
    expect(a?.balance.posted).toBe(2n * billions);
  });

  it('refuses bad input with a typed error and writes nothing', async () => {
    const payer = await account('usr_payer');
    const payee = await account('usr_payee');
    const btc = await account('usr_payee', 'BTC');
    await fund(payer, 500n);
    const frozen = await account('usr_frozen');
    await fund(frozen, 500n);
    expect(await ledger.setAccountStatus(frozen, 'frozen')).toMatchObject({
      ok: true,
      account: { status: 'frozen' },
    });
    const base = { key: key('bad'), from: payer, to: payee, asset: 'USD', amount: 100n };
    const cases: [Partial<typeof base> & Record<string, unknown>, LedgerError][] = [
      [{ amount: -100n }, LedgerError.AmountNegative],
      [{ amount: 0n }, LedgerError.AmountZero],
      [{ amount: 10n ** 70n }, LedgerError.AmountTooLarge],
      [{ amount: 1.5 as unknown as bigint }, LedgerError.AmountMalformed],
      [{ asset: 'XYZ' }, LedgerError.UnknownAsset],
      [{ to: btc }, LedgerError.AssetMismatch],
      [{ to: payer }, LedgerError.SameAccount],
      [{ to: 'lac_nope' }, LedgerError.UnknownAccount],
      [{ amount: 501n }, LedgerError.InsufficientFunds],
      [{ from: frozen }, LedgerError.AccountFrozen],
      [{ to: frozen }, LedgerError.AccountFrozen],
      [{ key: '' }, LedgerError.InvalidRequest],
      [{ key: 'has space' }, LedgerError.InvalidRequest],
      [{ metadata: { nested: { no: 1 } } }, LedgerError.InvalidRequest],
    ];
    const before = await snapshot();
    for (const [change, error] of cases) {
      const r = await ledger.transfer({
        ...base,
        ...change,
        key: change.key ?? key('bad'),
      });
      expect(
        r,
        JSON.stringify(change, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)),
      ).toMatchObject({
        ok: false,
        code: error,
      });
      expect(r.ok ? '' : r.message).not.toBe('');
    }
    expect(await snapshot()).toBe(before);
    expect(await available(payer)).toBe(500n);
  });

  it('posts multi-leg transactions balanced per asset, and refuses unbalanced ones', async () => {
    const buyer = await account('usr_buyer');
    const buyerBtc = await account('usr_buyer', 'BTC');
    await fund(buyer, 10_100n);
    const legs = [
      { accountId: buyer, asset: 'USD', direction: 'debit' as const, amount: 10_100n },
      {
        accountId: await house('liquidity'),
        asset: 'USD',
        direction: 'credit' as const,
        amount: 10_000n,
      },
      { accountId: await house('fees'), asset: 'USD', direction: 'credit' as const, amount: 100n },
      {
        accountId: await house('liquidity', 'BTC'),
        asset: 'BTC',
        direction: 'debit' as const,
        amount: 15_384n,
      },
      { accountId: buyerBtc, asset: 'BTC', direction: 'credit' as const, amount: 15_384n },
    ];
    const r = await ledger.post({ key: key('trade'), legs, metadata: { quoteId: 'quo_1' } });
    expect(r.ok).toBe(true);
    expect(await available(buyer)).toBe(0n);
    expect(await available(buyerBtc)).toBe(15_384n);

    const before = await snapshot();
    const unbalanced = legs.map((l, i) => (i === 4 ? { ...l, amount: 15_385n } : l));
    expect(await ledger.post({ key: key('trade'), legs: unbalanced })).toMatchObject({
      ok: false,
      code: LedgerError.Unbalanced,
    });
    const wrongAsset = legs.map((l, i) => (i === 4 ? { ...l, asset: 'USD' } : l));
    expect(await ledger.post({ key: key('trade'), legs: wrongAsset })).toMatchObject({
      ok: false,
      code: LedgerError.Unbalanced,
    });
    const mislabelled = legs.map((l, i) => (i === 3 || i === 4 ? { ...l, asset: 'ETH' } : l));
    expect(await ledger.post({ key: key('trade'), legs: mislabelled })).toMatchObject({
      ok: false,
      code: LedgerError.AssetMismatch,
    });
    expect(await ledger.post({ key: key('trade'), legs: legs.slice(0, 1) })).toMatchObject({
      ok: false,
      code: LedgerError.InvalidRequest,
    });
    expect(await snapshot()).toBe(before);
  });

  it('replays the same key and request, refuses the same key with another request', async () => {
    const from = await account('usr_idem_a');
    const to = await account('usr_idem_b');
    await fund(from, 1000n);
    const k = key('idem');
    const first = await ledger.transfer({ key: k, from, to, asset: 'USD', amount: 300n });
    const again = await ledger.transfer({ key: k, from, to, asset: 'USD', amount: 300n });
    expect(first).toMatchObject({ ok: true, replayed: false });
    expect(again).toMatchObject({ ok: true, replayed: true });
    expect(first.ok && again.ok && again.transaction).toEqual(first.ok && first.transaction);
    expect(await ledger.transfer({ key: k, from, to, asset: 'USD', amount: 301n })).toMatchObject({
      ok: false,
      code: LedgerError.IdempotencyConflict,
    });
    expect(
      await ledger.post({
        key: k,
        legs: [
          { accountId: from, asset: 'USD', direction: 'debit', amount: 300n },
          { accountId: to, asset: 'USD', direction: 'credit', amount: 300n },
        ],
      }),
    ).toMatchObject({ ok: false, code: LedgerError.IdempotencyConflict });
    expect(await available(from)).toBe(700n);
  });

  it('does not use up a key on a refusal: the same request succeeds once funds arrive', async () => {
    const from = await account('usr_retry_a');
    const to = await account('usr_retry_b');
    const k = key('retry');
    const request = { key: k, from, to, asset: 'USD', amount: 400n };
    expect(await ledger.transfer(request)).toMatchObject({
      ok: false,
      code: LedgerError.InsufficientFunds,
    });
    await fund(from, 400n);
    expect(await ledger.transfer(request)).toMatchObject({ ok: true, replayed: false });
    expect(await ledger.transfer(request)).toMatchObject({ ok: true, replayed: true });
    expect(await available(to)).toBe(400n);
  });

  it('applies a batch in order, each transfer on its own', async () => {
    const from = await account('usr_batch_a');
    const to = await account('usr_batch_b');
    await fund(from, 250n);
    const results = await ledger.transferBatch([
      { key: key('b'), from, to, asset: 'USD', amount: 100n },
      { key: key('b'), from, to, asset: 'USD', amount: 100n },
      { key: key('b'), from, to, asset: 'USD', amount: 100n }, // only 50 left
      { key: key('b'), from, to, asset: 'USD', amount: 50n },
      { key: key('b'), from, to, asset: 'USD', amount: 0n },
    ]);
    expect(results.map((r) => (r.ok ? 'ok' : r.code))).toEqual([
      'ok',
      'ok',
      LedgerError.InsufficientFunds,
      'ok',
      LedgerError.AmountZero,
    ]);
    expect(await available(from)).toBe(0n);
  });

  it('decides a batch the same whether or not it can be decided set-wise (migration 0013)', async () => {
    // Covered exactly: the balance pays for all of the batch's debits (set-wise path).
    const a = await account('usr_setwise_a');
    const b = await account('usr_setwise_b');
    const c = await account('usr_setwise_c');
    await fund(a, 300n);
    const exact = await ledger.transferBatch([
      { key: key('sw'), from: a, to: b, asset: 'USD', amount: 100n },
      { key: key('sw'), from: a, to: c, asset: 'USD', amount: 200n },
    ]);
    expect(exact.every((r) => r.ok)).toBe(true);
    expect([await available(a), await available(b), await available(c)]).toEqual([0n, 100n, 200n]);

    // One minor unit short in total: the first passes, the second is refused, nothing else moves.
    const short = await ledger.transferBatch([
      { key: key('sw'), from: b, to: a, asset: 'USD', amount: 60n },
      { key: key('sw'), from: b, to: c, asset: 'USD', amount: 41n },
    ]);
    expect(short.map((r) => (r.ok ? 'ok' : r.code))).toEqual(['ok', LedgerError.InsufficientFunds]);
    expect([await available(a), await available(b), await available(c)]).toEqual([60n, 40n, 200n]);

    // A debit that only an earlier credit in the same batch pays for: accepted, in order.
    const d = await account('usr_setwise_d');
    const chained = await ledger.transferBatch([
      { key: key('sw'), from: c, to: d, asset: 'USD', amount: 150n },
      { key: key('sw'), from: d, to: a, asset: 'USD', amount: 150n },
      { key: key('sw'), from: d, to: a, asset: 'USD', amount: 1n },
    ]);
    expect(chained.map((r) => (r.ok ? 'ok' : r.code))).toEqual([
      'ok',
      'ok',
      LedgerError.InsufficientFunds,
    ]);
    expect([await available(a), await available(c), await available(d)]).toEqual([210n, 50n, 0n]);

    // A frozen account in an otherwise affordable batch refuses only its own item.
    await ledger.setAccountStatus(c, 'frozen');
    const frozen = await ledger.transferBatch([
      { key: key('sw'), from: a, to: b, asset: 'USD', amount: 10n },
      { key: key('sw'), from: c, to: b, asset: 'USD', amount: 10n },
    ]);
    expect(frozen.map((r) => (r.ok ? 'ok' : r.code))).toEqual(['ok', LedgerError.AccountFrozen]);
    await ledger.setAccountStatus(c, 'active');
    expect((await verifyLedger(db)).ok).toBe(true);
  });

  it('applies an atomic batch entirely or not at all', async () => {
    const from = await account('usr_atomic_a');
    const to = await account('usr_atomic_b');
    await fund(from, 150n);
    const before = await snapshot();
    const refused = await ledger.transferBatch(
      [
        { key: key('a'), from, to, asset: 'USD', amount: 100n },
        { key: key('a'), from, to, asset: 'USD', amount: 100n },
      ],
      { atomic: true },
    );
    expect(refused.map((r) => (r.ok ? 'ok' : r.code))).toEqual([
      LedgerError.LinkedTransferFailed,
      LedgerError.InsufficientFunds,
    ]);
    expect(await snapshot()).toBe(before);
    const applied = await ledger.transferBatch(
      [
        { key: key('a'), from, to, asset: 'USD', amount: 100n },
        { key: key('a'), from, to, asset: 'USD', amount: 50n },
      ],
      { atomic: true },
    );
    expect(applied.every((r) => r.ok)).toBe(true);
    expect(await available(to)).toBe(150n);
  });

  it('joins the caller’s database transaction and rolls back with it', async () => {
    const from = await account('usr_ambient_a');
    const to = await account('usr_ambient_b');
    await fund(from, 100n);
    const before = await snapshot();
    await expect(
      db.transaction(async () => {
        const r = await ledger.transfer({ key: key('amb'), from, to, asset: 'USD', amount: 100n });
        expect(r.ok).toBe(true);
        throw new Error('the caller changed its mind');
      }),
    ).rejects.toThrow('changed its mind');
    expect(await snapshot()).toBe(before);
    await db.transaction(async () => {
      const r = await ledger.transfer({ key: key('amb'), from, to, asset: 'USD', amount: 100n });
      expect(r.ok).toBe(true);
    });
    expect(await available(to)).toBe(100n);
  });

  it('writes the caller’s alongside rows in the posting’s statement, only when it is applied', async () => {
    await db.exec('CREATE TABLE IF NOT EXISTS test_alongside (transaction_id text, note text)');
    const rows = async () =>
      (await db.query<{ transaction_id: string; note: string }>('SELECT * FROM test_alongside'))
        .rows;
    const from = await account('usr_along_a');
    const to = await account('usr_along_b');
    await fund(from, 100n);
    const paid = { key: key('along'), from, to, asset: 'USD', amount: 60n };
    const alongside = (note: string) => ({
      alongside: (posted: { transactionId: string }) => [
        {
          sql: 'INSERT INTO test_alongside SELECT $1, $2 FROM posted',
          params: [posted.transactionId, note],
        },
      ],
    });
    const r = await ledger.transfer(paid, alongside('first'));
    if (!r.ok) throw new Error(r.message);
    expect(await rows()).toEqual([{ transaction_id: r.transaction.id, note: 'first' }]);

    // A replay and a refusal write none of the caller's rows.
    const again = await ledger.transfer(paid, alongside('replay'));
    expect(again.ok && again.replayed).toBe(true);
    const refused = await ledger.transfer(
      { key: key('along'), from, to, asset: 'USD', amount: 41n },
      alongside('refused'),
    );
    expect(refused.ok ? 'ok' : refused.code).toBe(LedgerError.InsufficientFunds);
    expect(await rows()).toEqual([{ transaction_id: r.transaction.id, note: 'first' }]);
    expect(await available(to)).toBe(60n);
  });

  it('calls the events hook inside the same database transaction', async () => {
    const seen: { ids: string[]; inTransaction: boolean }[] = [];
    let fail = false;
    const withEvents = createLedgerService({
      db,
      clock: () => now,
      events: {
        transactionsPosted(txs) {
          seen.push({ ids: txs.map((x) => x.id), inTransaction: db.inTransaction() });
          return fail ? Promise.reject(new Error('outbox down')) : Promise.resolve();
        },
        holdsChanged: () => Promise.resolve(),
      },
    });
    const from = await account('usr_events_a');
    const to = await account('usr_events_b');
    await fund(from, 100n);
    const r = await withEvents.transfer({ key: key('ev'), from, to, asset: 'USD', amount: 60n });
    expect(r.ok).toBe(true);
    expect(seen).toEqual([{ ids: [r.ok ? r.transaction.id : ''], inTransaction: true }]);
    fail = true;
    const before = await snapshot();
    await expect(
      withEvents.transfer({ key: key('ev'), from, to, asset: 'USD', amount: 40n }),
    ).rejects.toThrow('outbox down');
    expect(await snapshot()).toBe(before);
  });
});

describe('reversals', () => {
  it('undoes a transaction once, linked to it', async () => {
    const from = await account('usr_rev_a');
    const to = await account('usr_rev_b');
    await fund(from, 1000n);
    const paid = await ledger.transfer({ key: key('p'), from, to, asset: 'USD', amount: 700n });
    if (!paid.ok) throw new Error(paid.message);
    const k = key('rev');
    const rev = await ledger.reverse({
      key: k,
      transactionId: paid.transaction.id,
      description: 'Refund',
    });
    expect(rev).toMatchObject({
      ok: true,
      transaction: {
        kind: 'reversal',
        reversesId: paid.transaction.id,
        entries: [
          { accountId: from, direction: 'credit', amount: 700n },
          { accountId: to, direction: 'debit', amount: 700n },
        ],
      },
    });
    expect(await available(from)).toBe(1000n);
    expect(await available(to)).toBe(0n);
    expect(
      await ledger.reverse({ key: k, transactionId: paid.transaction.id, description: 'Refund' }),
    ).toMatchObject({
      ok: true,
      replayed: true,
    });
    const before = await snapshot();
    expect(
      await ledger.reverse({ key: key('rev'), transactionId: paid.transaction.id }),
    ).toMatchObject({
      ok: false,
      code: LedgerError.AlreadyReversed,
    });
    expect(
      await ledger.reverse({ key: key('rev'), transactionId: rev.ok ? rev.transaction.id : '' }),
    ).toMatchObject({ ok: false, code: LedgerError.NotReversible });
    expect(await ledger.reverse({ key: key('rev'), transactionId: 'ltx_missing' })).toMatchObject({
      ok: false,
      code: LedgerError.UnknownTransaction,
    });
    expect(await snapshot()).toBe(before);
  });

  it('refuses to reverse a credit the receiver already spent', async () => {
    const from = await account('usr_rev_c');
    const to = await account('usr_rev_d');
    const elsewhere = await account('usr_rev_e');
    await fund(from, 500n);
    const paid = await ledger.transfer({ key: key('p'), from, to, asset: 'USD', amount: 500n });
    if (!paid.ok) throw new Error(paid.message);
    await ledger.transfer({ key: key('p'), from: to, to: elsewhere, asset: 'USD', amount: 300n });
    expect(
      await ledger.reverse({ key: key('rev'), transactionId: paid.transaction.id }),
    ).toMatchObject({
      ok: false,
      code: LedgerError.InsufficientFunds,
    });
  });
});

describe('point-in-time balances', () => {
  it('sums entries by effective time, including backdated ones', async () => {
    const acct = await account('usr_pit');
    const settlement = await house('settlement');
    const at = (iso: string) => new Date(iso);
    for (const [amount, effectiveAt] of [
      [100n, at('2029-01-10T00:00:00Z')],
      [200n, at('2029-02-10T00:00:00Z')],
      [400n, at('2029-01-20T00:00:00Z')], // recorded last, effective in between
    ] as const) {
      const r = await ledger.transfer({
        key: key('pit'),
        from: settlement,
        to: acct,
        asset: 'USD',
        amount,
        effectiveAt,
      });
      expect(r).toMatchObject({ ok: true, transaction: { effectiveAt } });
    }
    const balance = async (iso: string) => {
      const r = await ledger.balanceAt(acct, at(iso));
      return r.ok ? r.posted : r.code;
    };
    expect(await balance('2029-01-01T00:00:00Z')).toBe(0n);
    expect(await balance('2029-01-10T00:00:00Z')).toBe(100n);
    expect(await balance('2029-01-31T00:00:00Z')).toBe(500n);
    expect(await balance('2029-03-01T00:00:00Z')).toBe(700n);
    expect(await ledger.balanceAt('lac_missing', now)).toMatchObject({
      ok: false,
      code: LedgerError.UnknownAccount,
    });
  });
});

describe('holds', () => {
  it('counts pending holds against the available balance', async () => {
    const user = await account('usr_hold_a');
    const merchant = await account('usr_hold_m');
    await fund(user, 5000n);
    const holds = [];
    for (let i = 0; i < 5; i++) {
      holds.push(
        await ledger.createHold({
          key: key('h'),
          from: user,
          to: merchant,
          asset: 'USD',
          amount: 1000n,
        }),
      );
    }
    expect(holds.every((h) => h.ok)).toBe(true);
    const before = await snapshot();
    expect(
      await ledger.createHold({
        key: key('h'),
        from: user,
        to: merchant,
        asset: 'USD',
        amount: 1000n,
      }),
    ).toMatchObject({ ok: false, code: LedgerError.InsufficientFunds });
    expect(
      await ledger.transfer({ key: key('t'), from: user, to: merchant, asset: 'USD', amount: 1n }),
    ).toMatchObject({ ok: false, code: LedgerError.InsufficientFunds });
    expect(await snapshot()).toBe(before);
    const a = await ledger.getAccount(user);
    expect(a?.balance).toEqual({
      posted: 5000n,
      pendingDebits: 5000n,
      pendingCredits: 0n,
      available: 0n,
    });
    const m = await ledger.getAccount(merchant);
    // Incoming holds are not spendable until posted.
    expect(m?.balance).toEqual({
      posted: 0n,
      pendingDebits: 0n,
      pendingCredits: 5000n,
      available: 0n,
    });
  });

  it('posts part of a hold and releases the rest; a hold resolves once', async () => {
    const user = await account('usr_hold_b');
    const liquidity = await house('liquidity');
    await fund(user, 1000n);
    const k = key('h');
    const h = await ledger.createHold({
      key: k,
      from: user,
      to: liquidity,
      asset: 'USD',
      amount: 800n,
      metadata: { quoteId: 'quo_9' },
    });
    if (!h.ok) throw new Error(h.message);
    expect(
      await ledger.createHold({
        key: k,
        from: user,
        to: liquidity,
        asset: 'USD',
        amount: 800n,
        metadata: { quoteId: 'quo_9' },
      }),
    ).toMatchObject({
      ok: true,
      replayed: true,
      hold: { id: h.hold.id },
    });
    expect(await available(user)).toBe(200n);
    expect(
      await ledger.postHold({ key: key('post'), holdId: h.hold.id, amount: 801n }),
    ).toMatchObject({
      ok: false,
      code: LedgerError.AmountExceedsHold,
    });
    const postKey = key('post');
    const posted = await ledger.postHold({ key: postKey, holdId: h.hold.id, amount: 750n });
    expect(posted).toMatchObject({
      ok: true,
      hold: { status: 'posted', postedAmount: 750n },
      transaction: {
        kind: 'hold_post',
        holdId: h.hold.id,
        metadata: { quoteId: 'quo_9' },
        entries: [
          { accountId: user, direction: 'debit', amount: 750n },
          { accountId: liquidity, direction: 'credit', amount: 750n },
        ],
      },
    });
    expect(await ledger.getAccount(user).then((a) => a?.balance)).toEqual({
      posted: 250n,
      pendingDebits: 0n,
      pendingCredits: 0n,
      available: 250n,
    });
    expect(await ledger.postHold({ key: postKey, holdId: h.hold.id, amount: 750n })).toMatchObject({
      ok: true,
      replayed: true,
    });
    const before = await snapshot();
    expect(await ledger.postHold({ key: key('post'), holdId: h.hold.id })).toMatchObject({
      ok: false,
      code: LedgerError.HoldNotPending,
    });
    expect(await ledger.voidHold({ key: key('void'), holdId: h.hold.id })).toMatchObject({
      ok: false,
      code: LedgerError.HoldNotPending,
    });
    expect(await ledger.voidHold({ key: key('void'), holdId: 'lhd_missing' })).toMatchObject({
      ok: false,
      code: LedgerError.UnknownHold,
    });
    expect(await snapshot()).toBe(before);
    expect(await ledger.getHold(h.hold.id)).toMatchObject({
      status: 'posted',
      transactionId: posted.ok ? posted.transaction.id : '',
    });
  });

  it('voids a hold, releasing everything', async () => {
    const user = await account('usr_hold_c');
    const merchant = await account('usr_hold_cm');
    await fund(user, 300n);
    const h = await ledger.createHold({
      key: key('h'),
      from: user,
      to: merchant,
      asset: 'USD',
      amount: 300n,
    });
    if (!h.ok) throw new Error(h.message);
    expect(await ledger.voidHold({ key: key('v'), holdId: h.hold.id })).toMatchObject({
      ok: true,
      hold: { status: 'voided' },
    });
    expect(await available(user)).toBe(300n);
    expect(await ledger.getAccount(merchant).then((a) => a?.balance.pendingCredits)).toBe(0n);
  });

  it('expires due holds and refuses to post them', async () => {
    const user = await account('usr_hold_d');
    const merchant = await account('usr_hold_dm');
    await fund(user, 1000n);
    const soon = new Date(now.getTime() + 15_000);
    const later = new Date(now.getTime() + 60_000);
    const a = await ledger.createHold({
      key: key('h'),
      from: user,
      to: merchant,
      asset: 'USD',
      amount: 400n,
      expiresAt: soon,
    });
    const b = await ledger.createHold({
      key: key('h'),
      from: user,
      to: merchant,
      asset: 'USD',
      amount: 500n,
      expiresAt: later,
    });
    if (!a.ok || !b.ok) throw new Error('holds refused');
    expect(await available(user)).toBe(100n);

    now = new Date(soon.getTime() + 1);
    expect(await ledger.postHold({ key: key('post'), holdId: a.hold.id })).toMatchObject({
      ok: false,
      code: LedgerError.HoldExpired,
    });
    const swept = await ledger.expireDueHolds(now);
    expect(swept.expired.map((h) => h.id)).toContain(a.hold.id);
    expect(swept.expired.map((h) => h.id)).not.toContain(b.hold.id);
    expect(await ledger.getHold(a.hold.id)).toMatchObject({ status: 'expired' });
    expect(await available(user)).toBe(500n);
    expect((await ledger.expireDueHolds(now)).expired).toEqual([]);
    expect(await ledger.postHold({ key: key('post'), holdId: b.hold.id })).toMatchObject({
      ok: true,
      hold: { status: 'posted', postedAmount: 500n },
    });
  });

  it('refuses holds on frozen accounts but still releases frozen funds', async () => {
    const user = await account('usr_hold_e');
    const merchant = await account('usr_hold_em');
    await fund(user, 100n);
    const h = await ledger.createHold({
      key: key('h'),
      from: user,
      to: merchant,
      asset: 'USD',
      amount: 100n,
    });
    if (!h.ok) throw new Error(h.message);
    await ledger.setAccountStatus(user, 'frozen');
    expect(
      await ledger.createHold({
        key: key('h'),
        from: user,
        to: merchant,
        asset: 'USD',
        amount: 1n,
      }),
    ).toMatchObject({
      ok: false,
      code: LedgerError.AccountFrozen,
    });
    expect(await ledger.postHold({ key: key('post'), holdId: h.hold.id })).toMatchObject({
      ok: false,
      code: LedgerError.AccountFrozen,
    });
    expect(await ledger.getHold(h.hold.id)).toMatchObject({ status: 'pending' });
    expect(await ledger.voidHold({ key: key('void'), holdId: h.hold.id })).toMatchObject({
      ok: true,
    });
    await ledger.setAccountStatus(user, 'active');
    expect(await available(user)).toBe(100n);
  });
});

describe('history', () => {
  it('lists an account’s entries newest first, with cursor pages', async () => {
    const acct = await account('usr_hist');
    const other = await account('usr_hist_o');
    await fund(acct, 100n);
    await ledger.transfer({
      key: key('h1'),
      from: acct,
      to: other,
      asset: 'USD',
      amount: 30n,
      description: 'one',
    });
    await ledger.transfer({
      key: key('h2'),
      from: other,
      to: acct,
      asset: 'USD',
      amount: 10n,
      description: 'two',
    });
    const page1 = await ledger.listEntries({ accountId: acct, limit: 2 });
    expect(page1.map((e) => [e.description, e.change])).toEqual([
      ['two', 10n],
      ['one', -30n],
    ]);
    const page2 = await ledger.listEntries({ accountId: acct, limit: 2, before: page1[1]?.cursor });
    expect(page2.map((e) => e.change)).toEqual([100n]);
  });
});

describe('append-only storage', () => {
  it('refuses to change or delete entries and transactions', async () => {
    await expect(db.query('UPDATE ledger_entries SET amount = amount + 1')).rejects.toThrow(
      /append-only/,
    );
    await expect(db.query('DELETE FROM ledger_entries')).rejects.toThrow(/append-only/);
    await expect(db.query(`UPDATE ledger_transactions SET description = 'x'`)).rejects.toThrow(
      /append-only/,
    );
    await expect(db.query('DELETE FROM ledger_transactions')).rejects.toThrow(/append-only/);
    await expect(db.query('TRUNCATE ledger_entries')).rejects.toThrow(/append-only/);
    await expect(
      db.query(`UPDATE ledger_holds SET amount = 1 WHERE status <> 'pending'`),
    ).rejects.toThrow(/resolves once/);
    await expect(
      db.query(`UPDATE ledger_accounts SET asset = 'BTC' WHERE asset = 'USD'`),
    ).rejects.toThrow(/fixed/);
  });

  it('refuses a stored overdraft even if code computed one', async () => {
    const acct = await account('usr_backstop');
    await expect(
      db.query('UPDATE ledger_accounts SET debits_posted = debits_posted + 1 WHERE id = $1', [
        acct,
      ]),
    ).rejects.toThrow(/ledger_accounts_no_overdraft/);
  });
});

describe('verify', () => {
  it('passes on everything above, and fails naming the broken invariant', async () => {
    const report = await verifyLedger(db);
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.ok).toBe(true);

    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    expect(await runLedgerVerify(db, io)).toBe(0);
    expect(out.join('\n')).toContain('every invariant holds');

    const victim = await account('usr_victim');
    await fund(victim, 100n);
    // A balance edited behind the ledger's back (what a bad manual fix would do).
    await db.query('UPDATE ledger_accounts SET credits_posted = credits_posted + 1 WHERE id = $1', [
      victim,
    ]);
    const broken = await verifyLedger(db);
    expect(broken.ok).toBe(false);
    expect(broken.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual([
      'assets_sum_to_zero',
      'balances_match_entries',
    ]);
    expect(broken.checks.find((c) => c.name === 'balances_match_entries')?.examples[0]).toContain(
      victim,
    );

    expect(await runLedgerVerify(db, io)).toBe(1);
    expect(err.join('\n')).toMatch(
      /FAIL balances_match_entries[\s\S]*usr|FAIL balances_match_entries/,
    );
    expect(err.join('\n')).toContain('Ledger verification FAILED');

    await db.query('UPDATE ledger_accounts SET credits_posted = credits_posted - 1 WHERE id = $1', [
      victim,
    ]);
    expect(await runLedgerVerify(db, io)).toBe(0);
  });

  it('notices entries written behind the engine: unknown account, wrong asset, no transaction', async () => {
    const user = await account('usr_entry_victim');
    const funded = await fund(user, 100n);
    // The database no longer checks these references row by row (migration 0012): the
    // engine does before writing, and verify does after the fact. Entries inserted
    // around the engine, balancing each other so only the reference checks can fail:
    const t = funded.id;
    await db.query(
      `INSERT INTO ledger_entries (transaction_id, leg, account_id, asset, direction, amount, effective_at)
       VALUES ($1, 10, 'lac_missing', 'USD', 'debit', 7, now()),
              ($1, 11, $2, 'ETH', 'credit', 7, now()),
              ('ltx_missing', 0, $2, 'USD', 'debit', 3, now()),
              ('ltx_missing', 1, $2, 'USD', 'credit', 3, now())`,
      [t, user],
    );
    const report = await verifyLedger(db);
    const failed = report.checks.filter((c) => !c.ok);
    expect(failed.map((c) => c.name)).toContain('entries_reference_transactions');
    expect(failed.map((c) => c.name)).toContain('entries_match_accounts');
    const refs = failed.find((c) => c.name === 'entries_match_accounts');
    expect(refs?.violations).toBe(2);
    expect(refs?.examples.join('\n')).toContain('lac_missing in USD, which does not exist');
    expect(refs?.examples.join('\n')).toContain('in ETH, which holds USD');
    expect(failed.find((c) => c.name === 'entries_reference_transactions')?.examples[0]).toContain(
      'ltx_missing',
    );
    // Clean up around the append-only trigger, as an operator repairing by hand would.
    await db.exec(`ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_append_only;
      DELETE FROM ledger_entries WHERE leg >= 10 OR transaction_id = 'ltx_missing';
      ALTER TABLE ledger_entries ENABLE TRIGGER ledger_entries_append_only;`);
    expect((await verifyLedger(db)).ok).toBe(true);
  });

  it('notices pending totals that do not match the holds', async () => {
    const user = await account('usr_pending_victim');
    await fund(user, 100n);
    await db.query('UPDATE ledger_accounts SET debits_pending = debits_pending + 5 WHERE id = $1', [
      user,
    ]);
    const report = await verifyLedger(db);
    expect(report.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual([
      'assets_sum_to_zero',
      'pending_matches_holds',
    ]);
    await db.query('UPDATE ledger_accounts SET debits_pending = debits_pending - 5 WHERE id = $1', [
      user,
    ]);
    expect((await verifyLedger(db)).ok).toBe(true);
  });
});
