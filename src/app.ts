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
  const masterKey = resolveMasterKey({
    masterKey: config.masterKey,
    dataDir: config.dataDir,
    onGenerated: (path) => {
      logger.warn({ path }, 'generated a development master key; set VW_MASTER_KEY in production');
    },
  });
  const secretBox = createSecretBox(localKeyManagement(masterKey));
  const rateLimiter = createRateLimiter();

  const http = createHttpApp({
    db,
    logger,
    metrics,
    rateLimiter,
    authenticate: () => Promise.resolve(undefined),
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

  let started: Promise<StartedRoles> | undefined;
  let dbClosed = false;

  const vaultwire: Vaultwire = {
    config,
    logger,
    db,
    metrics,
    secretBox,
    lifecycle,
    http,
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
      if (!dbClosed) {
        dbClosed = true;
        await db.close();
      }
    },
  };
  return vaultwire;
}
