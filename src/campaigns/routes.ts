import { z } from '@hono/zod-openapi';
import type { LedgerService } from '../ledger/service.js';
import { formatAmount } from '../ledger/money.js';
import { ANY_ROLE, defineRoute } from '../platform/http/access.js';
import type { HttpApp } from '../platform/http/app.js';
import { ApiError, ErrorSchema, unwrap } from '../platform/http/errors.js';
import { checkCursor, pageSchema, PaginationQuery, toPage } from '../platform/http/pagination.js';
import {
  IdParam,
  jsonBody as body,
  jsonResponse as json,
  requireUser,
} from '../platform/http/route-helpers.js';
import { CampaignError, campaignApiError } from './errors.js';
import { RULE_KINDS, SEGMENTS, type Campaign, type Coupon } from './model.js';
import { codeQr, codesQrZip, MAX_QR_EXPORT } from './qr.js';
import {
  MAX_GENERATE,
  MAX_INLINE_GENERATE,
  type CampaignAnalytics,
  type CampaignsService,
  type Generation,
} from './service.js';

const READ = 'campaigns:read';
const WRITE = 'campaigns:write';

const Decimal = z.string().min(1).max(100).openapi({ example: '5.00' });
const Time = z.iso.datetime({ offset: true }).openapi({ example: '2026-04-01T00:00:00Z' });
const Id = z.string().max(64);

const CampaignBody = z.strictObject({
  name: z.string().min(1).max(200).openapi({ example: 'Cricket season 2026' }),
  channel: z
    .string()
    .min(1)
    .max(60)
    .openapi({ example: 'tv-cricket', description: 'Where the campaign runs (a label)' }),
  currency: z
    .string()
    .regex(/^[A-Z][A-Z0-9]{1,15}$/)
    .openapi({ example: 'USD' }),
  starts_at: Time,
  ends_at: Time.optional(),
  rule: z.strictObject({
    kind: z.enum(RULE_KINDS),
    percent_bps: z.number().int().min(1).max(10_000).optional().openapi({ example: 1500 }),
    amount: Decimal.optional(),
    free_variant_id: Id.optional(),
    min_spend: Decimal.optional(),
    first_order_only: z.boolean().optional(),
  }),
  target: z
    .strictObject({
      store_ids: z.array(Id).max(100).optional(),
      product_ids: z.array(Id).max(1000).optional(),
      segment: z.enum(SEGMENTS).optional(),
    })
    .optional(),
  budget: Decimal.optional().openapi({ description: 'Most discount the campaign gives in total' }),
  redemption_limit: z.number().int().min(0).max(1_000_000_000).optional(),
  per_customer_limit: z.number().int().min(1).max(1_000_000).optional(),
});

const CodeBody = z.strictObject({
  code: z.string().min(3).max(60).openapi({ example: 'CRICKET25' }),
  usage_limit: z.number().int().min(1).max(1_000_000_000).optional(),
});

const GenerateBody = z.strictObject({
  count: z.number().int().min(1).max(MAX_GENERATE),
  length: z.number().int().min(4).max(32).optional().openapi({ example: 10 }),
  prefix: z.string().max(12).optional().openapi({ example: 'IPL' }),
  pattern: z.string().max(40).optional().openapi({ example: '####-####' }),
  alphabet: z.string().max(64).optional(),
  usage_limit: z.number().int().min(1).max(1_000_000).optional(),
});

const CampaignSchema = z
  .looseObject({ id: z.string(), object: z.literal('campaign') })
  .openapi('campaign');
/** A coupon's id is its code (normalised): the code is the key. */
const CouponSchema = z
  .looseObject({ id: z.string(), object: z.literal('coupon') })
  .openapi('coupon');
const GenerationSchema = z
  .looseObject({ id: z.string(), object: z.literal('code_generation') })
  .openapi('code_generation');
const QrQuery = z.object({
  format: z.enum(['png', 'svg']).default('png').openapi({ example: 'png' }),
});
const errors = {
  400: json('Invalid request', ErrorSchema),
  404: json('Not found', ErrorSchema),
  409: json('Conflict', ErrorSchema),
};

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** Campaigns, coupon codes (added, generated, exported) and analytics. */
export function registerCampaignRoutes(
  app: HttpApp,
  deps: { campaigns: CampaignsService; ledger: LedgerService },
): void {
  const { campaigns, ledger } = deps;
  const scaleOf = async (currency: string) => (await ledger.getAsset(currency))?.scale ?? 0;
  const campaignJson = async (m: Campaign) => {
    const s = await scaleOf(m.currency);
    const money = (a: bigint | null | undefined) =>
      a === null || a === undefined ? null : formatAmount(a, s);
    return {
      id: m.id,
      object: 'campaign' as const,
      owner_id: m.ownerId,
      name: m.name,
      channel: m.channel,
      currency: m.currency,
      starts_at: m.startsAt.toISOString(),
      ends_at: iso(m.endsAt),
      status: m.status,
      rule: {
        kind: m.rule.kind,
        percent_bps: m.rule.percentBps ?? null,
        amount: money(m.rule.amount),
        free_variant_id: m.rule.freeVariantId ?? null,
        min_spend: money(m.rule.minSpend),
        first_order_only: m.rule.firstOrderOnly ?? false,
      },
      target: {
        store_ids: m.target.storeIds,
        product_ids: m.target.productIds,
        segment: m.target.segment,
      },
      budget: money(m.budget),
      budget_used: money(m.budgetUsed),
      redemption_limit: m.redemptionLimit,
      redemptions_used: m.redemptionsUsed,
      per_customer_limit: m.perCustomerLimit,
      created_at: m.createdAt.toISOString(),
    };
  };
  const couponJson = (c: Coupon) => ({
    id: c.id,
    object: 'coupon' as const,
    campaign_id: c.campaignId,
    code: c.code,
    kind: c.kind,
    usage_limit: c.usageLimit,
    used: c.used,
    created_at: c.createdAt.toISOString(),
  });
  const generationJson = (g: Generation) => ({
    id: g.id,
    object: 'code_generation' as const,
    campaign_id: g.campaignId,
    status: g.status,
    requested: g.requested,
    generated: g.generated,
    error: g.error,
    created_at: g.createdAt.toISOString(),
    updated_at: g.updatedAt.toISOString(),
    finished_at: iso(g.finishedAt),
  });
  const analyticsJson = async (a: CampaignAnalytics) => {
    const s = await scaleOf(a.currency);
    return {
      object: 'campaign_analytics' as const,
      campaign_id: a.campaignId,
      currency: a.currency,
      issued: a.issued,
      reserved: a.reserved,
      redeemed: a.redeemed,
      released: a.released,
      codes_redeemed: a.codesRedeemed,
      revenue: formatAmount(a.revenue, s),
      discount_given: formatAmount(a.discountGiven, s),
      conversion: a.conversion,
    };
  };
  const parse = async (currency: string, text: string | undefined, param: string) => {
    if (text === undefined) return undefined;
    const r = await ledger.parseAmount(currency, text);
    if (!r.ok || r.amount < 0n) {
      throw new ApiError(
        400,
        'invalid_request_error',
        'amount_invalid',
        `${param}: not an amount of ${currency}`,
        param,
      );
    }
    return r.amount;
  };
  const idParam = { params: IdParam('cmp_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y') };

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/campaigns',
      tags: ['Campaigns'],
      summary: 'Create a campaign',
      description:
        'A schedule, a channel label, a discount rule (percentage, fixed amount or a free item; minimum spend, first order only), a target (stores, products, segment) and limits (total redemptions, budget, per customer). Its codes discount only your own stores’ goods.',
      access: { roles: ANY_ROLE, scope: WRITE },
      request: body(CampaignBody),
      responses: { 201: json('The campaign', CampaignSchema), ...errors },
    }),
    async (c) => {
      const input = c.req.valid('json');
      if ((await ledger.getAsset(input.currency)) === undefined) {
        throw campaignApiError(CampaignError.CurrencyUnknown);
      }
      const m = unwrap(
        await campaigns.create(requireUser(c).userId, {
          name: input.name,
          channel: input.channel,
          currency: input.currency,
          startsAt: new Date(input.starts_at),
          endsAt: input.ends_at ? new Date(input.ends_at) : undefined,
          rule: {
            kind: input.rule.kind,
            percentBps: input.rule.percent_bps,
            amount: await parse(input.currency, input.rule.amount, 'rule.amount'),
            freeVariantId: input.rule.free_variant_id,
            minSpend: await parse(input.currency, input.rule.min_spend, 'rule.min_spend'),
            firstOrderOnly: input.rule.first_order_only,
          },
          target: {
            storeIds: input.target?.store_ids ?? [],
            productIds: input.target?.product_ids ?? [],
            segment: input.target?.segment ?? 'everyone',
          },
          budget: await parse(input.currency, input.budget, 'budget'),
          redemptionLimit: input.redemption_limit,
          perCustomerLimit: input.per_customer_limit,
        }),
        campaignApiError,
      );
      return c.json(await campaignJson(m), 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/campaigns',
      tags: ['Campaigns'],
      summary: 'Your campaigns, newest first',
      access: { roles: ANY_ROLE, scope: READ },
      request: { query: PaginationQuery },
      responses: { 200: json('Campaigns', pageSchema(CampaignSchema)) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const rows = await campaigns.list(requireUser(c).userId, {
        limit: q.limit + 1,
        ...(q.starting_after ? { startingAfter: checkCursor(q.starting_after, 'cmp') } : {}),
      });
      const data = await Promise.all(rows.slice(0, q.limit).map(campaignJson));
      const page = toPage(rows, q.limit, (r) => r.id);
      return c.json({ ...page, data }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/campaigns/{id}',
      tags: ['Campaigns'],
      summary: 'One campaign, with its limits and what is used of them',
      access: { roles: ANY_ROLE, scope: READ },
      request: idParam,
      responses: { 200: json('The campaign', CampaignSchema), 404: errors[404] },
    }),
    async (c) => {
      const m = await campaigns.get(requireUser(c).userId, c.req.valid('param').id);
      if (!m) throw campaignApiError(CampaignError.CampaignNotFound);
      return c.json(await campaignJson(m), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/campaigns/{id}/status',
      tags: ['Campaigns'],
      summary: 'Pause or resume a campaign',
      access: { roles: ANY_ROLE, scope: WRITE },
      request: {
        ...idParam,
        ...body(z.strictObject({ status: z.enum(['active', 'paused']) })),
      },
      responses: { 200: json('The campaign', CampaignSchema), ...errors },
    }),
    async (c) => {
      const m = unwrap(
        await campaigns.setStatus(
          requireUser(c).userId,
          c.req.valid('param').id,
          c.req.valid('json').status,
        ),
        campaignApiError,
      );
      return c.json(await campaignJson(m), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/campaigns/{id}/codes',
      tags: ['Campaigns'],
      summary: 'Add a code of your choice (a shared code such as CRICKET25)',
      description:
        'Codes are case-insensitive and unique across the platform; dashes and spaces are ignored.',
      access: { roles: ANY_ROLE, scope: WRITE },
      request: { ...idParam, ...body(CodeBody) },
      responses: { 201: json('The code', CouponSchema), ...errors },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const coupon = unwrap(
        await campaigns.addCode(requireUser(c).userId, c.req.valid('param').id, {
          code: input.code,
          usageLimit: input.usage_limit,
        }),
        campaignApiError,
      );
      return c.json(couponJson(coupon), 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/campaigns/{id}/codes/generate',
      tags: ['Campaigns'],
      summary: 'Generate unique codes in bulk',
      description:
        'Random codes from an alphabet without ambiguous characters (never 0 O 1 I L 5 S 2 Z 8 B U V), of `length` characters or following `pattern` (`#` is a random character), after `prefix`. The database’s unique index guarantees no code repeats; the space must hold at least 100 times `count`. Single use unless `usage_limit` says otherwise. Up to 10,000 codes are made in the request (201); more run as a job (202 with a `code_generation` whose progress `GET /v1/campaigns/{id}/generations/{generation_id}` shows).',
      access: { roles: ANY_ROLE, scope: WRITE },
      request: { ...idParam, ...body(GenerateBody) },
      responses: {
        201: json(
          'How many were made, and a few of them',
          z.object({ generated: z.number().int(), sample: z.array(z.string()) }),
        ),
        202: json('The generation job, queued', GenerationSchema),
        ...errors,
      },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const spec = {
        count: input.count,
        length: input.length,
        prefix: input.prefix,
        pattern: input.pattern,
        alphabet: input.alphabet,
        usageLimit: input.usage_limit,
      };
      const userId = requireUser(c).userId;
      const campaignId = c.req.valid('param').id;
      if (input.count > MAX_INLINE_GENERATE) {
        const g = unwrap(
          await campaigns.startGeneration(userId, campaignId, spec),
          campaignApiError,
        );
        return c.json(generationJson(g), 202);
      }
      const r = unwrap(await campaigns.generate(userId, campaignId, spec), campaignApiError);
      return c.json(r, 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/campaigns/{id}/generations/{generation_id}',
      tags: ['Campaigns'],
      summary: 'A code generation job and its progress',
      access: { roles: ANY_ROLE, scope: READ },
      request: {
        params: z.object({
          id: z.string().max(64),
          generation_id: z.string().max(64).openapi({ example: 'cgen_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y' }),
        }),
      },
      responses: { 200: json('The generation', GenerationSchema), 404: errors[404] },
    }),
    async (c) => {
      const p = c.req.valid('param');
      const g = unwrap(
        await campaigns.getGeneration(requireUser(c).userId, p.id, p.generation_id),
        campaignApiError,
      );
      return c.json(generationJson(g), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/campaigns/{id}/codes/{code}/qr',
      tags: ['Campaigns'],
      summary: 'One code as a QR image (PNG or SVG)',
      access: { roles: ANY_ROLE, scope: READ },
      request: {
        params: z.object({
          id: z.string().max(64),
          code: z.string().max(64).openapi({ example: 'MONSOON10' }),
        }),
        query: QrQuery,
      },
      responses: {
        200: {
          description: 'The QR image of the code',
          content: {
            'image/png': { schema: z.string().openapi({ format: 'binary' }) },
            'image/svg+xml': { schema: z.string() },
          },
        },
        404: errors[404],
      },
    }),
    async (c) => {
      const p = c.req.valid('param');
      const { format } = c.req.valid('query');
      const coupon = unwrap(
        await campaigns.getCode(requireUser(c).userId, p.id, p.code),
        campaignApiError,
      );
      const image = await codeQr(coupon.code, format);
      return c.body(Uint8Array.from(image).buffer, 200, {
        'content-type': format === 'svg' ? 'image/svg+xml' : 'image/png',
        'content-disposition': `inline; filename="${coupon.code}.${format}"`,
      });
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/campaigns/{id}/codes/qr',
      tags: ['Campaigns'],
      summary: 'A page of codes as QR images, in one ZIP',
      description: `Up to ${MAX_QR_EXPORT} codes a page (\`limit\`), batch by batch in code order; \`starting_after\` is the last code of the previous page (the \`Next-Starting-After\` header). The ZIP holds \`<code>.png\` (or \`.svg\`) per code and \`codes.csv\`.`,
      access: { roles: ANY_ROLE, scope: READ },
      request: {
        ...idParam,
        query: QrQuery.extend({
          limit: z.coerce.number().int().min(1).max(MAX_QR_EXPORT).default(500),
          starting_after: z.string().max(64).optional(),
        }),
      },
      responses: {
        200: {
          description: 'A ZIP of QR images',
          content: { 'application/zip': { schema: z.string().openapi({ format: 'binary' }) } },
        },
        400: errors[400],
        404: errors[404],
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const id = c.req.valid('param').id;
      const rows = unwrap(
        await campaigns.listCodes(requireUser(c).userId, id, {
          limit: q.limit,
          ...(q.starting_after ? { startingAfter: q.starting_after } : {}),
        }),
        campaignApiError,
      );
      const zip = await codesQrZip(
        rows.map((r) => r.code),
        q.format,
      );
      const last = rows.length === q.limit ? rows[rows.length - 1]?.id : undefined;
      return c.body(Uint8Array.from(zip).buffer, 200, {
        'content-type': 'application/zip',
        'content-disposition': `attachment; filename="${id}-qr.zip"`,
        ...(last ? { 'next-starting-after': last } : {}),
      });
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/campaigns/{id}/codes',
      tags: ['Campaigns'],
      summary: 'A campaign’s codes',
      access: { roles: ANY_ROLE, scope: READ },
      request: { ...idParam, query: PaginationQuery },
      responses: { 200: json('Codes', pageSchema(CouponSchema)), 404: errors[404] },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const rows = unwrap(
        await campaigns.listCodes(requireUser(c).userId, c.req.valid('param').id, {
          limit: q.limit + 1,
          ...(q.starting_after ? { startingAfter: q.starting_after } : {}),
        }),
        campaignApiError,
      );
      return c.json(toPage(rows, q.limit, couponJson), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/campaigns/{id}/codes/export',
      tags: ['Campaigns'],
      summary: 'Every code of a campaign as CSV',
      access: { roles: ANY_ROLE, scope: READ },
      request: idParam,
      responses: {
        200: {
          description: '`code,kind,usage_limit,used,created_at`, one code a line',
          content: { 'text/csv': { schema: z.string() } },
        },
        404: errors[404],
      },
    }),
    async (c) => {
      const csv = unwrap(
        await campaigns.exportCsv(requireUser(c).userId, c.req.valid('param').id),
        campaignApiError,
      );
      return c.body(csv, 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${c.req.valid('param').id}-codes.csv"`,
      });
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/campaigns/{id}/analytics',
      tags: ['Campaigns'],
      summary: 'Issued, redeemed, revenue, discount given and conversion',
      description:
        'Computed from the campaign’s redemptions (one per order, with the order’s total), not from counters: `redeemed` and `revenue` count paid orders; `conversion` is paid orders over orders placed with a code.',
      access: { roles: ANY_ROLE, scope: READ },
      request: idParam,
      responses: {
        200: json('Analytics', z.looseObject({ object: z.literal('campaign_analytics') })),
        404: errors[404],
      },
    }),
    async (c) => {
      const a = unwrap(
        await campaigns.analytics(requireUser(c).userId, c.req.valid('param').id),
        campaignApiError,
      );
      return c.json(await analyticsJson(a), 200);
    },
  );
}
