import { defineRoute } from '../../platform/http/access.js';
import type { HttpApp } from '../../platform/http/app.js';
import { ErrorSchema, unwrap } from '../../platform/http/errors.js';
import { PaginationQuery, toPage } from '../../platform/http/pagination.js';
import { jsonResponse as json, jsonBody as body } from '../../platform/http/route-helpers.js';
import { toApiError } from '../errors.js';
import { adjustmentJson, assetJson, balanceJson, profileJson, limitsJson } from '../json.js';
import {
  AdjustmentBody,
  AdjustmentSchema,
  AssetBody,
  AssetSchema,
  ReasonBody,
  TierBody,
  UserParam,
  WalletProfileSchema,
} from '../schemas.js';
import type { WalletService } from '../service.js';
import { actorOf, errors, list, requestKey, STAFF, userIdOf } from './common.js';

/** Operators: wallets, freeze, tiers, adjustments, assets. */
export function registerWalletAdminRoutes(app: HttpApp, deps: { wallet: WalletService }): void {
  const { wallet } = deps;

  // --- operators --------------------------------------------------------------------

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/admin/wallets/{user}',
      tags: ['Wallet admin'],
      summary: "A user's wallet: tier, freeze, limits, usage and balances",
      access: { roles: STAFF, scope: 'wallet_admin:read' },
      request: { params: UserParam },
      responses: {
        200: json('The wallet', WalletProfileSchema),
        404: json('Not found', ErrorSchema),
      },
    }),
    async (c) => {
      const userId = await userIdOf(wallet, c.req.valid('param').user);
      const [profile, limits, balances] = await Promise.all([
        wallet.profile(userId),
        wallet.limits(userId),
        wallet.balances(userId),
      ]);
      return c.json(
        {
          ...profileJson(profile),
          limits: limitsJson(limits),
          balances: balances.map(balanceJson),
        },
        200,
      );
    },
  );

  for (const action of ['freeze', 'unfreeze'] as const) {
    app.openapi(
      defineRoute({
        method: 'post',
        path: `/v1/admin/wallets/{user}/${action}`,
        tags: ['Wallet admin'],
        summary: action === 'freeze' ? 'Freeze a wallet' : 'Unfreeze a wallet',
        description:
          action === 'freeze'
            ? 'Waits for the user’s movements in flight, then refuses every new one (payments out and in, trades, bank transfers) with `account_frozen`. Audited, with the reason; emits `wallet.frozen`.'
            : 'Lets the user move money again. Audited; emits `wallet.unfrozen`.',
        access: { roles: STAFF, scope: 'wallet_admin:write' },
        request: { params: UserParam, ...body(ReasonBody) },
        responses: {
          200: json('The wallet', WalletProfileSchema),
          404: json('Not found', ErrorSchema),
        },
      }),
      async (c) => {
        const userId = await userIdOf(wallet, c.req.valid('param').user);
        const { reason } = c.req.valid('json');
        const r = unwrap(
          action === 'freeze'
            ? await wallet.freeze(actorOf(c), userId, reason)
            : await wallet.unfreeze(actorOf(c), userId, reason),
          toApiError,
        );
        return c.json(profileJson(r.profile), 200);
      },
    );
  }

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/admin/wallets/{user}/tier',
      operationId: 'setWalletTier',
      tags: ['Wallet admin'],
      summary: "Set a user's verification tier (their limits)",
      access: { roles: STAFF, scope: 'wallet_admin:write' },
      request: { params: UserParam, ...body(TierBody) },
      responses: {
        200: json('The wallet', WalletProfileSchema),
        404: json('Not found', ErrorSchema),
      },
    }),
    async (c) => {
      const userId = await userIdOf(wallet, c.req.valid('param').user);
      const { tier, reason } = c.req.valid('json');
      const r = unwrap(await wallet.setTier(actorOf(c), userId, tier, reason), toApiError);
      return c.json(profileJson(r.profile), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/admin/adjustments',
      tags: ['Wallet admin'],
      summary: 'Credit or debit a user, with a reason',
      description:
        'Against the house liquidity account of the asset; recorded in the audit log and as `adjustment.created`. A debit the user cannot cover is refused (402). Admins only.',
      access: { roles: ['admin'], scope: 'wallet_admin:write' },
      request: body(AdjustmentBody),
      responses: {
        201: json('The adjustment', AdjustmentSchema),
        200: json('The adjustment, from an earlier request with this key', AdjustmentSchema),
        ...errors,
      },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const userId = await userIdOf(wallet, input.user);
      const r = unwrap(
        await wallet.adjust({
          actor: actorOf(c),
          userId,
          asset: input.asset,
          direction: input.direction,
          amount: input.amount,
          reason: input.reason,
          requestKey: requestKey(c),
        }),
        toApiError,
      );
      return c.json(adjustmentJson(r.adjustment), r.replayed ? 200 : 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/admin/wallets/{user}/adjustments',
      tags: ['Wallet admin'],
      summary: "A user's adjustments, newest first",
      access: { roles: STAFF, scope: 'wallet_admin:read' },
      request: { params: UserParam, query: PaginationQuery },
      responses: { 200: json('Adjustments', list(AdjustmentSchema)) },
    }),
    async (c) => {
      const userId = await userIdOf(wallet, c.req.valid('param').user);
      const q = c.req.valid('query');
      const items = await wallet.listAdjustments(userId, {
        limit: q.limit + 1,
        startingAfter: q.starting_after,
      });
      return c.json(toPage(items, q.limit, adjustmentJson), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/assets',
      tags: ['Wallet admin'],
      summary: 'Register an asset',
      description:
        'Creates the asset and its house accounts in the ledger (audited as `asset.created`). Idempotent by code; a different kind or scale for an existing code is refused (a scale never changes). Admins only.',
      access: { roles: ['admin'], scope: 'wallet_admin:write' },
      request: body(AssetBody),
      responses: {
        201: json('Created', AssetSchema),
        200: json('Already existed', AssetSchema),
        409: json('Exists with another scale or kind', ErrorSchema),
      },
    }),
    async (c) => {
      const r = unwrap(await wallet.createAsset(actorOf(c), c.req.valid('json')), toApiError);
      return c.json(assetJson(r.asset), r.created ? 201 : 200);
    },
  );
}
