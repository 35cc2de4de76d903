import { randomUUID } from 'node:crypto';
import type { Db } from '../../platform/db/db.js';
import { arrayColumns } from '../../platform/db/packed.js';
import type { Logger } from '../../platform/observability/logger.js';
import type { DeliveryEngine } from '../engine/engine.js';
import { startPostgresLoop, type PostgresLoop } from '../engine/postgres/loop.js';
import type { EndpointDirectory } from '../endpoints/directory.js';
import type { WebhookMetrics } from '../metrics.js';
import type { WebhookSettings } from '../service.js';
import type { SsrfGuard } from '../ssrf/ssrf.js';
import type { BrokerLag } from './broker-lag.js';
import { createDeliverer, type Deliverer, type DeliveryTask } from './deliverer.js';
import { createSharedCircuits, joinFleet, type FleetView } from './fleet.js';
import { createOutcomeRecorder } from './recorder.js';
import { createHttpSender } from './sender.js';
import { markWaiting, stopWaiting, WAKEUP_CHANNELS } from '../../platform/db/wakeups.js';

export interface RunningDelivery {
  readonly deliverer: Deliverer;
  /** The live delivery processes as this one last saw them. */
  readonly fleet: FleetView;
  stop(): Promise<void>;
}

/**
 * The `delivery` role of one process: joins the fleet, takes first attempts from the
 * engine (NATS) and due rows from PostgreSQL (every engine: retries, ordered endpoints,
 * replays, recoveries), delivers through per-endpoint pools and records outcomes in
 * batches; keeps the endpoint directory fresh (every 0.5 s) and runs the module's upkeep
 * (every 30 s). The webhooks facade (service.ts) starts it with the parts it built.
 */
export async function startDeliveryRuntime(
  deps: {
    db: Db;
    /** The webhooks module's logger. */
    log: Logger;
    instanceId: string;
    settings: WebhookSettings;
    directory: EndpointDirectory;
    engine: DeliveryEngine;
    metrics: WebhookMetrics;
    guard: SsrfGuard;
    /** What this process saw of first attempts waiting in the broker (lag metrics). */
    brokerLag: BrokerLag;
    /** PostgreSQL loops ingest wakes when it commits due rows: this one's is added while it runs. */
    loops: Set<PostgresLoop>;
    /** Disables an endpoint that answered 410 Gone (with its owner's notice). */
    disableEndpoint: (id: string, reason: string) => Promise<unknown>;
    /** The module's upkeep (auto-disable, stuck rows, dropped transactions). */
    maintain: () => Promise<unknown>;
    /**
     * Wake the PostgreSQL loop when any process commits messages (ingest's notification),
     * not only when this process's ingest does.
     */
    wakeups?: boolean;
    onStopped?: (handle: RunningDelivery) => void;
  },
  options: { concurrency?: number; heartbeatMs?: number } = {},
): Promise<RunningDelivery> {
  const { db, log, settings, directory, engine, metrics, guard, brokerLag, loops } = deps;
  const concurrency = options.concurrency ?? settings.deliveryConcurrency;
  await directory.sync();
  const fleet = await joinFleet({
    db,
    logger: log,
    instanceId: deps.instanceId,
    heartbeatMs: options.heartbeatMs ?? settings.workerHeartbeatMs,
    onBeat: (view) => {
      metrics.deliveryWorkers.set(view.size);
    },
    brokerLag: () => brokerLag.snapshot(),
  });
  const sender = createHttpSender({
    guard,
    timeoutMs: settings.requestTimeoutMs,
    proxy: settings.proxyUrl === undefined ? undefined : new URL(settings.proxyUrl),
  });
  const deliverer = createDeliverer({
    directory,
    sender,
    metrics,
    fleet,
    sharedCircuits: createSharedCircuits({ db, logger: log }),
    onSend: (task) => {
      if (task.claim === null) brokerLag.attempted(task.endpointId, task.createdAtMs);
    },
    settings: {
      retry: {
        scheduleSeconds: settings.retryScheduleSeconds,
        maxRetryAfterMs: 24 * 3600_000,
      },
      endpointMaxInFlight: settings.endpointMaxInFlight,
      maxInFlight: concurrency,
      circuit: { threshold: settings.circuitThreshold, cooldownMs: settings.circuitCooldownMs },
    },
  });
  const recorder = createOutcomeRecorder({
    db,
    logger: log,
    metrics,
    workerId: deps.instanceId,
    disableEndpoint: async (id, reason) => {
      await deps.disableEndpoint(id, reason);
    },
  });
  const run = async (task: DeliveryTask) => {
    const outcome = await deliverer.deliver(task);
    const d = task.deferred;
    if (d) {
      outcome.create = {
        eventId: d.eventId,
        eventType: d.eventType,
        chainKey: d.chainKey,
        blockNumber: d.blockNumber,
        body: task.body,
        createdAtMs: task.createdAtMs,
      };
    }
    // Waiting on this write: a claimed task's slot (the PostgreSQL loop claims no more
    // while its slots are held, so a longer wait would cap its rate), and an ordered
    // endpoint's next message, claimable only once this outcome is in the database.
    const soon = task.claim !== null || directory.get(task.endpointId)?.ordered === true;
    await recorder.record(outcome, soon ? { soon: true } : undefined);
  };
  let lastSync = 0;
  const loop = startPostgresLoop({
    db,
    logger: log,
    run,
    beforeClaim: async () => {
      if (Date.now() - lastSync > 250) {
        lastSync = Date.now();
        await directory.sync();
      }
    },
    // Claimed tasks outnumber requests: some wait for their outcome to be written.
    settings: {
      concurrency: concurrency * 2,
      batch: 200,
      visibilityMs: settings.visibilityMs,
      pollMs: settings.pollMs,
    },
  });
  loops.add(loop);
  // Tasks taken from the broker and not finished: a consumer with free slots that
  // takes nothing is looking at an empty stream (see broker-lag.ts).
  let fromBroker = 0;
  const brokerSlots = concurrency * 4;
  brokerLag.setIdleCheck(() => fromBroker < brokerSlots);
  const consumer = engine.consume?.({
    maxInFlight: brokerSlots,
    handle: (task) => {
      fromBroker++;
      return run(task).finally(() => {
        fromBroker--;
      });
    },
    async alreadyDelivered(ids) {
      const { rows } = await db.query<{ id: string }>(
        `SELECT id FROM webhook_messages WHERE id = ANY($1::text[]) AND state = 'delivered'`,
        [ids],
      );
      return new Set(rows.map((r) => r.id));
    },
    async existingEvents(endpointId, eventIds) {
      // One probe of the (endpoint_id, event_id) unique index per event: the LATERAL
      // ... LIMIT 1 keeps the planner from turning it into a join over all of the
      // endpoint's rows. It did that (with "event_id = ANY($2)" and with a plain join)
      // while the table grew faster than autovacuum analysed it: statistics said the
      // endpoint had 178 rows when it had 50,000, and each batch of 100 cost 9–12 ms
      // instead of ~0.15 ms.
      const events = arrayColumns([{ type: 'text', values: eventIds }], 2);
      const { rows } = await db.query<{ event_id: string }>(
        `SELECT x.event_id FROM unnest(${events.sql.join(', ')}) AS x(event_id),
                LATERAL (SELECT 1 FROM webhook_messages m
                          WHERE m.endpoint_id = $1 AND m.event_id = x.event_id LIMIT 1) AS hit`,
        [endpointId, ...events.params],
      );
      return new Set(rows.map((r) => r.event_id));
    },
  });
  // Ingest in another process (the `worker` role) commits rows this loop would otherwise
  // find only at its next poll. A failed LISTEN leaves polling as it was.
  const poke = () => {
    loop.poke();
  };
  const wakeups = deps.wakeups
    ? await db
        .subscribe(WAKEUP_CHANNELS.webhookMessages, { message: poke, gap: poke })
        .catch((err: unknown) => {
          log.warn({ err }, 'cannot listen for webhook message wake-ups; polling');
          return undefined;
        })
    : undefined;
  // Ingest notifies only while some delivery loop says it listens: renewed every 20 s for
  // 60 s, removed at stop (a crashed process's row lapses by itself).
  const listener = randomUUID();
  const listening = () => {
    markWaiting(db, WAKEUP_CHANNELS.webhookMessages, listener, 59_000).catch((err: unknown) => {
      log.debug({ err }, 'could not record the delivery loop as listening');
    });
  };
  let listenTimer: NodeJS.Timeout | undefined;
  if (wakeups) {
    listening();
    listenTimer = setInterval(listening, 20_000);
    listenTimer.unref();
  }
  const syncTimer = setInterval(() => {
    directory.sync().catch((err: unknown) => {
      log.error({ err }, 'could not refresh webhook endpoints');
    });
  }, 500);
  syncTimer.unref();
  let maintaining = false;
  const maintainTimer = setInterval(() => {
    if (maintaining) return;
    maintaining = true;
    deps
      .maintain()
      .catch((err: unknown) => {
        log.error({ err }, 'webhook maintenance failed');
      })
      .finally(() => {
        maintaining = false;
      });
  }, 30_000);
  maintainTimer.unref();
  log.info({ engine: engine.kind, concurrency, workers: fleet.size }, 'webhook delivery running');

  const handle: RunningDelivery = {
    deliverer,
    fleet,
    async stop() {
      clearInterval(syncTimer);
      clearInterval(maintainTimer);
      await consumer?.stop();
      clearInterval(listenTimer);
      await wakeups?.close();
      if (wakeups) {
        await stopWaiting(db, WAKEUP_CHANNELS.webhookMessages, listener).catch(() => undefined);
      }
      loops.delete(loop);
      const { handedBack } = await loop.stop(Math.min(10_000, settings.requestTimeoutMs));
      await recorder.close();
      await sender.close();
      // Last: until its requests are done, this process still uses its share.
      await fleet.leave();
      deps.onStopped?.(handle);
      log.info({ handedBack }, 'webhook delivery stopped');
    },
  };
  return handle;
}
