import { ANY_ROLE, defineRoute } from '../../platform/http/access.js';
import type { HttpApp } from '../../platform/http/app.js';
import { ErrorSchema, unwrap } from '../../platform/http/errors.js';
import { keyIdempotentRoute } from '../../platform/http/idempotency.js';
import { toPage } from '../../platform/http/pagination.js';
import {
  jsonResponse as json,
  jsonBody as body,
  requireUser as caller,
} from '../../platform/http/route-helpers.js';
import { toApiError, WalletError } from '../errors.js';
import { paymentJson } from '../json.js';
import { IdParam, PayBody, PaymentListQuery, PaymentSchema } from '../schemas.js';
import type { WalletService } from '../service.js';
import { errors, found, list, requestKey } from './common.js';

/** Payments between users. */
export function registerPaymentRoutes(app: HttpApp, deps: { wallet: WalletService }): void {
  const { wallet } = deps;

  // --- payments ---------------------------------------------------------------------

  // The payment is stored with its Idempotency-Key in the payment's own transaction, and
  // the key also keys its ledger write: a retry (concurrent, late, after a crash) answers
  // the payment made, and the key with another payment is a 409 idempotency_conflict.
  keyIdempotentRoute(app, '/v1/payments');

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
      const r = unwrap(
        await wallet.pay({
          payerId: caller(c).userId,
          to: input.to,
          asset: input.asset,
          amount: input.amount,
          note: input.note,
          requestKey: requestKey(c),
        }),
        toApiError,
      );
      if (r.replayed) c.header('idempotent-replayed', 'true');
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
      return c.json(toPage(items, q.limit, paymentJson), 200);
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
}
