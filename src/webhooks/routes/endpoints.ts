import type { Context } from 'hono';
import { z } from '@hono/zod-openapi';
import type { HttpApp } from '../../platform/http/app.js';
import { defineRoute } from '../../platform/http/access.js';
import type { AppEnv } from '../../platform/http/context.js';
import { unwrap } from '../../platform/http/errors.js';
import {
  checkCursor,
  pageSchema,
  PaginationQuery,
  toPage,
} from '../../platform/http/pagination.js';
import {
  jsonBody as body,
  jsonResponse as json,
  requireUser,
} from '../../platform/http/route-helpers.js';
import { webhookApiError } from '../errors.js';
import { callerOf } from '../model.js';
import type { WebhooksService } from '../service.js';
import { endpointJson } from './json.js';
import { EndpointFields, EndpointSchema, IdParam, READ, WRITE } from './schemas.js';

/** Webhook endpoints: register, list, show (with the queue), change, delete, pause, resume, disable, rotate the secret. */
export function registerEndpointRoutes(app: HttpApp, webhooks: WebhooksService): void {
  const endpointOf = async (c: Context<AppEnv>, id: string) =>
    unwrap(await webhooks.endpoints.get(callerOf(requireUser(c)), id), webhookApiError);

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
      const r = unwrap(
        await webhooks.endpoints.create(callerOf(requireUser(c)), {
          url: input.url,
          eventTypes: input.event_types,
          ...(input.description !== undefined ? { description: input.description } : {}),
          ...(input.ordered !== undefined ? { ordered: input.ordered } : {}),
          ...(input.rate_limit_per_sec !== undefined
            ? { rateLimitPerSec: input.rate_limit_per_sec }
            : {}),
          ...(input.max_in_flight !== undefined ? { maxInFlight: input.max_in_flight } : {}),
        }),
        webhookApiError,
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
      const rows = await webhooks.endpoints.list(callerOf(requireUser(c)), {
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
      const e = unwrap(
        await webhooks.endpoints.update(callerOf(requireUser(c)), c.req.valid('param').id, {
          ...(input.url !== undefined ? { url: input.url } : {}),
          ...(input.event_types !== undefined ? { eventTypes: input.event_types } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
          ...(input.ordered !== undefined ? { ordered: input.ordered } : {}),
          ...(input.rate_limit_per_sec !== undefined
            ? { rateLimitPerSec: input.rate_limit_per_sec }
            : {}),
          ...(input.max_in_flight !== undefined ? { maxInFlight: input.max_in_flight } : {}),
        }),
        webhookApiError,
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
      unwrap(await webhooks.endpoints.remove(callerOf(requireUser(c)), id), webhookApiError);
      return c.json({ id, object: 'webhook_endpoint' as const, deleted: true }, 200);
    },
  );
}
