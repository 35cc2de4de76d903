import type { Failure } from '../platform/failure.js';
import { containsPan } from '../platform/observability/pan.js';
import { errorCatalog } from '../platform/http/errors.js';

/** What merchant operations refuse, as values (`Failure<MerchantError>`). */
export enum MerchantError {
  MerchantNotFound = 'merchant_not_found',
  MemberNotFound = 'member_not_found',
  MemberExists = 'member_exists',
  UserNotFound = 'user_not_found',
  ApiKeyNotFound = 'api_key_not_found',
  RoleNotAllowed = 'merchant_role_not_allowed',
  LastOwner = 'last_owner',
  ScopeInvalid = 'scope_invalid',
  MerchantKeyRequired = 'merchant_key_required',
  CurrencyUnknown = 'currency_unknown',
  AssetUnknown = 'asset_unknown',
  AssetNotEnabled = 'asset_not_enabled',
  AmountMalformed = 'amount_malformed',
  AmountNegative = 'amount_negative',
  AmountZero = 'amount_zero',
  AmountTooPrecise = 'amount_too_precise',
  AmountTooLarge = 'amount_too_large',
  PriceUnavailable = 'price_unavailable',
  InvoiceNotFound = 'invoice_not_found',
  InvoiceExpired = 'invoice_expired',
  InvoiceNotPayable = 'invoice_not_payable',
  InvoiceTestMode = 'invoice_test_mode',
  LiveModeOnly = 'test_mode_only',
  AmountAboveDue = 'amount_above_due',
  InsufficientFunds = 'insufficient_funds',
  AccountFrozen = 'account_frozen',
  AmountAboveLimit = 'amount_above_limit',
  DailyLimitExceeded = 'daily_limit_exceeded',
  VelocityLimitExceeded = 'velocity_limit_exceeded',
  LimitNotConfigured = 'limit_not_configured',
  RefundNotFound = 'refund_not_found',
  RefundExceedsPaid = 'refund_exceeds_paid',
  RefundDestinationMissing = 'refund_destination_missing',
  RefundNotPending = 'refund_not_pending_destination',
  RefundLinkInvalid = 'refund_link_invalid',
  RefundLinkExpired = 'refund_link_expired',
  RefundLinkUsed = 'refund_link_used',
  RefundAddressInvalid = 'refund_address_invalid',
  RefundNotSendable = 'refund_not_sendable',
  MerchantBalanceInsufficient = 'merchant_balance_insufficient',
  PayoutNotFound = 'payout_not_found',
  DateRangeInvalid = 'date_range_invalid',
  PayoutChainMissing = 'payout_chain_missing',
  PayoutRailMissing = 'payout_rail_missing',
  PayoutAssetNotFiat = 'payout_asset_not_fiat',
  PayoutDestinationInvalid = 'payout_destination_invalid',
  PayoutExceedsBalance = 'payout_exceeds_balance',
  PayoutNotPendingApproval = 'payout_not_pending_approval',
  PayoutApproverIsMember = 'payout_approver_is_member',
  PaymentLinkNotFound = 'payment_link_not_found',
  PaymentLinkInactive = 'payment_link_inactive',
  PaymentLinkUsedUp = 'payment_link_used_up',
  AmountRequired = 'amount_required',
  PosTerminalNotFound = 'pos_terminal_not_found',
  SearchCurrencyRequired = 'search_currency_required',
  TotpRequired = 'totp_required',
  CardNumberInText = 'card_number_in_text',
  CardPaymentsUnavailable = 'card_payments_unavailable',
  CardDeclined = 'card_declined',
  CardTokenInvalid = 'card_token_invalid',
  CardProcessorUnavailable = 'card_processor_unavailable',
}

export type MerchantFailure = Failure<MerchantError>;

const invalid = 'invalid_request_error' as const;

/** The one map from merchant errors to HTTP. */
export const merchantApiError = errorCatalog<MerchantError>({
  [MerchantError.MerchantNotFound]: {
    status: 404,
    type: 'not_found_error',
    message: 'No such merchant',
  },
  [MerchantError.MemberNotFound]: {
    status: 404,
    type: 'not_found_error',
    message: 'No such member of this merchant',
  },
  [MerchantError.MemberExists]: {
    status: 409,
    type: 'conflict_error',
    message: 'This user is already a member of the merchant',
    param: 'email',
  },
  [MerchantError.UserNotFound]: {
    status: 404,
    type: 'not_found_error',
    message: 'No user with this email',
    param: 'email',
  },
  [MerchantError.ApiKeyNotFound]: {
    status: 404,
    type: 'not_found_error',
    message: 'No such API key',
  },
  [MerchantError.RoleNotAllowed]: {
    status: 403,
    type: 'permission_error',
    message: 'Your role in this merchant does not allow this',
  },
  [MerchantError.LastOwner]: {
    status: 409,
    type: 'conflict_error',
    message: 'A merchant keeps at least one owner',
  },
  [MerchantError.ScopeInvalid]: {
    status: 400,
    type: invalid,
    message: 'Not a scope a merchant key can have',
    param: 'scopes',
  },
  [MerchantError.MerchantKeyRequired]: {
    status: 403,
    type: 'permission_error',
    message: 'This endpoint needs a merchant API key (mk_live_… or mk_test_…)',
  },
  [MerchantError.SearchCurrencyRequired]: {
    status: 400,
    type: invalid,
    message: 'An amount range needs the pricing currency its bounds are in',
    param: 'currency',
  },
  [MerchantError.TotpRequired]: {
    status: 403,
    type: 'permission_error',
    message:
      'Owners and admins of a merchant, and platform operators and admins, must turn on two-factor authentication (TOTP) before changing merchants: enrol at POST /v1/me/totp',
  },
  [MerchantError.CurrencyUnknown]: {
    status: 400,
    type: invalid,
    message: 'Unknown pricing currency',
    param: 'currency',
  },
  [MerchantError.AssetUnknown]: {
    status: 400,
    type: invalid,
    message: 'Unknown asset',
    param: 'asset',
  },
  [MerchantError.AssetNotEnabled]: {
    status: 400,
    type: invalid,
    message: 'This asset is not accepted for this invoice',
    param: 'asset',
  },
  [MerchantError.AmountMalformed]: {
    status: 400,
    type: invalid,
    message: 'The amount is not a decimal string',
    param: 'amount',
  },
  [MerchantError.AmountNegative]: {
    status: 400,
    type: invalid,
    message: 'The amount must be positive',
    param: 'amount',
  },
  [MerchantError.AmountZero]: {
    status: 400,
    type: invalid,
    message: 'The amount must be positive',
    param: 'amount',
  },
  [MerchantError.AmountTooPrecise]: {
    status: 400,
    type: invalid,
    message: 'The amount has more decimals than the asset allows',
    param: 'amount',
  },
  [MerchantError.AmountTooLarge]: {
    status: 400,
    type: invalid,
    message: 'The amount is too large',
    param: 'amount',
  },
  [MerchantError.PriceUnavailable]: {
    status: 503,
    type: 'api_error',
    message: 'No price is available to lock a rate for this asset; try again',
    param: 'assets',
  },
  [MerchantError.InvoiceNotFound]: {
    status: 404,
    type: 'not_found_error',
    message: 'No such invoice',
  },
  [MerchantError.InvoiceExpired]: {
    status: 409,
    type: 'conflict_error',
    message: 'The invoice has expired; it can no longer be paid this way',
  },
  [MerchantError.InvoiceNotPayable]: {
    status: 409,
    type: 'conflict_error',
    message: 'The invoice is already paid',
  },
  [MerchantError.InvoiceTestMode]: {
    status: 409,
    type: 'conflict_error',
    message: 'A test-mode invoice is paid with test payments, never from a real wallet',
  },
  [MerchantError.LiveModeOnly]: {
    status: 403,
    type: 'permission_error',
    message: 'Only a test-mode key can simulate payments',
  },
  [MerchantError.AmountAboveDue]: {
    status: 400,
    type: invalid,
    message: 'The amount is more than the invoice still owes in this asset',
    param: 'amount',
  },
  [MerchantError.InsufficientFunds]: {
    status: 402,
    type: invalid,
    message: 'Your balance in this asset does not cover the invoice',
  },
  [MerchantError.AccountFrozen]: {
    status: 403,
    type: 'permission_error',
    message: 'The account is frozen',
  },
  [MerchantError.AmountAboveLimit]: {
    status: 400,
    type: invalid,
    message: 'The amount is above your per-transaction limit',
    param: 'amount',
  },
  [MerchantError.DailyLimitExceeded]: {
    status: 409,
    type: 'conflict_error',
    message: 'This would exceed your daily limit',
    param: 'amount',
  },
  [MerchantError.VelocityLimitExceeded]: {
    status: 429,
    type: 'rate_limit_error',
    message: 'Too many outgoing movements this hour',
  },
  [MerchantError.LimitNotConfigured]: {
    status: 403,
    type: 'permission_error',
    message: 'This asset cannot be moved out at your verification tier',
    param: 'asset',
  },
  [MerchantError.RefundNotFound]: {
    status: 404,
    type: 'not_found_error',
    message: 'No such refund',
  },
  [MerchantError.RefundExceedsPaid]: {
    status: 409,
    type: 'conflict_error',
    message: 'The refund is more than what was paid in this asset and not yet refunded',
    param: 'amount',
  },
  [MerchantError.RefundDestinationMissing]: {
    status: 409,
    type: 'conflict_error',
    message:
      'Payments received on chain are refunded to an address the payer gives, and no chain is configured to send it on',
  },
  [MerchantError.RefundNotPending]: {
    status: 409,
    type: 'conflict_error',
    message: 'The refund is no longer waiting for a destination',
  },
  [MerchantError.RefundLinkInvalid]: {
    status: 404,
    type: 'not_found_error',
    message: 'This refund link is not valid',
  },
  [MerchantError.RefundLinkExpired]: {
    status: 410,
    type: 'invalid_request_error',
    message: 'This refund link has expired; ask the merchant for a new one',
  },
  [MerchantError.RefundLinkUsed]: {
    status: 409,
    type: 'conflict_error',
    message: 'This refund link was already used',
  },
  [MerchantError.RefundAddressInvalid]: {
    status: 400,
    type: invalid,
    message: 'This is not an address the refund can be sent to on this chain',
    param: 'address',
  },
  [MerchantError.RefundNotSendable]: {
    status: 409,
    type: 'conflict_error',
    message: 'The refund cannot be sent now',
  },
  [MerchantError.MerchantBalanceInsufficient]: {
    status: 402,
    type: invalid,
    message: 'The merchant balance in this asset does not cover the refund',
    param: 'amount',
  },
  [MerchantError.DateRangeInvalid]: {
    status: 400,
    type: invalid,
    message: 'The period is not valid',
    param: 'from',
  },
  [MerchantError.PayoutNotFound]: {
    status: 404,
    type: 'not_found_error',
    message: 'No such payout',
  },
  [MerchantError.PayoutChainMissing]: {
    status: 409,
    type: 'conflict_error',
    message: 'No chain is configured for payouts in this mode',
  },
  [MerchantError.PayoutRailMissing]: {
    status: 409,
    type: 'conflict_error',
    message: 'No payout rail is configured for bank payouts in this mode',
  },
  [MerchantError.PayoutAssetNotFiat]: {
    status: 400,
    type: invalid,
    message: 'Bank payouts are in fiat assets; crypto is paid out on chain (POST /v1/payouts)',
    param: 'asset',
  },
  [MerchantError.PayoutDestinationInvalid]: {
    status: 400,
    type: invalid,
    message: 'destination is the bank account at the rail: 1 to 100 printable ASCII characters',
    param: 'destination',
  },
  [MerchantError.PayoutExceedsBalance]: {
    status: 402,
    type: invalid,
    message: "The merchant's available balance in this asset does not cover the payout",
    param: 'amount',
  },
  [MerchantError.PayoutNotPendingApproval]: {
    status: 409,
    type: 'conflict_error',
    message: 'This payout is not waiting for approval',
  },
  [MerchantError.PayoutApproverIsMember]: {
    status: 403,
    type: 'permission_error',
    message: 'A member of the merchant cannot approve or reject its payouts',
  },
  [MerchantError.PaymentLinkNotFound]: {
    status: 404,
    type: 'not_found_error',
    message: 'No such payment link',
  },
  [MerchantError.PaymentLinkInactive]: {
    status: 409,
    type: 'conflict_error',
    message: 'This payment link is not active',
  },
  [MerchantError.PaymentLinkUsedUp]: {
    status: 409,
    type: 'conflict_error',
    message: 'This payment link has reached its limit of uses',
  },
  [MerchantError.AmountRequired]: {
    status: 400,
    type: invalid,
    message: 'This payment link has an open amount: give the amount to pay',
    param: 'amount',
  },
  [MerchantError.PosTerminalNotFound]: {
    status: 404,
    type: 'not_found_error',
    message: 'No such point-of-sale terminal',
  },
  [MerchantError.CardNumberInText]: {
    status: 400,
    type: invalid,
    message:
      'This field looks like it holds a card number. Card numbers are never sent to Vaultwire: remove it',
  },
  [MerchantError.CardPaymentsUnavailable]: {
    status: 409,
    type: 'conflict_error',
    message:
      'This invoice cannot be paid by card (no card processor for its mode, or its currency)',
  },
  [MerchantError.CardDeclined]: {
    status: 402,
    type: invalid,
    message: 'The card was declined',
  },
  [MerchantError.CardTokenInvalid]: {
    status: 400,
    type: invalid,
    message: 'The card token is unknown, used, or belongs to another payment',
    param: 'token',
  },
  [MerchantError.CardProcessorUnavailable]: {
    status: 503,
    type: 'api_error',
    message: 'The card processor cannot be reached; try again shortly',
  },
});

/** Ledger amount refusals, in merchant terms. */
export function amountError(code: string): MerchantError {
  switch (code) {
    case 'unknown_asset':
      return MerchantError.AssetUnknown;
    case 'amount_negative':
      return MerchantError.AmountNegative;
    case 'amount_zero':
      return MerchantError.AmountZero;
    case 'amount_too_precise':
      return MerchantError.AmountTooPrecise;
    case 'amount_too_large':
      return MerchantError.AmountTooLarge;
    default:
      return MerchantError.AmountMalformed;
  }
}

/**
 * The first of the named free-text fields that holds something like a card number, to
 * refuse it (`card_number_in_text`, param = that name) before anything is stored: card
 * numbers never reach Vaultwire's database. The refusal never repeats the value.
 */
export function fieldWithCardNumber(
  fields: Record<string, string | null | undefined>,
): string | undefined {
  for (const [name, value] of Object.entries(fields)) {
    if (value && containsPan(value)) return name;
  }
  return undefined;
}
