import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allocate,
  convert,
  convertInverse,
  divide,
  formatAmount,
  MAX_AMOUNT,
  parseAmount,
  parseRate,
  parseRateOrThrow,
  rescale,
  type Rate,
} from './money.js';

/** Scales the ledger meets in practice: USD 2, USDC 6, BTC 8, ETH 18, and between. */
const scale = fc.integer({ min: 2, max: 18 });
const amount = fc.bigInt({ min: 0n, max: 10n ** 30n });
const signedAmount = fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n });
const rate: fc.Arbitrary<Rate> = fc
  .tuple(fc.bigInt({ min: 1n, max: 10n ** 12n }), fc.integer({ min: 0, max: 12 }))
  .map(([digits, decimals]) => ({ numerator: digits, denominator: 10n ** BigInt(decimals) }));

describe('parseAmount / formatAmount', () => {
  it('reads decimal strings at the asset scale', () => {
    expect(parseAmount('12.5', 2)).toEqual({ ok: true, value: 1250n });
    expect(parseAmount('0.00000001', 8)).toEqual({ ok: true, value: 1n });
    expect(parseAmount('1', 18)).toEqual({ ok: true, value: 10n ** 18n });
    expect(parseAmount('7', 0)).toEqual({ ok: true, value: 7n });
    expect(parseAmount('0', 2)).toEqual({ ok: true, value: 0n });
  });

  it('refuses too many decimals instead of rounding', () => {
    const r = parseAmount('1.001', 2);
    expect(r).toMatchObject({ ok: false, code: 'amount_too_precise' });
    expect(r.ok ? '' : r.message).toContain('3 decimals');
    expect(parseAmount('1.5', 0)).toMatchObject({ ok: false, code: 'amount_too_precise' });
  });

  it('refuses negatives unless asked, and garbage always', () => {
    expect(parseAmount('-1.00', 2)).toMatchObject({ ok: false, code: 'amount_negative' });
    expect(parseAmount('-1.00', 2, { allowNegative: true })).toEqual({ ok: true, value: -100n });
    for (const bad of ['', ' 1', '1 ', '+1', '1e5', '.5', '1.', '01', '1,00', '0x10', 'NaN', '١']) {
      expect(parseAmount(bad, 2)).toMatchObject({ ok: false, code: 'amount_malformed' });
    }
  });

  it('refuses amounts above the maximum', () => {
    expect(parseAmount(MAX_AMOUNT.toString(), 0)).toEqual({ ok: true, value: MAX_AMOUNT });
    expect(parseAmount((MAX_AMOUNT + 1n).toString(), 0)).toMatchObject({
      ok: false,
      code: 'amount_too_large',
    });
  });

  it('formats with the full scale, or trimmed', () => {
    expect(formatAmount(1250n, 2)).toBe('12.50');
    expect(formatAmount(1250n, 2, { trim: true })).toBe('12.5');
    expect(formatAmount(1n, 18)).toBe('0.000000000000000001');
    expect(formatAmount(-5n, 2)).toBe('-0.05');
    expect(formatAmount(42n, 0)).toBe('42');
  });

  it('round-trips every amount at every scale', () => {
    fc.assert(
      fc.property(signedAmount, scale, fc.boolean(), (x, s, trim) => {
        const text = formatAmount(x, s, { trim });
        expect(parseAmount(text, s, { allowNegative: true })).toEqual({ ok: true, value: x });
      }),
    );
  });

  it('parses what it formats back to the same canonical text', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^(0|[1-9][0-9]{0,20})(\.[0-9]{1,18})?$/), scale, (text, s) => {
        const r = parseAmount(text, s);
        const decimals = text.split('.')[1]?.length ?? 0;
        if (decimals > s) {
          expect(r).toMatchObject({ ok: false, code: 'amount_too_precise' });
        } else {
          expect(r.ok).toBe(true);
          const canonical = text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
          if (r.ok) expect(formatAmount(r.value, s, { trim: true })).toBe(canonical);
        }
      }),
    );
  });
});

describe('divide', () => {
  it('rounds as asked, for either sign', () => {
    expect([divide(7n, 2n, 'floor'), divide(7n, 2n, 'ceil'), divide(7n, 2n, 'half_even')]).toEqual([
      3n,
      4n,
      4n,
    ]);
    expect([
      divide(-7n, 2n, 'floor'),
      divide(-7n, 2n, 'ceil'),
      divide(-7n, 2n, 'half_even'),
    ]).toEqual([-4n, -3n, -4n]);
    expect(divide(5n, 2n, 'half_even')).toBe(2n);
    expect(divide(6n, 4n, 'half_even')).toBe(2n);
    expect(divide(5n, 4n, 'half_even')).toBe(1n);
  });

  it('floor and ceil bracket the exact quotient within one unit', () => {
    fc.assert(
      fc.property(signedAmount, fc.bigInt({ min: 1n, max: 10n ** 20n }), (n, d) => {
        const lo = divide(n, d, 'floor');
        const hi = divide(n, d, 'ceil');
        expect(lo * d <= n && n < (lo + 1n) * d).toBe(true);
        expect((hi - 1n) * d < n && n <= hi * d).toBe(true);
        const even = divide(n, d, 'half_even');
        expect(even === lo || even === hi).toBe(true);
      }),
    );
  });
});

describe('rescale', () => {
  it('moves between scales without loss when widening, with explicit rounding when narrowing', () => {
    expect(rescale(1234567n, 6, 2, 'floor')).toBe(123n); // 1.234567 USDC → 1.23 USD
    expect(rescale(1234567n, 6, 2, 'ceil')).toBe(124n);
    expect(rescale(123n, 2, 18, 'floor')).toBe(123n * 10n ** 16n);
  });

  it('widening then narrowing is the identity, across 2 ↔ 18', () => {
    fc.assert(
      fc.property(amount, scale, scale, (x, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(rescale(rescale(x, lo, hi, 'floor'), hi, lo, 'floor')).toBe(x);
        expect(rescale(rescale(x, lo, hi, 'ceil'), hi, lo, 'ceil')).toBe(x);
      }),
    );
  });

  it('floor never gives the receiver more than the exact value, ceil never less', () => {
    fc.assert(
      fc.property(amount, scale, scale, (x, from, to) => {
        // Compare x / 10^from with r / 10^to exactly, by cross-multiplying.
        const exact = x * 10n ** BigInt(to);
        const unit = 10n ** BigInt(from);
        const down = rescale(x, from, to, 'floor');
        const up = rescale(x, from, to, 'ceil');
        expect(down * unit <= exact).toBe(true);
        expect((down + 1n) * unit > exact).toBe(true);
        expect(up * unit >= exact).toBe(true);
        expect(up - down <= 1n).toBe(true);
      }),
    );
  });
});

describe('convert / convertInverse', () => {
  it('prices 0.001 BTC at 65000.12 USD/BTC as 65.00 USD, never 65.01', () => {
    const c = { fromScale: 8, toScale: 2, rate: parseRateOrThrow('65000.12') };
    expect(convert(100_000n, c, 'floor')).toBe(6500n);
    expect(convert(100_000n, c, 'ceil')).toBe(6501n);
  });

  it('keeps the direction of a rate across scales (2 → 9 is not inverted)', () => {
    // 1 USD buys 0.5 of a 9-decimal token: 10.00 USD → 5.000000000.
    const c = { fromScale: 2, toScale: 9, rate: parseRateOrThrow('0.5') };
    expect(convert(1000n, c, 'floor')).toBe(5_000_000_000n);
    expect(convertInverse(5_000_000_000n, c, 'ceil')).toBe(1000n);
  });

  it('the receiver never gets more than the exact value (floor), across scales 2 ↔ 18', () => {
    fc.assert(
      fc.property(amount, scale, scale, rate, (x, from, to, r) => {
        const got = convert(x, { fromScale: from, toScale: to, rate: r }, 'floor');
        // exact = x * num * 10^to / (den * 10^from)
        const num = x * r.numerator * 10n ** BigInt(to);
        const den = r.denominator * 10n ** BigInt(from);
        expect(got * den <= num).toBe(true);
        expect((got + 1n) * den > num).toBe(true);
      }),
    );
  });

  it('paying convertInverse(target) with ceil always buys at least the target', () => {
    fc.assert(
      fc.property(amount, scale, scale, rate, (target, from, to, r) => {
        const c = { fromScale: from, toScale: to, rate: r };
        const pay = convertInverse(target, c, 'ceil');
        expect(convert(pay, c, 'floor') >= target).toBe(true);
        // …and is the least that does.
        if (pay > 0n) expect(convert(pay - 1n, c, 'floor') < target).toBe(true);
      }),
    );
  });

  it('parses rates strictly', () => {
    expect(parseRate('0.0000153846')).toEqual({
      ok: true,
      value: { numerator: 76923n, denominator: 5_000_000_000n },
    });
    expect(parseRate('0')).toMatchObject({ ok: false });
    expect(parseRate('-1')).toMatchObject({ ok: false });
    expect(parseRate('1e3')).toMatchObject({ ok: false, code: 'amount_malformed' });
  });
});

describe('allocate', () => {
  it('splits by ratios with the largest remainders first', () => {
    expect(allocate(100n, [1n, 1n, 1n])).toEqual([34n, 33n, 33n]);
    expect(allocate(1000n, [85n, 15n])).toEqual([850n, 150n]);
    expect(allocate(5n, [1n, 0n, 1n])).toEqual([3n, 0n, 2n]);
    expect(allocate(-5n, [1n, 1n])).toEqual([-3n, -2n]);
    expect(() => allocate(5n, [0n, 0n])).toThrow();
    expect(() => allocate(5n, [])).toThrow();
  });

  it('always sums exactly, each part within one unit of its exact share', () => {
    fc.assert(
      fc.property(
        signedAmount,
        fc
          .array(fc.bigInt({ min: 0n, max: 10n ** 9n }), { minLength: 1, maxLength: 12 })
          .filter((r) => r.some((x) => x > 0n)),
        (total, ratios) => {
          const parts = allocate(total, ratios);
          const sum = ratios.reduce((a, b) => a + b, 0n);
          expect(parts.reduce((a, b) => a + b, 0n)).toBe(total);
          parts.forEach((p, i) => {
            const r = ratios[i] ?? 0n;
            // |p - total*r/sum| < 1  ⇔  |p*sum - total*r| < sum
            const diff = p * sum - total * r;
            expect(diff < sum && diff > -sum).toBe(true);
            if (r === 0n) expect(p).toBe(0n);
          });
        },
      ),
    );
  });
});
