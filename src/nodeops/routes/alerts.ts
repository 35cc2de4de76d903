import { z } from '@hono/zod-openapi';
import { defineRoute } from '../../platform/http/access.js';
import type { HttpApp } from '../../platform/http/app.js';
import { unwrap } from '../../platform/http/errors.js';
import { pageSchema, PaginationQuery, toPage } from '../../platform/http/pagination.js';
import {
  jsonBody as body,
  jsonResponse as json,
  requireUser,
} from '../../platform/http/route-helpers.js';
import { nodeopsApiError } from '../errors.js';
import type { NodeopsService } from '../service.js';
import { alertJson, noticeJson } from './json.js';
import { actorOf, AlertSchema, IdParam, NoticeSchema, READ, WRITE } from './schemas.js';

/** Alerts: list (newest first), detail with every notice sent, acknowledge, silence. */
export function registerAlertRoutes(app: HttpApp, nodeops: NodeopsService): void {
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/nodeops/alerts',
      tags: ['Node operations'],
      summary: 'Alerts, newest first',
      access: READ,
      request: {
        query: PaginationQuery.extend({
          status: z.enum(['open', 'firing', 'acknowledged', 'resolved']).optional(),
          node: z.string().max(64).optional(),
          monitor: z.string().max(64).optional(),
          chain: z.string().max(40).optional(),
        }),
      },
      responses: { 200: json('Alerts', pageSchema(AlertSchema)) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const rows = await nodeops.alerts.list({
        status: q.status,
        node: q.node,
        monitor: q.monitor,
        chain: q.chain,
        limit: q.limit + 1,
        startingAfter: q.starting_after,
      });
      return c.json(toPage(rows, q.limit, alertJson), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/nodeops/alerts/{id}',
      tags: ['Node operations'],
      summary: 'An alert, with the notices sent about it',
      access: READ,
      request: { params: IdParam('nal_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y') },
      responses: { 200: json('The alert', AlertSchema.extend({ notices: z.array(NoticeSchema) })) },
    }),
    async (c) => {
      const a = unwrap(await nodeops.alerts.get(c.req.valid('param').id), nodeopsApiError);
      return c.json({ ...alertJson(a), notices: a.notices.map(noticeJson) }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/nodeops/alerts/{id}/acknowledge',
      tags: ['Node operations'],
      summary: 'Acknowledge an alert',
      description:
        'No more reminders; it still resolves (and says so) when recovery is observed. Audited.',
      access: WRITE,
      request: { params: IdParam('nal_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y') },
      responses: { 200: json('The alert', AlertSchema) },
    }),
    async (c) => {
      const a = unwrap(
        await nodeops.alerts.acknowledge(c.req.valid('param').id, actorOf(requireUser(c))),
        nodeopsApiError,
      );
      return c.json(alertJson(a), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/nodeops/alerts/{id}/silence',
      tags: ['Node operations'],
      summary: 'Silence an alert for a while',
      description: 'No reminders and no resolve notice until the silence ends. Audited.',
      access: WRITE,
      request: {
        params: IdParam('nal_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y'),
        ...body(
          z.strictObject({
            seconds: z
              .number()
              .int()
              .min(1)
              .max(30 * 86_400),
          }),
        ),
      },
      responses: { 200: json('The alert', AlertSchema) },
    }),
    async (c) => {
      const until = new Date(Date.now() + c.req.valid('json').seconds * 1000);
      const a = unwrap(
        await nodeops.alerts.silence(c.req.valid('param').id, until, actorOf(requireUser(c))),
        nodeopsApiError,
      );
      return c.json(alertJson(a), 200);
    },
  );
}
