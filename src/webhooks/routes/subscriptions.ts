import { z } from '@hono/zod-openapi';
import type { HttpApp } from '../../platform/http/app.js';
import { defineRoute } from '../../platform/http/access.js';
import { ApiError, unwrap } from '../../platform/http/errors.js';
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
import { WebhookError, webhookApiError } from '../errors.js';
import { callerOf } from '../model.js';
import type { WebhooksService } from '../service.js';
import { DROP_AFTER_SECONDS, SUBSCRIPTION_KINDS } from '../subscriptions/filters.js';
import { subscriptionJson } from './json.js';
import { BlockNumber, IdParam, Items, READ, SubscriptionSchema, WRITE } from './schemas.js';

/** Subscriptions to chain activity: create, list, show, delete, watch list items, backfills. */
export function registerSubscriptionRoutes(app: HttpApp, webhooks: WebhooksService): void {
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
      const s = unwrap(
        await webhooks.subscriptions.create(callerOf(requireUser(c)), {
          endpointId: b.endpoint_id,
          kind: b.kind,
          chain: b.chain,
          filter: b.filter,
          ...(items ? { items } : {}),
          ...(b.from_block !== undefined ? { fromBlock: BigInt(b.from_block) } : {}),
        }),
        webhookApiError,
      );
      return c.json(subscriptionJson(s), 201);
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
      const rows = await webhooks.subscriptions.list(callerOf(requireUser(c)), {
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
      const s = unwrap(
        await webhooks.subscriptions.get(callerOf(requireUser(c)), c.req.valid('param').id),
        webhookApiError,
      );
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
      unwrap(await webhooks.subscriptions.remove(callerOf(requireUser(c)), id), webhookApiError);
      return c.json({ id, object: 'webhook_subscription' as const, deleted: true }, 200);
    },
  );
}
