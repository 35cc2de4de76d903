import { z } from '@hono/zod-openapi';
import { ANY_ROLE, defineRoute } from '../http/access.js';
import type { HttpApp } from '../http/app.js';
import { checkCursor, pageSchema, PaginationQuery, toPage } from '../http/pagination.js';
import { jsonResponse as json, requireUser } from '../http/route-helpers.js';
import type { Notification, Notifications } from './notifications.js';

const NotificationSchema = z
  .object({
    id: z.string().openapi({ example: 'ntf_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y' }),
    object: z.literal('notification'),
    type: z.string().openapi({ example: 'webhook_endpoint.disabled' }),
    subject: z.string(),
    text: z.string().openapi({ description: 'What happened, why, and what to do' }),
    data: z.record(z.string(), z.unknown()),
    emailed_at: z
      .string()
      .nullable()
      .openapi({ description: 'When it was emailed to you; null when email is not set up' }),
    created_at: z.string(),
  })
  .openapi('Notification');

const notificationJson = (n: Notification) => ({
  id: n.id,
  object: 'notification' as const,
  type: n.type,
  subject: n.subject,
  text: n.text,
  data: n.data,
  emailed_at: n.emailedAt?.toISOString() ?? null,
  created_at: n.createdAt.toISOString(),
});

/** Registers `GET /v1/notifications`: the caller's own notices. */
export function registerNotificationRoutes(
  app: HttpApp,
  deps: { notifications: Notifications },
): void {
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/notifications',
      tags: ['Notifications'],
      summary: 'Notices about your account, oldest first',
      description:
        'What the platform had to tell you: a webhook endpoint of yours disabled (with the reason), and so on. Each is also emailed to you when the deployment has SMTP configured.',
      access: { roles: ANY_ROLE, scope: 'notifications:read' },
      request: { query: PaginationQuery },
      responses: { 200: json('Notifications', pageSchema(NotificationSchema)) },
    }),
    async (c) => {
      const user = requireUser(c);
      const q = c.req.valid('query');
      const cursor = checkCursor(q.starting_after, 'ntf');
      const rows = await deps.notifications.list(user.userId, {
        limit: q.limit + 1,
        ...(cursor ? { startingAfter: cursor } : {}),
      });
      return c.json(toPage(rows, q.limit, notificationJson), 200);
    },
  );
}
