import { z } from '@hono/zod-openapi';
import { defineRoute } from '../../platform/http/access.js';
import type { HttpApp } from '../../platform/http/app.js';
import { unwrap } from '../../platform/http/errors.js';
import {
  jsonBody as body,
  jsonResponse as json,
  requireUser,
} from '../../platform/http/route-helpers.js';
import { webhookApiError } from '../errors.js';
import { callerOf } from '../model.js';
import type { WebhooksService } from '../service.js';
import { endpointJson } from './json.js';
import { EndpointSchema, IdParam, WRITE } from './schemas.js';

/** Actions on an endpoint: pause, resume (re-enable), disable, rotate the signing secret. */
export function registerEndpointActionRoutes(app: HttpApp, webhooks: WebhooksService): void {
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
        const e = unwrap(
          await webhooks.endpoints.setStatus(
            callerOf(requireUser(c)),
            c.req.valid('param').id,
            status,
          ),
          webhookApiError,
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
      const r = unwrap(
        await webhooks.endpoints.rotateSecret(
          callerOf(requireUser(c)),
          c.req.valid('param').id,
          c.req.valid('json').overlap_seconds,
        ),
        webhookApiError,
      );
      const view = {
        object: 'webhook_secret' as const,
        previous_secret_expires_at: r.previousExpiresAt.toISOString(),
      };
      c.set('idempotencyStoredBody', JSON.stringify({ ...view, secret: null }));
      return c.json({ ...view, secret: r.secret }, 200);
    },
  );
}
