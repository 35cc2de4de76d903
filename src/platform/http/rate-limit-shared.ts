import type { Logger } from '../observability/logger.js';
import { createLocalBuckets, type RateLimiter, type TakeResult } from './rate-limit.js';

/**
 * Where the global token buckets live (PostgreSQL: rate-limit-postgres.ts). Every call
 * is one atomic statement; the limiter below makes few of them.
 */
export interface BucketStore {
  /**
   * Refills `key`'s bucket (full when it has none), adds `returned` unspent tokens back,
   * then takes up to `want` whole tokens. `tokens` is what the bucket holds afterwards.
   */
  lease(
    key: string,
    limitPerMinute: number,
    want: number,
    returned: number,
  ): Promise<{ granted: number; tokens: number }>;
  /** Puts unspent tokens back, never above a bucket's limit. */
  giveBack(returns: readonly { key: string; tokens: number }[]): Promise<void>;
  /** Deletes buckets idle long enough to be full again; resolves with how many. */
  sweep(): Promise<number>;
}

/** Tokens one lease asks for: a twentieth of the limit, so ~3 s of a client's budget. */
export function leaseChunk(limitPerMinute: number): number {
  return Math.max(1, Math.floor(limitPerMinute / 20));
}

/**
 * How long a lease lasts unused. Short enough that a client's unspent tokens, stranded
 * on a replica it has left, are back in the shared bucket within two seconds; each
 * request served from the lease extends it, so a client that keeps sending costs a
 * statement per chunk spent, not one every two seconds.
 */
export const DEFAULT_LEASE_TTL_MS = 2_000;

/** After the store fails, how long to limit per process before asking it again. */
const DEGRADED_MS = 5_000;

interface Lease {
  /** Whole tokens leased and not yet spent. */
  tokens: number;
  /** After this, unspent tokens go back to the shared bucket. */
  expiresMs: number;
  /** The shared bucket was empty: refuse locally until then, without asking again. */
  blockedUntilMs: number;
  /** What the shared bucket held after this lease was taken. */
  bucketTokens: number;
  /** A lease statement in flight for this key: others wait for it rather than send one. */
  pending?: Promise<void>;
}

/** Runs `fn` once after `ms`; returns a cancel function. Injectable for tests. */
export type Schedule = (fn: () => void, ms: number) => () => void;

const unrefTimeout: Schedule = (fn, ms) => {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return () => {
    clearTimeout(timer);
  };
};

/**
 * One rate limit for a whole fleet of API processes, without the database on every
 * request's path. The token bucket of each key lives in the store; each process leases
 * `leaseChunk(limit)` tokens at a time and serves requests from memory until they run
 * out or the lease expires (unspent tokens then go back). Across any number of
 * processes a client gets at most what one bucket allows plus one chunk per process.
 *
 * A refused lease is remembered until the bucket has refilled a token, so a client
 * hammering past its limit costs the database one statement per refill interval per
 * process, not one per request. If the store fails, the process falls back to its own
 * in-memory buckets (each process enforcing the limit alone, as before) for a few
 * seconds at a time: an unreachable database must not turn every request into a 500
 * or a 429.
 */
export function createSharedRateLimiter(deps: {
  store: BucketStore;
  logger: Logger;
  clock?: () => number;
  leaseTtlMs?: number;
  schedule?: Schedule;
}): RateLimiter {
  const { store, logger } = deps;
  const clock = deps.clock ?? Date.now;
  const leaseTtlMs = deps.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
  const schedule = deps.schedule ?? unrefTimeout;
  const leases = new Map<string, Lease>();
  const fallback = createLocalBuckets(clock);
  let degradedUntilMs = 0;
  let cancelFlush: (() => void) | undefined;
  let closed = false;

  function refused(waitMs: number): TakeResult {
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  function acquire(key: string, limit: number, old: Lease | undefined): Promise<TakeResult> {
    // An expired lease's unspent tokens ride back on the statement that replaces it.
    const returned = old && old.tokens >= 1 ? old.tokens : 0;
    const lease: Lease = { tokens: 0, expiresMs: 0, blockedUntilMs: 0, bucketTokens: 0 };
    leases.set(key, lease);
    const result = store.lease(key, limit, leaseChunk(limit), returned).then(
      ({ granted, tokens }): TakeResult => {
        const now = clock();
        lease.bucketTokens = tokens;
        if (granted >= 1) {
          // The caller that asked spends the first token; waiters share the rest.
          lease.tokens = granted - 1;
          lease.expiresMs = now + leaseTtlMs;
          if (lease.tokens >= 1) scheduleFlush(leaseTtlMs);
          return { ok: true, remaining: lease.tokens + Math.floor(tokens) };
        }
        lease.blockedUntilMs = now + ((1 - tokens) * 60_000) / limit;
        return refused(lease.blockedUntilMs - now);
      },
      (err: unknown): TakeResult => {
        leases.delete(key);
        if (clock() >= degradedUntilMs) {
          logger.warn(
            { err, forMs: DEGRADED_MS },
            'shared rate limit unavailable; limiting per process meanwhile',
          );
        }
        degradedUntilMs = clock() + DEGRADED_MS;
        return fallback.take(key, limit);
      },
    );
    lease.pending = result.then(() => {
      lease.pending = undefined;
    });
    return result;
  }

  function scheduleFlush(inMs: number): void {
    // After close() the database may be gone; a lease settling late is left to expire.
    if (cancelFlush || closed) return;
    cancelFlush = schedule(() => {
      cancelFlush = undefined;
      void flush(false);
    }, inMs + 10);
  }

  /** Gives back the unspent tokens of expired leases (of every lease when `all`). */
  async function flush(all: boolean): Promise<void> {
    const now = clock();
    const returns: { key: string; tokens: number }[] = [];
    let nextExpiry = Infinity;
    for (const [key, lease] of leases) {
      if (lease.pending) continue;
      const expired = all || lease.expiresMs <= now;
      if (lease.tokens >= 1 && expired) returns.push({ key, tokens: lease.tokens });
      else if (lease.tokens >= 1) nextExpiry = Math.min(nextExpiry, lease.expiresMs);
      if (expired && lease.blockedUntilMs <= now) leases.delete(key);
      else if (expired) lease.tokens = 0;
    }
    if (!all && nextExpiry < Infinity) scheduleFlush(nextExpiry - now);
    if (returns.length === 0) return;
    try {
      await store.giveBack(returns);
    } catch (err) {
      // Lost tokens only make the limit stricter for a moment: the buckets refill.
      logger.warn({ err, keys: returns.length }, 'could not give back leased rate-limit tokens');
    }
  }

  return {
    async take(key, limitPerMinute) {
      let lease = leases.get(key);
      while (lease?.pending) {
        await lease.pending;
        lease = leases.get(key);
      }
      const now = clock();
      if (now < degradedUntilMs) return fallback.take(key, limitPerMinute);
      if (lease && lease.tokens >= 1 && now < lease.expiresMs) {
        lease.tokens -= 1;
        // A lease in use stays (no statement every lease lifetime for a client that keeps
        // spending it): the lifetime only bounds how long tokens stay stranded on a
        // replica the client has left, and such a lease goes idle. Keeping tokens taken
        // from the bucket longer never lets a client spend more than it allows.
        lease.expiresMs = now + leaseTtlMs;
        return { ok: true, remaining: lease.tokens + Math.floor(lease.bucketTokens) };
      }
      if (lease && now < lease.blockedUntilMs) return refused(lease.blockedUntilMs - now);
      return acquire(key, limitPerMinute, lease);
    },
    size: () => leases.size,
    async sweep() {
      fallback.sweep();
      await flush(false);
      try {
        await store.sweep();
      } catch (err) {
        logger.warn({ err }, 'could not sweep idle rate-limit buckets');
      }
    },
    async close() {
      closed = true;
      cancelFlush?.();
      cancelFlush = undefined;
      await flush(true);
    },
  };
}
