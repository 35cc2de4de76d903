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
import {
  adminCreateCommand,
  keysCreateCommand,
  keysListCommand,
  keysRevokeCommand,
  type IdentityCliDeps,
} from '../identity/cli.js';
import { auditVerifyCommand } from '../platform/audit/cli.js';
import { runAssetsCreate, runAssetsList, runLedgerVerify } from '../ledger/cli.js';
import {
  runWalletBalances,
  runWalletExecute,
  runWalletFund,
  runWalletProfileChange,
  runWalletQuote,
} from '../wallet/cli.js';
import { TIERS, type Tier } from '../wallet/settings.js';
import {
  runChainsBackfill,
  runChainsExportSeed,
  runChainsRewind,
  runChainsStatus,
  runChainsXpub,
} from '../chains/cli.js';
import { runWebhooksDeadLetters, runWebhooksReplay, runWebhooksStatus } from '../webhooks/cli.js';
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
        log: (m) => {
          logger.info(m);
        },
      });
      cliOutput.out(
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

function cliDeps(vw: Vaultwire): IdentityCliDeps {
  let who = 'unknown';
  try {
    who = userInfo().username;
  } catch {
    // No passwd entry (some containers): the audit log says "cli:unknown".
  }
  return {
    identity: vw.identity,
    scopes: vw.scopes,
    output: cliOutput,
    actor: { type: 'system', id: `cli:${who}` },
  };
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

const adminCommand = program.command('admin').description('Manage administrators');

adminCommand
  .command('create')
  .description('Create a user with the admin role (this is how the first admin is made)')
  .requiredOption('--email <email>', 'email address of the new admin')
  .option('--handle <handle>', 'public handle (3-30 letters, digits, underscores)')
  .option('--password-stdin', 'read the password from standard input (otherwise VW_ADMIN_PASSWORD)')
  .addHelpText(
    'after',
    `
The password is never taken as an argument: arguments show up in ps and shell history.

Examples:
  printf '%s' "$ADMIN_PASSWORD" | vaultwire admin create --email ops@example.com --password-stdin
  VW_ADMIN_PASSWORD=... vaultwire admin create --email ops@example.com`,
  )
  .action(async (opts: { email: string; handle?: string; passwordStdin?: boolean }) => {
    const password = opts.passwordStdin ? await readStdin() : undefined;
    await withVaultwire((vw, cfg) =>
      adminCreateCommand(cliDeps(vw), {
        email: opts.email,
        password: password ?? cfg.adminPassword,
        handle: opts.handle,
      }),
    );
  });

const keysCommand = program.command('keys').description('Create, list and revoke API keys (vwk_…)');

keysCommand
  .command('create')
  .description('Create an API key for a user and print it once')
  .requiredOption(
    '--email <email>',
    'email of the user who owns the key (the key acts with their role)',
  )
  .requiredOption('--name <name>', 'what the key is for')
  .requiredOption(
    '--scopes <scopes>',
    'comma-separated scopes, e.g. profile:read,keys:read (* for all)',
  )
  .option('--expires-at <date>', 'ISO 8601 date or time when the key stops working')
  .addHelpText(
    'after',
    `
The key is printed alone on stdout (details go to stderr), so it can be captured:
  KEY=$(vaultwire keys create --email ci@example.com --name ci --scopes profile:read)`,
  )
  .action(async (opts: { email: string; name: string; scopes: string; expiresAt?: string }) => {
    await withVaultwire((vw) => keysCreateCommand(cliDeps(vw), opts));
  });

keysCommand
  .command('list')
  .description('List API keys (never their secrets)')
  .option('--email <email>', "only this user's keys")
  .option('--json', 'print JSON')
  .action(async (opts: { email?: string; json?: boolean }) => {
    await withVaultwire((vw) => keysListCommand(cliDeps(vw), opts));
  });

keysCommand
  .command('revoke')
  .description('Revoke an API key; it stops working at once')
  .argument('<key_id>', 'id of the key (key_…)')
  .action(async (keyId: string) => {
    await withVaultwire((vw) => keysRevokeCommand(cliDeps(vw), keyId));
  });

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

program
  .command('ledger')
  .description('The double-entry ledger')
  .command('verify')
  .description(
    'Check every ledger invariant (balanced transactions, zero sum per asset, stored balances ' +
      'equal their entries and holds, no forbidden negative): exit 0, or 1 with a report',
  )
  .option('--json', 'print the report as JSON')
  .action(async (opts: { json?: boolean }) => {
    await withVaultwire((vw) => runLedgerVerify(vw.db, cliOutput, opts));
  });

const assetsCommand = program.command('assets').description('Assets the ledger holds');

assetsCommand
  .command('create')
  .description('Register an asset and its house accounts (liquidity, fees, rounding, settlement)')
  .argument('<code>', 'upper-case code, e.g. USD, BTC, ETH, USDC')
  .requiredOption('--kind <kind>', 'fiat or crypto')
  .requiredOption(
    '--scale <decimals>',
    'decimals of the minor unit (USD 2, BTC 8, ETH 18); can never change',
    (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 36) {
        throw new InvalidArgumentError('must be an integer from 0 to 36');
      }
      return n;
    },
  )
  .option('--name <name>', 'display name')
  .action(async (code: string, opts: { kind: string; scale: number; name?: string }) => {
    await withVaultwire((vw) => runAssetsCreate(vw.ledger, cliOutput, { code, ...opts }));
  });

assetsCommand
  .command('list')
  .description('List assets')
  .action(async () => {
    await withVaultwire((vw) => runAssetsList(vw.ledger, cliOutput));
  });

// --- wallet ------------------------------------------------------------------------

const walletCommand = program
  .command('wallet')
  .description('Users’ wallets: fund in test mode, quote and trade, freeze, tiers');

function cliActor(): { type: 'system'; id: string } {
  let who = 'unknown';
  try {
    who = userInfo().username;
  } catch {
    // No passwd entry (some containers): the audit log says "cli:unknown".
  }
  return { type: 'system', id: `cli:${who}` };
}

walletCommand
  .command('fund')
  .description('Deposit fiat to a user through the test-mode rail, settled at once')
  .requiredOption('--user <user>', 'user id, @handle or email')
  .requiredOption('--asset <code>', 'fiat asset, e.g. USD')
  .requiredOption('--amount <decimal>', 'e.g. 100.00')
  .action(async (opts: { user: string; asset: string; amount: string }) => {
    await withVaultwire((vw) => runWalletFund(vw.wallet, cliOutput, opts));
  });

walletCommand
  .command('balances')
  .description("A user's balances, tier and freeze state")
  .requiredOption('--user <user>', 'user id, @handle or email')
  .action(async (opts: { user: string }) => {
    await withVaultwire((vw) => runWalletBalances(vw.wallet, cliOutput, opts));
  });

walletCommand
  .command('quote')
  .description('Price a buy, sell or conversion for a user; --execute trades it at once')
  .requiredOption('--user <user>', 'user id, @handle or email')
  .requiredOption('--from <code>', 'asset spent')
  .requiredOption('--to <code>', 'asset received')
  .option('--spend <decimal>', 'total to spend, fee included')
  .option('--receive <decimal>', 'exact amount to receive')
  .option('--execute', 'execute the quote right away')
  .action(
    async (opts: {
      user: string;
      from: string;
      to: string;
      spend?: string;
      receive?: string;
      execute?: boolean;
    }) => {
      await withVaultwire((vw) => runWalletQuote(vw.wallet, cliOutput, opts));
    },
  );

walletCommand
  .command('execute')
  .description('Execute a quote (once: again answers the same trade)')
  .argument('<quote_id>', 'quo_…')
  .requiredOption('--user <user>', 'user id, @handle or email')
  .action(async (quote: string, opts: { user: string }) => {
    await withVaultwire((vw) => runWalletExecute(vw.wallet, cliOutput, { user: opts.user, quote }));
  });

for (const action of ['freeze', 'unfreeze'] as const) {
  walletCommand
    .command(action)
    .description(
      action === 'freeze' ? 'Stop every movement of a user (audited)' : 'Lift a freeze (audited)',
    )
    .requiredOption('--user <user>', 'user id, @handle or email')
    .requiredOption('--reason <text>', 'why (3 to 500 characters), kept in the audit log')
    .action(async (opts: { user: string; reason: string }) => {
      await withVaultwire((vw) =>
        runWalletProfileChange(vw.wallet, cliOutput, cliActor(), { action, ...opts }),
      );
    });
}

walletCommand
  .command('tier')
  .description("Set a user's verification tier, which sets their limits (audited)")
  .requiredOption('--user <user>', 'user id, @handle or email')
  .requiredOption('--tier <tier>', TIERS.join(', '), (v: string) => {
    if (!(TIERS as readonly string[]).includes(v)) {
      throw new InvalidArgumentError(`tiers are ${TIERS.join(', ')}`);
    }
    return v as Tier;
  })
  .requiredOption('--reason <text>', 'why (3 to 500 characters), kept in the audit log')
  .action(async (opts: { user: string; tier: Tier; reason: string }) => {
    await withVaultwire((vw) =>
      runWalletProfileChange(vw.wallet, cliOutput, cliActor(), { action: 'tier', ...opts }),
    );
  });

// --- chains ------------------------------------------------------------------------

function parseBlock(value: string): bigint {
  if (!/^\d{1,19}$/.test(value)) throw new InvalidArgumentError('must be a block number');
  return BigInt(value);
}

const chainsCommand = program
  .command('chains')
  .description('Chain followers, custody and backfills');

chainsCommand
  .command('status')
  .description('Each chain: follower cursor, confirmed height, node head, lag, lease holder')
  .option('--json', 'print one JSON object per chain')
  .action(async (opts: { json?: boolean }) => {
    await withVaultwire((vw) => runChainsStatus(vw.chains, cliOutput, opts));
  });

chainsCommand
  .command('backfill')
  .description('Re-read a confirmed block range and store any event not stored yet')
  .requiredOption('--chain <key>', 'chain key from the configuration')
  .requiredOption('--from <n>', 'first block', parseBlock)
  .requiredOption('--to <n>', 'last block (at or below the confirmed height)', parseBlock)
  .action(async (opts: { chain: string; from: bigint; to: bigint }) => {
    await withVaultwire((vw) => runChainsBackfill(vw.chains, cliOutput, opts));
  });

chainsCommand
  .command('rewind')
  .description(
    'Ask the follower to go back to a block (events above it are removed and re-read); ' +
      'also restarts a follower halted by a reorg deeper than its window',
  )
  .requiredOption('--chain <key>', 'chain key from the configuration')
  .requiredOption('--to <n>', 'block to go back to (pick a final one)', parseBlock)
  .option(
    '--unverified',
    'accept a block below the stored window, whose hash cannot be checked against the node',
  )
  .action(async (opts: { chain: string; to: bigint; unverified?: boolean }) => {
    await withVaultwire((vw) => runChainsRewind(vw.chains, cliOutput, opts));
  });

chainsCommand
  .command('xpub')
  .description("Print the deposit account's xpub (for a watch-only deployment)")
  .action(async () => {
    await withVaultwire((vw) => runChainsXpub(vw.chains, cliOutput));
  });

chainsCommand
  .command('export-seed')
  .description('Print the wallet mnemonic for an offline backup (needs --yes)')
  .option('--yes', 'yes, print the secret')
  .action(async (opts: { yes?: boolean }) => {
    await withVaultwire((vw) => runChainsExportSeed(vw.chains, cliOutput, opts));
  });

// --- webhooks ------------------------------------------------------------------------
const webhooksCommand = program
  .command('webhooks')
  .description('Webhook endpoints: status, dead letters, replay');

webhooksCommand
  .command('status')
  .description('State, queue, lag and failures of every endpoint (or one)')
  .option('--endpoint <id>', 'one endpoint (whe_…)')
  .option('--json', 'one JSON object per line')
  .action(async (opts: { endpoint?: string; json?: boolean }) => {
    await withVaultwire((vw) => runWebhooksStatus(vw.webhooks, cliOutput, opts));
  });

webhooksCommand
  .command('dead-letters')
  .description('Messages of an endpoint that ran out of attempts')
  .requiredOption('--endpoint <id>', 'the endpoint (whe_…)')
  .option('--limit <n>', 'how many', (v) => Number.parseInt(v, 10), 100)
  .action(async (opts: { endpoint: string; limit: number }) => {
    await withVaultwire((vw) => runWebhooksDeadLetters(vw.webhooks, cliOutput, opts));
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
  .option('--only-failed', 'only dead letters in the range')
  .action(
    async (opts: {
      endpoint: string;
      message?: string;
      since?: Date;
      until?: Date;
      fromBlock?: bigint;
      toBlock?: bigint;
      chain?: string;
      onlyFailed?: boolean;
    }) => {
      await withVaultwire((vw) => runWebhooksReplay(vw.webhooks, cliOutput, opts));
    },
  );

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
