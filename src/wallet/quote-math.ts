import { convert, convertInverse, divide, formatAmount, type Rate } from '../ledger/money.js';
import { fail, type Failure } from '../platform/failure.js';

/**
 * The arithmetic of a quote, apart from everything that reads or writes: given the
 * spend and receive assets' scales, the mid rate, the spread and the fee, it fixes every
 * amount of the trade in minor units. All of it is exact (bigint fractions, no float).
 *
 * Rates are always "whole receive units per whole spend unit" (`Rate` in money.ts), so
 * buying BTC with USD at 65,000 USD/BTC uses the rate 1/65000; the direction is part of
 * the type, never guessed from magnitudes (the inverted-rate bug across scales).
 *
 * What the user spends splits, in the spend asset, into
 * - `fee`: `feeBps` of `net`, rounded up (the house never charges less than its fee);
 * - `cost`: the exact value of what the user receives at the customer rate, rounded up;
 * - `residue`: what rounding left over, booked to the house rounding account,
 * and `spend = fee + cost + residue` always. Rounding directions:
 * - spend mode (spend fixed): the user receives the *floor* of the exact value of `net`,
 *   so never more than the exact amount, and the sub-unit remainder is `residue`;
 * - receive mode (receive fixed): the user pays the *ceiling* of its exact price, so
 *   never less, and `residue` is 0.
 */

export type QuoteMode = 'spend' | 'receive';

export interface QuoteTerms {
  spendScale: number;
  receiveScale: number;
  /** Mid-market rate, whole receive units per whole spend unit. */
  mid: Rate;
  /** Customer rate is the mid rate times (10000 − spreadBps) / 10000. */
  spreadBps: number;
  feeBps: number;
}

export interface QuoteAmounts {
  /** Customer rate, exact. */
  rate: Rate;
  /** Total the user pays, minor units of the spend asset. */
  spend: bigint;
  /** What the user receives, minor units of the receive asset. */
  receive: bigint;
  fee: bigint;
  /** `spend - fee`: what is converted. */
  net: bigint;
  cost: bigint;
  residue: bigint;
}

export type QuoteMathResult = { ok: true; amounts: QuoteAmounts } | Failure<'amount_too_small'>;

const BPS = 10_000n;

function checkBps(bps: number, name: string): bigint {
  if (!Number.isInteger(bps) || bps < 0 || bps >= 10_000) {
    throw new RangeError(`${name} must be an integer from 0 to 9999 basis points, got ${bps}`);
  }
  return BigInt(bps);
}

/** The customer rate: the mid rate worsened by the spread, exact. */
export function customerRate(mid: Rate, spreadBps: number): Rate {
  const s = checkBps(spreadBps, 'spreadBps');
  return reduceRate({ numerator: mid.numerator * (BPS - s), denominator: mid.denominator * BPS });
}

/** `feeBps` of `net`, rounded up. */
export function feeOf(net: bigint, feeBps: number): bigint {
  return divide(net * checkBps(feeBps, 'feeBps'), BPS, 'ceil');
}

/**
 * All amounts of a quote. `amount` is what the user fixed: the total to spend (mode
 * `spend`, fee included) or the amount to receive (mode `receive`). Refused with
 * `amount_too_small` when the user would receive nothing.
 */
export function computeQuote(terms: QuoteTerms, mode: QuoteMode, amount: bigint): QuoteMathResult {
  if (amount <= 0n) throw new RangeError('amount must be positive');
  const feeBps = checkBps(terms.feeBps, 'feeBps');
  const rate = customerRate(terms.mid, terms.spreadBps);
  const conversion = { fromScale: terms.spendScale, toScale: terms.receiveScale, rate };
  const tooSmall = (): QuoteMathResult =>
    fail('amount_too_small', {
      message: 'The amount is too small to convert into one minor unit after fees and spread',
    });

  if (mode === 'spend') {
    // The largest net with net + ceil(net × fee) ≤ spend is floor(spend × 1e4 / (1e4 + fee)).
    const net = divide(amount * BPS, BPS + feeBps, 'floor');
    if (net <= 0n) return tooSmall();
    const fee = feeOf(net, terms.feeBps);
    const receive = convert(net, conversion, 'floor');
    if (receive <= 0n) return tooSmall();
    const cost = convertInverse(receive, conversion, 'ceil');
    const residue = amount - fee - cost;
    return { ok: true, amounts: { rate, spend: amount, receive, fee, net, cost, residue } };
  }

  const net = convertInverse(amount, conversion, 'ceil');
  const fee = feeOf(net, terms.feeBps);
  return {
    ok: true,
    amounts: { rate, spend: net + fee, receive: amount, fee, net, cost: net, residue: 0n },
  };
}

/** A rate as a decimal string, at most `decimals` places (half-even), for display only. */
export function formatRate(rate: Rate, decimals = 10): string {
  return formatAmount(
    divide(rate.numerator * 10n ** BigInt(decimals), rate.denominator, 'half_even'),
    decimals,
    { trim: true },
  );
}

/** Multiplies two exact rates (A→B then B→C gives A→C). */
export function multiplyRates(a: Rate, b: Rate): Rate {
  return reduceRate({
    numerator: a.numerator * b.numerator,
    denominator: a.denominator * b.denominator,
  });
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/** The same rate with the smallest numerator and denominator. */
export function reduceRate(rate: Rate): Rate {
  const g = gcd(rate.numerator, rate.denominator);
  return g <= 1n ? rate : { numerator: rate.numerator / g, denominator: rate.denominator / g };
}
