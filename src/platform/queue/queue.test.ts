import { describe, expect, it } from 'vitest';
import { backoffDelayMs, defineQueue, queueNameOf } from './queue.js';

describe('backoffDelayMs (full jitter)', () => {
  const policy = { baseMs: 100, capMs: 5_000 };

  it('doubles the ceiling with every attempt until the cap', () => {
    const ceiling = (attempt: number) => backoffDelayMs(attempt, policy, () => 0.999_999_9);
    expect([1, 2, 3, 4, 5, 6, 7, 10, 60].map(ceiling)).toEqual([
      99, 199, 399, 799, 1599, 3199, 4999, 4999, 4999,
    ]);
  });

  it('draws uniformly below the ceiling, down to zero', () => {
    expect(backoffDelayMs(3, policy, () => 0)).toBe(0);
    expect(backoffDelayMs(3, policy, () => 0.5)).toBe(200);
    for (let i = 0; i < 1000; i++) {
      const d = backoffDelayMs(4, policy);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(800);
    }
  });

  it('never overflows on absurd attempt numbers', () => {
    expect(backoffDelayMs(10_000, policy, () => 0.5)).toBe(2500);
  });
});

describe('queue names', () => {
  it('accepts dotted names and refuses spaces, empties and very long names', () => {
    expect(defineQueue<{ a: string }>('payments.settle').name).toBe('payments.settle');
    expect(queueNameOf('outbox.ledger-projection')).toBe('outbox.ledger-projection');
    expect(() => defineQueue('has space')).toThrow(/Queue name/);
    expect(() => queueNameOf('')).toThrow(/Queue name/);
    expect(() => queueNameOf('x'.repeat(101))).toThrow(/Queue name/);
  });
});
