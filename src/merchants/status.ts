import type { InvoiceStatus } from './invoices.js';

/** What an invoice's status is derived from. Values are in pricing-currency minor units. */
export interface InvoiceTally {
  amount: bigint;
  /** Confirmed payments, valued at the locked rates. */
  paidValue: bigint;
  /** Payments seen but not yet confirmed. */
  pendingValue: bigint;
  /** Some payment counted in `paidValue` was first seen after the expiry. */
  late: boolean;
  expired: boolean;
}

/**
 * The one rule for an invoice's status, from its payments alone (so a reorged-out
 * payment moves the invoice back by the same rule that moved it forward):
 * paid in full → `paid` (`overpaid` above the amount, `paid_late` if completed by a
 * payment first seen after expiry); a payment waiting for confirmations → `processing`;
 * past the expiry → `underpaid` with something paid, else `expired`; otherwise `open`.
 */
export function deriveStatus(t: InvoiceTally): InvoiceStatus {
  if (t.paidValue >= t.amount) {
    if (t.late) return 'paid_late';
    return t.paidValue > t.amount ? 'overpaid' : 'paid';
  }
  if (t.pendingValue > 0n) return 'processing';
  if (t.expired) return t.paidValue > 0n ? 'underpaid' : 'expired';
  return 'open';
}

/** The event an invoice publishes when it enters a status. */
export function statusEvent(to: InvoiceStatus): string {
  // Only a payment reorged out takes an invoice back to open.
  return to === 'open' ? 'invoice.reopened' : `invoice.${to}`;
}
