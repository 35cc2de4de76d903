import { z } from '@hono/zod-openapi';
import type { HttpApp } from '../../platform/http/app.js';
import { defineRoute } from '../../platform/http/access.js';
import { jsonResponse as json } from '../../platform/http/route-helpers.js';
import { eventTypeCatalogue } from '../event-types.js';
import type { WebhooksService } from '../service.js';
import { EventTypeInfoSchema, READ } from './schemas.js';

/** `GET /v1/event_types`: the catalogue endpoints choose from. */
export function registerEventTypeRoutes(app: HttpApp, webhooks: WebhooksService): void {
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
}
