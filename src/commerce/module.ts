import { z } from 'zod';
import type { CampaignsService } from '../campaigns/service.js';
import type { LedgerService } from '../ledger/service.js';
import type { MerchantsService } from '../merchants/service.js';
import {
  collectArg as collect,
  runWithApi,
  intArg as int,
  withApiOptions,
  type ApiOptions,
} from '../platform/cli/api-client.js';
import { setting } from '../platform/config/config.js';
import { defineModule, type BuildContext, type ModuleCli } from '../platform/modules/descriptor.js';
import { runProductsCreate, runProductsList, runStoresCreate, runStoresList } from './cli.js';
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
    // A campaign targets only its merchant's own stores, products and variants.
    deps.campaigns.useTargets((merchantId, ids) => commerce.catalog.foreignTarget(merchantId, ids));
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
  cli: commerceCli,
});

/**
 * `vaultwire stores|products list|create`: through the HTTP API with the caller's token
 * (`VW_API_TOKEN`), so they may do what that user may do there and no more; no database
 * is opened.
 */
function commerceCli(
  cli: Pick<ModuleCli<unknown, typeof COMMERCE_SETTINGS>, 'program' | 'output'>,
): void {
  const { program, output } = cli;
  const run = runWithApi;
  const stores = program.command('stores').description('Stores of the mall (over the API)');
  withApiOptions(stores.command('list'))
    .description('The stores of the mall, or of one merchant')
    .option('--merchant <id>', 'only this merchant’s stores')
    .option('--json', 'one JSON object per store')
    .action(async (opts: ApiOptions & { merchant?: string; json?: boolean }) => {
      await run(opts, (api, o) => runStoresList(api, output, o));
    });
  withApiOptions(stores.command('create'))
    .description('Open a store for a merchant you manage; prints its id')
    .requiredOption('--merchant <id>', 'the merchant (mch_…) it belongs to')
    .requiredOption('--name <name>', 'its name')
    .requiredOption('--x <n>', 'its cell of the floor plan: x', int)
    .requiredOption('--y <n>', 'its cell of the floor plan: y', int)
    .option('--level <n>', 'its floor', int)
    .option('--tax-bps <n>', 'tax in basis points (1800 = 18 %)', int)
    .option('--logo-url <url>', 'its logo')
    .option('--color <name=#rrggbb>', 'a colour (repeat: primary=#0a7d4f)', collect)
    .option('--json', 'print the whole store as JSON')
    .action(async (opts: ApiOptions & Parameters<typeof runStoresCreate>[2]) => {
      await run(opts, (api, o) => runStoresCreate(api, output, o));
    });
  const products = program.command('products').description('Products of a store (over the API)');
  withApiOptions(products.command('list'))
    .description('A store’s products, their variants, prices and stock')
    .requiredOption('--store <id>', 'the store (sto_…)')
    .option('--json', 'one JSON object per product')
    .action(async (opts: ApiOptions & { store: string; json?: boolean }) => {
      await run(opts, (api, o) => runProductsList(api, output, o));
    });
  withApiOptions(products.command('create'))
    .description('List a product in one of your stores; prints its id (variants on stderr)')
    .requiredOption('--store <id>', 'the store (sto_…)')
    .requiredOption('--name <name>', 'its name')
    .requiredOption(
      '--variant <spec>',
      'a variant as SKU:NAME:STOCK:CUR=PRICE[,CUR=PRICE] (repeat)',
      collect,
    )
    .option('--description <text>', 'its description')
    .option('--image <url>', 'an image (repeat)', collect)
    .option('--json', 'print the whole product as JSON')
    .action(async (opts: ApiOptions & Parameters<typeof runProductsCreate>[2]) => {
      await run(opts, (api, o) => runProductsCreate(api, output, o));
    });
}
