import { z } from '@hono/zod-openapi';
import { defineRoute } from '../../platform/http/access.js';
import type { HttpApp } from '../../platform/http/app.js';
import { unwrap } from '../../platform/http/errors.js';
import {
  jsonBody as body,
  jsonResponse as json,
  requireUser,
} from '../../platform/http/route-helpers.js';
import { nodeopsApiError } from '../errors.js';
import type { NodeopsService } from '../service.js';
import type { ChannelSettings } from '../settings.js';
import { channelJson } from './json.js';
import { actorOf, ChannelBody, ChannelSchema, IdParam, READ, WRITE } from './schemas.js';

/** Alert channels: Telegram, Slack, email, PagerDuty. Their secrets are sealed and never shown. */
export function registerChannelRoutes(app: HttpApp, nodeops: NodeopsService): void {
  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/nodeops/channels',
      tags: ['Node operations'],
      summary: 'Add an alert channel',
      description:
        'Alerts of the chains listed (every chain when empty) at or above `min_severity` are sent to it. The bot token, Slack webhook URL or PagerDuty routing key is encrypted at rest and never returned.',
      access: WRITE,
      request: body(ChannelBody),
      responses: { 201: json('The channel', ChannelSchema) },
    }),
    async (c) => {
      const b = c.req.valid('json');
      const base = { name: b.name, minSeverity: b.min_severity, chains: b.chains };
      const input: ChannelSettings =
        b.kind === 'telegram'
          ? {
              ...base,
              kind: 'telegram',
              botToken: b.bot_token,
              chatId: b.chat_id,
              apiUrl: b.api_url,
            }
          : b.kind === 'slack'
            ? { ...base, kind: 'slack', webhookUrl: b.webhook_url }
            : b.kind === 'email'
              ? { ...base, kind: 'email', to: b.to }
              : { ...base, kind: 'pagerduty', routingKey: b.routing_key, eventsUrl: b.events_url };
      const channel = unwrap(
        await nodeops.fleet.createChannel(input, actorOf(requireUser(c))),
        nodeopsApiError,
      );
      return c.json(channelJson(channel), 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/nodeops/channels',
      tags: ['Node operations'],
      summary: 'Alert channels',
      access: READ,
      responses: {
        200: json(
          'Channels',
          z.object({ object: z.literal('list'), data: z.array(ChannelSchema) }),
        ),
      },
    }),
    async (c) => {
      const list = await nodeops.fleet.listChannels();
      return c.json({ object: 'list' as const, data: list.map(channelJson) }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/v1/nodeops/channels/{id}',
      tags: ['Node operations'],
      summary: 'Remove an alert channel',
      access: WRITE,
      request: { params: IdParam('nch_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y') },
      responses: { 200: json('Removed', z.object({ id: z.string(), deleted: z.literal(true) })) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      unwrap(await nodeops.fleet.removeChannel(id, actorOf(requireUser(c))), nodeopsApiError);
      return c.json({ id, deleted: true as const }, 200);
    },
  );
}
