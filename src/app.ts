/**
 * The composition root: every service is built here from its typed dependencies, so the
 * whole dependency graph reads top to bottom in one file. Nothing else calls a factory
 * of another module.
 */
import { readFileSync } from 'node:fs';
import type { Config, Role } from './platform/config/config.js';
import {
  createSecretBox,
  localKeyManagement,
  type SecretBox,
} from './platform/crypto/secret-box.js';
import { resolveMasterKey } from './platform/crypto/master-key.js';
import type { Db } from './platform/db/db.js';
import { openDb } from './platform/db/drivers.js';
import { migrate } from './platform/db/migrate.js';
import { createHttpApp, type HttpApp } from './platform/http/app.js';
import { createApiRateLimiter } from './platform/http/rate-limit-postgres.js';
import { createMetricsAccess } from './platform/http/metrics-access.js';
import { startOpsServer } from './platform/http/ops.js';
import { listen, type RunningServer } from './platform/http/server.js';
import { createLifecycle, type Lifecycle } from './platform/lifecycle.js';
import { createLogger, type Logger } from './platform/observability/logger.js';
import { createMetrics, type Metrics } from './platform/observability/metrics.js';
import { createAuditLog, type AuditLog } from './platform/audit/audit.js';
import { registerAuditRoutes } from './platform/audit/routes.js';
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
import { registerIdentityRoutes } from './identity/routes.js';
import { createScopeRegistry, IDENTITY_SCOPES, type ScopeRegistry } from './identity/scopes.js';
import { createIdentityService, type IdentityService } from './identity/service.js';
import { createLedgerService, type LedgerService } from './ledger/service.js';
import { createLedgerFunds } from './chains/funds.js';
import { registerChainRoutes } from './chains/routes.js';
import { createPriceSource } from './wallet/prices/select.js';
import { createTestRail } from './wallet/rails/test-rail.js';
import { registerWalletRoutes } from './wallet/routes.js';
import { createWalletService, WALLET_SCOPES, type WalletService } from './wallet/service.js';
import { CHAIN_SCOPES, createChainsService, type ChainsService } from './chains/service.js';
import type { LeaseManager } from './platform/leases/leases.js';
import { createPostgresLeaseManager } from './platform/leases/postgres.js';
import { createOutbox, type Outbox } from './platform/outbox/outbox.js';
import { platformEvents } from './events.js';
import { createPostgresJobQueue } from './platform/queue/postgres.js';
import type { JobQueue } from './platform/queue/queue.js';
import { startSchedulerRole } from './platform/roles/scheduler.js';
import { startWorkerRole } from './platform/roles/worker.js';
import { registerWebhookRoutes } from './webhooks/routes.js';
import { createContractLogInterest } from './webhooks/subscriptions/log-interest.js';
import { createSsrfGuard } from './webhooks/ssrf/ssrf.js';
import {
  createWebhooksService,
  DEFAULT_WEBHOOK_SETTINGS,
  WEBHOOK_SCOPES,
  type WebhooksService,
} from './webhooks/service.js';

export const VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

export interface Vaultwire {
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
  /** Scopes API keys can hold; each module registers its own. */
  scopes: ScopeRegistry;
  /** Users, sessions, API keys, roles, TOTP. */
  identity: IdentityService;
  /** Durable background jobs; handlers run in the `worker` role. */
  jobs: JobQueue;
  /** Domain events, written in the caller's transaction and relayed by the `scheduler`. */
  outbox: Outbox;
  /** Leases with fencing tokens for work that must run in one place at a time. */
  leases: LeaseManager;
  /** The double-entry ledger: assets, accounts, balances, transfers, holds. */
  ledger: LedgerService;
  /** Chain followers, custody, deposits and withdrawals. */
  chains: ChainsService;
  /** Balances, payments, trades, bank transfers, limits and freezes, on the ledger. */
  wallet: WalletService;
  /** Webhook endpoints, subscriptions and the delivery engine (`delivery` role). */
  webhooks: WebhooksService;
  /** Starts the given roles (default: those in config). Resolves once they run. */
  start(roles?: readonly Role[]): Promise<StartedRoles>;
  /** Graceful stop of everything started, then the database. */
  stop(reason?: string): Promise<void>;
}

export interface StartedRoles {
  roles: readonly Role[];
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

/** What the `dev` profile registers at start (VW_DEMO_ASSETS), so the walkthrough needs no setup. */
export const DEMO_ASSETS = [
  { code: 'USD', kind: 'fiat', scale: 2, name: 'US Dollar' },
  { code: 'EUR', kind: 'fiat', scale: 2, name: 'Euro' },
  { code: 'BTC', kind: 'crypto', scale: 8, name: 'Bitcoin' },
  { code: 'ETH', kind: 'crypto', scale: 18, name: 'Ether' },
  { code: 'USDC', kind: 'crypto', scale: 6, name: 'USD Coin' },
] as const;

async function seedDemoAssets(ledger: LedgerService, logger: Logger): Promise<void> {
  const created: string[] = [];
  for (const asset of DEMO_ASSETS) {
    const r = await ledger.createAsset(asset);
    // An asset of that code with other settings is the operator's: theirs stands.
    if (!r.ok)
      logger.warn({ asset: asset.code, error: r.error }, `demo asset not added: ${r.message}`);
    else if (r.created) created.push(asset.code);
  }
  if (created.length > 0) logger.info({ assets: created }, 'demo assets added');
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
        // The webhooks' guard, with an allowlist of its own: the collector is the
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
  const scopes = createScopeRegistry(IDENTITY_SCOPES);
  const identity = createIdentityService({
    db,
    logger,
    audit,
    secretBox,
    scopes,
    settings: {
      passwordKdfLog2N: config.passwordKdfLog2N,
      sessionTtlSeconds: config.sessionTtlSeconds,
    },
    now,
  });
  const jobs = createPostgresJobQueue({
    db,
    logger,
    registry: metrics.registry,
    instanceId: config.instanceId,
    visibilityMs: config.jobVisibilityMs,
    pollMs: config.jobPollMs,
  });
  // Every module's events, declared by the module that publishes them: the outbox refuses
  // an undeclared type, and webhooks and the docs serve this one catalogue.
  const events = platformEvents();
  const outbox = createOutbox({ db, jobs, logger, registry: metrics.registry, events });
  const leases = createPostgresLeaseManager({
    db,
    logger,
    registry: metrics.registry,
    instanceId: config.instanceId,
    defaultTtlMs: config.leaseTtlMs,
  });
  // Ledger events are not wired to the outbox yet: the wallet publishes its own domain
  // events; `events` is where ledger-level ones would plug in.
  const ledger = createLedgerService({ db, logger, clock: () => new Date(now()) });
  // Registered before the roles start, so it runs after the HTTP server has stopped.
  lifecycle.onStop('ledger', () => ledger.drain());
  // Contract-log webhook subscriptions name contracts whose every log the followers must
  // emit, whatever their configured log filters.
  const contractLogInterest = createContractLogInterest({ db });
  const chains = createChainsService({
    db,
    logger,
    outbox,
    leases,
    funds: createLedgerFunds(ledger),
    secretBox,
    registry: metrics.registry,
    chains: config.chains,
    custody: { xpub: config.custodyXpub, mnemonic: config.custodyMnemonic },
    logInterest: contractLogInterest,
    audit,
  });
  scopes.register(CHAIN_SCOPES);
  const walletClock = () => new Date(now());
  const wallet = createWalletService({
    db,
    ledger,
    outbox,
    jobs,
    audit,
    logger,
    users: {
      get: (id) => identity.getUser(id),
      findByEmail: (email) => identity.findUserByEmail(email),
      findByHandle: (handle) => identity.findUserByHandle(handle),
    },
    prices: createPriceSource({
      source: config.walletPriceSource,
      staticPrices: config.walletStaticPrices,
      url: config.walletPriceUrl,
      timeoutMs: config.walletPriceTimeoutMs,
      userAgent: `vaultwire/${VERSION}`,
      clock: walletClock,
    }),
    rail: config.walletTestRail
      ? createTestRail({ settleMs: config.walletTestRailSettleMs, clock: walletClock })
      : undefined,
    settings: {
      quoteTtlSeconds: config.walletQuoteTtlSeconds,
      spreadBps: config.walletSpreadBps,
      feeBps: config.walletFeeBps,
      priceMaxAgeSeconds: config.walletPriceMaxAgeSeconds,
      priceReference: config.walletPriceReference,
      limits: config.walletLimits,
    },
    clock: walletClock,
  });
  scopes.register(WALLET_SCOPES);
  const webhooks = createWebhooksService({
    db,
    events,
    logger,
    outbox,
    jobs,
    secretBox,
    audit,
    registry: metrics.registry,
    instanceId: config.instanceId,
    knownChains: () => config.chains.map((c) => c.key),
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
    settings: {
      ...DEFAULT_WEBHOOK_SETTINGS,
      engine: config.webhookEngine,
      nats: {
        ...DEFAULT_WEBHOOK_SETTINGS.nats,
        url: config.natsUrl,
        stream: config.webhookNatsStream,
        ackWaitMs: config.webhookNatsAckWaitMs,
        partitions: config.webhookNatsPartitions,
      },
      allowHttp: config.webhookAllowHttp,
      ssrfAllow: config.webhookSsrfAllow,
      proxyUrl: config.webhookProxy,
      requestTimeoutMs: config.webhookRequestTimeoutMs,
      retryScheduleSeconds: config.webhookRetryScheduleSeconds,
      maxItemsPerSubscription: config.webhookMaxItemsPerSubscription,
      maxEndpointsPerOwner: config.webhookMaxEndpointsPerOwner,
      txDropAfterSeconds: config.webhookTxDropAfterSeconds,
      backfillMaxBlocks: config.webhookBackfillMaxBlocks,
      deliveryConcurrency: config.webhookDeliveryConcurrency,
      endpointMaxInFlight: config.webhookEndpointMaxInFlight,
      workerHeartbeatMs: config.webhookFleetHeartbeatMs,
      visibilityMs: config.webhookVisibilityMs,
      pollMs: config.webhookPollMs,
      circuitThreshold: config.webhookCircuitThreshold,
      circuitCooldownMs: config.webhookCircuitCooldownMs,
      disableAfterHours: config.webhookDisableAfterHours,
      retentionDays: config.webhookRetentionDays,
    },
  });
  scopes.register(WEBHOOK_SCOPES);
  // Registered before the roles start, so the broker connection closes after delivery stops.
  lifecycle.onStop('webhooks', () => webhooks.close());
  // Checks the custody wallet against its settings and registers chain assets in the
  // ledger before anything runs; without chains or custody settings it waits for first use.
  if (config.chains.length > 0 || config.custodyXpub || config.custodyMnemonic) {
    await chains.init();
  }

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
    authenticate: (token) => identity.authenticate(token),
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

  // --- module routes -------------------------------------------------------------
  registerIdentityRoutes(http, {
    identity,
    scopes,
    rateLimiter,
    metrics,
    settings: { rateLimitLoginPerMin: config.rateLimitLoginPerMin },
    now,
  });
  // The API may not run the scheduler: the route reads the last anchor from the
  // database and only the sink names from this process's (shared) configuration.
  registerAuditRoutes(http, { audit, anchorer: auditAnchorer });
  registerChainRoutes(http, { chains });
  registerWalletRoutes(http, { wallet, ledger });
  registerWebhookRoutes(http, { webhooks });

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
    identity,
    jobs,
    outbox,
    leases,
    ledger,
    chains,
    wallet,
    webhooks,
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
        if (config.demoAssets) await seedDemoAssets(ledger, logger);
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
              { name: 'walletLimitCounters', run: () => wallet.pruneLimitCounters() },
              { name: 'webhooks', run: () => webhooks.prune() },
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
        if (roles.includes('follower')) {
          // One follower and one withdrawal sender per chain, each under its own lease.
          const running = chains.startFollowers();
          lifecycle.onStop('chains', () => running.stop());
        }
        if (roles.includes('delivery')) {
          // Any number of processes: each claims and pulls its own share.
          const delivery = await webhooks.startDelivery();
          lifecycle.onStop('webhook-delivery', () => delivery.stop());
        }
        if (roles.includes('api')) {
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
