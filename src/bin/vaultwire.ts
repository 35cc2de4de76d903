#!/usr/bin/env node
/**
 * The `vaultwire` command. Each subcommand parses configuration once, does its work and
 * exits with 0 on success, 1 on failure, 2 on bad usage or configuration.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { buildVaultwire, VERSION } from '../app.js';
import {
  ConfigError,
  describeConfig,
  loadConfig,
  ROLES,
  type Config,
  type Role,
} from '../platform/config/config.js';
import { openDb } from '../platform/db/drivers.js';
import { migrate } from '../platform/db/migrate.js';
import { createLogger } from '../platform/observability/logger.js';

const program = new Command();
program
  .name('vaultwire')
  .description(
    'Vaultwire: ledger, wallet, chains, webhooks and node operations in one binary.\n' +
      'Configuration comes from environment variables and an optional YAML file (--config).',
  )
  .version(VERSION)
  .option('-c, --config <file>', 'YAML configuration file (or VW_CONFIG_FILE)')
  .showHelpAfterError();

function config(overrides: Partial<Config> = {}): Config {
  const opts = program.opts<{ config?: string }>();
  return loadConfig({ file: opts.config, overrides });
}

function parseRoles(value: string): Role[] {
  const roles = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const r of roles) {
    if (!(ROLES as readonly string[]).includes(r)) {
      throw new InvalidArgumentError(`unknown role "${r}"; roles are ${ROLES.join(', ')}`);
    }
  }
  if (roles.length === 0) throw new InvalidArgumentError('name at least one role');
  return roles as Role[];
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new InvalidArgumentError('must be an integer from 0 to 65535');
  }
  return n;
}

program
  .command('start')
  .description('Run the platform: every role in this process, or those named with --roles')
  .addOption(
    new Option('--roles <roles>', `comma-separated roles (${ROLES.join(', ')})`).argParser(
      parseRoles,
    ),
  )
  .addOption(new Option('-p, --port <port>', 'HTTP port (or PORT)').argParser(parsePort))
  .action(async (opts: { roles?: Role[]; port?: number }) => {
    const cfg = config({
      ...(opts.roles ? { roles: opts.roles } : {}),
      ...(opts.port !== undefined ? { port: opts.port } : {}),
    });
    const vw = await buildVaultwire({ config: cfg });
    vw.lifecycle.onStop('database', async () => {
      await vw.db.close();
    });
    vw.lifecycle.handleSignals((code) => {
      vw.logger.flush();
      process.exit(code);
    });
    await vw.start(cfg.roles);
  });

program
  .command('migrate')
  .description('Apply pending database migrations and exit (start also does this)')
  .action(async () => {
    const cfg = config();
    const logger = createLogger({ level: cfg.logLevel });
    const db = await openDb({
      databaseUrl: cfg.databaseUrl,
      dataDir: cfg.dataDir,
      poolMax: 2,
    });
    try {
      const result = await migrate(db, {
        log: (m) => {
          logger.info(m);
        },
      });
      console.log(
        result.applied.length === 0
          ? `Database is up to date (${result.existing} migrations).`
          : `Applied ${result.applied.length} migration(s): ${result.applied.map((m) => `${m.version}_${m.name}`).join(', ')}`,
      );
    } finally {
      await db.close();
    }
  });

program
  .command('config')
  .description('Print the effective configuration (secrets masked) and exit')
  .action(() => {
    console.log(JSON.stringify(describeConfig(config()), null, 2));
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`vaultwire: ${err.message}`);
    process.exit(2);
  }
  console.error(`vaultwire: ${(err as Error).message}`);
  process.exit(1);
}
