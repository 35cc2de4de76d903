import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/**
 * Configuration is read once, at start, from (lowest to highest precedence) the profile's
 * defaults, an optional YAML file, and environment variables. Nothing else in the
 * codebase reads `process.env`: it receives a typed `Config`.
 *
 * This file holds the machinery and the platform's own settings (database, HTTP, secrets,
 * jobs, audit anchoring). Each module declares its settings in its descriptor
 * (`src/<module>/module.ts`); the root composes every table into one (`src/modules.ts`)
 * and loads it here. The platform knows no module.
 */

export const PROFILES = ['dev', 'qa', 'prod'] as const;
export type Profile = (typeof PROFILES)[number];

/** Roles every process can run whatever its modules; modules add theirs (`follower`, …). */
export const PLATFORM_ROLES = ['api', 'worker', 'scheduler'] as const;
/** A role name: a platform role or one a module declares. */
export type Role = string;

/** `json`: a nested value; YAML gives it as a mapping or list, the environment as JSON. */
export type SettingKind = 'string' | 'int' | 'bool' | 'list' | 'json';

/**
 * One setting: its YAML key is its key in the table, its environment variable `env`, its
 * default written here once (the docs table is generated from it).
 */
export interface SettingSpec<T> {
  /** Environment variable that sets it. */
  env: string;
  kind: SettingKind;
  schema: z.ZodType<T>;
  /** A value, or one per profile. `undefined` means "not set". */
  default: T | undefined | ((profile: Profile) => T | undefined);
  /** Shown in docs/configuration.md. */
  doc: string;
  /** Never printed: shown as `[redacted]` by `describeConfig`. */
  secret?: boolean;
  /** What the docs table shows instead of a default computed at start (`host name and pid`). */
  docDefault?: string;
}

/** Identity, for inference: `setting<number>({ … })`. */
export function setting<T>(spec: SettingSpec<T>): SettingSpec<T> {
  return spec;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- variance: a spec of any value fits a table
type AnySpec = SettingSpec<any>;
/** Settings by YAML key. */
export type SettingsTable = Readonly<Record<string, AnySpec>>;

/** The parsed values of a table, by YAML key. */
export type ConfigOf<T> = {
  -readonly [K in keyof T]: T[K] extends SettingSpec<infer V> ? V : never;
};

const port = z.number().int().min(0).max(65535);
const positiveInt = z.number().int().positive();

/**
 * The platform's settings. `roles` lists every role the composed modules declare, so the
 * table is made from that list (`src/modules.ts`).
 */
export function platformSettings(roles: readonly string[]) {
  return {
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
    metricsToken: setting<string | undefined>({
      env: 'VW_METRICS_TOKEN',
      kind: 'string',
      schema: z.string().min(32, 'must be at least 32 characters').optional(),
      default: undefined,
      doc: 'Bearer token that lets Prometheus read `/metrics` from another host (API and ops ports). Without it `/metrics` answers loopback clients only.',
      secret: true,
    }),
    opsPort: setting<number | undefined>({
      env: 'VW_OPS_PORT',
      kind: 'int',
      schema: port.optional(),
      default: undefined,
      doc: 'Port of the operations listener (`/livez`, `/readyz`, `/metrics`), served by every process whatever its roles, so workers without the API can be probed and scraped. Unset: none.',
    }),
    opsHost: setting<string>({
      env: 'VW_OPS_HOST',
      kind: 'string',
      schema: z.string().min(1),
      default: (p) => (p === 'dev' ? '127.0.0.1' : '0.0.0.0'),
      doc: 'Address the operations listener binds to. Default `127.0.0.1` in dev, `0.0.0.0` in qa/prod.',
    }),
    roles: setting<Role[]>({
      env: 'VW_ROLES',
      kind: 'list',
      schema: z
        .array(
          z.string().refine((r) => roles.includes(r), { message: `roles are ${roles.join(', ')}` }),
        )
        .min(1),
      default: [...roles],
      doc: `Roles this process runs, comma-separated: ${roles.join(', ')}. Default: all of them.`,
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
    trustProxy: setting<boolean>({
      env: 'VW_TRUST_PROXY',
      kind: 'bool',
      schema: z.boolean(),
      default: false,
      doc: 'Take the client IP from `X-Forwarded-For` (only behind a proxy you control).',
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
    dbWakeups: setting<boolean>({
      env: 'VW_DB_WAKEUPS',
      kind: 'bool',
      schema: z.boolean(),
      default: true,
      doc: 'Wake the outbox relay, job workers and webhook delivery on a PostgreSQL notification when rows are written, instead of at their next poll (the polls stay as the fallback).',
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
    auditAnchorIntervalSeconds: setting<number>({
      env: 'VW_AUDIT_ANCHOR_INTERVAL_SECONDS',
      kind: 'int',
      schema: z.number().int().min(1).max(86_400),
      default: 300,
      doc: 'How often the `scheduler` exports the audit chain head to the anchor sinks when it has moved (a failed export is retried at the next tick). Events newer than the last anchor are not yet protected against a consistent rewrite.',
    }),
    auditAnchorFile: setting<string | undefined>({
      env: 'VW_AUDIT_ANCHOR_FILE',
      kind: 'string',
      schema: z.string().min(1).optional(),
      default: undefined,
      doc: 'File the audit anchors are appended to, one signed JSON line each (O_APPEND, fsynced, created 0600). Put it on storage the database operator cannot rewrite (a WORM or separate append-only mount). Unset: no file sink.',
    }),
    auditAnchorUrl: setting<string | undefined>({
      env: 'VW_AUDIT_ANCHOR_URL',
      kind: 'string',
      schema: z
        .string()
        .regex(/^https:\/\/[^/@?#]+([/?#]|$)/i, 'must be an https:// URL without credentials')
        .refine((v) => URL.canParse(v), 'must be a valid URL')
        .optional(),
      default: undefined,
      doc: 'HTTPS URL (a SIEM or log collector) each audit anchor is POSTed to as JSON, through the same SSRF guard as webhooks. Unset: no URL sink.',
    }),
    auditAnchorToken: setting<string | undefined>({
      env: 'VW_AUDIT_ANCHOR_TOKEN',
      kind: 'string',
      // Checked here rather than at the first POST: a token pasted with its trailing newline
      // should stop the start, not fail every anchor export until someone reads the logs.
      schema: z
        .string()
        .regex(
          /^[\x21-\x7e]+$/,
          'must be visible ASCII characters only (no spaces, CR/LF or other control characters)',
        )
        .optional(),
      default: undefined,
      doc: 'Token for a collector at `VW_AUDIT_ANCHOR_URL` that needs one, sent as `Authorization: Bearer <token>` with each anchor (visible ASCII only). Never logged. Unset: no `Authorization` header.',
      secret: true,
    }),
    auditAnchorSsrfAllow: setting<string[]>({
      env: 'VW_AUDIT_ANCHOR_SSRF_ALLOW',
      kind: 'list',
      schema: z.array(
        z.string().regex(/^[0-9a-fA-F:.]+(\/\d{1,3})?$/, 'must be an IP or CIDR range'),
      ),
      default: [],
      doc: 'IP ranges `VW_AUDIT_ANCHOR_URL` may reach although they are private or loopback (an internal collector, e.g. `10.20.0.0/16`). Kept apart from `VW_WEBHOOK_SSRF_ALLOW` so opening a range for the collector does not open it to webhooks.',
    }),
    smtpUrl: setting<string | undefined>({
      env: 'VW_SMTP_URL',
      kind: 'string',
      schema: z
        .string()
        .regex(/^smtps?:\/\/[^/?#]+\/?$/i, 'must be smtp://[user:password@]host:port or smtps://…')
        .refine((v) => URL.canParse(v), 'must be a valid URL')
        .optional(),
      default: undefined,
      doc: 'SMTP server that notices to users are emailed through (a webhook endpoint disabled, …): `smtp://user:password@host:port` (STARTTLS when offered) or `smtps://…` (TLS from the start). Unset: notices are only listed at `GET /v1/notifications`.',
      secret: true,
    }),
    mailFrom: setting<string>({
      env: 'VW_MAIL_FROM',
      kind: 'string',
      schema: z.string().min(3).max(200),
      default: 'Vaultwire <no-reply@localhost>',
      doc: 'The From address of emails, e.g. `Vaultwire <alerts@example.com>`.',
    }),
    instanceId: setting<string>({
      env: 'VW_INSTANCE_ID',
      kind: 'string',
      schema: z.string().min(1).max(200),
      default: () => `${hostname()}-${process.pid}`,
      docDefault: 'host name and pid',
      doc: 'Name of this process in leases, job claims and logs. Default: host name and pid.',
    }),
  } as const;
}

/** The platform's settings, whatever the modules. */
export type PlatformConfig = ConfigOf<ReturnType<typeof platformSettings>>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function fromEnvString(kind: SettingKind, raw: string): unknown {
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

export interface LoadConfigOptions<C = Record<string, unknown>> {
  env?: Record<string, string | undefined>;
  /** YAML file path; falls back to `VW_CONFIG_FILE`. */
  file?: string | undefined;
  /** Highest-precedence values, e.g. from CLI flags. */
  overrides?: Partial<C>;
}

/**
 * Two tables (the platform's, a module's) that name the same YAML key or environment
 * variable: refused, or one would silently shadow the other.
 */
export function mergeSettings(tables: readonly { owner: string; table: SettingsTable }[]) {
  const merged: Record<string, AnySpec> = {};
  const owners = new Map<string, string>();
  for (const { owner, table } of tables) {
    for (const [key, spec] of Object.entries(table)) {
      const clash = owners.get(key) ?? owners.get(`env:${spec.env}`);
      if (clash !== undefined) {
        throw new Error(`setting ${key} (${spec.env}) of ${owner} is also declared by ${clash}`);
      }
      owners.set(key, owner);
      owners.set(`env:${spec.env}`, owner);
      merged[key] = spec;
    }
  }
  return merged;
}

/**
 * Parses and validates the whole configuration against `table` (the composed one, see
 * `src/modules.ts`). Throws `ConfigError` naming the offending setting (its environment
 * variable and its YAML key).
 */
export function loadSettings<T extends SettingsTable>(
  table: T,
  options: LoadConfigOptions<ConfigOf<T>> = {},
): ConfigOf<T> {
  type Key = keyof T & string;
  const SETTINGS = table;
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

  const raw = (key: Key): { value: unknown; source: string } | undefined => {
    const spec = SETTINGS[key] as AnySpec;
    const override = (options.overrides as Record<string, unknown> | undefined)?.[key];
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

  const parseOne = (key: Key, profile: Profile): unknown => {
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
      const shown = spec.secret ? '[redacted]' : JSON.stringify(maskUrls(value));
      throw new ConfigError(
        `Invalid setting ${spec.env} (${key}${given ? `, from ${given.source}` : ''}): ${why}; got ${shown}`,
      );
    }
    return result.data;
  };

  const profile = ('profile' in SETTINGS ? parseOne('profile', 'dev') : 'dev') as Profile;
  const config = {} as Record<string, unknown>;
  for (const key of Object.keys(SETTINGS) as Key[]) {
    config[key] = key === 'profile' ? profile : parseOne(key, profile);
  }
  const result = config as Partial<PlatformConfig>;

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
  return config as ConfigOf<T>;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v;
}

/** The configuration with secrets masked, for logs and `vaultwire config`. */
export function describeSettings(
  table: SettingsTable,
  config: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(table)) {
    const v = config[key];
    out[key] = spec.secret && v !== undefined ? '[redacted]' : maskUrls(v);
  }
  return out;
}

/**
 * RPC and webhook URLs often carry an API key in their path, query or user info. Shown
 * values keep only scheme, host and port: enough to tell which endpoint, nothing to steal.
 */
export function maskUrls(value: unknown): unknown {
  if (typeof value === 'string') {
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return value;
    try {
      const u = new URL(value);
      const hidden = u.username || u.password || u.pathname.length > 1 || u.search || u.hash;
      return `${u.protocol}//${u.host}${hidden ? '/[redacted]' : ''}`;
    } catch {
      return '[redacted]';
    }
  }
  if (Array.isArray(value)) return value.map(maskUrls);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskUrls(v)]));
  }
  return value;
}

/** Markdown table of every setting, for docs/configuration.md. */
export function settingsTableMarkdown(table: SettingsTable): string {
  const rows = (Object.entries(table) as [string, SettingSpec<unknown>][]).map(([key, s]) => {
    let def: string;
    if (s.docDefault !== undefined) {
      def = s.docDefault;
    } else if (typeof s.default === 'function') {
      def = PROFILES.map((p) => `${p}: ${fmt((s.default as (p: Profile) => unknown)(p))}`).join(
        ', ',
      );
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
