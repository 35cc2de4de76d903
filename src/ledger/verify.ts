import type { Db, Queryable } from '../platform/db/db.js';

/**
 * `vaultwire ledger verify`: recomputes everything the ledger stores from first
 * principles and reports every disagreement. All checks read one snapshot (a
 * REPEATABLE READ, READ ONLY transaction), so it can run against a live system and
 * still compare totals that were true at the same instant.
 */

export interface VerifyCheck {
  name: string;
  /** What must hold. */
  rule: string;
  ok: boolean;
  /** Rows that break the rule. */
  violations: number;
  /** A few of them, described. */
  examples: string[];
}

export interface VerifyReport {
  ok: boolean;
  checks: VerifyCheck[];
  counts: {
    assets: number;
    accounts: number;
    transactions: number;
    entries: number;
    holds: number;
  };
}

interface CheckDef {
  name: string;
  rule: string;
  /** Returns one row per violation with a `detail` column. */
  sql: string;
}

const SIGNED = `CASE e.direction WHEN 'debit' THEN e.amount ELSE -e.amount END`;

const CHECKS: CheckDef[] = [
  {
    name: 'transactions_balance',
    rule: 'in every transaction, debits equal credits for each asset',
    sql: `SELECT format('transaction %s is off by %s in %s', e.transaction_id, sum(${SIGNED}), e.asset) AS detail
            FROM ledger_entries e GROUP BY e.transaction_id, e.asset HAVING sum(${SIGNED}) <> 0`,
  },
  {
    name: 'transactions_have_entries',
    rule: 'every transaction has at least two entries',
    sql: `SELECT format('transaction %s has %s entries', t.id, count(e.leg)) AS detail
            FROM ledger_transactions t LEFT JOIN ledger_entries e ON e.transaction_id = t.id
           GROUP BY t.id HAVING count(e.leg) < 2`,
  },
  {
    name: 'entries_match_transaction',
    rule: "entries carry their transaction's effective time",
    sql: `SELECT format('entry %s/%s is effective at %s, its transaction at %s', e.transaction_id, e.leg, e.effective_at, t.effective_at) AS detail
            FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id
           WHERE e.effective_at <> t.effective_at`,
  },
  {
    name: 'assets_sum_to_zero',
    rule: 'per asset, posted debits equal posted credits and pending debits equal pending credits over all accounts',
    sql: `SELECT format('%s: posted debits - credits = %s, pending debits - credits = %s', asset,
                        sum(debits_posted) - sum(credits_posted), sum(debits_pending) - sum(credits_pending)) AS detail
            FROM ledger_account_totals GROUP BY asset
          HAVING sum(debits_posted) <> sum(credits_posted) OR sum(debits_pending) <> sum(credits_pending)`,
  },
  {
    name: 'balances_match_entries',
    rule: "each account's stored posted totals equal the sum of its entries",
    sql: `SELECT format('account %s stores debits %s / credits %s, entries sum to %s / %s', a.id,
                        a.debits_posted, a.credits_posted, coalesce(x.debits, 0), coalesce(x.credits, 0)) AS detail
            FROM ledger_account_totals a
            LEFT JOIN (SELECT account_id,
                              sum(amount) FILTER (WHERE direction = 'debit') AS debits,
                              sum(amount) FILTER (WHERE direction = 'credit') AS credits
                         FROM ledger_entries GROUP BY account_id) x ON x.account_id = a.id
           WHERE a.debits_posted <> coalesce(x.debits, 0) OR a.credits_posted <> coalesce(x.credits, 0)`,
  },
  {
    name: 'pending_matches_holds',
    rule: "each account's pending totals equal the sum of its pending holds",
    sql: `SELECT format('account %s stores pending debits %s / credits %s, pending holds sum to %s / %s', a.id,
                        a.debits_pending, a.credits_pending, coalesce(d.total, 0), coalesce(c.total, 0)) AS detail
            FROM ledger_account_totals a
            LEFT JOIN (SELECT debit_account_id AS id, sum(amount) AS total FROM ledger_holds
                        WHERE status = 'pending' GROUP BY 1) d ON d.id = a.id
            LEFT JOIN (SELECT credit_account_id AS id, sum(amount) AS total FROM ledger_holds
                        WHERE status = 'pending' GROUP BY 1) c ON c.id = a.id
           WHERE a.debits_pending <> coalesce(d.total, 0) OR a.credits_pending <> coalesce(c.total, 0)`,
  },
  {
    name: 'no_forbidden_negative',
    rule: 'no account that may not go negative has a negative available balance',
    sql: `SELECT format('account %s (%s) has available %s', id, asset,
                        CASE normal_side WHEN 'credit' THEN credits_posted - debits_posted - debits_pending
                                         ELSE debits_posted - credits_posted - credits_pending END) AS detail
            FROM ledger_account_totals
           WHERE NOT may_go_negative AND CASE normal_side
                   WHEN 'credit' THEN credits_posted - debits_posted - debits_pending
                   ELSE debits_posted - credits_posted - credits_pending END < 0`,
  },
  {
    name: 'holds_resolved_consistently',
    rule: 'a posted hold has exactly one posting transaction of its posted amount between its accounts; others have none',
    sql: `SELECT format('hold %s (%s) %s', h.id, h.status,
                        CASE WHEN t.id IS NULL THEN 'has no posting transaction'
                             WHEN h.status <> 'posted' THEN format('is posted by %s', t.id)
                             ELSE format('does not match its transaction %s', t.id) END) AS detail
            FROM ledger_holds h
            LEFT JOIN ledger_transactions t ON t.hold_id = h.id
           WHERE (h.status = 'posted') <> (t.id IS NOT NULL)
              OR (t.id IS NOT NULL AND NOT EXISTS (
                    SELECT 1 FROM ledger_entries d JOIN ledger_entries c
                        ON c.transaction_id = d.transaction_id AND c.direction = 'credit'
                     WHERE d.transaction_id = t.id AND d.direction = 'debit'
                       AND d.account_id = h.debit_account_id AND c.account_id = h.credit_account_id
                       AND d.amount = h.posted_amount AND c.amount = h.posted_amount
                       AND (SELECT count(*) FROM ledger_entries x WHERE x.transaction_id = t.id) = 2))`,
  },
  {
    name: 'reversals_mirror_originals',
    rule: 'a reversal has exactly the entries of the transaction it reverses, with directions swapped',
    sql: `SELECT format('reversal %s does not mirror %s', r.id, r.reverses_id) AS detail
            FROM ledger_transactions r
           WHERE r.reverses_id IS NOT NULL AND EXISTS (
                 (SELECT account_id, asset, direction, amount FROM ledger_entries WHERE transaction_id = r.id
                  EXCEPT ALL
                  SELECT account_id, asset, CASE direction WHEN 'debit' THEN 'credit' ELSE 'debit' END, amount
                    FROM ledger_entries WHERE transaction_id = r.reverses_id)
                 UNION ALL
                 (SELECT account_id, asset, CASE direction WHEN 'debit' THEN 'credit' ELSE 'debit' END, amount
                    FROM ledger_entries WHERE transaction_id = r.reverses_id
                  EXCEPT ALL
                  SELECT account_id, asset, direction, amount FROM ledger_entries WHERE transaction_id = r.id))`,
  },
  {
    name: 'slots_only_for_house_rules',
    rule: 'balance slots hold totals only of accounts that may go negative, whose rows keep none',
    sql: `SELECT format('account %s keeps totals in %s', a.id,
                        CASE WHEN a.may_go_negative THEN 'its row' ELSE 'balance slots' END) AS detail
            FROM ledger_accounts a
           WHERE (NOT a.may_go_negative AND EXISTS (SELECT 1 FROM ledger_balance_slots s WHERE s.account_id = a.id))
              OR (a.may_go_negative AND (a.debits_posted, a.credits_posted, a.debits_pending, a.credits_pending) <> (0, 0, 0, 0))`,
  },
  {
    name: 'totals_not_negative',
    rule: 'no running total (posted or pending, debit or credit) is below zero',
    sql: `SELECT format('account %s has a negative running total', id) AS detail
            FROM ledger_account_totals
           WHERE debits_posted < 0 OR credits_posted < 0 OR debits_pending < 0 OR credits_pending < 0`,
  },
  {
    name: 'entries_reference_transactions',
    rule: 'every entry belongs to a recorded transaction',
    sql: `SELECT format('entry %s/%s has no transaction', e.transaction_id, e.leg) AS detail
            FROM ledger_entries e
           WHERE NOT EXISTS (SELECT 1 FROM ledger_transactions t WHERE t.id = e.transaction_id)`,
  },
  {
    name: 'entries_match_accounts',
    rule: "every entry names an existing account and that account's asset",
    sql: `SELECT format('entry %s/%s names %s in %s, which %s', e.transaction_id, e.leg, e.account_id, e.asset,
                  CASE WHEN a.id IS NULL THEN 'does not exist' ELSE 'holds ' || a.asset END) AS detail
            FROM ledger_entries e LEFT JOIN ledger_accounts a ON a.id = e.account_id
           WHERE a.id IS NULL OR a.asset <> e.asset`,
  },
  {
    name: 'idempotency_keys_resolve',
    rule: 'every idempotency key names the transaction or hold it produced',
    sql: `SELECT format('key %s (%s) points at missing %s', k.key, k.operation, k.result_id) AS detail
            FROM ledger_idempotency k
           WHERE NOT EXISTS (SELECT 1 FROM ledger_transactions t WHERE t.id = k.result_id)
             AND NOT EXISTS (SELECT 1 FROM ledger_holds h WHERE h.id = k.result_id)`,
  },
];

async function runCheck(q: Queryable, def: CheckDef, maxExamples: number): Promise<VerifyCheck> {
  const { rows } = await q.query<{ detail: string; total: bigint }>(
    `SELECT detail, count(*) OVER () AS total FROM (${def.sql}) v ORDER BY detail LIMIT $1`,
    [maxExamples],
  );
  const violations = Number(rows[0]?.total ?? 0);
  return {
    name: def.name,
    rule: def.rule,
    ok: violations === 0,
    violations,
    examples: rows.map((r) => r.detail),
  };
}

/** Runs every ledger invariant check; `ok` is false when any of them found a violation. */
export async function verifyLedger(
  db: Db,
  options: { maxExamples?: number } = {},
): Promise<VerifyReport> {
  const maxExamples = options.maxExamples ?? 10;
  return db.detached(() =>
    db.transaction(
      async (q) => {
        await q.query('SET TRANSACTION READ ONLY');
        const checks: VerifyCheck[] = [];
        for (const def of CHECKS) checks.push(await runCheck(q, def, maxExamples));
        const { rows } = await q.query<Record<keyof VerifyReport['counts'], bigint>>(
          `SELECT (SELECT count(*) FROM ledger_assets) AS assets,
                  (SELECT count(*) FROM ledger_accounts) AS accounts,
                  (SELECT count(*) FROM ledger_transactions) AS transactions,
                  (SELECT count(*) FROM ledger_entries) AS entries,
                  (SELECT count(*) FROM ledger_holds) AS holds`,
        );
        const c = rows[0];
        return {
          ok: checks.every((ch) => ch.ok),
          checks,
          counts: {
            assets: Number(c?.assets ?? 0),
            accounts: Number(c?.accounts ?? 0),
            transactions: Number(c?.transactions ?? 0),
            entries: Number(c?.entries ?? 0),
            holds: Number(c?.holds ?? 0),
          },
        };
      },
      { isolation: 'repeatable read' },
    ),
  );
}

/** The report as the CLI prints it: one line per check, examples under failures. */
export function formatVerifyReport(report: VerifyReport): string {
  const c = report.counts;
  const lines = [
    `Ledger: ${c.assets} assets, ${c.accounts} accounts, ${c.transactions} transactions, ${c.entries} entries, ${c.holds} holds`,
  ];
  for (const check of report.checks) {
    lines.push(
      `${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.rule}${check.ok ? '' : ` (${check.violations} violation${check.violations === 1 ? '' : 's'})`}`,
    );
    for (const example of check.examples) lines.push(`       - ${example}`);
  }
  lines.push(report.ok ? 'Ledger verified: every invariant holds.' : 'Ledger verification FAILED.');
  return lines.join('\n');
}
