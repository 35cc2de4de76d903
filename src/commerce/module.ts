import { z } from 'zod';
import type { CampaignsService } from '../campaigns/service.js';
import type { LedgerService } from '../ledger/service.js';
import { setting } from '../platform/config/config.js';
import { defineModule, type BuildContext } from '../platform/modules/descriptor.js';
import type { WalletService } from '../wallet/service.js';
import { COMMERCE_EVENT_REGISTRY } from './events.js';
import { walletOrderPayments } from './payments.js';
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

type Deps = { ledger: LedgerService; wallet: WalletService; campaigns: CampaignsService };

/** Stores, catalog, inventory, carts and orders of the mall; orders paid from the wallet. */
export const commerceModule = defineModule<Deps>()({
  name: 'commerce',
  dependsOn: ['ledger', 'wallet', 'campaigns'],
  settings: COMMERCE_SETTINGS,
  scopes: COMMERCE_SCOPES,
  events: COMMERCE_EVENT_REGISTRY,
  build: ({ platform, settings, deps }: BuildContext<typeof COMMERCE_SETTINGS, Deps>) => {
    const { ledger } = deps;
    return createCommerceService({
      db: platform.db,
      outbox: platform.outbox,
      campaigns: deps.campaigns,
      payments: walletOrderPayments({
        wallet: deps.wallet,
        scaleOf: async (c) => (await ledger.getAsset(c))?.scale,
      }),
      assets: () => ledger.listAssets(),
      reservationTtlMs: settings.commerceReservationTtlSeconds * 1000,
      clock: () => new Date(platform.now()),
    });
  },
  routes: (http, { service }) => {
    registerCommerceRoutes(http, { commerce: service });
  },
  maintenance: ({ service }) => [
    { name: 'commerceExpiredOrders', run: () => service.orders.expire(500) },
  ],
});
