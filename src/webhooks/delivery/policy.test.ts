import { describe, expect, it } from 'vitest';
import {
  CircuitBreaker,
  classifyStatus,
  DEFAULT_RETRY_SCHEDULE_SECONDS,
  fleetShare,
  parseRetryAfter,
  Semaphore,
  TokenBucket,
  verdict,
} from './policy.js';

const policy = { scheduleSeconds: DEFAULT_RETRY_SCHEDULE_SECONDS, maxRetryAfterMs: 86_400_000 };

describe('delivery policy', () => {
  it('classifies answers the Standard Webhooks way', () => {
    expect(classifyStatus(200)).toBe('delivered');
    expect(classifyStatus(204)).toBe('delivered');
    expect(classifyStatus(301)).toBe('redirect');
    expect(classifyStatus(307)).toBe('redirect');
    expect(classifyStatus(410)).toBe('gone');
    for (const s of [429, 502, 503, 504]) expect(classifyStatus(s)).toBe('throttled');
    expect(classifyStatus(500)).toBe('failed');
    expect(classifyStatus(404)).toBe('failed');
  });

  it('retries on a jittered schedule of about three days, then dead-letters', () => {
    let total = 0;
    for (let attempt = 1; attempt <= DEFAULT_RETRY_SCHEDULE_SECONDS.length; attempt++) {
      const v = verdict('failed', attempt, policy, undefined, () => 0.5);
      expect(v.kind).toBe('retry');
      if (v.kind === 'retry') total += v.delayMs;
    }
    expect(total / 3_600_000).toBeGreaterThan(60);
    expect(total / 3_600_000).toBeLessThan(84);
    expect(verdict('failed', 10, policy, undefined).kind).toBe('dead');
    const low = verdict('timeout', 1, policy, undefined, () => 0);
    const high = verdict('timeout', 1, policy, undefined, () => 0.999);
    expect(low.kind === 'retry' && high.kind === 'retry' && low.delayMs < high.delayMs).toBe(true);
  });

  it('honours Retry-After on throttling answers and disables on 410', () => {
    const v = verdict('throttled', 1, policy, 120_000, () => 0.5);
    expect(v).toEqual({ kind: 'retry', delayMs: 120_000 });
    expect(verdict('gone', 1, policy, undefined).kind).toBe('disable');
    expect(parseRetryAfter('30', 0)).toBe(30_000);
    expect(parseRetryAfter(new Date(60_000).toUTCString(), 0)).toBe(60_000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });

  it('opens the circuit after repeated failures, probes once, and closes on success', () => {
    const b = new CircuitBreaker(3, 1000, 8000);
    const opened: number[] = [];
    for (let i = 0; i < 3; i++) {
      expect(b.admit(0)).toBe(0);
      opened.push(b.failure(0));
    }
    // Only the failure that opens it reports the cool-down (the one other workers honour).
    expect(opened).toEqual([0, 0, 1000]);
    expect(b.state).toBe('open');
    expect(b.admit(500)).toBe(500);
    expect(b.admit(1000)).toBe(0); // the probe
    expect(b.admit(1000)).toBeGreaterThan(0); // only one probe at a time
    expect(b.failure(1000)).toBe(2000);
    expect(b.admit(2500)).toBe(500); // reopened for twice as long
    expect(b.admit(3000)).toBe(0);
    expect(b.success()).toBe(true); // closed a circuit that had opened
    expect(b.state).toBe('closed');
    expect(b.admit(3000)).toBe(0);
    expect(b.success()).toBe(false);
  });

  it('rate-limits with a token bucket and bounds in-flight requests', async () => {
    const bucket = new TokenBucket(2, 0);
    expect(bucket.take(0)).toBe(0);
    expect(bucket.take(0)).toBe(0);
    expect(bucket.take(0)).toBe(500);
    expect(bucket.take(500)).toBe(0);
    // A fleet's share below one per second still lets one through, then paces.
    const slow = new TokenBucket(0.5, 0);
    expect(slow.take(0)).toBe(0);
    expect(slow.take(0)).toBe(2000);
    expect(slow.take(2000)).toBe(0);
    // A new rate keeps the saved tokens: no fresh burst when the fleet changes size.
    const resized = new TokenBucket(10, 0);
    for (let i = 0; i < 10; i++) expect(resized.take(0)).toBe(0);
    resized.setRate(5, 0);
    expect(resized.take(0)).toBe(200);
    expect(resized.take(200)).toBe(0);
    const gate = new Semaphore(2);
    await gate.acquire();
    await gate.acquire();
    let third = false;
    const p = gate.acquire().then(() => (third = true));
    await Promise.resolve();
    expect(third).toBe(false);
    gate.release();
    await p;
    expect(third).toBe(true);
  });

  it('splits an in-flight bound across a fleet without exceeding it', () => {
    const parts = (limit: number, n: number) =>
      Array.from({ length: n }, (_, rank) => fleetShare(limit, n, rank));
    expect(parts(10, 3)).toEqual([4, 3, 3]);
    expect(parts(64, 1)).toEqual([64]);
    for (const [limit, n] of [
      [10, 4],
      [7, 7],
      [1000, 13],
    ] as const) {
      expect(parts(limit, n).reduce((a, b) => a + b, 0)).toBe(limit);
    }
    // Fewer units than workers: each keeps one, so nothing waits forever.
    expect(parts(2, 3)).toEqual([1, 1, 1]);
  });
});
