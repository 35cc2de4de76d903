/**
 * The composition root: every service is built here from its typed dependencies, so the
 * whole dependency graph reads top to bottom in one file. Nothing else calls a factory
 * of another module.
 */
import { readFileSync } from 'node:fs';
import {
  createSecretBox,
  localKeyManagement,
  type SecretBox,
} from './platform/crypto/secret-box.js';
import { resolveMasterKey } from './platform/crypto/master-key.js';
import type { Db } from './platform/db/db.js';
import { openDb } from './platform/db/drivers.js';
import { migrate } from './platform/db/migrate.js';
import { createWakeups, noWakeups, WAKEUP_CHANNELS } from './platform/db/wakeups.js';
import { createHttpApp, type HttpApp } from './platform/http/app.js';
import { createApiRateLimiter } from './platform/http/rate-limit-postgres.js';
import { createMetricsAccess } from './platform/http/metrics-access.js';
import { startOpsServer } from './platform/http/ops.js';
import { createScopeRegistry, type ScopeRegistry } from './platform/http/scopes.js';
import { createSsrfGuard } from './platform/net/ssrf.js';
import { listen, type RunningServer } from './platform/http/server.js';
import { createLifecycle, type Lifecycle } from './platform/lifecycle.js';
import { createLogger, type Logger } from './platform/observability/logger.js';
import { createMetrics, type Metrics } from './platform/observability/metrics.js';
import { AUDIT_SEAL_INTERVAL_MS, createAuditLog, type AuditLog } from './platform/audit/audit.js';
import { startAuditSealer } from './platform/audit/sealer.js';
import { registerAuditRoutes } from './platform/audit/routes.js';
import { registerQueueRoutes } from './platform/queue/routes.js';
import { createSmtpMailer, noMailer } from './platform/mail/mailer.js';
import {
  createNotifications,
  NOTIFICATION_SCOPES,
  type ContactLookup,
} from './platform/notifications/notifications.js';
import { registerNotificationRoutes } from './platform/notifications/routes.js';
import { createAnchorSigner } from './platform/audit/anchor.js';
import {
  createFileAnchorSink,
  createUrlAnchorSink,
  type AnchorSink,
} from './platform/audit/anchor-sinks.js';
import {
  AUDIT_ANCHOR_LEASE,
  createAuditAnchorer,
  type AuditAnchorer,
} from './platform/audit/anchorer.js';
import type { LeaseManager } from './platform/leases/leases.js';
import { createPostgresLeaseManager } from './platform/leases/postgres.js';
import {
  buildModules,
  eventCatalogOf,
  moduleMaintenanceTasks,
  moduleAuthenticator,
  registerModuleRoutes,
  runModuleStarts,
  startModuleRoles,
} from './platform/modules/compose.js';
import type { PlatformServices, ServicesOf } from './platform/modules/descriptor.js';
import { createOutbox, type Outbox } from './platform/outbox/outbox.js';
import { createPostgresJobQueue } from './platform/queue/postgres.js';
import type { JobQueue } from './platform/queue/queue.js';
import { startSchedulerRole } from './platform/roles/scheduler.js';
import { startWorkerRole } from './platform/roles/worker.js';
import { migrationSources } from './migrations.js';
import { MODULES, type Config } from './modules.js';

export { DEMO_ASSETS } from './ledger/module.js';
export type { Config } from './modules.js';

export const VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

/** The services of the modules `src/modules.ts` lists, by module name (`vw.wallet`). */
export type ModuleServices = ServicesOf<typeof MODULES.modules>;

export type Vaultwire = VaultwireCore & ModuleServices;

export interface VaultwireCore {
  config: Config;
  logger: Logger;
  db: Db;
  metrics: Metrics;
  secretBox: SecretBox;
  lifecycle: Lifecycle;
  http: HttpApp;
  /** The hash-chained audit log every module records security-relevant actions in. */
  audit: AuditLog;
  /** Exports the audit chain head off-site (run by the `scheduler` when a sink is set). */
  auditAnchorer: AuditAnchorer;
  /** Scopes API keys can hold; each module declares its own. */
  scopes: ScopeRegistry;
  /** Durable background jobs; handlers run in the `worker` role. */
  jobs: JobQueue;
  /** Domain events, written in the caller's transaction and relayed by the `scheduler`. */
  outbox: Outbox;
  /** Leases with fencing tokens for work that must run in one place at a time. */
  leases: LeaseManager;
  /** What every module was built with. */
  platform: PlatformServices;
  /** Starts the given roles (default: those in config). Resolves once they run. */
  start(roles?: readonly string[]): Promise<StartedRoles>;
  /** Graceful stop of everything started, then the database. */
  stop(reason?: string): Promise<void>;
}

export interface StartedRoles {
  roles: readonly string[];
  /** Port of the HTTP server when the api role runs. */
  port?: number;
  /** Port of the operations listener when `VW_OPS_PORT` is set. */
  opsPort?: number;
}

export interface BuildOptions {
  config: Config;
  logger?: Logger;
  /** An open database to use instead of opening one from config (tests). */
  db?: Db;
  /** Apply migrations while building (default true). */
  migrate?: boolean;
  /** Wall clock in ms (tests move it to cross TOTP steps). */
  now?: () => number;
}

/** The URLs the API answers on, as a client on this machine reaches them. */
export function serverUrls(host: string, port: number): { api: string; docs: string } {
  const reachable =
    host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const base = `http://${reachable}:${port}`;
  return { api: `${base}/v1`, docs: `${base}/docs` };
}

export async function buildVaultwire(options: BuildOptions): Promise<Vaultwire> {
  const { config } = options;
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const db =
    options.db ??
    (await openDb({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      poolMax: config.dbPoolMax,
      applicationName: `vaultwire:${config.instanceId}`,
    }));
  if (options.migrate ?? true) {
    const result = await migrate(db, {
      sources: migrationSources(),
      log: (msg) => {
        logger.info(msg);
      },
    });
    logger.info(
      { applied: result.applied.length, existing: result.existing, driver: db.kind },
      'database ready',
    );
  }

  const metrics = createMetrics();
  const lifecycle = createLifecycle({ logger, timeoutMs: config.shutdownTimeoutMs });
  // Registered first so it runs last: every other component stops before its database
  // goes. A database handed in by the caller (tests) is the caller's to close.
  let dbClosed = options.db !== undefined;
  lifecycle.onStop('database', async () => {
    if (dbClosed) return;
    dbClosed = true;
    await db.close();
  });
  const masterKey = resolveMasterKey({
    masterKey: config.masterKey,
    dataDir: config.dataDir,
    onGenerated: (path) => {
      logger.warn({ path }, 'generated a development master key; set VW_MASTER_KEY in production');
    },
  });
  const secretBox = createSecretBox(localKeyManagement(masterKey));
  const rateLimiter = createApiRateLimiter({ db, logger });
  // Before the database closes: a replica leaving hands its leased tokens back.
  lifecycle.onStop('rate-limit leases', () => rateLimiter.close());
  const now = options.now ?? Date.now;
  const anchorSigner = createAnchorSigner(masterKey);
  const audit = createAuditLog({ db, now, anchorSigner });
  const anchorSinks: AnchorSink[] = [];
  if (config.auditAnchorFile) anchorSinks.push(createFileAnchorSink(config.auditAnchorFile));
  if (config.auditAnchorUrl) {
    anchorSinks.push(
      createUrlAnchorSink({
        url: config.auditAnchorUrl,
        // The same guard as webhook URLs, with an allowlist of its own: the collector is the
        // operator's choice, customers' webhook URLs are not.
        guard: createSsrfGuard({ allow: config.auditAnchorSsrfAllow }),
        userAgent: `vaultwire/${VERSION}`,
        token: config.auditAnchorToken,
      }),
    );
  }
  const auditAnchorer = createAuditAnchorer({
    db,
    logger,
    registry: metrics.registry,
    signer: anchorSigner,
    sinks: anchorSinks,
    intervalMs: config.auditAnchorIntervalSeconds * 1000,
    now,
  });
  const scopes = createScopeRegistry();
  // Idle relay and workers wake when their rows are committed; polling is the fallback.
  const wakeupsOn = (channel: string) =>
    config.dbWakeups ? createWakeups({ db, channel, logger }) : noWakeups;
  const jobWakeups = wakeupsOn(WAKEUP_CHANNELS.jobs);
  const outboxWakeups = wakeupsOn(WAKEUP_CHANNELS.outbox);
  const jobs = createPostgresJobQueue({
    db,
    logger,
    registry: metrics.registry,
    instanceId: config.instanceId,
    visibilityMs: config.jobVisibilityMs,
    pollMs: config.jobPollMs,
    wakeups: jobWakeups,
  });
  lifecycle.onStop('wake-ups', async () => {
    await Promise.all([jobWakeups.close(), outboxWakeups.close()]);
  });
  // Every module's events, declared by the module that publishes them: the outbox refuses
  // an undeclared type, and webhooks and the docs serve this one catalogue.
  const events = eventCatalogOf(MODULES);
  const outbox = createOutbox({
    db,
    jobs,
    logger,
    registry: metrics.registry,
    events,
    wakeups: outboxWakeups,
  });
  const leases = createPostgresLeaseManager({
    db,
    logger,
    registry: metrics.registry,
    instanceId: config.instanceId,
    defaultTtlMs: config.leaseTtlMs,
  });
  // Notices to users (an endpoint of theirs disabled), listed and, with SMTP, emailed.
  const mailer = config.smtpUrl
    ? createSmtpMailer({ url: config.smtpUrl, from: config.mailFrom })
    : noMailer;
  lifecycle.onStop('mailer', () => {
    mailer.close();
    return Promise.resolve();
  });
  // The address book is the identity module's: bound once the modules are built (a
  // notice is only emailed by a job, long after that).
  let contacts: ContactLookup = () => Promise.resolve(undefined);
  const notifications = createNotifications({
    db,
    jobs,
    mailer,
    logger,
    contacts: (id) => contacts(id),
  });
  scopes.register(NOTIFICATION_SCOPES);
  const platform: PlatformServices = {
    config,
    mailer,
    notifications,
    logger,
    db,
    metrics,
    secretBox,
    lifecycle,
    audit,
    jobs,
    outbox,
    leases,
    scopes,
    events,
    rateLimiter,
    now,
    version: VERSION,
  };
  // Each module in dependency order, with its own settings and the services it names.
  const services = (await buildModules(MODULES, platform, config)) as ModuleServices;
  const identity = services.identity;
  contacts = async (id) => {
    const user = await identity.getUser(id);
    return user ? { email: user.email } : undefined;
  };

  const readiness = async () => {
    const checks: Record<string, string> = {};
    let ok = true;
    if (lifecycle.stopping) {
      checks['lifecycle'] = 'shutting down';
      ok = false;
    } else {
      checks['lifecycle'] = 'ok';
    }
    try {
      await db.ping();
      checks['database'] = 'ok';
    } catch (err) {
      checks['database'] = (err as Error).message;
      ok = false;
    }
    return { ok, checks };
  };
  const metricsAccess = createMetricsAccess(config.metricsToken);
  const http = createHttpApp({
    db,
    logger,
    metrics,
    rateLimiter,
    // The platform's sessions and API keys first, then tokens a module issues (merchant keys).
    authenticate: moduleAuthenticator(
      MODULES,
      (token) => identity.authenticate(token),
      services,
      platform,
      config,
    ),
    readiness,
    metricsAccess,
    settings: {
      bodyLimitBytes: config.bodyLimitBytes,
      rateLimitPerIp: config.rateLimitPerIp,
      rateLimitPerKey: config.rateLimitPerKey,
      trustProxy: config.trustProxy,
      version: VERSION,
    },
  });

  // --- routes: the platform's, then each module's -------------------------------------
  // The API may not run the scheduler: the route reads the last anchor from the
  // database and only the sink names from this process's (shared) configuration.
  registerAuditRoutes(http, { audit, anchorer: auditAnchorer });
  registerNotificationRoutes(http, { notifications });
  registerQueueRoutes(http, { jobs, outbox, audit });
  registerModuleRoutes(MODULES, http, services, platform, config);

  let started: Promise<StartedRoles> | undefined;

  const vaultwire: Vaultwire = {
    config,
    logger,
    db,
    metrics,
    secretBox,
    lifecycle,
    http,
    audit,
    auditAnchorer,
    scopes,
    jobs,
    outbox,
    leases,
    platform,
    ...services,
    start(roles = config.roles) {
      started ??= (async () => {
        const result: StartedRoles = { roles };
        const sweep = setInterval(() => {
          void rateLimiter.sweep();
        }, 60_000);
        sweep.unref();
        lifecycle.onStop('rate-limiter', () => {
          clearInterval(sweep);
          return Promise.resolve();
        });
        await runModuleStarts(MODULES, services, platform, config);
        // First, so it stops last: probes see /readyz turn 503 while the roles drain,
        // and the last metrics stay scrapeable until the process is done.
        if (config.opsPort !== undefined) {
          const ops = await startOpsServer(
            { metrics, readiness, metricsAccess },
            { port: config.opsPort, host: config.opsHost },
          );
          lifecycle.onStop('ops', () => ops.close());
          result.opsPort = ops.port;
          logger.info({ port: ops.port, host: config.opsHost }, 'ops listening');
        }
        // Background roles start before the API, so they stop after it (stop steps run
        // in reverse): no new requests, then no new relays, then the jobs drain.
        if (roles.includes('worker')) {
          startWorkerRole({
            jobs,
            lifecycle,
            logger,
            settings: {
              concurrency: config.workerConcurrency,
              shutdownTimeoutMs: config.shutdownTimeoutMs,
            },
          });
        }
        if (roles.includes('scheduler')) {
          const day = 24 * 3600 * 1000;
          if (auditAnchorer.sinks.length === 0 && config.profile === 'prod') {
            logger.warn(
              'audit anchoring is off: set VW_AUDIT_ANCHOR_FILE or VW_AUDIT_ANCHOR_URL, or a database operator can rewrite the audit log undetected',
            );
          }
          const scheduler = startSchedulerRole({
            db,
            jobs,
            outbox,
            leases,
            logger,
            maintenanceTasks: [
              // Relayed events have become jobs; keep them as long as finished jobs.
              {
                name: 'outboxEvents',
                run: () => outbox.pruneDispatched(config.jobRetentionDays * day),
              },
              ...moduleMaintenanceTasks(MODULES, services, platform, config),
            ],
            singletons:
              auditAnchorer.sinks.length > 0
                ? [{ lease: AUDIT_ANCHOR_LEASE, run: (ctx) => auditAnchorer.run(ctx) }]
                : [],
            settings: {
              pollMs: config.jobPollMs,
              leaseTtlMs: config.leaseTtlMs,
              jobRetentionDays: config.jobRetentionDays,
            },
          });
          lifecycle.onStop('scheduler', () => scheduler.stop());
        }
        // The modules' roles (`follower`, `delivery`, …), in module order.
        await startModuleRoles(MODULES, roles, services, platform, config);
        if (roles.includes('api')) {
          // Registered before the server, so it stops after it and seals the last events.
          const sealer = startAuditSealer({
            db,
            audit,
            logger,
            intervalMs: AUDIT_SEAL_INTERVAL_MS,
          });
          lifecycle.onStop('audit sealer', () => sealer.stop());
          const server: RunningServer = await listen(http, {
            port: config.port,
            host: config.host,
          });
          lifecycle.onStop('http', () => server.close());
          result.port = server.port;
          logger.info({ port: server.port, host: config.host }, 'api listening');
        }
        const urls = result.port === undefined ? undefined : serverUrls(config.host, result.port);
        // The line a developer looks for after `npm start`: where to point curl and a browser.
        logger.info(
          { roles, driver: db.kind, profile: config.profile, ...urls },
          urls ? `vaultwire started: API ${urls.api}, reference ${urls.docs}` : 'vaultwire started',
        );
        return result;
      })();
      return started;
    },
    async stop(reason = 'stop') {
      await lifecycle.stop(reason);
    },
  };
  return vaultwire;
}
