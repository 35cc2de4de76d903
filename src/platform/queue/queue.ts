/**
 * The job queue contract. One implementation today (PostgreSQL, `postgres.ts`); a NATS
 * JetStream one must fit the same interface later, so nothing here speaks SQL.
 *
 * Delivery is at-least-once, and effects are exactly-once where the implementation can
 * make them so: on PostgreSQL a transactional handler's database writes commit in the
 * same transaction that marks the job done, so they happen once however often the job
 * is delivered. A handler with effects outside the database (HTTP calls, emails, chain
 * transactions) must make them idempotent itself, keyed by the stable `job.id`, which
 * stays the same across every attempt.
 */

/** A queue name that carries its payload type, so producer and handler agree. */
export interface QueueRef<P> {
  readonly name: string;
  /** Phantom field: never set, only carries `P` for the type checker. */
  readonly payloadType?: P;
}

/**
 * Names a queue and its payload type once, for both sides to import.
 *
 * @example
 * export const SettlePayment = defineQueue<{ paymentId: string }>('payments.settle');
 * await jobs.enqueue(SettlePayment, { paymentId });
 * jobs.register(SettlePayment, async (job) => settle(job.payload.paymentId));
 */
export function defineQueue<P>(name: string): QueueRef<P> {
  if (!QUEUE_NAME.test(name)) {
    throw new Error(
      `Queue name "${name}" must be 1-100 characters of letters, digits, '.', '_', ':' or '-'`,
    );
  }
  return { name };
}

export const QUEUE_NAME = /^[A-Za-z0-9._:-]{1,100}$/;

export type QueueName<P> = QueueRef<P> | string;

export function queueNameOf(queue: QueueName<unknown>): string {
  const name = typeof queue === 'string' ? queue : queue.name;
  if (!QUEUE_NAME.test(name)) {
    throw new Error(
      `Queue name "${name}" must be 1-100 characters of letters, digits, '.', '_', ':' or '-'`,
    );
  }
  return name;
}

export interface EnqueueOptions {
  /** Earliest time the job may run (default: now). */
  runAt?: Date;
  /** Alternative to `runAt`: run no sooner than this many ms after the commit. */
  delayMs?: number;
  /** Deliveries before the job is dead-lettered (default 12). */
  maxAttempts?: number;
  /**
   * At most one job per queue carries this key while its row exists (finished jobs are
   * pruned after VW_JOB_RETENTION_DAYS). A duplicate enqueue returns the first job's id
   * with `created: false`.
   */
  dedupeKey?: string;
}

export interface EnqueueItem<P = unknown> {
  queue: QueueName<P>;
  payload: P;
  options?: EnqueueOptions;
}

export interface EnqueueResult {
  id: string;
  /** False when a job with the same dedupe key already existed. */
  created: boolean;
}

/** What a handler receives. */
export interface Job<P> {
  /** Stable across attempts: use it as the idempotency key of external side effects. */
  id: string;
  queue: string;
  payload: P;
  /** 1 on the first delivery. */
  attempt: number;
  maxAttempts: number;
  createdAt: Date;
  /**
   * Aborted when the process shuts down or the job runs past its timeout. Pass it to
   * fetch() and friends; a handler that stops early by throwing is retried (on shutdown:
   * handed back without using up an attempt).
   */
  signal: AbortSignal;
}

export type JobHandler<P> = (job: Job<P>) => Promise<void>;

export interface BackoffPolicy {
  /** Upper bound of the first retry's delay. */
  baseMs: number;
  /** No delay is ever longer than this. */
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 3_600_000 };
export const DEFAULT_MAX_ATTEMPTS = 12;

export interface HandlerOptions {
  /**
   * Default true: the handler runs inside a database transaction (every `db.query` it
   * makes joins it) that also marks the job done, so its database effects commit
   * exactly once. Set false for handlers that mostly wait on the network (webhook
   * delivery): they then hold no connection while running, their claim is extended by
   * heartbeats, and they must be idempotent.
   */
  transactional?: boolean;
  backoff?: BackoffPolicy;
  /** Aborts `job.signal` after this long (default: the visibility timeout). */
  timeoutMs?: number;
}

/** Throw from a handler to retry after a specific delay (e.g. an HTTP `Retry-After`). */
export class RetryLaterError extends Error {
  override name = 'RetryLaterError';
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
  }
}

/** Throw from a handler when retrying cannot help: the job goes straight to `dead`. */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

/**
 * Delay before retry number `attempt` (1 = after the first failure): "full jitter",
 * uniformly random in [0, min(cap, base * 2^(attempt-1))], so many jobs failing
 * together (an outage) do not come back together.
 */
export function backoffDelayMs(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 52);
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  return Math.floor(random() * ceiling);
}

export type JobState = 'queued' | 'running' | 'done' | 'dead';

export interface JobInfo {
  id: string;
  queue: string;
  state: JobState;
  payload: unknown;
  attempts: number;
  maxAttempts: number;
  dedupeKey: string | null;
  /** Next time the job may be claimed (for a running job: when its claim expires). */
  runAt: Date;
  lastError: string | null;
  claimedBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

export interface QueueDepth {
  queue: string;
  /** `scheduled` = queued but not yet due. */
  state: 'queued' | 'scheduled' | 'running' | 'dead';
  count: number;
  /** Age of the oldest due job, for `queued` (0 otherwise). */
  oldestAgeSeconds: number;
}

export type JobOutcome = 'completed' | 'retried' | 'dead' | 'handed_back' | 'lost';

export interface WorkerOptions {
  /** Jobs run at once by this worker. */
  concurrency: number;
  /** Queues to serve (default: every queue with a registered handler). */
  queues?: readonly string[];
}

export interface WorkerStopReport {
  /** Jobs that finished (either way) while we waited. */
  finished: number;
  /** Jobs aborted and handed back to the queue for another worker. */
  handedBack: number;
  /** Jobs still running at the end; they return after the visibility timeout. */
  abandoned: number;
}

export interface JobWorker {
  readonly inFlight: number;
  /**
   * Stops claiming, waits up to `timeoutMs` for running jobs, then aborts the rest and
   * waits up to `graceMs` for them to hand their jobs back.
   */
  stop(options?: { timeoutMs?: number; graceMs?: number }): Promise<WorkerStopReport>;
}

export interface JobQueue {
  /**
   * Adds a job. Inside `db.transaction` it joins that transaction: the job exists
   * exactly when the caller's writes commit.
   */
  enqueue<P>(queue: QueueName<P>, payload: P, options?: EnqueueOptions): Promise<EnqueueResult>;
  /** Adds many jobs in one round trip; results are in input order. */
  enqueueMany(items: readonly EnqueueItem[]): Promise<EnqueueResult[]>;
  /** Registers the handler of a queue (one per queue per process). */
  register<P>(queue: QueueName<P>, handler: JobHandler<P>, options?: HandlerOptions): void;
  /** Starts claiming and running jobs in the background. */
  startWorker(options: WorkerOptions): JobWorker;
  /**
   * Claims and runs the jobs due now (up to `limit`), then resolves with how many it
   * claimed. For tests, tools and one-off drains; services use `startWorker`.
   */
  runDue(options?: { limit?: number; queues?: readonly string[] }): Promise<number>;
  get(id: string): Promise<JobInfo | undefined>;
  /** Dead jobs, oldest first, optionally of one queue; `startingAfter` pages by id. */
  listDead(options?: {
    queue?: string;
    limit?: number;
    startingAfter?: string;
  }): Promise<JobInfo[]>;
  /** Puts a dead job back in its queue with fresh attempts. False if it is not dead. */
  requeueDead(id: string): Promise<boolean>;
  /** Deletes jobs that finished successfully more than `olderThanMs` ago. */
  pruneFinished(olderThanMs: number): Promise<number>;
  depth(): Promise<QueueDepth[]>;
}
