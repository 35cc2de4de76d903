import { z } from '@hono/zod-openapi';
import { defineRoute } from '../../platform/http/access.js';
import type { HttpApp } from '../../platform/http/app.js';
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
import { backfillJson, subscriptionJson } from './json.js';
import {
  BackfillSchema,
  BlockNumber,
  IdParam,
  Items,
  READ,
  SubscriptionSchema,
  WRITE,
} from './schemas.js';

/** A subscription's watch list (addresses or transaction hashes) and the backfills adding to it started. */
export function registerWatchListRoutes(app: HttpApp, webhooks: WebhooksService): void {
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
        const s = unwrap(
          action === 'add'
            ? await webhooks.subscriptions.addItems(callerOf(requireUser(c)), id, b.items, from)
            : await webhooks.subscriptions.removeItems(callerOf(requireUser(c)), id, b.items, from),
          webhookApiError,
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
      const s = unwrap(
        await webhooks.subscriptions.get(callerOf(requireUser(c)), c.req.valid('param').id),
        webhookApiError,
      );
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
      const rows = unwrap(
        await webhooks.subscriptions.items(callerOf(requireUser(c)), c.req.valid('param').id, {
          limit: q.limit + 1,
          ...(q.starting_after ? { startingAfter: q.starting_after } : {}),
        }),
        webhookApiError,
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
