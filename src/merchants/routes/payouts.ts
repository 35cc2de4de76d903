import { z } from '@hono/zod-openapi';
import type { ChainsService } from '../../chains/service.js';
import { chainApiError } from '../../chains/errors.js';
import type { Withdrawal } from '../../chains/withdrawals/service.js';
import { defineRoute } from '../../platform/http/access.js';
import type { HttpApp } from '../../platform/http/app.js';
import { unwrap } from '../../platform/http/errors.js';
import { PaginationQuery, pageSchema, toPage } from '../../platform/http/pagination.js';
import { jsonBody as body, jsonResponse as json } from '../../platform/http/route-helpers.js';
import { MerchantError, merchantApiError } from '../errors.js';
import type { MerchantsService } from '../service.js';
import { Amount, AssetCode, MERCHANT_TAG } from '../schemas.js';
import { accountOf, keyAccess } from './common.js';

const PayoutParam = z.object({
  payout: z
    .string()
    .max(64)
    .openapi({ param: { name: 'payout', in: 'path' }, example: 'wd_01J…' }),
});

const PayoutSchema = z
  .object({
    object: z.literal('payout'),
    id: z.string(),
    livemode: z.boolean(),
    chain: z.string(),
    asset: z.string(),
    amount: z.string(),
    to_address: z.string(),
    status: z.string().openapi({
      description:
        'The withdrawal’s status: pending_approval, queued, signed, broadcast, confirmed, failed, rejected, completed',
    }),
    tx_hash: z.string().nullable(),
    failure_reason: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('Payout');

const payoutJson = (w: Withdrawal, livemode: boolean) => ({
  object: 'payout' as const,
  id: w.id,
  livemode,
  chain: w.chainKey,
  asset: w.asset,
  amount: w.amountDecimal,
  to_address: w.toAddress,
  status: w.status,
  tx_hash: w.txHash,
  failure_reason: w.failureReason,
  created_at: w.createdAt.toISOString(),
});

/**
 * Payouts of the merchant balance to a crypto address: a withdrawal of the chains module
 * on the mode's chain, from the merchant account (its owner in the ledger), so the chains
 * module's approval threshold, daily limit and sender apply as they do to users.
 */
export function registerPayoutRoutes(
  app: HttpApp,
  deps: {
    merchants: MerchantsService;
    withdrawals: ChainsService['withdrawals'];
    chainFor: (livemode: boolean) => string | undefined;
  },
): void {
  const { merchants, withdrawals } = deps;
  const tags = [MERCHANT_TAG];

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/payouts',
      tags,
      summary: 'Pay out the merchant balance on chain',
      description:
        'Sends `amount` of `asset` from the merchant balance to `to_address` on the chain of the key’s mode. Above the chain’s approval threshold it waits for an operator.',
      access: keyAccess('payouts:write'),
      request: body(
        z.strictObject({
          asset: AssetCode,
          amount: Amount,
          to_address: z.string().max(64),
        }),
      ),
      responses: { 201: json('The payout', PayoutSchema) },
    }),
    async (c) => {
      const account = await accountOf(c, merchants);
      const chainKey = deps.chainFor(account.livemode);
      if (!chainKey) throw merchantApiError(MerchantError.PayoutChainMissing);
      const input = c.req.valid('json');
      const w = unwrap(
        await withdrawals.request({
          userId: account.id,
          chainKey,
          asset: input.asset,
          toAddress: input.to_address,
          amount: input.amount,
        }),
        chainApiError,
      );
      return c.json(payoutJson(w, account.livemode), 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/payouts',
      tags,
      summary: 'List payouts',
      access: keyAccess('payouts:read'),
      request: { query: PaginationQuery },
      responses: { 200: json('Payouts', pageSchema(PayoutSchema)) },
    }),
    async (c) => {
      const account = await accountOf(c, merchants);
      const q = c.req.valid('query');
      const rows = await withdrawals.list({
        userId: account.id,
        limit: q.limit + 1,
        ...(q.starting_after !== undefined ? { startingAfter: q.starting_after } : {}),
      });
      return c.json(
        toPage(rows, q.limit, (w) => payoutJson(w, account.livemode)),
        200,
      );
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/payouts/{payout}',
      tags,
      summary: 'A payout',
      access: keyAccess('payouts:read'),
      request: { params: PayoutParam },
      responses: { 200: json('The payout', PayoutSchema) },
    }),
    async (c) => {
      const account = await accountOf(c, merchants);
      const w = await withdrawals.get(c.req.valid('param').payout);
      if (w?.userId !== account.id) {
        throw merchantApiError(MerchantError.PayoutNotFound, { param: 'payout' });
      }
      return c.json(payoutJson(w, account.livemode), 200);
    },
  );
}
