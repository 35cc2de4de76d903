import { Counter, Gauge, type Registry } from 'prom-client';
import { ulid } from '../ids.js';
import type { Logger } from '../observability/logger.js';
import { metricOnce } from '../observability/metrics.js';

/**
 * Leases with fencing tokens, for work that must run in one place at a time (the outbox
 * relay, maintenance, later a block producer's signer). The contract is the interface;
 * `postgres.ts` implements it on PostgreSQL, an etcd or NATS KV one can follow.
 *
 * A lease alone never guarantees a single holder: a paused process (GC, a frozen VM) can
 * wake up believing it still holds one. Two things make it safe together:
 * - the holder fails closed: `runSingleton` aborts the work as soon as the lease cannot
 *   be confirmed within its TTL, measured on the holder's own clock from before the
 *   request that granted it;
 * - every acquisition gets a higher fencing token, and writes guarded by a lease check
 *   the token where they land (`fence`), so a stale holder's late writes are refused.
 */

export interface Lease {
  name: string;
  holder: string;
  /** Fencing token: strictly greater than that of every earlier holder of `name`. */
  token: bigint;
  expiresAt: Date;
}

export interface LeaseHolder extends Lease {
  acquiredAt: Date;
  renewedAt: Date;
}

export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
  constructor(
    readonly lease: string,
    why: string,
  ) {
    super(`lease ${lease} lost: ${why}`);
  }
}

export interface SingletonContext {
  /** Aborted the moment the lease is lost or could not be renewed in time. */
  signal: AbortSignal;
  lease: Lease;
  /**
   * Call inside a transaction before committing work done under the lease: throws
   * `LeaseLostError` unless this lease is still current, and keeps it from being taken
   * over until that transaction ends.
   */
  fence: () => Promise<void>;
}

export type SingletonResult<T> = { acquired: false } | { acquired: true; value: T };

export interface SingletonOptions {
  ttlMs?: number;
  /** Holder identity (default: instance id plus a unique suffix per call). */
  holder?: string;
  /** Stops the work from outside (shutdown); the lease is then released. */
  signal?: AbortSignal;
}

export interface LeaseManager {
  /** Takes the lease if it is free, expired or already ours; undefined if someone else holds it. */
  acquire(name: string, holder: string, ttlMs: number): Promise<Lease | undefined>;
  /** Extends a lease we hold; undefined if it was lost (expired or taken over). */
  renew(lease: Lease, ttlMs: number): Promise<Lease | undefined>;
  /** Gives the lease up so another contender can take it at once. */
  release(lease: Lease): Promise<boolean>;
  /** See `SingletonContext.fence`. Joins the caller's transaction. */
  fence(name: string, token: bigint): Promise<void>;
  /** Current (unexpired) holders of every lease. */
  holders(): Promise<LeaseHolder[]>;
  /**
   * Runs `fn` while holding lease `name`: acquires it (or resolves `{ acquired: false }`
   * at once), renews it every third of the TTL, aborts `signal` the moment it is lost,
   * and releases it when `fn` settles. Rejects with `LeaseLostError` if the lease was
   * lost while `fn` ran, even if `fn` then resolved.
   *
   * @example
   * await leases.runSingleton('outbox.relay', async ({ signal, fence }) => {
   *   while (!signal.aborted) await relayOnce({ fence });
   * });
   */
  runSingleton<T>(
    name: string,
    fn: (ctx: SingletonContext) => Promise<T>,
    options?: SingletonOptions,
  ): Promise<SingletonResult<T>>;
}

/** The storage half of a lease manager; `runSingleton` is built on it. */
export type LeaseStore = Omit<LeaseManager, 'runSingleton'>;

export interface SingletonDeps {
  store: LeaseStore;
  logger: Logger;
  registry: Registry;
  instanceId: string;
  defaultTtlMs: number;
}

/** Adds `runSingleton` (and the lease metrics) to a lease store. */
export function withSingletons(deps: SingletonDeps): LeaseManager {
  const { store, logger } = deps;
  const held = metricOnce(
    deps.registry,
    'vaultwire_lease_held',
    () =>
      new Gauge({
        name: 'vaultwire_lease_held',
        help: 'Leases this process holds right now (1 per lease name)',
        labelNames: ['name'] as const,
        registers: [deps.registry],
      }),
  );
  const lostTotal = metricOnce(
    deps.registry,
    'vaultwire_lease_lost_total',
    () =>
      new Counter({
        name: 'vaultwire_lease_lost_total',
        help: 'Leases this process lost while working under them (expired before renewal or taken over)',
        labelNames: ['name'] as const,
        registers: [deps.registry],
      }),
  );

  async function runSingleton<T>(
    name: string,
    fn: (ctx: SingletonContext) => Promise<T>,
    options: SingletonOptions = {},
  ): Promise<SingletonResult<T>> {
    const ttlMs = options.ttlMs ?? deps.defaultTtlMs;
    const holder = options.holder ?? `${deps.instanceId}/${ulid()}`;
    // The lease cannot end on the server before `requestedAt + ttl` (the server starts the
    // TTL after receiving the request), so counting from here keeps us on the safe side;
    // the margin covers clock rate differences.
    const margin = Math.max(Math.floor(ttlMs / 10), 50);
    const requestedAt = performance.now();
    const lease = await store.acquire(name, holder, ttlMs);
    if (!lease) return { acquired: false };

    held.inc({ name });
    const controller = new AbortController();
    let current = lease;
    // Mutated from timers while `fn` runs; read through functions so the checks after
    // each await see the latest value.
    let lost: LeaseLostError | undefined;
    let finished = false;
    const over = () => finished || lost !== undefined;
    let renewTimer: NodeJS.Timeout | undefined;
    let deadlineTimer: NodeJS.Timeout | undefined;

    const loseIt = (why: string) => {
      if (lost || finished) return;
      lost = new LeaseLostError(name, why);
      lostTotal.inc({ name });
      logger.warn(
        { lease: name, token: String(current.token) },
        `lease lost: ${why}; aborting its work`,
      );
      clearTimeout(renewTimer);
      controller.abort(lost);
    };
    const armDeadline = (from: number) => {
      clearTimeout(deadlineTimer);
      deadlineTimer = setTimeout(
        () => {
          loseIt('not renewed before it expired');
        },
        Math.max(0, from + ttlMs - margin - performance.now()),
      );
    };
    const renew = async () => {
      if (over()) return;
      const sentAt = performance.now();
      try {
        const next = await store.renew(current, ttlMs);
        if (over()) return;
        if (!next) {
          loseIt('taken over or expired');
          return;
        }
        current = next;
        armDeadline(sentAt);
        renewTimer = setTimeout(() => void renew(), ttlMs / 3);
      } catch (err) {
        if (over()) return;
        logger.warn({ err, lease: name }, 'could not renew lease; retrying until it expires');
        renewTimer = setTimeout(() => void renew(), Math.max(10, Math.floor(ttlMs / 10)));
      }
    };
    armDeadline(requestedAt);
    renewTimer = setTimeout(() => void renew(), ttlMs / 3);

    const onOuterAbort = () => {
      controller.abort(options.signal?.reason);
    };
    if (options.signal?.aborted) onOuterAbort();
    else options.signal?.addEventListener('abort', onOuterAbort, { once: true });

    try {
      const value = await fn({
        signal: controller.signal,
        get lease() {
          return current;
        },
        fence: () => store.fence(name, lease.token),
      });
      if (lost) throw lost;
      return { acquired: true, value };
    } catch (err) {
      if (lost) throw lost;
      throw err;
    } finally {
      finished = true;
      clearTimeout(renewTimer);
      clearTimeout(deadlineTimer);
      options.signal?.removeEventListener('abort', onOuterAbort);
      held.dec({ name });
      if (!lost) {
        await store.release(current).catch((err: unknown) => {
          logger.warn({ err, lease: name }, 'could not release lease; it expires by itself');
        });
      }
    }
  }

  return {
    acquire: (name, holder, ttlMs) => store.acquire(name, holder, ttlMs),
    renew: (lease, ttlMs) => store.renew(lease, ttlMs),
    release: (lease) => store.release(lease),
    fence: (name, token) => store.fence(name, token),
    holders: () => store.holders(),
    runSingleton,
  };
}
