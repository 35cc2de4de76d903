import { ANY_ROLE, defineRoute } from '../../platform/http/access.js';
import type { HttpApp } from '../../platform/http/app.js';
import { ErrorSchema, unwrap } from '../../platform/http/errors.js';
import { PaginationQuery, toPage } from '../../platform/http/pagination.js';
import {
  jsonResponse as json,
  jsonBody as body,
  requireUser as caller,
} from '../../platform/http/route-helpers.js';
import { toApiError, WalletError } from '../errors.js';
import { fiatDepositJson, fiatWithdrawalJson } from '../json.js';
import {
  FiatDepositBody,
  FiatDepositSchema,
  FiatWithdrawalBody,
  FiatWithdrawalSchema,
  IdParam,
} from '../schemas.js';
import type { WalletService } from '../service.js';
import { errors, found, list, requestKey } from './common.js';

/** Bank deposits and withdrawals. */
export function registerFiatRoutes(app: HttpApp, deps: { wallet: WalletService }): void {
  const { wallet } = deps;

  // --- bank deposits and withdrawals ------------------------------------------------

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/fiat_deposits',
      tags: ['Bank transfers'],
      summary: 'Deposit fiat from your bank',
      description:
        'Recorded as `pending`; you are credited when the rail settles it (`fiat_deposit.settled`). In test mode the simulated rail settles after `VW_WALLET_TEST_RAIL_SETTLE_MS`.',
      access: { roles: ANY_ROLE, scope: 'wallet_fiat:write' },
      request: body(FiatDepositBody),
      responses: {
        201: json('The deposit', FiatDepositSchema),
        200: json('The deposit, from an earlier request with this key', FiatDepositSchema),
        ...errors,
      },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const r = unwrap(
        await wallet.depositFiat({
          userId: caller(c).userId,
          asset: input.asset,
          amount: input.amount,
          requestKey: requestKey(c),
        }),
        toApiError,
      );
      return c.json(fiatDepositJson(r.deposit), r.replayed ? 200 : 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/fiat_deposits',
      tags: ['Bank transfers'],
      summary: 'Your bank deposits, newest first',
      access: { roles: ANY_ROLE, scope: 'wallet:read' },
      request: { query: PaginationQuery },
      responses: { 200: json('Deposits', list(FiatDepositSchema)) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const items = await wallet.listFiatDeposits(caller(c).userId, {
        limit: q.limit + 1,
        startingAfter: q.starting_after,
      });
      return c.json(toPage(items, q.limit, fiatDepositJson), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/fiat_deposits/{id}',
      tags: ['Bank transfers'],
      summary: 'One bank deposit',
      access: { roles: ANY_ROLE, scope: 'wallet:read' },
      request: { params: IdParam('fdp_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y') },
      responses: {
        200: json('The deposit', FiatDepositSchema),
        404: json('Not found', ErrorSchema),
      },
    }),
    async (c) => {
      const d = await wallet.getFiatDeposit(caller(c).userId, c.req.valid('param').id);
      return c.json(fiatDepositJson(found(d, WalletError.FiatDepositNotFound)), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/fiat_withdrawals',
      tags: ['Bank transfers'],
      summary: 'Withdraw fiat to your bank',
      description:
        'Holds the amount at once (`held` in your balance) and pays it out through the rail; the hold is posted when the rail pays (`fiat_withdrawal.completed`) and released if it refuses (`fiat_withdrawal.failed`). In test mode a destination starting with `fail` is refused by the simulated rail.',
      access: { roles: ANY_ROLE, scope: 'wallet_fiat:write' },
      request: body(FiatWithdrawalBody),
      responses: {
        201: json('The withdrawal', FiatWithdrawalSchema),
        200: json('The withdrawal, from an earlier request with this key', FiatWithdrawalSchema),
        ...errors,
      },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const r = unwrap(
        await wallet.withdrawFiat({
          userId: caller(c).userId,
          asset: input.asset,
          amount: input.amount,
          destination: input.destination,
          requestKey: requestKey(c),
        }),
        toApiError,
      );
      return c.json(fiatWithdrawalJson(r.withdrawal), r.replayed ? 200 : 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/fiat_withdrawals',
      tags: ['Bank transfers'],
      summary: 'Your bank withdrawals, newest first',
      access: { roles: ANY_ROLE, scope: 'wallet:read' },
      request: { query: PaginationQuery },
      responses: { 200: json('Withdrawals', list(FiatWithdrawalSchema)) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const items = await wallet.listFiatWithdrawals(caller(c).userId, {
        limit: q.limit + 1,
        startingAfter: q.starting_after,
      });
      return c.json(toPage(items, q.limit, fiatWithdrawalJson), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/fiat_withdrawals/{id}',
      tags: ['Bank transfers'],
      summary: 'One bank withdrawal',
      access: { roles: ANY_ROLE, scope: 'wallet:read' },
      request: { params: IdParam('fwd_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y') },
      responses: {
        200: json('The withdrawal', FiatWithdrawalSchema),
        404: json('Not found', ErrorSchema),
      },
    }),
    async (c) => {
      const w = await wallet.getFiatWithdrawal(caller(c).userId, c.req.valid('param').id);
      return c.json(fiatWithdrawalJson(found(w, WalletError.FiatWithdrawalNotFound)), 200);
    },
  );
}
