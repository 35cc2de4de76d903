import type { Failure } from '../platform/failure.js';
import { errorCatalog } from '../platform/http/errors.js';

/** How the commerce module refuses (the codes of its `Failure`s). */
export enum CommerceError {
  StoreNotFound = 'store_not_found',
  SpotTaken = 'floor_spot_taken',
  ProductNotFound = 'product_not_found',
  VariantNotFound = 'variant_not_found',
  SkuTaken = 'sku_taken',
  CurrencyUnknown = 'currency_unknown',
  PriceInvalid = 'price_invalid',
  QuantityInvalid = 'quantity_invalid',
  CartNotFound = 'cart_not_found',
  CartEmpty = 'cart_empty',
  CartCheckedOut = 'cart_checked_out',
  VariantNotInStore = 'variant_not_in_store',
  NoPrice = 'no_price_in_currency',
  OutOfStock = 'out_of_stock',
  EmailRequired = 'email_required',
  OrderNotFound = 'order_not_found',
  OrderNotPending = 'order_not_pending',
  OrderExpired = 'order_expired',
  OrderNotPaid = 'order_not_paid',
  LoginRequired = 'login_required',
  PaymentRefused = 'payment_refused',
  MerchantNotFound = 'merchant_not_found',
  StoreNotPayable = 'store_not_payable',
  PaymentInProgress = 'payment_in_progress',
  NothingToUpdate = 'nothing_to_update',
}

export type CommerceFailure = Failure<CommerceError>;

const bad = (message: string, param?: string) => ({
  status: 400 as const,
  type: 'invalid_request_error' as const,
  message,
  ...(param ? { param } : {}),
});
const conflict = (message: string, param?: string) => ({
  status: 409 as const,
  type: 'conflict_error' as const,
  message,
  ...(param ? { param } : {}),
});
const missing = (message: string) => ({
  status: 404 as const,
  type: 'not_found_error' as const,
  message,
});

export const commerceApiError = errorCatalog<CommerceError>({
  [CommerceError.StoreNotFound]: missing('No such store'),
  [CommerceError.SpotTaken]: conflict(
    'Another store stands at this spot of the floor plan',
    'position',
  ),
  [CommerceError.ProductNotFound]: missing('No such product'),
  [CommerceError.VariantNotFound]: { ...missing('No such variant'), param: 'variant_id' },
  [CommerceError.SkuTaken]: conflict('This store already has a variant with this SKU', 'sku'),
  [CommerceError.CurrencyUnknown]: bad('Unknown currency', 'currency'),
  [CommerceError.PriceInvalid]: bad(
    'A price is a non-negative decimal at the currency’s scale',
    'prices',
  ),
  [CommerceError.QuantityInvalid]: bad('A quantity is a whole number from 1 to 10000', 'quantity'),
  [CommerceError.CartNotFound]: missing('No such cart'),
  [CommerceError.CartEmpty]: bad('The cart is empty'),
  [CommerceError.CartCheckedOut]: conflict('This cart was already checked out'),
  [CommerceError.VariantNotInStore]: bad('This variant is sold by another store', 'variant_id'),
  [CommerceError.NoPrice]: bad('This variant has no price in the cart’s currency', 'variant_id'),
  [CommerceError.OutOfStock]: conflict('Not enough units left in stock', 'quantity'),
  [CommerceError.EmailRequired]: bad('A guest checkout needs an email', 'email'),
  [CommerceError.OrderNotFound]: missing('No such order'),
  [CommerceError.OrderNotPending]: conflict('The order is not waiting for payment'),
  [CommerceError.OrderExpired]: conflict('The order’s reservation expired; check out again'),
  [CommerceError.OrderNotPaid]: conflict('The order is not paid'),
  [CommerceError.LoginRequired]: {
    status: 401,
    type: 'authentication_error',
    message: 'Paying from a wallet needs a logged-in customer',
  },
  [CommerceError.MerchantNotFound]: {
    ...missing('No such merchant among those you manage'),
    param: 'merchant',
  },
  [CommerceError.StoreNotPayable]: conflict(
    'The store belongs to no merchant yet, so it cannot take payments (attach one with PATCH /v1/stores/{id})',
  ),
  [CommerceError.PaymentInProgress]: conflict(
    'A payment to the order’s invoice was made or is confirming; the order can no longer be cancelled',
  ),
  [CommerceError.NothingToUpdate]: bad('Give at least one field to change'),
  [CommerceError.PaymentRefused]: {
    status: 402,
    type: 'invalid_request_error',
    message: 'The payment was refused',
  },
});
