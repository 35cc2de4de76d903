import { z } from '@hono/zod-openapi';
import { PaginationQuery } from '../platform/http/pagination.js';
import { ErrorSchema } from '../platform/http/errors.js';
import { jsonResponse as json } from '../platform/http/route-helpers.js';
import { ORDER_STATUSES } from './model.js';
import { MAX_QUANTITY } from './orders.js';
import { MAX_STOCK } from './catalog.js';

/** Request and response schemas of the commerce routes. */

export const READ = 'commerce:read';
export const WRITE = 'commerce:write';

/** Header a guest sends to act on their cart and its order (the secret given at creation). */
export const CART_SECRET_HEADER = 'cart-secret';

const Currency = z
  .string()
  .regex(/^[A-Z][A-Z0-9]{1,15}$/)
  .openapi({ example: 'USD', description: 'Asset code' });
const Decimal = z
  .string()
  .min(1)
  .max(100)
  .openapi({ example: '12.50', description: 'Non-negative decimal at the currency’s scale' });
const Url = z
  .url({ protocol: /^https?$/ })
  .max(2000)
  .openapi({ example: 'https://cdn.example.com/logo.png' });
const Color = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}$/)
  .openapi({ example: '#0a7d4f' });
const Coordinate = z.number().int().min(-10_000).max(10_000);

const MerchantId = z
  .string()
  .max(64)
  .openapi({ example: 'mer_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y', description: 'A merchant you manage' });

export const StoreBody = z.strictObject({
  merchant: MerchantId,
  name: z.string().min(1).max(120).openapi({ example: 'Tea House' }),
  logo_url: Url.optional(),
  colors: z
    .record(z.string().regex(/^[a-z_]{1,20}$/), Color)
    .refine((r) => Object.keys(r).length <= 8, 'at most 8 colours')
    .optional()
    .openapi({ example: { primary: '#0a7d4f', accent: '#f2c14e' } }),
  position: z.strictObject({
    level: z.number().int().min(-10).max(100).optional(),
    x: Coordinate,
    y: Coordinate,
  }),
  tax_bps: z.number().int().min(0).max(10_000).optional().openapi({
    description: 'Tax on the discounted amount, in basis points (1800 = 18 %)',
    example: 1800,
  }),
});

/** A store's partial update: only the fields given change. */
export const StorePatchBody = z.strictObject({
  merchant: MerchantId.optional(),
  name: z.string().min(1).max(120).optional(),
  logo_url: Url.nullable().optional(),
  colors: StoreBody.shape.colors,
  position: StoreBody.shape.position.optional(),
  tax_bps: StoreBody.shape.tax_bps,
});

export const VariantBody = z.strictObject({
  sku: z.string().min(1).max(64).openapi({ example: 'BAT-SH' }),
  name: z.string().min(1).max(120).openapi({ example: 'Short handle' }),
  prices: z
    .record(Currency, Decimal)
    .refine((r) => Object.keys(r).length >= 1 && Object.keys(r).length <= 20, '1 to 20 prices')
    .openapi({ example: { USD: '49.90', EUR: '45.00' } }),
  stock: z.number().int().min(0).max(MAX_STOCK),
});

export const ProductBody = z.strictObject({
  name: z.string().min(1).max(200).openapi({ example: 'Cricket bat' }),
  description: z.string().max(5000).optional(),
  image_urls: z.array(Url).max(20).optional(),
  variants: z.array(VariantBody).min(1).max(100),
});

/** A product's partial update, and its variants' names and prices (by variant id). */
export const ProductPatchBody = z.strictObject({
  name: z.string().min(1).max(200).optional(),
  description: z.string().max(5000).optional(),
  image_urls: z.array(Url).max(20).optional(),
  variants: z
    .array(
      z.strictObject({
        id: z.string().max(64),
        name: VariantBody.shape.name.optional(),
        prices: VariantBody.shape.prices.optional(),
      }),
    )
    .max(100)
    .optional(),
});

export const StockBody = z.strictObject({ on_hand: z.number().int().min(0).max(MAX_STOCK) });

export const CartBody = z.strictObject({
  store_id: z.string().max(64).openapi({ example: 'sto_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y' }),
  currency: Currency,
});

export const ItemBody = z.strictObject({
  variant_id: z.string().max(64),
  quantity: z
    .number()
    .int()
    .min(0)
    .max(MAX_QUANTITY)
    .openapi({ description: 'Units in the cart; 0 removes the variant' }),
});

export const CouponBody = z.strictObject({
  code: z.string().min(1).max(60).nullable().openapi({ example: 'CRICKET25' }),
});

export const CheckoutBody = z.strictObject({
  email: z.email().max(320).optional().openapi({ description: 'Needed for a guest checkout' }),
});

export const CancelBody = z.strictObject({
  reason: z.string().min(1).max(500).optional(),
});

export const OrderListQuery = PaginationQuery.extend({
  merchant: z.string().max(64).optional(),
  store_id: z.string().max(64).optional(),
  status: z.enum(ORDER_STATUSES).optional(),
});

export const StoreListQuery = PaginationQuery.extend({
  owner_id: z.string().max(64).optional(),
  merchant: z.string().max(64).optional(),
});

const obj = (name: string) =>
  z.looseObject({ id: z.string(), object: z.literal(name) }).openapi(name);

export const StoreSchema = obj('store');
export const ProductSchema = obj('product');
export const VariantSchema = obj('variant');
export const CartSchema = obj('cart');
export const OrderSchema = obj('order');

export const errors = {
  400: json('Invalid request', ErrorSchema),
  404: json('Not found', ErrorSchema),
  409: json('Conflict (stock, state or limit)', ErrorSchema),
};
