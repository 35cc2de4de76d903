import { z } from 'zod';
import { setting } from '../platform/config/config.js';
import { defineModule, type BuildContext, type ModuleCli } from '../platform/modules/descriptor.js';
import {
  adminCreateCommand,
  keysCreateCommand,
  keysListCommand,
  keysRevokeCommand,
} from './cli.js';
import { registerIdentityRoutes } from './routes.js';
import { IDENTITY_SCOPES } from './scopes.js';
import { createIdentityService, type IdentityService } from './service.js';

const positiveInt = z.number().int().positive();

/** Identity's settings, by YAML key. */
export const IDENTITY_SETTINGS = {
  rateLimitLoginPerMin: setting<number>({
    env: 'VW_RATE_LIMIT_LOGIN_PER_MIN',
    kind: 'int',
    schema: positiveInt,
    default: 10,
    doc: 'Login attempts per minute for one IP and email pair.',
  }),
  passwordKdfLog2N: setting<number>({
    env: 'VW_PASSWORD_KDF_LOG2N',
    kind: 'int',
    schema: z.number().int().min(10).max(20),
    default: 15,
    doc: 'scrypt cost (log2 N) for new password hashes; memory is 128 × 8 × 2^N bytes (32 MiB at 15).',
  }),
  sessionTtlSeconds: setting<number>({
    env: 'VW_SESSION_TTL_SECONDS',
    kind: 'int',
    schema: positiveInt,
    default: (p) => (p === 'prod' ? 12 * 3600 : 24 * 3600),
    doc: 'Lifetime of a login session token.',
  }),
  adminPassword: setting<string | undefined>({
    env: 'VW_ADMIN_PASSWORD',
    kind: 'string',
    schema: z.string().optional(),
    default: undefined,
    doc: 'Password for `vaultwire admin create` when `--password-stdin` is not given. Read by that command only; unset it afterwards.',
    secret: true,
  }),
} as const;

/** Users, sessions, API keys, roles, TOTP. */
export const identityModule = defineModule()({
  name: 'identity',
  dependsOn: [],
  settings: IDENTITY_SETTINGS,
  scopes: IDENTITY_SCOPES,
  build: ({ platform, settings }: BuildContext<typeof IDENTITY_SETTINGS, object>) => {
    const identity = createIdentityService({
      db: platform.db,
      logger: platform.logger,
      audit: platform.audit,
      secretBox: platform.secretBox,
      scopes: platform.scopes,
      settings: {
        passwordKdfLog2N: settings.passwordKdfLog2N,
        sessionTtlSeconds: settings.sessionTtlSeconds,
      },
      now: platform.now,
    });
    platform.lifecycle.onStop('identity: credential changes', () => identity.close());
    return identity;
  },
  routes: (http, { service, platform, settings }) => {
    registerIdentityRoutes(http, {
      identity: service,
      scopes: platform.scopes,
      rateLimiter: platform.rateLimiter,
      metrics: platform.metrics,
      settings: { rateLimitLoginPerMin: settings.rateLimitLoginPerMin },
      now: platform.now,
    });
  },
  cli: identityCli,
});

function identityCli(cli: ModuleCli<IdentityService, typeof IDENTITY_SETTINGS>): void {
  const { program, output } = cli;
  const deps = (ctx: Parameters<Parameters<typeof cli.run>[0]>[0]) => ({
    identity: ctx.service,
    scopes: ctx.platform.scopes,
    output,
    actor: ctx.actor,
  });

  const adminCommand = program.command('admin').description('Manage administrators');
  adminCommand
    .command('create')
    .description('Create a user with the admin role (this is how the first admin is made)')
    .requiredOption('--email <email>', 'email address of the new admin')
    .option('--handle <handle>', 'public handle (3-30 letters, digits, underscores)')
    .option(
      '--password-stdin',
      'read the password from standard input (otherwise VW_ADMIN_PASSWORD)',
    )
    .addHelpText(
      'after',
      `
The password is never taken as an argument: arguments show up in ps and shell history.

Examples:
  printf '%s' "$ADMIN_PASSWORD" | vaultwire admin create --email ops@example.com --password-stdin
  VW_ADMIN_PASSWORD=... vaultwire admin create --email ops@example.com`,
    )
    .action(async (opts: { email: string; handle?: string; passwordStdin?: boolean }) => {
      const password = opts.passwordStdin ? await cli.readStdin() : undefined;
      await cli.run((ctx) =>
        adminCreateCommand(deps(ctx), {
          email: opts.email,
          password: password ?? ctx.settings.adminPassword,
          handle: opts.handle,
        }),
      );
    });

  const keysCommand = program
    .command('keys')
    .description('Create, list and revoke API keys (vwk_…)');
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
      await cli.run((ctx) => keysCreateCommand(deps(ctx), opts));
    });
  keysCommand
    .command('list')
    .description('List API keys (never their secrets)')
    .option('--email <email>', "only this user's keys")
    .option('--json', 'print JSON')
    .action(async (opts: { email?: string; json?: boolean }) => {
      await cli.run((ctx) => keysListCommand(deps(ctx), opts));
    });
  keysCommand
    .command('revoke')
    .description('Revoke an API key; it stops working at once')
    .argument('<key_id>', 'id of the key (key_…)')
    .action(async (keyId: string) => {
      await cli.run((ctx) => keysRevokeCommand(deps(ctx), keyId));
    });
}
