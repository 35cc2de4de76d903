import { fail, type Failure } from '../platform/failure.js';
import { errorCatalog } from '../platform/http/errors.js';

/**
 * Every way a ledger write can be refused. Returned as values (`LedgerFailure`), never
 * thrown; exceptions from the ledger mean an infrastructure fault.
 */
export enum LedgerError {
  AmountMalformed = 'amount_malformed',
  AmountNegative = 'amount_negative',
  AmountZero = 'amount_zero',
  AmountTooPrecise = 'amount_too_precise',
  AmountTooLarge = 'amount_too_large',
  InvalidRequest = 'invalid_request',
  InvalidAsset = 'invalid_asset',
  AssetExists = 'asset_exists',
  UnknownAsset = 'unknown_asset',
  UnknownAccount = 'unknown_account',
  AssetMismatch = 'asset_mismatch',
  SameAccount = 'same_account',
  Unbalanced = 'unbalanced',
  InsufficientFunds = 'insufficient_funds',
  AccountFrozen = 'account_frozen',
  UnknownTransaction = 'unknown_transaction',
  AlreadyReversed = 'already_reversed',
  NotReversible = 'not_reversible',
  UnknownHold = 'unknown_hold',
  HoldNotPending = 'hold_not_pending',
  HoldExpired = 'hold_expired',
  AmountExceedsHold = 'amount_exceeds_hold',
  IdempotencyConflict = 'idempotency_conflict',
  /** Atomic batches only: this item was fine, another one failed, so none was applied. */
  LinkedTransferFailed = 'linked_transfer_failed',
}

/**
 * A refused write: the platform's `Failure` with a ledger code, always with a sentence
 * for humans (`message`) and, when there is one, the input field at fault (`param`).
 */
export type LedgerFailure = Failure<LedgerError> & { readonly message: string };

export function failure(error: LedgerError, message: string, param?: string): LedgerFailure {
  return fail(error, { message, param }) as LedgerFailure;
}

/**
 * HTTP mapping for routes built on the ledger (the wallet, admin tools).
 *
 * @example
 * const r = unwrap(await ledger.transfer({ ... }), ledgerApiError); // keeps the ledger's message and param
 */
export const ledgerApiError = errorCatalog<LedgerError>({
  [LedgerError.AmountMalformed]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The amount is not a decimal number',
    param: 'amount',
  },
  [LedgerError.AmountNegative]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The amount must not be negative',
    param: 'amount',
  },
  [LedgerError.AmountZero]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The amount must be greater than zero',
    param: 'amount',
  },
  [LedgerError.AmountTooPrecise]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The amount has more decimals than the asset allows',
    param: 'amount',
  },
  [LedgerError.AmountTooLarge]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The amount is too large',
    param: 'amount',
  },
  [LedgerError.InvalidRequest]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The request is invalid',
  },
  [LedgerError.InvalidAsset]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The asset definition is invalid',
  },
  [LedgerError.AssetExists]: {
    status: 409,
    type: 'conflict_error',
    message: 'An asset with this code already exists with other settings',
    param: 'code',
  },
  [LedgerError.UnknownAsset]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'No such asset',
    param: 'asset',
  },
  [LedgerError.UnknownAccount]: {
    status: 404,
    type: 'not_found_error',
    message: 'No such account',
  },
  [LedgerError.AssetMismatch]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The account holds a different asset',
    param: 'asset',
  },
  [LedgerError.SameAccount]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'Source and destination are the same account',
  },
  [LedgerError.Unbalanced]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'Debits and credits do not balance for every asset',
    param: 'legs',
  },
  [LedgerError.InsufficientFunds]: {
    status: 402,
    type: 'invalid_request_error',
    message: 'Insufficient funds',
  },
  [LedgerError.AccountFrozen]: {
    status: 403,
    type: 'permission_error',
    message: 'The account is frozen',
  },
  [LedgerError.UnknownTransaction]: {
    status: 404,
    type: 'not_found_error',
    message: 'No such transaction',
  },
  [LedgerError.AlreadyReversed]: {
    status: 409,
    type: 'conflict_error',
    message: 'The transaction was already reversed',
  },
  [LedgerError.NotReversible]: {
    status: 409,
    type: 'conflict_error',
    message: 'A reversal cannot itself be reversed; post a new transaction instead',
  },
  [LedgerError.UnknownHold]: { status: 404, type: 'not_found_error', message: 'No such hold' },
  [LedgerError.HoldNotPending]: {
    status: 409,
    type: 'conflict_error',
    message: 'The hold was already posted, voided or expired',
  },
  [LedgerError.HoldExpired]: {
    status: 409,
    type: 'conflict_error',
    message: 'The hold has expired',
  },
  [LedgerError.AmountExceedsHold]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The amount is larger than the hold',
    param: 'amount',
  },
  [LedgerError.IdempotencyConflict]: {
    status: 409,
    type: 'idempotency_error',
    message: 'This idempotency key was already used for a different request',
    param: 'idempotency_key',
  },
  [LedgerError.LinkedTransferFailed]: {
    status: 409,
    type: 'conflict_error',
    message: 'Another transfer in the same atomic batch failed, so none was applied',
  },
});
