import type { ChainsService } from '../chains/service.js';
import type { Deposit } from '../chains/deposits.js';
import { createBatcher } from '../platform/db/batcher.js';
import { convert, convertInverse, type Rate } from '../ledger/money.js';
import type { Leg } from '../ledger/model.js';
import type { LedgerService } from '../ledger/service.js';
import type { AuditLog } from '../platform/audit/audit.js';
import { embed, prepared, type Db, type Statement } from '../platform/db/db.js';
import { fail, isFailure, rollback, type Failure } from '../platform/failure.js';
import { newId } from '../platform/ids.js';
import type { Outbox } from '../platform/outbox/outbox.js';
import type { PriceResult } from '../wallet/prices/source.js';
import { amountError, fieldWithCardNumber, MerchantError, type MerchantFailure } from './errors.js';
import { merchantAuditEntry } from './audit.js';
import type { Actor, MerchantAccount, Merchant } from './model.js';
import {
  detectTextMatch,
  invoiceSearchSql,
  planRows,
  TEXT_CANDIDATES_CAP,
  TEXT_GATHER_FIRST,
  TEXT_GATHER_SKIP,
  textCandidatesSql,
  textEstimateSql,
  textWindowSql,
  type InvoiceSearchFilters,
  type TextMatch,
} from './search.js';
import { deriveStatus, statusEvent } from './status.js';

export type InvoiceStatus =
  'open' | 'processing' | 'paid' | 'overpaid' | 'paid_late' | 'underpaid' | 'expired';
export type PaymentMethod = 'wallet' | 'chain' | 'test' | 'card';
/** `removed`: reorged out before confirmation; `failed`: a card the processor refused. */
export type PaymentStatus = 'pending' | 'confirmed' | 'removed' | 'failed';

export interface InvoiceOption {
  asset: string;
  scale: number;
  /** The whole invoice in this asset (minor units), rounded up. */
  amountDue: bigint;
  /** Confirmed payments in this asset. */
  amountPaid: bigint;
  /** Pricing currency per whole unit of the asset, locked at creation. */
  rate: Rate;
  onChain: boolean;
}

export interface InvoicePayment {
  id: string;
  invoiceId: string;
  asset: string;
  amount: bigint;
  method: PaymentMethod;
  status: PaymentStatus;
  fee: bigint;
  refunded: bigint;
  late: boolean;
  txHash: string | null;
  ledgerRef: string | null;
  /** Card payments: the card's brand and last four digits (never the number). */
  card: { brand: string; last4: string } | null;
  /** Card payments: the processor's charge. */
  cardChargeId: string | null;
  /** Why a card payment failed (`card_declined`, `insufficient_funds`, …). */
  failureCode: string | null;
  createdAt: Date;
  confirmedAt: Date | null;
}

export interface Invoice {
  id: string;
  accountId: string;
  merchantId: string;
  livemode: boolean;
  currency: string;
  currencyScale: number;
  /** Pricing-currency minor units. */
  amount: bigint;
  status: InvoiceStatus;
  paidValue: bigint;
  pendingValue: bigint;
  description: string | null;
  orderId: string | null;
  customerEmail: string | null;
  redirectUrl: string | null;
  metadata: Record<string, string>;
  chainKey: string | null;
  /** The invoice's own deposit address on `chainKey`. */
  address: string | null;
  paymentLinkId: string | null;
  posTerminalId: string | null;
  expiresAt: Date;
  paidAt: Date | null;
  createdAt: Date;
  options: InvoiceOption[];
  payments: InvoicePayment[];
}

export interface InvoiceInput {
  currency: string;
  amount: string;
  assets?: readonly string[] | undefined;
  description?: string | undefined;
  orderId?: string | undefined;
  customerEmail?: string | undefined;
  redirectUrl?: string | undefined;
  metadata?: Record<string, string> | undefined;
  expiresInSeconds: number;
  /** The payment link or till the invoice is made from (kept on the invoice). */
  paymentLinkId?: string | undefined;
  posTerminalId?: string | undefined;
  /**
   * Runs first in the transaction that inserts the invoice; a failure it returns rolls
   * the invoice back (a payment link counts its use here, atomically with the insert).
   */
  guard?: (() => Promise<MerchantFailure | undefined>) | undefined;
}

/**
 * Invoices (payment intents): an amount in a pricing currency, payable in any accepted
 * asset at rates locked at creation, from a Vaultwire wallet (instant), on the mode's EVM
 * chain (a deposit address of the invoice's own, through the chains module), or, in test
 * mode, with simulated payments. Each confirmed payment is one ledger transaction: the
 * payer's side debited, the merchant account credited net of fees, the fee credited to
 * the platform revenue (the asset's `fees` house account; a separate owner in test mode).
 *
 * Lock order: the invoice row (FOR UPDATE), then its payments, then ledger accounts.
 */
export interface InvoiceService {
  /** With `actor` (a merchant key or member), the creation is recorded in the audit log. */
  create(
    account: MerchantAccount,
    input: InvoiceInput,
    actor?: Actor,
  ): Promise<Invoice | MerchantFailure>;
  get(accountId: string, id: string): Promise<Invoice | undefined>;
  list(
    accountId: string,
    query: { limit: number; startingAfter?: string; status?: InvoiceStatus; orderId?: string },
  ): Promise<Invoice[]>;
  /**
   * Invoices of one account matching every filter given, newest first (keyset after
   * `startingAfter`), and how free text was matched on this database.
   */
  search(
    accountId: string,
    input: InvoiceSearchInput,
    page: { limit: number; startingAfter?: string | undefined },
  ): Promise<{ invoices: Invoice[]; textMatch: TextMatch } | MerchantFailure>;
  /** A live invoice by id for whoever pays it (the checkout); test invoices are not shown. */
  getForPayer(id: string): Promise<Invoice | undefined>;
  /** An invoice by id in either mode (the hosted pages, which keep the modes on separate paths). */
  find(id: string): Promise<Invoice | undefined>;
  /** Pays from the user's wallet balance at once (all that is due, or `amount` of it). */
  payFromWallet(
    payerUserId: string,
    invoiceId: string,
    input: { asset: string; amount?: string | undefined },
  ): Promise<Invoice | MerchantFailure>;
  /** Test mode: a simulated payment, funded by the test faucet. */
  payTest(
    account: MerchantAccount,
    invoiceId: string,
    input: { asset: string; amount?: string | undefined },
  ): Promise<Invoice | MerchantFailure>;
  /**
   * Brings an invoice's on-chain payment in line with its deposit as the chains module
   * has it now (pending, confirmed and credited, or removed by a reorg), whatever order
   * the deposit events arrive in; books a confirmed one once.
   */
  syncDeposit(depositId: string): Promise<void>;
  /** Moves open invoices past their expiry to `expired` or `underpaid`; returns how many. */
  expireDue(limit?: number): Promise<number>;
  /**
   * Card payments, step 1 (the steps are run by `cards/payments.ts`, which talks to the
   * processor between them): checks in one transaction that the invoice takes a card
   * payment in its pricing currency and records a pending payment of what is still due
   * (or of `amount`, a decimal string of the pricing currency, at most what is due),
   * keyed by the processor's single-use token; its pending value holds that amount
   * against every other payment. The same token again answers the payment it made
   * (`started: false`).
   */
  beginCardPayment(
    invoiceId: string,
    livemode: boolean,
    token: string,
    amount?: string,
  ): Promise<{ invoice: Invoice; payment: InvoicePayment; started: boolean } | MerchantFailure>;
  /**
   * Step 2: the processor captured the charge; books the payment once and confirms it.
   * With `amountCaptured` different from the pending amount (a partial authorization),
   * the payment is what was captured: less leaves the rest due, more (which this flow
   * never asks for) counts as paid like an overpayment on chain.
   */
  confirmCardPayment(
    paymentId: string,
    charge: { id: string; brand: string; last4: string; amountCaptured?: bigint | undefined },
  ): Promise<Invoice>;
  /** Step 2, refused: the payment fails (with the processor's reason) and is due again. */
  failCardPayment(paymentId: string, code: string, chargeId?: string): Promise<Invoice>;
  /** Card payments pending since before `before` (a process stopped between the steps). */
  pendingCardPayments(
    before: Date,
    limit: number,
  ): Promise<{ payment: InvoicePayment; token: string; livemode: boolean }[]>;
  /**
   * Ends an open invoice of the account now, when nothing was paid or seen on chain for it
   * (what it was made for is gone, e.g. its order was cancelled): it becomes `expired` and
   * refuses payments from then on. Refused (`invoice_not_payable`) once a payment exists.
   */
  void(accountId: string, id: string): Promise<Invoice | MerchantFailure>;
}

/** A search as the API takes it: amount bounds are decimal strings of `currency`. */
export type InvoiceSearchInput = Omit<InvoiceSearchFilters, 'amountGte' | 'amountLte'> & {
  amountGte?: string | undefined;
  amountLte?: string | undefined;
};

/** Ledger owner of test-mode money: simulated payers (may go negative). */
export const TEST_FAUCET_OWNER = 'merchants:test:faucet';
/**
 * Ledger owners of what the card processor owes for captured card payments (it settles
 * to the platform's bank later), per mode; may go negative as a receivable does.
 */
export const CARD_CLEARING_OWNER = {
  live: 'merchants:cards:clearing',
  test: 'merchants:test:cards:clearing',
} as const;
/** Ledger owner of test-mode fees (live fees go to the asset's `fees` house account). */
export const TEST_REVENUE_OWNER = 'merchants:test:revenue';

interface InvoiceRow {
  id: string;
  account_id: string;
  merchant_id: string;
  livemode: boolean;
  currency: string;
  amount: string;
  status: InvoiceStatus;
  paid_value: string;
  pending_value: string;
  description: string | null;
  order_id: string | null;
  customer_email: string | null;
  redirect_url: string | null;
  metadata: Record<string, string>;
  chain_key: string | null;
  address: string | null;
  payment_link_id: string | null;
  pos_terminal_id: string | null;
  expires_at: Date;
  paid_at: Date | null;
  created_at: Date;
}

interface OptionRow {
  invoice_id: string;
  asset: string;
  scale: number;
  amount_due: string;
  rate_num: string;
  rate_den: string;
  on_chain: boolean;
}

interface PaymentRow {
  id: string;
  invoice_id: string;
  asset: string;
  amount: string;
  method: PaymentMethod;
  status: PaymentStatus;
  fee: string;
  refunded: string;
  late: boolean;
  tx_hash: string | null;
  ledger_ref: string | null;
  payer_owner: string | null;
  card_brand: string | null;
  card_last4: string | null;
  card_charge_id: string | null;
  failure_code: string | null;
  created_at: Date;
  confirmed_at: Date | null;
}

const INVOICE_COLUMNS = `id, account_id, merchant_id, livemode, currency, amount::text AS amount, status,
  paid_value::text AS paid_value, pending_value::text AS pending_value, description, order_id,
  customer_email, redirect_url, metadata, chain_key, address, payment_link_id, pos_terminal_id,
  expires_at, paid_at, created_at`;
const OPTION_COLUMNS = `invoice_id, asset, scale, amount_due::text AS amount_due, rate_num::text AS rate_num,
  rate_den::text AS rate_den, on_chain`;
const PAYMENT_COLUMNS = `id, invoice_id, asset, amount::text AS amount, method, status, fee::text AS fee,
  refunded::text AS refunded, late, tx_hash, ledger_ref, payer_owner, card_brand, card_last4,
  card_charge_id, failure_code, created_at, confirmed_at`;

type ChainsPort = Pick<
  ChainsService,
  'freshDepositAddress' | 'freshAddressStatements' | 'chain'
> & {
  deposits: Pick<ChainsService['deposits'], 'get'>;
};

export interface InvoiceDeps {
  db: Db;
  ledger: LedgerService;
  outbox: Pick<Outbox, 'publish' | 'publishEachStatement'>;
  /** The audit log merchant actions on invoices are recorded in. */
  audit?: Pick<AuditLog, 'record' | 'enqueueEachStatement'> | undefined;
  chains?: ChainsPort | undefined;
  price(base: string, quote: string): Promise<PriceResult>;
  merchant(id: string): Promise<Merchant | undefined>;
  /**
   * The wallet's guard on a payment out of a user's wallet (`WalletService.authorizeSpend`),
   * called inside the payment's transaction: the payer's profile lock, the freeze and the
   * tier's limits consumed; the payer's ledger account in `asset`, or the wallet's refusal.
   */
  walletSpend(
    userId: string,
    asset: string,
    amount: bigint,
  ): Promise<{ ok: true; accountId: string } | Failure>;
  clock: () => Date;
  settings: {
    /** Pricing currencies invoices may be paid in by card (empty: no card payments). */
    cardCurrencies?: readonly string[] | undefined;
    /** Assets invoices accept by default (those the ledger knows). */
    assets: readonly string[];
    /** The chain key on-chain payments use, per mode. */
    liveChain?: string | undefined;
    testChain?: string | undefined;
  };
}

const WALLET_REFUSALS: Readonly<Record<string, MerchantError>> = {
  account_frozen: MerchantError.AccountFrozen,
  amount_above_limit: MerchantError.AmountAboveLimit,
  daily_limit_exceeded: MerchantError.DailyLimitExceeded,
  velocity_limit_exceeded: MerchantError.VelocityLimitExceeded,
  limit_not_configured: MerchantError.LimitNotConfigured,
};

/** The wallet's refusal of a payment, in merchant terms (its words kept: they name the limit). */
function walletRefusal(r: Failure): MerchantFailure {
  const code = WALLET_REFUSALS[r.code];
  if (!code) throw new Error(`wallet refused an invoice payment with ${r.code}`);
  return fail(code, { message: r.message });
}

/** One invoice's creation: what `creationStatement` writes for it. */
interface Creation {
  invoice: Invoice;
  /** The amount as the caller wrote it (the audit entry keeps it). */
  amountText: string;
  /** Its fresh deposit address's derivation index, when it has an address. */
  addressIndex: number | undefined;
  /** Who created it: with one, the creation is audited. */
  actor: Actor | undefined;
}

/** Most invoices written by one statement of the group commit. */
const CREATION_BATCH_MAX = 64;
/** Group-commit statements in flight at once (each holds one pooled connection). */
const CREATION_BATCHES_IN_FLIGHT = 4;

/** Named statements as one: `WITH name AS (statement), … SELECT 1`. */
function withCtes(ctes: readonly (readonly [string, Statement])[]): Statement {
  const params: unknown[] = [];
  const parts = ctes.map(([name, st]) => {
    const part = `${name} AS (${embed(st, params.length)})`;
    params.push(...st.params);
    return part;
  });
  return { sql: `WITH ${parts.join(',\n')}\nSELECT 1`, params };
}

/** The value of `paid` minor units of an option, in pricing-currency minor units (rounded down). */
const valueOf = (o: InvoiceOption, paid: bigint, currencyScale: number) =>
  convert(paid, { fromScale: o.scale, toScale: currencyScale, rate: o.rate }, 'floor');

export function createInvoiceService(deps: InvoiceDeps): InvoiceService {
  const { db, ledger } = deps;
  const scales = new Map<string, number>();
  const scaleOf = async (asset: string): Promise<number> => {
    const known = scales.get(asset);
    if (known !== undefined) return known;
    const a = await ledger.getAsset(asset);
    if (!a) throw new Error(`asset ${asset} vanished from the ledger`);
    scales.set(asset, a.scale);
    return a.scale;
  };

  // Whether the database has pg_trgm: found on the first search, fixed for the process.
  let textMatch: TextMatch | undefined;

  const load = async (rows: InvoiceRow[]): Promise<Invoice[]> => {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [options, payments] = await Promise.all([
      db.query<OptionRow>(
        `SELECT ${OPTION_COLUMNS} FROM merchant_invoice_options WHERE invoice_id = ANY($1::text[]) ORDER BY asset`,
        [ids],
      ),
      db.query<PaymentRow>(
        `SELECT ${PAYMENT_COLUMNS} FROM merchant_payments WHERE invoice_id = ANY($1::text[]) ORDER BY id`,
        [ids],
      ),
    ]);
    const out: Invoice[] = [];
    for (const r of rows) {
      const ps = payments.rows.filter((p) => p.invoice_id === r.id).map(toPayment);
      out.push({
        id: r.id,
        accountId: r.account_id,
        merchantId: r.merchant_id,
        livemode: r.livemode,
        currency: r.currency,
        currencyScale: await scaleOf(r.currency),
        amount: BigInt(r.amount),
        status: r.status,
        paidValue: BigInt(r.paid_value),
        pendingValue: BigInt(r.pending_value),
        description: r.description,
        orderId: r.order_id,
        customerEmail: r.customer_email,
        redirectUrl: r.redirect_url,
        metadata: r.metadata,
        chainKey: r.chain_key,
        address: r.address,
        paymentLinkId: r.payment_link_id,
        posTerminalId: r.pos_terminal_id,
        expiresAt: r.expires_at,
        paidAt: r.paid_at,
        createdAt: r.created_at,
        options: options.rows
          .filter((o) => o.invoice_id === r.id)
          .map((o) => ({
            asset: o.asset,
            scale: o.scale,
            amountDue: BigInt(o.amount_due),
            amountPaid: ps
              .filter((p) => p.asset === o.asset && p.status === 'confirmed')
              .reduce((s, p) => s + p.amount, 0n),
            rate: { numerator: BigInt(o.rate_num), denominator: BigInt(o.rate_den) },
            onChain: o.on_chain,
          })),
        payments: ps,
      });
    }
    return out;
  };

  const getById = async (id: string, forUpdate = false): Promise<Invoice | undefined> => {
    const { rows } = await db.query<InvoiceRow>(
      `SELECT ${INVOICE_COLUMNS} FROM merchant_invoices WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return (await load(rows))[0];
  };

  const eventPayload = (i: Invoice) => ({
    id: i.id,
    account_id: i.accountId,
    merchant_id: i.merchantId,
    livemode: i.livemode,
    status: i.status,
    currency: i.currency,
    amount: i.amount.toString(),
    paid_value: i.paidValue.toString(),
    order_id: i.orderId,
  });

  /**
   * Re-derives the status of a locked invoice from its payments and stores it, with an
   * `invoice.<status>` event when it changed. Call with the invoice row locked.
   */
  const refresh = async (id: string): Promise<Invoice> => {
    const inv = await getById(id);
    if (!inv) throw new Error(`invoice ${id} vanished`);
    let paidValue = 0n;
    let pendingValue = 0n;
    let late = false;
    for (const p of inv.payments) {
      const o = inv.options.find((x) => x.asset === p.asset);
      if (!o || p.status === 'removed' || p.status === 'failed') continue;
      const v = valueOf(o, p.amount, inv.currencyScale);
      if (p.status === 'confirmed') {
        paidValue += v;
        late ||= p.late;
      } else pendingValue += v;
    }
    const status = deriveStatus({
      amount: inv.amount,
      paidValue,
      pendingValue,
      late,
      expired: deps.clock() >= inv.expiresAt,
    });
    if (status === inv.status && paidValue === inv.paidValue && pendingValue === inv.pendingValue) {
      return inv;
    }
    const paid = status === 'paid' || status === 'overpaid' || status === 'paid_late';
    await db.query(
      `UPDATE merchant_invoices SET status = $2, paid_value = $3, pending_value = $4,
              paid_at = CASE WHEN $5 THEN coalesce(paid_at, $6) ELSE NULL END, updated_at = $6
        WHERE id = $1`,
      [id, status, paidValue.toString(), pendingValue.toString(), paid, deps.clock()],
    );
    const next = {
      ...inv,
      status,
      paidValue,
      pendingValue,
      paidAt: paid ? (inv.paidAt ?? deps.clock()) : null,
    };
    if (status !== inv.status) {
      await deps.outbox.publish({
        type: statusEvent(status),
        aggregateId: id,
        payload: eventPayload(next),
      });
    }
    return next;
  };

  const revenueAccount = async (livemode: boolean, asset: string) => {
    const r = livemode
      ? await ledger.houseAccount('fees', asset)
      : await ledger.openAccount({ owner: TEST_REVENUE_OWNER, asset });
    if (!r.ok) throw new Error(`revenue account for ${asset}: ${r.message}`);
    return r.account.id;
  };

  const accountFor = async (owner: string, asset: string, mayGoNegative = false) => {
    const r = await ledger.openAccount({ owner, asset, mayGoNegative });
    if (!r.ok) throw new Error(`ledger account ${owner}/${asset}: ${r.message}`);
    return r.account.id;
  };

  /**
   * The platform's fee on a payment: basis points of it (rounded up), plus the fixed
   * part on the invoice's first confirmed payment, converted at the locked rate; never
   * more than the payment.
   */
  const feeOf = async (inv: Invoice, o: InvoiceOption, amount: bigint): Promise<bigint> => {
    const merchant = await deps.merchant(inv.merchantId);
    if (!merchant) return 0n;
    let fee = (amount * BigInt(merchant.fees.bps) + 9_999n) / 10_000n;
    const fixedText = merchant.fees.fixed[inv.currency];
    const first = !inv.payments.some((p) => p.status === 'confirmed');
    if (fixedText !== undefined && first) {
      const fixed = await ledger.parseAmount(inv.currency, fixedText);
      if (fixed.ok) {
        fee += convertInverse(
          fixed.amount,
          { fromScale: o.scale, toScale: inv.currencyScale, rate: o.rate },
          'ceil',
        );
      }
    }
    return fee > amount ? amount : fee;
  };

  /**
   * Books a confirmed payment: `source` debited, the merchant credited net, the fee to
   * revenue; one ledger transaction under the key `merchants:payment:<id>`, so it happens
   * once. Returns the ledger's refusal code when the source cannot pay.
   */
  const settle = async (
    inv: Invoice,
    o: InvoiceOption,
    payment: { id: string; amount: bigint },
    source: string,
  ): Promise<{ ok: true; ref: string; fee: bigint } | { ok: false; code: string }> => {
    const fee = await feeOf(inv, o, payment.amount);
    const merchantAccount = await accountFor(inv.accountId, o.asset);
    const legs: Leg[] = [
      { accountId: source, asset: o.asset, direction: 'debit', amount: payment.amount },
    ];
    if (payment.amount - fee > 0n) {
      legs.push({
        accountId: merchantAccount,
        asset: o.asset,
        direction: 'credit',
        amount: payment.amount - fee,
      });
    }
    if (fee > 0n) {
      legs.push({
        accountId: await revenueAccount(inv.livemode, o.asset),
        asset: o.asset,
        direction: 'credit',
        amount: fee,
      });
    }
    const r = await ledger.post({
      key: `merchants:payment:${payment.id}`,
      legs,
      description: `Invoice ${inv.id}`,
      metadata: { invoiceId: inv.id, paymentId: payment.id, merchantId: inv.merchantId },
    });
    if (!r.ok) return { ok: false, code: r.code };
    return { ok: true, ref: r.transaction.id, fee };
  };

  /** An instant payment (wallet or test): checked against what is due, booked, counted. */
  const payNow = async (
    invoiceId: string,
    input: { asset: string; amount?: string | undefined },
    method: 'wallet' | 'test',
    payerOwner: string,
    accept: (inv: Invoice) => MerchantFailure | undefined,
  ): Promise<Invoice | MerchantFailure> => {
    return db.attempt(
      async () => {
        const inv = await getById(invoiceId, true);
        if (!inv) return fail(MerchantError.InvoiceNotFound, { param: 'invoice' });
        const refused = accept(inv);
        if (refused) return refused;
        if (deps.clock() >= inv.expiresAt) return fail(MerchantError.InvoiceExpired);
        const o = inv.options.find((x) => x.asset === input.asset);
        if (!o) {
          const known = await ledger.getAsset(input.asset);
          return fail(known ? MerchantError.AssetNotEnabled : MerchantError.AssetUnknown, {
            param: 'asset',
          });
        }
        const remainingValue = inv.amount - inv.paidValue - inv.pendingValue;
        if (remainingValue <= 0n) return fail(MerchantError.InvoiceNotPayable);
        const remaining = convertInverse(
          remainingValue,
          { fromScale: o.scale, toScale: inv.currencyScale, rate: o.rate },
          'ceil',
        );
        let amount = remaining;
        if (input.amount !== undefined) {
          const parsed = await ledger.parseAmount(o.asset, input.amount);
          if (!parsed.ok) return fail(amountError(parsed.code), { param: 'amount' });
          if (parsed.amount > remaining) return fail(MerchantError.AmountAboveDue);
          amount = parsed.amount;
        }
        const id = newId('pay');
        let source: string;
        if (method === 'wallet') {
          // Lock order: the invoice row, then the wallet's profile lock and limit counters,
          // then the ledger's accounts (the wallet's own payments take the last two in
          // this order too).
          const spend = await deps.walletSpend(payerOwner, o.asset, amount);
          if (!spend.ok) return rollback(walletRefusal(spend));
          source = spend.accountId;
        } else {
          source = await accountFor(payerOwner, o.asset, true);
        }
        const booked = await settle(inv, o, { id, amount }, source);
        if (!booked.ok) {
          return rollback(
            fail(
              booked.code === 'account_frozen'
                ? MerchantError.AccountFrozen
                : MerchantError.InsufficientFunds,
              { param: 'asset' },
            ),
          );
        }
        await db.query(
          `INSERT INTO merchant_payments (id, invoice_id, account_id, asset, amount, method, status,
                  payer_owner, fee, ledger_ref, confirmed_at)
           VALUES ($1, $2, $3, $4, $5, $6, 'confirmed', $7, $8, $9, $10)`,
          [
            id,
            inv.id,
            inv.accountId,
            o.asset,
            amount.toString(),
            method,
            payerOwner,
            booked.fee.toString(),
            booked.ref,
            deps.clock(),
          ],
        );
        await publishPayment(inv, id, o.asset, amount, method);
        return refresh(inv.id);
      },
      { retryTransient: true },
    );
  };

  const publishPayment = (
    inv: Invoice,
    paymentId: string,
    asset: string,
    amount: bigint,
    method: PaymentMethod,
  ) =>
    deps.outbox.publish({
      type: 'invoice.payment_confirmed',
      aggregateId: inv.id,
      payload: {
        ...eventPayload(inv),
        payment: { id: paymentId, asset, amount: amount.toString(), method },
      },
    });

  /** The invoice a payment belongs to, its row locked (lock order: the invoice first). */
  const invoiceOfPayment = async (paymentId: string): Promise<Invoice> => {
    const { rows } = await db.query<{ invoice_id: string }>(
      'SELECT invoice_id FROM merchant_payments WHERE id = $1',
      [paymentId],
    );
    const inv = rows[0] ? await getById(rows[0].invoice_id, true) : undefined;
    if (!inv) throw new Error(`payment ${paymentId} has no invoice`);
    return inv;
  };

  const chainFor = (livemode: boolean) =>
    livemode ? deps.settings.liveChain : deps.settings.testChain;

  /**
   * The writes of one or many new invoices as one statement: their rows, their options,
   * their deposit addresses' records (the chains module's), their `invoice.created` events
   * and, for those made by an actor, their audit entries (enqueued, not chained here: a
   * chained append would hold the chain head until the commit, one creation at a time
   * across the deployment). All or none.
   *
   * Each write takes its rows as arrays (unnest), so the statement's text is the same for
   * one invoice or 64, and is prepared: PostgreSQL plans it once per connection. Written
   * as one CTE per write per invoice, the text changed with the batch's size and each
   * batch was parsed and planned anew (six CTEs per invoice, up to 384 in a statement),
   * which cost more database time than the inserts.
   */
  const creationStatement = (batch: readonly Creation[]): Statement => {
    const invoices = batch.map((c) => c.invoice);
    const options = invoices.flatMap((i) => i.options.map((o) => ({ invoiceId: i.id, ...o })));
    const ctes: [string, Statement][] = [
      [
        'invoices',
        {
          sql: `INSERT INTO merchant_invoices (id, account_id, merchant_id, livemode, currency,
                       amount, description, order_id, customer_email, redirect_url, metadata,
                       chain_key, address, expires_at, created_at, updated_at, payment_link_id,
                       pos_terminal_id)
                SELECT i.id, i.account_id, i.merchant_id, i.livemode, i.currency, i.amount,
                       i.description, i.order_id, i.customer_email, i.redirect_url,
                       i.metadata::jsonb, i.chain_key, i.address, i.expires_at, i.created_at,
                       i.created_at, i.payment_link_id, i.pos_terminal_id
                  FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[], $5::text[],
                              $6::numeric[], $7::text[], $8::text[], $9::text[], $10::text[],
                              $11::text[], $12::text[], $13::text[], $14::timestamptz[],
                              $15::timestamptz[], $16::text[], $17::text[])
                       AS i(id, account_id, merchant_id, livemode, currency, amount,
                            description, order_id, customer_email, redirect_url, metadata,
                            chain_key, address, expires_at, created_at, payment_link_id,
                            pos_terminal_id)`,
          params: [
            invoices.map((i) => i.id),
            invoices.map((i) => i.accountId),
            invoices.map((i) => i.merchantId),
            invoices.map((i) => i.livemode),
            invoices.map((i) => i.currency),
            invoices.map((i) => i.amount.toString()),
            invoices.map((i) => i.description),
            invoices.map((i) => i.orderId),
            invoices.map((i) => i.customerEmail),
            invoices.map((i) => i.redirectUrl),
            invoices.map((i) => JSON.stringify(i.metadata)),
            invoices.map((i) => i.chainKey),
            invoices.map((i) => i.address),
            // As ISO text: millisecond precision survives the round trip exactly.
            invoices.map((i) => i.expiresAt.toISOString()),
            invoices.map((i) => i.createdAt.toISOString()),
            invoices.map((i) => i.paymentLinkId),
            invoices.map((i) => i.posTerminalId),
          ],
        },
      ],
      [
        'options',
        {
          sql: `INSERT INTO merchant_invoice_options (invoice_id, asset, scale, amount_due,
                       rate_num, rate_den, on_chain)
                SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::numeric[],
                                     $5::numeric[], $6::numeric[], $7::boolean[])`,
          params: [
            options.map((o) => o.invoiceId),
            options.map((o) => o.asset),
            options.map((o) => o.scale),
            options.map((o) => o.amountDue.toString()),
            options.map((o) => o.rate.numerator.toString()),
            options.map((o) => o.rate.denominator.toString()),
            options.map((o) => o.onChain),
          ],
        },
      ],
      [
        'events',
        deps.outbox.publishEachStatement(
          invoices.map((i) => ({
            type: 'invoice.created',
            aggregateId: i.id,
            payload: eventPayload(i),
          })),
        ),
      ],
    ];
    // Fixed for the process (the chains module is there or not), so the text is too.
    if (deps.chains) {
      const owned = batch.flatMap(({ invoice: i, addressIndex: index }) =>
        i.address !== null && i.chainKey !== null && index !== undefined
          ? [{ chainKey: i.chainKey, address: i.address, index, ownerId: i.id }]
          : [],
      );
      for (const [n, st] of deps.chains.freshAddressStatements(owned).entries()) {
        ctes.push([`addresses_${n}`, st]);
      }
    }
    if (deps.audit) {
      const audited = batch.flatMap(({ invoice: i, amountText, actor }) =>
        actor
          ? [
              merchantAuditEntry(
                actor,
                'merchant.invoice_created',
                { type: 'merchant_invoice', id: i.id },
                {
                  merchant_id: i.merchantId,
                  account_id: i.accountId,
                  livemode: i.livemode,
                  currency: i.currency,
                  amount: amountText,
                },
              ),
            ]
          : [],
      );
      ctes.push(['audited', deps.audit.enqueueEachStatement(audited, 'true')]);
    }
    const st = withCtes(ctes);
    return { sql: prepared(st.sql), params: st.params };
  };

  /**
   * Group commit of creations, as the ledger's transfers have it (`createBatcher`: no
   * timer, the batch grows with the load): creations arriving while earlier ones are in
   * flight go to the database together as one statement, so N concurrent creations cost
   * about N / batch-size round trips and commits (WAL flushes) instead of N. Each
   * invoice's writes are exactly those of a creation made alone.
   *
   * A statement writes all of its invoices or none; when one invoice's rows are refused
   * (a constraint the checks before could not see), nothing was written, and each
   * invoice of the batch is written again on its own: the others are created, and only
   * the refused one's caller gets the error.
   */
  const creations = createBatcher<Creation, unknown>(
    (items) =>
      // The batch serves many requests: none's transaction or Idempotency-Key fence.
      db.detached(async () => {
        const write = (batch: readonly Creation[]) => {
          const st = creationStatement(batch);
          return db.query(st.sql, st.params);
        };
        try {
          await write(items);
          return items.map(() => undefined);
        } catch (err) {
          if (items.length === 1) return [err];
          return Promise.all(
            items.map((item) =>
              write([item]).then(
                () => undefined,
                (e: unknown) => e,
              ),
            ),
          );
        }
      }),
    { maxBatch: CREATION_BATCH_MAX, maxInFlight: CREATION_BATCHES_IN_FLIGHT },
  );

  return {
    async create(account, input, actor) {
      const withCard = fieldWithCardNumber({
        description: input.description,
        order_id: input.orderId,
        customer_email: input.customerEmail,
        redirect_url: input.redirectUrl,
        ...Object.fromEntries(
          Object.entries(input.metadata ?? {}).flatMap(([k, v]) => [
            [`metadata`, k],
            [`metadata.${k}`, v],
          ]),
        ),
      });
      if (withCard) return fail(MerchantError.CardNumberInText, { param: withCard });
      const currency = await ledger.parseAmount(input.currency, input.amount);
      if (!currency.ok) {
        const code = amountError(currency.code);
        return code === MerchantError.AssetUnknown
          ? fail(MerchantError.CurrencyUnknown, { param: 'currency' })
          : fail(code, { param: 'amount' });
      }
      const wanted = input.assets ?? deps.settings.assets;
      const chainKey = chainFor(account.livemode);
      const chain = chainKey ? deps.chains?.chain(chainKey) : undefined;
      const onChainAssets = new Set(
        chain ? [chain.nativeAsset.code, ...chain.tokens.map((t) => t.code)] : [],
      );
      // Rates are fetched before the transaction: no network call holds a database lock.
      const options: InvoiceOption[] = [];
      for (const code of new Set(wanted)) {
        const asset = await ledger.getAsset(code);
        if (!asset) {
          if (input.assets) return fail(MerchantError.AssetUnknown, { param: 'assets' });
          continue;
        }
        if (!deps.settings.assets.includes(code)) {
          return fail(MerchantError.AssetNotEnabled, { param: 'assets' });
        }
        let rate: Rate = { numerator: 1n, denominator: 1n };
        if (code !== input.currency) {
          const p = await deps.price(code, input.currency);
          if (!p.ok) {
            if (input.assets && p.code === 'pair_unknown') {
              return fail(MerchantError.AssetNotEnabled, {
                param: 'assets',
                message: `No price for ${code} in ${input.currency}`,
              });
            }
            if (p.code === 'pair_unknown') continue;
            return fail(MerchantError.PriceUnavailable, { message: p.message });
          }
          rate = p.price.mid;
        }
        const due = convertInverse(
          currency.amount,
          { fromScale: asset.scale, toScale: currency.asset.scale, rate },
          'ceil',
        );
        options.push({
          asset: code,
          scale: asset.scale,
          amountDue: due,
          amountPaid: 0n,
          rate,
          onChain: onChainAssets.has(code),
        });
      }
      if (options.length === 0) return fail(MerchantError.AssetNotEnabled, { param: 'assets' });

      const id = newId('inv');
      let address: string | null = null;
      let addressIndex: number | undefined;
      const chains = deps.chains;
      const payableOnChain = options.find((o) => o.onChain);
      if (payableOnChain && chains && chainKey) {
        // The invoice is the "user" of its own deposit address: one fresh HD address each,
        // recorded by the statement that creates the invoice.
        const a = await chains.freshDepositAddress(chainKey, payableOnChain.asset);
        if (isFailure(a)) throw new Error(`deposit address: ${a.code}`);
        address = a.address;
        addressIndex = a.index;
      }
      const now = deps.clock();
      const expiresAt = new Date(now.getTime() + input.expiresInSeconds * 1000);
      // Only options the invoice's address can receive are on chain.
      const stored = options
        .map((o) => ({ ...o, onChain: o.onChain && address !== null }))
        .sort((x, y) => (x.asset < y.asset ? -1 : x.asset > y.asset ? 1 : 0));
      const created: Invoice = {
        id,
        accountId: account.id,
        merchantId: account.merchantId,
        livemode: account.livemode,
        currency: input.currency,
        currencyScale: currency.asset.scale,
        amount: currency.amount,
        status: 'open',
        paidValue: 0n,
        pendingValue: 0n,
        description: input.description ?? null,
        orderId: input.orderId ?? null,
        customerEmail: input.customerEmail ?? null,
        redirectUrl: input.redirectUrl ?? null,
        metadata: input.metadata ?? {},
        chainKey: address ? (chainKey ?? null) : null,
        address,
        paymentLinkId: input.paymentLinkId ?? null,
        posTerminalId: input.posTerminalId ?? null,
        expiresAt,
        paidAt: null,
        createdAt: now,
        options: stored,
        payments: [],
      };
      const creation: Creation = {
        invoice: created,
        amountText: input.amount,
        addressIndex,
        actor,
      };
      // One statement (the invoice, its options, its event and its audit entry, all or
      // none). A guard (a payment link counting its use) runs first in the same
      // transaction; a creation inside a caller's transaction, or under an
      // Idempotency-Key's fence (which must mark its own commit), is written on its own.
      // Every other one joins the group commit.
      const guard = input.guard;
      if (guard) {
        const refused = await db.attempt(async () => {
          const guarded = await guard();
          if (guarded) return rollback(guarded);
          const insert = creationStatement([creation]);
          await db.query(insert.sql, insert.params);
          return undefined;
        });
        if (refused) return refused;
      } else if (db.inTransaction() || db.inFence()) {
        const insert = creationStatement([creation]);
        await db.query(insert.sql, insert.params);
      } else {
        const refused = await creations.submit(creation);
        if (refused !== undefined) {
          throw refused instanceof Error
            ? refused
            : new Error('invoice creation refused', { cause: refused });
        }
      }
      return created;
    },

    async get(accountId, id) {
      const { rows } = await db.query<InvoiceRow>(
        `SELECT ${INVOICE_COLUMNS} FROM merchant_invoices WHERE id = $1 AND account_id = $2`,
        [id, accountId],
      );
      return (await load(rows))[0];
    },

    async list(accountId, q) {
      const { rows } = await db.query<InvoiceRow>(
        `SELECT ${INVOICE_COLUMNS} FROM merchant_invoices
          WHERE account_id = $1 AND ($2::text IS NULL OR id < $2)
            AND ($3::text IS NULL OR status = $3) AND ($4::text IS NULL OR order_id = $4)
          ORDER BY id DESC LIMIT $5`,
        [accountId, q.startingAfter ?? null, q.status ?? null, q.orderId ?? null, q.limit],
      );
      return load(rows);
    },

    find: (id) => getById(id),
    async search(accountId, input, page) {
      const bounds: Pick<InvoiceSearchFilters, 'amountGte' | 'amountLte'> = {};
      for (const [key, param] of [
        ['amountGte', 'amount_gte'],
        ['amountLte', 'amount_lte'],
      ] as const) {
        const text = input[key];
        if (text === undefined) continue;
        if (input.currency === undefined) return fail(MerchantError.SearchCurrencyRequired);
        const r = await ledger.parseAmount(input.currency, text);
        if (!r.ok) {
          const code = amountError(r.code);
          return code === MerchantError.AssetUnknown
            ? fail(MerchantError.CurrencyUnknown)
            : fail(code, { param });
        }
        bounds[key] = r.amount;
      }
      textMatch ??= await detectTextMatch(db);
      const filters = { ...input, amountGte: bounds.amountGte, amountLte: bounds.amountLte };
      let ids: { id: string }[] | undefined;
      if (input.text !== undefined) {
        // Up to three steps, each exact, in the order the expected matches make cheapest
        // (search.ts): the newest invoices read in order, the text indexes' matches, the walk.
        const estimate = textEstimateSql(accountId, input.text, textMatch);
        const expected = planRows(
          (await db.query<{ 'QUERY PLAN': unknown }>(estimate.text, estimate.values)).rows[0]?.[
            'QUERY PLAN'
          ],
        );
        if (expected > TEXT_GATHER_FIRST) {
          const window = textWindowSql(accountId, filters, page, textMatch);
          const newest = (
            await db.query<{ id: string; hit: boolean; last: boolean }>(window.text, window.values)
          ).rows;
          const hits = newest.filter((r) => r.hit);
          if (hits.length >= page.limit || !newest.some((r) => r.last)) ids = hits;
        }
        if (!ids && expected <= TEXT_GATHER_SKIP) {
          const candidates = textCandidatesSql(accountId, filters, page, textMatch);
          const found = await db.transaction(async (tx) => {
            // Bitmap scans only: the matches come from the text indexes (see search.ts).
            // One statement (SET LOCAL three times would be three round trips).
            await tx.query(
              `SELECT set_config('enable_seqscan', 'off', true),
                      set_config('enable_indexscan', 'off', true),
                      set_config('enable_indexonlyscan', 'off', true)`,
            );
            return (
              await tx.query<{ id: string; matches: number }>(candidates.text, candidates.values)
            ).rows;
          });
          if ((found[0]?.matches ?? 0) <= TEXT_CANDIDATES_CAP) ids = found;
        }
      }
      if (!ids) {
        const sql = invoiceSearchSql(accountId, filters, page, textMatch);
        ids = (await db.query<{ id: string }>(sql.text, sql.values)).rows;
      }
      if (ids.length === 0) return { invoices: [], textMatch };
      const { rows } = await db.query<InvoiceRow>(
        `SELECT ${INVOICE_COLUMNS} FROM merchant_invoices WHERE id = ANY($1::text[])
          ORDER BY created_at DESC, id DESC`,
        [ids.map((r) => r.id)],
      );
      return { invoices: await load(rows), textMatch };
    },

    async getForPayer(id) {
      const inv = await getById(id);
      return inv?.livemode ? inv : undefined;
    },

    payFromWallet(payerUserId, invoiceId, input) {
      return payNow(invoiceId, input, 'wallet', payerUserId, (inv) =>
        inv.livemode ? undefined : fail(MerchantError.InvoiceTestMode),
      );
    },

    payTest(account, invoiceId, input) {
      return payNow(invoiceId, input, 'test', TEST_FAUCET_OWNER, (inv) => {
        if (inv.accountId !== account.id) {
          return fail(MerchantError.InvoiceNotFound, { param: 'invoice' });
        }
        return account.livemode ? fail(MerchantError.LiveModeOnly) : undefined;
      });
    },

    async syncDeposit(depositId) {
      const chains = deps.chains;
      if (!chains) return;
      await db.attempt(
        async () => {
          const d: Deposit | undefined = await chains.deposits.get(depositId);
          if (!d?.userId.startsWith('inv_')) return;
          const inv = await getById(d.userId, true);
          if (!inv || inv.chainKey !== d.chainKey) return;
          const o = inv.options.find((x) => x.asset === d.asset && x.onChain);
          if (!o) return;
          const target: PaymentStatus | undefined =
            d.status === 'pending'
              ? 'pending'
              : d.status === 'removed'
                ? 'removed'
                : d.status === 'confirmed' || d.status === 'reorged_after_credit'
                  ? 'confirmed'
                  : undefined;
          if (!target) return;
          const { rows } = await db.query<PaymentRow>(
            `SELECT ${PAYMENT_COLUMNS} FROM merchant_payments WHERE deposit_id = $1`,
            [d.id],
          );
          let payment = rows[0] ? toPayment(rows[0]) : undefined;
          if (!payment) {
            const id = newId('pay');
            await db.query(
              `INSERT INTO merchant_payments (id, invoice_id, account_id, asset, amount, method, status,
                      deposit_id, tx_hash, late, created_at)
               VALUES ($1, $2, $3, $4, $5, 'chain', 'pending', $6, $7, $8, $9)`,
              [
                id,
                inv.id,
                inv.accountId,
                d.asset,
                d.amount.toString(),
                d.id,
                d.txHash,
                deps.clock() >= inv.expiresAt,
                deps.clock(),
              ],
            );
            payment = {
              id,
              invoiceId: inv.id,
              asset: d.asset,
              amount: d.amount,
              method: 'chain',
              status: 'pending',
              fee: 0n,
              refunded: 0n,
              late: false,
              txHash: d.txHash,
              ledgerRef: null,
              card: null,
              cardChargeId: null,
              failureCode: null,
              createdAt: deps.clock(),
              confirmedAt: null,
            };
          }
          // Confirmed is final here: a credited deposit is booked once and stays booked.
          if (payment.status === 'confirmed' || payment.status === target) {
            await refresh(inv.id);
            return;
          }
          if (target === 'confirmed') {
            const source = await accountFor(inv.id, d.asset);
            const booked = await settle(inv, o, payment, source);
            if (!booked.ok) throw new Error(`invoice ${inv.id} payment not booked: ${booked.code}`);
            await db.query(
              `UPDATE merchant_payments SET status = 'confirmed', fee = $2, ledger_ref = $3,
                      confirmed_at = $4, tx_hash = $5 WHERE id = $1`,
              [payment.id, booked.fee.toString(), booked.ref, deps.clock(), d.txHash],
            );
            await publishPayment(inv, payment.id, d.asset, d.amount, 'chain');
          } else {
            await db.query('UPDATE merchant_payments SET status = $2 WHERE id = $1', [
              payment.id,
              target,
            ]);
          }
          await refresh(inv.id);
        },
        { retryTransient: true },
      );
    },

    beginCardPayment(invoiceId, livemode, token, amount) {
      return db.attempt(
        async () => {
          const inv = await getById(invoiceId, true);
          if (inv?.livemode !== livemode) {
            return fail(MerchantError.InvoiceNotFound, { param: 'invoice' });
          }
          const { rows } = await db.query<PaymentRow & { invoice_id: string }>(
            `SELECT ${PAYMENT_COLUMNS} FROM merchant_payments WHERE card_token = $1`,
            [token],
          );
          if (rows[0]) {
            if (rows[0].invoice_id !== inv.id) return fail(MerchantError.CardTokenInvalid);
            return { invoice: inv, payment: toPayment(rows[0]), started: false };
          }
          const o = inv.options.find((x) => x.asset === inv.currency);
          if (!o || !(deps.settings.cardCurrencies ?? []).includes(inv.currency)) {
            return fail(MerchantError.CardPaymentsUnavailable);
          }
          if (deps.clock() >= inv.expiresAt) return fail(MerchantError.InvoiceExpired);
          // The option in the pricing currency has the rate 1: what is due is the value.
          const due = inv.amount - inv.paidValue - inv.pendingValue;
          if (due <= 0n) return fail(MerchantError.InvoiceNotPayable);
          let charge = due;
          if (amount !== undefined) {
            const parsed = await ledger.parseAmount(inv.currency, amount);
            if (!parsed.ok) return fail(amountError(parsed.code), { param: 'amount' });
            if (parsed.amount > due) return fail(MerchantError.AmountAboveDue);
            charge = parsed.amount;
          }
          const id = newId('pay');
          await db.query(
            `INSERT INTO merchant_payments (id, invoice_id, account_id, asset, amount, method, status,
                    card_token, created_at)
             VALUES ($1, $2, $3, $4, $5, 'card', 'pending', $6, $7)`,
            [id, inv.id, inv.accountId, o.asset, charge.toString(), token, deps.clock()],
          );
          const invoice = await refresh(inv.id);
          const payment = invoice.payments.find((p) => p.id === id);
          if (!payment) throw new Error('card payment insert vanished');
          return { invoice, payment, started: true };
        },
        { retryTransient: true },
      );
    },

    confirmCardPayment(paymentId, charge) {
      return db.attempt(
        async () => {
          const inv = await invoiceOfPayment(paymentId);
          const p = inv.payments.find((x) => x.id === paymentId);
          const o = inv.options.find((x) => x.asset === p?.asset);
          if (!p || !o) throw new Error(`card payment ${paymentId} vanished`);
          if (p.status === 'confirmed') return inv;
          if (p.status !== 'pending') {
            throw new Error(`card payment ${paymentId} is ${p.status}, cannot confirm`);
          }
          const amount = charge.amountCaptured ?? p.amount;
          if (amount <= 0n) throw new Error(`card payment ${paymentId} captured ${amount}`);
          const owner = CARD_CLEARING_OWNER[inv.livemode ? 'live' : 'test'];
          const source = await accountFor(owner, o.asset, true);
          const booked = await settle(inv, o, { id: p.id, amount }, source);
          if (!booked.ok) throw new Error(`card payment ${paymentId} not booked: ${booked.code}`);
          await db.query(
            `UPDATE merchant_payments SET status = 'confirmed', fee = $2, ledger_ref = $3,
                    confirmed_at = $4, card_charge_id = $5, card_brand = $6, card_last4 = $7,
                    amount = $8
              WHERE id = $1`,
            [
              paymentId,
              booked.fee.toString(),
              booked.ref,
              deps.clock(),
              charge.id,
              charge.brand.slice(0, 20),
              /^[0-9]{4}$/.test(charge.last4) ? charge.last4 : null,
              amount.toString(),
            ],
          );
          await publishPayment(inv, paymentId, o.asset, amount, 'card');
          return refresh(inv.id);
        },
        { retryTransient: true },
      );
    },

    failCardPayment(paymentId, code, chargeId) {
      return db.attempt(
        async () => {
          const inv = await invoiceOfPayment(paymentId);
          await db.query(
            `UPDATE merchant_payments SET status = 'failed', failure_code = $2,
                    card_charge_id = coalesce($3, card_charge_id)
              WHERE id = $1 AND status = 'pending'`,
            [paymentId, code.slice(0, 64), chargeId ?? null],
          );
          return refresh(inv.id);
        },
        { retryTransient: true },
      );
    },

    async pendingCardPayments(before, limit) {
      const { rows } = await db.query<PaymentRow & { card_token: string; livemode: boolean }>(
        `SELECT ${PAYMENT_COLUMNS}, card_token,
                (SELECT livemode FROM merchant_invoices i WHERE i.id = invoice_id) AS livemode
           FROM merchant_payments
          WHERE method = 'card' AND status = 'pending' AND created_at < $1
          ORDER BY created_at LIMIT $2`,
        [before, limit],
      );
      return rows.map((r) => ({
        payment: toPayment(r),
        token: r.card_token,
        livemode: r.livemode,
      }));
    },

    void(accountId, id) {
      return db.attempt(async () => {
        const inv = await getById(id, true);
        if (inv?.accountId !== accountId) {
          return fail(MerchantError.InvoiceNotFound, { param: 'invoice' });
        }
        if (inv.status === 'expired') return inv;
        if (inv.status !== 'open' || inv.payments.some((p) => p.status !== 'removed')) {
          return fail(MerchantError.InvoiceNotPayable);
        }
        const now = deps.clock();
        if (inv.expiresAt > now) {
          await db.query(`UPDATE merchant_invoices SET expires_at = $2 WHERE id = $1`, [id, now]);
        }
        return refresh(id);
      });
    },

    async expireDue(limit = 500) {
      const { rows } = await db.query<{ id: string }>(
        `SELECT id FROM merchant_invoices WHERE status = 'open' AND expires_at <= $1
          ORDER BY expires_at LIMIT $2`,
        [deps.clock(), limit],
      );
      let n = 0;
      for (const r of rows) {
        await db.transaction(async () => {
          const inv = await getById(r.id, true);
          if (inv?.status !== 'open') return;
          const next = await refresh(r.id);
          if (next.status !== 'open') n++;
        });
      }
      return n;
    },
  };
}

function toPayment(r: PaymentRow): InvoicePayment {
  return {
    id: r.id,
    invoiceId: r.invoice_id,
    asset: r.asset,
    amount: BigInt(r.amount),
    method: r.method,
    status: r.status,
    fee: BigInt(r.fee),
    refunded: BigInt(r.refunded),
    late: r.late,
    txHash: r.tx_hash,
    ledgerRef: r.ledger_ref,
    card: r.card_brand && r.card_last4 ? { brand: r.card_brand, last4: r.card_last4 } : null,
    cardChargeId: r.card_charge_id,
    failureCode: r.failure_code,
    createdAt: r.created_at,
    confirmedAt: r.confirmed_at,
  };
}
