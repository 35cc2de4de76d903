import { z } from '@hono/zod-openapi';
import { formatAmount } from '../../ledger/money.js';
import { defineRoute } from '../../platform/http/access.js';
import type { HttpApp } from '../../platform/http/app.js';
import { unwrap } from '../../platform/http/errors.js';
import { PaginationQuery, pageSchema, toPage } from '../../platform/http/pagination.js';
import { jsonBody as body, jsonResponse as json } from '../../platform/http/route-helpers.js';
import { MerchantError, merchantApiError } from '../errors.js';
import type { BankPayout, PayoutSchedule } from '../payouts/payouts.js';
import type { MerchantsService } from '../service.js';
import { Amount, AssetCode, MERCHANT_TAG } from '../schemas.js';
import { accountOf, actorOf, keyAccess } from './common.js';

const BankPayoutParam = z.object({
  bank_payout: z
    .string()
    .max(64)
    .openapi({ param: { name: 'bank_payout', in: 'path' }, example: 'po_01J…' }),
});

const STATUSES = [
  'pending_approval',
  'in_transit',
  'paid',
  'failed',
  'rejected',
  'canceled',
] as const;

const BankPayoutSchema = z
  .object({
    object: z.literal('bank_payout'),
    id: z.string(),
    livemode: z.boolean(),
    merchant_id: z.string(),
    asset: z.string(),
    amount: z.string(),
    destination: z.string(),
    description: z.string().nullable(),
    status: z.enum(STATUSES).openapi({
      description:
        'pending_approval (an operator decides; the amount is already taken from the balance), in_transit (at the payout rail), paid, failed / rejected / canceled (the amount is back in the balance)',
    }),
    scheduled: z.boolean(),
    rail: z.string().nullable(),
    rail_reference: z.string().nullable(),
    approved_by: z.string().nullable(),
    approved_at: z.string().nullable(),
    failure_reason: z.string().nullable(),
    created_at: z.string(),
    finished_at: z.string().nullable(),
  })
  .openapi('BankPayout');

const ScheduleSchema = z
  .object({
    object: z.literal('payout_schedule'),
    asset: z.string(),
    enabled: z.boolean(),
    period: z.enum(['daily', 'weekly']),
    weekday: z.number().int().nullable(),
    minimum: z.string(),
    destination: z.string(),
    next_run_at: z.string(),
    last_run_at: z.string().nullable(),
  })
  .openapi('PayoutSchedule');

const payoutJson = (p: BankPayout) => ({
  object: 'bank_payout' as const,
  id: p.id,
  livemode: p.livemode,
  merchant_id: p.merchantId,
  asset: p.asset,
  amount: formatAmount(p.amount, p.scale, { trim: true }),
  destination: p.destination,
  description: p.description,
  status: p.status,
  scheduled: p.scheduled,
  rail: p.rail,
  rail_reference: p.railReference,
  approved_by: p.approvedBy,
  approved_at: p.approvedAt?.toISOString() ?? null,
  failure_reason: p.failureReason,
  created_at: p.createdAt.toISOString(),
  finished_at: p.finishedAt?.toISOString() ?? null,
});

const scheduleJson = (s: PayoutSchedule) => ({
  object: 'payout_schedule' as const,
  asset: s.asset,
  enabled: s.enabled,
  period: s.period,
  weekday: s.weekday,
  minimum: formatAmount(s.minimum, s.scale, { trim: true }),
  destination: s.destination,
  next_run_at: s.nextRunAt.toISOString(),
  last_run_at: s.lastRunAt?.toISOString() ?? null,
});

const Destination = z.string().min(1).max(100).openapi({
  example: 'DE89370400440532013000',
  description: 'The bank account at the payout rail (an IBAN or the rail’s account reference)',
});

/**
 * Bank payouts of the merchant balance (fiat assets) through the payout rail, payout
 * schedules, and the operators' approval of payouts above the limit.
 */
export function registerBankPayoutRoutes(
  app: HttpApp,
  deps: { merchants: MerchantsService },
): void {
  const { merchants } = deps;
  const payouts = merchants.payouts;
  const tags = [MERCHANT_TAG];

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/bank_payouts',
      tags,
      summary: 'Pay out the merchant balance to a bank account',
      description:
        'Takes `amount` of a fiat `asset` from the balance at once (refused with 402 `payout_exceeds_balance` when the available balance does not cover it) and pays it to `destination` through the payout rail of the key’s mode. Above the approval limit it waits for a platform operator. Follow it with `payout.*` events.',
      access: keyAccess('payouts:write'),
      request: body(
        z.strictObject({
          asset: AssetCode,
          amount: Amount,
          destination: Destination,
          description: z.string().max(200).optional(),
        }),
      ),
      responses: { 201: json('The payout', BankPayoutSchema) },
    }),
    async (c) => {
      const account = await accountOf(c, merchants);
      const p = unwrap(
        await payouts.create(actorOf(c), account, c.req.valid('json')),
        merchantApiError,
      );
      return c.json(payoutJson(p), 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/bank_payouts',
      tags,
      summary: 'List bank payouts',
      access: keyAccess('payouts:read'),
      request: {
        query: PaginationQuery.extend({ status: z.enum(STATUSES).optional() }),
      },
      responses: { 200: json('Bank payouts', pageSchema(BankPayoutSchema)) },
    }),
    async (c) => {
      const account = await accountOf(c, merchants);
      const q = c.req.valid('query');
      const rows = await payouts.list(account.id, {
        limit: q.limit + 1,
        startingAfter: q.starting_after,
        status: q.status,
      });
      return c.json(toPage(rows, q.limit, payoutJson), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/bank_payouts/{bank_payout}',
      tags,
      summary: 'A bank payout',
      access: keyAccess('payouts:read'),
      request: { params: BankPayoutParam },
      responses: { 200: json('The payout', BankPayoutSchema) },
    }),
    async (c) => {
      const account = await accountOf(c, merchants);
      const p = await payouts.get(account.id, c.req.valid('param').bank_payout);
      if (!p) throw merchantApiError(MerchantError.PayoutNotFound, { param: 'bank_payout' });
      return c.json(payoutJson(p), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/bank_payouts/{bank_payout}/cancel',
      tags,
      summary: 'Cancel a bank payout waiting for approval',
      description: 'Its amount goes back to the balance.',
      access: keyAccess('payouts:write'),
      request: { params: BankPayoutParam, ...body(z.strictObject({})) },
      responses: { 200: json('The payout, canceled', BankPayoutSchema) },
    }),
    async (c) => {
      const account = await accountOf(c, merchants);
      const p = unwrap(
        await payouts.cancel(actorOf(c), account.id, c.req.valid('param').bank_payout),
        merchantApiError,
      );
      return c.json(payoutJson(p), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/payout_schedules',
      tags,
      summary: 'Payout schedules',
      access: keyAccess('payouts:read'),
      responses: {
        200: json(
          'The schedules, one per asset',
          z.object({ object: z.literal('list'), data: z.array(ScheduleSchema) }),
        ),
      },
    }),
    async (c) => {
      const account = await accountOf(c, merchants);
      const all = await payouts.schedules(account.id);
      return c.json({ object: 'list' as const, data: all.map(scheduleJson) }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'put',
      path: '/v1/payout_schedules',
      tags,
      summary: 'Set the payout schedule of an asset',
      description:
        'Each period (daily at 00:00 UTC, or weekly on `weekday`, 1 = Monday) the whole available balance of `asset` is paid out to `destination` as a bank payout, if it reaches `minimum`. `enabled: false` stops it.',
      access: keyAccess('payouts:write'),
      request: body(
        z.strictObject({
          asset: AssetCode,
          enabled: z.boolean().default(true),
          period: z.enum(['daily', 'weekly']),
          weekday: z.number().int().min(1).max(7).optional(),
          minimum: Amount,
          destination: Destination,
        }),
      ),
      responses: { 200: json('The schedule', ScheduleSchema) },
    }),
    async (c) => {
      const account = await accountOf(c, merchants);
      const s = unwrap(
        await payouts.setSchedule(actorOf(c), account, c.req.valid('json')),
        merchantApiError,
      );
      return c.json(scheduleJson(s), 200);
    },
  );

  const staff = { roles: ['operator', 'admin'] as const, scope: 'merchant_payout_approvals:write' };
  const adminTags = ['Merchant administration'];

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/admin/bank_payouts',
      tags: adminTags,
      summary: 'Bank payouts waiting for approval',
      description: 'Platform operators: oldest first.',
      access: staff,
      request: { query: PaginationQuery },
      responses: { 200: json('Bank payouts', pageSchema(BankPayoutSchema)) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const rows = await payouts.listPendingApproval({
        limit: q.limit + 1,
        startingAfter: q.starting_after,
      });
      return c.json(toPage(rows, q.limit, payoutJson), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/admin/bank_payouts/{bank_payout}/approve',
      tags: adminTags,
      summary: 'Approve a bank payout',
      description:
        'Platform operators with TOTP on, who are not members of the merchant: the payout goes to the rail. Audited.',
      access: staff,
      request: { params: BankPayoutParam, ...body(z.strictObject({})) },
      responses: { 200: json('The payout, in transit', BankPayoutSchema) },
    }),
    async (c) => {
      const p = unwrap(
        await payouts.approve(actorOf(c), c.req.valid('param').bank_payout),
        merchantApiError,
      );
      return c.json(payoutJson(p), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/admin/bank_payouts/{bank_payout}/reject',
      tags: adminTags,
      summary: 'Reject a bank payout',
      description:
        'Platform operators with TOTP on, who are not members of the merchant: the amount goes back to the balance. Audited.',
      access: staff,
      request: {
        params: BankPayoutParam,
        ...body(z.strictObject({ reason: z.string().min(1).max(500) })),
      },
      responses: { 200: json('The payout, rejected', BankPayoutSchema) },
    }),
    async (c) => {
      const p = unwrap(
        await payouts.reject(
          actorOf(c),
          c.req.valid('param').bank_payout,
          c.req.valid('json').reason,
        ),
        merchantApiError,
      );
      return c.json(payoutJson(p), 200);
    },
  );
}
