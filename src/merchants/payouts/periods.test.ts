import { describe, expect, it } from 'vitest';
import { nextRunAfter } from './periods.js';

describe('payout schedule periods', () => {
  it('runs daily schedules at the next midnight UTC, never at the instant itself', () => {
    expect(nextRunAfter(new Date('2026-12-06T09:30:00Z'), 'daily', null).toISOString()).toBe(
      '2026-12-07T00:00:00.000Z',
    );
    expect(nextRunAfter(new Date('2026-12-07T00:00:00Z'), 'daily', null).toISOString()).toBe(
      '2026-12-08T00:00:00.000Z',
    );
  });

  it('runs weekly schedules at the start of the chosen weekday', () => {
    // 2026-12-06 is a Sunday.
    const sunday = new Date('2026-12-06T09:30:00Z');
    expect(nextRunAfter(sunday, 'weekly', 1).toISOString()).toBe('2026-12-07T00:00:00.000Z');
    expect(nextRunAfter(sunday, 'weekly', 5).toISOString()).toBe('2026-12-11T00:00:00.000Z');
    // Sunday itself is already under way: the next Sunday.
    expect(nextRunAfter(sunday, 'weekly', 7).toISOString()).toBe('2026-12-13T00:00:00.000Z');
  });
});
