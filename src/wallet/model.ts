import type { Rate } from '../ledger/money.js';
import type { Tier } from './settings.js';

/**
 * The records the wallet hands out. Amounts are bigint minor units of their asset, with
 * the decimal string beside them (`amountDecimal`), formatted once at the asset's scale.
 */

export interface WalletProfile {
  userId: string;
  tier: Tier;
  frozen: boolean;
  frozenReason: string | null;
  frozenAt: Date | null;
  frozenBy: string | null;
}

export interface AssetBalance {
  asset: string;
  kind: 'fiat' | 'crypto';
  scale: number;
  /** What can be spent now: settled minus what holds reserve. */
  available: bigint;
  /** Reserved by pending outgoing movements (a fiat withdrawal in flight). */
  held: bigint;
  /** Settled balance (`available + held`). */
  total: bigint;
  /** Pending incoming, not yet spendable. */
  incoming: bigint;
}

export interface Payment {
  /** `pay_…` */
  id: string;
  payerId: string;
  payeeId: string;
  asset: string;
  amount: bigint;
  amountDecimal: string;
  note: string | null;
  paymentRequestId: string | null;
  ledgerTransactionId: string;
  createdAt: Date;
}

export type PaymentRequestStatus = 'pending' | 'paid' | 'declined' | 'cancelled';

export interface PaymentRequest {
  /** `prq_…` */
  id: string;
  /** Who asked to be paid. */
  requesterId: string;
  /** Who is asked to pay. */
  payerId: string;
  asset: string;
  amount: bigint;
  amountDecimal: string;
  note: string | null;
  status: PaymentRequestStatus;
  paymentId: string | null;
  createdAt: Date;
  resolvedAt: Date | null;
}

export type TradeSide = 'buy' | 'sell' | 'convert';

export interface Quote {
  /** `quo_…` */
  id: string;
  userId: string;
  side: TradeSide;
  /** What the user fixed: the amount spent (fee included) or the amount received. */
  mode: 'spend' | 'receive';
  spendAsset: string;
  receiveAsset: string;
  spendAmount: bigint;
  receiveAmount: bigint;
  /** In the spend asset. */
  feeAmount: bigint;
  costAmount: bigint;
  residueAmount: bigint;
  spendDecimal: string;
  receiveDecimal: string;
  feeDecimal: string;
  /** Customer rate, whole receive units per whole spend unit. */
  rate: Rate;
  mid: Rate;
  spreadBps: number;
  feeBps: number;
  priceSource: string;
  priceObservedAt: Date;
  /** `expired`: still open in storage but past `expiresAt`; it can no longer execute. */
  status: 'open' | 'executed' | 'expired';
  /** `trd_…`: the trade this quote becomes when executed. */
  tradeId: string;
  ledgerTransactionId: string | null;
  createdAt: Date;
  expiresAt: Date;
  executedAt: Date | null;
}

export interface FiatDeposit {
  /** `fdp_…` */
  id: string;
  userId: string;
  asset: string;
  amount: bigint;
  amountDecimal: string;
  rail: string;
  /** The rail's id for it, once the rail took it. */
  railReference: string | null;
  status: 'pending' | 'settled' | 'failed';
  failureReason: string | null;
  ledgerTransactionId: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export interface FiatWithdrawal {
  /** `fwd_…` */
  id: string;
  userId: string;
  asset: string;
  amount: bigint;
  amountDecimal: string;
  destination: string;
  rail: string;
  railReference: string | null;
  status: 'pending' | 'completed' | 'failed';
  failureReason: string | null;
  ledgerHoldId: string;
  ledgerTransactionId: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export interface Adjustment {
  /** `adj_…` */
  id: string;
  userId: string;
  asset: string;
  direction: 'credit' | 'debit';
  amount: bigint;
  amountDecimal: string;
  reason: string;
  actorId: string;
  ledgerTransactionId: string;
  createdAt: Date;
}

export const ACTIVITY_TYPES = [
  'payment',
  'trade',
  'fiat_deposit',
  'fiat_withdrawal',
  'adjustment',
] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

/** One movement as one user saw it in one asset (a trade is two). */
export interface Activity {
  /** `act_…` */
  id: string;
  userId: string;
  type: ActivityType;
  asset: string;
  /** Signed: positive in, negative out. */
  amount: bigint;
  amountDecimal: string;
  /** The payment, trade, deposit, withdrawal or adjustment. */
  referenceId: string;
  counterpartyId: string | null;
  description: string | null;
  ledgerTransactionId: string;
  occurredAt: Date;
}

/** Who performs an operator action, for the audit log. */
export interface WalletActor {
  type: 'user' | 'system';
  /** `usr_…`, or a system actor such as `cli:alice`. */
  id: string;
  credentialId?: string | undefined;
  ip?: string | undefined;
  requestId?: string | undefined;
}
