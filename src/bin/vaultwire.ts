#!/usr/bin/env node
/**
 * The `vaultwire` command. Each subcommand parses configuration once, does its work and
 * exits with 0 on success, 1 on failure, 2 on bad usage or configuration.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { AsyncLocalStorage } from 'node:async_hooks';
import { userInfo } from 'node:os';
import { controlSocketPath, forwardToServer, serveControl, type ControlIo } from './control.js';
import { buildVaultwire, VERSION, type Vaultwire } from '../app.js';
import { migrationSources } from '../migrations.js';
import { describeConfig, loadConfig, MODULES, ROLES, type Config } from '../modules.js';
import { auditVerifyCommand } from '../platform/audit/cli.js';
import { ConfigError, type Role } from '../platform/config/config.js';
import { openDb } from '../platform/db/drivers.js';
import { migrate, migrationLabel } from '../platform/db/migrate.js';
import type { AnyModule, CliActor, ModuleCli } from '../platform/modules/descriptor.js';
import { createLogger } from '../platform/observability/logger.js';
import { createMetrics } from '../platform/observability/metrics.js';
import { createPostgresJobQueue } from '../platform/queue/postgres.js';
import type { JobQueue } from '../platform/queue/queue.js';

/**
 * A command forwarded by another `vaultwire` process to this running server (see
 * control.ts): it runs on this process's services and answers through `io`.
 */
interface Forwarded {
  vw: Vaultwire;
  cfg: Config;
  io: ControlIo;
  stdin: string | undefined;
  exitCode?: number;
}
const forwarded = new AsyncLocalStorage<Forwarded>();

const program = new Command();
// Set before any subcommand is added, which inherits them: commander's own output (help,
// usage errors) goes where the command's output goes, and it throws instead of exiting,
// which a server running a forwarded command must not do.
program.exitOverride().configureOutput({
  writeOut: (text) => {
    const f = forwarded.getStore();
    if (f) f.io.out(text.trimEnd());
    else process.stdout.write(text);
  },
  writeErr: (text) => {
    const f = forwarded.getStore();
    if (f) f.io.err(text.trimEnd());
    else process.stderr.write(text);
  },
});
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
    if (!ROLES.includes(r)) {
      throw new InvalidArgumentError(`unknown role "${r}"; roles are ${ROLES.join(', ')}`);
    }
  }
  if (roles.length === 0) throw new InvalidArgumentError('name at least one role');
  return roles;
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
    vw.lifecycle.handleSignals((code) => {
      vw.logger.flush();
      process.exit(code);
    });
    await vw.start(cfg.roles);
    if (cfg.databaseUrl === undefined && !cfg.dataDir.startsWith('memory://')) {
      const control = await serveControl(controlSocketPath(cfg.dataDir), (request, io) =>
        runForwarded(vw, cfg, request.argv, request.stdin, io),
      );
      vw.lifecycle.onStop('control socket', () => control.close());
    }
  });

/** Runs a command another `vaultwire` process forwarded, on this server's services. */
async function runForwarded(
  vw: Vaultwire,
  cfg: Config,
  argv: string[],
  stdin: string | undefined,
  io: ControlIo,
): Promise<number> {
  if (argv[0] === 'start' || argv[0] === 'migrate') {
    io.err(`vaultwire: the server on ${cfg.dataDir} is running (and has migrated); stop it first`);
    return 2;
  }
  const store: Forwarded = { vw, cfg, io, stdin };
  try {
    await forwarded.run(store, () => program.parseAsync(argv, { from: 'user' }));
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    io.err(`vaultwire: ${(err as Error).message}`);
    return err instanceof ConfigError ? 2 : 1;
  }
  return store.exitCode ?? 0;
}

/**
 * On the embedded database, a running server holds the files: run the command there.
 * True when it did (its exit code is set).
 */
async function forwardedToServer(cfg: Config): Promise<boolean> {
  if (cfg.databaseUrl !== undefined || cfg.dataDir.startsWith('memory://')) return false;
  const code = await forwardToServer(
    controlSocketPath(cfg.dataDir),
    { argv: process.argv.slice(2), stdin: stdinText },
    cliOutput,
  );
  if (code === undefined) return false;
  process.exitCode = code;
  return true;
}

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
        sources: migrationSources(),
        log: (m) => {
          logger.info(m);
        },
      });
      cliOutput.out(
        result.applied.length === 0
          ? `Database is up to date (${result.existing} migrations).`
          : `Applied ${result.applied.length} migration(s): ${result.applied.map(migrationLabel).join(', ')}`,
      );
    } finally {
      await db.close();
    }
  });

program
  .command('config')
  .description('Print the effective configuration (secrets masked) and exit')
  .action(() => {
    cliOutput.out(JSON.stringify(describeConfig(config()), null, 2));
  });

/** Opens the database and a job queue on it for a one-shot command, then closes it. */
async function withJobs(fn: (jobs: JobQueue) => Promise<void>): Promise<void> {
  const here = forwarded.getStore();
  if (here) {
    await fn(here.vw.jobs);
    return;
  }
  const cfg = config();
  if (await forwardedToServer(cfg)) return;
  const logger = createLogger({ level: cfg.logLevel });
  const db = await openDb({ databaseUrl: cfg.databaseUrl, dataDir: cfg.dataDir, poolMax: 2 });
  try {
    const jobs = createPostgresJobQueue({
      db,
      logger,
      registry: createMetrics({ defaultMetrics: false }).registry,
      instanceId: cfg.instanceId,
      visibilityMs: cfg.jobVisibilityMs,
      pollMs: cfg.jobPollMs,
    });
    await fn(jobs);
  } finally {
    await db.close();
  }
}

const jobsCommand = program
  .command('jobs')
  .description('Inspect and retry background jobs (dead-letter queue)');

jobsCommand
  .command('list-dead')
  .description('List jobs that failed for good, oldest first, with their last error')
  .option('-q, --queue <queue>', 'only this queue')
  .addOption(
    new Option('-n, --limit <n>', 'at most this many (1-1000)')
      .default(100)
      .argParser((v: string) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1 || n > 1000) {
          throw new InvalidArgumentError('must be an integer from 1 to 1000');
        }
        return n;
      }),
  )
  .option('--json', 'print JSON lines instead of a table')
  .action(async (opts: { queue?: string; limit: number; json?: boolean }) => {
    await withJobs(async (jobs) => {
      const dead = await jobs.listDead({
        limit: opts.limit,
        ...(opts.queue !== undefined ? { queue: opts.queue } : {}),
      });
      if (opts.json) {
        for (const j of dead) cliOutput.out(JSON.stringify(j));
        return;
      }
      if (dead.length === 0) {
        cliOutput.out('No dead jobs.');
        return;
      }
      for (const j of dead) {
        const firstLine = (j.lastError ?? '').split('\n')[0] ?? '';
        cliOutput.out(
          `${j.id}  ${j.queue}  attempts=${j.attempts}/${j.maxAttempts}  died=${j.finishedAt?.toISOString() ?? '?'}  ${firstLine}`,
        );
      }
    });
  });

jobsCommand
  .command('retry')
  .description('Put a dead job back in its queue with fresh attempts')
  .argument('<job_id>', 'id of the dead job (job_…)')
  .action(async (jobId: string) => {
    await withJobs(async (jobs) => {
      if (await jobs.requeueDead(jobId)) {
        cliOutput.out(`Requeued ${jobId}.`);
        return;
      }
      const job = await jobs.get(jobId);
      throw new Error(
        job ? `job ${jobId} is ${job.state}, not dead: nothing to retry` : `no job ${jobId}`,
      );
    });
  });

// --- identity and audit ------------------------------------------------------------

/** Builds the platform (no roles started) for a one-shot command, then stops it. */
async function withVaultwire(fn: (vw: Vaultwire, cfg: Config) => Promise<number>): Promise<void> {
  const here = forwarded.getStore();
  if (here) {
    here.exitCode = await fn(here.vw, here.cfg);
    return;
  }
  const cfg = config();
  if (await forwardedToServer(cfg)) return;
  // Logs go to stderr and only when they matter, so stdout stays the command's answer.
  const logger = createLogger({
    level: cfg.logLevel === 'info' ? 'warn' : cfg.logLevel,
    destination: process.stderr,
  });
  const vw = await buildVaultwire({ config: cfg, logger });
  let code: number;
  try {
    code = await fn(vw, cfg);
  } finally {
    await vw.stop('command done');
  }
  // Set only after the database is closed: PGlite's WASM runtime writes
  // process.exitCode when its embedded postgres shuts down.
  process.exitCode = code;
}

const cliOutput: ControlIo = {
  out: (line: string) => {
    const f = forwarded.getStore();
    if (f) f.io.out(line);
    else console.log(line);
  },
  err: (line: string) => {
    const f = forwarded.getStore();
    if (f) f.io.err(line);
    else console.error(line);
  },
};

/** What this process read from stdin, passed on when the command is forwarded. */
let stdinText: string | undefined;

async function readStdin(): Promise<string> {
  const f = forwarded.getStore();
  if (f) return f.stdin ?? '';
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  stdinText = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  return stdinText;
}

program
  .command('audit')
  .description('The hash-chained audit log')
  .command('verify')
  .description(
    'Walk the whole audit chain: exit 0 with a summary when intact, 1 naming the first broken link',
  )
  .option(
    '--anchors <file>',
    'also check every anchor in this anchor file (VW_AUDIT_ANCHOR_FILE or a collector export): HMAC, and the chain still holds each anchored hash',
  )
  .option('--json', 'print the result as JSON')
  .action(async (opts: { json?: boolean; anchors?: string }) => {
    await withVaultwire((vw) =>
      auditVerifyCommand({ audit: vw.audit, anchorer: vw.auditAnchorer, output: cliOutput }, opts),
    );
  });

// --- every module's commands ------------------------------------------------------

function cliActor(): CliActor {
  let who = 'unknown';
  try {
    who = userInfo().username;
  } catch {
    // No passwd entry (some containers): the audit log says "cli:unknown".
  }
  return { type: 'system', id: `cli:${who}` };
}

function moduleCli(m: AnyModule): ModuleCli<unknown, AnyModule['settings']> {
  return {
    program,
    output: cliOutput,
    readStdin,
    run: (fn) =>
      withVaultwire((vw, cfg) => {
        const services = vw as unknown as Record<string, unknown>;
        return fn({
          service: services[m.name],
          platform: vw.platform,
          settings: cfg,
          deps: Object.fromEntries(m.dependsOn.map((d) => [d, services[d]])),
          actor: cliActor(),
        });
      }),
  };
}

for (const m of MODULES.modules as readonly AnyModule[]) m.cli?.(moduleCli(m));

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // Commander has printed its message (usage error) or the help already.
  if (err instanceof CommanderError) process.exit(err.exitCode);
  if (err instanceof ConfigError) {
    console.error(`vaultwire: ${err.message}`);
    process.exit(2);
  }
  console.error(`vaultwire: ${(err as Error).message}`);
  process.exit(1);
}
