import type { Failure } from '../platform/failure.js';
import { errorCatalog } from '../platform/http/errors.js';

/** How the campaigns module refuses (the codes of its `Failure`s). */
export enum CampaignError {
  CampaignNotFound = 'campaign_not_found',
  CampaignInvalid = 'campaign_invalid',
  CurrencyUnknown = 'currency_unknown',
  CouponNotFound = 'coupon_not_found',
  CouponNotStarted = 'coupon_not_started',
  CouponExpired = 'coupon_expired',
  CouponInactive = 'coupon_inactive',
  CouponExhausted = 'coupon_exhausted',
  CouponCustomerLimit = 'coupon_customer_limit',
  CouponBudgetSpent = 'coupon_budget_spent',
  CouponNotApplicable = 'coupon_not_applicable',
  CouponMinimumSpend = 'coupon_minimum_spend',
  CouponFirstOrderOnly = 'coupon_first_order_only',
  CouponSegment = 'coupon_segment',
  CouponCurrency = 'coupon_currency',
  CodeSpaceTooSmall = 'code_space_too_small',
  CodeTaken = 'code_taken',
  GenerationTooLarge = 'generation_too_large',
  GenerationNotFound = 'generation_not_found',
  MerchantNotFound = 'merchant_not_found',
  MerchantRequired = 'merchant_required',
  RoleNotAllowed = 'role_not_allowed',
  TotpRequired = 'totp_required',
  TargetNotFound = 'target_not_found',
  CouponNeedsCart = 'coupon_needs_cart',
  RedemptionNotFound = 'redemption_not_found',
  RedemptionExists = 'redemption_exists',
  RedemptionReleased = 'redemption_released',
}

export type CampaignFailure = Failure<CampaignError>;

const coupon = (message: string) => ({
  status: 422 as const,
  type: 'invalid_request_error' as const,
  message,
  param: 'coupon_code',
});

export const campaignApiError = errorCatalog<CampaignError>({
  [CampaignError.CampaignNotFound]: {
    status: 404,
    type: 'not_found_error',
    message: 'No such campaign',
  },
  [CampaignError.CampaignInvalid]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The campaign is not valid',
  },
  [CampaignError.CurrencyUnknown]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'Unknown currency',
    param: 'currency',
  },
  [CampaignError.CouponNotFound]: {
    status: 404,
    type: 'not_found_error',
    message: 'No such coupon code',
    param: 'coupon_code',
  },
  [CampaignError.CouponNotStarted]: coupon('This coupon is not valid yet'),
  [CampaignError.CouponExpired]: coupon('This coupon has expired'),
  [CampaignError.CouponInactive]: coupon('This coupon’s campaign is paused'),
  [CampaignError.CouponExhausted]: {
    status: 409,
    type: 'conflict_error',
    message: 'This coupon has been used as many times as it may be',
    param: 'coupon_code',
  },
  [CampaignError.CouponCustomerLimit]: {
    status: 409,
    type: 'conflict_error',
    message: 'You have used this coupon as many times as you may',
    param: 'coupon_code',
  },
  [CampaignError.CouponBudgetSpent]: {
    status: 409,
    type: 'conflict_error',
    message: 'This campaign’s budget is spent',
    param: 'coupon_code',
  },
  [CampaignError.CouponNotApplicable]: coupon('This coupon does not apply to this cart'),
  [CampaignError.CouponMinimumSpend]: coupon('The cart does not reach this coupon’s minimum spend'),
  [CampaignError.CouponFirstOrderOnly]: coupon('This coupon is for a first order only'),
  [CampaignError.CouponSegment]: coupon('This coupon is not for this customer'),
  [CampaignError.CouponCurrency]: coupon('This coupon is for another currency'),
  [CampaignError.CodeSpaceTooSmall]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The pattern or length leaves too few possible codes for this many',
    param: 'length',
  },
  [CampaignError.CodeTaken]: {
    status: 409,
    type: 'conflict_error',
    message: 'This code already exists',
    param: 'code',
  },
  [CampaignError.GenerationTooLarge]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'Too many codes in one request',
    param: 'count',
  },
  [CampaignError.GenerationNotFound]: {
    status: 404,
    type: 'not_found_error',
    message: 'No such code generation',
  },
  [CampaignError.MerchantNotFound]: {
    status: 404,
    type: 'not_found_error',
    message: 'No such merchant (or not one you are a member of)',
    param: 'merchant',
  },
  [CampaignError.MerchantRequired]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'Name the merchant the campaign is for (a merchant API key names its own)',
    param: 'merchant',
  },
  [CampaignError.RoleNotAllowed]: {
    status: 403,
    type: 'permission_error',
    message:
      'Your role in this merchant (or a test key) may read its campaigns but not change them: owners, admins and developers, or a live key, run campaigns',
  },
  [CampaignError.TargetNotFound]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'A campaign targets only its own merchant’s stores, products and variants',
  },
  [CampaignError.CouponNeedsCart]: {
    status: 422,
    type: 'invalid_request_error',
    message:
      'This code’s campaign needs the order’s lines (a store or product scope, or a free item): it is redeemed only at a mall checkout',
    param: 'code',
  },
  [CampaignError.RedemptionNotFound]: {
    status: 404,
    type: 'not_found_error',
    message: 'No redemption for this order reference',
    param: 'order_id',
  },
  [CampaignError.RedemptionExists]: {
    status: 409,
    type: 'invalid_request_error',
    message: 'This order reference already has a redemption (release it, or use another order)',
    param: 'order_id',
  },
  [CampaignError.RedemptionReleased]: {
    status: 409,
    type: 'invalid_request_error',
    message: 'This redemption was released: a released redemption cannot be confirmed',
    param: 'order_id',
  },
  [CampaignError.TotpRequired]: {
    status: 403,
    type: 'permission_error',
    message:
      'Owners and admins of a merchant must turn on two-factor authentication (TOTP) first: enrol at POST /v1/me/totp',
  },
});
