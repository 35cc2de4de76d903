import { z } from '@hono/zod-openapi';
import { defineRoute } from '../../platform/http/access.js';
import type { HttpApp } from '../../platform/http/app.js';
import { unwrap } from '../../platform/http/errors.js';
import { jsonBody as body, jsonResponse as json } from '../../platform/http/route-helpers.js';
import { merchantApiError } from '../errors.js';
import { keyJson, memberJson, merchantJson } from '../json.js';
import type { MerchantsService } from '../service.js';
import {
  FeesBody,
  KeyCreate,
  KeyParam,
  KeySchema,
  MemberCreate,
  MemberParam,
  MemberSchema,
  MERCHANT_TAG,
  MerchantCreate,
  MerchantParam,
  MerchantSchema,
} from '../schemas.js';
import { actorOf, MEMBER_READ, MEMBER_WRITE } from './common.js';

const list = <T extends z.ZodType>(item: T) =>
  z.object({ object: z.literal('list'), data: z.array(item) });

/** Merchants, their members and their API keys: called by members with their own credentials. */
export function registerMerchantRoutes(
  app: HttpApp,
  deps: {
    merchants: MerchantsService;
    findUserByEmail: (email: string) => Promise<{ id: string } | undefined>;
  },
): void {
  const { directory } = deps.merchants;
  const tags = [MERCHANT_TAG];

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/merchants',
      tags,
      summary: 'Create a merchant',
      description:
        'A new merchant with you as its owner, with a live and a test mode. Owners and admins must have two-factor authentication (TOTP) on: without it every merchant route but this list answers 403 `totp_required`.',
      access: MEMBER_WRITE,
      request: body(MerchantCreate),
      responses: { 201: json('The merchant', MerchantSchema) },
    }),
    async (c) => {
      const m = unwrap(await directory.create(actorOf(c), c.req.valid('json')), merchantApiError);
      return c.json(merchantJson(m, 'owner'), 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/merchants',
      tags,
      summary: 'Your merchants',
      description: 'The merchants you are a member of, with your role in each.',
      access: MEMBER_READ,
      responses: { 200: json('Merchants', list(MerchantSchema)) },
    }),
    async (c) => {
      const all = await directory.listForMember(actorOf(c).userId);
      return c.json(
        { object: 'list' as const, data: all.map((m) => merchantJson(m.merchant, m.role)) },
        200,
      );
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/merchants/{merchant}',
      tags,
      summary: 'A merchant',
      access: MEMBER_READ,
      request: { params: MerchantParam },
      responses: { 200: json('The merchant', MerchantSchema) },
    }),
    async (c) => {
      const { merchant } = c.req.valid('param');
      const m = unwrap(await directory.getForMember(actorOf(c).userId, merchant), merchantApiError);
      return c.json(merchantJson(m.merchant, m.role), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'patch',
      path: '/v1/merchants/{merchant}',
      tags,
      summary: 'Rename a merchant',
      description: 'Owners and admins.',
      access: MEMBER_WRITE,
      request: { params: MerchantParam, ...body(MerchantCreate) },
      responses: { 200: json('The merchant', MerchantSchema) },
    }),
    async (c) => {
      const { merchant } = c.req.valid('param');
      const m = unwrap(
        await directory.rename(actorOf(c), merchant, c.req.valid('json').name),
        merchantApiError,
      );
      return c.json(merchantJson(m), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'put',
      path: '/v1/merchants/{merchant}/fees',
      tags: ['Merchant administration'],
      summary: "Set a merchant's fees",
      description:
        'Platform staff: basis points of each payment plus a fixed amount per pricing currency, booked to the platform revenue (fees) account.',
      access: { roles: ['operator', 'admin'], scope: 'merchant_fees:write' },
      request: { params: MerchantParam, ...body(FeesBody) },
      responses: { 200: json('The merchant', MerchantSchema) },
    }),
    async (c) => {
      const { merchant } = c.req.valid('param');
      const m = unwrap(
        await deps.merchants.setFees(actorOf(c), merchant, c.req.valid('json')),
        merchantApiError,
      );
      return c.json(merchantJson(m), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/merchants/{merchant}/members',
      tags,
      summary: "A merchant's members",
      access: MEMBER_READ,
      request: { params: MerchantParam },
      responses: { 200: json('Members', list(MemberSchema)) },
    }),
    async (c) => {
      const { merchant } = c.req.valid('param');
      const all = unwrap(await directory.listMembers(actorOf(c), merchant), merchantApiError);
      return c.json({ object: 'list' as const, data: all.map(memberJson) }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/merchants/{merchant}/members',
      tags,
      summary: 'Add a member',
      description: 'Owners and admins add a platform user by email; only owners make owners.',
      access: MEMBER_WRITE,
      request: { params: MerchantParam, ...body(MemberCreate) },
      responses: { 201: json('The member', MemberSchema) },
    }),
    async (c) => {
      const { merchant } = c.req.valid('param');
      const input = c.req.valid('json');
      const actor = actorOf(c);
      // Membership first, so a stranger learns nothing about which emails exist.
      unwrap(await directory.getForMember(actor.userId, merchant), merchantApiError);
      const user = await deps.findUserByEmail(input.email);
      const m = unwrap(
        await directory.addMember(actor, merchant, { userId: user?.id, role: input.role }),
        merchantApiError,
      );
      return c.json(memberJson(m), 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/v1/merchants/{merchant}/members/{user}',
      tags,
      summary: 'Remove a member',
      description: 'Owners and admins; a merchant keeps at least one owner.',
      access: MEMBER_WRITE,
      request: { params: MemberParam },
      responses: { 204: { description: 'Removed' } },
    }),
    async (c) => {
      const { merchant, user } = c.req.valid('param');
      unwrap(await directory.removeMember(actorOf(c), merchant, user), merchantApiError);
      return c.body(null, 204);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/merchants/{merchant}/api_keys',
      tags,
      summary: "A merchant's API keys",
      access: MEMBER_READ,
      request: { params: MerchantParam },
      responses: { 200: json('Keys', list(KeySchema)) },
    }),
    async (c) => {
      const { merchant } = c.req.valid('param');
      const all = unwrap(await directory.listKeys(actorOf(c), merchant), merchantApiError);
      return c.json({ object: 'list' as const, data: all.map(keyJson) }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/merchants/{merchant}/api_keys',
      tags,
      summary: 'Create a merchant API key',
      description:
        'A secret key for one mode (`mk_live_…` or `mk_test_…`), shown once. Test keys: owners, admins and developers; live keys: owners and admins.',
      access: MEMBER_WRITE,
      request: { params: MerchantParam, ...body(KeyCreate) },
      responses: {
        201: json('The key and its token', KeySchema.extend({ token: z.string() })),
      },
    }),
    async (c) => {
      const { merchant } = c.req.valid('param');
      const r = unwrap(
        await directory.createKey(actorOf(c), merchant, c.req.valid('json')),
        merchantApiError,
      );
      const view = keyJson(r.key);
      c.set('idempotencyStoredBody', JSON.stringify({ ...view, token: null }));
      return c.json({ ...view, token: r.token }, 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/v1/merchants/{merchant}/api_keys/{key}',
      tags,
      summary: 'Revoke a merchant API key',
      access: MEMBER_WRITE,
      request: { params: KeyParam },
      responses: { 200: json('The revoked key', KeySchema) },
    }),
    async (c) => {
      const { merchant, key } = c.req.valid('param');
      const k = unwrap(await directory.revokeKey(actorOf(c), merchant, key), merchantApiError);
      return c.json(keyJson(k), 200);
    },
  );
}
