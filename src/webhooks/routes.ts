import type { Context } from 'hono';
import { z } from '@hono/zod-openapi';
import { ANY_ROLE, defineRoute, type Principal } from '../platform/http/access.js';
import type { HttpApp } from '../platform/http/app.js';
import type { AppEnv } from '../platform/http/context.js';
import { ApiError, unwrap } from '../platform/http/errors.js';
import { checkCursor, pageSchema, PaginationQuery, toPage } from '../platform/http/pagination.js';
import { isWebhookError, WebhookError, webhookApiError } from './errors.js';
import { CHAIN_EVENT_TYPES, eventTypeCatalogue, SYSTEM_EVENT_TYPES } from './event-types.js';
import { MESSAGE_STATES, type Attempt, type Caller, type Endpoint, type Message } from './model.js';
import type { Backfill } from './subscriptions/backfill.js';
import { DROP_AFTER_SECONDS, SUBSCRIPTION_KINDS } from './subscriptions/filters.js';
import type { Subscription } from './subscriptions/service.js';
import type { WebhooksService } from './service.js';
import {
  bigintString,
  jsonResponse as json,
  jsonBody as body,
} from '../platform/http/route-helpers.js';

type Ctx = Context<AppEnv>;

function caller(c: Ctx): Caller {
  const p: Principal = c.get('principal');
  if (p.kind !== 'user') throw new Error('route reached without an authenticated user');
  return { userId: p.userId, staff: p.role === 'operator' || p.role === 'admin' };
}

function ok<T>(r: T | WebhookError): T {
  if (isWebhookError(r)) throw webhookApiError(r);
  return r;
}

const IdParam = (example: string) =>
  z.object({
    id: z
      .string()
      .max(64)
      .openapi({ param: { name: 'id', in: 'path' }, example }),
  });

const READ = { roles: ANY_ROLE, scope: 'webhooks:read' } as const;
const WRITE = { roles: ANY_ROLE, scope: 'webhooks:write' } as const;

const EndpointSchema = z
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

const endpointJson = (e: Endpoint) => ({
  id: e.id,
  object: 'webhook_endpoint' as const,
  url: e.url,
  description: e.description,
  event_types: e.eventTypes,
  status: e.status,
  disabled_reason: e.disabledReason,
  disabled_at: e.disabledAt?.toISOString() ?? null,
  ordered: e.ordered,
  rate_limit_per_sec: e.rateLimitPerSec,
  max_in_flight: e.maxInFlight,
  failing_since: e.failingSince?.toISOString() ?? null,
  last_success_at: e.lastSuccessAt?.toISOString() ?? null,
  created_at: e.createdAt.toISOString(),
  updated_at: e.updatedAt.toISOString(),
});

const MessageSchema = z
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

const messageJson = (m: Message) => ({
  id: m.id,
  object: 'webhook_message' as const,
  endpoint_id: m.endpointId,
  event_id: m.eventId,
  event_type: m.eventType,
  chain: m.chainKey,
  block_number: m.blockNumber?.toString() ?? null,
  state: m.state,
  attempts: m.attempts,
  next_attempt_at: m.nextAttemptAt?.toISOString() ?? null,
  last_status: m.lastStatus,
  last_error: m.lastError,
  created_at: m.createdAt.toISOString(),
  delivered_at: m.deliveredAt?.toISOString() ?? null,
  payload: JSON.parse(m.body) as unknown,
});

const AttemptSchema = z
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

const attemptJson = (a: Attempt) => ({
  id: a.id,
  object: 'webhook_attempt' as const,
  message_id: a.messageId,
  attempt: a.attempt,
  outcome: a.outcome,
  status_code: a.statusCode,
  latency_ms: a.latencyMs,
  response_excerpt: a.responseExcerpt,
  error: a.error,
  created_at: a.createdAt.toISOString(),
});

const SubscriptionSchema = z
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

const subscriptionJson = (s: Subscription) => ({
  id: s.id,
  object: 'webhook_subscription' as const,
  endpoint_id: s.endpointId,
  kind: s.kind,
  chain: s.chain,
  filter: s.filter,
  item_count: s.itemCount,
  ...(s.fromBlock !== null ? { from_block: s.fromBlock.toString() } : {}),
  created_at: s.createdAt.toISOString(),
  updated_at: s.updatedAt.toISOString(),
  ...(s.backfillId !== undefined ? { backfill_id: s.backfillId } : {}),
});

const BackfillSchema = z
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

const backfillJson = (b: Backfill) => ({
  id: b.id,
  object: 'webhook_backfill' as const,
  subscription_id: b.subscriptionId,
  chain: b.chain,
  address_count: b.addressCount,
  from_block: b.fromBlock.toString(),
  to_block: b.toBlock?.toString() ?? null,
  next_block: b.nextBlock.toString(),
  state: b.state,
  messages: b.messages,
  last_error: b.lastError,
  created_at: b.createdAt.toISOString(),
  finished_at: b.finishedAt?.toISOString() ?? null,
});

/** The event types named one by one (the rest are platform types and `family.*` patterns). */
const NamedEventType = z
  .enum([...CHAIN_EVENT_TYPES, ...SYSTEM_EVENT_TYPES, 'webhook.*', '*'])
  .openapi('WebhookEventType');

// A union for the reference only: any string passes here, and the service answers an
// unknown one with its own typed error (`event_type_unknown`).
const EventTypes = z
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
const EndpointFields = {
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

const Items = z.array(z.string().max(66)).min(1).max(20_000);
const BlockNumber = bigintString().openapi({ example: '19000000' });

const EventTypeInfoSchema = z
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
export function registerWebhookRoutes(app: HttpApp, deps: { webhooks: WebhooksService }): void {
  const { webhooks } = deps;
  const endpointOf = async (c: Ctx, id: string) => ok(await webhooks.endpoints.get(caller(c), id));

  const catalogue = eventTypeCatalogue(webhooks.events).map((e) => ({
    object: 'event_type' as const,
    ...e,
  }));
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/event_types',
      tags: ['Webhooks'],
      summary: 'The event types an endpoint can take',
      description:
        "Generated from the modules' event registries. `audience`: `owners` go only to the users an event belongs to (both sides of a payment), `owners_and_operators` to operators' endpoints too, `subscribers` to endpoints with a matching subscription.",
      access: READ,
      responses: {
        200: json(
          'The catalogue',
          z.object({ object: z.literal('list'), data: z.array(EventTypeInfoSchema) }),
        ),
      },
    }),
    (c) => c.json({ object: 'list' as const, data: catalogue }, 200),
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/webhook_endpoints',
      tags: ['Webhooks'],
      summary: 'Register a webhook endpoint',
      description:
        'Registers an HTTPS URL for the given event types and returns its signing secret (`whsec_…`) once. The URL must resolve to public addresses. A `webhook.ping` is sent to it at once.',
      access: WRITE,
      request: body(z.strictObject(EndpointFields)),
      responses: {
        201: json(
          'The endpoint and its secret',
          EndpointSchema.extend({ secret: z.string().openapi({ example: 'whsec_…' }) }),
        ),
      },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const r = ok(
        await webhooks.endpoints.create(caller(c), {
          url: input.url,
          eventTypes: input.event_types,
          ...(input.description !== undefined ? { description: input.description } : {}),
          ...(input.ordered !== undefined ? { ordered: input.ordered } : {}),
          ...(input.rate_limit_per_sec !== undefined
            ? { rateLimitPerSec: input.rate_limit_per_sec }
            : {}),
          ...(input.max_in_flight !== undefined ? { maxInFlight: input.max_in_flight } : {}),
        }),
      );
      const view = endpointJson(r.endpoint);
      c.set('idempotencyStoredBody', JSON.stringify({ ...view, secret: null }));
      return c.json({ ...view, secret: r.secret }, 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/webhook_endpoints',
      tags: ['Webhooks'],
      summary: 'Your webhook endpoints',
      access: READ,
      request: { query: PaginationQuery },
      responses: { 200: json('Endpoints', pageSchema(EndpointSchema)) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const cursor = checkCursor(q.starting_after, 'whe');
      const rows = await webhooks.endpoints.list(caller(c), {
        limit: q.limit + 1,
        ...(cursor ? { startingAfter: cursor } : {}),
      });
      return c.json(toPage(rows, q.limit, endpointJson), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/webhook_endpoints/{id}',
      tags: ['Webhooks'],
      summary: 'One webhook endpoint, with its queue',
      access: READ,
      request: { params: IdParam('whe_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y') },
      responses: {
        200: json(
          'The endpoint',
          EndpointSchema.extend({
            messages: z.record(z.string(), z.number().int()),
            lag_seconds: z.number(),
          }),
        ),
      },
    }),
    async (c) => {
      const e = await endpointOf(c, c.req.valid('param').id);
      const stats = await webhooks.log.stats(e.id);
      return c.json(
        { ...endpointJson(e), messages: stats.counts, lag_seconds: stats.lagSeconds },
        200,
      );
    },
  );

  app.openapi(
    defineRoute({
      method: 'patch',
      path: '/v1/webhook_endpoints/{id}',
      tags: ['Webhooks'],
      summary: 'Change a webhook endpoint',
      access: WRITE,
      request: {
        params: IdParam('whe_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y'),
        ...body(z.strictObject(EndpointFields).partial()),
      },
      responses: { 200: json('The endpoint', EndpointSchema) },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const e = ok(
        await webhooks.endpoints.update(caller(c), c.req.valid('param').id, {
          ...(input.url !== undefined ? { url: input.url } : {}),
          ...(input.event_types !== undefined ? { eventTypes: input.event_types } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
          ...(input.ordered !== undefined ? { ordered: input.ordered } : {}),
          ...(input.rate_limit_per_sec !== undefined
            ? { rateLimitPerSec: input.rate_limit_per_sec }
            : {}),
          ...(input.max_in_flight !== undefined ? { maxInFlight: input.max_in_flight } : {}),
        }),
      );
      return c.json(endpointJson(e), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/v1/webhook_endpoints/{id}',
      tags: ['Webhooks'],
      summary: 'Delete a webhook endpoint, its subscriptions and its queue',
      access: WRITE,
      request: { params: IdParam('whe_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y') },
      responses: {
        200: json(
          'Deleted',
          z.object({ id: z.string(), object: z.literal('webhook_endpoint'), deleted: z.boolean() }),
        ),
      },
    }),
    async (c) => {
      const id = c.req.valid('param').id;
      ok(await webhooks.endpoints.remove(caller(c), id));
      return c.json({ id, object: 'webhook_endpoint' as const, deleted: true }, 200);
    },
  );

  const statusActions = {
    pause: {
      status: 'paused',
      summary: 'Pause deliveries (messages keep queueing)',
      description: 'Messages keep queueing and are sent, in full, on resume.',
    },
    resume: {
      status: 'active',
      summary: 'Resume deliveries (also re-enables a disabled endpoint)',
      description:
        'Re-enabling a disabled endpoint sends the events that come from now on; the ones recorded while it was disabled (`skipped`) are sent only when you ask, with `/recover`.',
    },
    disable: {
      status: 'disabled',
      summary: 'Disable the endpoint (events are recorded, not sent)',
      description:
        'Nothing is sent while disabled: matching events are recorded as `skipped` messages (and so are the messages waiting now), kept for VW_WEBHOOK_RETENTION_DAYS. Re-enable with `/resume`, then send them with `/recover`.',
    },
  } as const;
  for (const [action, { status, summary, description }] of Object.entries(statusActions)) {
    app.openapi(
      defineRoute({
        method: 'post',
        path: `/v1/webhook_endpoints/{id}/${action}`,
        tags: ['Webhooks'],
        summary,
        description,
        access: WRITE,
        request: { params: IdParam('whe_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y') },
        responses: { 200: json('The endpoint', EndpointSchema) },
      }),
      async (c) => {
        const e = ok(
          await webhooks.endpoints.setStatus(caller(c), c.req.valid('param').id, status),
        );
        return c.json(endpointJson(e), 200);
      },
    );
  }

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/webhook_endpoints/{id}/rotate_secret',
      tags: ['Webhooks'],
      summary: 'Rotate the signing secret',
      description:
        'Returns a new secret once. The previous secret keeps signing too (two `v1,` signatures per delivery) until `previous_secret_expires_at`.',
      access: WRITE,
      request: {
        params: IdParam('whe_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y'),
        ...body(
          z.strictObject({
            overlap_seconds: z
              .number()
              .int()
              .min(0)
              .max(7 * 24 * 3600)
              .default(86_400),
          }),
        ),
      },
      responses: {
        200: json(
          'The new secret',
          z.object({
            object: z.literal('webhook_secret'),
            secret: z.string(),
            previous_secret_expires_at: z.string(),
          }),
        ),
      },
    }),
    async (c) => {
      const r = ok(
        await webhooks.endpoints.rotateSecret(
          caller(c),
          c.req.valid('param').id,
          c.req.valid('json').overlap_seconds,
        ),
      );
      const view = {
        object: 'webhook_secret' as const,
        previous_secret_expires_at: r.previousExpiresAt.toISOString(),
      };
      c.set('idempotencyStoredBody', JSON.stringify({ ...view, secret: null }));
      return c.json({ ...view, secret: r.secret }, 200);
    },
  );

  const MessageQuery = PaginationQuery.extend({
    state: z.enum(MESSAGE_STATES).optional(),
  });
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/webhook_endpoints/{id}/messages',
      tags: ['Webhooks'],
      summary: 'Messages of an endpoint (the delivery log), oldest first',
      access: READ,
      request: { params: IdParam('whe_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y'), query: MessageQuery },
      responses: { 200: json('Messages', pageSchema(MessageSchema)) },
    }),
    async (c) => {
      const e = await endpointOf(c, c.req.valid('param').id);
      const q = c.req.valid('query');
      const cursor = checkCursor(q.starting_after, 'msg');
      const rows = await webhooks.log.messages(e.id, {
        limit: q.limit + 1,
        ...(q.state ? { state: q.state } : {}),
        ...(cursor ? { startingAfter: cursor } : {}),
      });
      return c.json(toPage(rows, q.limit, messageJson), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/webhook_endpoints/{id}/dead_letters',
      tags: ['Webhooks'],
      summary: 'Messages that ran out of attempts (replay them with /replay)',
      access: READ,
      request: { params: IdParam('whe_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y'), query: PaginationQuery },
      responses: { 200: json('Dead letters', pageSchema(MessageSchema)) },
    }),
    async (c) => {
      const e = await endpointOf(c, c.req.valid('param').id);
      const q = c.req.valid('query');
      const cursor = checkCursor(q.starting_after, 'msg');
      const rows = await webhooks.log.messages(e.id, {
        limit: q.limit + 1,
        state: 'failed',
        ...(cursor ? { startingAfter: cursor } : {}),
      });
      return c.json(toPage(rows, q.limit, messageJson), 200);
    },
  );

  const AttemptQuery = PaginationQuery.extend({ message_id: z.string().max(64).optional() });
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/webhook_endpoints/{id}/attempts',
      tags: ['Webhooks'],
      summary: 'Delivery attempts: status, latency, response excerpt',
      access: READ,
      request: { params: IdParam('whe_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y'), query: AttemptQuery },
      responses: { 200: json('Attempts', pageSchema(AttemptSchema)) },
    }),
    async (c) => {
      const e = await endpointOf(c, c.req.valid('param').id);
      const q = c.req.valid('query');
      const cursor = checkCursor(q.starting_after, 'wha');
      const rows = await webhooks.log.attempts(e.id, {
        limit: q.limit + 1,
        ...(q.message_id ? { messageId: q.message_id } : {}),
        ...(cursor ? { startingAfter: cursor } : {}),
      });
      return c.json(toPage(rows, q.limit, attemptJson), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/webhook_endpoints/{id}/replay',
      tags: ['Webhooks'],
      summary: 'Replay one message, a time range or a block range',
      description:
        'Delivers again, as due now with a fresh retry schedule, and with the original `webhook-id`. Give `message_id`, or `since` and `until`, or `from_block` and `to_block` (with `chain`). `only_failed` limits a range to dead letters.',
      access: WRITE,
      request: {
        params: IdParam('whe_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y'),
        ...body(
          z.strictObject({
            message_id: z.string().max(64).optional(),
            since: z.iso.datetime({ offset: true }).optional(),
            until: z.iso.datetime({ offset: true }).optional(),
            chain: z.string().max(32).optional(),
            from_block: BlockNumber.optional(),
            to_block: BlockNumber.optional(),
            only_failed: z.boolean().optional(),
          }),
        ),
      },
      responses: {
        200: json(
          'How many messages were put back',
          z.object({ object: z.literal('webhook_replay'), replayed: z.number().int() }),
        ),
      },
    }),
    async (c) => {
      const e = await endpointOf(c, c.req.valid('param').id);
      const b = c.req.valid('json');
      const onlyFailed = b.only_failed ?? false;
      // Exactly one selector: a field of another selector would otherwise be ignored, and
      // the caller would replay something other than what they named.
      const byMessage = b.message_id !== undefined;
      const byTime = b.since !== undefined || b.until !== undefined;
      const byBlock =
        b.from_block !== undefined || b.to_block !== undefined || b.chain !== undefined;
      if (Number(byMessage) + Number(byTime) + Number(byBlock) !== 1) {
        throw webhookApiError(WebhookError.ReplayRangeInvalid, {
          message:
            'Give exactly one of message_id, a time range (since and until) or a block range (from_block and to_block, with chain)',
          ...(byMessage ? { param: 'message_id' } : {}),
        });
      }
      let replayed: number;
      if (byMessage) {
        if (b.only_failed !== undefined) {
          throw webhookApiError(WebhookError.ReplayRangeInvalid, {
            message: 'only_failed applies to a range, not to one message',
            param: 'only_failed',
          });
        }
        const m = await webhooks.log.message(e.id, b.message_id ?? '');
        if (!m) throw webhookApiError(WebhookError.MessageNotFound);
        replayed = await webhooks.log.replay(e.id, { messageId: m.id });
      } else if (byTime) {
        if (b.since === undefined || b.until === undefined) {
          throw webhookApiError(WebhookError.ReplayRangeInvalid, {
            message: 'A time range needs both since and until',
            param: b.since === undefined ? 'since' : 'until',
          });
        }
        const since = new Date(b.since);
        const until = new Date(b.until);
        if (until <= since) throw webhookApiError(WebhookError.ReplayRangeInvalid);
        replayed = await webhooks.log.replay(e.id, { since, until, onlyFailed });
      } else {
        if (b.from_block === undefined || b.to_block === undefined) {
          throw webhookApiError(WebhookError.ReplayRangeInvalid, {
            message: 'A block range needs both from_block and to_block',
            param: b.from_block === undefined ? 'from_block' : 'to_block',
          });
        }
        if (b.chain !== undefined && !webhooks.knownChains().includes(b.chain)) {
          throw webhookApiError(WebhookError.ChainUnknown);
        }
        const fromBlock = BigInt(b.from_block);
        const toBlock = BigInt(b.to_block);
        if (toBlock < fromBlock) throw webhookApiError(WebhookError.ReplayRangeInvalid);
        replayed = await webhooks.log.replay(e.id, {
          fromBlock,
          toBlock,
          onlyFailed,
          ...(b.chain !== undefined ? { chainKey: b.chain } : {}),
        });
      }
      return c.json({ object: 'webhook_replay' as const, replayed }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/webhook_endpoints/{id}/recover',
      tags: ['Webhooks'],
      summary: 'Send the events recorded while the endpoint was disabled',
      description:
        'Puts the `skipped` messages created from `since` (up to `until`, default now) back in the queue, oldest first (an `ordered` endpoint gets them in order), with their original `webhook-id`. Each is recovered once. The endpoint must be enabled again first (`/resume`): a disabled one answers 409 `endpoint_disabled`.',
      access: WRITE,
      request: {
        params: IdParam('whe_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y'),
        ...body(
          z.strictObject({
            since: z.iso.datetime({ offset: true }),
            until: z.iso.datetime({ offset: true }).optional(),
          }),
        ),
      },
      responses: {
        200: json(
          'How many messages were put back',
          z.object({ object: z.literal('webhook_recovery'), recovered: z.number().int() }),
        ),
      },
    }),
    async (c) => {
      const e = await endpointOf(c, c.req.valid('param').id);
      const b = c.req.valid('json');
      const since = new Date(b.since);
      const until = b.until === undefined ? new Date() : new Date(b.until);
      if (until <= since) {
        throw webhookApiError(WebhookError.ReplayRangeInvalid, {
          message: 'until must be after since',
          param: 'until',
        });
      }
      const recovered = unwrap(await webhooks.log.recover(e.id, { since, until }), (code, detail) =>
        webhookApiError(
          code === 'endpoint_disabled'
            ? WebhookError.EndpointDisabled
            : WebhookError.EndpointNotFound,
          detail,
        ),
      );
      return c.json({ object: 'webhook_recovery' as const, recovered }, 200);
    },
  );

  // --- subscriptions ---------------------------------------------------------------
  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/webhook_subscriptions',
      tags: ['Webhooks'],
      summary: 'Subscribe an endpoint to chain activity',
      description:
        '`address_activity` (native, ERC-20/721/1155 transfers from or to the `addresses`), `contract_log` (a `filter` of addresses, topics, an `abi` event signature and a `where` predicate on its decoded fields), `new_block`, or `transaction` (`tx.mined` for the `tx_hashes` mined, then confirmed or reorged out; `tx.dropped` once for a hash not mined within `filter.drop_after_seconds` of chain time, ' +
        `${DROP_AFTER_SECONDS.min} s to ${DROP_AFTER_SECONDS.max / 86_400} days, default the VW_WEBHOOK_TX_DROP_AFTER_SECONDS setting, 10 minutes out of the box; a dropped hash mined later still gets \`tx.mined\`). ` +
        'Addresses count from `from_block` on. A `from_block` the chain follower has already passed starts a backfill: those blocks are re-read for these addresses and their activity delivered at stage `confirmed`, with the ids live delivery uses (nothing arrives twice); its id is `backfill_id`. Further back than VW_WEBHOOK_BACKFILL_MAX_BLOCKS is refused (`backfill_too_deep`). ' +
        'A `contract_log` subscription gets every log of the contracts in `filter.addresses` (any contract) from `from_block` on; given a `from_block`, a backfill (`backfill_id`) re-reads the blocks the follower read before the subscription and delivers their logs at stage `confirmed` once those blocks are confirmed. Without `filter.addresses` it sees only token transfers and the logs the follower is configured to emit.',
      access: WRITE,
      request: body(
        z.strictObject({
          endpoint_id: z.string().max(64),
          kind: z.enum(SUBSCRIPTION_KINDS),
          chain: z.string().max(32),
          filter: z.record(z.string(), z.unknown()).optional(),
          addresses: Items.optional(),
          tx_hashes: Items.optional(),
          from_block: BlockNumber.optional(),
        }),
      ),
      responses: { 201: json('The subscription', SubscriptionSchema) },
    }),
    async (c) => {
      const b = c.req.valid('json');
      if (b.addresses !== undefined && b.tx_hashes !== undefined) {
        throw new ApiError(
          400,
          'invalid_request_error',
          'parameter_invalid',
          'Give addresses or tx_hashes, not both',
          'tx_hashes',
        );
      }
      const items = b.addresses ?? b.tx_hashes;
      if (
        (b.tx_hashes !== undefined && b.kind !== 'transaction') ||
        (b.addresses !== undefined && b.kind !== 'address_activity')
      ) {
        throw webhookApiError(WebhookError.SubscriptionKindMismatch, {
          message: `kind ${b.kind} does not take ${b.addresses ? 'addresses' : 'tx_hashes'}`,
        });
      }
      const r = await webhooks.subscriptions.create(caller(c), {
        endpointId: b.endpoint_id,
        kind: b.kind,
        chain: b.chain,
        filter: b.filter,
        ...(items ? { items } : {}),
        ...(b.from_block !== undefined ? { fromBlock: BigInt(b.from_block) } : {}),
      });
      if (typeof r === 'object' && 'error' in r) {
        throw webhookApiError(r.error, { message: r.message });
      }
      return c.json(subscriptionJson(ok(r)), 201);
    },
  );

  const SubListQuery = PaginationQuery.extend({ endpoint_id: z.string().max(64).optional() });
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/webhook_subscriptions',
      tags: ['Webhooks'],
      summary: 'Your subscriptions',
      access: READ,
      request: { query: SubListQuery },
      responses: { 200: json('Subscriptions', pageSchema(SubscriptionSchema)) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const cursor = checkCursor(q.starting_after, 'wsub');
      const rows = await webhooks.subscriptions.list(caller(c), {
        limit: q.limit + 1,
        ...(q.endpoint_id ? { endpointId: q.endpoint_id } : {}),
        ...(cursor ? { startingAfter: cursor } : {}),
      });
      return c.json(toPage(rows, q.limit, subscriptionJson), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/webhook_subscriptions/{id}',
      tags: ['Webhooks'],
      summary: 'One subscription',
      access: READ,
      request: { params: IdParam('wsub_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y') },
      responses: { 200: json('The subscription', SubscriptionSchema) },
    }),
    async (c) => {
      const s = ok(await webhooks.subscriptions.get(caller(c), c.req.valid('param').id));
      return c.json(subscriptionJson(s), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/v1/webhook_subscriptions/{id}',
      tags: ['Webhooks'],
      summary: 'Delete a subscription',
      access: WRITE,
      request: { params: IdParam('wsub_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y') },
      responses: {
        200: json(
          'Deleted',
          z.object({
            id: z.string(),
            object: z.literal('webhook_subscription'),
            deleted: z.boolean(),
          }),
        ),
      },
    }),
    async (c) => {
      const id = c.req.valid('param').id;
      ok(await webhooks.subscriptions.remove(caller(c), id));
      return c.json({ id, object: 'webhook_subscription' as const, deleted: true }, 200);
    },
  );

  for (const action of ['add', 'remove'] as const) {
    app.openapi(
      defineRoute({
        method: 'post',
        path: `/v1/webhook_subscriptions/{id}/items/${action}`,
        tags: ['Webhooks'],
        summary:
          action === 'add'
            ? 'Watch more addresses (or tx hashes), from a block on'
            : 'Stop watching addresses (or tx hashes), from a block on',
        description:
          action === 'add'
            ? 'Up to 20,000 items per call; a subscription holds up to the configured cap. Addresses added with a `from_block` the follower has already passed are backfilled (`backfill_id`), as at creation; a re-added hash gets a new `tx.dropped` deadline.'
            : 'Up to 20,000 items per call. A removed hash gets no `tx.dropped`.',
        access: WRITE,
        request: {
          params: IdParam('wsub_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y'),
          ...body(z.strictObject({ items: Items, from_block: BlockNumber.optional() })),
        },
        responses: { 200: json('The subscription', SubscriptionSchema) },
      }),
      async (c) => {
        const b = c.req.valid('json');
        const from = b.from_block !== undefined ? BigInt(b.from_block) : undefined;
        const id = c.req.valid('param').id;
        const s = ok(
          action === 'add'
            ? await webhooks.subscriptions.addItems(caller(c), id, b.items, from)
            : await webhooks.subscriptions.removeItems(caller(c), id, b.items, from),
        );
        return c.json(subscriptionJson(s), 200);
      },
    );
  }

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/webhook_subscriptions/{id}/backfills',
      tags: ['Webhooks'],
      summary: 'Backfills of a subscription and their progress, oldest first',
      access: READ,
      request: { params: IdParam('wsub_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y'), query: PaginationQuery },
      responses: { 200: json('Backfills', pageSchema(BackfillSchema)) },
    }),
    async (c) => {
      const s = ok(await webhooks.subscriptions.get(caller(c), c.req.valid('param').id));
      const q = c.req.valid('query');
      const cursor = checkCursor(q.starting_after, 'wbf');
      const rows = await webhooks.backfills.list(s.id, {
        limit: q.limit + 1,
        ...(cursor ? { startingAfter: cursor } : {}),
      });
      return c.json(toPage(rows, q.limit, backfillJson), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/webhook_subscriptions/{id}/items',
      tags: ['Webhooks'],
      summary: 'Watched addresses (or tx hashes), in order',
      access: READ,
      request: {
        params: IdParam('wsub_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y'),
        query: z.object({
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          starting_after: z.string().max(66).optional(),
        }),
      },
      responses: {
        200: json(
          'Items',
          z.object({
            object: z.literal('list'),
            data: z.array(
              z.object({
                item: z.string(),
                from_block: z.string(),
                until_block: z.string().nullable(),
              }),
            ),
            has_more: z.boolean(),
            next_cursor: z.string().nullable(),
          }),
        ),
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const rows = ok(
        await webhooks.subscriptions.items(caller(c), c.req.valid('param').id, {
          limit: q.limit + 1,
          ...(q.starting_after ? { startingAfter: q.starting_after } : {}),
        }),
      );
      const more = rows.length > q.limit;
      const shown = more ? rows.slice(0, q.limit) : rows;
      return c.json(
        {
          object: 'list' as const,
          data: shown.map((r) => ({
            item: r.item,
            from_block: r.fromBlock.toString(),
            until_block: r.untilBlock?.toString() ?? null,
          })),
          has_more: more,
          next_cursor: more ? (shown[shown.length - 1]?.item ?? null) : null,
        },
        200,
      );
    },
  );
}
