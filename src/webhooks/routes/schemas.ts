import { z } from '@hono/zod-openapi';
import { ANY_ROLE } from '../../platform/http/access.js';
import { bigintString } from '../../platform/http/route-helpers.js';
import { CHAIN_EVENT_TYPES, SYSTEM_EVENT_TYPES } from '../event-types.js';
import { MESSAGE_STATES } from '../model.js';
import { SUBSCRIPTION_KINDS } from '../subscriptions/filters.js';

/** The request and response schemas of the webhook routes (the OpenAPI components). */

export { IdParam } from '../../platform/http/route-helpers.js';

export const READ = { roles: ANY_ROLE, scope: 'webhooks:read' } as const;
export const WRITE = { roles: ANY_ROLE, scope: 'webhooks:write' } as const;

export const EndpointSchema = z
  .object({
    id: z.string().openapi({ example: 'whe_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y' }),
    object: z.literal('webhook_endpoint'),
    url: z.string(),
    description: z.string().nullable(),
    event_types: z.array(z.string()),
    status: z.enum(['active', 'paused', 'disabled']),
    disabled_reason: z.string().nullable().openapi({
      description:
        'Why it is disabled: by its owner, a 410 Gone, or every delivery failing for too long',
    }),
    disabled_at: z.string().nullable(),
    ordered: z.boolean(),
    rate_limit_per_sec: z.number().int().nullable(),
    max_in_flight: z.number().int().nullable(),
    failing_since: z.string().nullable(),
    last_success_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('WebhookEndpoint');

export const MessageSchema = z
  .object({
    id: z.string().openapi({ description: 'The `webhook-id` header: stable across retries' }),
    object: z.literal('webhook_message'),
    endpoint_id: z.string(),
    event_id: z.string(),
    event_type: z.string(),
    chain: z.string().nullable(),
    block_number: z.string().nullable(),
    state: z.enum(MESSAGE_STATES).openapi({
      description:
        '`skipped`: recorded while the endpoint was disabled, not attempted (see /recover)',
    }),
    attempts: z.number().int(),
    next_attempt_at: z.string().nullable(),
    last_status: z.number().int().nullable(),
    last_error: z.string().nullable(),
    created_at: z.string(),
    delivered_at: z.string().nullable(),
    payload: z.unknown(),
  })
  .openapi('WebhookMessage');

export const AttemptSchema = z
  .object({
    id: z.string(),
    object: z.literal('webhook_attempt'),
    message_id: z.string(),
    attempt: z.number().int(),
    outcome: z.string(),
    status_code: z.number().int().nullable(),
    latency_ms: z.number().int().nullable(),
    response_excerpt: z.string().nullable(),
    error: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('WebhookAttempt');

export const SubscriptionSchema = z
  .object({
    id: z.string().openapi({ example: 'wsub_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y' }),
    object: z.literal('webhook_subscription'),
    endpoint_id: z.string(),
    kind: z.enum(SUBSCRIPTION_KINDS),
    chain: z.string(),
    filter: z.record(z.string(), z.unknown()),
    item_count: z.number().int(),
    from_block: z.string().optional().openapi({
      description: 'contract_log: the first block counted, when one was given',
    }),
    created_at: z.string(),
    updated_at: z.string(),
    backfill_id: z.string().optional().openapi({
      description:
        'Present when this call started a backfill (addresses added with a `from_block` the follower had passed, or a `contract_log` subscription with a `from_block`); see /backfills',
    }),
  })
  .openapi('WebhookSubscription');

export const BackfillSchema = z
  .object({
    id: z.string().openapi({ example: 'wbf_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y' }),
    object: z.literal('webhook_backfill'),
    subscription_id: z.string(),
    chain: z.string(),
    address_count: z.number().int(),
    from_block: z.string(),
    to_block: z
      .string()
      .nullable()
      .openapi({ description: 'The confirmed height when the backfill started; null before' }),
    next_block: z.string().openapi({ description: 'The first block not scanned yet' }),
    state: z.enum(['queued', 'running', 'done', 'failed']),
    messages: z.number().int().openapi({
      description: 'Messages created (events already delivered live are not created twice)',
    }),
    last_error: z.string().nullable(),
    created_at: z.string(),
    finished_at: z.string().nullable(),
  })
  .openapi('WebhookBackfill');

/** The event types named one by one (the rest are platform types and `family.*` patterns). */
export const NamedEventType = z
  .enum([...CHAIN_EVENT_TYPES, ...SYSTEM_EVENT_TYPES, 'webhook.*', '*'])
  .openapi('WebhookEventType');

// A union for the reference only: any string passes here, and the service answers an
// unknown one with its own typed error (`event_type_unknown`).
export const EventTypes = z
  .array(
    z.union([
      NamedEventType,
      z.string().min(1).max(100).openapi({
        description:
          'A platform event type (`deposit.confirmed`, `payment.completed`, …) or a family of them (`fiat_deposit.*`): `GET /v1/event_types` lists them',
      }),
    ]),
  )
  .min(1)
  .max(50)
  .openapi({ example: ['address.activity', 'tx.dropped', 'deposit.confirmed'] });
export const EndpointFields = {
  url: z.string().min(1).max(2000).openapi({ example: 'https://example.com/webhooks' }),
  event_types: EventTypes,
  description: z.string().max(500).nullable().optional(),
  ordered: z
    .boolean()
    .optional()
    .openapi({ description: 'Deliver one at a time, in order: the next waits for success' }),
  rate_limit_per_sec: z.number().int().min(1).max(100_000).nullable().optional(),
  max_in_flight: z.number().int().min(1).max(1000).nullable().optional(),
};

export const Items = z.array(z.string().max(66)).min(1).max(20_000);
export const BlockNumber = bigintString().openapi({ example: '19000000' });

export const EventTypeInfoSchema = z
  .object({
    object: z.literal('event_type'),
    type: z.string(),
    source: z.string(),
    description: z.string(),
    payload: z.string(),
    audience: z.enum(['owners', 'owners_and_operators', 'subscribers', 'endpoint']),
  })
  .openapi('EventType');

/** Registers /v1 webhook routes: endpoints, subscriptions, delivery logs and replay. */
