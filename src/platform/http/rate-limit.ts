/**
 * Token buckets in process memory: `limitPerMinute` requests, refilled continuously.
 * Each API process enforces its own budget; with N replicas behind a balancer a client
 * gets up to N× the limit, which is the usual trade for not putting a shared store on
 * the hot path of every request.
 */
export interface RateLimiter {
  /** Takes one token for `key`; returns how long to wait if there was none. */
  take(
    key: string,
    limitPerMinute: number,
  ): { ok: true; remaining: number } | { ok: false; retryAfterSeconds: number };
  /** Number of buckets held (for tests and metrics). */
  size(): number;
  /** Drops idle buckets; called periodically. */
  sweep(): void;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
  limit: number;
}

export function createRateLimiter(clock: () => number = Date.now): RateLimiter {
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
