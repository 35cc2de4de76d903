/**
 * The one rounding and allocation helper of commerce and campaigns. Every amount is a
 * bigint in minor units; nothing here uses floating point.
 */

/** `n / d` rounded half up (away from zero for halves), for `n >= 0`, `d > 0`. */
export function divRoundHalfUp(n: bigint, d: bigint): bigint {
  if (n < 0n || d <= 0n) throw new RangeError('divRoundHalfUp: n must be >= 0 and d > 0');
  return (n * 2n + d) / (2n * d);
}

/** `n / d` rounded down, for `n >= 0`, `d > 0`. */
export function divFloor(n: bigint, d: bigint): bigint {
  if (n < 0n || d <= 0n) throw new RangeError('divFloor: n must be >= 0 and d > 0');
  return n / d;
}

/** `amount × bps / 10 000`, rounded as asked. */
export function basisPoints(amount: bigint, bps: number, rounding: 'down' | 'half_up'): bigint {
  const n = amount * BigInt(bps);
  return rounding === 'down' ? divFloor(n, 10_000n) : divRoundHalfUp(n, 10_000n);
}

/**
 * Splits `total` over `weights` in proportion, so the parts add up to `total` exactly:
 * each part is rounded down, then the units left over go one each to the largest
 * remainders (ties: the earlier weight). A zero weight gets nothing; all-zero weights
 * are refused unless `total` is 0.
 *
 * @example
 * allocate(100n, [1n, 1n, 1n]); // [34n, 33n, 33n]
 */
export function allocate(total: bigint, weights: readonly bigint[]): bigint[] {
  if (total < 0n) throw new RangeError('allocate: total must be >= 0');
  if (weights.some((w) => w < 0n)) throw new RangeError('allocate: weights must be >= 0');
  const sum = weights.reduce((a, b) => a + b, 0n);
  if (sum === 0n) {
    if (total === 0n) return weights.map(() => 0n);
    throw new RangeError('allocate: cannot split a non-zero total over zero weights');
  }
  const parts = weights.map((w) => (total * w) / sum);
  const remainders = weights.map((w, i) => ({ i, r: (total * w) % sum }));
  let left = total - parts.reduce((a, b) => a + b, 0n);
  remainders.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of remainders) {
    if (left === 0n) break;
    if (weights[i] === 0n) continue;
    parts[i] = (parts[i] ?? 0n) + 1n;
    left -= 1n;
  }
  return parts;
}
