/**
 * Token buckets in process memory: `limitPerMinute` requests, refilled continuously.
 * Each process enforces its own budget. That is exact for one process (embedded PGlite
 * is single-process by construction); API replicas on PostgreSQL share their budgets
 * through rate-limit-shared.ts instead, which falls back to these buckets when the
 * database cannot be reached.
 */
export interface RateLimiter {
  /**
   * Takes one token for `key`; returns how long to wait if there was none.
   *
   * @example
   * const r = await limiter.take(`ip:${ip}`, 600);
   * if (!r.ok) throw tooManyRequests(r.retryAfterSeconds);
   */
  take(key: string, limitPerMinute: number): Promise<TakeResult>;
  /** Number of buckets held in this process (for tests and metrics). */
  size(): number;
  /** Drops idle buckets; called periodically. Never rejects. */
  sweep(): Promise<void>;
  /** Hands back what this process holds (leased tokens) before it exits. Never rejects. */
  close(): Promise<void>;
}

export type TakeResult = { ok: true; remaining: number } | { ok: false; retryAfterSeconds: number };

/** The same buckets with a synchronous `take`, for callers that are already async. */
export interface LocalBuckets {
  take(key: string, limitPerMinute: number): TakeResult;
  size(): number;
  sweep(): void;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
  limit: number;
}

export function createLocalBuckets(clock: () => number = Date.now): LocalBuckets {
  const buckets = new Map<string, Bucket>();
  return {
    take(key, limitPerMinute) {
      const now = clock();
      const perMs = limitPerMinute / 60_000;
      let bucket = buckets.get(key);
      if (!bucket) {
        bucket = { tokens: limitPerMinute, updatedMs: now, limit: limitPerMinute };
        buckets.set(key, bucket);
      } else {
        bucket.tokens = Math.min(limitPerMinute, bucket.tokens + (now - bucket.updatedMs) * perMs);
        bucket.updatedMs = now;
        bucket.limit = limitPerMinute;
      }
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { ok: true, remaining: Math.floor(bucket.tokens) };
      }
      return {
        ok: false,
        retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)),
      };
    },
    size: () => buckets.size,
    sweep() {
      const now = clock();
      for (const [key, b] of buckets) {
        // A bucket that would be full again carries no state worth keeping.
        if (b.tokens + (now - b.updatedMs) * (b.limit / 60_000) >= b.limit) buckets.delete(key);
      }
    },
  };
}

/** The per-process limiter: local buckets behind the async `RateLimiter` contract. */
export function createRateLimiter(clock: () => number = Date.now): RateLimiter {
  const local = createLocalBuckets(clock);
  return {
    take: (key, limitPerMinute) => Promise.resolve(local.take(key, limitPerMinute)),
    size: () => local.size(),
    sweep() {
      local.sweep();
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}
