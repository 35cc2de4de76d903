import { newId } from '../platform/ids.js';
import { isFailure, rollback } from '../platform/failure.js';
import type { LedgerContext } from './context.js';
import { postedChanges, written, type Engine } from './engine.js';
import { failure, LedgerError, type LedgerFailure } from './errors.js';
import type { Entry, TransactionKind, TransactionResult } from './model.js';
import type { GuardedOptions, LedgerService } from './service.js';
import { loadTransactions, type Claim, type NewTransaction } from './store.js';
import {
  checkDate,
  checkKey,
  checkText,
  hashRequest,
  MAX_BATCH_ITEMS,
  prepare,
  preparePost,
  prepareTransfer,
  sortedMetadata,
  type Prepared,
} from './validation.js';

/** Moving money: transfers, multi-leg postings, batches of them, and reversals. */
export type LedgerPostings = Pick<
  LedgerService,
  | 'transfer'
  | 'transferGuarded'
  | 'transferGuardedMany'
  | 'post'
  | 'postGuarded'
  | 'transferBatch'
  | 'reverse'
  | 'getTransaction'
>;

export function createLedgerPostings(ctx: LedgerContext, engine: Engine): LedgerPostings {
  const { db, events } = ctx;

  /** `transferGuarded` and `postGuarded` once prepared: null for an invalid input too. */
  function submitGuarded(p: Prepared | LedgerFailure, options: GuardedOptions) {
    if (isFailure(p)) return Promise.resolve(null);
    const posted = { transactionId: p.id, effectiveAt: p.effectiveAt };
    const guard = typeof options.guard === 'function' ? options.guard(posted) : options.guard;
    return engine.submitGuarded(p, guard, options.alongside?.(posted));
  }

  return {
    async transfer(input, options = {}) {
      const p = await prepareTransfer(ctx, input);
      if (isFailure(p)) return p;
      const alongside = options.alongside?.({ transactionId: p.id, effectiveAt: p.effectiveAt });
      return engine.submit(p, alongside);
    },

    async transferGuarded(input, options) {
      return submitGuarded(await prepareTransfer(ctx, input), options);
    },

    async transferGuardedMany(inputs, options) {
      const ps = await Promise.all(inputs.map((input) => prepareTransfer(ctx, input)));
      const valid: Prepared[] = [];
      for (const p of ps) {
        // An invalid one: nothing is written, and each goes its own way.
        if (isFailure(p)) return null;
        valid.push(p);
      }
      const posted = valid.map((p) => ({ transactionId: p.id, effectiveAt: p.effectiveAt }));
      return engine.submitGuardedMany(valid, options.guard(posted), options.alongside?.(posted));
    },

    async post(input) {
      const p = await preparePost(ctx, input);
      return isFailure(p) ? p : engine.submit(p);
    },

    async postGuarded(input, options) {
      return submitGuarded(await preparePost(ctx, input), options);
    },

    async transferBatch(inputs, options = {}) {
      const atomic = options.atomic ?? false;
      if (inputs.length === 0) return [];
      if (inputs.length > MAX_BATCH_ITEMS) {
        return inputs.map(() =>
          failure(LedgerError.InvalidRequest, `A batch has at most ${MAX_BATCH_ITEMS} items`),
        );
      }
      const prepared = await Promise.all(inputs.map((item) => prepare(ctx, item)));
      const valid: Prepared[] = [];
      const positions: number[] = [];
      prepared.forEach((p, i) => {
        if (!isFailure(p)) {
          valid.push(p);
          positions.push(i);
        }
      });
      if (atomic && valid.length < prepared.length) {
        return prepared.map((p) =>
          isFailure(p)
            ? p
            : failure(
                LedgerError.LinkedTransferFailed,
                'Another transfer in this atomic batch was refused, so none was applied',
              ),
        );
      }
      let applied: TransactionResult[] = [];
      if (valid.length > 0) {
        applied = db.inTransaction()
          ? await engine.applyBatch(valid, atomic)
          : await engine.runBatch(valid, atomic);
      }
      const results: (TransactionResult | undefined)[] = prepared.map((p) =>
        isFailure(p) ? p : undefined,
      );
      positions.forEach((pos, n) => {
        results[pos] = applied[n];
      });
      return results.map((r) => {
        if (!r) throw new Error('missing batch result');
        return r;
      });
    },

    async reverse(input) {
      const bad =
        checkKey(input.key) ??
        checkText(input.description, input.metadata) ??
        checkDate(input.effectiveAt, 'effectiveAt');
      if (bad) return bad;
      if (typeof input.transactionId !== 'string') {
        return failure(
          LedgerError.UnknownTransaction,
          'transactionId is a string',
          'transactionId',
        );
      }
      const claim: Claim = {
        key: input.key,
        operation: 'reversal',
        requestHash: hashRequest([
          'reversal',
          input.transactionId,
          input.effectiveAt?.toISOString() ?? null,
          input.description ?? null,
          sortedMetadata(input.metadata),
        ]),
        resultId: newId('ltx'),
      };
      return ctx.inTransaction(async (): Promise<TransactionResult | LedgerFailure> => {
        const claimed = await engine.claimFirst(claim);
        if (claimed === 'replay') {
          const t = (await loadTransactions(db, [claim.resultId])).get(claim.resultId);
          if (!t) throw new Error(`reversal ${claim.resultId} is missing`);
          return { ok: true, transaction: t, replayed: true };
        }
        if (claimed !== 'claimed') return rollback(claimed);

        // Concurrent reversals of one transaction queue on its row; the unique index on
        // reverses_id is the backstop.
        const { rows } = await db.query<{ kind: TransactionKind }>(
          'SELECT kind FROM ledger_transactions WHERE id = $1 FOR NO KEY UPDATE',
          [input.transactionId],
        );
        const original = rows[0];
        if (!original) {
          return rollback(
            failure(
              LedgerError.UnknownTransaction,
              `No transaction ${input.transactionId}`,
              'transactionId',
            ),
          );
        }
        if (original.kind === 'reversal') {
          return rollback(
            failure(LedgerError.NotReversible, 'A reversal cannot be reversed', 'transactionId'),
          );
        }
        const prior = await db.query<{ id: string }>(
          'SELECT id FROM ledger_transactions WHERE reverses_id = $1',
          [input.transactionId],
        );
        if (prior.rows[0]) {
          return rollback(
            failure(
              LedgerError.AlreadyReversed,
              `Transaction ${input.transactionId} was already reversed by ${prior.rows[0].id}`,
              'transactionId',
            ),
          );
        }
        const source = (await loadTransactions(db, [input.transactionId])).get(input.transactionId);
        if (!source) throw new Error(`transaction ${input.transactionId} vanished`);
        const legs: Entry[] = source.entries.map((e) => ({
          ...e,
          direction: e.direction === 'debit' ? 'credit' : 'debit',
        }));
        const tx: NewTransaction = {
          id: claim.resultId,
          kind: 'reversal',
          idempotencyKey: input.key,
          reversesId: input.transactionId,
          holdId: null,
          description: input.description ?? null,
          metadata: input.metadata ?? null,
          effectiveAt: input.effectiveAt ?? ctx.clock(),
        };
        // Corrections work on frozen accounts; the balance rules still hold.
        const o = await engine.applyClaimed({
          ...claim,
          requireActive: false,
          transaction: tx,
          changes: postedChanges(legs),
        });
        if (isFailure(o)) return o;
        const done = written(tx, legs, o.now);
        if (events) await events.transactionsPosted([done]);
        return { ok: true, transaction: done, replayed: false };
      });
    },

    async getTransaction(id) {
      return (await loadTransactions(db, [id])).get(id);
    },
  };
}
