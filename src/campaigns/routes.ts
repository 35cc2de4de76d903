import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { LedgerService } from '../ledger/service.js';
import { formatAmount } from '../ledger/money.js';
import { ANY_ROLE, defineRoute } from '../platform/http/access.js';
import type { HttpApp } from '../platform/http/app.js';
import type { AppEnv } from '../platform/http/context.js';
import { ApiError, ErrorSchema, unwrap } from '../platform/http/errors.js';
import { keyIdempotent } from '../platform/http/idempotency.js';
import { checkCursor, pageSchema, PaginationQuery, toPage } from '../platform/http/pagination.js';
import {
  IdParam,
  jsonBody as body,
  jsonResponse as json,
  requireUser,
} from '../platform/http/route-helpers.js';
import type { MerchantAccess, Standing } from './access.js';
import { CampaignError, campaignApiError } from './errors.js';
import { RULE_KINDS, SEGMENTS, type Campaign, type Coupon } from './model.js';
import { codeQr, codesQrZip, MAX_QR_EXPORT } from './qr.js';
import type { ExternalRedemption, ExternalRedemptions } from './redemptions.js';
import {
  MAX_GENERATE,
  MAX_INLINE_GENERATE,
  type CampaignAnalytics,
  type CampaignActor,
  type CampaignsService,
  type Generation,
} from './service.js';

const READ = 'campaigns:read';
const WRITE = 'campaigns:write';

const Decimal = z.string().min(1).max(100).openapi({ example: '5.00' });
const Time = z.iso.datetime({ offset: true }).openapi({ example: '2026-04-01T00:00:00Z' });
const Id = z.string().max(64);

const CampaignBody = z.strictObject({
  merchant: z.string().max(64).optional().openapi({
    example: 'mch_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y',
    description:
      'The merchant the campaign is for, one you run campaigns of (owner, admin or developer); a merchant API key runs its own merchant’s and may leave it out',
  }),
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

/** A shop's own order reference: URL-safe, so it can name the order in a path. */
const OrderRef = z
  .string()
  .regex(/^[A-Za-z0-9._~:-]{1,100}$/)
  .openapi({ example: 'WEB-10042' });
const MerchantField = z.string().max(64).optional().openapi({
  example: 'mch_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y',
  description:
    'The merchant whose order it is, one you run campaigns of; a merchant API key acts for its own merchant and may leave it out',
});

const RedemptionBody = z.strictObject({
  merchant: MerchantField,
  code: z.string().min(1).max(60).openapi({ example: 'CRICKET25' }),
  order_id: OrderRef.openapi({ description: 'Your own order reference (unique per merchant)' }),
  customer: z.string().min(1).max(200).openapi({
    example: 'cust-5531',
    description: 'Your customer reference, or their email (compared without case)',
  }),
  currency: z
    .string()
    .regex(/^[A-Z][A-Z0-9]{1,15}$/)
    .openapi({ example: 'USD' }),
  order_total: Decimal.openapi({
    example: '80.00',
    description: 'The order’s total in the currency, before the discount',
  }),
});

const RedemptionSchema = z
  .looseObject({ id: z.string(), object: z.literal('redemption') })
  .openapi('redemption');

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
  deps: {
    campaigns: CampaignsService;
    redemptions: ExternalRedemptions;
    ledger: LedgerService;
    access: MerchantAccess;
  },
): void {
  const { campaigns, redemptions, ledger, access } = deps;
  /** Throws the refusal a standing below `need` gets: not found, a second factor, a role. */
  const check = (s: Standing, need: 'view' | 'manage', notFound: CampaignError) => {
    if (s === 'none') throw campaignApiError(notFound);
    if (s === 'totp_required') throw campaignApiError(CampaignError.TotpRequired);
    if (need === 'manage' && s !== 'manage') throw campaignApiError(CampaignError.RoleNotAllowed);
  };
  /**
   * The merchant whose campaign `campaignId` is, once the caller is found to stand high
   * enough in it; another merchant's campaign is not found (404), as if it did not exist.
   */
  const merchantFor = async (
    c: Context<AppEnv>,
    campaignId: string,
    need: 'view' | 'manage',
  ): Promise<string> => {
    const merchantId = await campaigns.merchantOf(campaignId);
    if (!merchantId) throw campaignApiError(CampaignError.CampaignNotFound);
    check(
      await access.standing(requireUser(c).userId, merchantId),
      need,
      CampaignError.CampaignNotFound,
    );
    return merchantId;
  };
  /** The caller, as the audit log records a change. */
  const actorOf = (c: Context<AppEnv>): CampaignActor => {
    const p = requireUser(c);
    return {
      id: p.userId,
      credentialId: p.credentialId,
      ip: c.get('clientIp'),
      requestId: c.get('requestId'),
    };
  };
  /** The merchant named (or the key's own), once the caller is found to stand high enough in it. */
  const namedMerchant = async (
    c: Context<AppEnv>,
    named: string | undefined,
    need: 'view' | 'manage',
  ): Promise<string> => {
    const principal = requireUser(c).userId;
    const merchantId = named ?? (await access.keyMerchant(principal));
    if (merchantId === undefined) throw campaignApiError(CampaignError.MerchantRequired);
    check(await access.standing(principal, merchantId), need, CampaignError.MerchantNotFound);
    return merchantId;
  };
  const scaleOf = async (currency: string) => (await ledger.getAsset(currency))?.scale ?? 0;
  const campaignJson = async (m: Campaign) => {
    const s = await scaleOf(m.currency);
    const money = (a: bigint | null | undefined) =>
      a === null || a === undefined ? null : formatAmount(a, s);
    return {
      id: m.id,
      object: 'campaign' as const,
      merchant_id: m.merchantId,
      created_by: m.createdBy,
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
  const redemptionJson = async (r: ExternalRedemption) => {
    const s = await scaleOf(r.currency);
    return {
      id: r.id,
      object: 'redemption' as const,
      order_id: r.orderRef,
      merchant_id: r.merchantId,
      campaign_id: r.campaignId,
      code: r.code,
      currency: r.currency,
      order_total: formatAmount(r.orderTotal, s),
      discount: formatAmount(r.discount, s),
      total_after_discount: formatAmount(r.orderTotal - r.discount, s),
      status: r.status,
      created_at: r.createdAt.toISOString(),
      redeemed_at: iso(r.redeemedAt),
      released_at: iso(r.releasedAt),
    };
  };
  /**
   * The merchant whose redemption of `orderRef` the caller acts on: the one named, a
   * key's own, or (a member naming none) the one of their merchants that has it. Another
   * merchant's is not found, as if it did not exist.
   */
  const redemptionMerchant = async (
    c: Context<AppEnv>,
    named: string | undefined,
    orderRef: string,
  ): Promise<string> => {
    const principal = requireUser(c).userId;
    const merchantId = named ?? (await access.keyMerchant(principal));
    if (merchantId !== undefined) {
      check(
        await access.standing(principal, merchantId),
        'manage',
        CampaignError.RedemptionNotFound,
      );
      return merchantId;
    }
    const found = await redemptions.find(await access.merchantsOf(principal), orderRef);
    const only = found[0];
    if (!only) throw campaignApiError(CampaignError.RedemptionNotFound);
    if (found.length > 1) throw campaignApiError(CampaignError.MerchantRequired);
    check(
      await access.standing(principal, only.merchantId),
      'manage',
      CampaignError.RedemptionNotFound,
    );
    return only.merchantId;
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
        'A schedule, a channel label, a discount rule (percentage, fixed amount or a free item; minimum spend, first order only), a target (stores, products, segment) and limits (total redemptions, budget, per customer). The campaign belongs to `merchant`: its members run it (owners, admins and developers change it, every member reads it), and its codes discount only that merchant’s stores’ goods. A merchant’s live API key runs its own merchant’s campaigns (a test key reads them).',
      access: { roles: ANY_ROLE, scope: WRITE },
      request: body(CampaignBody),
      responses: { 201: json('The campaign', CampaignSchema), ...errors },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const merchantId = await namedMerchant(c, input.merchant, 'manage');
      if ((await ledger.getAsset(input.currency)) === undefined) {
        throw campaignApiError(CampaignError.CurrencyUnknown);
      }
      const m = unwrap(
        await campaigns.create(
          merchantId,
          {
            createdBy: requireUser(c).userId,
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
          },
          actorOf(c),
        ),
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
      summary: 'Your merchants’ campaigns, newest first',
      description:
        'The campaigns of `merchant`, or of every merchant you are a member of (a merchant API key: its own merchant’s).',
      access: { roles: ANY_ROLE, scope: READ },
      request: {
        query: PaginationQuery.extend({
          merchant: z
            .string()
            .max(64)
            .optional()
            .openapi({ example: 'mch_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y' }),
        }),
      },
      responses: { 200: json('Campaigns', pageSchema(CampaignSchema)), 404: errors[404] },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const merchantIds =
        q.merchant !== undefined
          ? [await namedMerchant(c, q.merchant, 'view')]
          : await access.merchantsOf(requireUser(c).userId);
      const rows = await campaigns.list(merchantIds, {
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
      const id = c.req.valid('param').id;
      const m = await campaigns.get(await merchantFor(c, id, 'view'), id);
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
          await merchantFor(c, c.req.valid('param').id, 'manage'),
          c.req.valid('param').id,
          c.req.valid('json').status,
          actorOf(c),
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
        await campaigns.addCode(
          await merchantFor(c, c.req.valid('param').id, 'manage'),
          c.req.valid('param').id,
          {
            code: input.code,
            usageLimit: input.usage_limit,
          },
          actorOf(c),
        ),
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
      const campaignId = c.req.valid('param').id;
      const merchantId = await merchantFor(c, campaignId, 'manage');
      if (input.count > MAX_INLINE_GENERATE) {
        const g = unwrap(
          await campaigns.startGeneration(merchantId, campaignId, spec, actorOf(c)),
          campaignApiError,
        );
        return c.json(generationJson(g), 202);
      }
      const r = unwrap(
        await campaigns.generate(merchantId, campaignId, spec, actorOf(c)),
        campaignApiError,
      );
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
        await campaigns.getGeneration(await merchantFor(c, p.id, 'view'), p.id, p.generation_id),
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
        await campaigns.getCode(await merchantFor(c, p.id, 'view'), p.id, p.code),
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
        await campaigns.listCodes(await merchantFor(c, id, 'view'), id, {
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
        await campaigns.listCodes(
          await merchantFor(c, c.req.valid('param').id, 'view'),
          c.req.valid('param').id,
          {
            limit: q.limit + 1,
            ...(q.starting_after ? { startingAfter: q.starting_after } : {}),
          },
        ),
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
        await campaigns.exportCsv(
          await merchantFor(c, c.req.valid('param').id, 'view'),
          c.req.valid('param').id,
        ),
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
        await campaigns.analytics(
          await merchantFor(c, c.req.valid('param').id, 'view'),
          c.req.valid('param').id,
        ),
        campaignApiError,
      );
      return c.json(await analyticsJson(a), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/campaigns/redemptions',
      tags: ['Campaigns'],
      summary: 'Redeem a code for an order made outside the mall',
      description:
        'For a shop whose orders live elsewhere (its own web shop, a point of sale): the code’s campaign must be this merchant’s (another’s answers 404 like an unknown code). The discount is computed by the campaign’s rules for an order of `order_total` (percentage, fixed amount, minimum spend, first order only, validity window) and its limits apply as at a mall checkout (per code, per customer, total redemptions, budget). A campaign that needs the order’s lines (a store or product scope, a free item) is refused with `coupon_needs_cart`. The redemption is reserved until you confirm it (paid) or release it (cancelled). The order reference makes it idempotent: the same order again with the same code, customer, currency and total answers its redemption as it stands (200, e.g. a retry after a lost answer, with or without an Idempotency-Key), another request for that order is refused (409 `redemption_exists`).',
      access: { roles: ANY_ROLE, scope: WRITE },
      request: body(RedemptionBody),
      responses: {
        200: json('The order’s redemption, made before by the same request', RedemptionSchema),
        201: json('The redemption', RedemptionSchema),
        ...errors,
        422: json('Refused', ErrorSchema),
      },
    }),
    async (c) => {
      // Run again with the same body, the handler answers the redemption it made: its
      // batched commit needs no Idempotency-Key fence (which it could not join).
      keyIdempotent(c);
      const input = c.req.valid('json');
      const merchantId = await namedMerchant(c, input.merchant, 'manage');
      if ((await ledger.getAsset(input.currency)) === undefined) {
        throw campaignApiError(CampaignError.CurrencyUnknown);
      }
      const orderTotal = await parse(input.currency, input.order_total, 'order_total');
      const r = unwrap(
        await redemptions.redeem(
          merchantId,
          {
            code: input.code,
            orderRef: input.order_id,
            customer: input.customer,
            currency: input.currency,
            orderTotal: orderTotal ?? 0n,
          },
          actorOf(c),
        ),
        campaignApiError,
      );
      return r.created
        ? c.json(await redemptionJson(r.redemption), 201)
        : c.json(await redemptionJson(r.redemption), 200);
    },
  );

  for (const [action, summary, description] of [
    [
      'confirm',
      'The order was paid: its redemption counts as redeemed',
      'Idempotent. A released redemption cannot be confirmed (409).',
    ],
    [
      'release',
      'The order was cancelled: its redemption’s uses come back',
      'As a cancelled mall order does: the code’s, customer’s and campaign’s uses and budget are given back. Idempotent; a confirmed redemption may be released too (a refund).',
    ],
  ] as const) {
    app.openapi(
      defineRoute({
        method: 'post',
        path: `/v1/campaigns/redemptions/{order_id}/${action}`,
        tags: ['Campaigns'],
        summary,
        description,
        access: { roles: ANY_ROLE, scope: WRITE },
        request: {
          params: z.object({ order_id: OrderRef }),
          query: z.object({ merchant: MerchantField }),
        },
        responses: { 200: json('The redemption', RedemptionSchema), ...errors },
      }),
      async (c) => {
        const orderRef = c.req.valid('param').order_id;
        const merchantId = await redemptionMerchant(c, c.req.valid('query').merchant, orderRef);
        const r = unwrap(
          await redemptions[action](merchantId, orderRef, actorOf(c)),
          campaignApiError,
        );
        return c.json(await redemptionJson(r), 200);
      },
    );
  }
}
