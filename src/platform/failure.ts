/**
 * The one failure type. A domain operation that can be refused returns `T | Failure<C>`
 * (never throws for an expected refusal); the HTTP edge turns a failure into the one
 * error shape with `unwrap(result, toApiError)` (see `http/errors.ts`).
 *
 * A class, so `instanceof` tells a failure from any success value however that value is
 * shaped; its fields are plain data, so a failure is still a value to pass around.
 *
 * @example
 * async function debit(id: string, amount: bigint): Promise<Account | Failure<'insufficient_funds'>> {
 *   if (balance < amount) return fail('insufficient_funds', { param: 'amount' });
 *   ...
 * }
 */
export class Failure<C extends string = string> {
  readonly ok = false as const;
  constructor(
    readonly code: C,
    /** Replaces the catalog's message for this one failure (e.g. names the limit). */
    readonly message?: string,
    /** The request field at fault, when there is one. */
    readonly param?: string,
  ) {}
}

export interface FailureDetail {
  message?: string | undefined;
  param?: string | undefined;
}

export function fail<C extends string>(code: C, detail: FailureDetail = {}): Failure<C> {
  return new Failure(code, detail.message, detail.param);
}

export function isFailure(value: unknown): value is Failure {
  return value instanceof Failure;
}

/**
 * Carries a result out of a transaction it must roll back. Thrown only by `rollback()`
 * and `rollbackWith()`, caught only by `db.attempt`, which rolls back and resolves with
 * the result.
 */
export class RolledBack extends Error {
  override name = 'RolledBack';
  constructor(readonly result: unknown) {
    super(result instanceof Failure ? `rolled back: ${result.code}` : 'rolled back');
  }
}

/**
 * Refuses inside `db.attempt(fn)`: everything `fn` wrote so far is rolled back and the
 * attempt resolves with `failure`. Typed as returning the failure so `return rollback(…)`
 * puts it in `fn`'s result type; it never returns.
 *
 * @example
 * const r = await db.attempt(async () => {
 *   await debit(from, amount);
 *   if (!(await credit(to, amount))) return rollback(fail('account_closed'));
 *   return transfer;
 * });
 */
export function rollback<F extends Failure>(failure: F): F {
  throw new RolledBack(failure);
}

/**
 * Like `rollback`, for a result that is not a refusal: everything `fn` wrote is rolled
 * back and the attempt resolves with `value`. For work found already done (a retried
 * request meeting the first one's result) after this attempt wrote something that must
 * not stand. `value` should be of a type the caller tells from `fn`'s ordinary result
 * (a class of its own); it never returns.
 *
 * @example
 * class Replayed { constructor(readonly transferId: string) {} }
 * const r = await db.attempt(async (): Promise<Transfer | Replayed> => {
 *   await consumeLimit(user, amount);
 *   const t = await ledger.transfer(...);
 *   if (t.replayed) return rollbackWith(new Replayed(t.transaction.id)); // give the limit back
 *   return t;
 * });
 */
export function rollbackWith<T>(value: T): T {
  throw new RolledBack(value);
}
