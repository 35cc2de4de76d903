import type { LedgerContext } from './context.js';
import { failure, LedgerError } from './errors.js';
import type { Metadata, Side, TransactionKind } from './model.js';
import type { LedgerService } from './service.js';
import { checkDate } from './validation.js';

/** Reads of the past: a balance as it stood, an account's entries. */
export type LedgerHistory = Pick<LedgerService, 'balanceAt' | 'listEntries'>;

export function createLedgerHistory(ctx: LedgerContext): LedgerHistory {
  const { db } = ctx;
  return {
    async balanceAt(accountId, at) {
      const bad = checkDate(at, 'at');
      if (bad) return bad;
      const { rows } = await db.query<{
        asset: string;
        normal_side: Side;
        debits: string;
        credits: string;
      }>(
        `SELECT a.asset, a.normal_side,
                coalesce(sum(e.amount) FILTER (WHERE e.direction = 'debit'), 0)::text AS debits,
                coalesce(sum(e.amount) FILTER (WHERE e.direction = 'credit'), 0)::text AS credits
           FROM ledger_accounts a
           LEFT JOIN ledger_entries e ON e.account_id = a.id AND e.effective_at <= $2
          WHERE a.id = $1
          GROUP BY a.id`,
        [accountId, at],
      );
      const r = rows[0];
      if (!r) return failure(LedgerError.UnknownAccount, `No account ${accountId}`, 'accountId');
      const debits = BigInt(r.debits);
      const credits = BigInt(r.credits);
      return {
        ok: true,
        asset: r.asset,
        posted: r.normal_side === 'credit' ? credits - debits : debits - credits,
      };
    },

    async listEntries(query) {
      const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
      let beforeTx: string | null = null;
      let beforeLeg: number | null = null;
      if (query.before !== undefined) {
        const [tx, leg] = query.before.split('.');
        beforeTx = tx ?? null;
        beforeLeg = Number(leg);
        if (!tx || !Number.isInteger(beforeLeg)) return [];
      }
      const { rows } = await db.query<{
        transaction_id: string;
        leg: number;
        kind: TransactionKind;
        asset: string;
        direction: Side;
        amount: string;
        normal_side: Side;
        description: string | null;
        metadata: Metadata | null;
        effective_at: Date;
        created_at: Date;
      }>(
        `SELECT e.transaction_id, e.leg, t.kind, e.asset, e.direction, e.amount::text AS amount,
                a.normal_side, t.description, t.metadata, e.effective_at, t.created_at
           FROM ledger_entries e
           JOIN ledger_transactions t ON t.id = e.transaction_id
           JOIN ledger_accounts a ON a.id = e.account_id
          WHERE e.account_id = $1
            AND ($2::text IS NULL OR (e.transaction_id, e.leg) < ($2, $3::int2))
            AND ($4::timestamptz IS NULL OR e.effective_at >= $4)
            AND ($5::timestamptz IS NULL OR e.effective_at < $5)
          ORDER BY e.transaction_id DESC, e.leg DESC
          LIMIT $6`,
        [
          query.accountId,
          beforeTx,
          beforeLeg,
          query.effectiveFrom ?? null,
          query.effectiveTo ?? null,
          limit,
        ],
      );
      return rows.map((r) => {
        const amount = BigInt(r.amount);
        return {
          cursor: `${r.transaction_id}.${r.leg}`,
          transactionId: r.transaction_id,
          kind: r.kind,
          asset: r.asset,
          direction: r.direction,
          amount,
          change: r.direction === r.normal_side ? amount : -amount,
          description: r.description,
          metadata: r.metadata,
          effectiveAt: r.effective_at,
          createdAt: r.created_at,
        };
      });
    },
  };
}
