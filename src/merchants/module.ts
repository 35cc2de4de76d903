import { z } from 'zod';
import type { ChainsService } from '../chains/service.js';
import type { IdentityService } from '../identity/service.js';
import type { LedgerService } from '../ledger/service.js';
import { setting } from '../platform/config/config.js';
import { defineModule, type BuildContext } from '../platform/modules/descriptor.js';
import type { WalletService } from '../wallet/service.js';
import { MERCHANT_EVENT_REGISTRY } from './events.js';
import { createInvoiceService } from './invoices.js';
import { createMerchantDirectory } from './merchants.js';
import { createRefundService } from './refunds.js';
import { registerInvoiceRoutes } from './routes/invoices.js';
import { registerMerchantRoutes } from './routes/merchants.js';
import { registerPayoutRoutes } from './routes/payouts.js';
import { createMerchantsService, MERCHANT_SCOPES } from './service.js';

const ChainKey = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/);

/** The merchants module's settings, by YAML key. */
export const MERCHANTS_SETTINGS = {
  merchantsAssets: setting<string[]>({
    env: 'VW_MERCHANTS_ASSETS',
    kind: 'json',
    schema: z.array(z.string().regex(/^[A-Z][A-Z0-9]{1,15}$/)).max(50),
    default: ['USD', 'EUR', 'BTC', 'ETH', 'USDC'],
    doc: 'Assets invoices accept (those registered in the ledger and priced in the invoice currency); an invoice may name a subset.',
  }),
  merchantsLiveChain: setting<string | undefined>({
    env: 'VW_MERCHANTS_LIVE_CHAIN',
    kind: 'string',
    schema: ChainKey.optional(),
    default: undefined,
    doc: 'Key of the chain (from `chains`) live invoices are paid on: each invoice gets its own deposit address there. Unset: live invoices are paid from wallets only.',
  }),
  merchantsTestChain: setting<string | undefined>({
    env: 'VW_MERCHANTS_TEST_CHAIN',
    kind: 'string',
    schema: ChainKey.optional(),
    default: undefined,
    doc: 'Key of the chain test-mode invoices are paid on (a testnet or a local node). Unset: test invoices are paid with simulated payments only.',
  }),
} as const;

interface Deps {
  ledger: LedgerService;
  identity: IdentityService;
  wallet: WalletService;
  chains: ChainsService;
}

/** Merchant payments: merchants, members and keys, invoices, refunds, balances. */
export const merchantsModule = defineModule<Deps>()({
  name: 'merchants',
  dependsOn: ['ledger', 'identity', 'wallet', 'chains'],
  settings: MERCHANTS_SETTINGS,
  scopes: MERCHANT_SCOPES,
  events: MERCHANT_EVENT_REGISTRY,
  build: ({ platform, settings, deps }: BuildContext<typeof MERCHANTS_SETTINGS, Deps>) => {
    const clock = () => new Date(platform.now());
    const directory = createMerchantDirectory({
      db: platform.db,
      audit: platform.audit,
      ledger: deps.ledger,
      totpEnabled: async (userId) => (await deps.identity.getUser(userId))?.totpEnabled ?? false,
    });
    const invoices = createInvoiceService({
      db: platform.db,
      ledger: deps.ledger,
      outbox: platform.outbox,
      chains: deps.chains,
      price: (base, quote) => deps.wallet.price(base, quote),
      merchant: (id) => directory.get(id),
      walletFrozen: async (userId) => (await deps.wallet.profile(userId)).frozen,
      clock,
      settings: {
        assets: settings.merchantsAssets,
        liveChain: settings.merchantsLiveChain,
        testChain: settings.merchantsTestChain,
      },
    });
    // Invoices hang on the chains module's deposits through its events: the invoice is
    // the owner of its deposit address, and each deposit event re-reads the deposit.
    platform.outbox.subscribe<{ id?: unknown; user_id?: unknown }>(
      'merchants.invoice_deposits',
      ['deposit.*'],
      async (event) => {
        const { id, user_id: owner } = event.payload;
        if (typeof id === 'string' && typeof owner === 'string' && owner.startsWith('inv_')) {
          await invoices.syncDeposit(id);
        }
      },
    );
    const refunds = createRefundService({
      db: platform.db,
      ledger: deps.ledger,
      outbox: platform.outbox,
      clock,
    });
    return createMerchantsService({
      db: platform.db,
      ledger: deps.ledger,
      directory,
      invoices,
      refunds,
    });
  },
  authenticate:
    ({ service }) =>
    (token) =>
      service.directory.authenticate(token),
  routes: (http, { service, deps, settings }) => {
    registerMerchantRoutes(http, {
      merchants: service,
      findUserByEmail: (email) => deps.identity.findUserByEmail(email),
    });
    registerInvoiceRoutes(http, {
      merchants: service,
      chainOf: (chainKey, asset) => {
        const chain = chainKey ? deps.chains.chain(chainKey) : undefined;
        if (!chain) return undefined;
        if (chain.nativeAsset.code === asset) return { chainId: chain.chainId };
        const token = chain.tokens.find((t) => t.code === asset);
        return token ? { chainId: chain.chainId, tokenAddress: token.address } : undefined;
      },
    });
    registerPayoutRoutes(http, {
      merchants: service,
      withdrawals: deps.chains.withdrawals,
      chainFor: (livemode) =>
        livemode ? settings.merchantsLiveChain : settings.merchantsTestChain,
    });
  },
  maintenance: ({ service }) => [
    { name: 'merchantInvoiceExpiry', run: () => service.invoices.expireDue() },
  ],
});
