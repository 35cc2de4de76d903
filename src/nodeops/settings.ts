import { z } from 'zod';

/**
 * The `nodeops:` configuration section: whether the monitor runs, how often it looks, and
 * the fleet (chains with their thresholds and reference endpoints, nodes, alert channels)
 * written into PostgreSQL at start. The API and CLI add more at run time.
 *
 * @example
 * nodeops:
 *   enabled: true
 *   intervalMs: 2000
 *   ssrfAllow: [127.0.0.0/8]
 *   chains:
 *     - key: cosmoshub
 *       family: cometbft
 *       blockTimeSeconds: 6.5
 *       references: [https://rpc.cosmos.example]
 *   nodes:
 *     - { name: hub-val-eu, chain: cosmoshub, region: eu, role: validator,
 *         url: https://10.0.0.5:26657, validatorAddress: 3F8A… }
 *   channels:
 *     - { name: ops, kind: telegram, chatId: "-1001234", botToken: "123:ABC" }
 */

export const FAMILIES = ['cometbft', 'evm', 'eos', 'xrpl'] as const;
export type Family = (typeof FAMILIES)[number];
export const NODE_ROLES = ['validator', 'sentry', 'rpc'] as const;
export type NodeRole = (typeof NODE_ROLES)[number];
export const CHANNEL_KINDS = ['telegram', 'slack', 'email', 'pagerduty'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];
export const SEVERITIES = ['warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** An EOS account name: up to 12 of a-z, 1-5 and dots. */
export const EOS_ACCOUNT = /^[a-z1-5.]{1,12}$/;

export const chainKey = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'must be lower-case letters, digits, _ and -');
export const nodeName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be letters, digits, . _ and -');
export const httpUrl = z
  .string()
  .max(2000)
  .refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), {
    message: 'must be an absolute http(s) URL',
  });

/**
 * Per-chain thresholds. Every bound is checked so that an absurd value (a lag of a
 * billion blocks, a 0 s block time) is refused rather than silently never firing.
 */
export const ThresholdsSchema = z.strictObject({
  /** The chain's target block time; stall and the defaults below derive from it. */
  blockTimeSeconds: z.number().min(0.1).max(600).default(6.5),
  /** Blocks behind the highest of own nodes and references before `lagging` fires. */
  lagBlocks: z.number().int().min(1).max(100_000).default(3),
  /**
   * Seconds without a new block, while the chain moved on, before `stalled` fires.
   * Default: twice the block time.
   */
  stallSeconds: z.number().min(0.2).max(86_400).optional(),
  /** Fewer peers than this fires `peers_low` (a warning). 0 turns it off. */
  minPeers: z.number().int().min(0).max(10_000).default(2),
  /**
   * A validator missing this many precommits in a row fires `missed_signatures`. 2 keeps
   * detection under 20 s at 6.5 s blocks; raise it on chains where single misses are common.
   */
  missedConsecutive: z.number().int().min(1).max(10_000).default(2),
  /** The window (blocks) and the misses in it that also fire `missed_signatures`. */
  missedWindow: z.number().int().min(1).max(10_000).default(100),
  missedWindowMax: z.number().int().min(1).max(10_000).default(10),
  /** Seconds out of consensus before a node is banned. */
  banAfterSeconds: z
    .number()
    .min(1)
    .max(30 * 86_400)
    .default(1800),
  /** Seconds back in consensus before an automatic ban is lifted; 0: only an operator unbans. */
  unbanAfterSeconds: z
    .number()
    .min(0)
    .max(30 * 86_400)
    .default(600),
  /**
   * EOS: complete rounds of the producer schedule in which a producer made no block
   * before `missed_rounds` fires (the WAX guide unregisters after 1).
   */
  missedRounds: z.number().int().min(1).max(1000).default(1),
});
export type Thresholds = z.output<typeof ThresholdsSchema>;

export const ChainSettingsSchema = z.strictObject({
  key: chainKey,
  family: z.enum(FAMILIES),
  references: z.array(httpUrl).max(20).default([]),
  /**
   * CometBFT chains: a Cosmos SDK REST (LCD) base URL; with it, validators are checked
   * for being in the active (bonded) set and not jailed.
   */
  lcdUrl: httpUrl.optional(),
  /**
   * A release feed with the GitHub releases API shape (`…/releases/latest` or
   * `…/releases`); nodes running an older version than its latest release alert
   * (`outdated`, a warning).
   */
  releaseFeed: httpUrl.optional(),
  ...ThresholdsSchema.shape,
});
export type ChainSettings = z.output<typeof ChainSettingsSchema>;

export const NodeSettingsSchema = z.strictObject({
  name: nodeName,
  chain: chainKey,
  region: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'must be a region name like eu-west'),
  role: z.enum(NODE_ROLES),
  url: httpUrl,
  validatorAddress: z
    .string()
    .regex(/^[0-9A-Fa-f]{40}$/, 'must be a 20-byte hex consensus address')
    .optional(),
  /** EOS: the producer account whose rounds are counted (role `validator`). */
  producerName: z.string().regex(EOS_ACCOUNT, 'must be an EOS account name').optional(),
});
export type NodeSettings = z.output<typeof NodeSettingsSchema>;

/** Channel credential shapes, shared by the YAML settings and the API's request bodies. */
export const TELEGRAM_BOT_TOKEN = /^\d{1,20}:[A-Za-z0-9_-]{10,100}$/;
export const TELEGRAM_CHAT_ID = /^-?\d{1,20}$|^@[A-Za-z0-9_]{5,64}$/;
export const PAGERDUTY_ROUTING_KEY = /^[A-Za-z0-9]{32}$/;

const channelBase = {
  name: nodeName,
  minSeverity: z.enum(SEVERITIES).default('warning'),
  chains: z.array(chainKey).max(100).default([]),
};

export const ChannelSettingsSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    ...channelBase,
    kind: z.literal('telegram'),
    botToken: z.string().regex(TELEGRAM_BOT_TOKEN, 'must be a Telegram bot token'),
    chatId: z.string().regex(TELEGRAM_CHAT_ID, 'must be a chat id'),
    /** The Bot API server (a local Bot API server, or a test receiver). */
    apiUrl: httpUrl.default('https://api.telegram.org'),
  }),
  z.strictObject({ ...channelBase, kind: z.literal('slack'), webhookUrl: httpUrl }),
  z.strictObject({
    ...channelBase,
    kind: z.literal('email'),
    to: z.array(z.email()).min(1).max(50),
  }),
  z.strictObject({
    ...channelBase,
    kind: z.literal('pagerduty'),
    routingKey: z.string().regex(PAGERDUTY_ROUTING_KEY, 'must be a 32-character integration key'),
    eventsUrl: httpUrl.default('https://events.pagerduty.com/v2/enqueue'),
  }),
]);
export type ChannelSettings = z.output<typeof ChannelSettingsSchema>;

/** A region name (`eu-west`). */
export const regionName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'must be a region name like eu-west');

/** A regular expression with one capture group (a backup's height in its file name). */
const heightPattern = z
  .string()
  .max(200)
  .refine(
    (v) => {
      try {
        // Matching '' through the empty alternative shows how many groups the pattern has.
        return (new RegExp(`${v}|`).exec('')?.length ?? 0) >= 2;
      } catch {
        return false;
      }
    },
    { message: 'must be a regular expression with a capture group for the height' },
  );

const monitorBase = {
  name: nodeName,
  /** Optional: alerts are routed by it (channels' `chains`); backups are grouped by it. */
  chain: chainKey.optional(),
  region: regionName.optional(),
  /** How often it is checked. */
  intervalSeconds: z.number().min(0.1).max(86_400).default(30),
};

/**
 * Backup freshness in one region: the newest backup's time — the newest file's mtime in
 * `path` (a file, or a directory whose newest entry counts), or an HTTP(S) object's
 * `Last-Modified` — older than `maxAgeSeconds` alerts (`backup_stale`).
 */
export const BackupMonitorSchema = z.strictObject({
  ...monitorBase,
  kind: z.literal('backup'),
  region: regionName,
  path: z.string().min(1).max(1000).startsWith('/', 'must be an absolute path').optional(),
  url: httpUrl.optional(),
  maxAgeSeconds: z
    .number()
    .min(1)
    .max(365 * 86_400)
    .default(86_400),
  intervalSeconds: z.number().min(0.1).max(86_400).default(60),
  heightPattern: heightPattern.optional(),
});
export type BackupMonitorSettings = z.output<typeof BackupMonitorSchema>;

/**
 * Uptime of a web service: `down` when it does not answer with an expected status (any
 * 2xx unless `expectStatus`), the `keyword` in its body, or `jsonEquals` at the body's
 * `jsonPointer`, `failureThreshold` checks in a row; `slow` above `maxLatencyMs`;
 * `cert_expiring` when its TLS certificate expires within `certExpiryDays`.
 */
export const HttpMonitorSchema = z.strictObject({
  ...monitorBase,
  kind: z.literal('http'),
  url: httpUrl,
  method: z.enum(['GET', 'HEAD']).default('GET'),
  expectStatus: z.array(z.number().int().min(100).max(599)).max(20).default([]),
  keyword: z.string().min(1).max(200).optional(),
  jsonPointer: z
    .string()
    .max(200)
    .regex(/^(\/[^/]*)*$/, 'must be a JSON Pointer like /status/ok')
    .optional(),
  jsonEquals: z.union([z.string().max(200), z.number(), z.boolean()]).optional(),
  maxLatencyMs: z.number().int().min(1).max(600_000).optional(),
  certExpiryDays: z.number().int().min(0).max(365).default(14),
  failureThreshold: z.number().int().min(1).max(100).default(2),
  timeoutMs: z.number().int().min(100).max(60_000).default(5000),
  /** PEM certificate(s) of a private CA the service's certificate is issued by. */
  caCert: z.string().max(20_000).includes('-----BEGIN CERTIFICATE-----').optional(),
});
export type HttpMonitorSettings = z.output<typeof HttpMonitorSchema>;

/**
 * A heartbeat: a job calls `POST /v1/nodeops/push` with its token (header
 * `x-push-token`) at least every `maxSilenceSeconds`, or `heartbeat_missed` fires.
 */
export const PushMonitorSchema = z.strictObject({
  ...monitorBase,
  kind: z.literal('push'),
  /** The token the job calls in with (at least 24 characters); kept only as a hash. */
  token: z.string().regex(/^[A-Za-z0-9_-]{24,128}$/, 'must be 24 to 128 letters, digits, _ and -'),
  maxSilenceSeconds: z
    .number()
    .min(1)
    .max(30 * 86_400)
    .default(300),
  intervalSeconds: z.number().min(0.1).max(86_400).default(5),
});
export type PushMonitorSettings = z.output<typeof PushMonitorSchema>;

export const MonitorSettingsSchema = z
  .discriminatedUnion('kind', [BackupMonitorSchema, HttpMonitorSchema, PushMonitorSchema])
  .superRefine((m, ctx) => {
    if (m.kind === 'backup' && (m.path === undefined) === (m.url === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['path'],
        message: 'a backup monitor takes exactly one of path and url',
      });
    }
    if (m.kind === 'http' && m.jsonEquals !== undefined && m.jsonPointer === undefined) {
      ctx.addIssue({ code: 'custom', path: ['jsonEquals'], message: 'needs jsonPointer' });
    }
  });
export type MonitorSettings = z.output<typeof MonitorSettingsSchema>;

export const NodeopsSettingsSchema = z
  .strictObject({
    /** False: the `nodeops` role idles (the API still manages the fleet). */
    enabled: z.boolean().default(false),
    /** How often every node and reference is polled. */
    intervalMs: z.number().int().min(100).max(600_000).default(2000),
    /** Time a node or reference has to answer one poll. */
    requestTimeoutMs: z.number().int().min(100).max(60_000).default(3000),
    /**
     * Requests to nodes and references in flight at once; the rest of a poll waits its
     * turn, its timeout not yet running (5,000 nodes take 10,000 requests a poll).
     */
    maxRequestsInFlight: z.number().int().min(1).max(10_000).default(64),
    /** How often the sender looks for notifications to deliver (besides being woken). */
    sendPollMs: z.number().int().min(20).max(60_000).default(250),
    /** Lease time of the one sender among the monitor replicas. */
    senderLeaseMs: z.number().int().min(500).max(600_000).default(5000),
    /** Seconds between reminders of an alert still firing and not acknowledged; 0: none. */
    remindEverySeconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 86_400)
      .default(3600),
    /**
     * A producer chain's double-sign alert resolves after this long without another
     * refused attempt (the second producer was stopped).
     */
    doubleSignQuietSeconds: z.number().int().min(1).max(86_400).default(600),
    /** How often each chain's release feed is read (GitHub allows 60 unauthenticated calls an hour). */
    releaseCheckMs: z.number().int().min(1000).max(86_400_000).default(3_600_000),
    /** IP ranges node, reference and channel URLs may point to although private or loopback. */
    ssrfAllow: z
      .array(z.string().regex(/^[0-9a-fA-F:.]+(\/\d{1,3})?$/, 'must be an IP or CIDR range'))
      .default([]),
    chains: z
      .array(z.preprocess(refuseOtherFamilysThresholds, ChainSettingsSchema))
      .max(1000)
      .default([]),
    nodes: z.array(NodeSettingsSchema).max(100_000).default([]),
    channels: z.array(ChannelSettingsSchema).max(1000).default([]),
    /** Backup freshness, uptime and heartbeat monitors (see MonitorSettingsSchema). */
    monitors: z.array(MonitorSettingsSchema).max(10_000).default([]),
    /**
     * Directories a backup monitor's `path` may be under when set through the API (the
     * YAML file may name any path). Empty: the API takes no path monitors.
     */
    backupPathRoots: z
      .array(z.string().startsWith('/', 'must be an absolute path').max(1000))
      .max(100)
      .default([]),
  })
  .superRefine((s, ctx) => {
    // A field of another family would be ignored without a word: refuse it by name.
    const family = new Map(s.chains.map((c) => [c.key, c.family]));
    s.chains.forEach((c, i) => {
      if (c.lcdUrl !== undefined && c.family !== 'cometbft') {
        ctx.addIssue({
          code: 'custom',
          path: ['chains', i, 'lcdUrl'],
          message: `lcdUrl is for cometbft chains; ${c.key} is ${c.family}`,
        });
      }
    });
    s.nodes.forEach((n, i) => {
      const f = family.get(n.chain);
      if (n.validatorAddress !== undefined && f !== undefined && f !== 'cometbft') {
        ctx.addIssue({
          code: 'custom',
          path: ['nodes', i, 'validatorAddress'],
          message: `validatorAddress is for nodes of cometbft chains; ${n.name}'s chain ${n.chain} is ${f}`,
        });
      }
      if (n.producerName !== undefined && f !== undefined && f !== 'eos') {
        ctx.addIssue({
          code: 'custom',
          path: ['nodes', i, 'producerName'],
          message: `producerName is for nodes of eos chains; ${n.name}'s chain ${n.chain} is ${f}`,
        });
      }
    });
  });
export type NodeopsSettings = z.output<typeof NodeopsSettingsSchema>;

/** Thresholds that mean something on one family only. */
const FAMILY_THRESHOLDS: Record<string, Family> = {
  missedConsecutive: 'cometbft',
  missedWindow: 'cometbft',
  missedWindowMax: 'cometbft',
  missedRounds: 'eos',
};

/** Refuses, by name, a threshold set on a chain of a family it does not apply to. */
function refuseOtherFamilysThresholds(raw: unknown, ctx: z.RefinementCtx): unknown {
  if (raw === null || typeof raw !== 'object') return raw;
  const c = raw as Record<string, unknown>;
  for (const [field, f] of Object.entries(FAMILY_THRESHOLDS)) {
    if (field in c && typeof c['family'] === 'string' && c['family'] !== f) {
      ctx.addIssue({
        code: 'custom',
        path: [field],
        message: `${field} is for ${f} chains; ${String(c['key'])} is ${c['family']}`,
      });
    }
  }
  return raw;
}

/** The stall threshold in seconds: the configured one, or twice the block time. */
export function stallSeconds(t: Thresholds): number {
  return t.stallSeconds ?? t.blockTimeSeconds * 2;
}

/** The thresholds part of a chain's settings. */
export function thresholdsOf(c: ChainSettings): Thresholds {
  const {
    key: _key,
    family: _family,
    references: _refs,
    lcdUrl: _lcd,
    releaseFeed: _feed,
    ...t
  } = c;
  return t;
}
