import { z } from 'zod';
import { setting } from '../platform/config/config.js';
import { defineModule, type ModuleCli } from '../platform/modules/descriptor.js';
import {
  runProducerExportMark,
  runProducerImportMark,
  runProducerStatus,
  runProducerSwitchover,
} from './cli.js';
import type { NodeopsService } from '../nodeops/service.js';
import { PRODUCER_EVENT_REGISTRY } from './events.js';
import { nodeopsHealthSource } from './nodeops-health.js';
import { registerProducerRoutes } from './routes.js';
import { createProducerService, type ProducerService } from './service.js';
import {
  DEFAULT_PRODUCER_SETTINGS as DEFAULTS,
  ProducerChainsSchema,
  RegionName,
  type ProducerChain,
} from './settings.js';

/** The producer module's settings, by YAML key. */
export const PRODUCER_SETTINGS = {
  producerRegion: setting<string | undefined>({
    env: 'VW_PRODUCER_REGION',
    kind: 'string',
    schema: RegionName.optional(),
    default: undefined,
    doc: 'This process’s region in the block-producer election (e.g. `eu-west`). Unset: the producer module is inert.',
  }),
  producerEtcdEndpoints: setting<string[]>({
    env: 'VW_PRODUCER_ETCD_ENDPOINTS',
    kind: 'list',
    schema: z.array(
      z.string().regex(/^https?:\/\/[^\s/]+\/?$/, 'must be an http(s)://host:port URL'),
    ),
    default: [],
    doc: 'Client URLs of the etcd cluster (3 or 5 members, ideally one in a third site) that holds the producer lease and the high-water marks. Every region must name the same cluster.',
  }),
  producerEtcdPrefix: setting<string>({
    env: 'VW_PRODUCER_ETCD_PREFIX',
    kind: 'string',
    schema: z.string().regex(/^\/[A-Za-z0-9/_-]{1,100}$/),
    default: DEFAULTS.etcdPrefix,
    doc: 'etcd key prefix of the producer keys (`<prefix>/<chain>/leader`, `/mark`, `/switchover`).',
  }),
  producerChains: setting<ProducerChain[]>({
    env: 'VW_PRODUCER_CHAINS',
    kind: 'json',
    schema: ProducerChainsSchema,
    default: [],
    doc: 'Chains this region may produce for: a YAML list under `producerChains:` (or JSON), each with `key`, `algorithm` (`ed25519`|`secp256k1`), `format` (`cometbft`|`raw`), `chainId`, the producer adapter (`startCommand`/`stopCommand`, or `kubernetes`: `kind`, `namespace`, `name`, `replicas`, `apiServer`, `tokenFile`, `caFile`) and `nodeopsChain` (the node-ops chain whose validator nodes decide health failover). See docs/producer.md.',
  }),
  producerLeaseTtlSeconds: setting<number>({
    env: 'VW_PRODUCER_LEASE_TTL_SECONDS',
    kind: 'int',
    schema: z.number().int().min(2).max(60),
    default: DEFAULTS.leaseTtlSeconds,
    doc: 'TTL of the etcd lease the active region holds; it renews every third of it. An involuntary failover takes about this plus the lock delay.',
  }),
  producerLockDelayMs: setting<number>({
    env: 'VW_PRODUCER_LOCK_DELAY_MS',
    kind: 'int',
    schema: z.number().int().min(0).max(120_000),
    default: DEFAULTS.lockDelayMs,
    doc: 'After an involuntary loss of the lease no region campaigns for this long (Consul’s lock-delay). Safety does not depend on it (the mark fences signatures); it gives a lost producer time to notice.',
  }),
  producerClockMarginPercent: setting<number>({
    env: 'VW_PRODUCER_CLOCK_MARGIN_PERCENT',
    kind: 'int',
    schema: z.number().int().min(5).max(60),
    default: DEFAULTS.clockMarginPercent,
    doc: 'The active region stops signing TTL × (1 − margin) after its last renewal was sent: how much slower its clock may run than etcd’s before it could sign past its lease.',
  }),
  producerPollMs: setting<number>({
    env: 'VW_PRODUCER_POLL_MS',
    kind: 'int',
    schema: z.number().int().min(20).max(10_000),
    default: DEFAULTS.pollMs,
    doc: 'How often a standby region looks at the leader key (and the active one at switchover requests).',
  }),
  producerHookTimeoutMs: setting<number>({
    env: 'VW_PRODUCER_HOOK_TIMEOUT_MS',
    kind: 'int',
    schema: z.number().int().min(100).max(600_000),
    default: DEFAULTS.hookTimeoutMs,
    doc: 'Time a start or stop command has before it is killed.',
  }),
  producerFailoverAfterSeconds: setting<number>({
    env: 'VW_PRODUCER_FAILOVER_AFTER_SECONDS',
    kind: 'int',
    schema: z.number().int().min(0).max(86_400),
    default: DEFAULTS.healthFailover.unhealthyForMs / 1000,
    doc: 'Health-driven failover: the active region hands the producer role to a healthy region once the node-ops checks have found its validator node out of consensus (or banned) this long. 0: off (only lease loss and switchovers move the role).',
  }),
  producerFailoverHealthySeconds: setting<number>({
    env: 'VW_PRODUCER_FAILOVER_HEALTHY_SECONDS',
    kind: 'int',
    schema: z.number().int().min(0).max(86_400),
    default: DEFAULTS.healthFailover.healthyForMs / 1000,
    doc: 'A region is handed the role by a health failover only after its validator node has been seen in consensus this long.',
  }),
  producerFailoverCooldownSeconds: setting<number>({
    env: 'VW_PRODUCER_FAILOVER_COOLDOWN_SECONDS',
    kind: 'int',
    schema: z.number().int().min(0).max(86_400),
    default: DEFAULTS.healthFailover.cooldownMs / 1000,
    doc: 'At most one health-driven failover per chain in this window (kept in etcd, shared by the regions): no flapping between two sick regions.',
  }),
  producerFailoverWhenAllUnhealthy: setting<boolean>({
    env: 'VW_PRODUCER_FAILOVER_WHEN_ALL_UNHEALTHY',
    kind: 'bool',
    schema: z.boolean(),
    default: DEFAULTS.healthFailover.whenAllUnhealthy,
    doc: 'Also hand over when the other regions are unhealthy too (to the one out of consensus the shortest time). Off: the active region stays while no region is healthy. A banned region is never made active either way.',
  }),
  producerHealthStaleSeconds: setting<number>({
    env: 'VW_PRODUCER_HEALTH_STALE_SECONDS',
    kind: 'int',
    schema: z.number().int().min(1).max(3600),
    default: DEFAULTS.healthFailover.staleMs / 1000,
    doc: 'Node checks older than this count as unknown (the node-ops monitor is not running): unknown health never moves the role.',
  }),
} as const;

const PRODUCER_SCOPES = {
  'producer_signatures:write': 'Ask the remote signer for block-producer signatures',
  'producer:read': 'Read producer chains, active regions and marks',
  'producer:write': 'Switch over producer regions, import marks and keys',
};

/** One active block producer per chain across regions (the `producer` role). */
export const producerModule = defineModule<{ nodeops: NodeopsService }>()({
  name: 'producer',
  dependsOn: ['nodeops'],
  settings: PRODUCER_SETTINGS,
  scopes: PRODUCER_SCOPES,
  events: PRODUCER_EVENT_REGISTRY,
  roles: [
    {
      name: 'producer',
      description:
        'Campaigns for the block-producer lease of every producer chain, signs when active (run with `api`)',
      start: ({ service }) => service.start(),
    },
  ],
  build: ({ platform, settings, deps }) =>
    createProducerService({
      db: platform.db,
      secretBox: platform.secretBox,
      audit: platform.audit,
      outbox: platform.outbox,
      logger: platform.logger,
      registry: platform.metrics.registry,
      now: platform.now,
      settings: {
        region: settings.producerRegion,
        etcdEndpoints: settings.producerEtcdEndpoints,
        etcdPrefix: settings.producerEtcdPrefix,
        chains: settings.producerChains,
        leaseTtlSeconds: settings.producerLeaseTtlSeconds,
        lockDelayMs: settings.producerLockDelayMs,
        clockMarginPercent: settings.producerClockMarginPercent,
        pollMs: settings.producerPollMs,
        hookTimeoutMs: settings.producerHookTimeoutMs,
        healthFailover: {
          unhealthyForMs: settings.producerFailoverAfterSeconds * 1000,
          healthyForMs: settings.producerFailoverHealthySeconds * 1000,
          cooldownMs: settings.producerFailoverCooldownSeconds * 1000,
          whenAllUnhealthy: settings.producerFailoverWhenAllUnhealthy,
          staleMs: settings.producerHealthStaleSeconds * 1000,
          pollMs: DEFAULTS.healthFailover.pollMs,
        },
      },
      health: nodeopsHealthSource({
        fleet: deps.nodeops.fleet,
        backups: deps.nodeops.monitors,
        chainKey: (chain) =>
          settings.producerChains.find((c) => c.key === chain)?.nodeopsChain ?? chain,
        staleMs: settings.producerHealthStaleSeconds * 1000,
        now: platform.now,
      }),
    }),
  routes: (http, { service }) => {
    registerProducerRoutes(http, { producer: service });
  },
  cli: producerCli,
});

function producerCli(cli: ModuleCli<ProducerService, typeof PRODUCER_SETTINGS>): void {
  const { program, output } = cli;
  const cmd = program
    .command('producer')
    .description('Block-producer regions: status, switchover, high-water marks');
  cmd
    .command('status')
    .description('Each producer chain: active region, this region’s state, mark, key')
    .option('--json', 'print one JSON object per chain')
    .action(async (opts: { json?: boolean }) => {
      await cli.run(({ service }) => runProducerStatus(service, output, opts));
    });
  cmd
    .command('switchover')
    .description('Drain the active region and promote another (audited)')
    .requiredOption('--chain <key>', 'producer chain key')
    .option('--to <region>', 'region to promote')
    .option('--from <region>', 'region to drain')
    .action(async (opts: { chain: string; to?: string; from?: string }) => {
      await cli.run(({ service, actor }) => runProducerSwitchover(service, output, actor, opts));
    });
  cmd
    .command('export-mark')
    .description('Print the chain’s high-water mark (vaultwire.producer.mark.v1 JSON)')
    .requiredOption('--chain <key>', 'producer chain key')
    .action(async (opts: { chain: string }) => {
      await cli.run(({ service }) => runProducerExportMark(service, output, opts));
    });
  cmd
    .command('import-mark')
    .description('Raise the chain’s mark from an interchange file; a lower mark is refused')
    .requiredOption('--chain <key>', 'producer chain key')
    .requiredOption('--file <path>', 'vaultwire.producer.mark.v1 JSON file')
    .action(async (opts: { chain: string; file: string }) => {
      await cli.run(({ service, actor }) => runProducerImportMark(service, output, actor, opts));
    });
}
