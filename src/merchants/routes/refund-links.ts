import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { defineRoute } from '../../platform/http/access.js';
import type { HttpApp } from '../../platform/http/app.js';
import type { AppEnv } from '../../platform/http/context.js';
import { unwrap } from '../../platform/http/errors.js';
import { jsonBody as body, jsonResponse as json } from '../../platform/http/route-helpers.js';
import { formatAmount } from '../../ledger/money.js';
import { isFailure } from '../../platform/failure.js';
import { merchantApiError, type MerchantFailure } from '../errors.js';
import { refundJson } from '../json.js';
import type { Refund, RefundLinkView } from '../refunds.js';
import type { MerchantsService } from '../service.js';
import { MERCHANT_TAG, RefundLinkCreate, RefundParam, RefundSchema } from '../schemas.js';
import { accountOf, actorOf, keyAccess, payerOf } from './common.js';

const TokenParam = z.object({
  token: z
    .string()
    .max(200)
    .openapi({ param: { name: 'token', in: 'path' }, example: 're_01J….1767225600.…' }),
});

const RefundLinkSchema = z
  .object({
    object: z.literal('refund_link'),
    refund: z.string(),
    merchant: z.string().openapi({ description: 'The merchant’s name' }),
    asset: z.string(),
    amount: z.string(),
    chain: z.string().nullable(),
    status: RefundSchema.shape.status,
    open: z.boolean().openapi({ description: 'Whether an address can still be given' }),
    destination_address: z.string().nullable(),
    expires_at: z.string().nullable(),
  })
  .openapi('RefundLink');

const linkJson = (v: RefundLinkView) => ({
  object: 'refund_link' as const,
  refund: v.refund.id,
  merchant: v.merchantName,
  asset: v.refund.asset,
  amount: formatAmount(v.refund.amount, v.refund.scale, { trim: true }),
  chain: v.refund.chainKey,
  status: v.refund.status,
  open: v.open,
  destination_address: v.refund.destinationAddress,
  expires_at: v.refund.linkExpiresAt?.toISOString() ?? null,
});

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch,
  );

const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

function page(
  c: Context<AppEnv>,
  status: 200 | 400 | 404 | 409 | 410,
  title: string,
  main: string,
) {
  c.header('content-security-policy', PAGE_CSP);
  c.header('referrer-policy', 'no-referrer');
  c.header('x-frame-options', 'DENY');
  c.header('cache-control', 'no-store');
  return c.html(
    `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · Vaultwire</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;color:#111}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}input{width:100%;box-sizing:border-box;font:inherit;padding:.5rem;border:1px solid #555;border-radius:4px}
button{margin-top:1rem;font:inherit;padding:.5rem 1rem;border:0;border-radius:4px;background:#0b57d0;color:#fff}
.error{color:#a50e0e;font-weight:600}dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem}dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}</style>
</head><body><main><h1>${esc(title)}</h1>${main}</main></body></html>`,
    status,
  );
}

function details(v: RefundLinkView): string {
  return `<dl><dt>From</dt><dd>${esc(v.merchantName)}</dd>
<dt>Amount</dt><dd>${esc(formatAmount(v.refund.amount, v.refund.scale, { trim: true }))} ${esc(v.refund.asset)}</dd>
<dt>Network</dt><dd>${esc(v.refund.chainKey ?? '')}</dd>
${v.refund.destinationAddress ? `<dt>To</dt><dd>${esc(v.refund.destinationAddress)}</dd>` : ''}</dl>`;
}

function form(token: string, error?: { message: string; value: string }): string {
  const err = error
    ? `<p class="error" id="address-error" role="alert">${esc(error.message)}</p>`
    : '';
  return `${err}<form method="post" action="/refund/${esc(token)}">
<label for="address">Your address on this network</label>
<input id="address" name="address" required maxlength="64" autocomplete="off" spellcheck="false"
 pattern="0x[0-9a-fA-F]{40}" placeholder="0x…" value="${esc(error?.value ?? '')}"${error ? ' aria-invalid="true" aria-describedby="address-error"' : ''}>
<button type="submit">Send my refund here</button></form>
<p>Check the address: a refund sent on chain cannot be taken back. This link works once.</p>`;
}

const statusOf = (f: MerchantFailure) => {
  const s = merchantApiError(f.code).status;
  return s === 400 || s === 404 || s === 409 || s === 410 ? s : 409;
};

/**
 * Refund links: the merchant's reissue and cancel routes (merchant keys), and the payer's
 * side: a JSON API and a server-rendered page that works without JavaScript, both reached
 * by the signed token alone.
 */
export function registerRefundLinkRoutes(
  app: HttpApp,
  deps: { merchants: MerchantsService },
): void {
  const { refunds } = deps.merchants;

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/refunds/{refund}/link',
      tags: [MERCHANT_TAG],
      summary: 'Issue a new refund link',
      description:
        'For a refund waiting for the payer’s address: a new signed link (earlier ones stop working).',
      access: keyAccess('refunds:write'),
      request: { params: RefundParam, ...body(RefundLinkCreate) },
      responses: { 200: json('The refund with its new link', RefundSchema) },
    }),
    async (c) => {
      const account = await accountOf(c, deps.merchants);
      const r = unwrap(
        await refunds.reissueLink(
          account.id,
          c.req.valid('param').refund,
          c.req.valid('json').link_expires_in_seconds,
          actorOf(c),
        ),
        merchantApiError,
      );
      return c.json(refundJson(r), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/refunds/{refund}/cancel',
      tags: [MERCHANT_TAG],
      summary: 'Cancel a refund waiting for its destination',
      description: 'Its amount may be refunded again; its link stops working.',
      access: keyAccess('refunds:write'),
      request: { params: RefundParam },
      responses: { 200: json('The canceled refund', RefundSchema) },
    }),
    async (c) => {
      const account = await accountOf(c, deps.merchants);
      const r = unwrap(
        await refunds.cancel(account.id, c.req.valid('param').refund, actorOf(c)),
        merchantApiError,
      );
      return c.json(refundJson(r), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/refund_links/{token}',
      tags: ['Checkout'],
      summary: 'A refund, as its payer sees it through the link',
      access: { public: true },
      request: { params: TokenParam },
      responses: { 200: json('The refund link', RefundLinkSchema) },
    }),
    async (c) => {
      const v = unwrap(await refunds.openLink(c.req.valid('param').token), merchantApiError);
      return c.json(linkJson(v), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/refund_links/{token}',
      tags: ['Checkout'],
      summary: 'Give the address a refund is sent to',
      description:
        'Once per link: the refund is sent on the invoice’s chain to `address` (a withdrawal from the merchant balance).',
      access: { public: true },
      request: {
        params: TokenParam,
        ...body(z.strictObject({ address: z.string().max(64) })),
      },
      responses: { 200: json('The refund link', RefundLinkSchema) },
    }),
    async (c) => {
      const token = c.req.valid('param').token;
      unwrap(
        await refunds.submitLink(token, c.req.valid('json').address, payerOf(c)),
        merchantApiError,
      );
      const v = unwrap(await refunds.openLink(token), merchantApiError);
      return c.json(linkJson(v), 200);
    },
  );

  const show = async (c: Context<AppEnv>, token: string) => {
    const v = await refunds.openLink(token);
    if (isFailure(v)) {
      return page(
        c,
        404,
        'Refund link not valid',
        '<p>This link is not valid. Ask the merchant for a new one.</p>',
      );
    }
    if (v.open) return page(c, 200, 'Your refund', details(v) + form(token));
    const done: Record<Refund['status'], string> = {
      pending_destination: 'This link has expired. Ask the merchant for a new one.',
      processing: 'Your refund is on its way.',
      succeeded: 'Your refund was sent.',
      failed: 'Sending your refund failed. The merchant has been told.',
      canceled: 'The merchant canceled this refund.',
    };
    const status = v.refund.status === 'pending_destination' ? 410 : 200;
    return page(c, status, 'Your refund', details(v) + `<p>${done[v.refund.status]}</p>`);
  };

  app.get('/refund/:token', (c) => show(c, c.req.param('token').slice(0, 200)));

  app.post('/refund/:token', async (c) => {
    const token = c.req.param('token').slice(0, 200);
    let fields: Record<string, unknown> = {};
    try {
      fields = await c.req.parseBody();
    } catch {
      // An unreadable body is an empty form: the address is missing.
    }
    const raw = fields['address'];
    const address = typeof raw === 'string' ? raw.trim().slice(0, 64) : '';
    const r = await refunds.submitLink(token, address, payerOf(c));
    if (isFailure(r)) {
      const v = await refunds.openLink(token);
      if (isFailure(v) || !v.open) return show(c, token);
      return page(
        c,
        statusOf(r),
        'Your refund',
        details(v) +
          form(token, { message: r.message ?? merchantApiError(r.code).message, value: address }),
      );
    }
    return show(c, token);
  });
}
