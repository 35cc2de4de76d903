import { describe, expect, it } from 'vitest';
import { createLocalBuckets } from './rate-limit.js';

describe('token-bucket rate limiter', () => {
  it('allows the per-minute budget, then says how long to wait', () => {
    let now = 0;
    const rl = createLocalBuckets(() => now);
    for (let i = 0; i < 60; i++) expect(rl.take('ip:a', 60).ok).toBe(true);
    const refused = rl.take('ip:a', 60);
    expect(refused).toEqual({ ok: false, retryAfterSeconds: 1 });
    now += 1000; // one token per second at 60/min
    expect(rl.take('ip:a', 60).ok).toBe(true);
    expect(rl.take('ip:a', 60).ok).toBe(false);
  });

  it('keeps separate budgets per key', () => {
    const rl = createLocalBuckets(() => 0);
    for (let i = 0; i < 3; i++) rl.take('cred:1', 3);
    expect(rl.take('cred:1', 3).ok).toBe(false);
    expect(rl.take('cred:2', 3).ok).toBe(true);
  });

  it('forgets idle buckets that have refilled', () => {
    let now = 0;
    const rl = createLocalBuckets(() => now);
    rl.take('a', 10);
    rl.take('b', 10);
    now += 60_000;
    rl.sweep();
    expect(rl.size()).toBe(0);
  });
});
