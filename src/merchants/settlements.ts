import { formatAmount } from '../ledger/money.js';
import type { AccountEntry, LedgerService } from '../ledger/service.js';
import type { Db } from '../platform/db/db.js';
import { fail } from '../platform/failure.js';
import { MerchantError, type MerchantFailure } from './errors.js';

/** One UTC day of one asset, or the period's total (`day` null). */
export interface SettlementLine {
  day: string | null;
  asset: string;
  scale: number;
  /** What payers paid (confirmed payments booked in the period). */
  gross: bigint;
  /** The platform's fees on those payments. */
  fees: bigint;
  /** Refunds that left the balance (to wallets, and refunds sent on chain once posted). */
  refunds: bigint;
  /** Payouts that left the balance (withdrawals posted). */
  payouts: bigint;
  /** Any other movement of the balance (none today; kept so the total always reconciles). */
  other: bigint;
  /** gross − fees − refunds − payouts + other: the balance's change. */
  net: bigint;
}

export interface SettlementReport {
  from: Date;
  to: Date;
  days: SettlementLine[];
  /** Per asset: the totals and the ledger's balance at both ends of the period. */
  totals: (SettlementLine & { opening: bigint; closing: bigint })[];
}

/** Longest period of one report. */
export const MAX_SETTLEMENT_DAYS = 366;
const MAX_ENTRIES = 200_000;

/**
 * Settlement reports of a merchant account, built from its ledger accounts' posted entries
 * (through the ledger's service): each entry is classed by the transaction that made it (a
 * payment, a refund, a withdrawal paying a refund or a payout), so per asset the day lines
 * add up to the total and the total's net equals the ledger balance's change over
 * [from, to).
 */
export function createSettlementReports(deps: { db: Db; ledger: LedgerService }) {
  const { db, ledger } = deps;

  async function report(
    accountId: string,
    q: { from: Date; to: Date },
  ): Promise<SettlementReport | MerchantFailure> {
    const span = q.to.getTime() - q.from.getTime();
    if (!(span > 0) || span > MAX_SETTLEMENT_DAYS * 86_400_000) {
      return fail(MerchantError.DateRangeInvalid, {
        message: `"from" must be before "to", at most ${MAX_SETTLEMENT_DAYS} days apart`,
        param: 'from',
      });
    }
    const accounts = await ledger.listAccounts(accountId);
    const days: SettlementLine[] = [];
    const totals: SettlementReport['totals'] = [];
    for (const account of [...accounts].sort((a, b) => a.asset.localeCompare(b.asset))) {
      const scale = (await ledger.getAsset(account.asset))?.scale ?? 0;
      // Entries carry millisecond times: the balance 1 ms before a bound is the one at it.
      const opening = await ledger.balanceAt(account.id, new Date(q.from.getTime() - 1));
      const closing = await ledger.balanceAt(account.id, new Date(q.to.getTime() - 1));
      if (!opening.ok || !closing.ok) throw new Error(`balance of ${account.id} unavailable`);
      const entries: AccountEntry[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await ledger.listEntries({
          accountId: account.id,
          limit: 1000,
          effectiveFrom: q.from,
          effectiveTo: q.to,
          ...(cursor !== undefined ? { before: cursor } : {}),
        });
        entries.push(...page);
        if (entries.length > MAX_ENTRIES) {
          return fail(MerchantError.DateRangeInvalid, {
            message: 'Too many movements in this period; ask for a shorter one',
            param: 'from',
          });
        }
        if (page.length < 1000) break;
        cursor = page[page.length - 1]?.cursor;
      }
      // The fees of the payments and which withdrawals paid refunds: the module's own rows.
      const paymentIds = entries.flatMap((e) => meta(e, 'paymentId'));
      const withdrawalIds = entries.flatMap((e) => meta(e, 'withdrawalId'));
      const { rows: fees } = await db.query<{ id: string; fee: string }>(
        'SELECT id, fee::text AS fee FROM merchant_payments WHERE account_id = $1 AND id = ANY($2::text[])',
        [accountId, paymentIds],
      );
      const feeOf = new Map(fees.map((r) => [r.id, BigInt(r.fee)]));
      const { rows: refundSends } = await db.query<{ withdrawal_id: string }>(
        `SELECT withdrawal_id FROM merchant_refunds
          WHERE account_id = $1 AND withdrawal_id = ANY($2::text[])`,
        [accountId, withdrawalIds],
      );
      const refundWithdrawals = new Set(refundSends.map((r) => r.withdrawal_id));

      const byDay = new Map<string, SettlementLine>();
      const line = (day: string | null): SettlementLine => ({
        day,
        asset: account.asset,
        scale,
        gross: 0n,
        fees: 0n,
        refunds: 0n,
        payouts: 0n,
        other: 0n,
        net: 0n,
      });
      const total = line(null);
      for (const e of entries) {
        const day = e.effectiveAt.toISOString().slice(0, 10);
        let d = byDay.get(day);
        if (!d) byDay.set(day, (d = line(day)));
        const [paymentId] = meta(e, 'paymentId');
        const [withdrawalId] = meta(e, 'withdrawalId');
        for (const l of [d, total]) {
          l.net += e.change;
          if (paymentId !== undefined && e.change > 0n) {
            const fee = feeOf.get(paymentId) ?? 0n;
            l.gross += e.change + fee;
            l.fees += fee;
          } else if (meta(e, 'refundId').length > 0 && e.change < 0n) {
            l.refunds -= e.change;
          } else if (meta(e, 'payoutId').length > 0) {
            // A bank payout leaving, and its amount coming back when it fails.
            l.payouts -= e.change;
          } else if (withdrawalId !== undefined && e.change < 0n) {
            if (refundWithdrawals.has(withdrawalId)) l.refunds -= e.change;
            else l.payouts -= e.change;
          } else {
            l.other += e.change;
          }
        }
      }
      days.push(...[...byDay.values()].sort((a, b) => (a.day ?? '').localeCompare(b.day ?? '')));
      totals.push({ ...total, opening: opening.posted, closing: closing.posted });
    }
    days.sort((a, b) => (a.day ?? '').localeCompare(b.day ?? '') || a.asset.localeCompare(b.asset));
    return { from: q.from, to: q.to, days, totals };
  }

  return { report };
}

function meta(e: AccountEntry, key: string): string[] {
  const v = e.metadata?.[key];
  return typeof v === 'string' ? [v] : [];
}

const amounts = (l: SettlementLine) =>
  [l.gross, l.fees, l.refunds, l.payouts, l.other, l.net].map((v) => formatAmount(v, l.scale));

/** The report as CSV: a line per day and asset, then a total line per asset with both balances. */
export function settlementCsv(r: SettlementReport): string {
  const out = ['date,asset,gross,fees,refunds,payouts,other,net,opening_balance,closing_balance'];
  for (const d of r.days) out.push([d.day, d.asset, ...amounts(d), '', ''].join(','));
  for (const t of r.totals) {
    out.push(
      [
        'total',
        t.asset,
        ...amounts(t),
        formatAmount(t.opening, t.scale),
        formatAmount(t.closing, t.scale),
      ].join(','),
    );
  }
  return `${out.join('\n')}\n`;
}

export function settlementJson(r: SettlementReport) {
  const fields = (l: SettlementLine) => {
    const [gross, fees, refunds, payouts, other, net] = amounts(l);
    return { asset: l.asset, gross, fees, refunds, payouts, other, net };
  };
  return {
    object: 'settlement_report' as const,
    from: r.from.toISOString(),
    to: r.to.toISOString(),
    days: r.days.map((d) => ({ date: d.day ?? '', ...fields(d) })),
    totals: r.totals.map((t) => ({
      ...fields(t),
      opening_balance: formatAmount(t.opening, t.scale),
      closing_balance: formatAmount(t.closing, t.scale),
    })),
  };
}
