import { defineEvents, ownersFrom, type EventDefinition } from '../platform/events/registry.js';
import type {
  adjustmentJson,
  fiatDepositJson,
  fiatWithdrawalJson,
  paymentJson,
  paymentRequestJson,
  tradeJson,
} from './json.js';

/**
 * The wallet's domain events, published to the outbox in the same database transaction
 * as the change they describe (so an event exists exactly when its change does). The
 * payload of each is the object as the API returns it (src/wallet/json.ts): a webhook
 * carries what a client would GET. Payloads only ever gain fields.
 *
 * Fiat movements are `fiat_deposit.*` / `fiat_withdrawal.*`, apart from the chains
 * module's on-chain `deposit.*` / `withdrawal.*`, so a subscription to one kind never
 * receives the other's shape.
 */
export const WALLET_EVENTS = {
  /** Money moved from one user to another (also when a payment request is paid). */
  'payment.completed': 'payment',
  'payment_request.created': 'payment_request',
  'payment_request.paid': 'payment_request',
  'payment_request.declined': 'payment_request',
  'payment_request.cancelled': 'payment_request',
  /** A quote was executed: buy, sell or convert. */
  'trade.executed': 'trade',
  'fiat_deposit.created': 'fiat_deposit',
  /** The rail settled the deposit and the user was credited. */
  'fiat_deposit.settled': 'fiat_deposit',
  'fiat_deposit.failed': 'fiat_deposit',
  /** The amount is held until the rail pays out. */
  'fiat_withdrawal.created': 'fiat_withdrawal',
  'fiat_withdrawal.completed': 'fiat_withdrawal',
  /** The rail refused; the hold was released. */
  'fiat_withdrawal.failed': 'fiat_withdrawal',
  /** An operator credited or debited a user, with a reason. */
  'adjustment.created': 'adjustment',
  'wallet.frozen': 'wallet_profile',
  'wallet.unfrozen': 'wallet_profile',
  'wallet.tier_changed': 'wallet_profile',
} as const;

export type WalletEventType = keyof typeof WALLET_EVENTS;

/** Payload types, for subscribers in this codebase. */
export interface WalletEventPayloads {
  'payment.completed': ReturnType<typeof paymentJson>;
  'payment_request.created': ReturnType<typeof paymentRequestJson>;
  'payment_request.paid': ReturnType<typeof paymentRequestJson>;
  'payment_request.declined': ReturnType<typeof paymentRequestJson>;
  'payment_request.cancelled': ReturnType<typeof paymentRequestJson>;
  'trade.executed': ReturnType<typeof tradeJson>;
  'fiat_deposit.created': ReturnType<typeof fiatDepositJson>;
  'fiat_deposit.settled': ReturnType<typeof fiatDepositJson>;
  'fiat_deposit.failed': ReturnType<typeof fiatDepositJson>;
  'fiat_withdrawal.created': ReturnType<typeof fiatWithdrawalJson>;
  'fiat_withdrawal.completed': ReturnType<typeof fiatWithdrawalJson>;
  'fiat_withdrawal.failed': ReturnType<typeof fiatWithdrawalJson>;
  'adjustment.created': ReturnType<typeof adjustmentJson>;
  'wallet.frozen': WalletProfileJson;
  'wallet.unfrozen': WalletProfileJson;
  'wallet.tier_changed': WalletProfileJson;
}

export interface WalletProfileJson {
  object: 'wallet_profile';
  user_id: string;
  tier: string;
  frozen: boolean;
  frozen_reason: string | null;
  frozen_at: string | null;
}

const DESCRIPTIONS: Record<WalletEventType, string> = {
  'payment.completed':
    'Money moved from one user to another (also when a payment request is paid); sent to payer and payee',
  'payment_request.created': 'A user asked another to pay; sent to both',
  'payment_request.paid': 'The payer paid a request (a payment.completed follows); sent to both',
  'payment_request.declined': 'The payer declined a request; sent to both',
  'payment_request.cancelled': 'The requester withdrew a request; sent to both',
  'trade.executed': 'A quote was executed: buy, sell or convert',
  'fiat_deposit.created': 'A bank deposit was announced by the rail',
  'fiat_deposit.settled': 'The rail settled the deposit and the user was credited',
  'fiat_deposit.failed': 'The rail reported the deposit failed; nothing was credited',
  'fiat_withdrawal.created':
    'A bank withdrawal was requested; the amount is held until the rail pays out',
  'fiat_withdrawal.completed': 'The rail paid the withdrawal out; the hold was posted',
  'fiat_withdrawal.failed': 'The rail refused the withdrawal; the hold was released',
  'adjustment.created': 'An operator credited or debited a user, with a reason',
  'wallet.frozen': 'An operator froze the wallet: no money leaves it',
  'wallet.unfrozen': 'An operator unfroze the wallet',
  'wallet.tier_changed': "An operator changed the wallet's limit tier",
};

/** Whose each event is: both sides of a payment or request, else the wallet's user. */
const OWNERS: Partial<Record<WalletEventType, EventDefinition['owners']>> = {
  'payment.completed': ownersFrom('from_user_id', 'to_user_id'),
  'payment_request.created': ownersFrom('requester_user_id', 'payer_user_id'),
  'payment_request.paid': ownersFrom('requester_user_id', 'payer_user_id'),
  'payment_request.declined': ownersFrom('requester_user_id', 'payer_user_id'),
  'payment_request.cancelled': ownersFrom('requester_user_id', 'payer_user_id'),
};

/** What operators act on: failed bank movements, their own adjustments, wallet controls. */
const OPERATOR = new Set<WalletEventType>([
  'fiat_deposit.failed',
  'fiat_withdrawal.failed',
  'adjustment.created',
  'wallet.frozen',
  'wallet.unfrozen',
  'wallet.tier_changed',
]);

/** The wallet's event registry (see src/platform/events/registry.ts). */
export const WALLET_EVENT_REGISTRY = defineEvents(
  'wallet',
  (Object.keys(WALLET_EVENTS) as WalletEventType[]).map((type) => ({
    type,
    description: DESCRIPTIONS[type],
    payload: WALLET_EVENTS[type],
    owners: OWNERS[type] ?? ownersFrom('user_id'),
    visibility: 'public' as const,
    operator: OPERATOR.has(type),
  })),
);
