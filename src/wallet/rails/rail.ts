/**
 * A payment rail moves fiat between a user's bank and the operator's bank (ACH, SEPA,
 * cards through a PSP). The wallet records a transfer first, then a background job asks
 * the rail to start it and where it stands until it settles or fails, and books the
 * ledger accordingly; the rail never touches the ledger, and no rail call ever runs
 * inside a request's database transaction. Calls carry the wallet's own id and may be
 * repeated (a job retried after a crash), so a rail must make `start*` idempotent by id.
 */
export interface PaymentRail {
  readonly name: string;
  /** True for a simulated rail: no real money moves (test mode). */
  readonly testMode: boolean;
  /** Starts collecting `amount` from the user's bank. */
  startDeposit(input: RailTransfer): Promise<{ reference: string }>;
  /** Starts paying `amount` out to `destination` (an account reference at the rail). */
  startWithdrawal(input: RailTransfer & { destination: string }): Promise<{ reference: string }>;
  /** Where a transfer stands now. */
  status(input: {
    kind: 'deposit' | 'withdrawal';
    reference: string;
    createdAt: Date;
    destination?: string;
  }): Promise<RailStatus>;
}

export interface RailTransfer {
  /** `fdp_…` or `fwd_…`: the wallet's id, stable across retries. */
  id: string;
  userId: string;
  asset: string;
  amount: bigint;
}

export type RailStatus =
  | { state: 'pending'; retryAfterMs: number }
  | { state: 'settled' }
  | { state: 'failed'; reason: string };
