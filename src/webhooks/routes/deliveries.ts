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
import { WebhookError, webhookApiError } from '../errors.js';
import { callerOf, MESSAGE_STATES } from '../model.js';
import type { WebhooksService } from '../service.js';
import { attemptJson, messageJson } from './json.js';
import { AttemptSchema, BlockNumber, IdParam, MessageSchema, READ, WRITE } from './schemas.js';

/** An endpoint's delivery log (messages, dead letters, attempts), replay and recovery. */
export function registerDeliveryRoutes(app: HttpApp, webhooks: WebhooksService): void {
  const endpointOf = async (c: Context<AppEnv>, id: string) =>
    unwrap(await webhooks.endpoints.get(callerOf(requireUser(c)), id), webhookApiError);

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
        'Delivers again, as due now with a fresh retry schedule, and with the original `webhook-id`. Give `message_id`, or `since` and `until`, or `from_block` and `to_block` (with `chain`). `only_failed` limits a range to dead letters; `only_failed` alone replays every dead letter of the endpoint.',
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
      // `only_failed: true` and nothing else: every dead letter ("Replay all failed").
      if (!byMessage && !byTime && !byBlock && b.only_failed === true) {
        const replayed = await webhooks.log.replay(e.id, { allFailed: true });
        return c.json({ object: 'webhook_replay' as const, replayed }, 200);
      }
      if (Number(byMessage) + Number(byTime) + Number(byBlock) !== 1) {
        throw webhookApiError(WebhookError.ReplayRangeInvalid, {
          message:
            'Give exactly one of message_id, a time range (since and until) or a block range (from_block and to_block, with chain); or only_failed alone for every dead letter',
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
}
