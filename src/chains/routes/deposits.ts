import { z } from '@hono/zod-openapi';
import { ANY_ROLE, defineRoute } from '../../platform/http/access.js';
import type { HttpApp } from '../../platform/http/app.js';
import { unwrap } from '../../platform/http/errors.js';
import { pageSchema, toPage } from '../../platform/http/pagination.js';
import {
  jsonResponse as json,
  jsonBody as body,
  requireUser as caller,
} from '../../platform/http/route-helpers.js';
import { ChainError, chainApiError } from '../errors.js';
import { depositJson } from '../json.js';
import {
  AssetCode,
  ChainKey,
  DepositAddressSchema,
  DepositListQuery,
  DepositSchema,
  IdParam,
  ReasonBody,
} from '../schemas.js';
import type { ChainsService } from '../service.js';
import { isStaff, STAFF } from './common.js';

/** Deposit addresses, deposits and their reversal. */
export function registerDepositRoutes(app: HttpApp, deps: { chains: ChainsService }): void {
  const { chains } = deps;

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/deposit_addresses',
      tags: ['Deposits'],
      summary: 'Your deposit address for an asset',
      description:
        'The address to send `asset` to on `chain`. The same address every time (one per user per chain); created on first call.',
      access: { roles: ANY_ROLE, scope: 'deposits:write' },
      request: body(z.strictObject({ chain: ChainKey, asset: AssetCode })),
      responses: { 200: json('The address', DepositAddressSchema) },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const r = unwrap(
        await chains.depositAddress(caller(c).userId, input.chain, input.asset),
        chainApiError,
      );
      return c.json({ object: 'deposit_address' as const, ...r }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/deposits',
      tags: ['Deposits'],
      summary: 'Deposit history',
      description: 'Your deposits, newest first. Operators may pass `user_id` or list everyone’s.',
      access: { roles: ANY_ROLE, scope: 'deposits:read' },
      request: { query: DepositListQuery },
      responses: { 200: json('Deposits', pageSchema(DepositSchema)) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const p = caller(c);
      const userId = isStaff(p) ? q.user_id : p.userId;
      const items = await chains.deposits.list({
        limit: q.limit + 1,
        ...(userId !== undefined ? { userId } : {}),
        ...(q.chain !== undefined ? { chainKey: q.chain } : {}),
        ...(q.status !== undefined ? { status: q.status } : {}),
        ...(q.starting_after !== undefined ? { startingAfter: q.starting_after } : {}),
      });
      return c.json(toPage(items, q.limit, depositJson), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/deposits/{id}',
      tags: ['Deposits'],
      summary: 'One deposit',
      access: { roles: ANY_ROLE, scope: 'deposits:read' },
      request: { params: IdParam('dep_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y') },
      responses: { 200: json('The deposit', DepositSchema) },
    }),
    async (c) => {
      const p = caller(c);
      const d = await chains.deposits.get(c.req.valid('param').id);
      if (!d || (!isStaff(p) && d.userId !== p.userId))
        throw chainApiError(ChainError.DepositNotFound);
      return c.json(depositJson(d), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/deposits/{id}/reverse',
      tags: ['Deposits'],
      summary: 'Reverse a credited deposit a reorg removed (operators)',
      description:
        'For a `reorged_after_credit` deposit whose transfer is not on the chain: releases its hold and reverses the credit in the ledger (a reversal linked to the credit), recorded in the audit log. A transfer that comes back is confirmed again by the follower instead.',
      access: { roles: STAFF, scope: 'deposit_reversals:write' },
      request: {
        params: IdParam('dep_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y'),
        ...body(ReasonBody),
      },
      responses: { 200: json('The reversed deposit', DepositSchema) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { reason } = c.req.valid('json');
      const r = await chains.deposits.reverse(id, { id: caller(c).userId, reason });
      return c.json(depositJson(unwrap(r, chainApiError)), 200);
    },
  );
}
