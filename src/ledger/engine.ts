import { isTransient, retryTransient, sqlState, type Statement } from '../platform/db/db.js';
import { rollback } from '../platform/failure.js';
import { createBatcher, type BatcherStats } from '../platform/db/batcher.js';
import type { LedgerContext } from './context.js';
import { failure, LedgerError, type LedgerFailure } from './errors.js';
import type { Entry, Hold, LedgerTransaction, TransactionResult } from './model.js';
import type { LedgerDeps } from './service.js';
import {
  applyMovements,
  BALANCE_SLOTS,
  claimKey,
  loadTransactions,
  readClaims,
  type Claim,
  type Movement,
  type MovementChange,
  type MovementOutcome,
  type NewTransaction,
} from './store.js';
import type { Prepared } from './validation.js';

/** SQLSTATE of a guarded posting that left nothing (migrations/ledger/0105). */
const GUARD_DECLINED = 'VWL01';

/**
 * The posting engine: prepared writes become movements for `ledger_apply` (one database
 * statement per batch, see ./store.ts), results come back in input order, and calls
 * outside a transaction are grouped by the batcher (group commit).
 */

export function randomSlot(): number {
  return Math.floor(Math.random() * BALANCE_SLOTS);
}

export function transactionOf(p: Prepared): NewTransaction {
  return {
    id: p.id,
    kind: p.kind,
    idempotencyKey: p.key,
    reversesId: p.reversesId,
    holdId: p.holdId,
    description: p.description,
    metadata: p.metadata,
    effectiveAt: p.effectiveAt,
  };
}

export function postedChanges(legs: readonly Entry[]): MovementChange[] {
  return legs.map((l) => ({ ...l, pending: false }));
}

/** The pending changes that release what a hold reserved. */
/** A prepared posting as the movement that claims its key and writes it (batched or guarded). */
function claimedMovement(p: Prepared): Movement {
  return {
    key: p.key,
    claim: true,
    operation: p.operation,
    requestHash: p.requestHash,
    resultId: p.id,
    requireActive: true,
    transaction: transactionOf(p),
    changes: postedChanges(p.legs),
  };
}

export function releaseChanges(h: Hold): MovementChange[] {
  return [
    {
      accountId: h.fromAccountId,
      asset: h.asset,
      direction: 'debit',
      amount: -h.amount,
      pending: true,
    },
    {
      accountId: h.toAccountId,
      asset: h.asset,
      direction: 'credit',
      amount: -h.amount,
      pending: true,
    },
  ];
}

export function written(
  t: NewTransaction,
  entries: readonly Entry[],
  createdAt: Date,
): LedgerTransaction {
  return { ...t, createdAt, entries: entries.map((e) => ({ ...e })) };
}

export function conflict(key: string): LedgerFailure {
  return failure(
    LedgerError.IdempotencyConflict,
    `Idempotency key ${key} was already used for a different request`,
    'key',
  );
}

/** The refusal an engine outcome stands for. */
export function refusalOf(o: MovementOutcome, key: string): LedgerFailure {
  const account = o.accountId ?? '?';
  switch (o.status) {
    case 'insufficient_funds':
      return failure(
        LedgerError.InsufficientFunds,
        `Account ${account} has ${o.available ?? 0n} available, less than this movement needs`,
        'amount',
      );
    case 'unknown_account':
      return failure(LedgerError.UnknownAccount, `No account ${account}`, 'account');
    case 'asset_mismatch':
      return failure(
        LedgerError.AssetMismatch,
        `Account ${account} holds a different asset`,
        'asset',
      );
    case 'account_frozen':
      return failure(LedgerError.AccountFrozen, `Account ${account} is frozen`, 'account');
    case 'idempotency_conflict':
      return conflict(key);
    case 'linked_transfer_failed':
      return failure(
        LedgerError.LinkedTransferFailed,
        'Another transfer in this atomic batch was refused, so none was applied',
      );
    default:
      throw new Error(`ledger_apply answered an unknown status ${o.status}`);
  }
}

export interface Engine {
  /**
   * Applies prepared transactions in order with one call of the engine, inside the
   * ambient database transaction if there is one.
   */
  applyBatch(items: readonly Prepared[], atomic: boolean): Promise<TransactionResult[]>;
  /** A batch of its own outside any transaction (retried on transient failures). */
  runBatch(items: Prepared[], atomic: boolean): Promise<TransactionResult[]>;
  /**
   * One write: joins the caller's transaction, or else goes through the batcher (unless
   * it carries the caller's `alongside` statements, which run in its statement).
   */
  submit(p: Prepared, alongside?: readonly Statement[]): Promise<TransactionResult>;
  /**
   * One write in one autocommitted statement behind the caller's guard (see
   * LedgerService.transferGuarded): the transaction, or null when nothing was written.
   */
  submitGuarded(
    p: Prepared,
    guard: Statement,
    alongside?: readonly Statement[],
  ): Promise<LedgerTransaction | null>;
  /**
   * Several writes in one autocommitted statement behind one guard, all or nothing (see
   * LedgerService.transferGuardedMany): the transactions in order, or null when nothing
   * was written.
   */
  submitGuardedMany(
    ps: readonly Prepared[],
    guard: Statement,
    alongside?: readonly Statement[],
  ): Promise<LedgerTransaction[] | null>;
  claimFirst(claim: Claim): Promise<'claimed' | 'replay' | LedgerFailure>;
  applyClaimed(m: Omit<Movement, 'claim'>): Promise<MovementOutcome | LedgerFailure>;
  drain(): Promise<void>;
  stats(): BatcherStats;
}

export function createEngine(ctx: LedgerContext, batching: LedgerDeps['batching']): Engine {
  const { db, events } = ctx;

  /**
   * Applies prepared transactions in order with one call of the engine (inside the
   * ambient database transaction, if any). An item repeated within the batch under the
   * same key is decided once; the repeats get its result.
   */
  async function applyBatch(
    items: readonly Prepared[],
    atomic: boolean,
    slot = randomSlot(),
    alongside?: readonly Statement[],
  ): Promise<TransactionResult[]> {
    const results = new Array<TransactionResult | undefined>(items.length);
    const firstByKey = new Map<string, number>();
    const primaries: Prepared[] = [];
    const primaryIndex: number[] = [];
    const followers: [number, number][] = [];
    items.forEach((p, i) => {
      const first = firstByKey.get(p.key);
      if (first === undefined) {
        firstByKey.set(p.key, i);
        primaries.push(p);
        primaryIndex.push(i);
      } else {
        followers.push([i, first]);
      }
    });

    const outcomes = await applyMovements(db, primaries.map(claimedMovement), {
      atomic,
      slot,
      ...(alongside ? { alongside } : {}),
    });

    const done: LedgerTransaction[] = [];
    const replays: [number, string][] = [];
    outcomes.forEach((o, n) => {
      const p = primaries[n];
      const i = primaryIndex[n];
      if (!p || i === undefined) throw new Error('outcome without item');
      if (o.status === 'ok') {
        const t = written(transactionOf(p), p.legs, o.now);
        results[i] = { ok: true, transaction: t, replayed: false };
        done.push(t);
      } else if (o.status === 'replay') {
        replays.push([i, o.resultId]);
      } else {
        results[i] = refusalOf(o, p.key);
      }
    });
    if (done.length > 0 && events) await events.transactionsPosted(done);

    if (replays.length > 0) {
      const found = await loadTransactions(
        db,
        replays.map(([, id]) => id),
      );
      for (const [i, id] of replays) {
        const t = found.get(id);
        if (!t) throw new Error(`an idempotency key points at missing transaction ${id}`);
        results[i] = { ok: true, transaction: t, replayed: true };
      }
    }

    for (const [i, first] of followers) {
      const p = items[i];
      const q = items[first];
      const r = results[first];
      if (!p || !q) throw new Error('follower without item');
      if (p.operation !== q.operation || p.requestHash !== q.requestHash) {
        results[i] = conflict(p.key);
      } else if (r?.ok) {
        results[i] = { ok: true, transaction: r.transaction, replayed: true };
      } else {
        results[i] = r;
      }
    }

    return results.map((r, i) => {
      if (!r) throw new Error(`no result for batch item ${i}`);
      return r;
    });
  }

  /**
   * A batch on its own: one autocommitted statement (one round trip) unless events
   * must join it, then inside a transaction. Retried on deadlock or serialisation
   * failure, which our lock order should prevent; nothing of a failed attempt remains.
   */
  async function runBatch(
    items: Prepared[],
    atomic: boolean,
    slot = randomSlot(),
    alongside?: readonly Statement[],
  ): Promise<TransactionResult[]> {
    // detached: the batch must not join whatever transaction the first caller was in.
    const onRetry = (err: unknown, attempt: number) => {
      ctx.logger?.warn({ err, attempt, size: items.length }, 'ledger batch retried');
    };
    return db.detached(() =>
      events
        ? db.attempt(() => applyBatch(items, atomic, slot, alongside), {
            retryTransient: true,
            onRetry,
          })
        : retryTransient(() => applyBatch(items, atomic, slot, alongside), { onRetry }),
    );
  }

  // Each in-flight lane of this process adds to its own balance slot of house accounts,
  // so concurrent batches never wait for each other there (see ledger_balance_slots).
  const slotBase = Math.floor(Math.random() * BALANCE_SLOTS);
  const batcher = createBatcher<Prepared, TransactionResult>(
    (items, lane) => runBatch(items, false, (slotBase + lane) % BALANCE_SLOTS),
    {
      maxBatch: batching?.maxBatch ?? 1000,
      maxInFlight: batching?.maxInFlight ?? 4,
      minBatch: batching?.minBatch ?? 256,
    },
  );

  async function submit(p: Prepared, alongside?: readonly Statement[]): Promise<TransactionResult> {
    if (db.inTransaction() || alongside) {
      // The caller's statements are for this posting only, so it is not batched.
      const [r] = db.inTransaction()
        ? await applyBatch([p], false, randomSlot(), alongside)
        : await runBatch([p], false, randomSlot(), alongside);
      if (!r) throw new Error('no result');
      return r;
    }
    return batcher.submit(p);
  }

  async function submitGuarded(
    p: Prepared,
    guard: Statement,
    alongside?: readonly Statement[],
  ): Promise<LedgerTransaction | null> {
    const done = await submitGuardedMany([p], guard, alongside);
    return done?.[0] ?? null;
  }

  async function submitGuardedMany(
    ps: readonly Prepared[],
    guard: Statement,
    alongside?: readonly Statement[],
  ): Promise<LedgerTransaction[] | null> {
    // Autocommit is what makes it one round trip; inside a caller's transaction a
    // declined guard would abort the caller's work, so that is a programming error.
    if (db.inTransaction()) throw new Error('transferGuarded runs outside any transaction');
    // Ledger events are written by a statement of their own, in a transaction.
    if (events) return null;
    if (ps.length === 0) return [];
    try {
      const outcomes = await applyMovements(db, ps.map(claimedMovement), {
        atomic: false,
        slot: randomSlot(),
        guard,
        requireApplied: true,
        ...(alongside ? { alongside } : {}),
      });
      return ps.map((p, i) => {
        const o = outcomes[i];
        if (o?.status !== 'ok') throw new Error('guarded posting answered without applying');
        return written(transactionOf(p), p.legs, o.now);
      });
    } catch (err) {
      // Declined, refused, replayed, or a deadlock victim: the statement left nothing,
      // and the caller's full path decides (and retries) as it always did.
      const code = sqlState(err);
      if (code === GUARD_DECLINED || isTransient(err)) return null;
      throw err;
    }
  }

  /**
   * For paths that must claim their key before locking a hold or a transaction row:
   * 'claimed', or for a taken key 'replay' (claim.resultId now names the original
   * result) or an idempotency conflict.
   */
  async function claimFirst(claim: Claim): Promise<'claimed' | 'replay' | LedgerFailure> {
    if (await claimKey(db, claim)) return 'claimed';
    const s = (await readClaims(db, [claim.key])).get(claim.key);
    if (!s) throw new Error(`idempotency key ${claim.key} was neither claimed nor found`);
    if (s.operation !== claim.operation || s.requestHash !== claim.requestHash) {
      return conflict(claim.key);
    }
    claim.resultId = s.resultId;
    return 'replay';
  }

  /**
   * Runs one movement whose key is already claimed, inside `ctx.inTransaction`; a refusal
   * rolls everything back.
   */
  async function applyClaimed(
    m: Omit<Movement, 'claim'>,
  ): Promise<MovementOutcome | LedgerFailure> {
    const [o] = await applyMovements(db, [{ ...m, claim: false }], {
      atomic: false,
      slot: randomSlot(),
    });
    if (!o) throw new Error('no outcome');
    if (o.status !== 'ok') return rollback(refusalOf(o, m.key));
    return o;
  }

  return {
    applyBatch: (items, atomic) => applyBatch(items, atomic),
    runBatch: (items, atomic) => runBatch(items, atomic),
    submit,
    submitGuarded,
    submitGuardedMany,
    claimFirst,
    applyClaimed,
    drain: () => batcher.drain(),
    stats: () => batcher.stats(),
  };
}
