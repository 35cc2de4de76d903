import { createHash, randomBytes } from 'node:crypto';
import { CampaignError } from '../campaigns/errors.js';
import type { CampaignsService } from '../campaigns/service.js';
import type { RuleLine } from '../campaigns/model.js';
import type { Db } from '../platform/db/db.js';
import { fail, isFailure, rollback, type Failure } from '../platform/failure.js';
import { newId } from '../platform/ids.js';
import type { Outbox } from '../platform/outbox/outbox.js';
import type { Catalog } from './catalog.js';
import { CommerceError, type CommerceFailure } from './errors.js';
import type { CommerceEventType } from './events.js';
import type { Cart, CartItem, Order, OrderLine, OrderStatus, Store } from './model.js';
import type { OrderPayments } from './payments.js';
import { computeTotals, type Totals } from './pricing.js';

/** Most units of one variant in a cart. */
export const MAX_QUANTITY = 10_000;

/** Who acts on a cart: its logged-in owner, or whoever holds its secret (a guest). */
export interface CartAccess {
  userId?: string | undefined;
  secret?: string | undefined;
}

export interface CartView {
  cart: Cart;
  totals: Totals;
  /** Why the cart's coupon does not apply now (it is kept, and checked again at checkout). */
  couponProblem: Failure | null;
}

export interface OrdersDeps {
  db: Db;
  outbox: Outbox;
  catalog: Catalog;
  campaigns: CampaignsService;
  payments: OrderPayments;
  /** JSON of an order, the payload of its events. */
  orderJson(order: Order): Promise<Record<string, unknown>>;
  reservationTtlMs: number;
  clock: () => Date;
}

interface CartRow {
  id: string;
  store_id: string;
  owner_id: string | null;
  secret_hash: string | null;
  currency: string;
  coupon_code: string | null;
  created_at: Date;
}

interface OrderRow {
  id: string;
  cart_id: string;
  store_id: string;
  merchant_id: string;
  merchant_account_id: string | null;
  buyer_id: string | null;
  guest_email: string | null;
  currency: string;
  status: OrderStatus;
  subtotal: string;
  discount: string;
  tax: string;
  total: string;
  coupon_code: string | null;
  campaign_id: string | null;
  expires_at: Date;
  payment_method: string | null;
  invoice_id: string | null;
  payment_reference: string | null;
  refund_reference: string | null;
  cancel_reason: string | null;
  created_at: Date;
  paid_at: Date | null;
  fulfilled_at: Date | null;
  closed_at: Date | null;
}

interface LineRow {
  order_id: string;
  line_no: number;
  variant_id: string;
  product_id: string;
  name: string;
  quantity: number;
  unit_price: string;
  subtotal: string;
  discount: string;
  tax: string;
  total: string;
}

const ORDER_COLUMNS = `id, cart_id, store_id, merchant_id, merchant_account_id, buyer_id, guest_email, currency, status,
  subtotal::text AS subtotal, discount::text AS discount, tax::text AS tax, total::text AS total,
  coupon_code, campaign_id, expires_at, payment_method, invoice_id, payment_reference, refund_reference,
  cancel_reason, created_at, paid_at, fulfilled_at, closed_at`;

const hashSecret = (s: string) => createHash('sha256').update(s).digest('hex');

function toLine(r: LineRow): OrderLine {
  return {
    lineNo: r.line_no,
    variantId: r.variant_id,
    productId: r.product_id,
    name: r.name,
    quantity: r.quantity,
    unitPrice: BigInt(r.unit_price),
    subtotal: BigInt(r.subtotal),
    discount: BigInt(r.discount),
    tax: BigInt(r.tax),
    total: BigInt(r.total),
  };
}

function toOrder(r: OrderRow, lines: OrderLine[]): Order {
  return {
    id: r.id,
    cartId: r.cart_id,
    storeId: r.store_id,
    merchantId: r.merchant_id,
    merchantAccountId: r.merchant_account_id,
    buyerId: r.buyer_id,
    guestEmail: r.guest_email,
    currency: r.currency,
    status: r.status,
    subtotal: BigInt(r.subtotal),
    discount: BigInt(r.discount),
    tax: BigInt(r.tax),
    total: BigInt(r.total),
    couponCode: r.coupon_code,
    campaignId: r.campaign_id,
    expiresAt: r.expires_at,
    paymentMethod: r.payment_method,
    invoiceId: r.invoice_id,
    paymentReference: r.payment_reference,
    refundReference: r.refund_reference,
    cancelReason: r.cancel_reason,
    lines,
    createdAt: r.created_at,
    paidAt: r.paid_at,
    fulfilledAt: r.fulfilled_at,
    closedAt: r.closed_at,
  };
}

export function createOrders(deps: OrdersDeps) {
  const { db, catalog, campaigns } = deps;

  async function publish(type: CommerceEventType, order: Order): Promise<void> {
    await deps.outbox.publish({
      type,
      aggregateId: order.id,
      payload: await deps.orderJson(order),
    });
  }

  async function cartRow(id: string, access: CartAccess): Promise<CartRow | undefined> {
    const { rows } = await db.query<CartRow>(
      `SELECT id, store_id, owner_id, secret_hash, currency, coupon_code, created_at
         FROM commerce_carts WHERE id = $1`,
      [id],
    );
    const row = rows[0];
    if (!row) return undefined;
    const mine =
      (row.owner_id !== null && row.owner_id === access.userId) ||
      (row.secret_hash !== null &&
        access.secret !== undefined &&
        row.secret_hash === hashSecret(access.secret));
    return mine ? row : undefined;
  }

  async function cartOf(row: CartRow): Promise<Cart> {
    const { rows } = await db.query<{ variant_id: string; quantity: number }>(
      `SELECT variant_id, quantity FROM commerce_cart_items WHERE cart_id = $1 ORDER BY variant_id`,
      [row.id],
    );
    const variants = await catalog.getVariants(rows.map((r) => r.variant_id));
    const products = new Map<string, string>();
    for (const v of variants) {
      if (!products.has(v.productId)) {
        products.set(v.productId, (await catalog.getProduct(v.productId))?.name ?? '');
      }
    }
    const items: CartItem[] = rows.map((r) => {
      const v = variants.find((x) => x.id === r.variant_id);
      return {
        variantId: r.variant_id,
        productId: v?.productId ?? '',
        name: v ? `${products.get(v.productId) ?? ''} — ${v.name}` : '',
        quantity: r.quantity,
        unitPrice: v?.prices[row.currency] ?? null,
      };
    });
    return {
      id: row.id,
      storeId: row.store_id,
      ownerId: row.owner_id,
      currency: row.currency,
      couponCode: row.coupon_code,
      items,
      createdAt: row.created_at,
    };
  }

  async function priorOrders(buyerId: string): Promise<number> {
    const { rows } = await db.query<{ n: bigint }>(
      `SELECT count(*) AS n FROM commerce_orders
        WHERE buyer_id = $1 AND status IN ('pending', 'paid', 'fulfilled')`,
      [buyerId],
    );
    return Number(rows[0]?.n ?? 0n);
  }

  /** Totals of a cart, with its coupon when it applies. */
  async function price(
    cart: Cart,
    store: Store,
    buyerId: string | null,
    code: string | null,
  ): Promise<
    | {
        totals: Totals;
        lines: RuleLine[];
        couponProblem: Failure | null;
        campaignId: string | null;
        firstOrderOnly: boolean;
      }
    | CommerceFailure
  > {
    const lines: RuleLine[] = [];
    for (const item of cart.items) {
      if (item.unitPrice === null) {
        return fail(CommerceError.NoPrice, {
          message: `${item.name} has no ${cart.currency} price`,
        });
      }
      lines.push({
        variantId: item.variantId,
        productId: item.productId,
        storeId: cart.storeId,
        unitPrice: item.unitPrice,
        quantity: item.quantity,
      });
    }
    let couponProblem: Failure | null = null;
    let discount: { amount: bigint; lines: number[] } | undefined;
    let campaignId: string | null = null;
    let firstOrderOnly = false;
    if (code !== null && lines.length > 0) {
      const q = await campaigns.quote(code, {
        merchantId: store.merchantId,
        currency: cart.currency,
        lines,
        customer:
          buyerId === null
            ? { kind: 'guest', priorOrders: 0 }
            : { kind: 'member', priorOrders: await priorOrders(buyerId) },
        now: deps.clock(),
      });
      if (isFailure(q)) couponProblem = q;
      else {
        discount = q.applied;
        campaignId = q.campaign.id;
        firstOrderOnly = q.campaign.rule.firstOrderOnly ?? false;
      }
    }
    return {
      totals: computeTotals({ lines, discount, taxBps: store.taxBps }),
      lines,
      couponProblem,
      campaignId,
      firstOrderOnly,
    };
  }

  /**
   * Counts a live order of the buyer. With `firstOnly` (a first-order-only coupon) it
   * counts it only if the buyer has none: one conditional upsert, so of two first orders
   * raced by one buyer, one gets the coupon and the other waits for its row lock and is
   * refused. False when refused.
   */
  async function countOrder(buyerId: string, firstOnly: boolean): Promise<boolean> {
    const r = await db.query(
      `INSERT INTO commerce_buyer_orders AS b (buyer_id, live_orders) VALUES ($1, 1)
       ON CONFLICT (buyer_id) DO UPDATE SET live_orders = b.live_orders + 1
        WHERE NOT $2::boolean OR b.live_orders = 0`,
      [buyerId, firstOnly],
    );
    return r.rowCount === 1;
  }

  async function uncountOrder(buyerId: string | null): Promise<void> {
    if (buyerId === null) return;
    await db.query(
      `UPDATE commerce_buyer_orders SET live_orders = live_orders - 1 WHERE buyer_id = $1`,
      [buyerId],
    );
  }

  async function linesOf(orderIds: string[]): Promise<Map<string, OrderLine[]>> {
    const { rows } = await db.query<LineRow>(
      `SELECT order_id, line_no, variant_id, product_id, name, quantity,
              unit_price::text AS unit_price, subtotal::text AS subtotal,
              discount::text AS discount, tax::text AS tax, total::text AS total
         FROM commerce_order_lines WHERE order_id = ANY($1::text[]) ORDER BY order_id, line_no`,
      [orderIds],
    );
    const out = new Map<string, OrderLine[]>();
    for (const r of rows) {
      const list = out.get(r.order_id) ?? [];
      list.push(toLine(r));
      out.set(r.order_id, list);
    }
    return out;
  }

  async function orderById(id: string, lock = false): Promise<Order | undefined> {
    const { rows } = await db.query<OrderRow>(
      `SELECT ${ORDER_COLUMNS} FROM commerce_orders WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
      [id],
    );
    const row = rows[0];
    if (!row) return undefined;
    return toOrder(row, (await linesOf([id])).get(id) ?? []);
  }

  async function setStatus(
    order: Order,
    status: OrderStatus,
    extra: { column: string; value: unknown }[] = [],
  ): Promise<Order> {
    const sets = [`status = $2`, ...extra.map((e, i) => `${e.column} = $${i + 3}`)];
    const { rows } = await db.query<OrderRow>(
      `UPDATE commerce_orders SET ${sets.join(', ')} WHERE id = $1 RETURNING ${ORDER_COLUMNS}`,
      [order.id, status, ...extra.map((e) => e.value)],
    );
    const row = rows[0];
    if (!row) throw new Error(`order ${order.id} vanished`);
    return toOrder(row, order.lines);
  }

  /** Stock movements of an order's lines, variant by variant in id order (one lock order). */
  async function moveStock(order: Order, kind: 'take' | 'release' | 'restock'): Promise<void> {
    const sql = {
      take: 'on_hand = on_hand - $2, reserved = reserved - $2',
      release: 'reserved = reserved - $2',
      restock: 'on_hand = on_hand + $2',
    }[kind];
    const lines = [...order.lines].sort((a, b) => (a.variantId < b.variantId ? -1 : 1));
    for (const l of lines) {
      await db.query(`UPDATE commerce_variants SET ${sql} WHERE id = $1`, [
        l.variantId,
        l.quantity,
      ]);
    }
  }

  /** Cancels a pending order: releases its stock and its coupon's uses. Inside a transaction. */
  async function cancelLocked(order: Order, reason: string): Promise<Order> {
    // The buyer's row before the variants', as checkout takes them (one lock order).
    await uncountOrder(order.buyerId);
    await moveStock(order, 'release');
    if (order.campaignId !== null) await campaigns.release(order.id);
    const cancelled = await setStatus(order, 'cancelled', [
      { column: 'cancel_reason', value: reason },
      { column: 'closed_at', value: deps.clock() },
    ]);
    await publish('commerce.order.cancelled', cancelled);
    return cancelled;
  }

  /** A free order (nothing to pay after its coupon) is paid by its buyer saying so. */
  function payFree(id: string, userId: string): Promise<Order | CommerceFailure> {
    return db.attempt(
      async () => {
        const order = await orderById(id, true);
        if (!order) return fail(CommerceError.OrderNotFound);
        if (order.status !== 'pending') return fail(CommerceError.OrderNotPending);
        if (order.expiresAt <= deps.clock()) {
          await cancelLocked(order, 'expired');
          return fail(CommerceError.OrderExpired);
        }
        const buyerId = order.buyerId ?? userId;
        if (order.buyerId === null) await countOrder(buyerId, false);
        await moveStock(order, 'take');
        if (order.campaignId !== null) await campaigns.confirm(order.id);
        const done = await setStatus(order, 'paid', [
          { column: 'buyer_id', value: buyerId },
          { column: 'payment_method', value: 'free' },
          { column: 'payment_reference', value: 'free' },
          { column: 'paid_at', value: deps.clock() },
        ]);
        await publish('commerce.order.paid', done);
        return done;
      },
      { retryTransient: true },
    );
  }

  const api = {
    async createCart(input: {
      storeId: string;
      currency: string;
      userId?: string | undefined;
    }): Promise<{ cart: Cart; secret: string | null } | CommerceFailure> {
      const store = await catalog.getStore(input.storeId);
      if (!store) return fail(CommerceError.StoreNotFound, { param: 'store_id' });
      const secret = input.userId ? null : `cs_${randomBytes(24).toString('base64url')}`;
      const { rows } = await db.query<CartRow>(
        `INSERT INTO commerce_carts (id, store_id, owner_id, secret_hash, currency, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)
         RETURNING id, store_id, owner_id, secret_hash, currency, coupon_code, created_at`,
        [
          newId('cart'),
          input.storeId,
          input.userId ?? null,
          secret ? hashSecret(secret) : null,
          input.currency,
          deps.clock(),
        ],
      );
      const row = rows[0];
      if (!row) throw new Error('cart insert returned nothing');
      return { cart: await cartOf(row), secret };
    },

    async getCart(id: string, access: CartAccess): Promise<CartView | CommerceFailure> {
      const row = await cartRow(id, access);
      if (!row) return fail(CommerceError.CartNotFound);
      const cart = await cartOf(row);
      const store = await catalog.getStore(cart.storeId);
      if (!store) throw new Error('cart store vanished');
      const p = await price(cart, store, row.owner_id, row.coupon_code);
      if (isFailure(p)) return p;
      return { cart, totals: p.totals, couponProblem: p.couponProblem };
    },

    /** Sets how many units of a variant the cart holds (0 removes it). */
    async setItem(
      id: string,
      access: CartAccess,
      variantId: string,
      quantity: number,
    ): Promise<CartView | CommerceFailure> {
      if (!Number.isInteger(quantity) || quantity < 0 || quantity > MAX_QUANTITY) {
        return fail(CommerceError.QuantityInvalid);
      }
      const row = await cartRow(id, access);
      if (!row) return fail(CommerceError.CartNotFound);
      const [variant] = await catalog.getVariants([variantId]);
      if (!variant) return fail(CommerceError.VariantNotFound);
      if (variant.storeId !== row.store_id) return fail(CommerceError.VariantNotInStore);
      if (variant.prices[row.currency] === undefined) return fail(CommerceError.NoPrice);
      if (quantity === 0) {
        await db.query(`DELETE FROM commerce_cart_items WHERE cart_id = $1 AND variant_id = $2`, [
          id,
          variantId,
        ]);
      } else {
        await db.query(
          `INSERT INTO commerce_cart_items (cart_id, variant_id, quantity) VALUES ($1, $2, $3)
           ON CONFLICT (cart_id, variant_id) DO UPDATE SET quantity = EXCLUDED.quantity`,
          [id, variantId, quantity],
        );
      }
      return api.getCart(id, access);
    },

    /** Puts a coupon on the cart when it applies now (a refusal changes nothing). */
    async applyCoupon(
      id: string,
      access: CartAccess,
      code: string | null,
    ): Promise<CartView | CommerceFailure | Failure> {
      const row = await cartRow(id, access);
      if (!row) return fail(CommerceError.CartNotFound);
      if (code !== null) {
        const cart = await cartOf(row);
        const store = await catalog.getStore(cart.storeId);
        if (!store) throw new Error('cart store vanished');
        const p = await price(cart, store, row.owner_id, code);
        if (isFailure(p)) return p;
        if (p.couponProblem) return p.couponProblem;
        if (cart.items.length === 0) return fail(CommerceError.CartEmpty);
      }
      await db.query(`UPDATE commerce_carts SET coupon_code = $2 WHERE id = $1`, [id, code]);
      return api.getCart(id, access);
    },

    /**
     * Turns the cart into a pending order: reserves every unit (one conditional UPDATE per
     * variant, in id order, refused when fewer are left) and the coupon's uses, in one
     * transaction. Either all of it holds, or nothing is written.
     */
    async checkout(
      id: string,
      access: CartAccess,
      input: { email?: string | undefined },
    ): Promise<Order | CommerceFailure | Failure> {
      const row = await cartRow(id, access);
      if (!row) return fail(CommerceError.CartNotFound);
      const cart = await cartOf(row);
      if (cart.items.length === 0) return fail(CommerceError.CartEmpty);
      const buyerId = row.owner_id;
      if (buyerId === null && !input.email) return fail(CommerceError.EmailRequired);
      const store = await catalog.getStore(cart.storeId);
      if (!store) throw new Error('cart store vanished');
      const merchantId = store.merchantId;
      if (merchantId === null) return fail(CommerceError.StoreNotPayable);
      const merchantAccountId = await deps.payments.liveAccountOf(merchantId);
      if (merchantAccountId === undefined) return fail(CommerceError.StoreNotPayable);
      const p = await price(cart, store, buyerId, row.coupon_code);
      if (isFailure(p)) return p;
      if (p.couponProblem) return p.couponProblem;
      const now = deps.clock();
      const orderId = newId('ord');
      const r = await db.attempt(
        async () => {
          const inserted = await db.query(
            `INSERT INTO commerce_orders (id, cart_id, store_id, merchant_id, buyer_id, guest_email,
                                          currency, status, subtotal, discount, tax, total,
                                          coupon_code, campaign_id, expires_at, created_at,
                                          merchant_account_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8::numeric, $9::numeric, $10::numeric,
                     $11::numeric, $12, $13, $14, $15, $16)
             ON CONFLICT (cart_id) DO NOTHING`,
            [
              orderId,
              cart.id,
              store.id,
              merchantId,
              buyerId,
              buyerId === null ? (input.email ?? null) : null,
              cart.currency,
              p.totals.subtotal.toString(),
              p.totals.discount.toString(),
              p.totals.tax.toString(),
              p.totals.total.toString(),
              p.campaignId === null ? null : row.coupon_code,
              p.campaignId,
              new Date(now.getTime() + deps.reservationTtlMs),
              now,
              merchantAccountId,
            ],
          );
          if (inserted.rowCount === 0) return rollback(fail(CommerceError.CartCheckedOut));
          const firstOnly = p.campaignId !== null && p.firstOrderOnly;
          if (buyerId !== null && !(await countOrder(buyerId, firstOnly))) {
            return rollback(fail(CampaignError.CouponFirstOrderOnly, { param: 'coupon_code' }));
          }
          const order = [...cart.items]
            .map((item, i) => ({ item, i }))
            .sort((a, b) => (a.item.variantId < b.item.variantId ? -1 : 1));
          for (const { item } of order) {
            const reserved = await db.query(
              `UPDATE commerce_variants SET reserved = reserved + $2
                WHERE id = $1 AND on_hand - reserved >= $2`,
              [item.variantId, item.quantity],
            );
            if (reserved.rowCount === 0) {
              return rollback(
                fail(CommerceError.OutOfStock, {
                  message: `Not enough units of ${item.name} left`,
                  param: `items.${item.variantId}`,
                }),
              );
            }
          }
          await db.query(
            `INSERT INTO commerce_order_lines (order_id, line_no, variant_id, product_id, name,
                                               quantity, unit_price, subtotal, discount, tax, total)
             SELECT $1, n, v, p, nm, q, u::numeric, s::numeric, d::numeric, t::numeric, tt::numeric
               FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[],
                           $8::text[], $9::text[], $10::text[], $11::text[])
                    AS x(n, v, p, nm, q, u, s, d, t, tt)`,
            [
              orderId,
              cart.items.map((_, i) => i + 1),
              cart.items.map((i) => i.variantId),
              cart.items.map((i) => i.productId),
              cart.items.map((i) => i.name),
              cart.items.map((i) => i.quantity),
              p.totals.lines.map((l) => l.unitPrice.toString()),
              p.totals.lines.map((l) => l.subtotal.toString()),
              p.totals.lines.map((l) => l.discount.toString()),
              p.totals.lines.map((l) => l.tax.toString()),
              p.totals.lines.map((l) => l.total.toString()),
            ],
          );
          if (p.campaignId !== null && row.coupon_code !== null) {
            const redeemed = await campaigns.reserve({
              code: row.coupon_code,
              orderId,
              customerKey: buyerId ?? `guest:${(input.email ?? '').toLowerCase()}`,
              currency: cart.currency,
              discount: p.totals.discount,
              orderTotal: p.totals.total,
            });
            if (isFailure(redeemed)) return rollback(redeemed);
          }
          const created = await orderById(orderId);
          if (!created) throw new Error('order vanished');
          await publish('commerce.order.created', created);
          return created;
        },
        { retryTransient: true },
      );
      if (isFailure(r) || r.total === 0n) return r;
      // Step two, after the order committed: the merchant's invoice for it. Its
      // compensation, when the invoice cannot be opened, cancels the order (its units and
      // coupon go back). A crash between the steps leaves an order without an invoice,
      // which its expiry cancels.
      const opened = await deps.payments.openInvoice(r);
      if (!opened.ok) {
        await db.attempt(async () => {
          const order = await orderById(r.id, true);
          if (order?.status === 'pending') await cancelLocked(order, 'invoice_refused');
        });
        return fail(CommerceError.PaymentRefused, {
          message: `${opened.code}: ${opened.message}`,
        });
      }
      const { rows } = await db.query<OrderRow>(
        `UPDATE commerce_orders SET invoice_id = $2, payment_method = $3 WHERE id = $1
         RETURNING ${ORDER_COLUMNS}`,
        [r.id, opened.invoiceId, deps.payments.method],
      );
      const withInvoice = rows[0];
      if (!withInvoice) throw new Error('order vanished');
      return toOrder(withInvoice, r.lines);
    },

    /**
     * Moves a pending order as its invoice stands: paid → the order is paid (its units
     * leave stock, its coupon use is confirmed); expired or underpaid → cancelled (units
     * and coupon released); open → nothing. The order row is locked and only a pending
     * order moves, so however many times and however concurrently this runs (the invoice
     * event, the pay route, the expiry sweep), the order moves once.
     *
     * `payerId`: the user who just paid from their wallet, who becomes a guest order's
     * buyer. `expireIfDue`: an order past its expiry voids its invoice first when nothing
     * was paid or seen for it (under the invoice's lock, so a payment racing it either
     * lands first and the order is paid, or finds the invoice expired and is refused).
     */
    async settle(
      id: string,
      opts: { payerId?: string | undefined; expireIfDue?: boolean } = {},
    ): Promise<Order | undefined> {
      const { payerId } = opts;
      return db.attempt(
        async () => {
          const order = await orderById(id, true);
          if (order?.status !== 'pending' || order.invoiceId === null) return order;
          // Lock order: the order row, then the invoice's (a payment takes only the
          // invoice's, and settles the order after it committed).
          if (opts.expireIfDue && order.expiresAt <= deps.clock()) {
            await deps.payments.voidInvoice(order);
          }
          const state = await deps.payments.invoiceState(order.invoiceId);
          if (state === 'failed') return cancelLocked(order, 'expired');
          if (state !== 'paid') return order;
          const buyerId = order.buyerId ?? payerId ?? null;
          if (order.buyerId === null && buyerId !== null) await countOrder(buyerId, false);
          await moveStock(order, 'take');
          if (order.campaignId !== null) await campaigns.confirm(order.id);
          const done = await setStatus(order, 'paid', [
            { column: 'buyer_id', value: buyerId },
            { column: 'payment_reference', value: order.invoiceId },
            { column: 'paid_at', value: deps.clock() },
          ]);
          await publish('commerce.order.paid', done);
          return done;
        },
        { retryTransient: true },
      );
    },

    /** The pending order an invoice pays, if any (the invoice events' way in). */
    async orderOfInvoice(invoiceId: string): Promise<string | undefined> {
      const { rows } = await db.query<{ id: string }>(
        `SELECT id FROM commerce_orders WHERE invoice_id = $1`,
        [invoiceId],
      );
      return rows[0]?.id;
    },

    getOrder: orderById,

    /** An order its buyer, its merchant or the holder of its cart's secret may see. */
    async orderFor(id: string, access: CartAccess): Promise<Order | undefined> {
      const order = await orderById(id);
      if (!order) return undefined;
      if (
        access.userId &&
        (order.buyerId === access.userId ||
          (await deps.payments.merchantsOf(access.userId)).includes(order.merchantId))
      ) {
        return order;
      }
      if (order.buyerId === null && (await cartRow(order.cartId, access))) return order;
      return undefined;
    },

    /**
     * Pays a pending order's invoice in full from the user's wallet (the merchants module
     * books it), then settles the order from the invoice. Paying a paid order again
     * answers it. A free order (total 0) is paid without an invoice.
     */
    async pay(
      id: string,
      access: CartAccess & { userId: string },
    ): Promise<Order | CommerceFailure> {
      const order = await api.orderFor(id, access);
      if (!order) return fail(CommerceError.OrderNotFound);
      if (order.status === 'paid' && order.buyerId === access.userId) return order;
      if (order.status === 'cancelled' && order.cancelReason === 'expired') {
        return fail(CommerceError.OrderExpired);
      }
      if (order.status !== 'pending') return fail(CommerceError.OrderNotPending);
      if (order.total === 0n) return payFree(id, access.userId);
      if (order.invoiceId === null) {
        return fail(CommerceError.PaymentRefused, { message: 'The order has no invoice' });
      }
      const paid = await deps.payments.payFromWallet(order, access.userId);
      const settled = await api.settle(id, { payerId: access.userId });
      if (settled?.status === 'paid') return settled;
      if (settled?.status === 'cancelled' || (!paid.ok && paid.code === 'invoice_expired')) {
        if (settled?.status === 'pending') await api.settle(id, { expireIfDue: true });
        return fail(CommerceError.OrderExpired);
      }
      if (!paid.ok) {
        return fail(CommerceError.PaymentRefused, { message: `${paid.code}: ${paid.message}` });
      }
      return fail(CommerceError.OrderNotPending);
    },

    /** The buyer or the merchant cancels a pending order. */
    async cancel(id: string, access: CartAccess, reason: string): Promise<Order | CommerceFailure> {
      const visible = await api.orderFor(id, access);
      if (!visible) return fail(CommerceError.OrderNotFound);
      return db.attempt(async () => {
        const order = await orderById(id, true);
        if (!order) return fail(CommerceError.OrderNotFound);
        if (order.status !== 'pending') return fail(CommerceError.OrderNotPending);
        // The invoice ends first (under the order's lock), so it is never paid for a
        // cancelled order; one with a payment already made or seen keeps the order.
        const voided = await deps.payments.voidInvoice(order);
        if (!voided.ok) return rollback(fail(CommerceError.PaymentInProgress));
        return cancelLocked(order, reason);
      });
    },

    /** Releases pending orders whose reservation expired; returns how many. */
    async expire(limit = 100): Promise<number> {
      const { rows } = await db.query<{ id: string }>(
        `SELECT id FROM commerce_orders WHERE status = 'pending' AND expires_at <= $1
          ORDER BY expires_at LIMIT $2`,
        [deps.clock(), limit],
      );
      let n = 0;
      for (const { id } of rows) {
        const done = await db.attempt(async () => {
          const order = await orderById(id, true);
          if (!order || order.status !== 'pending' || order.expiresAt > deps.clock()) return false;
          // An order with an invoice follows it (a payment seen on chain before the
          // expiry may still confirm); one without (free, or its invoice never opened)
          // expires here.
          if (order.invoiceId !== null) return false;
          await cancelLocked(order, 'expired');
          return true;
        });
        if (done) n++;
        else if ((await api.settle(id, { expireIfDue: true }))?.status === 'cancelled') n++;
      }
      return n;
    },

    /** A manager of the order's merchant marks a paid order fulfilled. */
    async fulfil(userId: string, id: string): Promise<Order | CommerceFailure> {
      const seen = await orderById(id);
      if (!seen || !(await deps.payments.canManage(userId, seen.merchantId))) {
        return fail(CommerceError.OrderNotFound);
      }
      return db.attempt(async () => {
        const order = await orderById(id, true);
        if (!order) return fail(CommerceError.OrderNotFound);
        if (order.status !== 'paid') return fail(CommerceError.OrderNotPaid);
        const done = await setStatus(order, 'fulfilled', [
          { column: 'fulfilled_at', value: deps.clock() },
        ]);
        await publish('commerce.order.fulfilled', done);
        return done;
      });
    },

    /**
     * The merchant refunds a paid (or fulfilled) order through the payment port; its
     * coupon's uses come back, and the units of an order not yet fulfilled go back on hand.
     */
    async refund(userId: string, id: string): Promise<Order | CommerceFailure> {
      const seen = await orderById(id);
      if (!seen || !(await deps.payments.canManage(userId, seen.merchantId))) {
        return fail(CommerceError.OrderNotFound);
      }
      return db.attempt(
        async () => {
          const order = await orderById(id, true);
          if (!order) return fail(CommerceError.OrderNotFound);
          if (order.status !== 'paid' && order.status !== 'fulfilled') {
            return fail(CommerceError.OrderNotPaid);
          }
          let reference = 'free';
          if (order.total > 0n) {
            const back = await deps.payments.refund(order);
            if (!back.ok) {
              return rollback(
                fail(CommerceError.PaymentRefused, { message: `${back.code}: ${back.message}` }),
              );
            }
            reference = back.reference;
          }
          await uncountOrder(order.buyerId);
          if (order.status === 'paid') await moveStock(order, 'restock');
          if (order.campaignId !== null) await campaigns.release(order.id);
          const done = await setStatus(order, 'refunded', [
            { column: 'refund_reference', value: reference },
            { column: 'closed_at', value: deps.clock() },
          ]);
          await publish('commerce.order.refunded', done);
          return done;
        },
        { retryTransient: true },
      );
    },

    /**
     * The orders of the merchants the user is a member of (or of one of them), newest
     * first, optionally one store's or one status'.
     */
    async listForMerchant(
      userId: string,
      query: {
        merchantId?: string | undefined;
        storeId?: string | undefined;
        status?: OrderStatus | undefined;
        limit: number;
        startingAfter?: string | undefined;
      },
    ): Promise<Order[]> {
      const { rows } = await db.query<OrderRow>(
        `SELECT ${ORDER_COLUMNS} FROM commerce_orders
          WHERE merchant_id = ANY($1::text[]) AND ($2::text IS NULL OR store_id = $2)
            AND ($3::text IS NULL OR status = $3) AND ($4::text IS NULL OR id < $4)
          ORDER BY id DESC LIMIT $5`,
        [
          (await deps.payments.merchantsOf(userId)).filter(
            (m) => query.merchantId === undefined || m === query.merchantId,
          ),
          query.storeId ?? null,
          query.status ?? null,
          query.startingAfter ?? null,
          query.limit,
        ],
      );
      const lines = await linesOf(rows.map((r) => r.id));
      return rows.map((r) => toOrder(r, lines.get(r.id) ?? []));
    },

    /** A buyer's orders, newest first. */
    async listForBuyer(
      buyerId: string,
      query: { limit: number; startingAfter?: string | undefined },
    ): Promise<Order[]> {
      const { rows } = await db.query<OrderRow>(
        `SELECT ${ORDER_COLUMNS} FROM commerce_orders
          WHERE buyer_id = $1 AND ($2::text IS NULL OR id < $2) ORDER BY id DESC LIMIT $3`,
        [buyerId, query.startingAfter ?? null, query.limit],
      );
      const lines = await linesOf(rows.map((r) => r.id));
      return rows.map((r) => toOrder(r, lines.get(r.id) ?? []));
    },
  };
  return api;
}

export type Orders = ReturnType<typeof createOrders>;
