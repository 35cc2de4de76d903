import type { Context } from 'hono';
import { z } from '@hono/zod-openapi';
import type { LedgerService } from '../ledger/service.js';
import { ANY_ROLE, defineRoute } from '../platform/http/access.js';
import type { HttpApp } from '../platform/http/app.js';
import type { AppEnv } from '../platform/http/context.js';
import { ApiError, ErrorSchema } from '../platform/http/errors.js';
import { pageSchema, PaginationQuery, type Page } from '../platform/http/pagination.js';
import { profileJson } from './admin.js';
import {
  isFailure,
  toApiError,
  WalletError,
  walletApiError,
  type WalletFailure,
} from './errors.js';
import {
  activityJson,
  adjustmentJson,
  balanceJson,
  fiatDepositJson,
  fiatWithdrawalJson,
  paymentJson,
  paymentRequestJson,
  quoteJson,
  tradeJson,
} from './json.js';
import type { WalletActor } from './model.js';
import {
  ActivitySchema,
  AdjustmentBody,
  AdjustmentSchema,
  AssetBody,
  AssetSchema,
  BalanceSchema,
  FiatDepositBody,
  FiatDepositSchema,
  FiatWithdrawalBody,
  FiatWithdrawalSchema,
  HistoryQuery,
  IdParam,
  PayBody,
  PaymentListQuery,
  PaymentRequestBody,
  PaymentRequestSchema,
  PaymentSchema,
  QuoteBody,
  QuoteSchema,
  ReasonBody,
  RequestListQuery,
  StatementQuery,
  TierBody,
  TradeSchema,
  UserParam,
  WalletProfileSchema,
} from './schemas.js';
import type { WalletService } from './service.js';
import {
  jsonResponse as json,
  jsonBody as body,
  requireUser as caller,
} from '../platform/http/route-helpers.js';

type Ctx = Context<AppEnv>;

const STAFF = ['operator', 'admin'] as const;

function actorOf(c: Ctx): WalletActor {
  const p = caller(c);
  return {
    type: 'user',
    id: p.userId,
    credentialId: p.credentialId,
    ip: c.get('clientIp'),
    requestId: c.get('requestId'),
  };
}

function ok<T>(result: T | WalletFailure): T {
  if (isFailure(result)) throw toApiError(result);
  return result;
}

function found<T>(value: T | undefined, error: WalletError): T {
  if (value === undefined) throw walletApiError(error);
  return value;
}

/** The request's Idempotency-Key, which the wallet keeps beyond the HTTP layer's 24 h. */
function requestKey(c: Ctx): string | undefined {
  return c.req.header('idempotency-key');
}

function page<T, J>(
  items: T[],
  limit: number,
  cursor: (t: T) => string,
  map: (t: T) => J,
): Page<J> {
  const hasMore = items.length > limit;
  const shown = hasMore ? items.slice(0, limit) : items;
  const last = shown[shown.length - 1];
  return {
    object: 'list',
    data: shown.map(map),
    has_more: hasMore,
    next_cursor: hasMore && last !== undefined ? cursor(last) : null,
  };
}

function parseTime(text: string | undefined, param: string): Date | undefined {
  if (text === undefined) return undefined;
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) {
    throw new ApiError(
      400,
      'invalid_request_error',
      'parameter_invalid',
      `${param} is not a valid date`,
      param,
    );
  }
  return d;
}

const list = <T extends z.ZodType>(schema: T) => pageSchema(schema);
const errors = {
  402: json('Insufficient funds', ErrorSchema),
  404: json('Not found', ErrorSchema),
  409: json('Conflict (state, limit or idempotency key)', ErrorSchema),
};

/** Registers the wallet's /v1 routes: balances, history, payments, trades, bank transfers, admin. */
export function registerWalletRoutes(
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
          limits: {
            per_hour: limits.perHour,
            used_this_hour: limits.usedThisHour,
            assets: limits.assets.map((a) => ({
              asset: a.asset,
              per_transaction: a.perTransaction,
              daily: a.daily,
              used_today: a.usedToday,
            })),
          },
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
      return c.json(
        page(items, q.limit, (a) => a.id, activityJson),
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
      const r = ok(
        await wallet.statement(caller(c).userId, {
          asset: q.asset,
          from: parseTime(q.from, 'from'),
          to: parseTime(q.to, 'to'),
        }),
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

  // --- payments ---------------------------------------------------------------------

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/payments',
      tags: ['Payments'],
      summary: 'Pay another user',
      description:
        'Moves money to another user by `@handle`, email or id, in any asset: crypto sent this way settles instantly inside the ledger. Send an `Idempotency-Key`: a retry with it, even days later, answers the first payment instead of paying twice.',
      access: { roles: ANY_ROLE, scope: 'wallet:write' },
      request: body(PayBody),
      responses: {
        201: json('The payment', PaymentSchema),
        200: json('The payment, from an earlier request with this key', PaymentSchema),
        ...errors,
      },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const r = ok(
        await wallet.pay({
          payerId: caller(c).userId,
          to: input.to,
          asset: input.asset,
          amount: input.amount,
          note: input.note,
          requestKey: requestKey(c),
        }),
      );
      return c.json(paymentJson(r.payment), r.replayed ? 200 : 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/payments',
      tags: ['Payments'],
      summary: 'Payments you sent or received, newest first',
      access: { roles: ANY_ROLE, scope: 'wallet:read' },
      request: { query: PaymentListQuery },
      responses: { 200: json('Payments', list(PaymentSchema)) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const items = await wallet.listPayments(caller(c).userId, {
        limit: q.limit + 1,
        startingAfter: q.starting_after,
        direction: q.direction,
      });
      return c.json(
        page(items, q.limit, (p) => p.id, paymentJson),
        200,
      );
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/payments/{id}',
      tags: ['Payments'],
      summary: 'One payment',
      access: { roles: ANY_ROLE, scope: 'wallet:read' },
      request: { params: IdParam('pay_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y') },
      responses: { 200: json('The payment', PaymentSchema), 404: json('Not found', ErrorSchema) },
    }),
    async (c) => {
      const p = await wallet.getPayment(caller(c).userId, c.req.valid('param').id);
      return c.json(paymentJson(found(p, WalletError.PaymentNotFound)), 200);
    },
  );

  // --- payment requests -------------------------------------------------------------

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/payment_requests',
      tags: ['Payments'],
      summary: 'Ask another user for money',
      access: { roles: ANY_ROLE, scope: 'wallet:write' },
      request: body(PaymentRequestBody),
      responses: { 201: json('The request', PaymentRequestSchema), ...errors },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const r = ok(
        await wallet.requestPayment({
          requesterId: caller(c).userId,
          from: input.from,
          asset: input.asset,
          amount: input.amount,
          note: input.note,
        }),
      );
      return c.json(paymentRequestJson(r.request), 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/payment_requests',
      tags: ['Payments'],
      summary: 'Requests you made (outgoing) or received (incoming), newest first',
      access: { roles: ANY_ROLE, scope: 'wallet:read' },
      request: { query: RequestListQuery },
      responses: { 200: json('Payment requests', list(PaymentRequestSchema)) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const items = await wallet.listRequests(caller(c).userId, {
        limit: q.limit + 1,
        startingAfter: q.starting_after,
        direction: q.direction,
        status: q.status,
      });
      return c.json(
        page(items, q.limit, (r) => r.id, paymentRequestJson),
        200,
      );
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/payment_requests/{id}',
      tags: ['Payments'],
      summary: 'One payment request',
      access: { roles: ANY_ROLE, scope: 'wallet:read' },
      request: { params: IdParam('prq_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y') },
      responses: {
        200: json('The request', PaymentRequestSchema),
        404: json('Not found', ErrorSchema),
      },
    }),
    async (c) => {
      const r = await wallet.getRequest(caller(c).userId, c.req.valid('param').id);
      return c.json(paymentRequestJson(found(r, WalletError.PaymentRequestNotFound)), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/payment_requests/{id}/pay',
      tags: ['Payments'],
      summary: 'Pay a request addressed to you',
      description: 'At most once: a request that is no longer pending answers 409.',
      access: { roles: ANY_ROLE, scope: 'wallet:write' },
      request: { params: IdParam('prq_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y') },
      responses: { 200: json('The paid request and its payment', PaymentRequestSchema), ...errors },
    }),
    async (c) => {
      const r = ok(await wallet.payRequest(caller(c).userId, c.req.valid('param').id));
      return c.json({ ...paymentRequestJson(r.request), payment: paymentJson(r.payment) }, 200);
    },
  );

  for (const action of ['decline', 'cancel'] as const) {
    app.openapi(
      defineRoute({
        method: 'post',
        path: `/v1/payment_requests/{id}/${action}`,
        tags: ['Payments'],
        summary:
          action === 'decline' ? 'Decline a request addressed to you' : 'Cancel a request you made',
        access: { roles: ANY_ROLE, scope: 'wallet:write' },
        request: { params: IdParam('prq_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y') },
        responses: { 200: json('The request', PaymentRequestSchema), ...errors },
      }),
      async (c) => {
        const userId = caller(c).userId;
        const id = c.req.valid('param').id;
        const r = ok(
          action === 'decline'
            ? await wallet.declineRequest(userId, id)
            : await wallet.cancelRequest(userId, id),
        );
        return c.json(paymentRequestJson(r.request), 200);
      },
    );
  }

  // --- quotes and trades ------------------------------------------------------------

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/quotes',
      tags: ['Trading'],
      summary: 'Price a buy, sell or conversion',
      description:
        'Fiat → crypto is a buy, crypto → fiat a sell, crypto → crypto a conversion. Give `spend_amount` (total, fee included) or `receive_amount`. The quote locks the price (spread included), the fee and both amounts until `expires_at` (15 s by default). You never receive less than `receive_amount` nor pay more than `spend_amount`. 503 `price_stale` when the latest price is too old.',
      access: { roles: ANY_ROLE, scope: 'wallet_trades:write' },
      request: body(QuoteBody),
      responses: {
        201: json('The quote', QuoteSchema),
        ...errors,
        503: json('No fresh price', ErrorSchema),
      },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const r = ok(
        await wallet.createQuote({
          userId: caller(c).userId,
          from: input.from,
          to: input.to,
          spendAmount: input.spend_amount,
          receiveAmount: input.receive_amount,
        }),
      );
      return c.json(quoteJson(r.quote), 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/quotes/{id}',
      tags: ['Trading'],
      summary: 'One quote',
      access: { roles: ANY_ROLE, scope: 'wallet:read' },
      request: { params: IdParam('quo_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y') },
      responses: { 200: json('The quote', QuoteSchema), 404: json('Not found', ErrorSchema) },
    }),
    async (c) => {
      const q = await wallet.getQuote(caller(c).userId, c.req.valid('param').id);
      return c.json(quoteJson(found(q, WalletError.QuoteNotFound)), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/quotes/{id}/execute',
      tags: ['Trading'],
      summary: 'Execute a quote',
      description:
        'Moves both assets at the quoted terms, once: executing the same quote again answers the same trade (200) and moves nothing. An expired quote answers 409 `quote_expired` and moves nothing.',
      access: { roles: ANY_ROLE, scope: 'wallet_trades:write' },
      request: { params: IdParam('quo_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y') },
      responses: { 200: json('The trade', TradeSchema), ...errors },
    }),
    async (c) => {
      const r = ok(await wallet.executeQuote(caller(c).userId, c.req.valid('param').id));
      return c.json(tradeJson(r.quote), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/trades',
      tags: ['Trading'],
      summary: 'Your trades, newest quote first',
      access: { roles: ANY_ROLE, scope: 'wallet:read' },
      request: { query: PaginationQuery },
      responses: { 200: json('Trades', list(TradeSchema)) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const items = await wallet.listTrades(caller(c).userId, {
        limit: q.limit + 1,
        startingAfter: q.starting_after,
      });
      return c.json(
        page(items, q.limit, (t) => t.tradeId, tradeJson),
        200,
      );
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/trades/{id}',
      tags: ['Trading'],
      summary: 'One trade',
      access: { roles: ANY_ROLE, scope: 'wallet:read' },
      request: { params: IdParam('trd_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y') },
      responses: { 200: json('The trade', TradeSchema), 404: json('Not found', ErrorSchema) },
    }),
    async (c) => {
      const t = await wallet.getTrade(caller(c).userId, c.req.valid('param').id);
      return c.json(tradeJson(found(t, WalletError.TradeNotFound)), 200);
    },
  );

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
      const r = ok(
        await wallet.depositFiat({
          userId: caller(c).userId,
          asset: input.asset,
          amount: input.amount,
          requestKey: requestKey(c),
        }),
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
      return c.json(
        page(items, q.limit, (d) => d.id, fiatDepositJson),
        200,
      );
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
      const r = ok(
        await wallet.withdrawFiat({
          userId: caller(c).userId,
          asset: input.asset,
          amount: input.amount,
          destination: input.destination,
          requestKey: requestKey(c),
        }),
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
      return c.json(
        page(items, q.limit, (w) => w.id, fiatWithdrawalJson),
        200,
      );
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

  // --- operators --------------------------------------------------------------------

  async function userIdOf(ref: string): Promise<string> {
    const user = await wallet.resolveUser(ref);
    if (!user) throw walletApiError(WalletError.UserNotFound, { message: `No user ${ref}` });
    return user.id;
  }

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
      const userId = await userIdOf(c.req.valid('param').user);
      const [profile, limits, balances] = await Promise.all([
        wallet.profile(userId),
        wallet.limits(userId),
        wallet.balances(userId),
      ]);
      return c.json(
        {
          ...profileJson(profile),
          limits: {
            per_hour: limits.perHour,
            used_this_hour: limits.usedThisHour,
            assets: limits.assets.map((a) => ({
              asset: a.asset,
              per_transaction: a.perTransaction,
              daily: a.daily,
              used_today: a.usedToday,
            })),
          },
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
        const userId = await userIdOf(c.req.valid('param').user);
        const { reason } = c.req.valid('json');
        const r = ok(
          action === 'freeze'
            ? await wallet.freeze(actorOf(c), userId, reason)
            : await wallet.unfreeze(actorOf(c), userId, reason),
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
      const userId = await userIdOf(c.req.valid('param').user);
      const { tier, reason } = c.req.valid('json');
      const r = ok(await wallet.setTier(actorOf(c), userId, tier, reason));
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
      const userId = await userIdOf(input.user);
      const r = ok(
        await wallet.adjust({
          actor: actorOf(c),
          userId,
          asset: input.asset,
          direction: input.direction,
          amount: input.amount,
          reason: input.reason,
          requestKey: requestKey(c),
        }),
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
      const userId = await userIdOf(c.req.valid('param').user);
      const q = c.req.valid('query');
      const items = await wallet.listAdjustments(userId, {
        limit: q.limit + 1,
        startingAfter: q.starting_after,
      });
      return c.json(
        page(items, q.limit, (a) => a.id, adjustmentJson),
        200,
      );
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
      const r = ok(await wallet.createAsset(actorOf(c), c.req.valid('json')));
      const a = r.asset;
      return c.json(
        { object: 'asset' as const, code: a.code, kind: a.kind, scale: a.scale, name: a.name },
        r.created ? 201 : 200,
      );
    },
  );
}
