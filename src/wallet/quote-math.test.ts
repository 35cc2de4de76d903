import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convert, invertRate, parseRateOrThrow, type Rate } from '../ledger/money.js';
import { computeQuote, customerRate, feeOf, type QuoteTerms } from './quote-math.js';

/**
 * Property tests of quote arithmetic across asset scales (2 ↔ 18 included): the user never
 * receives more than the exact value, never pays less than the exact price, what is
 * spent always splits exactly into fee + cost + residue, rates are never inverted, and a
 * round trip never makes money.
 */

const scale = fc.constantFrom(0, 2, 6, 8, 18);
const bps = fc.integer({ min: 0, max: 500 });
/** A mid rate as markets quote them: up to 12 significant digits, 10^-8 to 10^6. */
const rate: fc.Arbitrary<Rate> = fc
  .record({
    digits: fc.bigInt({ min: 1n, max: 999_999_999_999n }),
    exponent: fc.integer({ min: 0, max: 20 }),
  })
  .map(({ digits, exponent }) => ({ numerator: digits, denominator: 10n ** BigInt(exponent) }));
const amount = fc.bigInt({ min: 1n, max: 10n ** 30n });

const terms: fc.Arbitrary<QuoteTerms> = fc.record({
  spendScale: scale,
  receiveScale: scale,
  mid: rate,
  spreadBps: bps,
  feeBps: bps,
});

/** `a × 10^to / 10^from × rate` compared exactly: the sign of exact(value) − target. */
function exactValue(t: QuoteTerms, r: Rate, net: bigint) {
  // Exact receive = net × r.num × 10^receiveScale / (r.den × 10^spendScale).
  return {
    numerator: net * r.numerator * 10n ** BigInt(t.receiveScale),
    denominator: r.denominator * 10n ** BigInt(t.spendScale),
  };
}

describe('quote amounts (property)', () => {
  it('spend mode: receive is the floor of the exact value, and spend = fee + cost + residue', () => {
    fc.assert(
      fc.property(terms, amount, (t, spend) => {
        const q = computeQuote(t, 'spend', spend);
        if (!q.ok) {
          // Refused only when the user would receive nothing at all.
          const r = customerRate(t.mid, t.spreadBps);
          const net = (spend * 10_000n) / (10_000n + BigInt(t.feeBps));
          const c = { fromScale: t.spendScale, toScale: t.receiveScale, rate: r };
          expect(net <= 0n || convert(net, c, 'floor') === 0n).toBe(true);
          return;
        }
        const a = q.amounts;
        expect(a.spend).toBe(spend);
        // The spend asset's legs balance: the user's debit = fee + liquidity + rounding.
        expect(a.fee + a.cost + a.residue).toBe(spend);
        expect(a.fee >= 0n && a.residue >= 0n && a.cost > 0n && a.receive > 0n).toBe(true);
        expect(a.net + a.fee <= spend).toBe(true);
        // Never more than exact, and not a unit less than the floor.
        const exact = exactValue(t, a.rate, a.net);
        expect(a.receive * exact.denominator <= exact.numerator).toBe(true);
        expect((a.receive + 1n) * exact.denominator > exact.numerator).toBe(true);
        // The fee is at least feeBps of net, by less than one unit.
        expect(a.fee * 10_000n >= a.net * BigInt(t.feeBps)).toBe(true);
        expect((a.fee - 1n) * 10_000n < a.net * BigInt(t.feeBps)).toBe(true);
        // net is the most that can be converted with its fee inside the budget.
        expect(a.net + 1n + feeOf(a.net + 1n, t.feeBps) > spend).toBe(true);
        // cost is the least of the spend asset that is worth what the user receives.
        const c = { fromScale: t.spendScale, toScale: t.receiveScale, rate: a.rate };
        expect(convert(a.cost, c, 'floor') >= a.receive).toBe(true);
        expect(convert(a.cost - 1n, c, 'floor') < a.receive).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('receive mode: exactly the amount asked for, at no less than its exact price', () => {
    fc.assert(
      fc.property(terms, amount, (t, receive) => {
        const q = computeQuote(t, 'receive', receive);
        expect(q.ok).toBe(true);
        if (!q.ok) return;
        const a = q.amounts;
        expect(a.receive).toBe(receive);
        expect(a.spend).toBe(a.net + a.fee);
        expect(a.residue).toBe(0n);
        expect(a.fee + a.cost + a.residue).toBe(a.spend);
        const c = { fromScale: t.spendScale, toScale: t.receiveScale, rate: a.rate };
        // What the user pays is worth at least what they get, and one unit less would not be.
        expect(convert(a.net, c, 'floor') >= receive).toBe(true);
        expect(convert(a.net - 1n, c, 'floor') < receive).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('a round trip at the inverse rate never returns more than was spent', () => {
    fc.assert(
      fc.property(terms, amount, (t, spend) => {
        const there = computeQuote(t, 'spend', spend);
        if (!there.ok) return;
        const back = computeQuote(
          {
            spendScale: t.receiveScale,
            receiveScale: t.spendScale,
            mid: invertRate(t.mid),
            spreadBps: t.spreadBps,
            feeBps: t.feeBps,
          },
          'spend',
          there.amounts.receive,
        );
        if (!back.ok) return;
        expect(back.amounts.receive <= spend).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('rates across scales (examples)', () => {
  const noFees = { spreadBps: 0, feeBps: 0 };

  it('USD (2) → ETH (18) at 3200 USD/ETH: 100.00 USD is 0.03125 ETH, not 320000 ETH', () => {
    const q = computeQuote(
      { spendScale: 2, receiveScale: 18, mid: invertRate(parseRateOrThrow('3200')), ...noFees },
      'spend',
      100_00n,
    );
    expect(q).toMatchObject({ ok: true, amounts: { receive: 31_250_000_000_000_000n } });
  });

  it('ETH (18) → USD (2): 1 wei is worth nothing, 1 ETH is 3200.00 USD', () => {
    const t = { spendScale: 18, receiveScale: 2, mid: parseRateOrThrow('3200'), ...noFees };
    expect(computeQuote(t, 'spend', 1n)).toMatchObject({ ok: false, code: 'amount_too_small' });
    expect(computeQuote(t, 'spend', 10n ** 18n)).toMatchObject({
      ok: true,
      amounts: { receive: 320_000n, residue: 0n },
    });
  });

  it('ETH (18) → USD (2) leaves the sub-cent remainder as residue, in wei', () => {
    const t = { spendScale: 18, receiveScale: 2, mid: parseRateOrThrow('3200'), ...noFees };
    // 0.0000123 ETH = 0.03936 USD: the user gets 0.03, the rest stays with the house.
    const q = computeQuote(t, 'spend', 12_300_000_000_000n);
    expect(q).toMatchObject({ ok: true, amounts: { receive: 3n } });
    if (q.ok) {
      expect(q.amounts.cost).toBe(9_375_000_000_000n); // 0.03 USD at 3200 USD/ETH
      expect(q.amounts.residue).toBe(2_925_000_000_000n);
    }
  });

  it('a fixed receive amount of ETH costs the price rounded up to the cent', () => {
    const t = {
      spendScale: 2,
      receiveScale: 18,
      mid: invertRate(parseRateOrThrow('3200')),
      ...noFees,
    };
    // 1 wei costs 3.2e-15 USD: the user still pays a whole cent.
    expect(computeQuote(t, 'receive', 1n)).toMatchObject({ ok: true, amounts: { spend: 1n } });
  });
});
