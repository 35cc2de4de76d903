import type { Db, Statement } from '../platform/db/db.js';
import type { Logger } from '../platform/observability/logger.js';
import { createLedgerAccounts } from './accounts.js';
import type { BatcherStats } from '../platform/db/batcher.js';
import { createLedgerContext } from './context.js';
import { createEngine } from './engine.js';
import { createLedgerHistory } from './history.js';
import { createLedgerHolds } from './holds.js';
import type {
  Account,
  Asset,
  AssetKind,
  Hold,
  Holding,
  HoldInput,
  HoldPostResult,
  HoldResult,
  HouseAccount,
  LedgerTransaction,
  Metadata,
  PostHoldInput,
  PostInput,
  PostingOptions,
  Result,
  ReverseInput,
  Side,
  TransactionKind,
  TransactionResult,
  TransferInput,
  VoidHoldInput,
} from './model.js';
import { createLedgerPostings } from './postings.js';

/**
 * The ledger: the one place money moves. Every other module (wallet, payments,
 * commerce) records movements through this interface and reads balances from it; none
 * touches the ledger's tables.
 *
 * Writes and transactions:
 * - Outside a database transaction, `transfer` and `post` go through a group-commit
 *   batcher: concurrent calls share one database statement (one round trip, committed
 *   on its own), each still succeeding or failing on its own, in arrival order.
 * - Inside `db.transaction(...)` every write joins the caller's transaction, so it
 *   commits or rolls back with the caller's own writes (a quote marked executed, an
 *   outbox event). Use this when the movement must be atomic with something else; it
 *   is not batched. Several ledger writes in one caller transaction can deadlock with
 *   another such transaction taking the same accounts in the other order; PostgreSQL
 *   then fails one of them (40P01) and the caller retries it.
 * - HTTP POSTs with an Idempotency-Key already run in a transaction. A route whose only
 *   write is one movement can instead derive the ledger key from the request's key and
 *   call the ledger in `db.detached(...)`: it is then batched, and a retried request
 *   replays the ledger's result instead of moving money twice.
 * - Every write takes an idempotency key (see `TransferInput.key`). Assets and accounts
 *   are idempotent by nature (by code, by owner and asset). Hold expiry needs no key: a
 *   hold expires once.
 * - Refusals are values: a `LedgerFailure` (the platform's `Failure` with a
 *   `LedgerError` code, a message and the param at fault); nothing was written. Map them
 *   to HTTP with `unwrap(result, ledgerApiError)`. Exceptions mean a fault.
 * - Money is bigint minor units; parse and format decimal strings with `parseAmount`
 *   here or with ./money.ts (rounding, conversion across scales, allocation).
 *
 * @example
 * // A user pays another user 12.50 USD.
 * const usd = unwrap(await ledger.parseAmount('USD', '12.50'), ledgerApiError); // amount: 1250n
 * const payer = await ledger.openAccount({ owner: 'usr_A', asset: 'USD' });
 * const payee = await ledger.openAccount({ owner: 'usr_B', asset: 'USD' });
 * if (!payer.ok || !payee.ok) throw new Error('asset USD missing');
 * const r = unwrap(await ledger.transfer({
 *   key: `wallet:payment:${paymentId}`,
 *   from: payer.account.id,
 *   to: payee.account.id,
 *   asset: 'USD',
 *   amount: usd.amount,
 *   description: 'Dinner',
 *   metadata: { paymentId },
 * }), ledgerApiError);                                         // e.g. 402 insufficient_funds
 * r.transaction.id;                                            // 'ltx_…'
 *
 * @example
 * // Buy BTC with USD at a quoted price: four legs, balanced per asset, one transaction.
 * await ledger.post({
 *   key: `wallet:trade:${quote.id}`,
 *   legs: [
 *     { accountId: userUsd, asset: 'USD', direction: 'debit', amount: 10_000n },
 *     { accountId: houseUsd, asset: 'USD', direction: 'credit', amount: 10_000n },
 *     { accountId: houseBtc, asset: 'BTC', direction: 'debit', amount: 15_384n },
 *     { accountId: userBtc, asset: 'BTC', direction: 'credit', amount: 15_384n },
 *   ],
 *   metadata: { quoteId: quote.id },
 * });
 *
 * @example
 * // Reserve funds when a quote is accepted, settle on fill (partial: the rest is released).
 * const h = await ledger.createHold({ key: `q:${id}:hold`, from: userUsd, to: houseUsd,
 *   asset: 'USD', amount: 10_000n, expiresAt: new Date(Date.now() + 15_000) });
 * if (h.ok) await ledger.postHold({ key: `q:${id}:fill`, holdId: h.hold.id, amount: 9_990n });
 */
export interface LedgerService {
  /**
   * Registers an asset and its four house accounts. Idempotent by code: the same
   * definition again returns the existing asset (`created: false`); a different kind
   * or scale is refused with `asset_exists`, because a scale can never change.
   */
  createAsset(input: {
    code: string;
    kind: AssetKind;
    scale: number;
    name?: string;
  }): Promise<Result<{ asset: Asset; created: boolean }>>;
  getAsset(code: string): Promise<Asset | undefined>;
  listAssets(): Promise<Asset[]>;
  /**
   * Parses a decimal string at the asset's scale: `unknown_asset`, `amount_malformed`,
   * `amount_negative`, `amount_zero`, `amount_too_precise` or `amount_too_large` when
   * it is not a positive amount of that asset.
   */
  parseAmount(asset: string, text: string): Promise<Result<{ amount: bigint; asset: Asset }>>;

  /**
   * The account of `owner` (an opaque id such as `usr_…`) in `asset`, opened on first
   * use. Credit-normal; it may not go negative unless `mayGoNegative` (a credit line).
   */
  openAccount(input: {
    owner: string;
    asset: string;
    mayGoNegative?: boolean;
  }): Promise<Result<{ account: Account; created: boolean }>>;
  /** The house account of this kind for `asset` (see `HouseAccount`). */
  houseAccount(kind: HouseAccount, asset: string): Promise<Result<{ account: Account }>>;
  getAccount(id: string): Promise<Account | undefined>;
  findAccount(owner: string, asset: string): Promise<Account | undefined>;
  /** The accounts several owners hold in `asset` (those that have one), in one query. */
  findAccounts(owners: readonly string[], asset: string): Promise<Account[]>;
  /** All accounts of an owner, one per asset, with balances. */
  listAccounts(owner: string): Promise<Account[]>;
  /**
   * Every asset by code with what the owner holds in it, zero where they have no account
   * (one query: a wallet's balance page lists every asset).
   */
  listHoldings(owner: string): Promise<Holding[]>;
  /** Freezing refuses new movements in or out; releasing holds and reversals still work. */
  setAccountStatus(id: string, status: 'active' | 'frozen'): Promise<Result<{ account: Account }>>;
  /**
   * Posted balance as it stood at `at`, by the entries' `effective_at` (holds are not
   * part of it). Backdated entries change the past: this is the corrected history.
   */
  balanceAt(accountId: string, at: Date): Promise<Result<{ posted: bigint; asset: string }>>;
  /** An account's entries, newest first. Page with `before` (the last item's cursor). */
  listEntries(query: {
    accountId: string;
    limit?: number;
    before?: string;
    effectiveFrom?: Date;
    effectiveTo?: Date;
  }): Promise<AccountEntry[]>;

  /**
   * Moves `amount` of `asset` from one account to another (two legs). With
   * `options.alongside`, the caller's rows are written by the same statement.
   */
  transfer(input: TransferInput, options?: PostingOptions): Promise<TransactionResult>;
  /**
   * A transfer in one autocommitted statement behind the caller's `guard`, a query of one
   * boolean that runs first in the same statement (it takes the caller's locks and
   * checks its rules, e.g. the wallet's profile locks and limits). It answers the
   * transaction, or null when nothing happened: the guard answered false, or the
   * transfer would be refused or replayed, or the statement lost a deadlock. Then
   * nothing of it remains (the guard's writes included) and the caller takes its full
   * path, which finds out why. One round trip instead of a transaction's four, for a
   * caller's common case. Outside any transaction only. `guard` may be built from the
   * transaction about to be posted (its id and time), like `alongside`.
   */
  transferGuarded(input: TransferInput, options: GuardedOptions): Promise<LedgerTransaction | null>;
  /**
   * Several `transferGuarded` in one autocommitted statement (group commit): one guard
   * for the lot, run before the accounts are locked, and the caller's statements beside
   * them, all or nothing. The transactions in input order, or null when anything kept
   * one of them from applying (the guard declined, a refusal, a replayed key, an invalid
   * input, a deadlock): then nothing was written, and the caller tries each on its own.
   * Two transfers with the same idempotency key must not share a call. `posted` in the
   * statements beside them has one row (`created_at`) when all were applied, and no
   * `transaction_id` (there are several: each statement names its own).
   */
  transferGuardedMany(
    inputs: readonly TransferInput[],
    options: {
      guard: (posted: readonly PostedRef[]) => Statement;
      alongside?: (posted: readonly PostedRef[]) => readonly Statement[];
    },
  ): Promise<LedgerTransaction[] | null>;
  /** Posts a balanced multi-leg transaction (fees, trades across assets, splits). */
  post(input: PostInput): Promise<TransactionResult>;
  /**
   * `post` in one autocommitted statement behind the caller's guard, as `transferGuarded`
   * does a transfer: the transaction, or null when nothing happened (an invalid posting
   * included), and the caller's full path finds out why.
   */
  postGuarded(input: PostInput, options: GuardedOptions): Promise<LedgerTransaction | null>;
  /**
   * Many transfers/transactions in one database transaction, results in input order.
   * By default each succeeds or fails on its own. With `atomic: true` all are applied
   * or none: if one is refused, the others report `linked_transfer_failed`.
   */
  transferBatch(
    items: readonly (TransferInput | PostInput)[],
    options?: { atomic?: boolean },
  ): Promise<TransactionResult[]>;
  /**
   * Corrects a transaction by posting its mirror image (every leg with the other
   * direction), linked through `reversesId`. A transaction is reversed at most once, a
   * reversal is never reversed, and the balance rules still apply (reversing a deposit
   * the user already spent is `insufficient_funds`). Works on frozen accounts.
   */
  reverse(input: ReverseInput): Promise<TransactionResult>;
  getTransaction(id: string): Promise<LedgerTransaction | undefined>;

  /**
   * Reserves `amount` from `from` towards `to`: counted in `from`'s pending debits, so
   * it is no longer available, and in `to`'s pending credits. Refused with
   * `insufficient_funds` when `from` cannot cover it on top of earlier holds.
   */
  createHold(input: HoldInput): Promise<HoldResult>;
  /**
   * Posts a pending hold, in full or partly (the rest is released). A hold resolves
   * once: a second post or void gets `hold_not_pending`; after `expiresAt`,
   * `hold_expired`.
   */
  postHold(input: PostHoldInput): Promise<HoldPostResult>;
  /** Releases a pending hold without moving anything. */
  voidHold(input: VoidHoldInput): Promise<HoldResult>;
  /**
   * Expires pending holds whose `expiresAt` is at or before `now`, releasing their
   * funds; at most `limit` per call (call again while it returns a full page). Run it
   * from a periodic job; concurrent sweeps skip each other's holds.
   */
  expireDueHolds(now?: Date, options?: { limit?: number }): Promise<{ expired: Hold[] }>;
  getHold(id: string): Promise<Hold | undefined>;

  /** Waits for batched writes in flight (shutdown). */
  drain(): Promise<void>;
  batchStats(): BatcherStats;
}

/** The id and time a posting about to be written will have. */
export interface PostedRef {
  transactionId: string;
  effectiveAt: Date;
}

/** What `transferGuarded` and `postGuarded` take besides the movement. */
export type GuardedOptions = PostingOptions & {
  guard: Statement | ((posted: { transactionId: string; effectiveAt: Date }) => Statement);
};

/** An entry seen from its account, for statements and history. */
export interface AccountEntry {
  /** Opaque pagination cursor (`before`). */
  cursor: string;
  transactionId: string;
  kind: TransactionKind;
  asset: string;
  direction: Side;
  amount: bigint;
  /** Effect on the account's balance in its normal side's sign (+ in, − out). */
  change: bigint;
  description: string | null;
  metadata: Metadata | null;
  effectiveAt: Date;
  createdAt: Date;
}

/**
 * Hooks called inside the database transaction that made the change, before it
 * commits; throwing rolls the change back. This is where the outbox plugs in, without
 * the ledger knowing about it. Called once per database transaction with everything it
 * wrote, so a batch of 500 transfers can be published with one multi-row insert.
 *
 * @example
 * createLedgerService({ db, events: {
 *   async transactionsPosted(txs) {
 *     for (const t of txs)
 *       await outbox.publish({ type: 'ledger.transaction.posted', aggregateId: t.id, payload: toJsonSafe(t) });
 *   },
 *   async holdsChanged(holds) {
 *     for (const h of holds)
 *       await outbox.publish({ type: `ledger.hold.${h.status}`, aggregateId: h.id, payload: toJsonSafe(h) });
 *   },
 * } });
 */
export interface LedgerEvents {
  transactionsPosted(transactions: readonly LedgerTransaction[]): Promise<void>;
  holdsChanged(holds: readonly Hold[]): Promise<void>;
}

export interface LedgerDeps {
  db: Db;
  logger?: Logger;
  events?: LedgerEvents;
  /** Source of "now" for default effective times and hold expiry (tests move it). */
  clock?: () => Date;
  /**
   * Group commit (see ./batcher.ts). maxInFlight is how many database sessions the
   * batcher may keep busy at once (default 4); minBatch is the smallest batch it splits a
   * queue into to use another session (default 256). A batch has a fixed cost on the
   * server (executor start-up, constraint expressions, commit) of about a third of a
   * millisecond, and concurrent batches of random accounts wait on each other's row
   * locks, so many small batches buy parallelism the CPUs cannot deliver. Measured with
   * bench/ledger (512 callers, 2 CPUs, 8 and 32 sessions) on this engine: 128 gave about
   * 11,000 transfers/s and 256 about 12,500 (on the previous engine, no minimum gave
   * about 7,500 and 64 about 11,400).
   */
  batching?: { maxBatch?: number; maxInFlight?: number; minBatch?: number };
}

/** Bigints as decimal strings (minor units), for JSON payloads such as outbox events. */
export function toJsonSafe(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
  );
}

/**
 * The ledger service, put together from its parts: accounts (./accounts.ts), postings
 * (./postings.ts) over the batch engine (./engine.ts), holds (./holds.ts) and history
 * (./history.ts), which share one context (./context.ts: the database, the clock, the
 * asset cache and the transaction boundary).
 */
export function createLedgerService(deps: LedgerDeps): LedgerService {
  const ctx = createLedgerContext(deps);
  const engine = createEngine(ctx, deps.batching);
  return {
    ...createLedgerAccounts(ctx),
    ...createLedgerHistory(ctx),
    ...createLedgerPostings(ctx, engine),
    ...createLedgerHolds(ctx, engine),
    drain: () => engine.drain(),
    batchStats: () => engine.stats(),
  };
}
