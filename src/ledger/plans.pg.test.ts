import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDb } from '../../test/support/db.js';
import {
  estimatedRows,
  executedPlans,
  lastIssued,
  nodeTypes,
  recordStatements,
  scansOf,
  type Issued,
  plansTestDb,
} from '../../test/support/plans.js';
import { createLedgerService, type LedgerService } from './service.js';
import { verifyLedger } from './verify.js';

/**
 * The hold statements keep their plans when the statistics lie. They were taken when
 * every hold was resolved (the normal state of a quiet ledger); then a backlog of
 * pending holds arrived faster than autovacuum analyses the table (a burst of card
 * authorisations, a sweeper that was down). Autovacuum is off for `ledger_holds` here
 * so that the lie lasts the test. The holds are written in bulk with SQL, with the
 * accounts' pending totals to match, so the books verify at the end.
 */

const T0 = new Date('2031-01-01T00:00:00Z');
const BACKLOG = 10_000;
const holdId = (n: number) => `lhd_plan_${String(n).padStart(6, '0')}`;

let t: TestDb;
let url: string;
let ledger: LedgerService;
let issued: Issued[];
let payer: string;

beforeAll(async () => {
  ({ t, url } = await plansTestDb());
  const recording = recordStatements(t.db);
  issued = recording.issued;
  // Hold posts are judged at T0, before any backlog hold expires.
  ledger = createLedgerService({ db: recording.db, clock: () => T0 });
  const usd = await ledger.createAsset({ code: 'USD', kind: 'fiat', scale: 2 });
  if (!usd.ok) throw new Error(usd.message);
  const opened = await ledger.openAccount({ owner: 'usr_plans', asset: 'USD' });
  const liquidity = await ledger.houseAccount('liquidity', 'USD');
  const settlement = await ledger.houseAccount('settlement', 'USD');
  if (!opened.ok || !liquidity.ok || !settlement.ok) throw new Error('accounts');
  payer = opened.account.id;
  const funded = await ledger.transfer({
    key: 'plans:fund',
    from: settlement.account.id,
    to: payer,
    asset: 'USD',
    amount: 1_000_000n,
  });
  if (!funded.ok) throw new Error(funded.message);

  await t.db.exec('ALTER TABLE ledger_holds SET (autovacuum_enabled = false)');
  await t.db.query(
    `INSERT INTO ledger_holds (id, idempotency_key, debit_account_id, credit_account_id, asset,
                               amount, status, expires_at, created_at, resolved_at)
     SELECT 'lhd_old_' || g, 'plans:old:' || g, $1, $2, 'USD', 1, 'voided',
            $3::timestamptz - interval '1 day', $3::timestamptz - interval '2 days',
            $3::timestamptz - interval '1 day'
       FROM generate_series(1, 20000) g`,
    [payer, liquidity.account.id, T0],
  );
  await t.db.exec('ANALYZE ledger_holds');
  await t.db.transaction(async (tx) => {
    // Due one minute apart after T0, in id order.
    await tx.query(
      `INSERT INTO ledger_holds (id, idempotency_key, debit_account_id, credit_account_id, asset,
                                 amount, expires_at, created_at)
       SELECT 'lhd_plan_' || lpad(g::text, 6, '0'), 'plans:hold:' || g, $1, $2, 'USD', 1,
              $3::timestamptz + g * interval '1 minute', $3::timestamptz
         FROM generate_series(1, $4::int) g`,
      [payer, liquidity.account.id, T0, BACKLOG],
    );
    await tx.query(
      'UPDATE ledger_accounts SET debits_pending = debits_pending + $2 WHERE id = $1',
      [payer, BACKLOG],
    );
    await tx.query(
      `INSERT INTO ledger_balance_slots AS s (account_id, slot, credits_pending) VALUES ($1, 0, $2)
       ON CONFLICT (account_id, slot) DO UPDATE SET credits_pending = s.credits_pending + $2`,
      [liquidity.account.id, BACKLOG],
    );
  });
});

afterAll(async () => {
  await t.drop();
});

describe('hold plans under stale statistics (PostgreSQL)', () => {
  it('the statistics believe there is hardly a pending hold', async () => {
    expect(
      await estimatedRows(t.db, "SELECT 1 FROM ledger_holds WHERE status = 'pending'"),
    ).toBeLessThan(BACKLOG / 100);
  });

  it('posts and voids a hold by primary key', async () => {
    const posted = await ledger.postHold({ key: 'plans:post', holdId: holdId(1) });
    expect(posted.ok && posted.hold.status).toBe('posted');
    const voided = await ledger.voidHold({ key: 'plans:void', holdId: holdId(2) });
    expect(voided.ok && voided.hold.status).toBe('voided');

    for (const pattern of [/SET status = 'posted'/, /SET status = 'voided'/]) {
      const plans = await executedPlans(url, lastIssued(issued, pattern));
      expect(scansOf(plans, 'ledger_holds')).toEqual(['Index Scan using ledger_holds_pkey']);
    }
  });

  it('expires exactly the oldest due holds asked for, walking the due index', async () => {
    const later = new Date(T0.getTime() + 30 * 86_400_000);
    const { expired } = await ledger.expireDueHolds(later, { limit: 100 });
    expect(expired).toHaveLength(100);
    // Holds 1 and 2 were resolved by the previous case.
    expect(expired.map((h) => h.id).sort()).toEqual(
      Array.from({ length: 100 }, (_, i) => holdId(i + 3)),
    );
    expect((await ledger.getAccount(payer))?.balance.pendingDebits).toBe(BigInt(BACKLOG - 2 - 100));
    const report = await verifyLedger(t.db);
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);

    const sweep = lastIssued(issued, /expire/);
    const walk = ['Index Scan using ledger_holds_due', 'Index Scan using ledger_holds_pkey'];
    const plans = await executedPlans(url, sweep);
    expect(scansOf(plans, 'ledger_holds')).toEqual(walk);
    expect(nodeTypes(plans)).not.toContain('Sort');
    // And with true statistics: the limit is a parameter the planner cannot see inside
    // the function, so it then expects thousands of expired holds, and must still find
    // them by primary key rather than scan the table.
    await t.db.exec('ANALYZE ledger_holds');
    expect(scansOf(await executedPlans(url, sweep), 'ledger_holds')).toEqual(walk);
  });
});
