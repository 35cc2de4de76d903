import { campaignApiError, CampaignError } from '../../campaigns/errors.js';
import { ANY_ROLE, defineRoute } from '../../platform/http/access.js';
import type { HttpApp } from '../../platform/http/app.js';
import { unwrap } from '../../platform/http/errors.js';
import { checkCursor, pageSchema, toPage } from '../../platform/http/pagination.js';
import type { Failure } from '../../platform/failure.js';
import {
  IdParam,
  jsonBody as body,
  jsonResponse as json,
  requireUser,
} from '../../platform/http/route-helpers.js';
import { CommerceError, commerceApiError } from '../errors.js';
import { cartJson, orderJson } from '../json.js';
import type { CartView } from '../orders.js';
import {
  CancelBody,
  CartBody,
  CartSchema,
  CheckoutBody,
  CouponBody,
  errors,
  ItemBody,
  OrderListQuery,
  OrderSchema,
  READ,
  WRITE,
} from '../schemas.js';
import type { CommerceService } from '../service.js';
import { accessOf } from './common.js';

const COMMERCE_CODES = new Map<string, CommerceError>(
  Object.values(CommerceError).map((c) => [c, c]),
);
const CAMPAIGN_CODES = new Map<string, CampaignError>(
  Object.values(CampaignError).map((c) => [c, c]),
);

/** A refusal of commerce or of the coupon's campaign, as its module's typed error. */
function check<T>(r: T | Failure): Exclude<T, Failure> {
  return unwrap(r, (code, detail) => {
    const mine = COMMERCE_CODES.get(code);
    if (mine) return commerceApiError(mine, detail);
    const coupon = CAMPAIGN_CODES.get(code);
    if (coupon) return campaignApiError(coupon, detail);
    throw new Error(`refusal ${code} has no error catalog`);
  });
}

const CART_HEADER_NOTE =
  'A guest sends the cart’s secret (given once when the cart is made) in the `Cart-Secret` header; a logged-in customer’s own cart needs none.';

/** Guest and logged-in carts, checkout, and orders for buyers and merchants. */
export function registerCartRoutes(app: HttpApp, commerce: CommerceService): void {
  const { orders } = commerce;
  const view = async (v: CartView) =>
    cartJson(v.cart, v.totals, v.couponProblem, await commerce.scales());
  const order = async (o: Parameters<typeof orderJson>[0]) => orderJson(o, await commerce.scales());
  const cartParam = { params: IdParam('cart_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y') };
  const orderParam = { params: IdParam('ord_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y') };

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/carts',
      tags: ['Commerce'],
      summary: 'Start a cart in a store',
      description:
        'With a session or API key the cart is yours. Without, it is a guest cart: the answer carries its `secret` once; send it as `Cart-Secret` on every later call.',
      access: { public: true },
      request: body(CartBody),
      responses: { 201: json('The cart (and a guest’s secret)', CartSchema), ...errors },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const made = check(
        await orders.createCart({
          storeId: input.store_id,
          currency: input.currency,
          userId: accessOf(c).userId,
        }),
      );
      const v = check(
        await orders.getCart(made.cart.id, {
          userId: made.cart.ownerId ?? undefined,
          secret: made.secret ?? undefined,
        }),
      );
      return c.json({ ...(await view(v)), secret: made.secret }, 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/carts/{id}',
      tags: ['Commerce'],
      summary: 'A cart with its totals (discount and tax included)',
      description: CART_HEADER_NOTE,
      access: { public: true },
      request: cartParam,
      responses: { 200: json('The cart', CartSchema), ...errors },
    }),
    async (c) =>
      c.json(await view(check(await orders.getCart(c.req.valid('param').id, accessOf(c)))), 200),
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/carts/{id}/items',
      tags: ['Commerce'],
      summary: 'Set how many units of a variant the cart holds (0 removes it)',
      description: CART_HEADER_NOTE,
      access: { public: true },
      request: { ...cartParam, ...body(ItemBody) },
      responses: { 200: json('The cart', CartSchema), ...errors },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const v = check(
        await orders.setItem(
          c.req.valid('param').id,
          accessOf(c),
          input.variant_id,
          input.quantity,
        ),
      );
      return c.json(await view(v), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/carts/{id}/coupon',
      tags: ['Commerce'],
      summary: 'Apply a coupon code to the cart (null removes it)',
      description: `Refused with the coupon’s reason (expired, exhausted, for another store, minimum spend…) when it does not apply now; the cart is then unchanged. ${CART_HEADER_NOTE}`,
      access: { public: true },
      request: { ...cartParam, ...body(CouponBody) },
      responses: {
        200: json('The cart', CartSchema),
        422: json('The coupon does not apply', errors[400].content['application/json'].schema),
        ...errors,
      },
    }),
    async (c) => {
      const v = check(
        await orders.applyCoupon(c.req.valid('param').id, accessOf(c), c.req.valid('json').code),
      );
      return c.json(await view(v), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/carts/{id}/checkout',
      tags: ['Commerce'],
      summary: 'Check out: a pending order with its units and coupon reserved',
      description: `The order holds its units until it is paid or expires (\`VW_COMMERCE_RESERVATION_TTL_SECONDS\`). Refused with 409 \`out_of_stock\` (nothing reserved) when fewer units are left, or with the coupon’s reason. A cart checks out once. ${CART_HEADER_NOTE}`,
      access: { public: true },
      request: { ...cartParam, ...body(CheckoutBody) },
      responses: { 201: json('The order', OrderSchema), ...errors },
    }),
    async (c) => {
      const o = check(
        await orders.checkout(c.req.valid('param').id, accessOf(c), {
          email: c.req.valid('json').email,
        }),
      );
      return c.json(await order(o), 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/orders',
      tags: ['Commerce'],
      summary: 'Your orders as a buyer, newest first',
      access: { roles: ANY_ROLE, scope: READ },
      request: { query: OrderListQuery.pick({ limit: true, starting_after: true }) },
      responses: { 200: json('Orders', pageSchema(OrderSchema)) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const rows = await orders.listForBuyer(requireUser(c).userId, {
        limit: q.limit + 1,
        startingAfter: checkCursor(q.starting_after, 'ord'),
      });
      const scale = await commerce.scales();
      return c.json(
        toPage(rows, q.limit, (o) => orderJson(o, scale)),
        200,
      );
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/merchant/orders',
      tags: ['Commerce'],
      summary: 'Orders of your merchants’ stores, newest first',
      description:
        'The orders of every merchant you are a member of. Filter by `merchant`, `store_id` and `status` (pending, paid, fulfilled, cancelled, refunded).',
      access: { roles: ANY_ROLE, scope: READ },
      request: { query: OrderListQuery },
      responses: { 200: json('Orders', pageSchema(OrderSchema)) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const rows = await orders.listForMerchant(requireUser(c).userId, {
        merchantId: q.merchant,
        storeId: q.store_id,
        status: q.status,
        limit: q.limit + 1,
        startingAfter: checkCursor(q.starting_after, 'ord'),
      });
      const scale = await commerce.scales();
      return c.json(
        toPage(rows, q.limit, (o) => orderJson(o, scale)),
        200,
      );
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/orders/{id}',
      tags: ['Commerce'],
      summary: 'One order (its buyer, its merchant, or the guest holding its cart’s secret)',
      access: { public: true },
      request: orderParam,
      responses: { 200: json('The order', OrderSchema), 404: errors[404] },
    }),
    async (c) => {
      const o = await orders.orderFor(c.req.valid('param').id, accessOf(c));
      if (!o) throw commerceApiError(CommerceError.OrderNotFound);
      return c.json(await order(o), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/orders/{id}/pay',
      tags: ['Commerce'],
      summary: 'Pay a pending order from your wallet',
      description:
        'Pays the order’s merchant invoice in full from your wallet balance (wallet limits apply); the paid invoice marks the order paid and takes its units out of stock. The same invoice can be paid on its hosted checkout page (`/pay/{invoice_id}`). A guest order is paid by a logged-in customer holding its cart’s secret, who becomes its buyer. Paying a paid order again answers it.',
      access: { roles: ANY_ROLE, scope: WRITE },
      request: orderParam,
      responses: {
        200: json('The paid order', OrderSchema),
        402: json('The payment was refused', errors[400].content['application/json'].schema),
        ...errors,
      },
    }),
    async (c) => {
      const o = check(
        await orders.pay(c.req.valid('param').id, {
          ...accessOf(c),
          userId: requireUser(c).userId,
        }),
      );
      return c.json(await order(o), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/orders/{id}/cancel',
      tags: ['Commerce'],
      summary: 'Cancel a pending order: its units and coupon use are released',
      access: { public: true },
      request: { ...orderParam, ...body(CancelBody) },
      responses: { 200: json('The cancelled order', OrderSchema), ...errors },
    }),
    async (c) => {
      const o = check(
        await orders.cancel(
          c.req.valid('param').id,
          accessOf(c),
          c.req.valid('json').reason ?? 'cancelled',
        ),
      );
      return c.json(await order(o), 200);
    },
  );

  for (const action of ['fulfil', 'refund'] as const) {
    app.openapi(
      defineRoute({
        method: 'post',
        path: `/v1/orders/{id}/${action}`,
        tags: ['Commerce'],
        summary:
          action === 'fulfil'
            ? 'Mark one of your stores’ paid orders fulfilled'
            : 'Refund one of your stores’ paid orders: each payment to its invoice is refunded in full (through the merchant’s refunds); its coupon use comes back',
        access: { roles: ANY_ROLE, scope: WRITE },
        request: orderParam,
        responses: { 200: json('The order', OrderSchema), ...errors },
      }),
      async (c) => {
        const id = c.req.valid('param').id;
        const userId = requireUser(c).userId;
        const o = check(
          action === 'fulfil' ? await orders.fulfil(userId, id) : await orders.refund(userId, id),
        );
        return c.json(await order(o), 200);
      },
    );
  }
}
