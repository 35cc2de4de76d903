import { LedgerError } from '../ledger/errors.js';
import { formatAmount } from '../ledger/money.js';
import type { AccountEntry } from '../ledger/service.js';
import { prepared } from '../platform/db/db.js';
import { fail } from '../platform/failure.js';
import { WalletError, type WalletFailure } from './errors.js';
import type { WalletContext } from './internal.js';
import type { Activity, ActivityType, AssetBalance } from './model.js';

export interface HistoryQuery {
  limit: number;
  /** An activity id: return older items. */
  startingAfter?: string | undefined;
  asset?: string | undefined;
  type?: ActivityType | undefined;
  /** Inclusive. */
  from?: Date | undefined;
  /** Exclusive. */
  to?: Date | undefined;
}

export interface Statement {
  asset: string;
  from: Date;
  to: Date;
  opening: string;
  closing: string;
  lines: number;
  csv: string;
}

interface ActivityRow {
  id: string;
  user_id: string;
  type: ActivityType;
  asset: string;
  amount: string;
  reference_id: string;
  counterparty_id: string | null;
  description: string | null;
  ledger_transaction_id: string;
  occurred_at: Date;
}

const ACTIVITY_COLUMNS = `id, user_id, type, asset, amount::text AS amount, reference_id,
  counterparty_id, description, ledger_transaction_id, occurred_at`;

/** A page of a user's movements, filtered: every history read runs it. */
const HISTORY = prepared(
  `SELECT ${ACTIVITY_COLUMNS} FROM wallet_activity
    WHERE user_id = $1
      AND ($2::text IS NULL OR asset = $2)
      AND ($3::text IS NULL OR type = $3)
      AND ($4::timestamptz IS NULL OR occurred_at >= $4)
      AND ($5::timestamptz IS NULL OR occurred_at < $5)
      AND ($6::text IS NULL OR id < $6)
    ORDER BY id DESC LIMIT $7`,
);

/** Longest statement, in lines; a longer period must be asked for in parts. */
export const MAX_STATEMENT_LINES = 50_000;
const MAX_STATEMENT_DAYS = 366;
/** The period of a statement asked for without dates: the last 30 days. */
const DEFAULT_STATEMENT_DAYS = 30;

/**
 * One CSV field. Text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab,
 * carriage return first) gets a leading apostrophe: notes are written by other users.
 */
function csvField(value: string, text = true): string {
  const safe = text && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function createReports(ctx: WalletContext) {
  const { db, ledger } = ctx.deps;

  async function toActivity(r: ActivityRow): Promise<Activity> {
    const amount = BigInt(r.amount);
    return {
      id: r.id,
      userId: r.user_id,
      type: r.type,
      asset: r.asset,
      amount,
      amountDecimal: await ctx.format(r.asset, amount),
      referenceId: r.reference_id,
      counterpartyId: r.counterparty_id,
      description: r.description,
      ledgerTransactionId: r.ledger_transaction_id,
      occurredAt: r.occurred_at,
    };
  }

  /** Every asset, with the user's balances in it (zero where they hold none). */
  async function balances(userId: string): Promise<AssetBalance[]> {
    const held = await ledger.listHoldings(userId);
    return held.map(({ asset, kind, scale, balance: b }) => ({
      asset,
      kind,
      scale,
      available: b.available,
      held: b.pendingDebits,
      total: b.posted,
      incoming: b.pendingCredits,
    }));
  }

  /** The user's movements, newest first, filtered. */
  async function history(userId: string, q: HistoryQuery): Promise<Activity[]> {
    const { rows } = await db.query<ActivityRow>(HISTORY, [
      userId,
      q.asset ?? null,
      q.type ?? null,
      q.from ?? null,
      q.to ?? null,
      q.startingAfter ?? null,
      q.limit,
    ]);
    return Promise.all(rows.map(toActivity));
  }

  /**
   * A CSV statement of one asset over [from, to), built from the ledger itself (every
   * posted entry of the user's account, whoever made it), with the opening balance, a
   * running balance on each line and the closing balance, so it reconciles on its own.
   */
  async function statement(
    userId: string,
    query: { asset: string; from?: Date | undefined; to?: Date | undefined },
  ): Promise<{ ok: true; statement: Statement } | WalletFailure> {
    const to = query.to ?? ctx.clock();
    const q = {
      asset: query.asset,
      to,
      from: query.from ?? new Date(to.getTime() - DEFAULT_STATEMENT_DAYS * 86_400_000),
    };
    const asset = await ctx.asset(q.asset);
    if (!asset)
      return fail(LedgerError.UnknownAsset, { message: `No asset ${q.asset}`, param: 'asset' });
    if (
      q.to.getTime() <= q.from.getTime() ||
      q.to.getTime() - q.from.getTime() > MAX_STATEMENT_DAYS * 86_400_000
    ) {
      return fail(WalletError.DateRangeInvalid, {
        message: `"from" must be before "to", at most ${MAX_STATEMENT_DAYS} days apart`,
        param: 'from',
      });
    }
    const account = await ledger.findAccount(userId, asset.code);
    let opening = 0n;
    const entries: AccountEntry[] = [];
    if (account) {
      // Entries carry millisecond times: the balance 1 ms before `from` is the opening one.
      const before = await ledger.balanceAt(account.id, new Date(q.from.getTime() - 1));
      if (!before.ok) throw new Error(before.message);
      opening = before.posted;
      let cursor: string | undefined;
      for (;;) {
        const page = await ledger.listEntries({
          accountId: account.id,
          limit: 500,
          effectiveFrom: q.from,
          effectiveTo: q.to,
          ...(cursor !== undefined ? { before: cursor } : {}),
        });
        entries.push(...page);
        if (entries.length > MAX_STATEMENT_LINES) {
          return fail(WalletError.StatementTooLarge, {
            message: `More than ${MAX_STATEMENT_LINES} lines; ask for a shorter period`,
            param: 'from',
          });
        }
        if (page.length < 500) break;
        cursor = page[page.length - 1]?.cursor;
      }
      entries.reverse();
    }
    const txIds = [...new Set(entries.map((e) => e.transactionId))];
    const { rows } = await db.query<ActivityRow>(
      `SELECT ${ACTIVITY_COLUMNS} FROM wallet_activity
        WHERE user_id = $1 AND asset = $2 AND ledger_transaction_id = ANY($3::text[])`,
      [userId, asset.code, txIds],
    );
    const activity = new Map(rows.map((r) => [r.ledger_transaction_id, r]));
    const fmt = (v: bigint) => formatAmount(v, asset.scale);
    const lines = ['date,type,reference,counterparty,description,amount,balance'];
    lines.push([q.from.toISOString(), 'opening_balance', '', '', '', '', fmt(opening)].join(','));
    let balance = opening;
    for (const e of entries) {
      balance += e.change;
      const a = activity.get(e.transactionId);
      lines.push(
        [
          e.effectiveAt.toISOString(),
          a?.type ?? `ledger_${e.kind}`,
          a?.reference_id ?? e.transactionId,
          a?.counterparty_id ?? '',
          csvField(a?.description ?? e.description ?? ''),
          fmt(e.change),
          fmt(balance),
        ]
          .map((v, i) => (i === 4 ? v : csvField(v, false)))
          .join(','),
      );
    }
    lines.push([q.to.toISOString(), 'closing_balance', '', '', '', '', fmt(balance)].join(','));
    return {
      ok: true,
      statement: {
        asset: asset.code,
        from: q.from,
        to: q.to,
        opening: fmt(opening),
        closing: fmt(balance),
        lines: entries.length,
        csv: `${lines.join('\r\n')}\r\n`,
      },
    };
  }

  return { balances, history, statement };
}

export type Reports = ReturnType<typeof createReports>;
