import type { Lifecycle } from '../lifecycle.js';
import type { Logger } from '../observability/logger.js';
import type { JobQueue } from '../queue/queue.js';

/**
 * The `worker` role: runs the handlers of every registered queue, `concurrency` jobs at
 * a time. On shutdown it stops claiming, lets running jobs finish for most of the
 * shutdown budget, then aborts the rest and hands them back to the queue (without using
 * up an attempt) so another worker picks them up at once. A job whose handler ignores
 * the abort is not lost either: its claim expires and it runs again elsewhere.
 */
export function startWorkerRole(deps: {
  jobs: JobQueue;
  lifecycle: Lifecycle;
  logger: Logger;
  settings: { concurrency: number; shutdownTimeoutMs: number };
}): void {
  const { settings, logger } = deps;
  const worker = deps.jobs.startWorker({ concurrency: settings.concurrency });
  logger.info({ concurrency: settings.concurrency }, 'worker running');
  deps.lifecycle.onStop('worker', async () => {
    // The lifecycle gives all stop steps one shared deadline: keep a margin for the
    // hand-back and for the steps that run after this one (leases, database).
    const report = await worker.stop({
      timeoutMs: Math.floor(settings.shutdownTimeoutMs * 0.6),
      graceMs: Math.min(5_000, Math.floor(settings.shutdownTimeoutMs * 0.15)),
    });
    logger.info(report, 'worker drained');
  });
}
