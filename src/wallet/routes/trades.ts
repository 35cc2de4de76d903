import { ANY_ROLE, defineRoute } from '../../platform/http/access.js';
import type { HttpApp } from '../../platform/http/app.js';
import { ErrorSchema, unwrap } from '../../platform/http/errors.js';
import { keyIdempotentRoute } from '../../platform/http/idempotency.js';
import { PaginationQuery, toPage } from '../../platform/http/pagination.js';
import {
  jsonResponse as json,
  jsonBody as body,
  requireUser as caller,
} from '../../platform/http/route-helpers.js';
import { toApiError, WalletError } from '../errors.js';
import { quoteJson, tradeJson } from '../json.js';
import { IdParam, QuoteBody, QuoteSchema, TradeSchema } from '../schemas.js';
import type { WalletService } from '../service.js';
import { errors, found, list, requestKey } from './common.js';

/** Quotes and the trades they become. */
export function registerTradeRoutes(app: HttpApp, deps: { wallet: WalletService }): void {
  const { wallet } = deps;

  // --- quotes and trades ------------------------------------------------------------

  // As `POST /v1/payments`: the Idempotency-Key is stored with the quote in its own
  // statement, so a retry (concurrent, late, after a crash) answers that quote, and the
  // key on another quote request is a 409 idempotency_conflict.
  keyIdempotentRoute(app, '/v1/quotes');
  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/quotes',
      tags: ['Trading'],
      summary: 'Price a buy, sell or conversion',
      description:
        'Fiat → crypto is a buy, crypto → fiat a sell, crypto → crypto a conversion. Give `spend_amount` (total, fee included) or `receive_amount`. The quote locks the price (spread included), the fee and both amounts until `expires_at` (15 s by default). You never receive less than `receive_amount` nor pay more than `spend_amount`. 503 `price_stale` when the latest price is too old. With an `Idempotency-Key`, the same request again answers the same quote as it now stands (200, `Idempotent-Replayed: true`).',
      access: { roles: ANY_ROLE, scope: 'wallet_trades:write' },
      request: body(QuoteBody),
      responses: {
        201: json('The quote', QuoteSchema),
        200: json('The quote, from an earlier request with this key', QuoteSchema),
        ...errors,
        503: json('No fresh price', ErrorSchema),
      },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const r = unwrap(
        await wallet.createQuote({
          userId: caller(c).userId,
          from: input.from,
          to: input.to,
          spendAmount: input.spend_amount,
          receiveAmount: input.receive_amount,
          requestKey: requestKey(c),
        }),
        toApiError,
      );
      if (r.replayed) c.header('idempotent-replayed', 'true');
      return c.json(quoteJson(r.quote), r.replayed ? 200 : 201);
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

  // A quote executes once; executing it again (with any Idempotency-Key or none)
  // answers that trade, so the key needs no claim or record of its own.
  keyIdempotentRoute(app, '/v1/quotes/{id}/execute');
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
      const r = unwrap(
        await wallet.executeQuote(caller(c).userId, c.req.valid('param').id),
        toApiError,
      );
      if (r.replayed) c.header('idempotent-replayed', 'true');
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
        toPage(items, q.limit, tradeJson, (t) => t.tradeId),
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
}
