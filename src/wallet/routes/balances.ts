import { z } from '@hono/zod-openapi';
import type { LedgerService } from '../../ledger/service.js';
import { ANY_ROLE, defineRoute } from '../../platform/http/access.js';
import type { HttpApp } from '../../platform/http/app.js';
import { unwrap } from '../../platform/http/errors.js';
import { toPage } from '../../platform/http/pagination.js';
import { jsonResponse as json, requireUser as caller } from '../../platform/http/route-helpers.js';
import { toApiError } from '../errors.js';
import { activityJson, balanceJson, profileJson, limitsJson } from '../json.js';
import {
  ActivitySchema,
  AssetSchema,
  BalanceSchema,
  HistoryQuery,
  StatementQuery,
  WalletProfileSchema,
} from '../schemas.js';
import type { WalletService } from '../service.js';
import { list, parseTime } from './common.js';

/** Balances, movement history, statements and the asset list. */
export function registerBalanceRoutes(
  app: HttpApp,
  deps: { wallet: WalletService; ledger: LedgerService },
): void {
  const { wallet, ledger } = deps;

  // --- balances, history, statements ----------------------------------------------

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/wallet',
      tags: ['Wallet'],
      summary: 'Your wallet: tier, freeze state, limits and today’s usage',
      access: { roles: ANY_ROLE, scope: 'wallet:read' },
      responses: { 200: json('Your wallet', WalletProfileSchema) },
    }),
    async (c) => {
      const userId = caller(c).userId;
      const [profile, limits] = await Promise.all([wallet.profile(userId), wallet.limits(userId)]);
      return c.json(
        {
          ...profileJson(profile),
          limits: limitsJson(limits),
        },
        200,
      );
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/wallet/balances',
      tags: ['Wallet'],
      summary: 'Balances per asset',
      description:
        '`available` can be spent now; `held` is reserved by pending bank withdrawals; `total` = available + held; `incoming` is pending and not yet spendable.',
      access: { roles: ANY_ROLE, scope: 'wallet:read' },
      responses: {
        200: json(
          'Balances',
          z.object({ object: z.literal('list'), data: z.array(BalanceSchema) }),
        ),
      },
    }),
    async (c) => {
      const balances = await wallet.balances(caller(c).userId);
      return c.json({ object: 'list' as const, data: balances.map(balanceJson) }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/wallet/history',
      tags: ['Wallet'],
      summary: 'Your movements, newest first',
      description:
        'Payments, trades (one item per asset), bank deposits and withdrawals and adjustments, filtered by `asset`, `type` and time (`from` inclusive, `to` exclusive).',
      access: { roles: ANY_ROLE, scope: 'wallet:read' },
      request: { query: HistoryQuery },
      responses: { 200: json('Movements', list(ActivitySchema)) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const items = await wallet.history(caller(c).userId, {
        limit: q.limit + 1,
        startingAfter: q.starting_after,
        asset: q.asset,
        type: q.type,
        from: parseTime(q.from, 'from'),
        to: parseTime(q.to, 'to'),
      });
      // One lookup for the page's other people, not one per row.
      const handles = await wallet.handlesOf([
        ...new Set(items.flatMap((a) => (a.counterpartyId === null ? [] : [a.counterpartyId]))),
      ]);
      return c.json(
        toPage(items, q.limit, (a) => activityJson(a, handles)),
        200,
      );
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/wallet/statement',
      tags: ['Wallet'],
      summary: 'CSV statement of one asset',
      description:
        'Every posted movement of the asset in [`from`, `to`), oldest first, with the opening balance, a running balance and the closing balance. At most 366 days; without dates, the last 30.',
      access: { roles: ANY_ROLE, scope: 'wallet:read' },
      request: { query: StatementQuery },
      responses: {
        200: { description: 'The statement', content: { 'text/csv': { schema: z.string() } } },
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const r = unwrap(
        await wallet.statement(caller(c).userId, {
          asset: q.asset,
          from: parseTime(q.from, 'from'),
          to: parseTime(q.to, 'to'),
        }),
        toApiError,
      );
      const day = (d: Date) => d.toISOString().slice(0, 10);
      const name = `statement-${r.statement.asset}-${day(r.statement.from)}-${day(r.statement.to)}.csv`;
      return c.body(r.statement.csv, 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${name}"`,
      });
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/assets',
      tags: ['Wallet'],
      summary: 'Assets you can hold',
      access: { roles: ANY_ROLE, scope: 'wallet:read' },
      responses: {
        200: json('Assets', z.object({ object: z.literal('list'), data: z.array(AssetSchema) })),
      },
    }),
    async (c) => {
      const assets = await ledger.listAssets();
      return c.json(
        {
          object: 'list' as const,
          data: assets.map((a) => ({
            object: 'asset' as const,
            code: a.code,
            kind: a.kind,
            scale: a.scale,
            name: a.name,
          })),
        },
        200,
      );
    },
  );
}
