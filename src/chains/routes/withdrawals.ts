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
import { withdrawalJson } from '../json.js';
import {
  AssetCode,
  Amount,
  ChainKey,
  IdParam,
  ReasonBody,
  WithdrawalListQuery,
  WithdrawalSchema,
} from '../schemas.js';
import type { ChainsService } from '../service.js';
import { isStaff, STAFF } from './common.js';

/** Withdrawals, their approval and the allowlist. */
export function registerWithdrawalRoutes(app: HttpApp, deps: { chains: ChainsService }): void {
  const { chains } = deps;

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/withdrawals',
      tags: ['Withdrawals'],
      summary: 'Send crypto to an address',
      description:
        'Holds the amount, then signs and broadcasts an EIP-1559 transaction from the hot wallet; the hold is posted once it is confirmed, released if it fails. To another Vaultwire user’s deposit address it settles inside the ledger at once (`internal: true`). Above the configured amount it waits for an operator (`pending_approval`). Send an `Idempotency-Key`.',
      access: { roles: ANY_ROLE, scope: 'withdrawals:write' },
      request: body(
        z.strictObject({
          chain: ChainKey,
          asset: AssetCode,
          to_address: z
            .string()
            .max(100)
            .openapi({ example: '0x8ba1f109551bD432803012645Ac136ddd64DBA72' }),
          amount: Amount,
        }),
      ),
      responses: {
        201: json('The withdrawal', WithdrawalSchema),
        402: json('Insufficient funds', z.any()),
      },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const w = unwrap(
        await chains.withdrawals.request({
          userId: caller(c).userId,
          chainKey: input.chain,
          asset: input.asset,
          toAddress: input.to_address,
          amount: input.amount,
        }),
        chainApiError,
      );
      return c.json(withdrawalJson(w), 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/withdrawals',
      tags: ['Withdrawals'],
      summary: 'Withdrawal history',
      access: { roles: ANY_ROLE, scope: 'withdrawals:read' },
      request: { query: WithdrawalListQuery },
      responses: { 200: json('Withdrawals', pageSchema(WithdrawalSchema)) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const p = caller(c);
      const userId = isStaff(p) ? q.user_id : p.userId;
      const items = await chains.withdrawals.list({
        limit: q.limit + 1,
        ...(userId !== undefined ? { userId } : {}),
        ...(q.status !== undefined ? { status: q.status } : {}),
        ...(q.starting_after !== undefined ? { startingAfter: q.starting_after } : {}),
      });
      return c.json(toPage(items, q.limit, withdrawalJson), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/withdrawals/{id}',
      tags: ['Withdrawals'],
      summary: 'One withdrawal',
      access: { roles: ANY_ROLE, scope: 'withdrawals:read' },
      request: { params: IdParam('wd_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y') },
      responses: { 200: json('The withdrawal', WithdrawalSchema) },
    }),
    async (c) => {
      const p = caller(c);
      const w = await chains.withdrawals.get(c.req.valid('param').id);
      if (!w || (!isStaff(p) && w.userId !== p.userId))
        throw chainApiError(ChainError.WithdrawalNotFound);
      return c.json(withdrawalJson(w), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/withdrawals/{id}/approve',
      tags: ['Withdrawals'],
      summary: 'Approve a withdrawal waiting for approval',
      access: { roles: STAFF, scope: 'withdrawal_approvals:write' },
      request: { params: IdParam('wd_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y') },
      responses: { 200: json('The withdrawal, now queued', WithdrawalSchema) },
    }),
    async (c) => {
      const w = unwrap(
        await chains.withdrawals.approve(c.req.valid('param').id, caller(c).userId),
        chainApiError,
      );
      return c.json(withdrawalJson(w), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/withdrawals/{id}/reject',
      tags: ['Withdrawals'],
      summary: 'Reject a withdrawal waiting for approval (its hold is released)',
      access: { roles: STAFF, scope: 'withdrawal_approvals:write' },
      request: {
        params: IdParam('wd_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y'),
        ...body(ReasonBody),
      },
      responses: { 200: json('The withdrawal, now rejected', WithdrawalSchema) },
    }),
    async (c) => {
      const w = unwrap(
        await chains.withdrawals.reject(
          c.req.valid('param').id,
          caller(c).userId,
          c.req.valid('json').reason,
        ),
        chainApiError,
      );
      return c.json(withdrawalJson(w), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/withdrawal_allowlist',
      operationId: 'addAllowlistedAddress',
      tags: ['Withdrawals'],
      summary: 'Add an address to your withdrawal allowlist',
      access: { roles: ANY_ROLE, scope: 'withdrawals:write' },
      request: body(
        z.strictObject({
          chain: ChainKey,
          address: z.string().max(100),
          label: z.string().max(100).optional(),
        }),
      ),
      responses: {
        200: json(
          'Added',
          z.object({
            object: z.literal('allowlist_entry'),
            chain: z.string(),
            address: z.string(),
          }),
        ),
      },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const r = await chains.withdrawals.allow(
        caller(c).userId,
        input.chain,
        input.address,
        input.label,
      );
      unwrap(r, chainApiError);
      return c.json(
        {
          object: 'allowlist_entry' as const,
          chain: input.chain,
          address: input.address.toLowerCase(),
        },
        200,
      );
    },
  );
}
