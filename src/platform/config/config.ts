import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ChainsSettingsSchema, type ChainSettings } from '../../chains/settings.js';
import {
  DEFAULT_WALLET_LIMITS,
  DEMO_STATIC_PRICES,
  PRICE_SOURCES,
  StaticPricesSchema,
  WalletLimitsSchema,
  type PriceSourceName,
  type StaticPrices,
  type WalletLimits,
} from '../../wallet/settings.js';

/**
 * Configuration is read once, at start, from (lowest to highest precedence) the profile's
 * defaults, an optional YAML file, and environment variables. Nothing else in the
 * codebase reads `process.env`: it receives a typed `Config`.
 */

export const PROFILES = ['dev', 'qa', 'prod'] as const;
export type Profile = (typeof PROFILES)[number];

export const ROLES = ['api', 'worker', 'scheduler', 'follower', 'delivery'] as const;
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
  walletQuoteTtlSeconds: setting<number>({
    env: 'VW_WALLET_QUOTE_TTL_SECONDS',
    kind: 'int',
    schema: z.number().int().min(10).max(30),
    default: 15,
    doc: 'How long a buy/sell/convert quote holds its price, 10 to 30 seconds; executing it later moves nothing.',
  }),
  walletSpreadBps: setting<number>({
    env: 'VW_WALLET_SPREAD_BPS',
    kind: 'int',
    schema: z.number().int().min(0).max(2000),
    default: 50,
    doc: 'Spread on the mid price in basis points (50 = 0.5%): the customer always gets the worse side.',
  }),
  walletFeeBps: setting<number>({
    env: 'VW_WALLET_FEE_BPS',
    kind: 'int',
    schema: z.number().int().min(0).max(2000),
    default: 25,
    doc: 'Trading fee in basis points of the converted amount, charged in the asset spent and rounded up.',
  }),
  walletPriceSource: setting<PriceSourceName>({
    env: 'VW_WALLET_PRICE_SOURCE',
    kind: 'string',
    schema: z.enum(PRICE_SOURCES),
    default: 'static',
    doc: 'Where quote prices come from: `static` (`VW_WALLET_STATIC_PRICES`) or `coinbase` (the Coinbase Exchange public ticker at `VW_WALLET_PRICE_URL`).',
  }),
  walletStaticPrices: setting<StaticPrices>({
    env: 'VW_WALLET_STATIC_PRICES',
    kind: 'json',
    schema: StaticPricesSchema,
    default: (p) => (p === 'prod' ? {} : DEMO_STATIC_PRICES),
    doc: 'Prices of the `static` source: a mapping `BASE-QUOTE: "decimal"` (`{"BTC-USD":"65000.00"}`). Demo prices in dev and qa, none in prod.',
  }),
  walletPriceUrl: setting<string>({
    env: 'VW_WALLET_PRICE_URL',
    kind: 'string',
    schema: z.url({ protocol: /^https?$/ }),
    default: 'https://api.exchange.coinbase.com',
    doc: 'Base URL of the exchange API of the `coinbase` price source.',
  }),
  walletPriceMaxAgeSeconds: setting<number>({
    env: 'VW_WALLET_PRICE_MAX_AGE_SECONDS',
    kind: 'int',
    schema: z.number().int().min(1).max(3600),
    default: 30,
    doc: 'A price observed longer ago than this refuses to quote (`price_stale`).',
  }),
  walletPriceTimeoutMs: setting<number>({
    env: 'VW_WALLET_PRICE_TIMEOUT_MS',
    kind: 'int',
    schema: z.number().int().min(50).max(60_000),
    default: 3000,
    doc: 'Timeout of one request to the exchange price API.',
  }),
  walletPriceReference: setting<string>({
    env: 'VW_WALLET_PRICE_REFERENCE',
    kind: 'string',
    schema: z.string().regex(/^[A-Z][A-Z0-9]{1,15}$/),
    default: 'USD',
    doc: 'Asset that crypto-to-crypto conversions are priced through (BTC→ETH uses BTC-USD and ETH-USD).',
  }),
  walletLimits: setting<WalletLimits>({
    env: 'VW_WALLET_LIMITS',
    kind: 'json',
    schema: WalletLimitsSchema,
    default: DEFAULT_WALLET_LIMITS,
    doc: 'Per verification tier (`unverified`, `verified`, `enhanced`): `perTransaction` and `daily` amounts per asset, and `perHour` outgoing movements. An asset without limits at a tier cannot be moved out. See src/wallet/settings.ts.',
  }),
  walletTestRail: setting<boolean>({
    env: 'VW_WALLET_TEST_RAIL',
    kind: 'bool',
    schema: z.boolean(),
    default: (p) => p !== 'prod',
    doc: 'Enable the simulated fiat payment rail (test-mode deposits and withdrawals). On in dev and qa, off in prod.',
  }),
  demoAssets: setting<boolean>({
    env: 'VW_DEMO_ASSETS',
    kind: 'bool',
    schema: z.boolean(),
    default: (p) => p === 'dev',
    doc: 'Register the demo assets USD, EUR (fiat, 2 decimals), BTC (8), ETH (18) and USDC (6) at start, if missing, so a fresh install can move money at once. On in dev only.',
  }),
  walletTestRailSettleMs: setting<number>({
    env: 'VW_WALLET_TEST_RAIL_SETTLE_MS',
    kind: 'int',
    schema: z.number().int().min(0).max(86_400_000),
    default: 2000,
    doc: 'How long the test rail takes to settle a deposit or withdrawal.',
  }),
  webhookEngine: setting<'postgres' | 'nats'>({
    env: 'VW_WEBHOOK_ENGINE',
    kind: 'string',
    schema: z.enum(['postgres', 'nats']),
    default: 'postgres',
    doc: 'Where webhook first attempts are queued: `postgres` (embedded default, the message rows are the queue) or `nats` (JetStream at `NATS_URL`, for scale-out; a first attempt travels in the stream and its row is written with its outcome, so run the stream with file storage and replicas). Retries, ordered endpoints and replays always run from PostgreSQL.',
  }),
  natsUrl: setting<string>({
    env: 'NATS_URL',
    kind: 'string',
    schema: z.string().regex(/^(nats|tls):\/\/[^\s]+$/, 'must be a nats:// or tls:// URL'),
    default: 'nats://127.0.0.1:4222',
    doc: 'NATS server(s) for the `nats` webhook engine (comma-separated URLs in one string are not supported; use a cluster seed).',
  }),
  webhookNatsAckWaitMs: setting<number>({
    env: 'VW_WEBHOOK_NATS_ACK_WAIT_MS',
    kind: 'int',
    schema: z.number().int().min(1000),
    default: 60_000,
    doc: 'How long JetStream waits for a delivery worker to acknowledge a message before giving it to another (a killed worker’s messages come back after it).',
  }),
  webhookNatsStream: setting<string>({
    env: 'VW_WEBHOOK_NATS_STREAM',
    kind: 'string',
    schema: z.string().regex(/^[A-Z][A-Z0-9_]{0,31}$/, 'must be upper-case letters, digits and _'),
    default: 'VW_WEBHOOKS',
    doc: 'JetStream stream of webhook first attempts (its subjects are the lower-cased name plus a partition number).',
  }),
  webhookNatsPartitions: setting<number>({
    env: 'VW_WEBHOOK_NATS_PARTITIONS',
    kind: 'int',
    schema: positiveInt.max(4096),
    default: 16,
    doc: 'Subjects the webhook stream is partitioned into, by endpoint (room to spread the stream over several servers later).',
  }),
  webhookSsrfAllow: setting<string[]>({
    env: 'VW_WEBHOOK_SSRF_ALLOW',
    kind: 'list',
    schema: z.array(
      z.string().regex(/^[0-9a-fA-F:.]+(\/\d{1,3})?$/, 'must be an IP or CIDR range'),
    ),
    default: [],
    doc: 'IP ranges webhook endpoints may point to although they are loopback or private (e.g. `127.0.0.0/8,::1` for local demos and tests). Empty: only public addresses.',
  }),
  webhookProxy: setting<string | undefined>({
    env: 'VW_WEBHOOK_PROXY',
    kind: 'string',
    schema: z
      .string()
      .regex(
        /^http:\/\/[^/?#]+\/?$/i,
        'must be an http:// proxy URL: http://[user:password@]host:port',
      )
      .refine((v) => URL.canParse(v), 'must be a valid URL')
      .optional(),
    default: undefined,
    doc: 'HTTP CONNECT proxy (such as Smokescreen) that every webhook request goes through: `http://host:port`, or `http://user:password@host:port` for basic proxy authentication. Each receiver, http or https, is reached through a tunnel asked for by host name; TLS stays end to end. Vaultwire still refuses receivers whose name resolves to a private or loopback address unless `VW_WEBHOOK_SSRF_ALLOW` allows it; the proxy resolves the name again and does its own egress filtering. Unset: direct connections.',
  }),
  webhookAllowHttp: setting<boolean>({
    env: 'VW_WEBHOOK_ALLOW_HTTP',
    kind: 'bool',
    schema: z.boolean(),
    default: (p) => p === 'dev',
    doc: 'Accept plain `http://` webhook URLs. Default: only in the dev profile.',
  }),
  webhookRequestTimeoutMs: setting<number>({
    env: 'VW_WEBHOOK_TIMEOUT_MS',
    kind: 'int',
    schema: z.number().int().min(100).max(120_000),
    default: 15_000,
    doc: 'Time an attempt has, from the moment it is sent, to get its answer (waiting for a free connection to the endpoint and connecting included) before it counts as a timeout.',
  }),
  webhookRetryScheduleSeconds: setting<number[]>({
    env: 'VW_WEBHOOK_RETRY_SCHEDULE',
    kind: 'list',
    schema: z
      .array(
        z.coerce
          .number()
          .positive()
          .max(7 * 86_400),
      )
      .min(1)
      .max(50),
    default: [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400],
    doc: 'Seconds before each retry after an immediate first attempt (±20 % jitter). Default: 5 s, 5 min, 30 min, 2, 5, 10, 14, 20 and 24 h (10 attempts over about 3 days).',
  }),
  webhookMaxItemsPerSubscription: setting<number>({
    env: 'VW_WEBHOOK_MAX_ADDRESSES',
    kind: 'int',
    schema: positiveInt.max(100_000_000),
    default: 500_000,
    doc: 'Most addresses (or transaction hashes) one webhook subscription may watch.',
  }),
  webhookMaxEndpointsPerOwner: setting<number>({
    env: 'VW_WEBHOOK_MAX_ENDPOINTS',
    kind: 'int',
    schema: positiveInt.max(100_000),
    default: 100,
    doc: 'Most webhook endpoints one user may register.',
  }),
  webhookTxDropAfterSeconds: setting<number>({
    env: 'VW_WEBHOOK_TX_DROP_AFTER_SECONDS',
    kind: 'int',
    schema: z
      .number()
      .int()
      .min(10)
      .max(30 * 86_400),
    default: 600,
    doc: 'Chain time a hash watched by a `transaction` webhook subscription has to be mined in before `tx.dropped` is sent, unless the subscription sets `drop_after_seconds`.',
  }),
  webhookBackfillMaxBlocks: setting<number>({
    env: 'VW_WEBHOOK_BACKFILL_MAX_BLOCKS',
    kind: 'int',
    schema: positiveInt.max(100_000_000),
    default: 100_000,
    doc: 'Most blocks behind the chain follower an address added to a webhook subscription with a past `from_block` may be backfilled from; further back is refused (`backfill_too_deep`).',
  }),
  webhookDeliveryConcurrency: setting<number>({
    env: 'VW_WEBHOOK_CONCURRENCY',
    kind: 'int',
    schema: positiveInt.max(100_000),
    default: 512,
    doc: 'Webhook requests in flight per `delivery` process.',
  }),
  webhookEndpointMaxInFlight: setting<number>({
    env: 'VW_WEBHOOK_ENDPOINT_IN_FLIGHT',
    kind: 'int',
    schema: positiveInt.max(10_000),
    default: 64,
    doc: 'Requests in flight (and pooled keep-alive connections) per endpoint per `delivery` process, unless the endpoint sets its own.',
  }),
  webhookFleetHeartbeatMs: setting<number>({
    env: 'VW_WEBHOOK_FLEET_HEARTBEAT_MS',
    kind: 'int',
    schema: z.number().int().min(500).max(60_000),
    default: 5_000,
    doc: 'How often each `delivery` process heartbeats in `webhook_workers` and recounts the fleet it splits endpoint rate limits and in-flight bounds across. A process missing three heartbeats stops counting; shorter reacts faster to workers leaving or dying, at one small query per process per beat.',
  }),
  webhookVisibilityMs: setting<number>({
    env: 'VW_WEBHOOK_VISIBILITY_MS',
    kind: 'int',
    schema: z.number().int().min(1000),
    default: 60_000,
    doc: 'How long a claimed webhook message stays invisible to other delivery workers; a crashed worker’s messages come back after it.',
  }),
  webhookPollMs: setting<number>({
    env: 'VW_WEBHOOK_POLL_MS',
    kind: 'int',
    schema: positiveInt.max(60_000),
    default: 200,
    doc: 'How often an idle delivery worker looks for due webhook messages in PostgreSQL.',
  }),
  webhookCircuitThreshold: setting<number>({
    env: 'VW_WEBHOOK_CIRCUIT_THRESHOLD',
    kind: 'int',
    schema: positiveInt.max(1_000_000),
    default: 5,
    doc: 'Failed attempts in a row that open an endpoint’s circuit breaker.',
  }),
  webhookCircuitCooldownMs: setting<number>({
    env: 'VW_WEBHOOK_CIRCUIT_COOLDOWN_MS',
    kind: 'int',
    schema: positiveInt.max(3_600_000),
    default: 5_000,
    doc: 'When an endpoint’s circuit opens, deliveries to it wait this long (doubling per failed probe, up to 5 min) without using up attempts.',
  }),
  webhookDisableAfterHours: setting<number>({
    env: 'VW_WEBHOOK_DISABLE_AFTER_HOURS',
    kind: 'int',
    schema: positiveInt.max(24 * 365),
    default: 72,
    doc: 'An endpoint whose every delivery failed for this long is disabled, with a `webhook.endpoint.disabled` notice.',
  }),
  webhookRetentionDays: setting<number>({
    env: 'VW_WEBHOOK_RETENTION_DAYS',
    kind: 'int',
    schema: positiveInt.max(3650),
    default: 14,
    doc: 'Days delivered webhook messages and attempt logs are kept (dead letters are kept until replayed or the endpoint is deleted). The `scheduler` role prunes them in its maintenance pass (every 10 minutes).',
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
      const shown = spec.secret ? '[redacted]' : JSON.stringify(maskUrls(value));
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
