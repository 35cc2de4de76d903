import { allocate, basisPoints } from './money.js';

/**
 * An order's totals, computed without reading or writing anything. Every amount is in
 * minor units of one currency; rounding is explicit and done once per order:
 * - the discount (already rounded by its rule) is spread over the lines it applies to in
 *   proportion to their amounts (`allocate`: parts add up to the whole);
 * - tax is `taxable × rate` rounded half up on the order, then spread over the lines by
 *   their taxable amounts the same way, so line taxes add up to the order's tax.
 */

export interface PricingLine {
  unitPrice: bigint;
  quantity: number;
}

export interface PricingInput {
  lines: readonly PricingLine[];
  /** The discount and the indexes of the lines it applies to. */
  discount?: { amount: bigint; lines: readonly number[] } | undefined;
  /** Tax rate in basis points (1800 = 18 %), charged on the discounted amount. */
  taxBps: number;
}

export interface PricedLine {
  unitPrice: bigint;
  quantity: number;
  subtotal: bigint;
  discount: bigint;
  tax: bigint;
  total: bigint;
}

export interface Totals {
  lines: PricedLine[];
  subtotal: bigint;
  discount: bigint;
  tax: bigint;
  total: bigint;
}

export function computeTotals(input: PricingInput): Totals {
  const subtotals = input.lines.map((l) => {
    if (!Number.isInteger(l.quantity) || l.quantity <= 0) {
      throw new RangeError('computeTotals: quantities must be positive integers');
    }
    if (l.unitPrice < 0n) throw new RangeError('computeTotals: prices must be >= 0');
    return l.unitPrice * BigInt(l.quantity);
  });
  const discounts = subtotals.map(() => 0n);
  if (input.discount && input.discount.amount > 0n) {
    const idx = [...new Set(input.discount.lines)].filter((i) => i >= 0 && i < subtotals.length);
    const eligible = idx.reduce((a, i) => a + (subtotals[i] ?? 0n), 0n);
    const amount = input.discount.amount < eligible ? input.discount.amount : eligible;
    const parts = allocate(
      amount,
      idx.map((i) => subtotals[i] ?? 0n),
    );
    idx.forEach((i, k) => {
      discounts[i] = parts[k] ?? 0n;
    });
  }
  const taxable = subtotals.map((s, i) => s - (discounts[i] ?? 0n));
  const taxableTotal = taxable.reduce((a, b) => a + b, 0n);
  const tax = basisPoints(taxableTotal, input.taxBps, 'half_up');
  const taxes = allocate(tax, taxable);
  const lines = input.lines.map((l, i) => {
    const subtotal = subtotals[i] ?? 0n;
    const discount = discounts[i] ?? 0n;
    const lineTax = taxes[i] ?? 0n;
    return {
      unitPrice: l.unitPrice,
      quantity: l.quantity,
      subtotal,
      discount,
      tax: lineTax,
      total: subtotal - discount + lineTax,
    };
  });
  const sum = (f: (l: PricedLine) => bigint) => lines.reduce((a, l) => a + f(l), 0n);
  return {
    lines,
    subtotal: sum((l) => l.subtotal),
    discount: sum((l) => l.discount),
    tax,
    total: sum((l) => l.total),
  };
}
