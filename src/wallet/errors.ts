import { LedgerError, ledgerApiError } from '../ledger/errors.js';
import type { Failure, FailureDetail } from '../platform/failure.js';
import { ApiError, errorCatalog } from '../platform/http/errors.js';

/**
 * Every way the wallet refuses a request, as values. Refusals that come from the ledger
 * (amount errors, unknown asset, insufficient funds, idempotency conflicts) keep the
 * ledger's codes; these are the wallet's own.
 */
export enum WalletError {
  RecipientNotFound = 'recipient_not_found',
  SelfPayment = 'self_payment',
  RecipientUnavailable = 'recipient_unavailable',
  AccountFrozen = 'account_frozen',
  NoteTooLong = 'note_too_long',
  LimitNotConfigured = 'limit_not_configured',
  AmountAboveLimit = 'amount_above_limit',
  DailyLimitExceeded = 'daily_limit_exceeded',
  VelocityLimitExceeded = 'velocity_limit_exceeded',
  PaymentNotFound = 'payment_not_found',
  PaymentRequestNotFound = 'payment_request_not_found',
  PaymentRequestNotPending = 'payment_request_not_pending',
  PairNotSupported = 'pair_not_supported',
  AmountTooSmall = 'amount_too_small',
  AmountBothOrNeither = 'amount_both_or_neither',
  PriceUnavailable = 'price_unavailable',
  PriceStale = 'price_stale',
  QuoteNotFound = 'quote_not_found',
  QuoteExpired = 'quote_expired',
  TradeNotFound = 'trade_not_found',
  AssetNotFiat = 'asset_not_fiat',
  DestinationInvalid = 'destination_invalid',
  RailUnavailable = 'rail_unavailable',
  FiatDepositNotFound = 'fiat_deposit_not_found',
  FiatWithdrawalNotFound = 'fiat_withdrawal_not_found',
  UserNotFound = 'user_not_found',
  ReasonRequired = 'reason_required',
  IdempotencyConflict = 'idempotency_conflict',
  DateRangeInvalid = 'date_range_invalid',
  StatementTooLarge = 'statement_too_large',
}

/** A code the wallet refuses with: its own, or the ledger's it passes on. */
export type WalletCode = WalletError | LedgerError;

/** A refused request: the wallet's or the ledger's code, a sentence, the field at fault. */
export type WalletFailure = Failure<WalletCode>;

/** The HTTP mapping of the wallet's own codes. */
export const walletApiError = errorCatalog<WalletError>({
  [WalletError.RecipientNotFound]: {
    status: 404,
    type: 'not_found_error',
    message: 'No user with this handle or email',
    param: 'to',
  },
  [WalletError.SelfPayment]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'You cannot pay or request money from yourself',
    param: 'to',
  },
  [WalletError.RecipientUnavailable]: {
    status: 409,
    type: 'conflict_error',
    message: 'This user cannot receive payments right now',
    param: 'to',
  },
  [WalletError.AccountFrozen]: {
    status: 403,
    type: 'permission_error',
    message: 'Your wallet is frozen; contact support',
  },
  [WalletError.NoteTooLong]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The note is too long',
    param: 'note',
  },
  [WalletError.LimitNotConfigured]: {
    status: 403,
    type: 'permission_error',
    message: 'This asset cannot be moved out at your verification tier',
    param: 'asset',
  },
  [WalletError.AmountAboveLimit]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The amount is above your per-transaction limit',
    param: 'amount',
  },
  [WalletError.DailyLimitExceeded]: {
    status: 409,
    type: 'conflict_error',
    message: 'This would exceed your daily limit',
    param: 'amount',
  },
  [WalletError.VelocityLimitExceeded]: {
    status: 429,
    type: 'rate_limit_error',
    message: 'Too many outgoing movements this hour',
  },
  [WalletError.PaymentNotFound]: {
    status: 404,
    type: 'not_found_error',
    message: 'No such payment',
  },
  [WalletError.PaymentRequestNotFound]: {
    status: 404,
    type: 'not_found_error',
    message: 'No such payment request',
  },
  [WalletError.PaymentRequestNotPending]: {
    status: 409,
    type: 'conflict_error',
    message: 'The payment request was already paid, declined or cancelled',
  },
  [WalletError.PairNotSupported]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'These two assets cannot be traded against each other',
    param: 'to',
  },
  [WalletError.AmountTooSmall]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The amount is too small to trade',
  },
  [WalletError.AmountBothOrNeither]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'Give exactly one of spend_amount and receive_amount',
    param: 'spend_amount',
  },
  [WalletError.PriceUnavailable]: {
    status: 503,
    type: 'api_error',
    message: 'No price is available for this pair right now; try again shortly',
  },
  [WalletError.PriceStale]: {
    status: 503,
    type: 'api_error',
    message: 'The latest price is too old to quote; try again shortly',
  },
  [WalletError.QuoteNotFound]: {
    status: 404,
    type: 'not_found_error',
    message: 'No such quote',
  },
  [WalletError.QuoteExpired]: {
    status: 409,
    type: 'conflict_error',
    message: 'The quote has expired; ask for a new one',
  },
  [WalletError.TradeNotFound]: {
    status: 404,
    type: 'not_found_error',
    message: 'No such trade',
  },
  [WalletError.AssetNotFiat]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'Bank deposits and withdrawals are for fiat assets only',
    param: 'asset',
  },
  [WalletError.DestinationInvalid]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The destination is not a valid bank account reference',
    param: 'destination',
  },
  [WalletError.RailUnavailable]: {
    status: 403,
    type: 'permission_error',
    message: 'No payment rail is configured for bank deposits and withdrawals',
  },
  [WalletError.FiatDepositNotFound]: {
    status: 404,
    type: 'not_found_error',
    message: 'No such deposit',
  },
  [WalletError.FiatWithdrawalNotFound]: {
    status: 404,
    type: 'not_found_error',
    message: 'No such withdrawal',
  },
  [WalletError.UserNotFound]: {
    status: 404,
    type: 'not_found_error',
    message: 'No such user',
    param: 'user_id',
  },
  [WalletError.ReasonRequired]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'A reason of 3 to 500 characters is required',
    param: 'reason',
  },
  [WalletError.IdempotencyConflict]: {
    status: 409,
    type: 'idempotency_error',
    message: 'This Idempotency-Key was already used for a different request',
    param: 'Idempotency-Key',
  },
  [WalletError.DateRangeInvalid]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The date range is invalid',
    param: 'from',
  },
  [WalletError.StatementTooLarge]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The statement has too many lines; ask for a shorter period',
    param: 'from',
  },
});

const WALLET_CODES: ReadonlySet<string> = new Set<string>(Object.values(WalletError));

/** Ledger refusals whose message is about the caller's input (safe and useful to show). */
const INPUT_CODES: ReadonlySet<string> = new Set([
  LedgerError.AmountMalformed,
  LedgerError.AmountNegative,
  LedgerError.AmountZero,
  LedgerError.AmountTooPrecise,
  LedgerError.AmountTooLarge,
  LedgerError.UnknownAsset,
]);

// A few codes exist in both enums (`account_frozen`, `idempotency_conflict`); the wallet's
// entry wins, since the wallet wrote the refusal for this caller.
function isWalletCode(code: WalletError | LedgerError): code is WalletError {
  return WALLET_CODES.has(code);
}

/** The one way a wallet refusal becomes an HTTP error (`unwrap(result, toApiError)`). */
export function toApiError(code: WalletCode, detail: FailureDetail = {}): ApiError {
  const { message, param } = detail;
  if (isWalletCode(code)) {
    return walletApiError(code, {
      ...(message !== undefined ? { message } : {}),
      ...(param !== undefined ? { param } : {}),
    });
  }
  // Other ledger messages name internal accounts; the catalog's sentence is enough,
  // unless the wallet wrote its own (`insufficient_funds` with the available amount).
  const keep =
    message !== undefined && (INPUT_CODES.has(code) || message.startsWith('Insufficient funds'));
  return ledgerApiError(code, keep ? { message } : undefined);
}
