import type { CampaignsService } from '../campaigns/service.js';
import type { AuditLog } from '../platform/audit/audit.js';
import type { Db } from '../platform/db/db.js';
import { fail } from '../platform/failure.js';
import type { Outbox } from '../platform/outbox/outbox.js';
import { createCatalog, type Catalog } from './catalog.js';
import { CommerceError } from './errors.js';
import { orderJson, type Scales } from './json.js';
import { createOrders, type Orders } from './orders.js';
import type { OrderPayments } from './payments.js';

export const COMMERCE_SCOPES = {
  'commerce:read': 'Read your stores, products, carts and orders (as buyer or merchant)',
  'commerce:write':
    'Create stores and products, set stock, fill carts, check out, pay, fulfil and refund orders',
} as const satisfies Record<string, string>;

/**
 * Stores, catalog, inventory, carts and orders. Guarantees:
 * - stock is never oversold: a checkout reserves each unit with one conditional UPDATE
 *   (`on_hand - reserved >= quantity`), in variant id order, in the order's transaction;
 *   reservations are released when the order is cancelled or expires, and taken out of
 *   stock when it is paid;
 * - totals are bigint minor units computed once (`computeTotals`, pricing.ts), with the
 *   discount and tax spread over the lines by one allocation helper (money.ts);
 * - a store belongs to a merchant tenant, whose members manage it (through the merchants
 *   module's service interface, the `OrderPayments` port);
 * - an order is paid through an invoice of its store's merchant, opened after checkout;
 *   the invoice's state moves the order once (`settle`, under the order's row lock):
 *   paid → paid and its units leave stock, expired or underpaid → cancelled and its
 *   units and coupon are released; a cancelled order's invoice is voided first;
 * - every state change writes its `commerce.order.*` event in the same transaction;
 * - refusals are `Failure<CommerceError>` values and write nothing.
 *
 * @example
 * const store = await commerce.catalog.createStore(userId, { merchantId, name: 'Tea House', position: { x: 2, y: 3 } });
 * const { cart } = await commerce.orders.createCart({ storeId, currency: 'USD', userId });
 * await commerce.orders.setItem(cart.id, { userId }, variantId, 2);
 * const order = await commerce.orders.checkout(cart.id, { userId }, {});
 * await commerce.orders.pay(order.id, { userId });   // the order's invoice, paid from the wallet
 */
export interface CommerceService {
  readonly catalog: Catalog;
  readonly orders: Orders;
  /** The decimal scale of every currency (ledger asset), for wire amounts. */
  scales(): Promise<Scales>;
  scaleOf(currency: string): Promise<number | undefined>;
}

export interface CommerceDeps {
  db: Db;
  audit: Pick<AuditLog, 'record'>;
  outbox: Outbox;
  campaigns: CampaignsService;
  payments: OrderPayments;
  assets(): Promise<{ code: string; scale: number }[]>;
  reservationTtlMs: number;
  clock: () => Date;
}

export function createCommerceService(deps: CommerceDeps): CommerceService {
  let cache = new Map<string, number>();
  let loadedAt = 0;
  async function refresh(): Promise<void> {
    const list = await deps.assets();
    cache = new Map(list.map((a) => [a.code, a.scale]));
    loadedAt = Date.now();
  }
  async function scaleOf(currency: string): Promise<number | undefined> {
    // Scales never change; a miss may be an asset registered since the last load.
    if (!cache.has(currency) || loadedAt === 0) await refresh();
    return cache.get(currency);
  }
  const scaleSync: Scales = (currency) => {
    const s = cache.get(currency);
    if (s === undefined) throw new Error(`no scale known for ${currency}`);
    return s;
  };
  const catalog = createCatalog({
    db: deps.db,
    audit: deps.audit,
    scaleOf,
    canManage: (userId, merchantId) => deps.payments.canManage(userId, merchantId),
    clock: deps.clock,
  });
  const orders = createOrders({
    db: deps.db,
    outbox: deps.outbox,
    catalog,
    campaigns: deps.campaigns,
    payments: deps.payments,
    orderJson: async (o) => {
      await scaleOf(o.currency);
      return orderJson(o, scaleSync);
    },
    reservationTtlMs: deps.reservationTtlMs,
    clock: deps.clock,
  });
  return {
    catalog,
    orders: {
      ...orders,
      // A cart's currency is checked here, so every order's currency has a known scale.
      async createCart(input) {
        if ((await scaleOf(input.currency)) === undefined) {
          return fail(CommerceError.CurrencyUnknown);
        }
        return orders.createCart(input);
      },
    },
    async scales() {
      if (loadedAt === 0) await refresh();
      return scaleSync;
    },
    scaleOf,
  };
}
