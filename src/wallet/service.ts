import type { Asset } from '../ledger/model.js';
import { RetryLaterError } from '../platform/queue/queue.js';
import { createAdmin, type AdjustmentInput, type LimitUsage } from './admin.js';
import type { WalletFailure } from './errors.js';
import type { PriceResult } from './prices/source.js';
import {
  createFiat,
  SettleFiatQueue,
  type FiatDepositInput,
  type FiatWithdrawalInput,
  type ProcessOutcome,
} from './fiat.js';
import { createWalletContext, type WalletDeps, type WalletUser } from './internal.js';
import type {
  Activity,
  Adjustment,
  AssetBalance,
  FiatDeposit,
  FiatWithdrawal,
  Payment,
  PaymentRequest,
  PaymentRequestStatus,
  Quote,
  WalletActor,
  WalletProfile,
} from './model.js';
import {
  createPayments,
  type ListQuery,
  type PaymentRequestInput,
  type PaymentResult,
  type PayInput,
} from './payments.js';
import { createReports, type HistoryQuery, type Statement } from './reports.js';
import type { Tier } from './settings.js';
import { createTrades, type ExecuteResult, type QuoteInput, type QuoteResult } from './trades.js';

export type { UserDirectory, WalletDeps, WalletSettings, WalletUser } from './internal.js';

/**
 * The wallet: what users do with their money, on top of the ledger. It never touches the
 * ledger's tables: every movement is one ledger write through `LedgerService`, made in
 * one database transaction with the wallet's own rows, the user's limit usage, the
 * activity feed and the outbox event, so all of them exist or none does.
 *
 * Guarantees:
 * - Refusals are values (the platform's `Failure<WalletCode>`: `code`, `message`, `param`),
 *   and a refused request writes nothing. Map them to HTTP with
 *   `unwrap(result, toApiError)` (src/wallet/errors.ts).
 * - Money never moves twice for one request: payments and adjustments with a request key
 *   (the HTTP `Idempotency-Key`) derive their ledger key from it, and the wallet keeps it
 *   for good (the HTTP layer forgets keys after 24 h); a quote is executed under the ledger
 *   key `wallet:trade:<quote id>`, so executing it again answers the same trade.
 * - Limits (per transaction, per day, per hour) are consumed with one conditional upsert
 *   in the movement's transaction: concurrent movements never exceed them, and a refused
 *   movement gives its usage back.
 * - A freeze waits for the user's movements in flight and stops every later one.
 *
 * @example
 * const r = await wallet.pay({ payerId: 'usr_A', to: '@bob', asset: 'USD', amount: '12.50',
 *   note: 'Dinner', requestKey: idempotencyKey });
 * const { payment } = unwrap(r, toApiError); // e.g. 402 insufficient_funds, 409 daily_limit_exceeded
 * payment.ledgerTransactionId;                // 'ltx_…'
 *
 * @example
 * const q = await wallet.createQuote({ userId, from: 'USD', to: 'BTC', spendAmount: '100.00' });
 * if (!isFailure(q)) await wallet.executeQuote(userId, q.quote.id);   // within 15 s (configurable)
 */
export interface WalletService {
  /** Balances in every asset: available, held by pending withdrawals, total, incoming. */
  balances(userId: string): Promise<AssetBalance[]>;
  /** Movements newest first, filtered by asset, type and time; page with `startingAfter`. */
  history(userId: string, query: HistoryQuery): Promise<Activity[]>;
  /**
   * A reconciling CSV statement of one asset over [from, to), from the ledger's entries;
   * without dates, the last 30 days.
   */
  statement(
    userId: string,
    query: { asset: string; from?: Date | undefined; to?: Date | undefined },
  ): Promise<{ ok: true; statement: Statement } | WalletFailure>;
  profile(userId: string): Promise<WalletProfile>;
  limits(
    userId: string,
  ): Promise<{ tier: Tier; perHour: number; usedThisHour: number; assets: LimitUsage[] }>;
  /** Removes limit counters of days before yesterday (UTC); the scheduler runs it. */
  pruneLimitCounters(): Promise<number>;

  /**
   * Pays another user by handle, email or id, in any asset (crypto too: sending to a user
   * settles instantly inside the ledger). Paying yourself is refused.
   */
  pay(input: PayInput): Promise<PaymentResult>;
  /**
   * For a module that takes payments from wallets (merchant invoices): call it inside the
   * transaction that books the payment, before the ledger write. It takes the payer's
   * profile lock like a payment to another user (a freeze waits for this transaction and
   * stops every later one), refuses a frozen wallet (`account_frozen`), and consumes the
   * payer's per-transaction, daily and hourly limits for `amount` atomically
   * (`amount_above_limit`, `daily_limit_exceeded`, `velocity_limit_exceeded`,
   * `limit_not_configured`). On a refusal the caller rolls back its transaction, which
   * gives the usage back. Answers the payer's ledger account in the asset.
   *
   * @example
   * await db.attempt(async () => {
   *   const spend = await wallet.authorizeSpend(payerId, 'USD', 1_250n);
   *   if (!spend.ok) return rollback(spend);
   *   await ledger.post({ key, legs: [{ accountId: spend.accountId, direction: 'debit', … }, …] });
   * });
   */
  authorizeSpend(
    userId: string,
    asset: string,
    amount: bigint,
  ): Promise<{ ok: true; accountId: string } | WalletFailure>;
  getPayment(userId: string, id: string): Promise<Payment | undefined>;
  listPayments(
    userId: string,
    query: ListQuery & { direction?: 'sent' | 'received' | undefined },
  ): Promise<Payment[]>;

  /**
   * Asks another user for money. A `requestKey` (Idempotency-Key) is stored with the
   * request: the same key for the same ask answers that request again (`replayed`), and
   * the key with another ask is `idempotency_conflict`.
   */
  requestPayment(
    input: PaymentRequestInput,
  ): Promise<{ ok: true; request: PaymentRequest; replayed: boolean } | WalletFailure>;
  /**
   * Pays a request addressed to `userId`, at most once. A `requestKey` (Idempotency-Key)
   * is stored with the payment: the same key for the same request answers that payment
   * again (`replayed`), and the key on any other payment is `idempotency_conflict`.
   */
  payRequest(
    userId: string,
    requestId: string,
    requestKey?: string,
  ): Promise<
    { ok: true; request: PaymentRequest; payment: Payment; replayed: boolean } | WalletFailure
  >;
  /** The payer turns a pending request down. */
  declineRequest(
    userId: string,
    requestId: string,
  ): Promise<{ ok: true; request: PaymentRequest } | WalletFailure>;
  /** The requester withdraws a pending request. */
  cancelRequest(
    userId: string,
    requestId: string,
  ): Promise<{ ok: true; request: PaymentRequest } | WalletFailure>;
  getRequest(userId: string, id: string): Promise<PaymentRequest | undefined>;
  listRequests(
    userId: string,
    query: ListQuery & {
      direction?: 'incoming' | 'outgoing' | undefined;
      status?: PaymentRequestStatus | undefined;
    },
  ): Promise<PaymentRequest[]>;

  /**
   * Prices a buy (fiat → crypto), sell (crypto → fiat) or conversion (crypto → crypto) and
   * locks the price, spread, fee and both amounts until `expiresAt`. Refused when the
   * price is unavailable or older than its limit.
   */
  createQuote(input: QuoteInput): Promise<QuoteResult>;
  /**
   * Executes a quote once: the same quote again answers the same trade
   * (`replayed: true`); an expired quote, or one the user cannot afford, moves nothing.
   */
  executeQuote(userId: string, quoteId: string): Promise<ExecuteResult>;
  getQuote(userId: string, id: string): Promise<Quote | undefined>;
  getTrade(userId: string, tradeId: string): Promise<Quote | undefined>;
  listTrades(userId: string, query: ListQuery): Promise<Quote[]>;

  /** Records a bank deposit; the user is credited when the rail settles it. */
  depositFiat(
    input: FiatDepositInput,
  ): Promise<{ ok: true; deposit: FiatDeposit; replayed: boolean } | WalletFailure>;
  /** Holds the amount and pays it out through the rail; released if the rail fails. */
  withdrawFiat(
    input: FiatWithdrawalInput,
  ): Promise<{ ok: true; withdrawal: FiatWithdrawal; replayed: boolean } | WalletFailure>;
  /**
   * Advances one fiat transfer at its rail (what the `wallet.fiat.settle` job runs).
   * `simulate` settles a test-rail transfer at once.
   */
  processFiat(
    kind: 'deposit' | 'withdrawal',
    id: string,
    options?: { simulate?: boolean },
  ): Promise<ProcessOutcome>;
  getFiatDeposit(userId: string, id: string): Promise<FiatDeposit | undefined>;
  listFiatDeposits(userId: string, query: ListQuery): Promise<FiatDeposit[]>;
  getFiatWithdrawal(userId: string, id: string): Promise<FiatWithdrawal | undefined>;
  listFiatWithdrawals(userId: string, query: ListQuery): Promise<FiatWithdrawal[]>;

  /** An operator's credit or debit, with a reason; audited. */
  adjust(
    input: AdjustmentInput,
  ): Promise<{ ok: true; adjustment: Adjustment; replayed: boolean } | WalletFailure>;
  listAdjustments(userId: string, query: ListQuery): Promise<Adjustment[]>;
  /** Registers an asset in the ledger (idempotent by code; a scale never changes); audited. */
  createAsset(
    actor: WalletActor,
    input: { code: string; kind: 'fiat' | 'crypto'; scale: number; name?: string | undefined },
  ): Promise<{ ok: true; asset: Asset; created: boolean } | WalletFailure>;
  freeze(
    actor: WalletActor,
    userId: string,
    reason: string,
  ): Promise<{ ok: true; profile: WalletProfile; changed: boolean } | WalletFailure>;
  unfreeze(
    actor: WalletActor,
    userId: string,
    reason: string,
  ): Promise<{ ok: true; profile: WalletProfile; changed: boolean } | WalletFailure>;
  setTier(
    actor: WalletActor,
    userId: string,
    tier: Tier,
    reason: string,
  ): Promise<{ ok: true; profile: WalletProfile; changed: boolean } | WalletFailure>;

  /** A user by id, `@handle`, handle or email. */
  resolveUser(ref: string): Promise<WalletUser | undefined>;
  /**
   * Users' public handles by id, in one lookup: how a payment request names its other
   * side (`null`: the user has no handle).
   */
  handlesOf(userIds: readonly string[]): Promise<Map<string, string | null>>;
  /** Whether bank deposits and withdrawals go through the simulated test rail. */
  readonly testMode: boolean;
  /**
   * The mid price of `base` in `quote` from the wallet's price source (the one quotes
   * use), for modules that price in another currency (merchant invoices).
   */
  price(base: string, quote: string): Promise<PriceResult>;
}

export function createWalletService(deps: WalletDeps): WalletService {
  const ctx = createWalletContext(deps);
  const payments = createPayments(ctx);
  const trades = createTrades(ctx);
  const fiat = createFiat(ctx);
  const admin = createAdmin(ctx);
  const reports = createReports(ctx);

  // Not transactional: rail calls happen outside any database transaction; bookings
  // open their own, and every step is safe to repeat.
  deps.jobs.register(
    SettleFiatQueue,
    async (job) => {
      const r = await fiat.process(job.payload.kind, job.payload.id);
      if (r.state === 'pending') {
        throw new RetryLaterError('the rail has not settled it yet', r.retryAfterMs);
      }
    },
    { transactional: false },
  );

  return {
    balances: reports.balances,
    history: reports.history,
    statement: reports.statement,
    profile: admin.profile,
    limits: admin.limits,
    pruneLimitCounters: admin.pruneLimitCounters,
    pay: payments.pay,
    authorizeSpend: payments.authorizeSpend,
    getPayment: payments.getPayment,
    listPayments: payments.listPayments,
    requestPayment: payments.requestPayment,
    payRequest: payments.payRequest,
    declineRequest: payments.declineRequest,
    cancelRequest: payments.cancelRequest,
    getRequest: payments.getRequest,
    listRequests: payments.listRequests,
    createQuote: trades.createQuote,
    executeQuote: trades.executeQuote,
    getQuote: trades.getQuote,
    getTrade: trades.getTrade,
    listTrades: trades.listTrades,
    depositFiat: fiat.deposit,
    withdrawFiat: fiat.withdraw,
    processFiat: fiat.process,
    getFiatDeposit: fiat.getDeposit,
    listFiatDeposits: fiat.listDeposits,
    getFiatWithdrawal: fiat.getWithdrawal,
    listFiatWithdrawals: fiat.listWithdrawals,
    adjust: admin.adjust,
    listAdjustments: admin.listAdjustments,
    createAsset: admin.createAsset,
    freeze: admin.freeze,
    unfreeze: admin.unfreeze,
    setTier: admin.setTier,
    resolveUser: (ref) => ctx.resolveUser(ref),
    handlesOf: (userIds) => ctx.deps.users.handlesOf(userIds),
    testMode: deps.rail?.testMode ?? false,
    price: (base, quote) => ctx.deps.prices.price(base, quote),
  };
}

/** Scopes of the wallet's routes. */
export const WALLET_SCOPES = {
  'wallet:read':
    'Read your balances, history, statements, payments, requests, quotes, trades and bank transfers',
  'wallet:write': 'Pay other users and answer or make payment requests',
  'wallet_trades:write': 'Ask for quotes and execute trades (buy, sell, convert)',
  'wallet_fiat:write': 'Make bank deposits and withdrawals',
  'wallet_admin:read': "Read users' wallet state (operators)",
  'wallet_admin:write': 'Freeze wallets, set tiers, make adjustments, create assets (operators)',
} as const satisfies Record<string, string>;
