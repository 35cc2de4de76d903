import { z } from 'zod';
import type { CampaignsService } from '../campaigns/service.js';
import type { LedgerService } from '../ledger/service.js';
import type { MerchantsService } from '../merchants/service.js';
import { setting } from '../platform/config/config.js';
import { defineModule, type BuildContext } from '../platform/modules/descriptor.js';
import { COMMERCE_EVENT_REGISTRY } from './events.js';
import { invoiceOrderPayments } from './payments.js';
import { registerCommerceRoutes } from './routes.js';
import { COMMERCE_SCOPES, createCommerceService } from './service.js';

export const COMMERCE_SETTINGS = {
  commerceReservationTtlSeconds: setting<number>({
    env: 'VW_COMMERCE_RESERVATION_TTL_SECONDS',
    kind: 'int',
    schema: z.number().int().min(30).max(86_400),
    default: 900,
    doc: 'How long a checked-out order holds its units (and coupon) before it expires and they are released, unpaid.',
  }),
} as const;

type Deps = { ledger: LedgerService; merchants: MerchantsService; campaigns: CampaignsService };

/**
 * Stores (each a merchant tenant's), catalog, inventory, carts and orders of the mall;
 * orders paid through the merchant's invoices (hosted checkout or wallet).
 */
export const commerceModule = defineModule<Deps>()({
  name: 'commerce',
  dependsOn: ['ledger', 'merchants', 'campaigns'],
  settings: COMMERCE_SETTINGS,
  scopes: COMMERCE_SCOPES,
  events: COMMERCE_EVENT_REGISTRY,
  build: ({ platform, settings, deps }: BuildContext<typeof COMMERCE_SETTINGS, Deps>) => {
    const { ledger } = deps;
    const clock = () => new Date(platform.now());
    const commerce = createCommerceService({
      db: platform.db,
      audit: platform.audit,
      outbox: platform.outbox,
      campaigns: deps.campaigns,
      payments: invoiceOrderPayments({
        merchants: deps.merchants,
        scaleOf: async (c) => (await ledger.getAsset(c))?.scale,
        clock,
      }),
      assets: () => ledger.listAssets(),
      reservationTtlMs: settings.commerceReservationTtlSeconds * 1000,
      clock,
    });
    // An order follows its invoice: each invoice event re-reads the invoice (events may
    // come twice, late or out of order) and settles the order at most once.
    platform.outbox.subscribe<{ id?: unknown; order_id?: unknown }>(
      'commerce.order_invoices',
      ['invoice.*'],
      async (event) => {
        const { id, order_id: orderId } = event.payload;
        if (typeof id !== 'string' || typeof orderId !== 'string' || !orderId.startsWith('ord_')) {
          return;
        }
        const order = await commerce.orders.orderOfInvoice(id);
        if (order !== undefined) await commerce.orders.settle(order);
      },
    );
    return commerce;
  },
  routes: (http, { service }) => {
    registerCommerceRoutes(http, { commerce: service });
  },
  maintenance: ({ service }) => [
    { name: 'commerceExpiredOrders', run: () => service.orders.expire(500) },
  ],
});
