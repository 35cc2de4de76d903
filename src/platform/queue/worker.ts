import type { Logger } from '../observability/logger.js';
import type { Wakeups } from '../db/wakeups.js';
import type { QueueMetrics } from './metrics.js';
import {
  backoffDelayMs,
  DEFAULT_BACKOFF,
  PermanentJobError,
  RetryLaterError,
  type BackoffPolicy,
  type HandlerOptions,
  type JobHandler,
  type JobOutcome,
  type JobWorker,
  type WorkerOptions,
  type WorkerStopReport,
} from './queue.js';

/**
 * The part of running jobs that does not depend on where they are stored: the claim loop,
 * concurrency, timeouts, retries with backoff, heartbeats and graceful hand-back. A
 * storage backend supplies the five operations below (on JetStream they map to fetch,
 * ack, nak with delay, nak now and in-progress).
 */

/** A job this process holds a claim on. */
export interface ClaimedJob {
  id: string;
  queue: string;
  payload: unknown;
  attempt: number;
  maxAttempts: number;
  createdAt: Date;
  /** Identity of this claim; only it may finish the job (fencing). */
  claim: string;
}

export interface ClaimResult {
  jobs: ClaimedJob[];
  /** Jobs whose expired claim used up their last attempt: dead-lettered by this claim. */
  deadLettered: { id: string; queue: string }[];
}

export interface JobBackend {
  claim(queues: readonly string[], limit: number): Promise<ClaimResult>;
  /**
   * Runs `run` and marks the job done under its claim. Transactional: `run` and the
   * completion share one database transaction. Throws `ClaimLostError` when the claim
   * is no longer current (nothing of `run` is then committed, if transactional).
   */
  execute(job: ClaimedJob, transactional: boolean, run: () => Promise<void>): Promise<void>;
  /** Records a failure: retry after `delayMs`, or dead-letter when `delayMs` is null or attempts are used up. */
  fail(
    job: ClaimedJob,
    error: string,
    delayMs: number | null,
  ): Promise<'retried' | 'dead' | 'lost'>;
  /** Returns unfinished jobs to the queue at once, without using up an attempt. */
  handBack(jobs: readonly ClaimedJob[]): Promise<number>;
  /** Pushes the claim expiry of long-running jobs forward. */
  extend(jobs: readonly ClaimedJob[]): Promise<void>;
}

export class ClaimLostError extends Error {
  override name = 'ClaimLostError';
  constructor(jobId: string) {
    super(`the claim on job ${jobId} is no longer current (it expired and was taken over)`);
  }
}

class WorkerShutdownError extends Error {
  override name = 'WorkerShutdownError';
  constructor() {
    super('the worker is shutting down');
  }
}

class JobTimeoutError extends Error {
  override name = 'JobTimeoutError';
  constructor(ms: number) {
    super(`the job ran longer than its timeout of ${ms} ms`);
  }
}

interface Registration {
  handler: JobHandler<unknown>;
  transactional: boolean;
  backoff: BackoffPolicy;
  timeoutMs: number | undefined;
}

export interface RunnerSettings {
  visibilityMs: number;
  pollMs: number;
  /**
   * Ends an idle worker's wait when a job is committed (the `jobs` trigger's
   * notification); without it idle workers find new jobs by polling alone.
   */
  wakeups?: Wakeups;
  /** Most jobs taken in one claim (bounded by free slots too). */
  claimBatch?: number;
  random?: () => number;
}

export interface JobRunner {
  register(queue: string, handler: JobHandler<unknown>, options?: HandlerOptions): void;
  startWorker(options: WorkerOptions): JobWorker;
  runDue(options?: { limit?: number; queues?: readonly string[] }): Promise<number>;
}

const MAX_ERROR_CHARS = 4000;

function describeError(err: unknown): string {
  const text =
    err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : `thrown: ${String(err)}`;
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS)}…` : text;
}

function sleep(ms: number, wake: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
    wake,
  ]).finally(() => {
    clearTimeout(timer);
  });
}

/** A promise that can be resolved from outside, re-armed after each use. */
function signalBox(): { wait(): Promise<void>; fire(): void } {
  let resolve: () => void = () => undefined;
  let promise = new Promise<void>((r) => (resolve = r));
  return {
    wait: () => promise,
    fire() {
      resolve();
      promise = new Promise<void>((r) => (resolve = r));
    },
  };
}

export function createJobRunner(deps: {
  backend: JobBackend;
  logger: Logger;
  metrics: QueueMetrics;
  settings: RunnerSettings;
}): JobRunner {
  const { backend, logger, metrics, settings } = deps;
  const handlers = new Map<string, Registration>();
  const random = settings.random ?? Math.random;
  const claimBatch = settings.claimBatch ?? 50;

  function record(queue: string, outcome: JobOutcome, seconds?: number): void {
    metrics.outcomes.inc({ queue, outcome });
    if (seconds !== undefined) metrics.duration.observe({ queue, outcome }, seconds);
  }

  function recordDeadLettered(claim: ClaimResult): void {
    for (const d of claim.deadLettered) {
      record(d.queue, 'dead');
      logger.error(
        { jobId: d.id, queue: d.queue },
        'job dead-lettered: its claims kept expiring (the worker crashed or hung on every attempt)',
      );
    }
  }

  async function runOne(job: ClaimedJob, shutdown: AbortSignal | undefined): Promise<JobOutcome> {
    const reg = handlers.get(job.queue);
    const started = performance.now();
    const controller = new AbortController();
    const timeoutMs = reg?.timeoutMs ?? settings.visibilityMs;
    const timer = setTimeout(() => {
      controller.abort(new JobTimeoutError(timeoutMs));
    }, timeoutMs);
    const onShutdown = () => {
      controller.abort(new WorkerShutdownError());
    };
    shutdown?.addEventListener('abort', onShutdown, { once: true });
    let outcome: JobOutcome;
    try {
      if (!reg) throw new PermanentJobError(`no handler is registered for queue ${job.queue}`);
      await backend.execute(job, reg.transactional, () =>
        reg.handler({
          id: job.id,
          queue: job.queue,
          payload: job.payload,
          attempt: job.attempt,
          maxAttempts: job.maxAttempts,
          createdAt: job.createdAt,
          signal: controller.signal,
        }),
      );
      outcome = 'completed';
    } catch (err) {
      outcome = await settleFailure(job, reg, err, controller.signal);
    } finally {
      clearTimeout(timer);
      shutdown?.removeEventListener('abort', onShutdown);
    }
    record(job.queue, outcome, (performance.now() - started) / 1000);
    return outcome;
  }

  async function settleFailure(
    job: ClaimedJob,
    reg: Registration | undefined,
    err: unknown,
    signal: AbortSignal,
  ): Promise<JobOutcome> {
    const log = { jobId: job.id, queue: job.queue, attempt: job.attempt };
    if (err instanceof ClaimLostError) {
      logger.warn(log, 'job claim was lost before it finished; its new holder runs it');
      return 'lost';
    }
    try {
      if (signal.reason instanceof WorkerShutdownError) {
        const n = await backend.handBack([job]);
        return n > 0 ? 'handed_back' : 'lost';
      }
      const delayMs =
        err instanceof PermanentJobError
          ? null
          : err instanceof RetryLaterError
            ? Math.max(0, Math.floor(err.delayMs))
            : backoffDelayMs(job.attempt, reg?.backoff ?? DEFAULT_BACKOFF, random);
      const result = await backend.fail(job, describeError(err), delayMs);
      if (result === 'dead') logger.error({ ...log, err }, 'job failed for good: dead-lettered');
      else if (result === 'retried' && err instanceof RetryLaterError) {
        // The handler asked to run again later (a transfer not settled yet, a Retry-After):
        // an expected wait, not a failure worth a warning and a stack trace.
        logger.debug({ ...log, reason: err.message, delayMs }, 'job not ready; runs again later');
      } else if (result === 'retried')
        logger.warn({ ...log, err, delayMs }, 'job failed; will retry');
      return result;
    } catch (settleErr) {
      // The database is unreachable: the claim expires and the job comes back by itself.
      logger.error(
        { ...log, err: settleErr, jobError: err },
        'could not record the job outcome; it returns after the visibility timeout',
      );
      return 'lost';
    }
  }

  function queuesFor(options: { queues?: readonly string[] | undefined }): string[] {
    const registered = [...handlers.keys()];
    return options.queues ? registered.filter((q) => options.queues?.includes(q)) : registered;
  }

  return {
    register(queue, handler, options = {}) {
      if (handlers.has(queue))
        throw new Error(`A handler for queue ${queue} is already registered`);
      handlers.set(queue, {
        handler,
        transactional: options.transactional ?? true,
        backoff: options.backoff ?? DEFAULT_BACKOFF,
        timeoutMs: options.timeoutMs,
      });
    },

    async runDue(options = {}) {
      const queues = queuesFor(options);
      if (queues.length === 0) return 0;
      const claim = await backend.claim(queues, options.limit ?? claimBatch);
      recordDeadLettered(claim);
      await Promise.all(claim.jobs.map((job) => runOne(job, undefined)));
      return claim.jobs.length + claim.deadLettered.length;
    },

    startWorker(options) {
      const concurrency = options.concurrency;
      const inFlight = new Map<
        string,
        { job: ClaimedJob; transactional: boolean; done: Promise<JobOutcome> }
      >();
      const shutdown = new AbortController();
      const slotFreed = signalBox();
      const stopRequested = signalBox();
      let stopping = false;
      const isStopping = () => stopping;
      let finished = 0;
      let handedBack = 0;

      const heartbeatEvery = Math.max(250, Math.floor(settings.visibilityMs / 3));
      const heartbeat = setInterval(() => {
        const longRunning = [...inFlight.values()]
          .filter((f) => !f.transactional)
          .map((f) => f.job);
        if (longRunning.length === 0) return;
        backend.extend(longRunning).catch((err: unknown) => {
          logger.error({ err }, 'could not extend job claims');
        });
      }, heartbeatEvery);
      heartbeat.unref();

      const launch = (job: ClaimedJob) => {
        const done = runOne(job, shutdown.signal).then((outcome) => {
          inFlight.delete(job.id);
          finished++;
          if (outcome === 'handed_back') handedBack++;
          slotFreed.fire();
          return outcome;
        });
        inFlight.set(job.id, {
          job,
          transactional: handlers.get(job.queue)?.transactional ?? true,
          done,
        });
      };

      const loop = (async () => {
        let failures = 0;
        while (!stopping) {
          const free = concurrency - inFlight.size;
          if (free <= 0) {
            await Promise.race([slotFreed.wait(), stopRequested.wait()]);
            continue;
          }
          const queues = queuesFor(options);
          if (queues.length === 0) {
            await sleep(settings.pollMs, stopRequested.wait());
            continue;
          }
          let claim: ClaimResult;
          try {
            claim = await backend.claim(queues, Math.min(free, claimBatch));
            failures = 0;
          } catch (err) {
            failures++;
            logger.error({ err, failures }, 'could not claim jobs');
            await sleep(
              Math.min(30_000, settings.pollMs * 2 ** Math.min(failures, 7)),
              stopRequested.wait(),
            );
            continue;
          }
          recordDeadLettered(claim);
          // Claimed after a stop was requested: hand back at once rather than start.
          if (isStopping()) {
            handedBack += await backend.handBack(claim.jobs).catch(() => 0);
            break;
          }
          for (const job of claim.jobs) launch(job);
          const got = claim.jobs.length + claim.deadLettered.length;
          if (got < Math.min(free, claimBatch)) {
            // Nothing more is due: idle until a job is written or the next poll (jittered
            // so workers spread out).
            const jitter = 0.8 + random() * 0.4;
            await sleep(
              settings.pollMs * jitter,
              settings.wakeups
                ? Promise.race([
                    stopRequested.wait(),
                    settings.wakeups.wait(settings.pollMs * jitter),
                  ])
                : stopRequested.wait(),
            );
          }
        }
      })();

      const waitInFlight = async (ms: number): Promise<void> => {
        const all = Promise.all([...inFlight.values()].map((f) => f.done));
        await sleep(
          ms,
          all.then(() => undefined),
        );
      };

      return {
        get inFlight() {
          return inFlight.size;
        },
        async stop(stopOptions = {}) {
          const timeoutMs = stopOptions.timeoutMs ?? 20_000;
          const graceMs = stopOptions.graceMs ?? 2_000;
          stopping = true;
          stopRequested.fire();
          await loop;
          const before = finished;
          await waitInFlight(timeoutMs);
          if (inFlight.size > 0) {
            logger.warn(
              { jobs: inFlight.size },
              'jobs still running at the shutdown deadline: aborting them to hand them back',
            );
            shutdown.abort();
            await waitInFlight(graceMs);
          }
          clearInterval(heartbeat);
          const report: WorkerStopReport = {
            finished: finished - before,
            handedBack,
            abandoned: inFlight.size,
          };
          if (report.abandoned > 0) {
            logger.warn(
              { jobs: [...inFlight.keys()] },
              'jobs ignored the abort; they return to the queue after the visibility timeout',
            );
          }
          return report;
        },
      };
    },
  };
}
