import { parseAmount } from '../ledger/money.js';
import type { AuditLog } from '../platform/audit/audit.js';
import type { Db } from '../platform/db/db.js';
import { fail, rollback } from '../platform/failure.js';
import { newId } from '../platform/ids.js';
import { CommerceError, type CommerceFailure } from './errors.js';
import type { Product, Store, Variant } from './model.js';

export interface StoreInput {
  /** The merchant tenant the store belongs to; the caller must manage it. */
  merchantId: string;
  name: string;
  logoUrl?: string | undefined;
  colors?: Record<string, string> | undefined;
  position: { level?: number | undefined; x: number; y: number };
  taxBps?: number | undefined;
}

export interface VariantInput {
  sku: string;
  name: string;
  /** Decimal strings by currency: `{ USD: '12.50' }`. */
  prices: Record<string, string>;
  stock: number;
}

export interface ProductInput {
  name: string;
  description?: string | undefined;
  imageUrls?: string[] | undefined;
  variants: VariantInput[];
}

/** A partial update of a store: only the fields given change. */
export interface StorePatch {
  name?: string | undefined;
  logoUrl?: string | null | undefined;
  colors?: Record<string, string> | undefined;
  position?: { level?: number | undefined; x: number; y: number } | undefined;
  taxBps?: number | undefined;
  /** Moves the store to (or attaches it to) another merchant the caller manages. */
  merchantId?: string | undefined;
}

/** A partial update of a product and of its variants' names and prices. */
export interface ProductPatch {
  name?: string | undefined;
  description?: string | undefined;
  imageUrls?: string[] | undefined;
  variants?:
    | { id: string; name?: string | undefined; prices?: Record<string, string> | undefined }[]
    | undefined;
}

export interface CatalogDeps {
  db: Db;
  audit: Pick<AuditLog, 'record'>;
  scaleOf(currency: string): Promise<number | undefined>;
  /** Whether the user manages the merchant (the merchants module answers). */
  canManage(userId: string, merchantId: string): Promise<boolean>;
  clock: () => Date;
}

interface StoreRow {
  id: string;
  merchant_id: string | null;
  owner_id: string;
  name: string;
  logo_url: string | null;
  colors: Record<string, string>;
  floor_level: number;
  floor_x: number;
  floor_y: number;
  tax_bps: number;
  created_at: Date;
}

interface VariantRow {
  id: string;
  product_id: string;
  store_id: string;
  sku: string;
  name: string;
  on_hand: number;
  reserved: number;
  prices: Record<string, string> | null;
}

interface ProductRow {
  id: string;
  store_id: string;
  name: string;
  description: string;
  image_urls: string[];
  created_at: Date;
}

export const STORE_COLUMNS = `id, merchant_id, owner_id, name, logo_url, colors, floor_level, floor_x, floor_y,
  tax_bps, created_at`;

export function toStore(r: StoreRow): Store {
  return {
    id: r.id,
    merchantId: r.merchant_id,
    ownerId: r.owner_id,
    name: r.name,
    logoUrl: r.logo_url,
    colors: r.colors,
    position: { level: r.floor_level, x: r.floor_x, y: r.floor_y },
    taxBps: r.tax_bps,
    createdAt: r.created_at,
  };
}

function toVariant(r: VariantRow): Variant {
  const prices: Record<string, bigint> = {};
  for (const [c, a] of Object.entries(r.prices ?? {})) prices[c] = BigInt(a);
  return {
    id: r.id,
    productId: r.product_id,
    storeId: r.store_id,
    sku: r.sku,
    name: r.name,
    prices,
    onHand: r.on_hand,
    reserved: r.reserved,
    available: r.on_hand - r.reserved,
  };
}

const VARIANT_SELECT = `SELECT v.id, v.product_id, v.store_id, v.sku, v.name, v.on_hand, v.reserved,
    (SELECT jsonb_object_agg(p.currency, p.amount::text) FROM commerce_variant_prices p
      WHERE p.variant_id = v.id) AS prices
  FROM commerce_variants v`;

const isUniqueViolation = (err: unknown, constraint: string) =>
  typeof err === 'object' &&
  err !== null &&
  (err as { code?: string }).code === '23505' &&
  String(
    (err as { constraint?: string; message?: string }).constraint ??
      (err as { message?: string }).message,
  ).includes(constraint);

export const MAX_STOCK = 1_000_000_000;

export function createCatalog(deps: CatalogDeps) {
  const { db } = deps;

  async function parsePrices(
    prices: Record<string, string>,
  ): Promise<{ currency: string; amount: bigint }[] | CommerceFailure> {
    const out: { currency: string; amount: bigint }[] = [];
    for (const [currency, text] of Object.entries(prices)) {
      const scale = await deps.scaleOf(currency);
      if (scale === undefined) {
        return fail(CommerceError.CurrencyUnknown, { message: `Unknown currency ${currency}` });
      }
      const r = parseAmount(text, scale);
      if (!r.ok) {
        return fail(CommerceError.PriceInvalid, {
          message: `${currency} ${text}: not a non-negative amount with at most ${scale} decimals`,
          param: `prices.${currency}`,
        });
      }
      out.push({ currency, amount: r.value });
    }
    return out;
  }

  async function getStore(id: string, forUpdate = false): Promise<Store | undefined> {
    const { rows } = await db.query<StoreRow>(
      `SELECT ${STORE_COLUMNS} FROM commerce_stores WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return rows[0] ? toStore(rows[0]) : undefined;
  }

  /** Whether the user manages the store: a manager of its merchant (its opener, before it had one). */
  async function manages(userId: string, store: Store): Promise<boolean> {
    return store.merchantId === null
      ? store.ownerId === userId
      : deps.canManage(userId, store.merchantId);
  }

  /** The store, if the user manages it (else undefined: another tenant's store is not found). */
  async function ownedStore(
    userId: string,
    storeId: string,
    forUpdate = false,
  ): Promise<Store | undefined> {
    const store = await getStore(storeId, forUpdate);
    return store && (await manages(userId, store)) ? store : undefined;
  }

  async function getVariants(ids: string[]): Promise<Variant[]> {
    const { rows } = await db.query<VariantRow>(
      `${VARIANT_SELECT} WHERE v.id = ANY($1::text[]) ORDER BY v.id`,
      [ids],
    );
    return rows.map(toVariant);
  }

  async function variantsOf(productIds: string[]): Promise<Variant[]> {
    const { rows } = await db.query<VariantRow>(
      `${VARIANT_SELECT} WHERE v.product_id = ANY($1::text[]) ORDER BY v.id`,
      [productIds],
    );
    return rows.map(toVariant);
  }

  async function getProductById(id: string): Promise<Product | undefined> {
    const { rows } = await db.query<ProductRow>(
      `SELECT id, store_id, name, description, image_urls, created_at FROM commerce_products
        WHERE id = $1`,
      [id],
    );
    const row = rows[0];
    return row ? { ...toProduct(row), variants: await variantsOf([row.id]) } : undefined;
  }

  async function insertVariant(productId: string, storeId: string, v: VariantInput) {
    const prices = await parsePrices(v.prices);
    if (!Array.isArray(prices)) return prices;
    if (!Number.isInteger(v.stock) || v.stock < 0 || v.stock > MAX_STOCK) {
      return fail(CommerceError.QuantityInvalid, { param: 'stock' });
    }
    const id = newId('var');
    try {
      await db.query(
        `INSERT INTO commerce_variants (id, product_id, store_id, sku, name, on_hand)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [id, productId, storeId, v.sku, v.name, v.stock],
      );
    } catch (err) {
      if (isUniqueViolation(err, 'commerce_variants_sku')) return fail(CommerceError.SkuTaken);
      throw err;
    }
    await db.query(
      `INSERT INTO commerce_variant_prices (variant_id, currency, amount)
       SELECT $1, c, a::numeric FROM unnest($2::text[], $3::text[]) AS t(c, a)`,
      [id, prices.map((p) => p.currency), prices.map((p) => p.amount.toString())],
    );
    return id;
  }

  return {
    async createStore(userId: string, input: StoreInput): Promise<Store | CommerceFailure> {
      if (!(await deps.canManage(userId, input.merchantId))) {
        return fail(CommerceError.MerchantNotFound);
      }
      try {
        const { rows } = await db.query<StoreRow>(
          `INSERT INTO commerce_stores (id, merchant_id, owner_id, name, logo_url, colors,
                                        floor_level, floor_x, floor_y, tax_bps, created_at)
           VALUES ($1, $11, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${STORE_COLUMNS}`,
          [
            newId('sto'),
            userId,
            input.name,
            input.logoUrl ?? null,
            input.colors ?? {},
            input.position.level ?? 0,
            input.position.x,
            input.position.y,
            input.taxBps ?? 0,
            deps.clock(),
            input.merchantId,
          ],
        );
        const row = rows[0];
        if (!row) throw new Error('store insert returned nothing');
        return toStore(row);
      } catch (err) {
        if (isUniqueViolation(err, 'commerce_stores_spot')) return fail(CommerceError.SpotTaken);
        throw err;
      }
    },

    getStore: (id: string) => getStore(id),

    /**
     * The first of these ids that is not the merchant's (an unknown id is not theirs
     * either), with the campaign parameter that named it: what campaigns ask before a
     * campaign targets them.
     */
    async foreignTarget(
      merchantId: string,
      ids: { storeIds: string[]; productIds: string[]; variantIds: string[] },
    ): Promise<{ param: string; id: string } | undefined> {
      const { rows } = await db.query<{ id: string }>(
        `SELECT id FROM commerce_stores WHERE id = ANY($1::text[]) AND merchant_id = $4
         UNION ALL
         SELECT p.id FROM commerce_products p JOIN commerce_stores s ON s.id = p.store_id
          WHERE p.id = ANY($2::text[]) AND s.merchant_id = $4
         UNION ALL
         SELECT v.id FROM commerce_variants v JOIN commerce_stores s ON s.id = v.store_id
          WHERE v.id = ANY($3::text[]) AND s.merchant_id = $4`,
        [ids.storeIds, ids.productIds, ids.variantIds, merchantId],
      );
      const theirs = new Set(rows.map((r) => r.id));
      const named: [string, string[]][] = [
        ['target.store_ids', ids.storeIds],
        ['target.product_ids', ids.productIds],
        ['rule.free_variant_id', ids.variantIds],
      ];
      for (const [param, list] of named) {
        const id = list.find((x) => !theirs.has(x));
        if (id !== undefined) return { param, id };
      }
      return undefined;
    },

    /** Every store of the mall (the floor plan), or one merchant's or opener's, by id. */
    async listStores(query: {
      ownerId?: string | undefined;
      merchantId?: string | undefined;
      limit: number;
      startingAfter?: string | undefined;
    }): Promise<Store[]> {
      const { rows } = await db.query<StoreRow>(
        `SELECT ${STORE_COLUMNS} FROM commerce_stores
          WHERE ($1::text IS NULL OR owner_id = $1) AND ($2::text IS NULL OR id > $2)
            AND ($4::text IS NULL OR merchant_id = $4)
          ORDER BY id LIMIT $3`,
        [query.ownerId ?? null, query.startingAfter ?? null, query.limit, query.merchantId ?? null],
      );
      return rows.map(toStore);
    },

    /**
     * Changes the fields given, in one UPDATE of the locked row (a spot another store
     * holds is refused by the unique index, and nothing changes); audited.
     */
    updateStore(
      userId: string,
      storeId: string,
      patch: StorePatch,
    ): Promise<Store | CommerceFailure> {
      return db.attempt(async () => {
        const store = await ownedStore(userId, storeId, true);
        if (!store) return fail(CommerceError.StoreNotFound);
        if (
          patch.merchantId !== undefined &&
          patch.merchantId !== store.merchantId &&
          !(await deps.canManage(userId, patch.merchantId))
        ) {
          return fail(CommerceError.MerchantNotFound);
        }
        const next = {
          merchantId: patch.merchantId ?? store.merchantId,
          name: patch.name ?? store.name,
          logoUrl: patch.logoUrl === undefined ? store.logoUrl : patch.logoUrl,
          colors: patch.colors ?? store.colors,
          level: patch.position ? (patch.position.level ?? 0) : store.position.level,
          x: patch.position?.x ?? store.position.x,
          y: patch.position?.y ?? store.position.y,
          taxBps: patch.taxBps ?? store.taxBps,
        };
        let row: StoreRow | undefined;
        try {
          ({
            rows: [row],
          } = await db.query<StoreRow>(
            `UPDATE commerce_stores SET merchant_id = $2, name = $3, logo_url = $4, colors = $5,
                    floor_level = $6, floor_x = $7, floor_y = $8, tax_bps = $9
              WHERE id = $1 RETURNING ${STORE_COLUMNS}`,
            [
              storeId,
              next.merchantId,
              next.name,
              next.logoUrl,
              next.colors,
              next.level,
              next.x,
              next.y,
              next.taxBps,
            ],
          ));
        } catch (err) {
          if (isUniqueViolation(err, 'commerce_stores_spot')) {
            return rollback(fail(CommerceError.SpotTaken));
          }
          throw err;
        }
        if (!row) throw new Error('store update returned nothing');
        const updated = toStore(row);
        await deps.audit.record({
          action: 'commerce.store_updated',
          actorType: 'user',
          actorId: userId,
          targetType: 'store',
          targetId: storeId,
          data: { changed: changedFields(patch), merchant_id: updated.merchantId },
        });
        return updated;
      });
    },

    /**
     * Changes the product's fields given and the names and prices of the variants named
     * (each must be the product's own), in one transaction; audited.
     */
    updateProduct(
      userId: string,
      productId: string,
      patch: ProductPatch,
    ): Promise<Product | CommerceFailure> {
      return db.attempt(async () => {
        const { rows } = await db.query<ProductRow>(
          `SELECT id, store_id, name, description, image_urls, created_at FROM commerce_products
            WHERE id = $1 FOR UPDATE`,
          [productId],
        );
        const current = rows[0];
        if (!current || !(await ownedStore(userId, current.store_id))) {
          return fail(CommerceError.ProductNotFound);
        }
        await db.query(
          `UPDATE commerce_products SET name = $2, description = $3, image_urls = $4 WHERE id = $1`,
          [
            productId,
            patch.name ?? current.name,
            patch.description ?? current.description,
            patch.imageUrls ?? current.image_urls,
          ],
        );
        const own = new Set((await variantsOf([productId])).map((v) => v.id));
        for (const [i, v] of (patch.variants ?? []).entries()) {
          if (!own.has(v.id)) {
            return rollback(fail(CommerceError.VariantNotFound, { param: `variants.${i}.id` }));
          }
          if (v.name !== undefined) {
            await db.query(`UPDATE commerce_variants SET name = $2 WHERE id = $1`, [v.id, v.name]);
          }
          if (v.prices !== undefined) {
            const prices = await parsePrices(v.prices);
            if (!Array.isArray(prices)) {
              return rollback(
                fail(prices.code, {
                  message: prices.message,
                  param: `variants.${i}.${prices.param ?? 'prices'}`,
                }),
              );
            }
            // The prices given replace the variant's prices in those currencies only.
            await db.query(
              `INSERT INTO commerce_variant_prices (variant_id, currency, amount)
               SELECT $1, c, a::numeric FROM unnest($2::text[], $3::text[]) AS t(c, a)
               ON CONFLICT (variant_id, currency) DO UPDATE SET amount = EXCLUDED.amount`,
              [v.id, prices.map((p) => p.currency), prices.map((p) => p.amount.toString())],
            );
          }
        }
        await deps.audit.record({
          action: 'commerce.product_updated',
          actorType: 'user',
          actorId: userId,
          targetType: 'product',
          targetId: productId,
          data: { changed: changedFields(patch) },
        });
        const product = await getProductById(productId);
        if (!product) throw new Error('product vanished');
        return product;
      });
    },

    ownedStore,
    manages,

    /** A product with its variants, prices and stock, in one transaction. */
    createProduct(
      userId: string,
      storeId: string,
      input: ProductInput,
    ): Promise<Product | CommerceFailure> {
      return db.attempt(async () => {
        const store = await ownedStore(userId, storeId);
        if (!store) return fail(CommerceError.StoreNotFound);
        const id = newId('prd');
        const { rows } = await db.query<ProductRow>(
          `INSERT INTO commerce_products (id, store_id, name, description, image_urls, created_at)
           VALUES ($1, $2, $3, $4, $5, $6)
           RETURNING id, store_id, name, description, image_urls, created_at`,
          [id, storeId, input.name, input.description ?? '', input.imageUrls ?? [], deps.clock()],
        );
        const row = rows[0];
        if (!row) throw new Error('product insert returned nothing');
        for (const v of input.variants) {
          const r = await insertVariant(id, storeId, v);
          if (typeof r !== 'string') return rollback(r);
        }
        return { ...toProduct(row), variants: await variantsOf([id]) };
      });
    },

    async listProducts(query: {
      storeId: string;
      limit: number;
      startingAfter?: string | undefined;
    }): Promise<Product[]> {
      const { rows } = await db.query<ProductRow>(
        `SELECT id, store_id, name, description, image_urls, created_at FROM commerce_products
          WHERE store_id = $1 AND ($2::text IS NULL OR id > $2) ORDER BY id LIMIT $3`,
        [query.storeId, query.startingAfter ?? null, query.limit],
      );
      const variants = await variantsOf(rows.map((r) => r.id));
      return rows.map((r) => ({
        ...toProduct(r),
        variants: variants.filter((v) => v.productId === r.id),
      }));
    },

    getProduct: getProductById,

    getVariants,

    /**
     * Sets a variant's units on hand. Refused below what pending orders hold reserved:
     * one conditional statement, so a checkout racing it never ends up oversold.
     */
    async setStock(
      userId: string,
      variantId: string,
      onHand: number,
    ): Promise<Variant | CommerceFailure> {
      if (!Number.isInteger(onHand) || onHand < 0 || onHand > MAX_STOCK) {
        return fail(CommerceError.QuantityInvalid, { param: 'on_hand' });
      }
      const [before] = await getVariants([variantId]);
      if (!before || !(await ownedStore(userId, before.storeId))) {
        return fail(CommerceError.VariantNotFound);
      }
      const r = await db.query(
        `UPDATE commerce_variants SET on_hand = $2 WHERE id = $1 AND reserved <= $2`,
        [variantId, onHand],
      );
      const [variant] = await getVariants([variantId]);
      if (r.rowCount === 0) {
        if (!variant) return fail(CommerceError.VariantNotFound);
        return fail(CommerceError.OutOfStock, {
          message: `${variant.reserved} units are reserved by pending orders`,
          param: 'on_hand',
        });
      }
      if (!variant) throw new Error('variant vanished');
      return variant;
    },
  };
}

/** The names of the fields a patch sets, for the audit log. */
function changedFields(patch: object): string[] {
  return Object.entries(patch)
    .filter(([, v]) => v !== undefined)
    .map(([k]) => k);
}

function toProduct(r: ProductRow): Omit<Product, 'variants'> {
  return {
    id: r.id,
    storeId: r.store_id,
    name: r.name,
    description: r.description,
    imageUrls: r.image_urls,
    createdAt: r.created_at,
  };
}

export type Catalog = ReturnType<typeof createCatalog>;
