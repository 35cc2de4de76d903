import { invertRate } from '../ledger/money.js';
import type {
  Activity,
  Adjustment,
  AssetBalance,
  FiatDeposit,
  FiatWithdrawal,
  Payment,
  PaymentRequest,
  Quote,
  WalletProfile,
} from './model.js';
import { formatRate } from './quote-math.js';
import { formatAmount } from '../ledger/money.js';
import type { Asset } from '../ledger/model.js';
import type { LimitUsage } from './admin.js';
import type { WalletProfileJson } from './events.js';

/**
 * The wire form of every wallet object: what the API returns and, identically, the
 * payload of the outbox event about it (so a webhook carries the object a client would
 * GET). Amounts are decimal strings at the asset's scale; times are ISO 8601 strings.
 * Fields are only ever added, never renamed or removed.
 */

const iso = (d: Date | null) => d?.toISOString() ?? null;

export const paymentJson = (p: Payment) => ({
  id: p.id,
  object: 'payment' as const,
  from_user_id: p.payerId,
  to_user_id: p.payeeId,
  asset: p.asset,
  amount: p.amountDecimal,
  note: p.note,
  payment_request_id: p.paymentRequestId,
  ledger_transaction_id: p.ledgerTransactionId,
  created_at: p.createdAt.toISOString(),
});

export const paymentRequestJson = (r: PaymentRequest) => ({
  id: r.id,
  object: 'payment_request' as const,
  requester_user_id: r.requesterId,
  payer_user_id: r.payerId,
  asset: r.asset,
  amount: r.amountDecimal,
  note: r.note,
  status: r.status,
  payment_id: r.paymentId,
  created_at: r.createdAt.toISOString(),
  resolved_at: iso(r.resolvedAt),
});

/**
 * A request as the API shows it: its two sides named by handle too (`handles`: user id
 * to handle, from `WalletService.handlesOf`), so people see `@bob`, not an id.
 */
export const paymentRequestApiJson = (
  r: PaymentRequest,
  handles: ReadonlyMap<string, string | null>,
) => ({
  ...paymentRequestJson(r),
  requester_handle: handles.get(r.requesterId) ?? null,
  payer_handle: handles.get(r.payerId) ?? null,
});

/**
 * The price as people read it: fiat per crypto for buys and sells (`BTC-USD 65325.5`),
 * receive per spend for conversions (`BTC-ETH 20.1`). Display only; amounts come from
 * the exact rate.
 */
function displayPrice(q: Quote, which: 'rate' | 'mid'): { pair: string; price: string } {
  const rate = which === 'rate' ? q.rate : q.mid;
  if (q.side === 'buy') {
    return { pair: `${q.receiveAsset}-${q.spendAsset}`, price: formatRate(invertRate(rate)) };
  }
  return { pair: `${q.spendAsset}-${q.receiveAsset}`, price: formatRate(rate) };
}

export const quoteJson = (q: Quote) => {
  const price = displayPrice(q, 'rate');
  return {
    id: q.id,
    object: 'quote' as const,
    side: q.side,
    mode: q.mode,
    from_asset: q.spendAsset,
    to_asset: q.receiveAsset,
    spend_amount: q.spendDecimal,
    receive_amount: q.receiveDecimal,
    fee_amount: q.feeDecimal,
    fee_asset: q.spendAsset,
    price_pair: price.pair,
    price: price.price,
    mid_price: displayPrice(q, 'mid').price,
    spread_bps: q.spreadBps,
    fee_bps: q.feeBps,
    price_source: q.priceSource,
    price_observed_at: q.priceObservedAt.toISOString(),
    status: q.status,
    trade_id: q.tradeId,
    ledger_transaction_id: q.ledgerTransactionId,
    created_at: q.createdAt.toISOString(),
    expires_at: q.expiresAt.toISOString(),
    executed_at: iso(q.executedAt),
  };
};

/** An executed quote, seen as the trade it became. */
export const tradeJson = (q: Quote) => {
  const price = displayPrice(q, 'rate');
  return {
    id: q.tradeId,
    object: 'trade' as const,
    quote_id: q.id,
    user_id: q.userId,
    side: q.side,
    from_asset: q.spendAsset,
    to_asset: q.receiveAsset,
    spend_amount: q.spendDecimal,
    receive_amount: q.receiveDecimal,
    fee_amount: q.feeDecimal,
    fee_asset: q.spendAsset,
    price_pair: price.pair,
    price: price.price,
    ledger_transaction_id: q.ledgerTransactionId,
    executed_at: iso(q.executedAt),
  };
};

export const fiatDepositJson = (d: FiatDeposit) => ({
  id: d.id,
  object: 'fiat_deposit' as const,
  user_id: d.userId,
  asset: d.asset,
  amount: d.amountDecimal,
  rail: d.rail,
  rail_reference: d.railReference,
  status: d.status,
  failure_reason: d.failureReason,
  ledger_transaction_id: d.ledgerTransactionId,
  created_at: d.createdAt.toISOString(),
  finished_at: iso(d.finishedAt),
});

export const fiatWithdrawalJson = (w: FiatWithdrawal) => ({
  id: w.id,
  object: 'fiat_withdrawal' as const,
  user_id: w.userId,
  asset: w.asset,
  amount: w.amountDecimal,
  destination: w.destination,
  rail: w.rail,
  rail_reference: w.railReference,
  status: w.status,
  failure_reason: w.failureReason,
  ledger_hold_id: w.ledgerHoldId,
  ledger_transaction_id: w.ledgerTransactionId,
  created_at: w.createdAt.toISOString(),
  finished_at: iso(w.finishedAt),
});

export const adjustmentJson = (a: Adjustment) => ({
  id: a.id,
  object: 'adjustment' as const,
  user_id: a.userId,
  asset: a.asset,
  direction: a.direction,
  amount: a.amountDecimal,
  reason: a.reason,
  actor_id: a.actorId,
  ledger_transaction_id: a.ledgerTransactionId,
  created_at: a.createdAt.toISOString(),
});

/**
 * A movement as the API shows it; `handles` (user id to handle, from
 * `WalletService.handlesOf`) names the other person of a payment, so people see `@bob`.
 */
export const activityJson = (a: Activity, handles: ReadonlyMap<string, string | null>) => ({
  id: a.id,
  object: 'activity' as const,
  type: a.type,
  asset: a.asset,
  amount: a.amountDecimal,
  reference_id: a.referenceId,
  counterparty_user_id: a.counterpartyId,
  counterparty_handle: a.counterpartyId === null ? null : (handles.get(a.counterpartyId) ?? null),
  description: a.description,
  ledger_transaction_id: a.ledgerTransactionId,
  occurred_at: a.occurredAt.toISOString(),
});

export const balanceJson = (b: AssetBalance) => ({
  object: 'balance' as const,
  asset: b.asset,
  kind: b.kind,
  available: formatAmount(b.available, b.scale),
  held: formatAmount(b.held, b.scale),
  total: formatAmount(b.total, b.scale),
  incoming: formatAmount(b.incoming, b.scale),
});

export function profileJson(p: WalletProfile): WalletProfileJson {
  return {
    object: 'wallet_profile',
    user_id: p.userId,
    tier: p.tier,
    frozen: p.frozen,
    frozen_reason: p.frozenReason,
    frozen_at: p.frozenAt?.toISOString() ?? null,
  };
}

/** A user's limits at their tier and what they used of them. */
export const limitsJson = (l: { perHour: number; usedThisHour: number; assets: LimitUsage[] }) => ({
  per_hour: l.perHour,
  used_this_hour: l.usedThisHour,
  assets: l.assets.map((a) => ({
    asset: a.asset,
    per_transaction: a.perTransaction,
    daily: a.daily,
    used_today: a.usedToday,
  })),
});

export const assetJson = (a: Asset) => ({
  object: 'asset' as const,
  code: a.code,
  kind: a.kind,
  scale: a.scale,
  name: a.name,
});
