import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../test/support/db.js';
import type { Db } from '../platform/db/db.js';
import { LedgerError } from './errors.js';
import type { HoldResult, TransactionResult } from './model.js';
import { createLedgerService, type LedgerService } from './service.js';
import { verifyLedger } from './verify.js';

/**
 * Concurrency on a real PostgreSQL server (PGlite has one connection, so it cannot
 * race). Every race runs three ways: through the group-commit batcher, with one
 * database statement per call (batches of one, many in flight), and with each call in
 * its own caller transaction, so the guards are proven in the database itself, not
 * by the batcher happening to serialise calls.
 */

let t: TestDb;
let db: Db;
let ledger: LedgerService;
let seq = 0;
const key = (label: string) => `pg:${label}:${++seq}`;

beforeAll(async () => {
  t = await createTestDb('postgres');
  db = t.db;
  ledger = createLedgerService({ db });
  const usd = await ledger.createAsset({ code: 'USD', kind: 'fiat', scale: 2 });
  expect(usd.ok).toBe(true);
});

afterAll(async () => {
  await t.drop();
});

async function account(owner: string): Promise<string> {
  const r = await ledger.openAccount({ owner, asset: 'USD' });
  if (!r.ok) throw new Error(r.message);
  return r.account.id;
}

async function fund(to: string, amount: bigint): Promise<void> {
  const settlement = await ledger.houseAccount('settlement', 'USD');
  if (!settlement.ok) throw new Error(settlement.message);
  const r = await ledger.transfer({
    key: key('fund'),
    from: settlement.account.id,
    to,
    asset: 'USD',
    amount,
  });
  if (!r.ok) throw new Error(r.message);
}

async function balance(id: string) {
  const a = await ledger.getAccount(id);
  if (!a) throw new Error(`no account ${id}`);
  return a.balance;
}

async function expectVerified(): Promise<void> {
  const report = await verifyLedger(db);
  expect(report.checks.filter((c) => !c.ok)).toEqual([]);
}

/** Samples an account's balance until stopped; resolves with the lowest seen. */
function watchLowest(id: string): { stop(): Promise<bigint> } {
  const state = { running: true };
  const lowest = (async () => {
    let min: bigint | undefined;
    for (let i = 0; state.running && i < 10_000; i++) {
      const b = await balance(id);
      for (const v of [b.posted, b.available]) if (min === undefined || v < min) min = v;
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

type Mode = 'batched' | 'one statement each' | 'own transaction each';
const MODES: Mode[] = ['batched', 'one statement each', 'own transaction each'];

function service(mode: Mode): LedgerService {
  return mode === 'one statement each'
    ? createLedgerService({ db, batching: { maxBatch: 1, maxInFlight: 30 } })
    : ledger;
}

function call<T>(mode: Mode, fn: (l: LedgerService) => Promise<T>): Promise<T> {
  const l = service(mode);
  return mode === 'own transaction each' ? db.transaction(() => fn(l)) : fn(l);
}

function tally(results: readonly (TransactionResult | HoldResult)[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of results) {
    const k = r.ok ? 'ok' : r.code;
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

describe.each(MODES)('racing for one balance (%s)', (mode) => {
  it('200 concurrent payments, funds for 37: exactly 37 succeed, never below zero', async () => {
    const payer = await account(`usr_payer_${mode}`);
    const payees = await Promise.all(
      Array.from({ length: 10 }, (_, i) => account(`usr_payee_${mode}_${i}`)),
    );
    await fund(payer, 37n * 100n);
    const watch = watchLowest(payer);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        call(mode, (l) =>
          l.transfer({
            key: key('race'),
            from: payer,
            to: payees[i % payees.length] ?? '',
            asset: 'USD',
            amount: 100n,
          }),
        ),
      ),
    );
    const lowest = await watch.stop();
    expect(tally(results)).toEqual({ ok: 37, [LedgerError.InsufficientFunds]: 163 });
    expect(await balance(payer)).toMatchObject({ posted: 0n, available: 0n });
    expect(lowest >= 0n).toBe(true);
    let received = 0n;
    for (const p of payees) received += (await balance(p)).posted;
    expect(received).toBe(3700n);
    await expectVerified();
  });

  it('200 concurrent holds, funds for 37: exactly 37 are placed', async () => {
    const payer = await account(`usr_holder_${mode}`);
    const merchant = await account(`usr_merchant_${mode}`);
    await fund(payer, 37n * 100n);
    const results = await Promise.all(
      Array.from({ length: 200 }, () =>
        call(mode, (l) =>
          l.createHold({ key: key('hold'), from: payer, to: merchant, asset: 'USD', amount: 100n }),
        ),
      ),
    );
    expect(tally(results)).toEqual({ ok: 37, [LedgerError.InsufficientFunds]: 163 });
    expect(await balance(payer)).toEqual({
      posted: 3700n,
      pendingDebits: 3700n,
      pendingCredits: 0n,
      available: 0n,
    });
    expect((await balance(merchant)).pendingCredits).toBe(3700n);
    await expectVerified();
  });
});

describe('resolving one hold concurrently', () => {
  it.each(MODES)('100 concurrent posts and voids: exactly one wins (%s)', async (mode) => {
    const payer = await account(`usr_resolve_${mode}`);
    const liquidity = await ledger.houseAccount('liquidity', 'USD');
    if (!liquidity.ok) throw new Error(liquidity.message);
    await fund(payer, 1000n);
    const h = await ledger.createHold({
      key: key('h'),
      from: payer,
      to: liquidity.account.id,
      asset: 'USD',
      amount: 600n,
    });
    if (!h.ok) throw new Error(h.message);
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        call(mode, (l) =>
          i % 2 === 0
            ? l.postHold({ key: key('post'), holdId: h.hold.id, amount: 500n })
            : l.voidHold({ key: key('void'), holdId: h.hold.id }),
        ),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.code === LedgerError.HoldNotPending)).toHaveLength(99);
    const hold = await ledger.getHold(h.hold.id);
    const b = await balance(payer);
    if (hold?.status === 'posted') expect(b).toMatchObject({ posted: 500n, available: 500n });
    else expect(b).toMatchObject({ posted: 1000n, available: 1000n });
    expect(b.pendingDebits).toBe(0n);
    await expectVerified();
  });

  it('a post racing the expiry sweep: the hold resolves once', async () => {
    const start = new Date('2031-01-01T00:00:00Z');
    const expiresAt = new Date(start.getTime() + 15_000);
    // Posters still see the hold as valid; the sweeper runs with a clock past expiry.
    const early = createLedgerService({ db, clock: () => start });
    const payer = await account('usr_sweep');
    const merchant = await account('usr_sweep_m');
    await fund(payer, 20n * 100n);
    const holds = [];
    for (let i = 0; i < 20; i++) {
      const h = await early.createHold({
        key: key('h'),
        from: payer,
        to: merchant,
        asset: 'USD',
        amount: 100n,
        expiresAt,
      });
      if (!h.ok) throw new Error(h.message);
      holds.push(h.hold.id);
    }
    const after = new Date(expiresAt.getTime() + 1);
    const [posts, ...sweeps] = await Promise.all([
      Promise.all(holds.map((id) => early.postHold({ key: key('post'), holdId: id }))),
      ...Array.from({ length: 4 }, () => ledger.expireDueHolds(after, { limit: 5 })),
    ]);
    const posted = new Set(posts.flatMap((p) => (p.ok ? [p.hold.id] : [])));
    const expired = sweeps.flatMap((s) => s.expired.map((h) => h.id));
    expect(new Set(expired).size).toBe(expired.length); // no hold expired twice
    for (const id of expired) expect(posted.has(id)).toBe(false);
    for (const p of posts) if (!p.ok) expect(p.code).toBe(LedgerError.HoldNotPending);
    await ledger.expireDueHolds(after);
    for (const id of holds) {
      expect(['posted', 'expired']).toContain((await ledger.getHold(id))?.status);
    }
    expect(await balance(payer)).toMatchObject({
      pendingDebits: 0n,
      posted: 2000n - BigInt(posted.size) * 100n,
    });
    await expectVerified();
  });
});

describe('racing one idempotency key', () => {
  it.each([...MODES, 'two processes'] as const)(
    '50 concurrent identical requests: one effect, the same result for all (%s)',
    async (mode) => {
      const from = await account(`usr_idem_${mode}`);
      const to = await account(`usr_idem_to_${mode}`);
      await fund(from, 1000n);
      const k = key('same');
      const other = createLedgerService({ db });
      const before = await db.query<{ n: bigint }>('SELECT count(*) AS n FROM ledger_transactions');
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => {
          const request = { key: k, from, to, asset: 'USD', amount: 250n };
          if (mode === 'two processes') return (i % 2 ? other : ledger).transfer(request);
          return call(mode, (l) => l.transfer(request));
        }),
      );
      const ids = new Set(results.map((r) => (r.ok ? r.transaction.id : r.code)));
      expect(ids.size).toBe(1);
      expect(results.every((r) => r.ok)).toBe(true);
      expect(results.filter((r) => r.ok && !r.replayed)).toHaveLength(1);
      const after = await db.query<{ n: bigint }>('SELECT count(*) AS n FROM ledger_transactions');
      expect((after.rows[0]?.n ?? 0n) - (before.rows[0]?.n ?? 0n)).toBe(1n);
      expect((await balance(from)).posted).toBe(750n);
      await expectVerified();
    },
  );

  it('two different requests under one key: one wins, the other is a conflict', async () => {
    const from = await account('usr_idem_conflict');
    const to = await account('usr_idem_conflict_to');
    await fund(from, 1000n);
    const k = key('contested');
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        db.transaction(() =>
          ledger.transfer({ key: k, from, to, asset: 'USD', amount: i % 2 ? 100n : 200n }),
        ),
      ),
    );
    const winners = results.filter((r) => r.ok);
    const winningAmount = winners[0]?.transaction.entries[0]?.amount;
    expect(winners).toHaveLength(25);
    expect(new Set(winners.map((r) => r.transaction.id))).toHaveProperty('size', 1);
    expect(results.filter((r) => !r.ok && r.code === LedgerError.IdempotencyConflict)).toHaveLength(
      25,
    );
    expect((await balance(from)).posted).toBe(1000n - (winningAmount ?? 0n));
  });
});

describe('reversing concurrently', () => {
  it('20 concurrent reversals of one transaction: exactly one', async () => {
    const from = await account('usr_rev_race');
    const to = await account('usr_rev_race_to');
    await fund(from, 500n);
    const paid = await ledger.transfer({ key: key('p'), from, to, asset: 'USD', amount: 500n });
    if (!paid.ok) throw new Error(paid.message);
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        ledger.reverse({ key: key('rev'), transactionId: paid.transaction.id }),
      ),
    );
    expect(tally(results)).toEqual({ ok: 1, [LedgerError.AlreadyReversed]: 19 });
    expect((await balance(from)).posted).toBe(500n);
    await expectVerified();
  });
});

describe('the batcher under load', () => {
  it('coalesces concurrent transfers of two processes and keeps the books exact', async () => {
    const accounts = await Promise.all(
      Array.from({ length: 20 }, (_, i) => account(`usr_load_${i}`)),
    );
    for (const a of accounts) await fund(a, 1000n);
    const liquidity = await ledger.houseAccount('liquidity', 'USD');
    if (!liquidity.ok) throw new Error(liquidity.message);
    const hot = liquidity.account.id;
    const liquidityBefore = (await balance(hot)).posted;
    const processes = [
      createLedgerService({ db, batching: { maxInFlight: 4 } }),
      createLedgerService({ db, batching: { maxInFlight: 4 } }),
    ];
    let expectedHot = 0n;
    const clients = Array.from({ length: 32 }, async (_, c) => {
      const l = processes[c % 2] ?? ledger;
      const out: TransactionResult[] = [];
      for (let i = 0; i < 40; i++) {
        const a = accounts[(c * 7 + i * 3) % accounts.length] ?? '';
        const b = accounts[(c * 5 + i * 11 + 1) % accounts.length] ?? '';
        // Every third transfer goes through the house liquidity account.
        const [from, to] = i % 3 === 0 ? (i % 2 ? [hot, a] : [a, hot]) : [a, b === a ? hot : b];
        const amount = BigInt(1 + ((c * 31 + i * 17) % 150));
        const r = await l.transfer({ key: key('load'), from, to, asset: 'USD', amount });
        if (r.ok && to === hot) expectedHot += amount;
        if (r.ok && from === hot) expectedHot -= amount;
        out.push(r);
      }
      return out;
    });
    const results = (await Promise.all(clients)).flat();
    const counts = tally(results);
    expect(
      Object.keys(counts).filter(
        (k) => k !== 'ok' && k !== (LedgerError.InsufficientFunds as string),
      ),
    ).toEqual([]);
    expect(counts['ok']).toBeGreaterThan(500);
    const batched = processes.map((p) => p.batchStats());
    for (const s of batched) {
      expect(s.items).toBe(640);
      expect(s.batches).toBeLessThan(s.items / 2); // concurrent calls shared transactions
    }
    let total = 0n;
    for (const a of accounts) total += (await balance(a)).posted;
    expect(total + (await balance(hot)).posted - liquidityBefore).toBe(20n * 1000n);
    expect((await balance(hot)).posted - liquidityBefore).toBe(expectedHot);
    await expectVerified();
  });
});

describe('a transfer behind its caller’s guard (transferGuarded)', () => {
  // The caller's guard: counts a use in a table of its own and answers whether the
  // count is still within 5, like a limit counter.
  beforeAll(async () => {
    await db.query('CREATE TABLE guard_uses (id int PRIMARY KEY, n int NOT NULL)');
    await db.query('INSERT INTO guard_uses VALUES (1, 0)');
  });
  const uses = async () =>
    (await db.query<{ n: number }>('SELECT n FROM guard_uses WHERE id = 1')).rows[0]?.n;

  it('applies in one statement when the guard agrees, and leaves nothing when it does not', async () => {
    // A guard is a query of one boolean; one that writes is a function (as the wallet's is).
    await db.query(`CREATE FUNCTION guard_use(p int) RETURNS boolean LANGUAGE sql AS
                      'UPDATE guard_uses SET n = n + 1 WHERE id = p RETURNING n <= 5'`);
    const g = { sql: 'SELECT guard_use($1)', params: [1] };
    const from = await account('guarded-from');
    const to = await account('guarded-to');
    await fund(from, 300n);
    const results = [];
    for (let i = 0; i < 7; i++) {
      results.push(
        await ledger.transferGuarded(
          { key: key('guarded'), from, to, asset: 'USD', amount: 50n },
          { guard: g },
        ),
      );
    }
    // Five went through; the guard declined the sixth and seventh, and their own
    // counting rolled back with them.
    expect(results.map((r) => (r ? 'ok' : 'null'))).toEqual([
      'ok',
      'ok',
      'ok',
      'ok',
      'ok',
      'null',
      'null',
    ]);
    expect(await uses()).toBe(5);
    expect((await balance(to)).posted).toBe(250n);
    // Refused by the ledger (50 left, 60 asked): null, and the guard's count rolled back.
    await db.query('UPDATE guard_uses SET n = 0 WHERE id = 1');
    const refused = await ledger.transferGuarded(
      { key: key('guarded'), from, to, asset: 'USD', amount: 60n },
      { guard: g },
    );
    expect(refused).toBeNull();
    expect(await uses()).toBe(0);
    // A replayed key: null too (the caller's full path answers the replay).
    const k = key('guarded');
    const first = await ledger.transferGuarded(
      { key: k, from, to, asset: 'USD', amount: 10n },
      { guard: g },
    );
    expect(first).not.toBeNull();
    expect(
      await ledger.transferGuarded({ key: k, from, to, asset: 'USD', amount: 10n }, { guard: g }),
    ).toBeNull();
    expect(await uses()).toBe(1);
    expect((await balance(to)).posted).toBe(260n);
    await expectVerified();
  });

  it('a multi-leg posting behind the guard (postGuarded): all legs or nothing', async () => {
    await db.query('UPDATE guard_uses SET n = 4 WHERE id = 1');
    const g = { sql: 'SELECT guard_use($1)', params: [1] };
    const payer = await account('posted-payer');
    const payee = await account('posted-payee');
    const fee = await account('posted-fee');
    await fund(payer, 100n);
    const legs = (amount: bigint) => [
      { accountId: payer, asset: 'USD', direction: 'debit' as const, amount },
      { accountId: payee, asset: 'USD', direction: 'credit' as const, amount: amount - 1n },
      { accountId: fee, asset: 'USD', direction: 'credit' as const, amount: 1n },
    ];
    const posted = await ledger.postGuarded({ key: key('posted'), legs: legs(30n) }, { guard: g });
    expect(posted?.entries).toHaveLength(3);
    // The guard's fifth use was its last: declined, nothing of it or its count stays.
    const declined = await ledger.postGuarded(
      { key: key('posted'), legs: legs(30n) },
      { guard: g },
    );
    expect(declined).toBeNull();
    expect(await uses()).toBe(5);
    // Refused by the ledger (70 left): null, and the count rolled back with it.
    await db.query('UPDATE guard_uses SET n = 0 WHERE id = 1');
    expect(
      await ledger.postGuarded({ key: key('posted'), legs: legs(80n) }, { guard: g }),
    ).toBeNull();
    expect(await uses()).toBe(0);
    // Unbalanced: null before any statement.
    const unbalanced = legs(10n).map((l, i) => (i === 2 ? { ...l, amount: 5n } : l));
    expect(
      await ledger.postGuarded({ key: key('posted'), legs: unbalanced }, { guard: g }),
    ).toBeNull();
    expect((await balance(payer)).posted).toBe(70n);
    expect((await balance(payee)).posted).toBe(29n);
    expect((await balance(fee)).posted).toBe(1n);
    await expectVerified();
  });
});
