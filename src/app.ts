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
import { createRateLimiter } from './platform/http/rate-limit.js';
import { listen, type RunningServer } from './platform/http/server.js';
import { createLifecycle, type Lifecycle } from './platform/lifecycle.js';
import { createLogger, type Logger } from './platform/observability/logger.js';
import { createMetrics, type Metrics } from './platform/observability/metrics.js';
import { createAuditLog, type AuditLog } from './platform/audit/audit.js';
import { registerAuditRoutes } from './platform/audit/routes.js';
import { registerIdentityRoutes } from './identity/routes.js';
import { createScopeRegistry, IDENTITY_SCOPES, type ScopeRegistry } from './identity/scopes.js';
import { createIdentityService, type IdentityService } from './identity/service.js';
import { createLedgerService, type LedgerService } from './ledger/service.js';
import { createLedgerFunds } from './chains/funds.js';
import { registerChainRoutes } from './chains/routes.js';
import { CHAIN_SCOPES, createChainsService, type ChainsService } from './chains/service.js';
import type { LeaseManager } from './platform/leases/leases.js';
import { createPostgresLeaseManager } from './platform/leases/postgres.js';
import { createOutbox, type Outbox } from './platform/outbox/outbox.js';
import { createPostgresJobQueue } from './platform/queue/postgres.js';
import type { JobQueue } from './platform/queue/queue.js';
import { startSchedulerRole } from './platform/roles/scheduler.js';
import { startWorkerRole } from './platform/roles/worker.js';

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
  /** Starts the given roles (default: those in config). Resolves once they run. */
  start(roles?: readonly Role[]): Promise<StartedRoles>;
  /** Graceful stop of everything started, then the database. */
  stop(reason?: string): Promise<void>;
}

export interface StartedRoles {
  roles: readonly Role[];
  /** Port of the HTTP server when the api role runs. */
  port?: number;
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
  const rateLimiter = createRateLimiter();
  const now = options.now ?? Date.now;
  const audit = createAuditLog({ db, now });
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
  const outbox = createOutbox({ db, jobs, logger, registry: metrics.registry });
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
  });
  scopes.register(CHAIN_SCOPES);
  // Checks the custody wallet against its settings and registers chain assets in the
  // ledger before anything runs; without chains or custody settings it waits for first use.
  if (config.chains.length > 0 || config.custodyXpub || config.custodyMnemonic) {
    await chains.init();
  }

  const http = createHttpApp({
    db,
    logger,
    metrics,
    rateLimiter,
    authenticate: (token) => identity.authenticate(token),
    readiness: async () => {
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
    },
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
  registerAuditRoutes(http, { audit });
  registerChainRoutes(http, { chains });

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
    scopes,
    identity,
    jobs,
    outbox,
    leases,
    ledger,
    chains,
    start(roles = config.roles) {
      started ??= (async () => {
        const result: StartedRoles = { roles };
        const sweep = setInterval(() => {
          rateLimiter.sweep();
        }, 60_000);
        sweep.unref();
        lifecycle.onStop('rate-limiter', () => {
          clearInterval(sweep);
          return Promise.resolve();
        });
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
          const scheduler = startSchedulerRole({
            db,
            jobs,
            outbox,
            leases,
            logger,
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
        if (roles.includes('api')) {
          const server: RunningServer = await listen(http, {
            port: config.port,
            host: config.host,
          });
          lifecycle.onStop('http', () => server.close());
          result.port = server.port;
          logger.info({ port: server.port, host: config.host }, 'api listening');
        }
        logger.info({ roles, driver: db.kind, profile: config.profile }, 'vaultwire started');
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
