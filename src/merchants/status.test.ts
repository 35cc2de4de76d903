import { describe, expect, it } from 'vitest';
import { deriveStatus, statusEvent, type InvoiceTally } from './status.js';

const tally = (t: Partial<InvoiceTally>): InvoiceTally => ({
  amount: 1000n,
  paidValue: 0n,
  pendingValue: 0n,
  late: false,
  expired: false,
  ...t,
});

describe('invoice status', () => {
  it('follows the payments forward and back', () => {
    expect(deriveStatus(tally({}))).toBe('open');
    expect(deriveStatus(tally({ pendingValue: 400n }))).toBe('processing');
    // The pending payment reorged out: back to open.
    expect(deriveStatus(tally({ pendingValue: 0n }))).toBe('open');
    expect(deriveStatus(tally({ paidValue: 400n }))).toBe('open');
    expect(deriveStatus(tally({ paidValue: 1000n }))).toBe('paid');
    expect(deriveStatus(tally({ paidValue: 1001n }))).toBe('overpaid');
  });

  it('tells expired, underpaid and paid late apart', () => {
    expect(deriveStatus(tally({ expired: true }))).toBe('expired');
    expect(deriveStatus(tally({ expired: true, paidValue: 1n }))).toBe('underpaid');
    expect(deriveStatus(tally({ expired: true, paidValue: 1000n, late: true }))).toBe('paid_late');
    // Paid in full before the expiry stays paid after it.
    expect(deriveStatus(tally({ expired: true, paidValue: 1000n }))).toBe('paid');
    // Seen before the expiry, confirming after it: still processing, not expired.
    expect(deriveStatus(tally({ expired: true, pendingValue: 1000n }))).toBe('processing');
  });

  it('names the event of each status', () => {
    expect(statusEvent('open')).toBe('invoice.reopened');
    expect(statusEvent('paid_late')).toBe('invoice.paid_late');
  });
});
