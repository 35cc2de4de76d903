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
import { paymentJson, paymentRequestApiJson } from '../json.js';
import { IdParam, PaymentRequestBody, PaymentRequestSchema, RequestListQuery } from '../schemas.js';
import type { PaymentRequest } from '../model.js';
import type { WalletService } from '../service.js';
import { errors, found, list, requestKey } from './common.js';

/** Payment requests: ask, pay, decline, cancel. */
export function registerPaymentRequestRoutes(app: HttpApp, deps: { wallet: WalletService }): void {
  const { wallet } = deps;
  /** Requests as JSON, each side named by handle (one lookup for the whole page). */
  const toJson = async (requests: readonly PaymentRequest[]) => {
    const handles = await wallet.handlesOf(requests.flatMap((r) => [r.requesterId, r.payerId]));
    return (r: PaymentRequest) => paymentRequestApiJson(r, handles);
  };

  // --- payment requests -------------------------------------------------------------

  // The Idempotency-Key is stored with the request in its own statement: a retry
  // (concurrent, late, after a crash) answers that request, and the key with another ask
  // is a 409 idempotency_conflict.
  keyIdempotentRoute(app, '/v1/payment_requests');
  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/payment_requests',
      tags: ['Payments'],
      summary: 'Ask another user for money',
      access: { roles: ANY_ROLE, scope: 'wallet:write' },
      request: body(PaymentRequestBody),
      responses: {
        201: json('The request', PaymentRequestSchema),
        200: json('The request, from an earlier ask with this key', PaymentRequestSchema),
        ...errors,
      },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const r = unwrap(
        await wallet.requestPayment({
          requesterId: caller(c).userId,
          from: input.from,
          asset: input.asset,
          amount: input.amount,
          note: input.note,
          requestKey: requestKey(c),
        }),
        toApiError,
      );
      if (r.replayed) c.header('idempotent-replayed', 'true');
      return c.json((await toJson([r.request]))(r.request), r.replayed ? 200 : 201);
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
      return c.json(toPage(items, q.limit, await toJson(items)), 200);
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
      const r = found(
        await wallet.getRequest(caller(c).userId, c.req.valid('param').id),
        WalletError.PaymentRequestNotFound,
      );
      return c.json((await toJson([r]))(r), 200);
    },
  );

  // As `POST /v1/payments`: the Idempotency-Key is stored with the request's payment in
  // its own statement, so a retry (concurrent, late, after a crash) answers that payment,
  // and the key on any other payment is a 409 idempotency_conflict.
  keyIdempotentRoute(app, '/v1/payment_requests/{id}/pay');

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/payment_requests/{id}/pay',
      tags: ['Payments'],
      summary: 'Pay a request addressed to you',
      description:
        'At most once: a request that is no longer pending answers 409. Send an `Idempotency-Key`: a retry with it, even days later, answers the paid request and its payment again (`Idempotent-Replayed: true`) instead of a 409.',
      access: { roles: ANY_ROLE, scope: 'wallet:write' },
      request: { params: IdParam('prq_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y') },
      responses: { 200: json('The paid request and its payment', PaymentRequestSchema), ...errors },
    }),
    async (c) => {
      const r = unwrap(
        await wallet.payRequest(caller(c).userId, c.req.valid('param').id, requestKey(c)),
        toApiError,
      );
      if (r.replayed) c.header('idempotent-replayed', 'true');
      const json = (await toJson([r.request]))(r.request);
      return c.json({ ...json, payment: paymentJson(r.payment) }, 200);
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
        const r = unwrap(
          action === 'decline'
            ? await wallet.declineRequest(userId, id)
            : await wallet.cancelRequest(userId, id),
          toApiError,
        );
        return c.json((await toJson([r.request]))(r.request), 200);
      },
    );
  }
}
