import { LedgerError } from '../ledger/errors.js';
import type { LedgerService } from '../ledger/service.js';
import type { Db } from '../platform/db/db.js';
import { fail, rollback } from '../platform/failure.js';
import { newId } from '../platform/ids.js';
import type { Outbox } from '../platform/outbox/outbox.js';
import { amountError, MerchantError, type MerchantFailure } from './errors.js';
import type { MerchantAccount } from './model.js';

export interface Refund {
  id: string;
  accountId: string;
  livemode: boolean;
  invoiceId: string;
  paymentId: string;
  asset: string;
  amount: bigint;
  scale: number;
  reason: string | null;
  ledgerRef: string;
  createdAt: Date;
}

/**
 * Refunds: money back from the merchant balance to whoever paid (the payer's wallet; the
 * test faucet for simulated payments). Never more than was paid: the refunded total of
 * the payment is raised by one conditional UPDATE (`refunded + amount <= amount`), in
 * the same transaction as the ledger transfer, so concurrent refunds queue on the
 * payment row and the last ones are refused, and a refund exists exactly when its
 * ledger transaction does.
 */
export interface RefundService {
  create(
    account: MerchantAccount,
    invoiceId: string,
    input: { asset: string; amount: string; reason?: string | undefined },
  ): Promise<Refund | MerchantFailure>;
  get(accountId: string, id: string): Promise<Refund | undefined>;
  list(
    accountId: string,
    query: { limit: number; startingAfter?: string; invoiceId?: string },
  ): Promise<Refund[]>;
}

interface RefundRow {
  id: string;
  account_id: string;
  invoice_id: string;
  payment_id: string;
  asset: string;
  amount: string;
  reason: string | null;
  ledger_ref: string;
  created_at: Date;
  livemode: boolean;
}

const COLUMNS = `r.id, r.account_id, r.invoice_id, r.payment_id, r.asset, r.amount::text AS amount,
  r.reason, r.ledger_ref, r.created_at, i.livemode`;

export function createRefundService(deps: {
  db: Db;
  ledger: LedgerService;
  outbox: Pick<Outbox, 'publish'>;
  clock: () => Date;
}): RefundService {
  const { db, ledger } = deps;

  const toRefund = async (r: RefundRow): Promise<Refund> => ({
    id: r.id,
    accountId: r.account_id,
    livemode: r.livemode,
    invoiceId: r.invoice_id,
    paymentId: r.payment_id,
    asset: r.asset,
    amount: BigInt(r.amount),
    scale: (await ledger.getAsset(r.asset))?.scale ?? 0,
    reason: r.reason,
    ledgerRef: r.ledger_ref,
    createdAt: r.created_at,
  });

  return {
    async create(account, invoiceId, input) {
      const { rows: found } = await db.query<{ livemode: boolean }>(
        'SELECT livemode FROM merchant_invoices WHERE id = $1 AND account_id = $2',
        [invoiceId, account.id],
      );
      if (!found[0]) return fail(MerchantError.InvoiceNotFound, { param: 'invoice' });
      const parsed = await ledger.parseAmount(input.asset, input.amount);
      if (!parsed.ok) {
        const code = amountError(parsed.code);
        return fail(code, { param: code === MerchantError.AssetUnknown ? 'asset' : 'amount' });
      }
      const amount = parsed.amount;
      return db.attempt(
        async () => {
          // The guard: one statement takes the amount from a confirmed payment of this
          // asset that still has it (the oldest first), or takes nothing.
          const { rows } = await db.query<{ id: string; payer_owner: string | null }>(
            `UPDATE merchant_payments p SET refunded = p.refunded + $3
              WHERE p.id = (SELECT id FROM merchant_payments
                             WHERE invoice_id = $1 AND asset = $2 AND status = 'confirmed'
                               AND payer_owner IS NOT NULL AND amount - refunded >= $3
                             ORDER BY id LIMIT 1)
                AND p.refunded + $3 <= p.amount
              RETURNING p.id, p.payer_owner`,
            [invoiceId, input.asset, amount.toString()],
          );
          const payment = rows[0];
          if (!payment?.payer_owner) {
            const { rows: chain } = await db.query<{ n: string }>(
              `SELECT count(*)::text AS n FROM merchant_payments
                WHERE invoice_id = $1 AND asset = $2 AND status = 'confirmed' AND payer_owner IS NULL`,
              [invoiceId, input.asset],
            );
            return fail(
              Number(chain[0]?.n ?? 0) > 0
                ? MerchantError.RefundDestinationMissing
                : MerchantError.RefundExceedsPaid,
            );
          }
          const id = newId('re');
          const from = await ledger.openAccount({ owner: account.id, asset: input.asset });
          const to = await ledger.openAccount({ owner: payment.payer_owner, asset: input.asset });
          if (!from.ok || !to.ok) throw new Error('refund accounts cannot be opened');
          const moved = await ledger.transfer({
            key: `merchants:refund:${id}`,
            from: from.account.id,
            to: to.account.id,
            asset: input.asset,
            amount,
            description: `Refund of invoice ${invoiceId}`,
            metadata: { invoiceId, paymentId: payment.id, refundId: id },
          });
          if (!moved.ok) {
            return rollback(
              fail(
                moved.code === LedgerError.InsufficientFunds
                  ? MerchantError.MerchantBalanceInsufficient
                  : MerchantError.AccountFrozen,
              ),
            );
          }
          const { rows: inserted } = await db.query<RefundRow>(
            `WITH r AS (
               INSERT INTO merchant_refunds (id, account_id, invoice_id, payment_id, asset, amount, reason, ledger_ref, created_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *)
             SELECT ${COLUMNS} FROM r JOIN merchant_invoices i ON i.id = r.invoice_id`,
            [
              id,
              account.id,
              invoiceId,
              payment.id,
              input.asset,
              amount.toString(),
              input.reason ?? null,
              moved.transaction.id,
              deps.clock(),
            ],
          );
          const row = inserted[0];
          if (!row) throw new Error('refund insert returned nothing');
          const refund = await toRefund(row);
          await deps.outbox.publish({
            type: 'refund.succeeded',
            aggregateId: id,
            payload: {
              id,
              account_id: account.id,
              merchant_id: account.merchantId,
              livemode: refund.livemode,
              invoice_id: invoiceId,
              payment_id: payment.id,
              asset: input.asset,
              amount: input.amount,
            },
          });
          return refund;
        },
        { retryTransient: true },
      );
    },

    async get(accountId, id) {
      const { rows } = await db.query<RefundRow>(
        `SELECT ${COLUMNS} FROM merchant_refunds r JOIN merchant_invoices i ON i.id = r.invoice_id
          WHERE r.id = $1 AND r.account_id = $2`,
        [id, accountId],
      );
      return rows[0] ? toRefund(rows[0]) : undefined;
    },

    async list(accountId, q) {
      const { rows } = await db.query<RefundRow>(
        `SELECT ${COLUMNS} FROM merchant_refunds r JOIN merchant_invoices i ON i.id = r.invoice_id
          WHERE r.account_id = $1 AND ($2::text IS NULL OR r.id < $2)
            AND ($3::text IS NULL OR r.invoice_id = $3)
          ORDER BY r.id DESC LIMIT $4`,
        [accountId, q.startingAfter ?? null, q.invoiceId ?? null, q.limit],
      );
      return Promise.all(rows.map(toRefund));
    },
  };
}
