import type { ChainsService } from '../chains/service.js';
import type { Withdrawal } from '../chains/withdrawals/service.js';
import { LedgerError } from '../ledger/errors.js';
import { formatAmount } from '../ledger/money.js';
import type { LedgerService } from '../ledger/service.js';
import type { AuditLog } from '../platform/audit/audit.js';
import type { SecretBox } from '../platform/crypto/secret-box.js';
import type { Db } from '../platform/db/db.js';
import { fail, isFailure, rollback } from '../platform/failure.js';
import { newId } from '../platform/ids.js';
import type { Outbox } from '../platform/outbox/outbox.js';
import { amountError, fieldWithCardNumber, MerchantError, type MerchantFailure } from './errors.js';
import type { CardProcessor } from './cards/processor.js';
import { CARD_CLEARING_OWNER, TEST_FAUCET_OWNER } from './invoices.js';
import { recordMerchantAction } from './audit.js';
import type { Actor, MerchantAccount } from './model.js';
import { createRefundLinkSigner, type RefundLinkSigner } from './refund-links.js';
import { planRefund, type RefundSource } from './refund-plan.js';

export type RefundStatus =
  'pending_destination' | 'processing' | 'succeeded' | 'failed' | 'canceled';

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
  /** The ledger transaction of a refund to a wallet; null for one paid on chain. */
  ledgerRef: string | null;
  status: RefundStatus;
  /** The chain of the invoice a refund on chain is paid on. */
  chainKey: string | null;
  destinationAddress: string | null;
  /** The chains module's withdrawal that pays a refund on chain. */
  withdrawalId: string | null;
  /** Until when the payer's link works (refunds waiting for a destination). */
  linkExpiresAt: Date | null;
  failureReason: string | null;
  /** Refunds of card payments: the card processor's refund (`re_…`), once it answered. */
  cardRefundId: string | null;
  /** A part of a refund split across payments: the id of its first part (null: not split). */
  splitId: string | null;
  createdAt: Date;
  /** The signed link for the payer, on the answers that issue one (create, reissue). */
  link?: { token: string; expiresAt: Date } | undefined;
  /** On the answer creating a split refund: every part, this one first. */
  parts?: Refund[] | undefined;
}

/** What the payer sees through a refund link. */
export interface RefundLinkView {
  refund: Refund;
  merchantName: string;
  /** Whether an address can still be given (pending, link unused and unexpired). */
  open: boolean;
}

/**
 * Refunds: money back from the merchant balance to whoever paid (the payer's wallet; the
 * test faucet for simulated payments; an address the payer gives for payments received
 * on chain). Never more than was paid: the invoice's refundable payments are locked in id
 * order, the refund is planned over what they have left (`planRefund`: one payment when
 * one covers it, else split across them, wallet → card → chain) and each part raises its
 * payment's refunded total (`refunded + part <= amount`) under that lock, so concurrent
 * refunds queue and the last ones are refused. The parts of a split are booked in one
 * transaction, all or none; each is then a refund of its own (events, status, and for a
 * card part the processor call under its own id). A refund to a wallet is that UPDATE and
 * its ledger transfer in one transaction. A refund of an on-chain payment reserves the amount
 * with the same UPDATE and waits for the payer's address (`pending_destination`): the
 * merchant hands the payer a signed, expiring link; the first valid address given through
 * it claims the refund (one conditional UPDATE) and requests the chains module's
 * withdrawal from the merchant account in the same transaction, so it is paid exactly
 * once. A failed or rejected withdrawal gives the reservation back.
 *
 * A refund of a card payment goes back to the card through the card processor. One
 * transaction reserves the amount (the same UPDATE), books it (merchant balance to the
 * card clearing account, which the processor then owes less) and records the refund as
 * `processing`; after commit the processor refunds the charge under the refund's id as
 * idempotency key, so a retry never refunds twice. Its answer moves the refund once
 * (conditional UPDATE on `processing`): `succeeded`, or `failed` with the booking
 * reversed and the reservation given back in the same transaction. When the processor
 * cannot be reached the refund stays `processing` and `resumeCardRefunds` asks again.
 */
export interface RefundService {
  create(
    account: MerchantAccount,
    invoiceId: string,
    input: {
      asset: string;
      amount: string;
      reason?: string | undefined;
      linkExpiresInSeconds?: number | undefined;
    },
    actor?: Actor,
  ): Promise<Refund | MerchantFailure>;
  get(accountId: string, id: string): Promise<Refund | undefined>;
  list(
    accountId: string,
    query: { limit: number; startingAfter?: string; invoiceId?: string },
  ): Promise<Refund[]>;
  /** A new link for a refund still waiting for its destination (earlier links stop working). */
  reissueLink(
    accountId: string,
    id: string,
    linkExpiresInSeconds?: number,
    actor?: Actor,
  ): Promise<Refund | MerchantFailure>;
  /** Withdraws a refund still waiting for its destination; the amount may be refunded again. */
  cancel(accountId: string, id: string, actor?: Actor): Promise<Refund | MerchantFailure>;
  /** The refund behind a link, for the payer (any valid signature, used or not). */
  openLink(token: string): Promise<RefundLinkView | MerchantFailure>;
  /** The payer gives the address: claims the refund once and sends it on chain. */
  submitLink(
    token: string,
    address: string,
    payer?: { ip?: string | undefined; requestId?: string | undefined },
  ): Promise<Refund | MerchantFailure>;
  /** Follows a refund's withdrawal (chains `withdrawal.*` events): succeeded or failed, once. */
  syncWithdrawal(withdrawalId: string): Promise<void>;
  /** Asks the processor again for card refunds `processing` for over `olderThanMs`; how many ended. */
  resumeCardRefunds(olderThanMs?: number): Promise<number>;
}

interface RefundRow {
  id: string;
  account_id: string;
  invoice_id: string;
  payment_id: string;
  asset: string;
  amount: string;
  reason: string | null;
  ledger_ref: string | null;
  status: RefundStatus;
  destination_address: string | null;
  withdrawal_id: string | null;
  link_expires_at: Date | null;
  failure_reason: string | null;
  card_refund_id: string | null;
  split_id: string | null;
  created_at: Date;
  livemode: boolean;
  chain_key: string | null;
  /** The refunded payment's card charge (card payments only). */
  card_charge_id: string | null;
}

const COLUMNS = `r.id, r.account_id, r.invoice_id, r.payment_id, r.asset, r.amount::text AS amount,
  r.reason, r.ledger_ref, r.status, r.destination_address, r.withdrawal_id, r.link_expires_at,
  r.failure_reason, r.card_refund_id, r.split_id, r.created_at, i.livemode, i.chain_key,
  (SELECT p.card_charge_id FROM merchant_payments p WHERE p.id = r.payment_id) AS card_charge_id`;

/** Default life of a refund link: three days. */
export const REFUND_LINK_TTL_SECONDS = 3 * 24 * 3600;

/** A withdrawal refused by the chains module, in the words the payer's form shows. */
function fromChains(code: string): MerchantFailure {
  switch (code) {
    case 'address_invalid':
    case 'address_checksum_invalid':
    case 'address_own':
    case 'address_not_allowlisted':
      return fail(MerchantError.RefundAddressInvalid, { param: 'address' });
    case 'insufficient_funds':
      return fail(MerchantError.MerchantBalanceInsufficient);
    default:
      return fail(MerchantError.RefundNotSendable, {
        message: `The refund cannot be sent now (${code})`,
      });
  }
}

export function createRefundService(deps: {
  db: Db;
  ledger: LedgerService;
  outbox: Pick<Outbox, 'publish'>;
  /** The audit log refunds are recorded in (who refunded what, and when). */
  audit?: Pick<AuditLog, 'record'> | undefined;
  clock: () => Date;
  secretBox: SecretBox;
  /** The chains module's withdrawals (refunds on chain are paid as one). */
  withdrawals?: Pick<ChainsService['withdrawals'], 'request' | 'get'> | undefined;
  merchantName(merchantId: string): Promise<string | undefined>;
  /** The card processor of a mode (refunds of card payments go back through it). */
  cardProcessor?: ((livemode: boolean) => CardProcessor | undefined) | undefined;
}): RefundService {
  const { db, ledger } = deps;
  const signer: RefundLinkSigner = createRefundLinkSigner({ db, secretBox: deps.secretBox });

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
    status: r.status,
    chainKey: r.chain_key,
    destinationAddress: r.destination_address,
    withdrawalId: r.withdrawal_id,
    linkExpiresAt: r.link_expires_at,
    failureReason: r.failure_reason,
    cardRefundId: r.card_refund_id,
    splitId: r.split_id,
    createdAt: r.created_at,
  });

  const byId = async (id: string, lock = false): Promise<RefundRow | undefined> => {
    const { rows } = await db.query<RefundRow>(
      `SELECT ${COLUMNS} FROM merchant_refunds r JOIN merchant_invoices i ON i.id = r.invoice_id
        WHERE r.id = $1${lock ? ' FOR UPDATE OF r' : ''}`,
      [id],
    );
    return rows[0];
  };

  const refundEvent = (
    type:
      | 'refund.succeeded'
      | 'refund.pending_destination'
      | 'refund.processing'
      | 'refund.failed'
      | 'refund.canceled',
    r: Refund,
    merchantId: string,
  ) =>
    deps.outbox.publish({
      type,
      aggregateId: r.id,
      payload: {
        id: r.id,
        account_id: r.accountId,
        merchant_id: merchantId,
        livemode: r.livemode,
        invoice_id: r.invoiceId,
        payment_id: r.paymentId,
        asset: r.asset,
        amount: formatAmount(r.amount, r.scale, { trim: true }),
        status: r.status,
        destination_address: r.destinationAddress,
        withdrawal_id: r.withdrawalId,
        failure_reason: r.failureReason,
        split_id: r.splitId,
      },
    });

  const merchantOf = async (accountId: string): Promise<string> => {
    const { rows } = await db.query<{ merchant_id: string }>(
      'SELECT merchant_id FROM merchant_invoices WHERE account_id = $1 LIMIT 1',
      [accountId],
    );
    return rows[0]?.merchant_id ?? '';
  };

  /** Gives a refund's reservation back to its payment (a refund that will not be paid). */
  const release = (r: RefundRow) =>
    db.query('UPDATE merchant_payments SET refunded = refunded - $2 WHERE id = $1', [
      r.payment_id,
      r.amount,
    ]);

  const linkFor = async (row: RefundRow): Promise<Refund> => {
    const refund = await toRefund(row);
    if (row.status !== 'pending_destination' || !row.link_expires_at) return refund;
    return {
      ...refund,
      link: {
        token: await signer.sign(row.id, row.link_expires_at),
        expiresAt: row.link_expires_at,
      },
    };
  };

  /** The refund a token names, when its signature holds and it is the refund's current link. */
  const fromToken = async (token: string): Promise<RefundRow | MerchantFailure> => {
    const claim = await signer.verify(token);
    if (!claim) return fail(MerchantError.RefundLinkInvalid);
    const row = await byId(claim.refundId);
    if (!row?.link_expires_at || row.link_expires_at.getTime() !== claim.expiresAt.getTime()) {
      return fail(MerchantError.RefundLinkInvalid);
    }
    return row;
  };

  /** Records a refund action, last in its transaction (the audit head stays locked to commit). */
  const audited = async (
    actor: Parameters<typeof recordMerchantAction>[1] | undefined,
    action: string,
    r: Refund,
    merchantId: string,
    data: Record<string, string> = {},
  ) => {
    if (!actor || !deps.audit) return;
    await recordMerchantAction(
      deps.audit,
      actor,
      action,
      { type: 'merchant_refund', id: r.id },
      {
        merchant_id: merchantId,
        account_id: r.accountId,
        invoice_id: r.invoiceId,
        asset: r.asset,
        amount: formatAmount(r.amount, r.scale, { trim: true }),
        status: r.status,
        ...data,
      },
    );
  };

  /**
   * Asks the processor to refund a card refund still `processing`, and records its answer
   * once. The idempotency key is the refund's id: asking again (after a crash or an
   * outage) gets the processor's first answer, never a second refund.
   */
  const sendCardRefund = async (id: string): Promise<Refund> => {
    const row = await byId(id);
    if (!row) throw new Error(`refund ${id} vanished`);
    const processor = deps.cardProcessor?.(row.livemode);
    if (row.status !== 'processing' || !row.card_charge_id || !processor) return toRefund(row);
    const answer = await processor.refund({
      chargeId: row.card_charge_id,
      amount: BigInt(row.amount),
      idempotencyKey: `refund:${id}`,
    });
    // Unreachable: stays processing; the resume pass asks again under the same key.
    if (isFailure(answer) && answer.code === 'processor_unavailable') return toRefund(row);
    return db.attempt(
      async () => {
        const now = deps.clock();
        if (!isFailure(answer)) {
          const { rowCount } = await db.query(
            `UPDATE merchant_refunds SET status = 'succeeded', card_refund_id = $2, updated_at = $3
              WHERE id = $1 AND status = 'processing'`,
            [id, answer.id, now],
          );
          const after = await byId(id);
          if (!after) throw new Error(`refund ${id} vanished`);
          const refund = await toRefund(after);
          if (rowCount)
            await refundEvent('refund.succeeded', refund, await merchantOf(after.account_id));
          return refund;
        }
        const { rowCount } = await db.query(
          `UPDATE merchant_refunds SET status = 'failed', failure_reason = $2, updated_at = $3
            WHERE id = $1 AND status = 'processing'`,
          [id, answer.code, now],
        );
        if (rowCount) {
          // Refused by the processor: the booking is reversed and the amount may be
          // refunded again, in the transaction that marks the refund failed (so once).
          const clearing = await ledger.openAccount({
            owner: CARD_CLEARING_OWNER[row.livemode ? 'live' : 'test'],
            asset: row.asset,
            mayGoNegative: true,
          });
          const merchantAccount = await ledger.openAccount({
            owner: row.account_id,
            asset: row.asset,
          });
          if (!clearing.ok || !merchantAccount.ok) {
            throw new Error('card refund accounts cannot be opened');
          }
          const reversed = await ledger.transfer({
            key: `merchants:refund:${id}:reversal`,
            from: clearing.account.id,
            to: merchantAccount.account.id,
            asset: row.asset,
            amount: BigInt(row.amount),
            description: `Reversal of failed card refund ${id}`,
            metadata: { invoiceId: row.invoice_id, paymentId: row.payment_id, refundId: id },
          });
          if (!reversed.ok) throw new Error(`card refund ${id} not reversed: ${reversed.code}`);
          await db.query('UPDATE merchant_refunds SET reversal_ref = $2 WHERE id = $1', [
            id,
            reversed.transaction.id,
          ]);
          await release(row);
        }
        const after = await byId(id);
        if (!after) throw new Error(`refund ${id} vanished`);
        const refund = await toRefund(after);
        if (rowCount)
          await refundEvent('refund.failed', refund, await merchantOf(after.account_id));
        return refund;
      },
      { retryTransient: true },
    );
  };

  /**
   * Books one part of a refund, its payment's `refunded` already raised in the caller's
   * transaction: to the card clearing account (`processing`, the processor asked after
   * commit), waiting for the payer's address (a payment received on chain), or to the
   * payer's wallet at once. A refusal rolls the whole refund back, every part.
   */
  const bookPart = async (p: {
    id: string;
    splitId: string | null;
    account: MerchantAccount;
    invoiceId: string;
    livemode: boolean;
    chainKey: string | null;
    asset: string;
    amount: bigint;
    payment: RefundSource;
    reason: string | null;
    linkExpiresInSeconds: number | undefined;
  }): Promise<Refund | MerchantFailure> => {
    const { id, account, invoiceId, asset, amount, payment } = p;
    const now = deps.clock();
    /** The part's row, as the refund reads (with its invoice's columns). */
    const insert = async (
      status: 'processing' | 'pending_destination' | 'succeeded',
      booked: { ledgerRef?: string; linkExpiresAt?: Date },
    ): Promise<RefundRow> => {
      const { rows } = await db.query<RefundRow>(
        `WITH r AS (
           INSERT INTO merchant_refunds (id, account_id, invoice_id, payment_id, asset, amount,
                  reason, ledger_ref, status, link_expires_at, split_id, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING *)
         SELECT ${COLUMNS} FROM r JOIN merchant_invoices i ON i.id = r.invoice_id`,
        [
          id,
          account.id,
          invoiceId,
          payment.id,
          asset,
          amount.toString(),
          p.reason,
          booked.ledgerRef ?? null,
          status,
          booked.linkExpiresAt ?? null,
          p.splitId,
          now,
        ],
      );
      const row = rows[0];
      if (!row) throw new Error('refund insert returned nothing');
      return row;
    };
    if (payment.method === 'card') {
      if (!deps.cardProcessor?.(p.livemode)) {
        return rollback(fail(MerchantError.CardPaymentsUnavailable));
      }
      const from = await ledger.openAccount({ owner: account.id, asset });
      const to = await ledger.openAccount({
        owner: CARD_CLEARING_OWNER[p.livemode ? 'live' : 'test'],
        asset,
        mayGoNegative: true,
      });
      if (!from.ok || !to.ok) throw new Error('card refund accounts cannot be opened');
      const moved = await ledger.transfer({
        key: `merchants:refund:${id}`,
        from: from.account.id,
        to: to.account.id,
        asset,
        amount,
        description: `Card refund of invoice ${invoiceId}`,
        metadata: { invoiceId, paymentId: payment.id, refundId: id },
      });
      if (!moved.ok) return rollback(fail(refusalOfBooking(moved.code)));
      const row = await insert('processing', { ledgerRef: moved.transaction.id });
      const refund = await toRefund(row);
      await refundEvent('refund.processing', refund, account.merchantId);
      return refund;
    }
    if (!payment.payerOwner) {
      if (!deps.withdrawals || !p.chainKey) {
        return rollback(fail(MerchantError.RefundDestinationMissing));
      }
      const expires = new Date(
        Math.floor(now.getTime() / 1000) * 1000 +
          (p.linkExpiresInSeconds ?? REFUND_LINK_TTL_SECONDS) * 1000,
      );
      const row = await insert('pending_destination', { linkExpiresAt: expires });
      const refund = await linkFor(row);
      await refundEvent('refund.pending_destination', refund, account.merchantId);
      return refund;
    }
    const from = await ledger.openAccount({ owner: account.id, asset });
    // The test faucet's accounts have no balance floor (they fund simulated payments);
    // opening one asks for the same floor it was opened with.
    const to = await ledger.openAccount({
      owner: payment.payerOwner,
      asset,
      mayGoNegative: payment.payerOwner === TEST_FAUCET_OWNER,
    });
    if (!from.ok || !to.ok) throw new Error('refund accounts cannot be opened');
    const moved = await ledger.transfer({
      key: `merchants:refund:${id}`,
      from: from.account.id,
      to: to.account.id,
      asset,
      amount,
      description: `Refund of invoice ${invoiceId}`,
      metadata: { invoiceId, paymentId: payment.id, refundId: id },
    });
    if (!moved.ok) return rollback(fail(refusalOfBooking(moved.code)));
    const row = await insert('succeeded', { ledgerRef: moved.transaction.id });
    const refund = await toRefund(row);
    await refundEvent('refund.succeeded', refund, account.merchantId);
    return refund;
  };

  return {
    async create(account, invoiceId, input, actor) {
      if (fieldWithCardNumber({ reason: input.reason })) {
        return fail(MerchantError.CardNumberInText, { param: 'reason' });
      }
      const { rows: found } = await db.query<{ livemode: boolean; chain_key: string | null }>(
        'SELECT livemode, chain_key FROM merchant_invoices WHERE id = $1 AND account_id = $2',
        [invoiceId, account.id],
      );
      if (!found[0]) return fail(MerchantError.InvoiceNotFound, { param: 'invoice' });
      const parsed = await ledger.parseAmount(input.asset, input.amount);
      if (!parsed.ok) {
        const code = amountError(parsed.code);
        return fail(code, { param: code === MerchantError.AssetUnknown ? 'asset' : 'amount' });
      }
      const amount = parsed.amount;
      const livemode = found[0].livemode;
      const chainKey = found[0].chain_key;
      const created = await db.attempt(
        async () => {
          // The guard: the invoice's refundable payments of this asset are locked in id
          // order (an ordered lock, so concurrent refunds of the invoice queue here and
          // never deadlock; a row a predecessor changed is read again at its committed
          // version once the lock is granted), the refund is planned over what they have
          // left (`planRefund`: one payment when one covers it, else split wallet → card →
          // chain), and each part raises its payment's `refunded` under the row lock.
          // Wallet, card and chain refunds share it, so together they never pass what was
          // paid. Pending or failed (declined) payments never match.
          const { rows: payable } = await db.query<{
            id: string;
            payer_owner: string | null;
            method: string;
            left: string;
          }>(
            `SELECT id, payer_owner, method, (amount - refunded)::text AS left
               FROM merchant_payments
              WHERE invoice_id = $1 AND asset = $2 AND status = 'confirmed'
                AND (payer_owner IS NOT NULL OR method IN ('chain', 'card'))
              ORDER BY id FOR UPDATE`,
            [invoiceId, input.asset],
          );
          const plan = planRefund(
            payable.map((p) => ({
              id: p.id,
              payerOwner: p.payer_owner,
              method: p.method,
              left: BigInt(p.left),
            })),
            amount,
          );
          if (!plan) return fail(MerchantError.RefundExceedsPaid);
          const ids = plan.map(() => newId('re'));
          const splitId = plan.length > 1 ? (ids[0] ?? null) : null;
          const parts: Refund[] = [];
          for (const [i, part] of plan.entries()) {
            const { rowCount } = await db.query(
              `UPDATE merchant_payments SET refunded = refunded + $2
                WHERE id = $1 AND refunded + $2 <= amount`,
              [part.source.id, part.amount.toString()],
            );
            if (rowCount !== 1)
              throw new Error(`refund guard of ${part.source.id} moved under lock`);
            const booked = await bookPart({
              id: ids[i] ?? newId('re'),
              splitId,
              account,
              invoiceId,
              livemode,
              chainKey,
              asset: input.asset,
              amount: part.amount,
              payment: part.source,
              reason: input.reason ?? null,
              linkExpiresInSeconds: input.linkExpiresInSeconds,
            });
            if (isFailure(booked)) return rollback(booked);
            parts.push(booked);
          }
          // Audited last (the audit head stays locked to commit), one record per part.
          for (const [i, refund] of parts.entries()) {
            await audited(actor, 'merchant.refund_created', refund, account.merchantId, {
              ...(plan[i]?.source.method === 'card' ? { method: 'card' } : {}),
              ...(splitId !== null ? { split_id: splitId } : {}),
            });
          }
          return parts;
        },
        { retryTransient: true },
      );
      if (isFailure(created)) return created;
      // Card parts are committed as `processing` first: the processor is only called once
      // the booking and reservation are durable (never inside the transaction), each under
      // its own refund's id.
      const done: Refund[] = [];
      for (const part of created) {
        done.push(
          part.status === 'processing' && part.ledgerRef !== null
            ? await sendCardRefund(part.id)
            : part,
        );
      }
      const [first] = done;
      if (!first) throw new Error('a refund with no parts');
      return done.length > 1 ? { ...first, parts: done } : first;
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

    async reissueLink(accountId, id, linkExpiresInSeconds, actor) {
      const now = deps.clock();
      const expires = new Date(
        Math.floor(now.getTime() / 1000) * 1000 +
          (linkExpiresInSeconds ?? REFUND_LINK_TTL_SECONDS) * 1000,
      );
      const { rowCount } = await db.query(
        `UPDATE merchant_refunds SET link_expires_at = $3, updated_at = $4
          WHERE id = $1 AND account_id = $2 AND status = 'pending_destination'`,
        [id, accountId, expires, now],
      );
      const row = await byId(id);
      if (!row || row.account_id !== accountId) {
        return fail(MerchantError.RefundNotFound, { param: 'refund' });
      }
      if (rowCount === 0) return fail(MerchantError.RefundNotPending);
      const refund = await linkFor(row);
      await audited(actor, 'merchant.refund_link_reissued', refund, await merchantOf(accountId), {
        link_expires_at: expires.toISOString(),
      });
      return refund;
    },

    async cancel(accountId, id, actor) {
      return db.attempt(
        async () => {
          const row = await byId(id, true);
          if (!row || row.account_id !== accountId) {
            return fail(MerchantError.RefundNotFound, { param: 'refund' });
          }
          if (row.status !== 'pending_destination') return fail(MerchantError.RefundNotPending);
          await db.query(
            `UPDATE merchant_refunds SET status = 'canceled', updated_at = $2 WHERE id = $1`,
            [id, deps.clock()],
          );
          await release(row);
          const refund = await toRefund({ ...row, status: 'canceled' });
          const merchantId = await merchantOf(accountId);
          await refundEvent('refund.canceled', refund, merchantId);
          await audited(actor, 'merchant.refund_canceled', refund, merchantId);
          return refund;
        },
        { retryTransient: true },
      );
    },

    async openLink(token) {
      const row = await fromToken(token);
      if (isFailure(row)) return row;
      const refund = await toRefund(row);
      const merchantId = await merchantOf(row.account_id);
      return {
        refund,
        merchantName: (await deps.merchantName(merchantId)) ?? 'The merchant',
        open:
          row.status === 'pending_destination' &&
          (row.link_expires_at?.getTime() ?? 0) > deps.clock().getTime(),
      };
    },

    async submitLink(token, address, payer) {
      const withdrawals = deps.withdrawals;
      const claimed = await fromToken(token);
      if (isFailure(claimed)) return claimed;
      if (!withdrawals || !claimed.chain_key) return fail(MerchantError.RefundDestinationMissing);
      const chainKey = claimed.chain_key;
      return db.attempt(
        async () => {
          const now = deps.clock();
          // The claim: one conditional UPDATE, so of two submissions of one link (or of
          // two links of one refund) exactly one goes on to send.
          const { rows } = await db.query<{ id: string }>(
            `UPDATE merchant_refunds SET status = 'processing', link_used_at = $3,
                    destination_address = $4, updated_at = $3
              WHERE id = $1 AND status = 'pending_destination' AND link_expires_at = $2
                AND link_expires_at > $3
              RETURNING id`,
            [claimed.id, claimed.link_expires_at, now, address],
          );
          if (!rows[0]) {
            const current = await byId(claimed.id);
            return fail(
              current?.status === 'pending_destination'
                ? MerchantError.RefundLinkExpired
                : MerchantError.RefundLinkUsed,
            );
          }
          const scale = (await ledger.getAsset(claimed.asset))?.scale ?? 0;
          const w = await withdrawals.request({
            userId: claimed.account_id,
            chainKey,
            asset: claimed.asset,
            toAddress: address,
            amount: formatAmount(BigInt(claimed.amount), scale, { trim: true }),
          });
          if (isFailure(w)) return rollback(fromChains(w.code));
          await db.query(
            `UPDATE merchant_refunds SET withdrawal_id = $2, destination_address = $3 WHERE id = $1`,
            [claimed.id, w.id, w.toAddress],
          );
          const row = await byId(claimed.id);
          if (!row) throw new Error('refund vanished');
          const refund = await toRefund(row);
          const merchantId = await merchantOf(row.account_id);
          await refundEvent('refund.processing', refund, merchantId);
          await audited(
            { anonymous: true, ip: payer?.ip, requestId: payer?.requestId },
            'merchant.refund_destination_given',
            refund,
            merchantId,
            { destination_address: w.toAddress, withdrawal_id: w.id },
          );
          return refund;
        },
        { retryTransient: true },
      );
    },

    async syncWithdrawal(withdrawalId) {
      const w: Withdrawal | undefined = await deps.withdrawals?.get(withdrawalId);
      if (!w) return;
      const outcome =
        w.status === 'confirmed' || w.status === 'completed'
          ? 'succeeded'
          : w.status === 'failed' || w.status === 'rejected'
            ? 'failed'
            : undefined;
      if (!outcome) return;
      await db.attempt(
        async () => {
          // Once: only a refund still processing moves, whatever order events come in.
          const { rows } = await db.query<{ id: string }>(
            `UPDATE merchant_refunds SET status = $2, failure_reason = $3, updated_at = $4
              WHERE withdrawal_id = $1 AND status = 'processing' RETURNING id`,
            [
              withdrawalId,
              outcome,
              outcome === 'failed' ? (w.failureReason ?? w.status) : null,
              deps.clock(),
            ],
          );
          const id = rows[0]?.id;
          if (!id) return;
          const row = await byId(id);
          if (!row) return;
          if (outcome === 'failed') await release(row);
          await refundEvent(
            outcome === 'failed' ? 'refund.failed' : 'refund.succeeded',
            await toRefund(row),
            await merchantOf(row.account_id),
          );
        },
        { retryTransient: true },
      );
    },

    async resumeCardRefunds(olderThanMs = 60_000) {
      const { rows } = await db.query<{ id: string }>(
        `SELECT r.id FROM merchant_refunds r JOIN merchant_payments p ON p.id = r.payment_id
          WHERE r.status = 'processing' AND p.method = 'card' AND r.updated_at < $1
          ORDER BY r.updated_at LIMIT 50`,
        [new Date(deps.clock().getTime() - olderThanMs)],
      );
      let ended = 0;
      for (const { id } of rows) {
        if ((await sendCardRefund(id)).status !== 'processing') ended++;
      }
      return ended;
    },
  };
}

/** Why booking a refund was refused: the merchant's balance is short, or an account is frozen. */
function refusalOfBooking(code: LedgerError) {
  return code === LedgerError.InsufficientFunds
    ? MerchantError.MerchantBalanceInsufficient
    : MerchantError.AccountFrozen;
}
