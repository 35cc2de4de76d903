import type { Statement } from '../platform/db/db.js';
import type { LedgerFailure } from './errors.js';

/** The records the ledger hands out. Amounts are bigint minor units of `asset`. */

export type AssetKind = 'fiat' | 'crypto';

export interface Asset {
  /** `USD`, `BTC`, `ETH`, `USDC`: upper case, 2 to 16 characters. */
  code: string;
  kind: AssetKind;
  /** Decimals of the minor unit: USD 2, BTC 8, ETH 18, USDC 6. Never changes. */
  scale: number;
  name: string;
  createdAt: Date;
}

/**
 * The operator's own accounts, one of each per asset, made with the asset:
 * - `settlement` (debit-normal): value held outside the ledger (bank, chain custody);
 *   money entering Vaultwire is debited here and credited to the user;
 * - `liquidity` (credit-normal): the house's own position, the counterparty of trades;
 * - `fees` (credit-normal): fee revenue;
 * - `rounding` (credit-normal): residue of conversions, so every asset nets to zero.
 * All may go negative by default (no balance check, which keeps the hot ones fast).
 */
export type HouseAccount = 'liquidity' | 'fees' | 'rounding' | 'settlement';
export const HOUSE_ACCOUNTS: readonly HouseAccount[] = [
  'liquidity',
  'fees',
  'rounding',
  'settlement',
];

export type Side = 'debit' | 'credit';

export interface Account {
  /** `lac_…` */
  id: string;
  asset: string;
  /** Opaque holder id (e.g. `usr_…`) for a user's account; null for house accounts. */
  owner: string | null;
  house: HouseAccount | null;
  /** Which side increases the balance: credit for what the house owes (user funds). */
  normalSide: Side;
  /** False: available balance may never drop below zero (checked under lock). */
  mayGoNegative: boolean;
  status: 'active' | 'frozen';
  balance: Balance;
  createdAt: Date;
}

/**
 * Balances of one account, in its normal side's sign.
 * - `posted`: settled (credits − debits for a credit-normal account);
 * - `pendingDebits` / `pendingCredits`: reserved by holds not yet resolved;
 * - `available`: posted minus the pending movements against the normal side — what can
 *   be spent now. Incoming pending amounts are not available until posted.
 */
export interface Balance {
  posted: bigint;
  pendingDebits: bigint;
  pendingCredits: bigint;
  available: bigint;
}

/** One asset and what an owner holds in it: a zero balance where they have no account. */
export interface Holding {
  asset: string;
  kind: Asset['kind'];
  scale: number;
  balance: Balance;
}

export interface Entry {
  accountId: string;
  asset: string;
  direction: Side;
  amount: bigint;
}

export type TransactionKind = 'transfer' | 'reversal' | 'hold_post';

export interface LedgerTransaction {
  /** `ltx_…` */
  id: string;
  kind: TransactionKind;
  idempotencyKey: string;
  /** For a reversal, the transaction it undoes. */
  reversesId: string | null;
  /** For a posted hold, the hold. */
  holdId: string | null;
  description: string | null;
  metadata: Metadata | null;
  /** When the movement counts (may be in the past, e.g. a bank value date). */
  effectiveAt: Date;
  /** When it was recorded. */
  createdAt: Date;
  entries: Entry[];
}

export type HoldStatus = 'pending' | 'posted' | 'voided' | 'expired';

export interface Hold {
  /** `lhd_…` */
  id: string;
  idempotencyKey: string;
  /** Debited when posted; its pending debits carry the amount meanwhile. */
  fromAccountId: string;
  toAccountId: string;
  asset: string;
  amount: bigint;
  status: HoldStatus;
  /** Set when posted: at most `amount`, the rest was released. */
  postedAmount: bigint | null;
  /** The transaction that posted it. */
  transactionId: string | null;
  expiresAt: Date | null;
  description: string | null;
  metadata: Metadata | null;
  createdAt: Date;
  resolvedAt: Date | null;
}

/** Free-form context kept with a transaction or hold (quote id, payment id, note). */
export type Metadata = Record<string, string | number | boolean | null>;

/** One side of a multi-leg transaction. */
export interface Leg {
  accountId: string;
  /** Asserted against the account's asset: a mismatch is refused, never converted. */
  asset: string;
  direction: Side;
  /** Positive minor units. */
  amount: bigint;
}

interface WriteCommon {
  /**
   * Idempotency key, 1 to 255 printable ASCII characters, unique across all ledger
   * writes (namespace it: `wallet:payment:<id>`). The same key with the same request
   * returns the original result without applying anything; with a different request it
   * is refused with `idempotency_conflict`. A refused write does not use up its key.
   */
  key: string;
  description?: string;
  metadata?: Metadata;
}

export interface TransferInput extends WriteCommon {
  /** Debited (for a user's account: the payer). */
  from: string;
  /** Credited (the payee). */
  to: string;
  asset: string;
  /** Positive minor units. */
  amount: bigint;
  /** Defaults to now. Not part of the idempotency comparison when omitted. */
  effectiveAt?: Date;
}

/**
 * What a caller may add to a transfer. `alongside` lets the caller's own rows that belong
 * with the posting (a payment row, its activity, an outbox event) be written by the same
 * database statement as the posting: one round trip instead of one per write.
 */
export interface PostingOptions {
  /**
   * Given the transaction about to be posted, statements to run with it. Each is a
   * data-modifying statement whose rows come from the relation `posted` (e.g.
   * `INSERT INTO t (a, b) SELECT $1, posted.transaction_id FROM posted`), which has one
   * row (`transaction_id`, `created_at`) when the transfer is applied and none when it is
   * refused or replayed, so the caller's rows exist exactly when the posting does. Such
   * a transfer is not batched with others.
   */
  alongside?: (posted: { transactionId: string; effectiveAt: Date }) => readonly Statement[];
}

export interface PostInput extends WriteCommon {
  /** Two or more legs; for each asset the debits equal the credits. */
  legs: readonly Leg[];
  effectiveAt?: Date;
}

export interface ReverseInput extends WriteCommon {
  transactionId: string;
  effectiveAt?: Date;
}

export interface HoldInput extends WriteCommon {
  from: string;
  to: string;
  asset: string;
  amount: bigint;
  /** After this instant the hold can no longer be posted; the sweep releases it. */
  expiresAt?: Date;
}

export interface PostHoldInput {
  key: string;
  holdId: string;
  /** Partial post: at most the held amount; the rest is released. Default: all of it. */
  amount?: bigint;
  description?: string;
  metadata?: Metadata;
  effectiveAt?: Date;
}

export interface VoidHoldInput {
  key: string;
  holdId: string;
}

/** A posted transaction, or why not. `replayed` is true when the key was seen before. */
export type TransactionResult =
  { ok: true; transaction: LedgerTransaction; replayed: boolean } | LedgerFailure;

export type HoldResult = { ok: true; hold: Hold; replayed: boolean } | LedgerFailure;

export type HoldPostResult =
  { ok: true; hold: Hold; transaction: LedgerTransaction; replayed: boolean } | LedgerFailure;

export type Result<T> = ({ ok: true } & T) | LedgerFailure;
