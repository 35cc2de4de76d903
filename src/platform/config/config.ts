import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ChainsSettingsSchema, type ChainSettings } from '../../chains/settings.js';

/**
 * Configuration is read once, at start, from (lowest to highest precedence) the profile's
 * defaults, an optional YAML file, and environment variables. Nothing else in the
 * codebase reads `process.env`: it receives a typed `Config`.
 */

export const PROFILES = ['dev', 'qa', 'prod'] as const;
export type Profile = (typeof PROFILES)[number];

export const ROLES = ['api', 'worker', 'scheduler', 'follower'] as const;
export type Role = (typeof ROLES)[number];

/** `json`: a nested value; YAML gives it as a mapping or list, the environment as JSON. */
type Kind = 'string' | 'int' | 'bool' | 'list' | 'json';

interface SettingSpec<T> {
  /** Environment variable that sets it. */
  env: string;
  kind: Kind;
  schema: z.ZodType<T>;
  /** A value, or one per profile. `undefined` means "not set". */
  default: T | undefined | ((profile: Profile) => T | undefined);
  doc: string;
  /** Never printed: shown as `[redacted]` by `describeConfig`. */
  secret?: boolean;
}

function setting<T>(spec: SettingSpec<T>): SettingSpec<T> {
  return spec;
}

const port = z.number().int().min(0).max(65535);
const positiveInt = z.number().int().positive();

/**
 * Every setting, in one table. The README's configuration table is generated from it
 * (`npm run docs:config`) and a test keeps the two in step.
 */
export const SETTINGS = {
  profile: setting<Profile>({
    env: 'VW_PROFILE',
    kind: 'string',
    schema: z.enum(PROFILES),
    default: 'dev',
    doc: 'Deployment profile: `dev`, `qa` or `prod`. Sets the defaults of the other settings; `prod` requires `DATABASE_URL` and `VW_MASTER_KEY`.',
  }),
  port: setting<number>({
    env: 'PORT',
    kind: 'int',
    schema: port,
    default: 8080,
    doc: 'HTTP port of the `api` role (0 picks a free port).',
  }),
  host: setting<string>({
    env: 'HOST',
    kind: 'string',
    schema: z.string().min(1),
    default: (p) => (p === 'dev' ? '127.0.0.1' : '0.0.0.0'),
    doc: 'Address the HTTP server binds to. Default `127.0.0.1` in dev, `0.0.0.0` in qa/prod.',
  }),
  roles: setting<Role[]>({
    env: 'VW_ROLES',
    kind: 'list',
    schema: z.array(z.enum(ROLES)).min(1),
    default: [...ROLES],
    doc: `Roles this process runs, comma-separated: ${ROLES.join(', ')}. Default: all of them.`,
  }),
  databaseUrl: setting<string | undefined>({
    env: 'DATABASE_URL',
    kind: 'string',
    schema: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
    default: undefined,
    doc: 'PostgreSQL connection URL. When unset, Vaultwire uses embedded PGlite with its data in `VW_DATA_DIR`.',
    secret: true,
  }),
  dataDir: setting<string>({
    env: 'VW_DATA_DIR',
    kind: 'string',
    schema: z.string().min(1),
    default: './data',
    doc: 'Folder for the embedded database and the dev master key.',
  }),
  dbPoolMax: setting<number>({
    env: 'VW_DB_POOL_MAX',
    kind: 'int',
    schema: positiveInt.max(1000),
    default: 20,
    doc: 'Maximum PostgreSQL connections per process.',
  }),
  logLevel: setting<'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'>({
    env: 'LOG_LEVEL',
    kind: 'string',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    default: 'info',
    doc: 'Log level of the JSON logs on stdout.',
  }),
  masterKey: setting<string | undefined>({
    env: 'VW_MASTER_KEY',
    kind: 'string',
    schema: z
      .string()
      .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded')
      .optional(),
    default: undefined,
    doc: 'Master key (32 bytes, base64) that encrypts secrets at rest. Required in prod; in dev/qa one is generated into `VW_DATA_DIR/master.key` if unset.',
    secret: true,
  }),
  bodyLimitBytes: setting<number>({
    env: 'VW_BODY_LIMIT_BYTES',
    kind: 'int',
    schema: positiveInt.max(64 * 1024 * 1024),
    default: 1024 * 1024,
    doc: 'Largest request body accepted, in bytes; larger bodies get 413.',
  }),
  rateLimitPerIp: setting<number>({
    env: 'VW_RATE_LIMIT_IP_PER_MIN',
    kind: 'int',
    schema: positiveInt,
    default: 600,
    doc: 'Requests per minute allowed from one client IP.',
  }),
  rateLimitPerKey: setting<number>({
    env: 'VW_RATE_LIMIT_KEY_PER_MIN',
    kind: 'int',
    schema: positiveInt,
    default: 1200,
    doc: 'Requests per minute allowed for one API key or session.',
  }),
  rateLimitLoginPerMin: setting<number>({
    env: 'VW_RATE_LIMIT_LOGIN_PER_MIN',
    kind: 'int',
    schema: positiveInt,
    default: 10,
    doc: 'Login attempts per minute for one IP and email pair.',
  }),
  trustProxy: setting<boolean>({
    env: 'VW_TRUST_PROXY',
    kind: 'bool',
    schema: z.boolean(),
    default: false,
    doc: 'Take the client IP from `X-Forwarded-For` (only behind a proxy you control).',
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
  shutdownTimeoutMs: setting<number>({
    env: 'VW_SHUTDOWN_TIMEOUT_MS',
    kind: 'int',
    schema: positiveInt,
    default: 25_000,
    doc: 'How long graceful shutdown waits for in-flight requests and jobs before handing them back.',
  }),
  workerConcurrency: setting<number>({
    env: 'VW_WORKER_CONCURRENCY',
    kind: 'int',
    schema: positiveInt.max(1000),
    default: 8,
    doc: 'Jobs a `worker` role runs at once.',
  }),
  jobVisibilityMs: setting<number>({
    env: 'VW_JOB_VISIBILITY_MS',
    kind: 'int',
    schema: positiveInt,
    default: 30_000,
    doc: 'How long a claimed job stays invisible to other workers; a crashed worker’s jobs come back after it.',
  }),
  jobPollMs: setting<number>({
    env: 'VW_JOB_POLL_MS',
    kind: 'int',
    schema: positiveInt,
    default: 250,
    doc: 'How often an idle worker looks for due jobs.',
  }),
  leaseTtlMs: setting<number>({
    env: 'VW_LEASE_TTL_MS',
    kind: 'int',
    schema: z.number().int().min(1000),
    default: 15_000,
    doc: 'Lifetime of a singleton lease; holders renew at a third of it.',
  }),
  jobRetentionDays: setting<number>({
    env: 'VW_JOB_RETENTION_DAYS',
    kind: 'int',
    schema: positiveInt.max(3650),
    default: 7,
    doc: 'Days a successfully finished job is kept (and its dedupe key honoured) before the `scheduler` prunes it. Dead jobs are kept until requeued or deleted.',
  }),
  chains: setting<ChainSettings[]>({
    env: 'VW_CHAINS',
    kind: 'json',
    schema: ChainsSettingsSchema,
    default: [],
    doc: 'Chains to follow: a YAML list under `chains:` (or JSON in `VW_CHAINS`), each with `key`, `chainId`, `rpcUrls`, `confirmations`, `nativeAsset`, `tokens`, `logFilters`, `withdrawals`. See src/chains/settings.ts.',
  }),
  custodyXpub: setting<string | undefined>({
    env: 'VW_CUSTODY_XPUB',
    kind: 'string',
    schema: z
      .string()
      .regex(/^[xt]pub[1-9A-HJ-NP-Za-km-z]{100,112}$/, 'must be an xpub (account level)')
      .optional(),
    default: undefined,
    doc: "Watch-only custody: the account-level xpub (m/44'/60'/0') deposit addresses derive from. No private key is kept and withdrawals are refused.",
  }),
  custodyMnemonic: setting<string | undefined>({
    env: 'VW_CUSTODY_MNEMONIC',
    kind: 'string',
    schema: z.string().min(20).optional(),
    default: undefined,
    doc: 'BIP-39 mnemonic to import as the wallet seed on first start (stored encrypted, then unset it). Without it a seed is generated. A different stored seed is never replaced.',
    secret: true,
  }),
  instanceId: setting<string>({
    env: 'VW_INSTANCE_ID',
    kind: 'string',
    schema: z.string().min(1).max(200),
    default: () => `${hostname()}-${process.pid}`,
    doc: 'Name of this process in leases, job claims and logs. Default: host name and pid.',
  }),
} as const;

type Settings = typeof SETTINGS;
export type Config = {
  -readonly [K in keyof Settings]: Settings[K] extends SettingSpec<infer T> ? T : never;
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function fromEnvString(kind: Kind, raw: string): unknown {
  switch (kind) {
    case 'string':
      return raw;
    case 'int':
      return /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
    case 'bool': {
      const v = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      return raw;
    }
    case 'json':
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        return raw;
      }
    case 'list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
  }
}

export interface LoadConfigOptions {
  env?: Record<string, string | undefined>;
  /** YAML file path; falls back to `VW_CONFIG_FILE`. */
  file?: string | undefined;
  /** Highest-precedence values, e.g. from CLI flags. */
  overrides?: Partial<Config>;
}

/**
 * Parses and validates the whole configuration. Throws `ConfigError` naming the
 * offending setting (its environment variable and its YAML key).
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  // Read env exactly once here; everything downstream gets the typed result.
  const env = options.env ?? process.env;
  const file = options.file ?? nonEmpty(env['VW_CONFIG_FILE']);

  let fromFile: Record<string, unknown> = {};
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(`Cannot read config file ${file}: ${(err as Error).message}`);
    }
    const parsed: unknown = parseYaml(text);
    if (parsed !== null && parsed !== undefined) {
      if (typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new ConfigError(`Config file ${file} must hold a mapping of settings`);
      }
      fromFile = parsed as Record<string, unknown>;
    }
    for (const key of Object.keys(fromFile)) {
      if (!(key in SETTINGS)) {
        throw new ConfigError(
          `Unknown setting "${key}" in ${file}. Known settings: ${Object.keys(SETTINGS).join(', ')}`,
        );
      }
    }
  }

  const raw = (key: keyof Settings): { value: unknown; source: string } | undefined => {
    const spec = SETTINGS[key];
    const override = options.overrides?.[key];
    if (override !== undefined) return { value: override, source: `option ${key}` };
    const envValue = nonEmpty(env[spec.env]);
    if (envValue !== undefined) {
      return { value: fromEnvString(spec.kind, envValue), source: spec.env };
    }
    if (key in fromFile) {
      const v = fromFile[key];
      return {
        value: spec.kind === 'list' && typeof v === 'string' ? fromEnvString('list', v) : v,
        source: `${key} in ${file ?? 'config file'}`,
      };
    }
    return undefined;
  };

  const parseOne = (key: keyof Settings, profile: Profile): unknown => {
    const spec = SETTINGS[key] as SettingSpec<unknown>;
    const given = raw(key);
    const value =
      given !== undefined
        ? given.value
        : typeof spec.default === 'function'
          ? (spec.default as (p: Profile) => unknown)(profile)
          : spec.default;
    const result = spec.schema.safeParse(value);
    if (!result.success) {
      const issue = result.error.issues[0];
      const at = issue && issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
      const why = `${at}${issue?.message ?? 'invalid value'}`;
      const shown = spec.secret ? '[redacted]' : JSON.stringify(value);
      throw new ConfigError(
        `Invalid setting ${spec.env} (${key}${given ? `, from ${given.source}` : ''}): ${why}; got ${shown}`,
      );
    }
    return result.data;
  };

  const profile = parseOne('profile', 'dev') as Profile;
  const config = {} as Record<string, unknown>;
  for (const key of Object.keys(SETTINGS) as (keyof Settings)[]) {
    config[key] = key === 'profile' ? profile : parseOne(key, profile);
  }
  const result = config as Config;

  if (result.profile === 'prod') {
    if (result.databaseUrl === undefined) {
      throw new ConfigError(
        'Invalid setting DATABASE_URL (databaseUrl): required in the prod profile (PGlite is for laptops and tests)',
      );
    }
    if (result.masterKey === undefined) {
      throw new ConfigError(
        'Invalid setting VW_MASTER_KEY (masterKey): required in the prod profile',
      );
    }
  }
  return result;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v;
}

/** The configuration with secrets masked, for logs and `vaultwire config`. */
export function describeConfig(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(SETTINGS) as [keyof Settings, SettingSpec<unknown>][]) {
    const v = config[key];
    out[key] = spec.secret && v !== undefined ? '[redacted]' : v;
  }
  return out;
}

/** Markdown table of every setting, for the README. */
export function configTableMarkdown(): string {
  const rows = (Object.entries(SETTINGS) as [string, SettingSpec<unknown>][]).map(([key, s]) => {
    let def: string;
    if (typeof s.default === 'function') {
      def = PROFILES.map((p) => `${p}: ${fmt((s.default as (p: Profile) => unknown)(p))}`).join(
        ', ',
      );
      if (key === 'instanceId') def = 'host name and pid';
    } else {
      def = fmt(s.default);
    }
    return `| \`${s.env}\` | \`${key}\` | ${def} | ${s.doc} |`;
  });
  return [
    '| Environment variable | YAML key | Default | Meaning |',
    '| --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

function fmt(v: unknown): string {
  if (v === undefined) return '—';
  if (Array.isArray(v)) return v.length === 0 ? '`[]`' : `\`${v.join(',')}\``;
  return `\`${typeof v === 'string' ? v : JSON.stringify(v)}\``;
}
