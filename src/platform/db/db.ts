import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { RolledBack } from '../failure.js';
import { registerTransactionProbe } from './network-guard.js';

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

/**
 * One SQL statement and its parameters (`$1` is `params[0]`), built to run later or to
 * be embedded in a larger statement (see `embed`).
 */
export interface Statement {
  sql: string;
  params: readonly unknown[];
}

/**
 * `embed`'s answers by text and offset. The texts embedded are a few shapes that repeat
 * (a payment group's guard and rows are built by nesting embedded texts, each level
 * renumbering the whole text below it): bench:api profiles showed the renumbering at
 * ~4 % of a payment's server CPU. Bounded: cleared when full, so texts that do not
 * repeat cost only the memory of the last few thousand.
 */
const EMBEDDED = new Map<string, Map<number, string>>();
const MAX_EMBEDDED = 2_000;

/**
 * `statement`'s SQL with its parameters renumbered to follow `offset` parameters of the
 * statement it is embedded in (`$1` becomes `$${offset + 1}`). Every `$` followed by
 * digits is taken for a parameter, so the SQL must not contain one anywhere else (in a
 * literal or a dollar-quoted body).
 */
export function embed(statement: Statement, offset: number): string {
  let byOffset = EMBEDDED.get(statement.sql);
  const known = byOffset?.get(offset);
  if (known !== undefined) return known;
  const sql = statement.sql.replace(/\$(\d+)/g, (_m, n: string) => `$${offset + Number(n)}`);
  if (!byOffset) {
    if (EMBEDDED.size >= MAX_EMBEDDED) EMBEDDED.clear();
    byOffset = new Map();
    EMBEDDED.set(statement.sql, byOffset);
  }
  byOffset.set(offset, sql);
  return sql;
}

/** Statement names of the SQL texts marked with `prepared`, keyed by the text. */
const PREPARED = new Map<string, string>();
/**
 * Bound on marked texts: each costs every pooled connection a prepared statement for its
 * life, so a marked text that varied without end would prepare without end. Past it, a
 * text runs unnamed, as unmarked ones do.
 */
const MAX_PREPARED = 256;

/**
 * Marks a hot statement's SQL to be prepared: on PostgreSQL each pooled connection
 * parses and plans it once and then only binds and executes it (bench:api: the balance
 * read's statement spent most of its database CPU in the planner; prepared, PostgreSQL
 * serves it ~5x faster). Returns `sql` unchanged, so it reads as a constant:
 * `const BY_OWNER = prepared(\`SELECT …\`)`. For texts that repeat exactly: module
 * constants, or a text built where it is sent from a few shapes (the ledger's posting
 * statement: a batch's size is in its arrays, not its text). The
 * name is derived from the text, so two registrations of one text share one statement.
 * PGlite ignores it.
 */
export function prepared(sql: string): string {
  if (!PREPARED.has(sql) && PREPARED.size < MAX_PREPARED) {
    PREPARED.set(sql, `vw_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`);
  }
  return sql;
}

/** The statement name of a text marked with `prepared`, if it is. */
export function preparedName(sql: string): string | undefined {
  return PREPARED.get(sql);
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

export interface AttemptOptions extends TransactionOptions {
  /**
   * Run `fn` again, in a fresh transaction, when PostgreSQL aborts it with a
   * serialization failure (40001) or as a deadlock victim (40P01). `fn` must be safe to
   * re-run: everything it wrote rolled back with the failed attempt.
   */
  retryTransient?: boolean;
  /** Called before each retry (for a log line). */
  onRetry?: (err: unknown, attempt: number) => void;
}

/**
 * What every transaction a request commits must also do: an Idempotency-Key's claim
 * check (see `Db.fenced`).
 */
export interface CommitFence {
  /** Runs last in each top-level transaction, before COMMIT; throwing rolls it back. */
  beforeCommit(tx: Queryable): Promise<void>;
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
  /**
   * A transaction boundary: `transaction(fn)`, and with `retryTransient` the one place a
   * transient failure is retried. A `rollback(failure)` (or `rollbackWith(value)`) inside
   * `fn` rolls back what `fn` wrote (a savepoint's worth when nested) and the attempt
   * resolves with the failure (or value). Only the outermost retrying attempt retries, so one
   * failure is not retried at every level of nesting:
   * - outside any transaction, the whole transaction is run again (40001 and 40P01);
   * - inside a caller's transaction, `fn` runs as a savepoint and
   *   is run again after a deadlock: rolling back to the savepoint releases the locks it
   *   took, which breaks the cycle. A serialization failure there belongs to the
   *   caller's snapshot, so it is passed on.
   *
   * @example
   * const r = await db.attempt(() => moveMoney(), { retryTransient: true });
   */
  attempt<T>(fn: (tx: Queryable) => Promise<T>, options?: AttemptOptions): Promise<T>;
  /** Runs `fn` outside any ambient transaction (and fence), e.g. to commit a claim on its own. */
  detached<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Runs `fn` (not in a transaction) so that every top-level transaction it begins runs
   * `fence.beforeCommit` as its last statement, and every write statement it makes
   * outside a transaction becomes such a transaction. An Idempotency-Key uses this to
   * mark its claim in the same transaction as the handler's work, so work committed
   * under a claim is never done again by a retry, and an owner whose claim was taken
   * over cannot commit.
   */
  fenced<T>(fence: CommitFence, fn: () => Promise<T>): Promise<T>;
  /** True while the calling code runs inside `transaction`. */
  inTransaction(): boolean;
  /**
   * True while the calling code runs under `fenced` (an Idempotency-Key's claim): work
   * sent elsewhere to be committed with other callers' (a group commit) would escape
   * the fence.
   */
  inFence(): boolean;
  /**
   * Streams `data` (COPY text format, lines ending in `\n`) into a `COPY … FROM STDIN`
   * statement inside the current transaction, and resolves with the rows copied. Bulk
   * loads use it because it is several times faster than INSERT of the same rows. Resolves
   * with `undefined` when the driver has no COPY (the embedded database): the caller
   * inserts another way.
   *
   * @example
   * await db.transaction(() => db.copyFrom('COPY t (a, b) FROM STDIN', ['x\t1\n']));
   */
  copyFrom(sql: string, data: Iterable<string | Uint8Array>): Promise<number | undefined>;
  /**
   * Listens to a PostgreSQL notification channel (`NOTIFY channel, 'payload'`, sent on
   * commit by any process on the same database) on a connection of its own. While that
   * connection is down nothing can be heard, so `gap` is called when it drops and
   * `subscription.live` is false until it is back: a cache kept fresh by notifications
   * must not be trusted then.
   */
  subscribe(channel: string, handlers: ChannelHandlers): Promise<Subscription>;
  /** Cheap round trip for readiness checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface ChannelHandlers {
  message(payload: string): void;
  /** Notifications may have been missed (the listening connection dropped). */
  gap(): void;
}

export interface Subscription {
  /** True while notifications are being heard. */
  readonly live: boolean;
  close(): Promise<void>;
}

/** A connection-like object a driver hands us for the length of one transaction. */
export interface TxClient {
  query(sql: string, params?: readonly unknown[]): Promise<QueryResult<Record<string, unknown>>>;
  exec(sql: string): Promise<void>;
  /** COPY … FROM STDIN on this connection; absent where the driver has none. */
  copyFrom?(sql: string, data: Iterable<string | Uint8Array>): Promise<number>;
}

interface TxFrame {
  client: TxClient;
  savepoints: number;
  /** Retrying `attempt`s running in this transaction (0: a nested one is the boundary). */
  retrying: number;
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
  private readonly fences = new AsyncLocalStorage<CommitFence | undefined>();
  /** `fenced` calls running (the storage is switched off at 0, as `als` is). */
  private openFences = 0;
  /**
   * What a write looks like to `query` under a fence: the write keywords, or a call of a
   * function of the schema that writes (`SELECT ledger_apply(…)` writes, and its text
   * holds none of the keywords). Read from the catalogue when the first fence opens and
   * again after any `exec` (a migration may add functions).
   */
  private writes: Promise<RegExp> | undefined;

  constructor() {
    // A weak reference: the guard's registry must not keep a closed Db alive.
    const ref = new WeakRef<BaseDb>(this);
    registerTransactionProbe(() => ref.deref()?.inTransaction() ?? false);
  }

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
  abstract subscribe(channel: string, handlers: ChannelHandlers): Promise<Subscription>;

  async query<R = Record<string, unknown>>(
    sql: string,
    params: readonly unknown[] = [],
  ): Promise<QueryResult<R>> {
    const frame = this.als.getStore();
    if (frame) return (await frame.client.query(sql, params)) as QueryResult<R>;
    // A write made bare under a fence is made a fenced transaction of its own, so it is
    // marked on the claim like any other (a false positive costs one BEGIN/COMMIT).
    if (this.openFences > 0 && this.fences.getStore() && (await this.writePattern()).test(sql)) {
      return this.transaction((tx) => tx.query<R>(sql, params));
    }
    return (await this.run(sql, params)) as QueryResult<R>;
  }

  async exec(sql: string): Promise<void> {
    const frame = this.als.getStore();
    if (frame) await frame.client.exec(sql);
    else await this.runScript(sql);
    this.writes = undefined;
  }

  /** See `writes`. A failed read is not kept: the next fenced write reads again. */
  private writePattern(): Promise<RegExp> {
    this.writes ??= this.run(WRITING_FUNCTIONS, []).then(
      ({ rows }) => writeStatementPattern(rows as { name: string; body: string }[]),
      (err: unknown) => {
        this.writes = undefined;
        throw err;
      },
    );
    return this.writes;
  }

  inTransaction(): boolean {
    return this.als.getStore() !== undefined;
  }

  inFence(): boolean {
    return this.openFences > 0 && this.fences.getStore() !== undefined;
  }

  detached<T>(fn: () => Promise<T>): Promise<T> {
    // Outside any transaction there is nothing to leave. Not entering the storage here
    // matters: while an AsyncLocalStorage is enabled, Node 20 runs a hook on every
    // promise of the process (measured: 14% of a webhook delivery worker's CPU).
    // Detached work (the ledger's batches) serves many requests: no one request's fence.
    const unfenced =
      this.openFences > 0 && this.fences.getStore() ? () => this.fences.run(undefined, fn) : fn;
    if (this.als.getStore() === undefined) return unfenced();
    return this.als.run(undefined, unfenced);
  }

  async fenced<T>(fence: CommitFence, fn: () => Promise<T>): Promise<T> {
    if (this.als.getStore() !== undefined) {
      throw new Error('fenced: must begin outside any transaction');
    }
    this.openFences++;
    try {
      return await this.fences.run(fence, fn);
    } finally {
      if (--this.openFences === 0) this.fences.disable();
    }
  }

  async ping(): Promise<void> {
    await this.detached(() => this.run('SELECT 1', []));
  }

  async copyFrom(sql: string, data: Iterable<string | Uint8Array>): Promise<number | undefined> {
    const frame = this.als.getStore();
    if (!frame) throw new Error('copyFrom: must run inside a transaction');
    return frame.client.copyFrom?.(sql, data);
  }

  async transaction<T>(
    fn: (tx: Queryable) => Promise<T>,
    options: TransactionOptions = {},
  ): Promise<T> {
    const outer = this.als.getStore();
    if (outer) return this.savepoint(outer, fn);

    const fence = this.openFences > 0 ? this.fences.getStore() : undefined;
    return this.withTransaction(options.isolation, async (client) => {
      const frame: TxFrame = { client, savepoints: 0, retrying: 0 };
      this.openTransactions++;
      try {
        return await this.als.run(frame, async () => {
          const result = await fn(this);
          if (fence) await fence.beforeCommit(this);
          return result;
        });
      } finally {
        // With no transaction open, switch the storage off (run() switches it on again)
        // so the promise hook costs nothing between transactions. No frame is in use, so
        // nothing can read one; getStore() then answers undefined, as it should.
        if (--this.openTransactions === 0) this.als.disable();
      }
    });
  }

  async attempt<T>(fn: (tx: Queryable) => Promise<T>, options: AttemptOptions = {}): Promise<T> {
    try {
      return await this.attemptOnce(fn, options);
    } catch (err) {
      // The result is part of fn's declared result type (rollback() and rollbackWith()
      // are typed so).
      if (err instanceof RolledBack) return err.result as T;
      throw err;
    }
  }

  private async attemptOnce<T>(
    fn: (tx: Queryable) => Promise<T>,
    options: AttemptOptions,
  ): Promise<T> {
    const { retryTransient: retry, onRetry, ...txOptions } = options;
    const outer = this.als.getStore();
    if (!retry || (outer !== undefined && outer.retrying > 0)) {
      return this.transaction(fn, txOptions);
    }
    const marked = async (tx: Queryable): Promise<T> => {
      const frame = this.als.getStore();
      if (!frame) throw new Error('attempt: no transaction frame');
      frame.retrying++;
      try {
        return await fn(tx);
      } finally {
        frame.retrying--;
      }
    };
    return retryTransient(() => this.transaction(marked, txOptions), {
      // A serialization failure inside a caller's transaction is the caller's to retry.
      isTransient: outer === undefined ? isTransient : isDeadlock,
      ...(onRetry ? { onRetry } : {}),
    });
  }

  private async savepoint<T>(frame: TxFrame, fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const name = `sp_${++frame.savepoints}`;
    await frame.client.query(`SAVEPOINT ${name}`);
    try {
      // No RELEASE on success: COMMIT (or a rollback to an enclosing savepoint) ends it
      // just the same, and every statement saved is a round trip off a request's path
      // (a ledger write inside a wallet transaction is such a savepoint).
      return await fn(this);
    } catch (err) {
      await frame.client.query(`ROLLBACK TO SAVEPOINT ${name}`).catch(() => undefined);
      throw err;
    }
  }
}

/** A statement that may write (a false positive only costs a transaction; see `query`). */
const WRITE_KEYWORDS = /\b(INSERT|UPDATE|DELETE|MERGE|TRUNCATE)\b/i;

/**
 * The functions a statement can call, with their bodies: those of the schemas on the
 * search path that a statement may call (no triggers, no aggregates) and that may
 * change data (volatile).
 */
const WRITING_FUNCTIONS = `SELECT p.proname AS name, p.prosrc AS body
  FROM pg_proc p
 WHERE p.pronamespace IN (SELECT oid FROM pg_namespace WHERE nspname = ANY (current_schemas(false)))
   AND p.prokind = 'f' AND p.provolatile = 'v' AND p.prorettype <> 'trigger'::regtype`;

/**
 * The write keywords, or a call of a function whose body writes or calls one that does.
 * A function that only reads matches nothing, so reads under a fence stay bare.
 */
function writeStatementPattern(functions: readonly { name: string; body: string }[]): RegExp {
  const writers = new Set(functions.filter((f) => WRITE_KEYWORDS.test(f.body)).map((f) => f.name));
  for (let grew = true; grew;) {
    grew = false;
    const calls = callPattern(writers);
    for (const f of functions) {
      if (!writers.has(f.name) && calls?.test(f.body)) {
        writers.add(f.name);
        grew = true;
      }
    }
  }
  const calls = callPattern(writers);
  return calls ? new RegExp(`${WRITE_KEYWORDS.source}|${calls.source}`, 'i') : WRITE_KEYWORDS;
}

function callPattern(names: ReadonlySet<string>): RegExp | undefined {
  if (names.size === 0) return undefined;
  const alternatives = [...names].map((n) => n.replace(/[$]/g, '\\$'));
  return new RegExp(`\\b(${alternatives.join('|')})\\s*\\(`, 'i');
}

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

/** Attempts `retryTransient` makes before passing the failure on. */
export const TRANSIENT_ATTEMPTS = 5;

/** PostgreSQL aborted the work for a reason that may not recur: 40001 or 40P01. */
export function isTransient(err: unknown): boolean {
  const code = sqlState(err);
  return code === SQLSTATE.serializationFailure || code === SQLSTATE.deadlockDetected;
}

function isDeadlock(err: unknown): boolean {
  return sqlState(err) === SQLSTATE.deadlockDetected;
}

/**
 * Runs `fn` again (up to TRANSIENT_ATTEMPTS in all, after a short random pause so the
 * contenders do not meet again in step) while it fails transiently. For work that is
 * not a transaction of its own, e.g. one autocommitted statement; transactions use
 * `db.attempt(fn, { retryTransient: true })`.
 */
export async function retryTransient<T>(
  fn: () => Promise<T>,
  options: {
    isTransient?: (err: unknown) => boolean;
    onRetry?: (err: unknown, attempt: number) => void;
  } = {},
): Promise<T> {
  const transient = options.isTransient ?? isTransient;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= TRANSIENT_ATTEMPTS || !transient(err)) throw err;
      options.onRetry?.(err, attempt);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * 2 ** attempt));
    }
  }
}

/** SQLSTATE of a database error from either driver, if there is one. */
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
