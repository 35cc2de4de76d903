import { ANY_ROLE, defineRoute } from '../../platform/http/access.js';
import type { HttpApp } from '../../platform/http/app.js';
import { unwrap } from '../../platform/http/errors.js';
import { checkCursor, pageSchema, toPage } from '../../platform/http/pagination.js';
import {
  jsonBody as body,
  jsonResponse as json,
  requireUser,
} from '../../platform/http/route-helpers.js';
import { MerchantError, merchantApiError } from '../errors.js';
import { invoiceJson, refundJson } from '../json.js';
import type { MerchantsService } from '../service.js';
import {
  BalanceSchema,
  InvoiceCreate,
  InvoiceListQuery,
  InvoiceParam,
  InvoiceSchema,
  InvoiceSearchQuery,
  InvoiceSearchSchema,
  MERCHANT_TAG,
  PayBody,
  RefundCreate,
  RefundListQuery,
  RefundParam,
  RefundSchema,
} from '../schemas.js';
import { formatAmount } from '../../ledger/money.js';
import { accountOf, actorOf, keyAccess } from './common.js';

export type ChainOf = (
  chainKey: string | null,
  asset: string,
) => { chainId: number; tokenAddress?: string | undefined } | undefined;

/** Invoices, refunds and the balance (merchant API keys), and paying an invoice (users). */
export function registerInvoiceRoutes(
  app: HttpApp,
  deps: { merchants: MerchantsService; chainOf: ChainOf },
): void {
  const { merchants } = deps;
  const { invoices, refunds } = merchants;
  const tags = [MERCHANT_TAG];
  const view = (i: Parameters<typeof invoiceJson>[0]) =>
    invoiceJson(i, (asset) => deps.chainOf(i.chainKey, asset));
  const notFound = () => merchantApiError(MerchantError.InvoiceNotFound, { param: 'invoice' });

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/invoices',
      tags,
      summary: 'Create an invoice',
      description:
        'An amount in a pricing currency, payable in each accepted asset at a rate locked until the invoice expires. With a chain configured for the key’s mode, the invoice gets its own deposit address.',
      access: keyAccess('invoices:write'),
      request: body(InvoiceCreate),
      responses: { 201: json('The invoice', InvoiceSchema) },
    }),
    async (c) => {
      const account = await accountOf(c, merchants);
      const input = c.req.valid('json');
      const inv = unwrap(
        await invoices.create(
          account,
          {
            currency: input.currency,
            amount: input.amount,
            assets: input.assets,
            description: input.description,
            orderId: input.order_id,
            customerEmail: input.customer_email,
            redirectUrl: input.redirect_url,
            metadata: input.metadata,
            expiresInSeconds: input.expires_in_seconds,
          },
          actorOf(c),
        ),
        merchantApiError,
      );
      return c.json(view(inv), 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/invoices',
      tags,
      summary: 'List invoices',
      description: 'The invoices of the key’s merchant and mode, newest first.',
      access: keyAccess('invoices:read'),
      request: { query: InvoiceListQuery },
      responses: { 200: json('Invoices', pageSchema(InvoiceSchema)) },
    }),
    async (c) => {
      const account = await accountOf(c, merchants);
      const q = c.req.valid('query');
      const rows = await invoices.list(account.id, {
        limit: q.limit + 1,
        ...(q.starting_after !== undefined ? { startingAfter: q.starting_after } : {}),
        ...(q.status !== undefined ? { status: q.status } : {}),
        ...(q.order_id !== undefined ? { orderId: q.order_id } : {}),
      });
      return c.json(toPage(rows, q.limit, view), 200);
    },
  );

  // Before `/v1/invoices/{invoice}`, which would otherwise take `search` for an id.
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/invoices/search',
      tags,
      summary: 'Search invoices',
      description:
        'Invoices of the key’s merchant and mode matching every filter given (id, status, amount range, creation dates, customer email, order id, deposit address, payment transaction hash, free text), newest first. Paged with `starting_after` like every list.',
      access: keyAccess('invoices:read'),
      request: { query: InvoiceSearchQuery },
      responses: { 200: json('Matching invoices', InvoiceSearchSchema) },
    }),
    async (c) => {
      const account = await accountOf(c, merchants);
      const q = c.req.valid('query');
      const found = unwrap(
        await invoices.search(
          account.id,
          {
            id: q.id,
            status: q.status,
            currency: q.currency,
            amountGte: q.amount_gte,
            amountLte: q.amount_lte,
            createdGte: q.created_gte !== undefined ? new Date(q.created_gte) : undefined,
            createdLt: q.created_lt !== undefined ? new Date(q.created_lt) : undefined,
            customerEmail: q.customer_email,
            orderId: q.order_id,
            address: q.address,
            txHash: q.tx_hash,
            text: q.q,
          },
          { limit: q.limit + 1, startingAfter: checkCursor(q.starting_after, 'inv') },
        ),
        merchantApiError,
      );
      return c.json({ ...toPage(found.invoices, q.limit, view), text_match: found.textMatch }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/invoices/{invoice}',
      tags,
      summary: 'An invoice',
      access: keyAccess('invoices:read'),
      request: { params: InvoiceParam },
      responses: { 200: json('The invoice', InvoiceSchema) },
    }),
    async (c) => {
      const account = await accountOf(c, merchants);
      const inv = await invoices.get(account.id, c.req.valid('param').invoice);
      if (!inv) throw notFound();
      return c.json(view(inv), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/invoices/{invoice}/test_payments',
      tags,
      summary: 'Simulate a payment (test mode)',
      description:
        'Test keys only: pays the invoice (all that is due, or `amount`) with simulated money, booked at once like a wallet payment.',
      access: keyAccess('invoices:write'),
      request: { params: InvoiceParam, ...body(PayBody) },
      responses: { 200: json('The invoice', InvoiceSchema) },
    }),
    async (c) => {
      const account = await accountOf(c, merchants);
      const inv = unwrap(
        await invoices.payTest(account, c.req.valid('param').invoice, c.req.valid('json')),
        merchantApiError,
      );
      return c.json(view(inv), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/invoices/{invoice}/refunds',
      tags,
      summary: 'Refund a payment',
      description:
        'Moves `amount` of `asset` from the merchant balance back to the payer: at once to their wallet for a wallet payment; to their card through the card processor for a card payment (`processing` until it answers; a refusal ends `failed` with nothing moved); for a payment received on chain, the refund waits for the payer’s address (`pending_destination`) and the answer carries a signed, single-use `link` to hand them. One payment that can cover `amount` refunds it alone (wallet payments first, then card payments, then those received on chain, the oldest first); a larger amount is split across the payments in that order, all parts booked together or none, and the answer is the first part with every part in `parts`. Never more than was paid in that asset and not yet refunded.',
      access: keyAccess('refunds:write'),
      request: { params: InvoiceParam, ...body(RefundCreate) },
      responses: { 201: json('The refund', RefundSchema) },
    }),
    async (c) => {
      const account = await accountOf(c, merchants);
      const r = unwrap(
        await refunds.create(
          account,
          c.req.valid('param').invoice,
          {
            ...c.req.valid('json'),
            linkExpiresInSeconds: c.req.valid('json').link_expires_in_seconds,
          },
          actorOf(c),
        ),
        merchantApiError,
      );
      return c.json(refundJson(r), 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/refunds',
      tags,
      summary: 'List refunds',
      access: keyAccess('refunds:read'),
      request: { query: RefundListQuery },
      responses: { 200: json('Refunds', pageSchema(RefundSchema)) },
    }),
    async (c) => {
      const account = await accountOf(c, merchants);
      const q = c.req.valid('query');
      const rows = await refunds.list(account.id, {
        limit: q.limit + 1,
        ...(q.starting_after !== undefined ? { startingAfter: q.starting_after } : {}),
        ...(q.invoice !== undefined ? { invoiceId: q.invoice } : {}),
      });
      return c.json(toPage(rows, q.limit, refundJson), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/refunds/{refund}',
      tags,
      summary: 'A refund',
      access: keyAccess('refunds:read'),
      request: { params: RefundParam },
      responses: { 200: json('The refund', RefundSchema) },
    }),
    async (c) => {
      const account = await accountOf(c, merchants);
      const r = await refunds.get(account.id, c.req.valid('param').refund);
      if (!r) throw merchantApiError(MerchantError.RefundNotFound, { param: 'refund' });
      return c.json(refundJson(r), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/merchant_balance',
      tags,
      summary: 'The merchant balance',
      description: 'What the key’s merchant account holds, per asset, net of fees and refunds.',
      access: keyAccess('merchant_balance:read'),
      responses: { 200: json('The balance', BalanceSchema) },
    }),
    async (c) => {
      const account = await accountOf(c, merchants);
      const rows = await merchants.balances(account);
      return c.json(
        {
          object: 'merchant_balance' as const,
          livemode: account.livemode,
          balances: rows.map((b) => ({
            asset: b.asset,
            available: formatAmount(b.available, b.scale, { trim: true }),
            pending: formatAmount(b.pending, b.scale, { trim: true }),
          })),
        },
        200,
      );
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/checkout/invoices/{invoice}',
      tags: ['Checkout'],
      summary: 'An invoice, as its payer sees it',
      description: 'A live invoice by id: what is due in each asset, where to pay, its status.',
      access: { public: true },
      request: { params: InvoiceParam },
      responses: { 200: json('The invoice', InvoiceSchema) },
    }),
    async (c) => {
      const inv = await invoices.getForPayer(c.req.valid('param').invoice);
      if (!inv) throw notFound();
      return c.json(
        view({
          ...inv,
          metadata: {},
          customerEmail: null,
          payments: [],
          paymentLinkId: null,
          posTerminalId: null,
        }),
        200,
      );
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/checkout/invoices/{invoice}/pay',
      tags: ['Checkout'],
      summary: 'Pay an invoice from your wallet',
      description:
        'Pays a live invoice at once from your balance in `asset` (all that is due, or `amount` of it), at the rate locked in the invoice.',
      access: { roles: ANY_ROLE, scope: 'checkout:write' },
      request: { params: InvoiceParam, ...body(PayBody) },
      responses: { 200: json('The invoice', InvoiceSchema) },
    }),
    async (c) => {
      const payer = requireUser(c);
      const inv = unwrap(
        await invoices.payFromWallet(
          payer.userId,
          c.req.valid('param').invoice,
          c.req.valid('json'),
        ),
        merchantApiError,
      );
      return c.json(
        view({
          ...inv,
          metadata: {},
          customerEmail: null,
          payments: [],
          paymentLinkId: null,
          posTerminalId: null,
        }),
        200,
      );
    },
  );
}
