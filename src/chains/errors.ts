import type { Failure } from '../platform/failure.js';
import { errorCatalog } from '../platform/http/errors.js';

/** What chain operations (deposit addresses, withdrawals, backfill) refuse, as values. */
export enum ChainError {
  ChainUnknown = 'chain_unknown',
  AssetUnknown = 'asset_unknown',
  AddressInvalid = 'address_invalid',
  AddressChecksum = 'address_checksum_invalid',
  AddressOwn = 'address_own',
  AddressNotAllowed = 'address_not_allowlisted',
  AmountInvalid = 'amount_invalid',
  AmountTooPrecise = 'amount_too_precise',
  InsufficientFunds = 'insufficient_funds',
  AccountFrozen = 'account_frozen',
  DailyLimitExceeded = 'daily_limit_exceeded',
  WithdrawalsDisabled = 'withdrawals_disabled',
  CustodyWatchOnly = 'custody_watch_only',
  WithdrawalNotFound = 'withdrawal_not_found',
  WithdrawalNotAwaitingApproval = 'withdrawal_not_awaiting_approval',
  DepositNotFound = 'deposit_not_found',
  BackfillBeyondConfirmed = 'backfill_beyond_confirmed',
  BackfillRangeInvalid = 'backfill_range_invalid',
  FollowerNotStarted = 'follower_not_started',
  RewindTargetNotCanonical = 'rewind_target_not_canonical',
  RewindTargetUnverified = 'rewind_target_unverified',
  DepositNotReorged = 'deposit_not_reorged',
  LedgerRefused = 'ledger_refused',
}

/** The one map from chain errors to HTTP. */
export const chainApiError = errorCatalog<ChainError>({
  [ChainError.ChainUnknown]: {
    status: 404,
    type: 'not_found_error',
    message: 'No chain with this key is configured',
    param: 'chain',
  },
  [ChainError.AssetUnknown]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'This asset is not configured on this chain',
    param: 'asset',
  },
  [ChainError.AddressInvalid]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The address is not a 0x-prefixed 20-byte hex address',
    param: 'to_address',
  },
  [ChainError.AddressChecksum]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The address has mixed case but its EIP-55 checksum is wrong (a typo?)',
    param: 'to_address',
  },
  [ChainError.AddressOwn]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'This is your own deposit address',
    param: 'to_address',
  },
  [ChainError.AddressNotAllowed]: {
    status: 403,
    type: 'permission_error',
    message: 'Withdrawals here only go to addresses on your allowlist',
    param: 'to_address',
  },
  [ChainError.AmountInvalid]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The amount must be a positive decimal number',
    param: 'amount',
  },
  [ChainError.AmountTooPrecise]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The amount has more decimals than the asset',
    param: 'amount',
  },
  [ChainError.InsufficientFunds]: {
    status: 402,
    type: 'invalid_request_error',
    message: 'Your available balance does not cover this amount',
    param: 'amount',
  },
  [ChainError.AccountFrozen]: {
    status: 403,
    type: 'permission_error',
    message: 'Your account is frozen',
  },
  [ChainError.DailyLimitExceeded]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'This would exceed your daily withdrawal limit for the asset',
    param: 'amount',
  },
  [ChainError.WithdrawalsDisabled]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'Withdrawals are disabled on this chain',
    param: 'chain',
  },
  [ChainError.CustodyWatchOnly]: {
    status: 409,
    type: 'conflict_error',
    message: 'This deployment is watch-only (no keys): it cannot send',
  },
  [ChainError.WithdrawalNotFound]: {
    status: 404,
    type: 'not_found_error',
    message: 'No such withdrawal',
  },
  [ChainError.WithdrawalNotAwaitingApproval]: {
    status: 409,
    type: 'conflict_error',
    message: 'This withdrawal is not waiting for approval',
  },
  [ChainError.DepositNotFound]: {
    status: 404,
    type: 'not_found_error',
    message: 'No such deposit',
  },
  [ChainError.BackfillBeyondConfirmed]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'Backfill only covers blocks at or below the confirmed height',
    param: 'to',
  },
  [ChainError.FollowerNotStarted]: {
    status: 409,
    type: 'conflict_error',
    message: 'This chain has no follower cursor yet (start the follower role first)',
  },
  [ChainError.RewindTargetNotCanonical]: {
    status: 409,
    type: 'conflict_error',
    message: "The block's stored hash is not on the node's chain (it is above the fork point)",
    param: 'to',
  },
  [ChainError.RewindTargetUnverified]: {
    status: 409,
    type: 'conflict_error',
    message: 'The block is below the stored window, so its hash cannot be checked',
    param: 'to',
  },
  [ChainError.DepositNotReorged]: {
    status: 409,
    type: 'conflict_error',
    message: 'Only a credited deposit whose transfer a reorg removed can be reversed',
  },
  [ChainError.LedgerRefused]: {
    status: 409,
    type: 'conflict_error',
    message: 'The ledger refused the reversal (the credit was already spent)',
  },
  [ChainError.BackfillRangeInvalid]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'from must be at most to, and both non-negative',
    param: 'from',
  },
});

/** A refused chain operation (`unwrap(result, chainApiError)` at the edge). */
export type ChainFailure = Failure<ChainError>;
