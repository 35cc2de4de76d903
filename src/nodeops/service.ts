import type { Registry } from 'prom-client';
import type { AuditLog } from '../platform/audit/audit.js';
import type { SecretBox } from '../platform/crypto/secret-box.js';
import type { Db } from '../platform/db/db.js';
import type { LeaseManager } from '../platform/leases/leases.js';
import type { Mailer } from '../platform/mail/mailer.js';
import type { Stoppable } from '../platform/modules/descriptor.js';
import { createSsrfGuard, type Resolver } from '../platform/net/ssrf.js';
import type { Logger } from '../platform/observability/logger.js';
import type { Outbox } from '../platform/outbox/outbox.js';
import { createAlerts, type Alerts } from './alerts.js';
import { createChannelSender } from './channels.js';
import { createFleet, type FleetInternal } from './fleet.js';
import { createHttpClient } from './http.js';
import { createNodeopsMetrics } from './metrics.js';
import { createMonitor, type Monitor } from './monitor.js';
import { createMonitorProbes } from './monitor-probes.js';
import { createMonitors, type Monitors } from './monitors.js';
import { createProducerAlerts, type ProducerAlerts } from './producer-alerts.js';
import { createCometbftProbe } from './probes/cometbft.js';
import { createEosProbe } from './probes/eos.js';
import { createEvmProbe } from './probes/evm.js';
import { createXrplProbe } from './probes/xrpl.js';
import { createReleaseFeed } from './releases.js';
import type { NodeopsSettings } from './settings.js';

/** Node operations: the fleet registry, alerts, and the monitor the `nodeops` role runs. */
export interface NodeopsService {
  readonly settings: NodeopsSettings;
  readonly fleet: FleetInternal;
  readonly alerts: Alerts;
  /** Backup freshness, uptime and heartbeat monitors (not chain nodes). */
  readonly monitors: Monitors;
  /** Alerts about chains' block producers, from the `producer` module's events. */
  readonly producerAlerts: ProducerAlerts;
  /** A monitor over this service's database (the role runs one; tests run several). */
  createMonitor(overrides?: { instanceId?: string }): Monitor;
  /** The `nodeops` role: idles when `nodeops.enabled` is false. */
  startRole(): Promise<Stoppable & { idle: boolean }>;
  close(): Promise<void>;
}

export const NODEOPS_SCOPES = {
  'nodeops:read': 'Read the node fleet, its status, alerts and channels',
  'nodeops:write':
    'Change the node fleet and channels, acknowledge and silence alerts, ban and unban nodes',
} as const;

export interface NodeopsDeps {
  db: Db;
  logger: Logger;
  outbox: Outbox;
  audit: AuditLog;
  leases: LeaseManager;
  secretBox: SecretBox;
  mailer: Mailer;
  registry: Registry;
  instanceId: string;
  now: () => number;
  settings: NodeopsSettings;
  /** Tests resolve names without DNS. */
  resolver?: Resolver;
}

export function createNodeopsService(deps: NodeopsDeps): NodeopsService {
  const { settings } = deps;
  const guard = createSsrfGuard({
    allow: settings.ssrfAllow,
    ...(deps.resolver ? { resolver: deps.resolver } : {}),
  });
  // Polls of nodes and references share a cap on requests in flight; notices and release
  // feeds go through their own client, so a large poll never delays an alert.
  const http = createHttpClient({
    guard,
    timeoutMs: settings.requestTimeoutMs,
    maxInFlight: settings.maxRequestsInFlight,
  });
  const outbound = createHttpClient({ guard, timeoutMs: settings.requestTimeoutMs });
  const fleet = createFleet({
    db: deps.db,
    audit: deps.audit,
    outbox: deps.outbox,
    secretBox: deps.secretBox,
    guard,
    now: deps.now,
  }) as FleetInternal;
  const alerts = createAlerts({
    db: deps.db,
    audit: deps.audit,
    outbox: deps.outbox,
    now: deps.now,
  });
  const metrics = createNodeopsMetrics(deps.registry);
  const probes = {
    cometbft: createCometbftProbe(http),
    evm: createEvmProbe(http),
    eos: createEosProbe(http),
    xrpl: createXrplProbe(http),
  };
  const releases = createReleaseFeed(outbound);
  const send = createChannelSender({ http: outbound, mailer: deps.mailer });
  const logger = deps.logger.child({ module: 'nodeops' });
  const monitorProbes = createMonitorProbes({ guard, timeoutMs: settings.requestTimeoutMs });
  const monitors = createMonitors({
    db: deps.db,
    audit: deps.audit,
    alerts,
    guard,
    probes: monitorProbes,
    metrics,
    logger,
    backupPathRoots: settings.backupPathRoots,
    now: deps.now,
  });

  const service: NodeopsService = {
    settings,
    fleet,
    alerts,
    monitors,
    producerAlerts: createProducerAlerts({ db: deps.db, alerts }),
    createMonitor: (overrides = {}) =>
      createMonitor({
        db: deps.db,
        fleet,
        alerts,
        leases: deps.leases,
        logger,
        metrics,
        probes,
        releases,
        send,
        settings,
        now: deps.now,
        instanceId: overrides.instanceId ?? deps.instanceId,
        watch: monitors,
      }),
    startRole() {
      if (!settings.enabled) {
        logger.info('nodeops.enabled is false: the nodeops role idles');
        return Promise.resolve({ idle: true, stop: () => Promise.resolve() });
      }
      const running = service.createMonitor().start();
      logger.info({ intervalMs: settings.intervalMs }, 'nodeops monitor started');
      return Promise.resolve({ idle: false, stop: () => running.stop() });
    },
    close: async () => {
      await Promise.all([http.close(), outbound.close(), monitorProbes.close()]);
    },
  };
  return service;
}
