import { ANY_ROLE, defineRoute } from '../../platform/http/access.js';
import type { HttpApp } from '../../platform/http/app.js';
import { unwrap } from '../../platform/http/errors.js';
import {
  checkCursor,
  pageSchema,
  PaginationQuery,
  toPage,
} from '../../platform/http/pagination.js';
import {
  IdParam,
  jsonBody as body,
  jsonResponse as json,
  requireUser,
} from '../../platform/http/route-helpers.js';
import { CommerceError, commerceApiError } from '../errors.js';
import { productJson, storeJson, variantJson } from '../json.js';
import {
  errors,
  ProductBody,
  ProductPatchBody,
  ProductSchema,
  StockBody,
  StoreBody,
  StoreListQuery,
  StorePatchBody,
  StoreSchema,
  VariantSchema,
  WRITE,
} from '../schemas.js';
import type { CommerceService } from '../service.js';

/** Stores of the mall, their products and variants, and stock. */
export function registerStoreRoutes(app: HttpApp, commerce: CommerceService): void {
  const { catalog } = commerce;

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/stores',
      tags: ['Commerce'],
      summary: 'Open a store in the mall',
      description:
        'The store belongs to `merchant`, a merchant you manage (owner, admin or developer): its members manage the store, and its orders are paid through the merchant’s invoices. Its position is a cell of the mall’s floor plan (level, x, y) that no other store holds.',
      access: { roles: ANY_ROLE, scope: WRITE },
      request: body(StoreBody),
      responses: { 201: json('The store', StoreSchema), ...errors },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const store = unwrap(
        await catalog.createStore(requireUser(c).userId, {
          merchantId: input.merchant,
          name: input.name,
          logoUrl: input.logo_url,
          colors: input.colors,
          position: input.position,
          taxBps: input.tax_bps,
        }),
        commerceApiError,
      );
      return c.json(storeJson(store), 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/stores',
      tags: ['Commerce'],
      summary: 'The stores of the mall (its floor plan)',
      access: { public: true },
      request: { query: StoreListQuery },
      responses: { 200: json('Stores', pageSchema(StoreSchema)) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const rows = await catalog.listStores({
        ownerId: q.owner_id,
        merchantId: q.merchant,
        limit: q.limit + 1,
        startingAfter: checkCursor(q.starting_after, 'sto'),
      });
      return c.json(toPage(rows, q.limit, storeJson), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/stores/{id}',
      tags: ['Commerce'],
      summary: 'One store',
      access: { public: true },
      request: { params: IdParam('sto_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y') },
      responses: { 200: json('The store', StoreSchema), 404: errors[404] },
    }),
    async (c) => {
      const store = await catalog.getStore(c.req.valid('param').id);
      if (!store) throw commerceApiError(CommerceError.StoreNotFound);
      return c.json(storeJson(store), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'patch',
      path: '/v1/stores/{id}',
      tags: ['Commerce'],
      summary: 'Change one of your stores (only the fields given)',
      description:
        'A manager of the store’s merchant changes its name, logo, colours, spot on the floor plan or tax; `merchant` moves it to another merchant they manage (a store opened before stores had merchants is attached this way). A spot another store holds is refused (409) and nothing changes. Every change is audited.',
      access: { roles: ANY_ROLE, scope: WRITE },
      request: { params: IdParam('sto_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y'), ...body(StorePatchBody) },
      responses: { 200: json('The store', StoreSchema), ...errors },
    }),
    async (c) => {
      const input = c.req.valid('json');
      if (Object.keys(input).length === 0) {
        throw commerceApiError(CommerceError.NothingToUpdate);
      }
      const store = unwrap(
        await catalog.updateStore(requireUser(c).userId, c.req.valid('param').id, {
          merchantId: input.merchant,
          name: input.name,
          logoUrl: input.logo_url,
          colors: input.colors,
          position: input.position,
          taxBps: input.tax_bps,
        }),
        commerceApiError,
      );
      return c.json(storeJson(store), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'patch',
      path: '/v1/products/{id}',
      tags: ['Commerce'],
      summary: 'Change one of your products (only the fields given)',
      description:
        'Changes the name, description or images, and the names and prices of the variants listed by id (a price given replaces that currency’s price; the others stay). Stock is set with `POST /v1/variants/{id}/stock`. All of it applies, or nothing. Every change is audited.',
      access: { roles: ANY_ROLE, scope: WRITE },
      request: { params: IdParam('prd_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y'), ...body(ProductPatchBody) },
      responses: { 200: json('The product', ProductSchema), ...errors },
    }),
    async (c) => {
      const input = c.req.valid('json');
      if (Object.keys(input).length === 0) {
        throw commerceApiError(CommerceError.NothingToUpdate);
      }
      const product = unwrap(
        await catalog.updateProduct(requireUser(c).userId, c.req.valid('param').id, {
          name: input.name,
          description: input.description,
          imageUrls: input.image_urls,
          variants: input.variants,
        }),
        commerceApiError,
      );
      return c.json(productJson(product, await commerce.scales()), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/stores/{id}/products',
      tags: ['Commerce'],
      summary: 'Add a product, with its variants, prices and stock, to your store',
      access: { roles: ANY_ROLE, scope: WRITE },
      request: { params: IdParam('sto_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y'), ...body(ProductBody) },
      responses: { 201: json('The product', ProductSchema), ...errors },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const product = unwrap(
        await catalog.createProduct(requireUser(c).userId, c.req.valid('param').id, {
          name: input.name,
          description: input.description,
          imageUrls: input.image_urls,
          variants: input.variants,
        }),
        commerceApiError,
      );
      return c.json(productJson(product, await commerce.scales()), 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/stores/{id}/products',
      tags: ['Commerce'],
      summary: 'A store’s products, with variants, prices and what is left in stock',
      access: { public: true },
      request: { params: IdParam('sto_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y'), query: PaginationQuery },
      responses: { 200: json('Products', pageSchema(ProductSchema)) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const rows = await catalog.listProducts({
        storeId: c.req.valid('param').id,
        limit: q.limit + 1,
        startingAfter: checkCursor(q.starting_after, 'prd'),
      });
      const scale = await commerce.scales();
      return c.json(
        toPage(rows, q.limit, (p) => productJson(p, scale)),
        200,
      );
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/products/{id}',
      tags: ['Commerce'],
      summary: 'One product',
      access: { public: true },
      request: { params: IdParam('prd_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y') },
      responses: { 200: json('The product', ProductSchema), 404: errors[404] },
    }),
    async (c) => {
      const product = await catalog.getProduct(c.req.valid('param').id);
      if (!product) throw commerceApiError(CommerceError.ProductNotFound);
      return c.json(productJson(product, await commerce.scales()), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/variants/{id}/stock',
      tags: ['Commerce'],
      summary: 'Set the units on hand of one of your variants',
      description:
        'Refused (409 out_of_stock) below the units pending orders hold reserved, so a racing checkout is never oversold.',
      access: { roles: ANY_ROLE, scope: WRITE },
      request: { params: IdParam('var_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y'), ...body(StockBody) },
      responses: { 200: json('The variant', VariantSchema), ...errors },
    }),
    async (c) => {
      const variant = unwrap(
        await catalog.setStock(
          requireUser(c).userId,
          c.req.valid('param').id,
          c.req.valid('json').on_hand,
        ),
        commerceApiError,
      );
      return c.json(variantJson(variant, await commerce.scales()), 200);
    },
  );
}
