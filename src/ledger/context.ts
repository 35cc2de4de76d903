import type { Db } from '../platform/db/db.js';
import type { Logger } from '../platform/observability/logger.js';
import { failure, LedgerError, type LedgerFailure } from './errors.js';
import type { Asset } from './model.js';
import type { LedgerDeps, LedgerEvents } from './service.js';
import { selectAssets } from './store.js';
import { ASSET_CODE } from './validation.js';

/** What every part of the ledger service (accounts, postings, holds, history) shares. */
export interface LedgerContext {
  db: Db;
  clock: () => Date;
  events: LedgerEvents | undefined;
  logger: Logger | undefined;
  /** An asset by code, from a cache: assets never change once created. */
  asset(code: string): Promise<Asset | undefined>;
  /** `unknown_asset` at `param` unless `code` names an asset. */
  knownAsset(code: unknown, param: string): Promise<LedgerFailure | undefined>;
  /**
   * Runs `fn` in its own transaction (retrying transient failures) or as a savepoint of
   * the caller's. `fn` refuses with `return rollback(failure(...))`: what it wrote rolls
   * back and the refusal is the result.
   */
  inTransaction<T>(fn: () => Promise<T | LedgerFailure>): Promise<T | LedgerFailure>;
}

export function createLedgerContext(deps: LedgerDeps): LedgerContext {
  const { db } = deps;
  const assets = new Map<string, Asset>();

  async function asset(code: string): Promise<Asset | undefined> {
    const cached = assets.get(code);
    if (cached) return cached;
    if (typeof code !== 'string' || !ASSET_CODE.test(code)) return undefined;
    const [found] = await selectAssets(db, [code]);
    // Assets are immutable once created, so caching them can never go stale.
    if (found) assets.set(code, found);
    return found;
  }

  return {
    db,
    clock: deps.clock ?? (() => new Date()),
    events: deps.events,
    logger: deps.logger,
    asset,

    async knownAsset(code, param) {
      if (typeof code !== 'string' || !(await asset(code))) {
        return failure(LedgerError.UnknownAsset, `No asset ${String(code)}`, param);
      }
      return undefined;
    },

    inTransaction<T>(fn: () => Promise<T | LedgerFailure>) {
      // Our locks are ordered, so deadlocks should not occur; a serialisation failure
      // can, under a caller's REPEATABLE READ. Retrying is safe: the idempotency claim
      // rolls back with everything else. Inside a caller's retrying transaction the
      // caller's boundary retries.
      return db.attempt(fn, { retryTransient: true });
    },
  };
}
