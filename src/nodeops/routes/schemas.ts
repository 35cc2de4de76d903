import { z } from '@hono/zod-openapi';
import type { UserPrincipal } from '../../platform/http/route-helpers.js';
import type { Actor } from '../fleet.js';
import {
  CHANNEL_KINDS,
  EOS_ACCOUNT,
  FAMILIES,
  NODE_ROLES,
  PAGERDUTY_ROUTING_KEY,
  SEVERITIES,
  TELEGRAM_BOT_TOKEN,
  TELEGRAM_CHAT_ID,
} from '../settings.js';

/** The request and response schemas of the node-ops routes (the OpenAPI components). */

export { IdParam } from '../../platform/http/route-helpers.js';

/** Operators and admins only: the fleet is the operator's, not a customer's. */
export const READ = { roles: ['operator', 'admin'], scope: 'nodeops:read' } as const;
export const WRITE = { roles: ['operator', 'admin'], scope: 'nodeops:write' } as const;

export const actorOf = (p: UserPrincipal): Actor => ({
  type: 'user',
  id: p.userId,
  credentialId: p.credentialId,
});

const url = z.string().max(2000).openapi({ example: 'https://rpc.cosmos.example:443' });
const key = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'must be lower-case letters, digits, _ and -');
const name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be letters, digits, . _ and -');

export const ThresholdFields = {
  block_time_seconds: z.number().min(0.1).max(600).optional(),
  lag_blocks: z.number().int().min(1).max(100_000).optional(),
  stall_seconds: z.number().min(0.2).max(86_400).optional(),
  min_peers: z.number().int().min(0).max(10_000).optional(),
  missed_consecutive: z.number().int().min(1).max(10_000).optional(),
  missed_window: z.number().int().min(1).max(10_000).optional(),
  missed_window_max: z.number().int().min(1).max(10_000).optional(),
  ban_after_seconds: z
    .number()
    .min(1)
    .max(30 * 86_400)
    .optional(),
  unban_after_seconds: z
    .number()
    .min(0)
    .max(30 * 86_400)
    .optional(),
  missed_rounds: z.number().int().min(1).max(1000).optional(),
};

export const ChainBody = z.strictObject({
  key,
  family: z.enum(FAMILIES),
  references: z.array(url).max(20).default([]),
  lcd_url: url.optional().openapi({
    description:
      'cometbft: a Cosmos SDK REST (LCD) base URL; validators are then checked for the active set and jail',
  }),
  release_feed: url.optional().openapi({
    description:
      'A release feed with the GitHub releases API shape (`…/releases/latest` or `…/releases`)',
    example: 'https://api.github.com/repos/cometbft/cometbft/releases/latest',
  }),
  ...ThresholdFields,
});

export const ChainSchema = z
  .object({
    object: z.literal('nodeops_chain'),
    key: z.string(),
    family: z.enum(FAMILIES),
    references: z.array(z.string()),
    lcd_url: z.string().nullable(),
    release_feed: z.string().nullable(),
    thresholds: z.record(z.string(), z.number()),
    source: z.enum(['config', 'api']),
    created_at: z.string(),
  })
  .openapi('NodeopsChain');

export const NodeBody = z.strictObject({
  name,
  chain: key,
  region: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'must be a region name like eu-west'),
  role: z.enum(NODE_ROLES),
  url,
  validator_address: z
    .string()
    .regex(/^[0-9A-Fa-f]{40}$/, 'must be a 20-byte hex consensus address')
    .optional(),
  producer_name: z
    .string()
    .regex(EOS_ACCOUNT, 'must be an EOS account name')
    .optional()
    .openapi({ description: 'eos: the producer account whose rounds are counted' }),
});

export const NodeSchema = z
  .object({
    id: z.string().openapi({ example: 'nod_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y' }),
    object: z.literal('nodeops_node'),
    name: z.string(),
    chain: z.string(),
    region: z.string(),
    role: z.enum(NODE_ROLES),
    url: z.string(),
    validator_address: z.string().nullable(),
    producer_name: z.string().nullable(),
    source: z.enum(['config', 'api']),
    height: z.number().nullable(),
    lag: z.number().nullable(),
    peers: z.number().nullable(),
    version: z.string().nullable(),
    state: z.string().openapi({
      description: '`ok`, or the firing checks joined by commas; `unknown` before the first poll',
    }),
    checked_at: z.string().nullable(),
    out_of_consensus_since: z.string().nullable(),
    banned: z.boolean(),
    banned_at: z.string().nullable(),
    ban_reason: z.string().nullable(),
    banned_by: z.string().nullable().openapi({ description: '`auto` or the operator’s user id' }),
    last_alert: z
      .object({ id: z.string(), kind: z.string(), status: z.string(), opened_at: z.string() })
      .nullable(),
    created_at: z.string(),
  })
  .openapi('NodeopsNode');

export const AlertSchema = z
  .object({
    id: z.string().openapi({ example: 'nal_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y' }),
    object: z.literal('nodeops_alert'),
    node_id: z.string().nullable().openapi({ description: 'The node, for a node check' }),
    node: z.string().nullable(),
    monitor_id: z
      .string()
      .nullable()
      .openapi({ description: 'The monitor, for a backup, uptime or heartbeat check' }),
    monitor: z.string().nullable(),
    producer_chain: z.string().nullable().openapi({
      description:
        'The chain whose block producer the alert is about (a refused double-sign attempt, a failover)',
    }),
    chain: z.string().nullable(),
    region: z.string().nullable(),
    kind: z.string(),
    severity: z.enum(SEVERITIES),
    status: z.enum(['firing', 'acknowledged', 'resolved']),
    summary: z.string(),
    details: z.record(z.string(), z.unknown()),
    opened_at: z.string(),
    acknowledged_at: z.string().nullable(),
    acknowledged_by: z.string().nullable(),
    silenced_until: z.string().nullable(),
    resolved_at: z.string().nullable(),
  })
  .openapi('NodeopsAlert');

export const NoticeSchema = z.object({
  id: z.string(),
  kind: z.enum(['opened', 'reminder', 'banned', 'unbanned', 'resolved']),
  text: z.string(),
  created_at: z.string(),
});

const channelBase = {
  name,
  min_severity: z.enum(SEVERITIES).default('warning'),
  chains: z.array(key).max(100).default([]),
};

export const ChannelBody = z.discriminatedUnion('kind', [
  z.strictObject({
    ...channelBase,
    kind: z.literal('telegram'),
    bot_token: z.string().regex(TELEGRAM_BOT_TOKEN, 'must be a Telegram bot token'),
    chat_id: z.string().regex(TELEGRAM_CHAT_ID, 'must be a chat id'),
    api_url: url.default('https://api.telegram.org'),
  }),
  z.strictObject({ ...channelBase, kind: z.literal('slack'), webhook_url: url }),
  z.strictObject({
    ...channelBase,
    kind: z.literal('email'),
    to: z.array(z.email()).min(1).max(50),
  }),
  z.strictObject({
    ...channelBase,
    kind: z.literal('pagerduty'),
    routing_key: z.string().regex(PAGERDUTY_ROUTING_KEY, 'must be a 32-character integration key'),
    events_url: url.default('https://events.pagerduty.com/v2/enqueue'),
  }),
]);

export const ChannelSchema = z
  .object({
    id: z.string().openapi({ example: 'nch_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y' }),
    object: z.literal('nodeops_channel'),
    name: z.string(),
    kind: z.enum(CHANNEL_KINDS),
    settings: z.record(z.string(), z.unknown()).openapi({
      description: 'What is safe to show; the secret (token, webhook URL, routing key) never is',
    }),
    min_severity: z.enum(SEVERITIES),
    chains: z.array(z.string()),
    source: z.enum(['config', 'api']),
    created_at: z.string(),
  })
  .openapi('NodeopsChannel');

const monitorCommon = {
  name,
  chain: key.optional().openapi({ description: 'Alerts are routed by it; backups grouped by it' }),
  region: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'must be a region name like eu-west'),
  interval_seconds: z.number().min(0.1).max(86_400).optional(),
};

export const MonitorBody = z.discriminatedUnion('kind', [
  z.strictObject({
    ...monitorCommon,
    kind: z.literal('backup'),
    path: z.string().min(1).max(1000).optional().openapi({
      description: 'A backup file, or a directory whose newest file counts',
      example: '/srv/backups/cosmoshub',
    }),
    url: url.optional().openapi({
      description: 'An HTTP(S) object whose `Last-Modified` is the backup time',
    }),
    max_age_seconds: z
      .number()
      .min(1)
      .max(365 * 86_400)
      .optional(),
    height_pattern: z.string().max(200).optional().openapi({
      description: 'A regular expression whose first group is the height in the file name',
      example: 'snapshot-(\\d+)\\.tar',
    }),
  }),
  z.strictObject({
    ...monitorCommon,
    region: monitorCommon.region.optional(),
    kind: z.literal('http'),
    url,
    method: z.enum(['GET', 'HEAD']).optional(),
    expect_status: z.array(z.number().int().min(100).max(599)).max(20).optional(),
    keyword: z.string().min(1).max(200).optional(),
    json_pointer: z.string().max(200).optional().openapi({ example: '/status' }),
    json_equals: z.union([z.string().max(200), z.number(), z.boolean()]).optional(),
    max_latency_ms: z.number().int().min(1).max(600_000).optional(),
    cert_expiry_days: z.number().int().min(0).max(365).optional(),
    failure_threshold: z.number().int().min(1).max(100).optional(),
    timeout_ms: z.number().int().min(100).max(60_000).optional(),
    ca_cert: z.string().max(20_000).optional(),
  }),
  z.strictObject({
    ...monitorCommon,
    region: monitorCommon.region.optional(),
    kind: z.literal('push'),
    max_silence_seconds: z
      .number()
      .min(1)
      .max(30 * 86_400)
      .optional(),
  }),
]);

export const MonitorSchema = z
  .object({
    id: z.string().openapi({ example: 'nmo_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y' }),
    object: z.literal('nodeops_monitor'),
    name: z.string(),
    kind: z.enum(['backup', 'http', 'push']),
    chain: z.string().nullable(),
    region: z.string().nullable(),
    settings: z.record(z.string(), z.unknown()),
    state: z.string().openapi({
      description:
        '`ok`, the firing checks joined by commas (`backup_stale`, `down`, `slow`, `cert_expiring`, `heartbeat_missed`), or `unknown`',
    }),
    checked_at: z.string().nullable(),
    last: z.record(z.string(), z.unknown()).nullable().openapi({
      description:
        'The last check: newest_at, age_seconds, height, status, latency_ms, cert_expires_at, error',
    }),
    last_push_at: z.string().nullable(),
    source: z.enum(['config', 'api']),
    created_at: z.string(),
  })
  .openapi('NodeopsMonitor');

const BackupRegionSchema = z.object({
  region: z.string(),
  monitor: z.string(),
  newest_at: z.string().nullable(),
  age_seconds: z.number().nullable(),
  height: z.number().nullable(),
  max_age_seconds: z.number(),
  stale: z.boolean(),
  stale_since: z.string().nullable(),
  checked_at: z.string().nullable(),
});

export const BackupGroupSchema = z
  .object({
    chain: z.string().nullable(),
    freshest: BackupRegionSchema.nullable(),
    regions: z.array(BackupRegionSchema),
  })
  .openapi('NodeopsBackups');
