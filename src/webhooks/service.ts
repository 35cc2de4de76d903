import type { Registry } from 'prom-client';
import type { AuditLog } from '../platform/audit/audit.js';
import type { SecretBox } from '../platform/crypto/secret-box.js';
import type { Db } from '../platform/db/db.js';
import { newId } from '../platform/ids.js';
import type { Logger } from '../platform/observability/logger.js';
import type { Notifications } from '../platform/notifications/notifications.js';
import type { Outbox } from '../platform/outbox/outbox.js';
import type { JobQueue } from '../platform/queue/queue.js';
import { createDeliveryLog, type DeliveryLog } from './delivery/log.js';
import { DEFAULT_RETRY_SCHEDULE_SECONDS } from './delivery/policy.js';
import { createBrokerLag } from './delivery/broker-lag.js';
import { startDeliveryRuntime, type RunningDelivery } from './delivery/runtime.js';
import { createPostgresEngine, type DeliveryEngine } from './engine/engine.js';
import { createNatsEngine, type NatsEngineSettings } from './engine/nats/engine.js';
import { lazyNats } from './engine/nats/lazy.js';
import type { PostgresLoop } from './engine/postgres/loop.js';
import { createEndpointDirectory, type EndpointDirectory } from './endpoints/directory.js';
import { createEndpointService, type EndpointService } from './endpoints/service.js';
import { createEventTypes } from './event-types.js';
import type { EventCatalog } from '../platform/events/registry.js';
import { createIngest, type Ingest } from './ingest.js';
import { createWebhookMetrics, registerWebhookGauges, type WebhookMetrics } from './metrics.js';
import { pruneWebhooks } from './retention.js';
import { createSsrfGuard, type Resolver, type SsrfGuard } from './ssrf/ssrf.js';
import { BACKFILL_QUEUE, createBackfills, type Backfills } from './subscriptions/backfill.js';
import { messagesForBlock } from './subscriptions/chain-ingest.js';
import type { ChainBlockNotice } from './subscriptions/chain-notice.js';
import type { ChainSource } from './subscriptions/chain-source.js';
import { createSubscriptionMatcher, type SubscriptionMatcher } from './subscriptions/matcher.js';
import { createSubscriptionService, type SubscriptionService } from './subscriptions/service.js';
import { createTxDrops } from './subscriptions/tx-drops.js';

/**
 * The webhooks module: endpoints, subscriptions, ingest of chain and platform events,
 * and the delivery engine (the `delivery` role).
 *
 * Ingest runs where the outbox's jobs run (the `worker` role): each chain block and each
 * platform event becomes one message per interested endpoint; backfills of addresses
 * added with a past `from_block` are jobs there too. Delivery runs in the
 * `delivery` role, any number of processes: they take first attempts from the engine
 * (PostgreSQL rows or NATS JetStream) and retries, ordered endpoints and replays from
 * PostgreSQL, post through per-endpoint undici pools (delivery/sender.ts), and record
 * outcomes in batches. This file is the facade that builds the parts and wires them; the
 * delivery runtime of a process is delivery/runtime.ts.
 *
 * @example
 * const webhooks = createWebhooksService({ db, logger, outbox, jobs, secretBox, audit,
 *   registry, instanceId, knownChains: () => ['eth'], chains, settings, notifications });
 * const running = await webhooks.startDelivery(); // the `delivery` role
 */
export interface WebhooksService {
  readonly endpoints: EndpointService;
  readonly subscriptions: SubscriptionService;
  /** Backfills of addresses added with a past `from_block` (jobs of the `worker` role). */
  readonly backfills: Pick<Backfills, 'list'>;
  readonly log: DeliveryLog;
  readonly ingest: Ingest & {
    /** A follower block notice (`chain.block.*`) to the subscriptions it matches. */
    chainBlock(notice: ChainBlockNotice, createdAt: Date): Promise<number>;
  };
  readonly directory: EndpointDirectory;
  readonly matcher: SubscriptionMatcher;
  readonly engine: DeliveryEngine;
  readonly metrics: WebhookMetrics;
  readonly guard: SsrfGuard;
  /** Every module's events, as the catalogue `GET /v1/event_types` serves. */
  readonly events: EventCatalog;
  /** Keys of the configured chains (subscriptions and block-range replays name one). */
  knownChains(): readonly string[];
  /** Starts delivering (the `delivery` role). */
  startDelivery(options?: { concurrency?: number; heartbeatMs?: number }): Promise<RunningDelivery>;
  /**
   * Upkeep, every 30 s in each `delivery` process: auto-disable long-failing endpoints,
   * recover stuck queued messages, send `tx.dropped` for watched hashes past their
   * deadline.
   */
  maintain(): Promise<{ disabled: number; requeued: number; dropped: number }>;
  /** Removes what outlived the retention period (see retention.ts): the scheduler's task. */
  prune(): Promise<number>;
  close(): Promise<void>;
}

export type { RunningDelivery };

export const WEBHOOK_SCOPES = {
  'webhooks:read': 'Read your webhook endpoints, subscriptions and delivery logs',
  'webhooks:write': 'Manage webhook endpoints and subscriptions; replay deliveries',
} as const satisfies Record<string, string>;

export interface WebhookSettings {
  engine: 'postgres' | 'nats';
  nats: NatsEngineSettings;
  /** Accept plain http:// endpoint URLs (dev). */
  allowHttp: boolean;
  /** IP ranges endpoints may resolve to although they are private (tests, demos). */
  ssrfAllow: readonly string[];
  /** HTTP CONNECT proxy every delivery goes through (`VW_WEBHOOK_PROXY`); undefined: direct. */
  proxyUrl: string | undefined;
  requestTimeoutMs: number;
  retryScheduleSeconds: readonly number[];
  maxItemsPerSubscription: number;
  maxEndpointsPerOwner: number;
  /** Chain time a watched transaction has to be mined in before `tx.dropped`. */
  txDropAfterSeconds: number;
  /** Most blocks behind the follower a `from_block` may reach (backfill bound). */
  backfillMaxBlocks: number;
  /** Blocks a backfill fetches and commits per step. */
  backfillChunkBlocks: number;
  /** Work per backfill job before it hands over to a continuation job. */
  backfillSliceMs: number;
  /** Requests in flight per delivery process. */
  deliveryConcurrency: number;
  /**
   * Requests in flight per endpoint per process, unless the endpoint sets its own (which
   * holds for the whole fleet).
   */
  endpointMaxInFlight: number;
  /**
   * How often a delivery process heartbeats in `webhook_workers` and recounts the fleet
   * it splits endpoint limits across; a process missing three heartbeats stops counting.
   */
  workerHeartbeatMs: number;
  visibilityMs: number;
  pollMs: number;
  /** Failures in a row that open an endpoint's circuit. */
  circuitThreshold: number;
  /** First cool-down of an endpoint's open circuit (doubles per failed probe, up to 5 min). */
  circuitCooldownMs: number;
  /** An endpoint failing without a success for this long is disabled (with a notice). */
  disableAfterHours: number;
  /** A `queued` message the broker has not delivered after this long is retried from PostgreSQL. */
  queuedStuckMs: number;
  retentionDays: number;
}

export const DEFAULT_WEBHOOK_SETTINGS: WebhookSettings = {
  engine: 'postgres',
  nats: {
    url: 'nats://127.0.0.1:4222',
    stream: 'VW_WEBHOOKS',
    partitions: 16,
    ackWaitMs: 60_000,
    maxAckPending: 20_000,
    storage: 'file',
    replicas: 1,
    batch: 100,
  },
  allowHttp: false,
  ssrfAllow: [],
  proxyUrl: undefined,
  requestTimeoutMs: 15_000,
  retryScheduleSeconds: DEFAULT_RETRY_SCHEDULE_SECONDS,
  maxItemsPerSubscription: 500_000,
  maxEndpointsPerOwner: 100,
  txDropAfterSeconds: 600,
  backfillMaxBlocks: 100_000,
  backfillChunkBlocks: 32,
  backfillSliceMs: 20_000,
  deliveryConcurrency: 512,
  endpointMaxInFlight: 64,
  visibilityMs: 60_000,
  pollMs: 200,
  workerHeartbeatMs: 5_000,
  circuitThreshold: 5,
  circuitCooldownMs: 5_000,
  disableAfterHours: 72,
  queuedStuckMs: 15 * 60_000,
  retentionDays: 14,
};

export function createWebhooksService(deps: {
  db: Db;
  /** Every module's events (combined at wiring): what endpoints may take, and whose each is. */
  events: EventCatalog;
  logger: Logger;
  outbox: Outbox;
  /** Runs backfills (handlers run in the `worker` role). */
  jobs: Pick<JobQueue, 'enqueue' | 'register'>;
  secretBox: SecretBox;
  audit: AuditLog;
  registry: Registry;
  instanceId: string;
  knownChains: () => readonly string[];
  /** The follower's heights, blocks for backfills and receipt look-ups. */
  chains: ChainSource;
  settings: WebhookSettings;
  /** DNS resolver (tests make a host name resolve where they want). */
  resolver?: Resolver;
  /** Engine to use instead of the configured one (benchmarks). */
  engine?: DeliveryEngine;
  /** Tells owners their endpoint was disabled (listed, and emailed when SMTP is set up). */
  notifications: Pick<Notifications, 'notify'>;
  /** Delivery loops wake on the database's notification of new messages (see runtime.ts). */
  wakeups?: boolean;
}): WebhooksService {
  const { db, logger, settings } = deps;
  const log = logger.child({ module: 'webhooks' });
  const metrics = createWebhookMetrics(deps.registry);
  const guard = createSsrfGuard({
    allow: settings.ssrfAllow,
    ...(deps.resolver ? { resolver: deps.resolver } : {}),
  });
  const engine =
    deps.engine ??
    (settings.engine === 'nats'
      ? lazyNats(
          () => createNatsEngine({ settings: settings.nats, logger: log, name: deps.instanceId }),
          log,
        )
      : createPostgresEngine());
  const directory = createEndpointDirectory({ db, secretBox: deps.secretBox });
  const matcher = createSubscriptionMatcher({ db });

  const loops = new Set<PostgresLoop>();
  const wake = () => {
    for (const l of loops) l.poke();
  };
  const eventTypes = createEventTypes(deps.events);
  const baseIngest = createIngest({ db, directory, engine, metrics, wake, events: deps.events });
  const txDrops = createTxDrops({
    db,
    directory,
    ingest: baseIngest,
    chains: deps.chains,
    metrics,
    logger: log,
  });
  const ingest: WebhooksService['ingest'] = {
    ...baseIngest,
    async chainBlock(notice, createdAt) {
      await Promise.all([matcher.sync(), directory.sync()]);
      // Only chains with watched hashes keep a clock: no extra write per block otherwise.
      if (notice.stage !== 'removed' && matcher.watchesTransactions(notice.chain)) {
        await txDrops.observe(notice, matcher.watchedTransactions(notice));
      }
      const matches = matcher.match(notice);
      if (matches.length === 0) return 0;
      return baseIngest.createMessages(
        messagesForBlock(notice, matches, directory, createdAt.toISOString()),
      );
    },
  };

  const endpoints = createEndpointService({
    db,
    secretBox: deps.secretBox,
    audit: deps.audit,
    outbox: deps.outbox,
    guard,
    eventTypes,
    settings: {
      allowHttp: settings.allowHttp,
      maxEndpointsPerOwner: settings.maxEndpointsPerOwner,
      retentionDays: settings.retentionDays,
    },
    notify: (notice) => deps.notifications.notify(notice),
    async ping(endpointId) {
      await directory.sync();
      const eventId = newId('wev');
      await baseIngest.createMessages([
        {
          endpointId,
          eventId,
          eventType: 'webhook.ping',
          body: JSON.stringify({
            id: eventId,
            type: 'webhook.ping',
            created_at: new Date().toISOString(),
            data: { endpoint_id: endpointId },
          }),
        },
      ]);
    },
  });
  const backfills = createBackfills({
    db,
    jobs: deps.jobs,
    chains: deps.chains,
    directory,
    ingest: baseIngest,
    metrics,
    logger: log,
    settings: {
      maxBlocks: settings.backfillMaxBlocks,
      chunkBlocks: settings.backfillChunkBlocks,
      sliceMs: settings.backfillSliceMs,
    },
  });
  // Not transactional: a slice waits on the node for seconds, and commits its progress
  // chunk by chunk. The timeout is a hung node's bound, well above a slice.
  deps.jobs.register(BACKFILL_QUEUE, (job) => backfills.run(job), {
    transactional: false,
    timeoutMs: Math.max(10 * 60_000, settings.backfillSliceMs * 5),
  });
  const subscriptions = createSubscriptionService({
    db,
    knownChains: deps.knownChains,
    backfills,
    settings: {
      maxItemsPerSubscription: settings.maxItemsPerSubscription,
      txDropAfterSeconds: settings.txDropAfterSeconds,
    },
  });
  const deliveryLog = createDeliveryLog({ db, wake });

  deps.outbox.subscribe(
    'webhooks.chain',
    ['chain.block.*'],
    async (event) => {
      await ingest.chainBlock(event.payload as ChainBlockNotice, event.createdAt);
    },
    { transactional: false },
  );
  deps.outbox.subscribe(
    'webhooks.platform',
    eventTypes.outboxTypes,
    async (event) => {
      await baseIngest.platformEvent(event);
    },
    { transactional: false },
  );

  const brokerLag = createBrokerLag();
  registerWebhookGauges(deps.registry, {
    async endpoints() {
      const { rows } = await db.detached(() =>
        db.query<{ status: string; n: bigint }>(
          'SELECT status, count(*) AS n FROM webhook_endpoints GROUP BY status',
        ),
      );
      return rows.map((r) => ({ status: r.status, count: Number(r.n) }));
    },
    async lag() {
      const rows = await db.detached(() => deliveryLog.lag());
      // Deferred first attempts wait in the broker, not in rows: merge what this
      // process's delivery measured (the larger figure per endpoint wins).
      const merged = new Map(
        rows.map((r) => [r.endpointId, { seconds: r.seconds, due: r.due }] as const),
      );
      for (const [endpointId, seconds] of brokerLag.snapshot()) {
        const pg = merged.get(endpointId);
        if (!pg || pg.seconds < seconds) merged.set(endpointId, { seconds, due: pg?.due ?? 0 });
      }
      return [...merged]
        .map(([endpointId, v]) => ({ endpointId, ...v }))
        .sort((a, b) => b.seconds - a.seconds)
        .slice(0, 50);
    },
    async backfills() {
      const { rows } = await db.detached(() =>
        db.query<{ state: string; n: bigint }>(
          'SELECT state, count(*) AS n FROM webhook_backfills GROUP BY state',
        ),
      );
      return rows.map((r) => ({ state: r.state, count: Number(r.n) }));
    },
    ...(engine.backlog
      ? { broker: () => engine.backlog?.() ?? Promise.resolve({ pending: 0, ackPending: 0 }) }
      : {}),
  });

  const maintain = async () => {
    const { rows: failing } = await db.query<{ id: string; failing_since: Date }>(
      `SELECT id, failing_since FROM webhook_endpoints
        WHERE status = 'active' AND failing_since < now() - $1 * interval '1 hour'`,
      [settings.disableAfterHours],
    );
    let disabled = 0;
    for (const e of failing) {
      const reason = `every delivery failed since ${e.failing_since.toISOString()} (over ${settings.disableAfterHours} h)`;
      if (await endpoints.disable(e.id, reason)) disabled++;
    }
    const { rowCount: requeued } = await db.query(
      `UPDATE webhook_messages SET state = 'pending', next_attempt_at = now(), updated_at = now()
        WHERE id IN (SELECT id FROM webhook_messages
                      WHERE state = 'queued' AND updated_at < now() - $1 * interval '1 millisecond'
                      LIMIT 10000)`,
      [settings.queuedStuckMs],
    );
    if (requeued > 0) {
      log.warn(
        { requeued },
        'queued messages the broker never delivered: retrying from PostgreSQL',
      );
      wake();
    }
    const dropped = await txDrops.sweep();
    if (dropped > 0)
      log.info({ dropped }, 'watched transactions not mined in time: tx.dropped sent');
    return { disabled, requeued, dropped };
  };

  const running = new Set<RunningDelivery>();

  return {
    endpoints,
    subscriptions,
    backfills,
    log: deliveryLog,
    ingest,
    directory,
    matcher,
    engine,
    metrics,
    guard,
    events: deps.events,
    knownChains: deps.knownChains,
    maintain,
    prune: () => pruneWebhooks(db, settings.retentionDays),

    startDelivery: (options) =>
      startDeliveryRuntime(
        {
          db,
          log,
          instanceId: deps.instanceId,
          settings,
          directory,
          engine,
          metrics,
          guard,
          brokerLag,
          loops,
          disableEndpoint: (id, reason) => endpoints.disable(id, reason),
          maintain,
          ...(deps.wakeups ? { wakeups: true } : {}),
          onStopped: (handle) => running.delete(handle),
        },
        options,
      ).then((handle) => {
        running.add(handle);
        return handle;
      }),

    async close() {
      for (const r of [...running]) await r.stop();
      await engine.close();
    },
  };
}
