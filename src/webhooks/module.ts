import { InvalidArgumentError } from 'commander';
import { z } from 'zod';
import type { ChainsService } from '../chains/service.js';
import { setting } from '../platform/config/config.js';
import { defineModule, type BuildContext, type ModuleCli } from '../platform/modules/descriptor.js';
import {
  runWebhooksDeadLetters,
  runWebhooksReplay,
  runWebhooksStatus,
  type ReplayOptions,
} from './cli.js';
import { WEBHOOK_EVENT_REGISTRY } from './events.js';
import { registerWebhookRoutes } from './routes.js';
import {
  createWebhooksService,
  DEFAULT_WEBHOOK_SETTINGS as DEFAULTS,
  WEBHOOK_SCOPES,
  type WebhooksService,
} from './service.js';

const positiveInt = z.number().int().positive();

/** The webhooks module's settings, by YAML key; defaults are the service's own. */
export const WEBHOOKS_SETTINGS = {
  webhookEngine: setting<'postgres' | 'nats'>({
    env: 'VW_WEBHOOK_ENGINE',
    kind: 'string',
    schema: z.enum(['postgres', 'nats']),
    default: DEFAULTS.engine,
    doc: 'Where webhook first attempts are queued: `postgres` (embedded default, the message rows are the queue) or `nats` (JetStream at `NATS_URL`, for scale-out; a first attempt travels in the stream and its row is written with its outcome, so run the stream with file storage and replicas). Retries, ordered endpoints and replays always run from PostgreSQL.',
  }),
  natsUrl: setting<string>({
    env: 'NATS_URL',
    kind: 'string',
    schema: z.string().regex(/^(nats|tls):\/\/[^\s]+$/, 'must be a nats:// or tls:// URL'),
    default: DEFAULTS.nats.url,
    doc: 'NATS server(s) for the `nats` webhook engine (comma-separated URLs in one string are not supported; use a cluster seed).',
  }),
  webhookNatsAckWaitMs: setting<number>({
    env: 'VW_WEBHOOK_NATS_ACK_WAIT_MS',
    kind: 'int',
    schema: z.number().int().min(1000),
    default: DEFAULTS.nats.ackWaitMs,
    doc: 'How long JetStream waits for a delivery worker to acknowledge a message before giving it to another (a killed worker’s messages come back after it).',
  }),
  webhookNatsStream: setting<string>({
    env: 'VW_WEBHOOK_NATS_STREAM',
    kind: 'string',
    schema: z.string().regex(/^[A-Z][A-Z0-9_]{0,31}$/, 'must be upper-case letters, digits and _'),
    default: DEFAULTS.nats.stream,
    doc: 'JetStream stream of webhook first attempts (its subjects are the lower-cased name plus a partition number).',
  }),
  webhookNatsPartitions: setting<number>({
    env: 'VW_WEBHOOK_NATS_PARTITIONS',
    kind: 'int',
    schema: positiveInt.max(4096),
    default: DEFAULTS.nats.partitions,
    doc: 'Subjects the webhook stream is partitioned into, by endpoint (room to spread the stream over several servers later).',
  }),
  webhookSsrfAllow: setting<string[]>({
    env: 'VW_WEBHOOK_SSRF_ALLOW',
    kind: 'list',
    schema: z.array(
      z.string().regex(/^[0-9a-fA-F:.]+(\/\d{1,3})?$/, 'must be an IP or CIDR range'),
    ),
    default: [],
    doc: 'IP ranges webhook endpoints may point to although they are loopback or private (e.g. `127.0.0.0/8,::1` for local demos and tests). Empty: only public addresses.',
  }),
  webhookProxy: setting<string | undefined>({
    env: 'VW_WEBHOOK_PROXY',
    kind: 'string',
    schema: z
      .string()
      .regex(
        /^http:\/\/[^/?#]+\/?$/i,
        'must be an http:// proxy URL: http://[user:password@]host:port',
      )
      .refine((v) => URL.canParse(v), 'must be a valid URL')
      .optional(),
    default: DEFAULTS.proxyUrl,
    doc: 'HTTP CONNECT proxy (such as Smokescreen) that every webhook request goes through: `http://host:port`, or `http://user:password@host:port` for basic proxy authentication. Each receiver, http or https, is reached through a tunnel asked for by host name; TLS stays end to end. Vaultwire still refuses receivers whose name resolves to a private or loopback address unless `VW_WEBHOOK_SSRF_ALLOW` allows it; the proxy resolves the name again and does its own egress filtering. Unset: direct connections.',
  }),
  webhookAllowHttp: setting<boolean>({
    env: 'VW_WEBHOOK_ALLOW_HTTP',
    kind: 'bool',
    schema: z.boolean(),
    default: (p) => p === 'dev',
    doc: 'Accept plain `http://` webhook URLs. Default: only in the dev profile.',
  }),
  webhookRequestTimeoutMs: setting<number>({
    env: 'VW_WEBHOOK_TIMEOUT_MS',
    kind: 'int',
    schema: z.number().int().min(100).max(120_000),
    default: DEFAULTS.requestTimeoutMs,
    doc: 'Time an attempt has, from the moment it is sent, to get its answer (waiting for a free connection to the endpoint and connecting included) before it counts as a timeout.',
  }),
  webhookRetryScheduleSeconds: setting<number[]>({
    env: 'VW_WEBHOOK_RETRY_SCHEDULE',
    kind: 'list',
    schema: z
      .array(
        z.coerce
          .number()
          .positive()
          .max(7 * 86_400),
      )
      .min(1)
      .max(50),
    default: [...DEFAULTS.retryScheduleSeconds],
    doc: 'Seconds before each retry after an immediate first attempt (±20 % jitter). Default: 5 s, 5 min, 30 min, 2, 5, 10, 14, 20 and 24 h (10 attempts over about 3 days).',
  }),
  webhookMaxItemsPerSubscription: setting<number>({
    env: 'VW_WEBHOOK_MAX_ADDRESSES',
    kind: 'int',
    schema: positiveInt.max(100_000_000),
    default: DEFAULTS.maxItemsPerSubscription,
    doc: 'Most addresses (or transaction hashes) one webhook subscription may watch.',
  }),
  webhookMaxEndpointsPerOwner: setting<number>({
    env: 'VW_WEBHOOK_MAX_ENDPOINTS',
    kind: 'int',
    schema: positiveInt.max(100_000),
    default: DEFAULTS.maxEndpointsPerOwner,
    doc: 'Most webhook endpoints one user may register.',
  }),
  webhookTxDropAfterSeconds: setting<number>({
    env: 'VW_WEBHOOK_TX_DROP_AFTER_SECONDS',
    kind: 'int',
    schema: z
      .number()
      .int()
      .min(10)
      .max(30 * 86_400),
    default: DEFAULTS.txDropAfterSeconds,
    doc: 'Chain time a hash watched by a `transaction` webhook subscription has to be mined in before `tx.dropped` is sent, unless the subscription sets `drop_after_seconds`.',
  }),
  webhookBackfillMaxBlocks: setting<number>({
    env: 'VW_WEBHOOK_BACKFILL_MAX_BLOCKS',
    kind: 'int',
    schema: positiveInt.max(100_000_000),
    default: DEFAULTS.backfillMaxBlocks,
    doc: 'Most blocks behind the chain follower an address added to a webhook subscription with a past `from_block` may be backfilled from; further back is refused (`backfill_too_deep`).',
  }),
  webhookDeliveryConcurrency: setting<number>({
    env: 'VW_WEBHOOK_CONCURRENCY',
    kind: 'int',
    schema: positiveInt.max(100_000),
    default: DEFAULTS.deliveryConcurrency,
    doc: 'Webhook requests in flight per `delivery` process.',
  }),
  webhookEndpointMaxInFlight: setting<number>({
    env: 'VW_WEBHOOK_ENDPOINT_IN_FLIGHT',
    kind: 'int',
    schema: positiveInt.max(10_000),
    default: DEFAULTS.endpointMaxInFlight,
    doc: 'Requests in flight (and pooled keep-alive connections) per endpoint per `delivery` process, unless the endpoint sets its own.',
  }),
  webhookFleetHeartbeatMs: setting<number>({
    env: 'VW_WEBHOOK_FLEET_HEARTBEAT_MS',
    kind: 'int',
    schema: z.number().int().min(500).max(60_000),
    default: DEFAULTS.workerHeartbeatMs,
    doc: 'How often each `delivery` process heartbeats in `webhook_workers` and recounts the fleet it splits endpoint rate limits and in-flight bounds across. A process missing three heartbeats stops counting; shorter reacts faster to workers leaving or dying, at one small query per process per beat.',
  }),
  webhookVisibilityMs: setting<number>({
    env: 'VW_WEBHOOK_VISIBILITY_MS',
    kind: 'int',
    schema: z.number().int().min(1000),
    default: DEFAULTS.visibilityMs,
    doc: 'How long a claimed webhook message stays invisible to other delivery workers; a crashed worker’s messages come back after it.',
  }),
  webhookPollMs: setting<number>({
    env: 'VW_WEBHOOK_POLL_MS',
    kind: 'int',
    schema: positiveInt.max(60_000),
    default: DEFAULTS.pollMs,
    doc: 'How often an idle delivery worker looks for due webhook messages in PostgreSQL.',
  }),
  webhookCircuitThreshold: setting<number>({
    env: 'VW_WEBHOOK_CIRCUIT_THRESHOLD',
    kind: 'int',
    schema: positiveInt.max(1_000_000),
    default: DEFAULTS.circuitThreshold,
    doc: 'Failed attempts in a row that open an endpoint’s circuit breaker.',
  }),
  webhookCircuitCooldownMs: setting<number>({
    env: 'VW_WEBHOOK_CIRCUIT_COOLDOWN_MS',
    kind: 'int',
    schema: positiveInt.max(3_600_000),
    default: DEFAULTS.circuitCooldownMs,
    doc: 'When an endpoint’s circuit opens, deliveries to it wait this long (doubling per failed probe, up to 5 min) without using up attempts.',
  }),
  webhookDisableAfterHours: setting<number>({
    env: 'VW_WEBHOOK_DISABLE_AFTER_HOURS',
    kind: 'int',
    schema: positiveInt.max(24 * 365),
    default: DEFAULTS.disableAfterHours,
    doc: 'An endpoint whose every delivery failed for this long is disabled, and its owner notified (`GET /v1/notifications`, email with `VW_SMTP_URL`, a `webhook.endpoint.disabled` event to their other endpoints).',
  }),
  webhookRetentionDays: setting<number>({
    env: 'VW_WEBHOOK_RETENTION_DAYS',
    kind: 'int',
    schema: positiveInt.max(3650),
    default: DEFAULTS.retentionDays,
    doc: 'Days delivered webhook messages and attempt logs are kept, and messages recorded while their endpoint was disabled (`skipped`, recoverable with `/recover`); dead letters are kept until replayed or the endpoint is deleted. The `scheduler` role prunes them in its maintenance pass (every 10 minutes).',
  }),
} as const;

/** Webhook endpoints, subscriptions and the delivery engine; the `delivery` role. */
export const webhooksModule = defineModule<{ chains: ChainsService }>()({
  name: 'webhooks',
  dependsOn: ['chains'],
  settings: WEBHOOKS_SETTINGS,
  scopes: WEBHOOK_SCOPES,
  events: WEBHOOK_EVENT_REGISTRY,
  roles: [
    {
      name: 'delivery',
      description: 'Webhook delivery: any number of processes, each claims and pulls its share',
      start: ({ service }) => service.startDelivery(),
    },
  ],
  build: ({
    platform,
    settings,
    deps,
  }: BuildContext<typeof WEBHOOKS_SETTINGS, { chains: ChainsService }>) => {
    const { chains } = deps;
    const webhooks = createWebhooksService({
      db: platform.db,
      events: platform.events,
      notifications: platform.notifications,
      logger: platform.logger,
      outbox: platform.outbox,
      jobs: platform.jobs,
      secretBox: platform.secretBox,
      audit: platform.audit,
      registry: platform.metrics.registry,
      instanceId: platform.config.instanceId,
      knownChains: () => chains.keys(),
      chains: {
        heights: (key) => chains.heights(key),
        fetchBlocks(key, from, to, contracts) {
          const adapter = chains.adapter(key);
          if (!adapter) return Promise.reject(new Error(`no chain ${key}`));
          if (!contracts || contracts.length === 0) return adapter.fetchBlocks(from, to);
          // A one-off interest: the adapter keeps the logs of these contracts as the follower
          // does for contract-log subscriptions; version and mark mean nothing outside it.
          const wanted = new Set(contracts);
          return adapter.fetchBlocks(from, to, {
            version: -1,
            mark: 0n,
            wants: (c) => wanted.has(c),
          });
        },
        async isMined(key, txHash) {
          const adapter = chains.adapter(key);
          if (!adapter) throw new Error(`no chain ${key}`);
          return (await adapter.transactionStatus(txHash)) === 'mined';
        },
      },
      wakeups: platform.config.dbWakeups,
      settings: {
        ...DEFAULTS,
        engine: settings.webhookEngine,
        nats: {
          ...DEFAULTS.nats,
          url: settings.natsUrl,
          stream: settings.webhookNatsStream,
          ackWaitMs: settings.webhookNatsAckWaitMs,
          partitions: settings.webhookNatsPartitions,
        },
        allowHttp: settings.webhookAllowHttp,
        ssrfAllow: settings.webhookSsrfAllow,
        proxyUrl: settings.webhookProxy,
        requestTimeoutMs: settings.webhookRequestTimeoutMs,
        retryScheduleSeconds: settings.webhookRetryScheduleSeconds,
        maxItemsPerSubscription: settings.webhookMaxItemsPerSubscription,
        maxEndpointsPerOwner: settings.webhookMaxEndpointsPerOwner,
        txDropAfterSeconds: settings.webhookTxDropAfterSeconds,
        backfillMaxBlocks: settings.webhookBackfillMaxBlocks,
        deliveryConcurrency: settings.webhookDeliveryConcurrency,
        endpointMaxInFlight: settings.webhookEndpointMaxInFlight,
        workerHeartbeatMs: settings.webhookFleetHeartbeatMs,
        visibilityMs: settings.webhookVisibilityMs,
        pollMs: settings.webhookPollMs,
        circuitThreshold: settings.webhookCircuitThreshold,
        circuitCooldownMs: settings.webhookCircuitCooldownMs,
        disableAfterHours: settings.webhookDisableAfterHours,
        retentionDays: settings.webhookRetentionDays,
      },
    });
    // Registered before the roles start, so the broker connection closes after delivery stops.
    platform.lifecycle.onStop('webhooks', () => webhooks.close());
    return webhooks;
  },
  routes: (http, { service }) => {
    registerWebhookRoutes(http, { webhooks: service });
  },
  maintenance: ({ service }) => [{ name: 'webhooks', run: () => service.prune() }],
  cli: webhooksCli,
});

const parseDate = (v: string): Date => {
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new InvalidArgumentError('not a date (use ISO 8601)');
  return d;
};
const parseBlockNumber = (v: string): bigint => {
  if (!/^\d{1,20}$/.test(v)) throw new InvalidArgumentError('not a block number');
  return BigInt(v);
};

function webhooksCli(cli: ModuleCli<WebhooksService, typeof WEBHOOKS_SETTINGS>): void {
  const { program, output } = cli;
  const webhooksCommand = program
    .command('webhooks')
    .description('Webhook endpoints: status, dead letters, replay');

  webhooksCommand
    .command('status')
    .description('State, queue, lag and failures of every endpoint (or one)')
    .option('--endpoint <id>', 'one endpoint (whe_…)')
    .option('--json', 'one JSON object per line')
    .action(async (opts: { endpoint?: string; json?: boolean }) => {
      await cli.run(({ service }) => runWebhooksStatus(service, output, opts));
    });

  webhooksCommand
    .command('dead-letters')
    .description('Messages of an endpoint that ran out of attempts')
    .requiredOption('--endpoint <id>', 'the endpoint (whe_…)')
    .option('--limit <n>', 'how many', (v) => Number.parseInt(v, 10), 100)
    .action(async (opts: { endpoint: string; limit: number }) => {
      await cli.run(({ service }) => runWebhooksDeadLetters(service, output, opts));
    });

  webhooksCommand
    .command('replay')
    .description('Deliver again: one message, a time range or a block range (same webhook-id)')
    .requiredOption('--endpoint <id>', 'the endpoint (whe_…)')
    .option('--message <id>', 'one message (msg_…)')
    .option('--since <time>', 'start of a time range (ISO 8601)', parseDate)
    .option('--until <time>', 'end of a time range (exclusive)', parseDate)
    .option('--from-block <n>', 'first block of a block range', parseBlockNumber)
    .option('--to-block <n>', 'last block of a block range', parseBlockNumber)
    .option('--chain <key>', 'chain of the block range')
    .option('--only-failed', 'only dead letters in the range (alone: every dead letter)')
    .action(async (opts: ReplayOptions) => {
      await cli.run(({ service }) => runWebhooksReplay(service, output, opts));
    });
}
