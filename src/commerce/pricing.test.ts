import { describe, expect, it } from 'vitest';
import { allocate, basisPoints, divRoundHalfUp } from './money.js';
import { computeTotals } from './pricing.js';

describe('allocate', () => {
  it('splits so the parts add up to the whole, leftovers to the largest remainders', () => {
    expect(allocate(100n, [1n, 1n, 1n])).toEqual([34n, 33n, 33n]);
    expect(allocate(10n, [3n, 0n, 7n])).toEqual([3n, 0n, 7n]);
    expect(allocate(1n, [1n, 2n])).toEqual([0n, 1n]);
    expect(allocate(0n, [0n, 0n])).toEqual([0n, 0n]);
  });

  it('holds for amounts past 2^53 (18-decimal assets)', () => {
    const total = 10n ** 24n + 7n;
    const parts = allocate(total, [1n, 1n, 1n]);
    expect(parts.reduce((a, b) => a + b, 0n)).toBe(total);
  });

  it('refuses a non-zero total over zero weights and negative input', () => {
    expect(() => allocate(5n, [0n])).toThrow(RangeError);
    expect(() => allocate(-1n, [1n])).toThrow(RangeError);
  });
});

describe('rounding', () => {
  it('half up and down are explicit', () => {
    expect(divRoundHalfUp(5n, 10n)).toBe(1n);
    expect(divRoundHalfUp(4n, 10n)).toBe(0n);
    expect(basisPoints(1005n, 1000, 'half_up')).toBe(101n); // 100.5 → 101
    expect(basisPoints(1005n, 1000, 'down')).toBe(100n);
  });
});

describe('computeTotals', () => {
  it('prices lines, spreads the discount over its lines and the tax over all, in minor units', () => {
    const t = computeTotals({
      lines: [
        { unitPrice: 1999n, quantity: 3 }, // 59.97
        { unitPrice: 500n, quantity: 1 }, //   5.00
        { unitPrice: 333n, quantity: 1 }, //   3.33
      ],
      discount: { amount: 1000n, lines: [0, 2] },
      taxBps: 1800,
    });
    expect(t.subtotal).toBe(6830n);
    expect(t.discount).toBe(1000n);
    // Discount over lines 0 and 2 in proportion 5997 : 333.
    expect(t.lines.map((l) => l.discount)).toEqual([947n, 0n, 53n]);
    // 18 % of 58.30 = 10.494 → 10.49 (half up), spread so line taxes add up.
    expect(t.tax).toBe(1049n);
    expect(t.lines.reduce((a, l) => a + l.tax, 0n)).toBe(1049n);
    expect(t.total).toBe(6830n - 1000n + 1049n);
    expect(t.lines.reduce((a, l) => a + l.total, 0n)).toBe(t.total);
  });

  it('caps the discount at what its lines cost', () => {
    const t = computeTotals({
      lines: [{ unitPrice: 300n, quantity: 1 }],
      discount: { amount: 1000n, lines: [0] },
      taxBps: 0,
    });
    expect(t).toMatchObject({ discount: 300n, total: 0n });
  });

  it('refuses a negative or fractional quantity', () => {
    expect(() => computeTotals({ lines: [{ unitPrice: 1n, quantity: -1 }], taxBps: 0 })).toThrow();
    expect(() => computeTotals({ lines: [{ unitPrice: 1n, quantity: 1.5 }], taxBps: 0 })).toThrow();
  });
});
