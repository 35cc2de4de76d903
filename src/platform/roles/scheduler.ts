import type { Db } from '../db/db.js';
import { LeaseLostError, type LeaseManager, type SingletonContext } from '../leases/leases.js';
import type { Logger } from '../observability/logger.js';
import type { Outbox } from '../outbox/outbox.js';
import type { JobQueue } from '../queue/queue.js';
import { runMaintenance, type MaintenanceTask } from './maintenance.js';

/** Lease names of the scheduler's singletons (visible in `leases` and the metrics). */
export const SCHEDULER_LEASES = {
  outboxRelay: 'scheduler.outbox-relay',
  maintenance: 'scheduler.maintenance',
} as const;

/** A module's own singleton loop, hosted by the role under a lease of its own. */
export interface ScheduledSingleton {
  /** Lease name, visible in `leases` and the metrics. */
  lease: string;
  /** Runs until `ctx.signal` aborts; a rejection is logged and the loop tries again. */
  run(ctx: SingletonContext): Promise<void>;
}

export interface SchedulerRole {
  /** Stops every loop, aborting its work and releasing its lease. */
  stop(): Promise<void>;
}

export interface SchedulerDeps {
  db: Db;
  jobs: JobQueue;
  outbox: Outbox;
  leases: LeaseManager;
  logger: Logger;
  /** Modules' pruning, run in each maintenance pass after the platform's own. */
  maintenanceTasks?: readonly MaintenanceTask[];
  /** Further singletons (the audit anchor writer, for instance). */
  singletons?: readonly ScheduledSingleton[];
  settings: {
    pollMs: number;
    leaseTtlMs: number;
    jobRetentionDays: number;
    /** Time between maintenance passes (default 10 minutes). */
    maintenanceEveryMs?: number;
  };
}

/**
 * The `scheduler` role: singletons that must run in exactly one process of the
 * deployment, each under its own lease. Run the role in two or more processes for high
 * availability: the others stand by and take over within about a lease TTL.
 */
export function startSchedulerRole(deps: SchedulerDeps): SchedulerRole {
  const { logger, settings } = deps;
  const stopping = new AbortController();
  const maintenanceEveryMs = settings.maintenanceEveryMs ?? 10 * 60_000;

  const loops = [
    singletonLoop(deps, SCHEDULER_LEASES.outboxRelay, stopping.signal, (ctx) =>
      deps.outbox.runRelay({ signal: ctx.signal, pollMs: settings.pollMs, fence: ctx.fence }),
    ),
    singletonLoop(deps, SCHEDULER_LEASES.maintenance, stopping.signal, async (ctx) => {
      while (!ctx.signal.aborted) {
        try {
          await runMaintenance({
            db: deps.db,
            jobs: deps.jobs,
            logger,
            jobRetentionDays: settings.jobRetentionDays,
            ...(deps.maintenanceTasks ? { tasks: deps.maintenanceTasks } : {}),
          });
        } catch (err) {
          logger.error({ err }, 'maintenance pass failed');
        }
        await sleep(maintenanceEveryMs, ctx.signal);
      }
    }),
    ...(deps.singletons ?? []).map((s) =>
      singletonLoop(deps, s.lease, stopping.signal, (ctx) => s.run(ctx)),
    ),
  ];

  return {
    async stop() {
      stopping.abort();
      await Promise.all(loops);
    },
  };
}

/** Keeps trying to hold `name` and run `work` under it until `stop` aborts. */
async function singletonLoop(
  deps: SchedulerDeps,
  name: string,
  stop: AbortSignal,
  work: (ctx: SingletonContext) => Promise<void>,
): Promise<void> {
  const { leases, logger, settings } = deps;
  while (!stop.aborted) {
    try {
      await leases.runSingleton(
        name,
        async (ctx) => {
          logger.info({ lease: name, token: String(ctx.lease.token) }, 'took the lease: running');
          await work(ctx);
        },
        { signal: stop, ttlMs: settings.leaseTtlMs },
      );
    } catch (err) {
      if (err instanceof LeaseLostError)
        logger.warn({ lease: name }, 'lost the lease: standing by');
      else logger.error({ err, lease: name }, 'singleton failed; retrying');
    }
    // A standby (or a leader that just failed) tries again every third of the TTL.
    await sleep(Math.floor((settings.leaseTtlMs / 3) * (0.8 + Math.random() * 0.4)), stop);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
