/**
 * The one money module. Amounts are `bigint` counts of an asset's minor unit (cents,
 * satoshis, wei); `scale` is the number of decimals of the asset (USD 2, BTC 8, ETH 18).
 * Amounts cross the wire as decimal strings and are parsed here, never through
 * `Number`. Every operation that can lose precision takes an explicit rounding mode,
 * and splitting an amount goes through `allocate`, never division.
 *
 * @example
 * const r = parseAmount('12.5', 2);          // { ok: true, value: 1250n }
 * formatAmount(1250n, 2);                    // '12.50'
 * rescale(1250n, 2, 18, 'floor');            // 12_500_000_000_000_000_000n
 * convert(100_000n, { fromScale: 8, toScale: 2, rate: parseRateOrThrow('65000.12') }, 'floor');
 * // 0.001 BTC at 65000.12 USD/BTC → 6500n cents (65.00012 rounded down)
 * allocate(100n, [1n, 1n, 1n]);              // [34n, 33n, 33n]
 */

import { fail, type Failure } from '../platform/failure.js';

/** Largest asset scale the ledger accepts (the database allows the same). */
export const MAX_SCALE = 36;

/**
 * Largest single amount, in minor units (just under 10^64). Running totals live in
 * numeric(78,0), so 10^14 maximal movements fit before a total could overflow.
 */
export const MAX_AMOUNT = 10n ** 64n - 1n;

/**
 * - `floor`: towards minus infinity (a receiver never gets more than the exact value);
 * - `ceil`: towards plus infinity (a payer never pays less than the exact value);
 * - `half_even`: to nearest, ties to even (reporting, never for settling).
 */
export type Rounding = 'floor' | 'ceil' | 'half_even';

export type AmountError =
  'amount_malformed' | 'amount_negative' | 'amount_too_precise' | 'amount_too_large';

/** Why a decimal string is not an amount (or a rate), with a sentence saying so. */
export type AmountFailure = Failure<AmountError> & { readonly message: string };

function refused(code: AmountError, message: string): AmountFailure {
  return fail(code, { message }) as AmountFailure;
}

export type AmountResult = { ok: true; value: bigint } | AmountFailure;

const DECIMAL = /^(-?)(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;

function checkScale(scale: number): void {
  if (!Number.isInteger(scale) || scale < 0 || scale > MAX_SCALE) {
    throw new RangeError(`scale must be an integer from 0 to ${MAX_SCALE}, got ${scale}`);
  }
}

/**
 * Parses a decimal string (`"12"`, `"12.5"`, `"0.00000001"`) into minor units at
 * `scale`. Refused with a typed error: anything but plain digits with an optional
 * fraction (`"1e5"`, `" 1"`, `"+1"`, `".5"`, `"1."`, `"01"`), a negative amount (unless
 * `allowNegative`), more decimals than the scale has (`"1.001"` for USD is refused,
 * never rounded), and amounts above `MAX_AMOUNT`. Zero parses; callers that move money
 * refuse it themselves.
 */
export function parseAmount(
  text: string,
  scale: number,
  options: { allowNegative?: boolean } = {},
): AmountResult {
  checkScale(scale);
  const m = DECIMAL.exec(text);
  if (!m) {
    return refused(
      'amount_malformed',
      `"${text.length > 40 ? `${text.slice(0, 40)}…` : text}" is not a decimal amount like "12.34"`,
    );
  }
  const [, sign = '', whole = '0', fraction = ''] = m;
  if (fraction.length > scale) {
    return refused(
      'amount_too_precise',
      scale === 0
        ? `${text} has decimals, but this asset has none`
        : `${text} has ${fraction.length} decimals, but this asset has ${scale}`,
    );
  }
  const magnitude = BigInt(whole + fraction.padEnd(scale, '0'));
  if (sign === '-' && magnitude !== 0n && !options.allowNegative) {
    return refused('amount_negative', `${text} is negative`);
  }
  if (magnitude > MAX_AMOUNT) {
    return refused('amount_too_large', `${text} is too large`);
  }
  return { ok: true, value: sign === '-' ? -magnitude : magnitude };
}

/** `parseAmount` for trusted input (constants, tests): throws on anything invalid. */
export function parseAmountOrThrow(text: string, scale: number): bigint {
  const r = parseAmount(text, scale, { allowNegative: true });
  if (!r.ok) throw new RangeError(r.message);
  return r.value;
}

/**
 * Formats minor units as a decimal string with exactly `scale` decimals (`1250n, 2` →
 * `"12.50"`), or without trailing zeros when `trim` is set (`"12.5"`).
 */
export function formatAmount(
  amount: bigint,
  scale: number,
  options: { trim?: boolean } = {},
): string {
  checkScale(scale);
  const negative = amount < 0n;
  const digits = (negative ? -amount : amount).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  let fraction = digits.slice(digits.length - scale);
  if (options.trim) fraction = fraction.replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** `numerator / denominator` rounded as asked. The denominator must be positive. */
export function divide(numerator: bigint, denominator: bigint, rounding: Rounding): bigint {
  if (denominator <= 0n) throw new RangeError('denominator must be positive');
  const q = numerator / denominator; // truncates towards zero
  const r = numerator % denominator; // has the sign of the numerator
  if (r === 0n) return q;
  switch (rounding) {
    case 'floor':
      return r < 0n ? q - 1n : q;
    case 'ceil':
      return r > 0n ? q + 1n : q;
    case 'half_even': {
      const twice = (r < 0n ? -r : r) * 2n;
      const away = r < 0n ? q - 1n : q + 1n;
      if (twice > denominator) return away;
      if (twice < denominator) return q;
      return q % 2n === 0n ? q : away;
    }
  }
}

/** Re-expresses an amount at another scale (e.g. 6-decimal USDC to 2-decimal USD). */
export function rescale(
  amount: bigint,
  fromScale: number,
  toScale: number,
  rounding: Rounding,
): bigint {
  checkScale(fromScale);
  checkScale(toScale);
  if (toScale >= fromScale) return amount * 10n ** BigInt(toScale - fromScale);
  return divide(amount, 10n ** BigInt(fromScale - toScale), rounding);
}

/**
 * An exact positive rate as a fraction: how many whole units of the target asset one
 * whole unit of the source asset is worth. Kept as a fraction so no float ever sits
 * between a quoted price and the amounts it produces.
 */
export interface Rate {
  numerator: bigint;
  denominator: bigint;
}

export type RateResult = { ok: true; value: Rate } | AmountFailure;

/** Parses a positive decimal rate such as `"65000.12"` or `"0.0000153846"`. */
export function parseRate(text: string): RateResult {
  const m = DECIMAL.exec(text);
  if (!m) return refused('amount_malformed', `"${text}" is not a decimal rate`);
  const [, sign = '', whole = '0', fraction = ''] = m;
  const numerator = BigInt(whole + fraction);
  if (sign === '-' || numerator === 0n) {
    return refused('amount_negative', `a rate must be positive, got ${text}`);
  }
  return { ok: true, value: reduce({ numerator, denominator: 10n ** BigInt(fraction.length) }) };
}

/** `parseRate` for trusted input: throws on anything invalid. */
export function parseRateOrThrow(text: string): Rate {
  const r = parseRate(text);
  if (!r.ok) throw new RangeError(r.message);
  return r.value;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

function reduce(rate: Rate): Rate {
  const g = gcd(rate.numerator, rate.denominator);
  return { numerator: rate.numerator / g, denominator: rate.denominator / g };
}

/** The rate the other way round (USD per BTC → BTC per USD), still exact. */
export function invertRate(rate: Rate): Rate {
  return { numerator: rate.denominator, denominator: rate.numerator };
}

export interface Conversion {
  /** Scale of the asset `amount` is in. */
  fromScale: number;
  /** Scale of the asset the result is in. */
  toScale: number;
  /** Whole target units per whole source unit. */
  rate: Rate;
}

function checkRate(rate: Rate): void {
  if (rate.numerator <= 0n || rate.denominator <= 0n)
    throw new RangeError('a rate must be positive');
}

/**
 * What `amount` (minor units of the source) is worth in minor units of the target, at
 * `rate`. Use `floor` for what a receiver gets when the source amount is fixed: the
 * receiver never gets more than the exact value, and the residue stays with the house.
 */
export function convert(amount: bigint, c: Conversion, rounding: Rounding): bigint {
  checkScale(c.fromScale);
  checkScale(c.toScale);
  checkRate(c.rate);
  return divide(
    amount * c.rate.numerator * 10n ** BigInt(c.toScale),
    c.rate.denominator * 10n ** BigInt(c.fromScale),
    rounding,
  );
}

/**
 * How much of the source (minor units) buys exactly `target` minor units of the target
 * asset at `rate`. Use `ceil` when the receiving amount is fixed: the payer never pays
 * less than the exact price, so `convert(result, c, 'floor') >= target`.
 */
export function convertInverse(target: bigint, c: Conversion, rounding: Rounding): bigint {
  checkScale(c.fromScale);
  checkScale(c.toScale);
  checkRate(c.rate);
  return divide(
    target * c.rate.denominator * 10n ** BigInt(c.fromScale),
    c.rate.numerator * 10n ** BigInt(c.toScale),
    rounding,
  );
}

/**
 * Splits `total` in proportion to `ratios` so the parts add up to exactly `total`
 * (largest-remainder method): each part gets the floor of its exact share, and the units
 * left over go one each to the parts with the largest remainders, earlier parts first on
 * ties. Every part is within one minor unit of its exact share; a zero ratio gets zero.
 *
 * @example
 * allocate(1000n, [85n, 15n]);   // [850n, 150n]  — driver and platform
 * allocate(5n, [1n, 1n, 1n]);    // [2n, 2n, 1n]
 * allocate(-5n, [1n, 1n]);       // [-3n, -2n]
 */
export function allocate(total: bigint, ratios: readonly bigint[]): bigint[] {
  if (ratios.length === 0) throw new RangeError('allocate needs at least one ratio');
  let sum = 0n;
  for (const r of ratios) {
    if (r < 0n) throw new RangeError('ratios must not be negative');
    sum += r;
  }
  if (sum === 0n) throw new RangeError('ratios must not all be zero');
  if (total < 0n) return allocate(-total, ratios).map((p) => -p);

  const parts = ratios.map((r) => (total * r) / sum);
  const remainders = ratios.map((r, i) => ({ i, rem: (total * r) % sum }));
  let left = total - parts.reduce((a, b) => a + b, 0n);
  remainders.sort((a, b) => (a.rem === b.rem ? a.i - b.i : a.rem > b.rem ? -1 : 1));
  for (const { i } of remainders) {
    if (left === 0n) break;
    parts[i] = (parts[i] ?? 0n) + 1n;
    left -= 1n;
  }
  return parts;
}
