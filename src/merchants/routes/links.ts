import { z } from '@hono/zod-openapi';
import { defineRoute } from '../../platform/http/access.js';
import type { HttpApp } from '../../platform/http/app.js';
import { unwrap } from '../../platform/http/errors.js';
import { pageSchema, PaginationQuery, toPage } from '../../platform/http/pagination.js';
import { jsonBody as body, jsonResponse as json } from '../../platform/http/route-helpers.js';
import { MerchantError, merchantApiError } from '../errors.js';
import { paymentLinkJson, terminalJson } from '../json.js';
import type { MerchantsService } from '../service.js';
import {
  MERCHANT_TAG,
  PaymentLinkCreate,
  PaymentLinkParam,
  PaymentLinkSchema,
  PaymentLinkUpdate,
  TerminalCreate,
  TerminalParam,
  TerminalSchema,
} from '../schemas.js';
import { accountOf, actorOf, keyAccess } from './common.js';

/** Payment links and point-of-sale terminals (merchant API keys). */
export function registerLinkRoutes(app: HttpApp, deps: { merchants: MerchantsService }): void {
  const { merchants } = deps;
  const { links, terminals } = merchants;
  const tags = [MERCHANT_TAG];

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/payment_links',
      tags,
      summary: 'Create a payment link',
      description:
        'A reusable page (`url`) that makes an invoice for each visitor: a fixed `amount`, or an open one the visitor keys in; optionally at most `max_uses` invoices.',
      access: keyAccess('invoices:write'),
      request: body(PaymentLinkCreate),
      responses: { 201: json('The payment link', PaymentLinkSchema) },
    }),
    async (c) => {
      const account = await accountOf(c, merchants);
      const input = c.req.valid('json');
      const link = unwrap(
        await links.create(actorOf(c), account, {
          currency: input.currency,
          amount: input.amount,
          assets: input.assets,
          description: input.description,
          maxUses: input.max_uses,
          expiresInSeconds: input.expires_in_seconds,
        }),
        merchantApiError,
      );
      return c.json(paymentLinkJson(link), 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/payment_links',
      tags,
      summary: 'List payment links',
      access: keyAccess('invoices:read'),
      request: { query: PaginationQuery },
      responses: { 200: json('Payment links', pageSchema(PaymentLinkSchema)) },
    }),
    async (c) => {
      const account = await accountOf(c, merchants);
      const q = c.req.valid('query');
      const rows = await links.list(account.id, {
        limit: q.limit + 1,
        ...(q.starting_after !== undefined ? { startingAfter: q.starting_after } : {}),
      });
      return c.json(toPage(rows, q.limit, paymentLinkJson), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/payment_links/{link}',
      tags,
      summary: 'A payment link',
      access: keyAccess('invoices:read'),
      request: { params: PaymentLinkParam },
      responses: { 200: json('The payment link', PaymentLinkSchema) },
    }),
    async (c) => {
      const account = await accountOf(c, merchants);
      const link = await links.get(account.id, c.req.valid('param').link);
      if (!link) throw merchantApiError(MerchantError.PaymentLinkNotFound, { param: 'link' });
      return c.json(paymentLinkJson(link), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'patch',
      path: '/v1/payment_links/{link}',
      tags,
      summary: 'Update a payment link',
      description:
        'Turn it off (`active: false`: from then on it makes no invoice) or on again, or change its description.',
      access: keyAccess('invoices:write'),
      request: { params: PaymentLinkParam, ...body(PaymentLinkUpdate) },
      responses: { 200: json('The payment link', PaymentLinkSchema) },
    }),
    async (c) => {
      const account = await accountOf(c, merchants);
      const link = unwrap(
        await links.update(actorOf(c), account.id, c.req.valid('param').link, c.req.valid('json')),
        merchantApiError,
      );
      return c.json(paymentLinkJson(link), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/pos_terminals',
      tags,
      summary: 'Create a point-of-sale terminal',
      description:
        'A till for a shop: `url` (`/pos/{token}`) opens a page where staff key in an amount and the customer scans the QR code. The token can only make invoices for this merchant account and read them; it is shown once.',
      access: keyAccess('invoices:write'),
      request: body(TerminalCreate),
      responses: {
        201: json(
          'The terminal, its token and page',
          TerminalSchema.extend({ token: z.string(), url: z.string() }),
        ),
      },
    }),
    async (c) => {
      const account = await accountOf(c, merchants);
      const r = unwrap(
        await terminals.create(actorOf(c), account, c.req.valid('json')),
        merchantApiError,
      );
      const view = terminalJson(r.terminal);
      c.set('idempotencyStoredBody', JSON.stringify({ ...view, token: null, url: null }));
      return c.json({ ...view, token: r.token, url: `/pos/${r.token}` }, 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/pos_terminals',
      tags,
      summary: 'List point-of-sale terminals',
      access: keyAccess('invoices:read'),
      request: { query: PaginationQuery },
      responses: { 200: json('Terminals', pageSchema(TerminalSchema)) },
    }),
    async (c) => {
      const account = await accountOf(c, merchants);
      const q = c.req.valid('query');
      const rows = await terminals.list(account.id, {
        limit: q.limit + 1,
        ...(q.starting_after !== undefined ? { startingAfter: q.starting_after } : {}),
      });
      return c.json(toPage(rows, q.limit, terminalJson), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/v1/pos_terminals/{terminal}',
      tags,
      summary: 'Revoke a point-of-sale terminal',
      description: 'Its page stops working at once.',
      access: keyAccess('invoices:write'),
      request: { params: TerminalParam },
      responses: { 200: json('The revoked terminal', TerminalSchema) },
    }),
    async (c) => {
      const account = await accountOf(c, merchants);
      const t = unwrap(
        await terminals.revoke(actorOf(c), account.id, c.req.valid('param').terminal),
        merchantApiError,
      );
      return c.json(terminalJson(t), 200);
    },
  );
}
