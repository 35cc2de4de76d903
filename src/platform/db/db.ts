import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The one data-access layer. Two drivers sit behind it, PGlite (embedded, one
 * connection) and node-postgres (a pool), and both speak the same SQL and return the
 * same JS types: `int8` as `bigint`, `numeric` as a decimal string, `jsonb` as objects,
 * `timestamptz` as `Date`.
 */

export interface QueryResult<R> {
  rows: R[];
  /** Rows returned by a SELECT or changed by INSERT/UPDATE/DELETE. */
  rowCount: number;
}

export interface Queryable {
  query<R = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<QueryResult<R>>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

export interface TransactionOptions {
  isolation?: IsolationLevel;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /**
   * Runs `fn` in a transaction and commits when it resolves, rolls back when it throws.
   * Every `db.query` made inside `fn` (however deep in the call stack) joins the same
   * transaction; a nested `transaction` becomes a savepoint.
   *
   * @example
   * await db.transaction(async (tx) => {
   *   await tx.query('UPDATE accounts SET ...');
   *   await outbox.publish(...); // joins this transaction
   * });
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** Runs `fn` outside any ambient transaction, e.g. to commit a claim on its own. */
  detached<T>(fn: () => Promise<T>): Promise<T>;
  /** True while the calling code runs inside `transaction`. */
  inTransaction(): boolean;
  /** Cheap round trip for readiness checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A connection-like object a driver hands us for the length of one transaction. */
export interface TxClient {
  query(sql: string, params?: readonly unknown[]): Promise<QueryResult<Record<string, unknown>>>;
  exec(sql: string): Promise<void>;
}

interface TxFrame {
  client: TxClient;
  savepoints: number;
}

/**
 * Shared transaction logic. A driver supplies `run` (one statement, no ambient
 * transaction) and `withTransaction` (a dedicated client inside BEGIN … COMMIT).
 */
export abstract class BaseDb implements Db {
  abstract readonly kind: 'pglite' | 'postgres';
  private readonly als = new AsyncLocalStorage<TxFrame | undefined>();
  /** Transactions between BEGIN and COMMIT/ROLLBACK in this process (see transaction()). */
  private openTransactions = 0;

  protected abstract run(
    sql: string,
    params: readonly unknown[],
  ): Promise<QueryResult<Record<string, unknown>>>;
  protected abstract runScript(sql: string): Promise<void>;
  /**
   * Gives `fn` a client that is inside BEGIN (at `isolation`); commits when `fn`
   * resolves and rolls back when it throws.
   */
  protected abstract withTransaction<T>(
    isolation: IsolationLevel | undefined,
    fn: (client: TxClient) => Promise<T>,
  ): Promise<T>;
  abstract close(): Promise<void>;

  async query<R = Record<string, unknown>>(
    sql: string,
    params: readonly unknown[] = [],
  ): Promise<QueryResult<R>> {
    const frame = this.als.getStore();
    const result = frame ? await frame.client.query(sql, params) : await this.run(sql, params);
    return result as QueryResult<R>;
  }

  async exec(sql: string): Promise<void> {
    const frame = this.als.getStore();
    if (frame) await frame.client.exec(sql);
    else await this.runScript(sql);
  }

  inTransaction(): boolean {
    return this.als.getStore() !== undefined;
  }

  detached<T>(fn: () => Promise<T>): Promise<T> {
    // Outside any transaction there is nothing to leave. Not entering the storage here
    // matters: while an AsyncLocalStorage is enabled, Node 20 runs a hook on every
    // promise of the process (measured: 14% of a webhook delivery worker's CPU).
    if (this.als.getStore() === undefined) return fn();
    return this.als.run(undefined, fn);
  }

  async ping(): Promise<void> {
    await this.detached(() => this.run('SELECT 1', []));
  }

  async transaction<T>(
    fn: (tx: Queryable) => Promise<T>,
    options: TransactionOptions = {},
  ): Promise<T> {
    const outer = this.als.getStore();
    if (outer) return this.savepoint(outer, fn);

    return this.withTransaction(options.isolation, async (client) => {
      const frame: TxFrame = { client, savepoints: 0 };
      this.openTransactions++;
      try {
        return await this.als.run(frame, () => fn(this));
      } finally {
        // With no transaction open, switch the storage off (run() switches it on again)
        // so the promise hook costs nothing between transactions. No frame is in use, so
        // nothing can read one; getStore() then answers undefined, as it should.
        if (--this.openTransactions === 0) this.als.disable();
      }
    });
  }

  private async savepoint<T>(frame: TxFrame, fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const name = `sp_${++frame.savepoints}`;
    await frame.client.query(`SAVEPOINT ${name}`);
    try {
      const result = await fn(this);
      await frame.client.query(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (err) {
      await frame.client.query(`ROLLBACK TO SAVEPOINT ${name}`).catch(() => undefined);
      throw err;
    }
  }
}

/** SQLSTATE of a database error from either driver, if there is one. */
/** Most rows one pass of `deleteInSlices` removes. */
export const DELETE_SLICE = 5000;

/**
 * Pruning in slices: runs `sql`, a DELETE whose row selection ends in
 * `LIMIT ${DELETE_SLICE}`, until a pass removes fewer rows, so a large backlog never
 * becomes one long transaction or lock set. Resolves with the rows removed.
 *
 * @example
 * await deleteInSlices(db, `DELETE FROM jobs WHERE id IN (SELECT id FROM jobs
 *   WHERE finished_at < $1 LIMIT ${DELETE_SLICE})`, [cutoff]);
 */
export async function deleteInSlices(
  q: Queryable,
  sql: string,
  params: readonly unknown[],
): Promise<number> {
  let total = 0;
  for (;;) {
    const { rowCount } = await q.query(sql, params);
    total += rowCount;
    if (rowCount < DELETE_SLICE) return total;
  }
}

export function sqlState(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = err.code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

export const SQLSTATE = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  checkViolation: '23514',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
  lockNotAvailable: '55P03',
  raiseException: 'P0001',
} as const;
