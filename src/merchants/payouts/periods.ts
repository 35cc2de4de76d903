export type PayoutPeriod = 'daily' | 'weekly';

/**
 * The next run of a payout schedule strictly after `after`: the next 00:00 UTC (daily),
 * or the next 00:00 UTC that starts `weekday` (weekly; 1 = Monday … 7 = Sunday).
 *
 * @example
 * nextRunAfter(new Date('2026-12-06T09:00Z'), 'weekly', 1) // 2026-12-07T00:00Z, a Monday
 */
export function nextRunAfter(after: Date, period: PayoutPeriod, weekday: number | null): Date {
  const day = 24 * 3600 * 1000;
  let next = Math.floor(after.getTime() / day) * day + day;
  if (period === 'weekly') {
    const want = weekday ?? 1;
    // getUTCDay: 0 = Sunday; ISO: 7 = Sunday.
    while ((new Date(next).getUTCDay() || 7) !== want) next += day;
  }
  return new Date(next);
}
