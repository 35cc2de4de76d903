import { z } from 'zod';
import type { ChainsService } from '../chains/service.js';
import type { IdentityService } from '../identity/service.js';
import type { LedgerService } from '../ledger/service.js';
import { RetryLaterError } from '../platform/queue/queue.js';
import { setting } from '../platform/config/config.js';
import { defineModule, type BuildContext } from '../platform/modules/descriptor.js';
import type { WalletService } from '../wallet/service.js';
import { MERCHANT_EVENT_REGISTRY } from './events.js';
import { createInvoiceService } from './invoices.js';
import { createMerchantDirectory } from './merchants.js';
import { createRefundService } from './refunds.js';
import { createPaymentLinkService } from './links.js';
import { createPosTerminalService } from './terminals.js';
import { registerCheckoutRoutes } from './checkout/routes.js';
import { createInvoiceWatch, type InvoiceWatch } from './checkout/watch.js';
import { registerLinkRoutes } from './routes/links.js';
import type { ChainOf } from './routes/invoices.js';
import { registerInvoiceRoutes } from './routes/invoices.js';
import { registerMerchantRoutes } from './routes/merchants.js';
import { registerPayoutRoutes } from './routes/payouts.js';
import { registerRefundLinkRoutes } from './routes/refund-links.js';
import { registerSettlementRoutes } from './routes/settlements.js';
import { createMerchantsService, MERCHANT_SCOPES } from './service.js';
import { createPayoutService, PayoutRailQueue, PayoutScheduleQueue } from './payouts/payouts.js';
import { createHttpPayoutRail, type PayoutRail } from './payouts/rail.js';
import { registerBankPayoutRoutes } from './routes/bank-payouts.js';
import { createCardPayments } from './cards/payments.js';
import { createHttpCardProcessor } from './cards/processor.js';

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
  merchantsPayoutRailUrl: setting<string | undefined>({
    env: 'VW_MERCHANTS_PAYOUT_RAIL_URL',
    kind: 'string',
    schema: z.url({ protocol: /^https?$/ }).optional(),
    default: undefined,
    doc: 'Base URL of the payout rail live bank payouts go through (its HTTP payout API, see docs/merchants.md). Unset: live bank payouts are refused with `payout_rail_missing`.',
  }),
  merchantsPayoutRailKey: setting<string | undefined>({
    env: 'VW_MERCHANTS_PAYOUT_RAIL_KEY',
    kind: 'string',
    schema: z.string().min(8).optional(),
    default: undefined,
    doc: 'API key of the live payout rail (sent as a bearer token).',
    secret: true,
  }),
  merchantsTestPayoutRailUrl: setting<string | undefined>({
    env: 'VW_MERCHANTS_TEST_PAYOUT_RAIL_URL',
    kind: 'string',
    schema: z.url({ protocol: /^https?$/ }).optional(),
    default: undefined,
    doc: 'Base URL of the payout rail test-mode bank payouts go through (a sandbox, or the local test rail). Unset: test bank payouts are refused with `payout_rail_missing`.',
  }),
  merchantsTestPayoutRailKey: setting<string | undefined>({
    env: 'VW_MERCHANTS_TEST_PAYOUT_RAIL_KEY',
    kind: 'string',
    schema: z.string().min(8).optional(),
    default: undefined,
    doc: 'API key of the test-mode payout rail.',
    secret: true,
  }),
  merchantsPayoutApprovalAbove: setting<Record<string, string>>({
    env: 'VW_MERCHANTS_PAYOUT_APPROVAL_ABOVE',
    kind: 'json',
    schema: z.record(
      z.string().regex(/^[A-Z][A-Z0-9]{1,15}$/),
      z.string().regex(/^[0-9]{1,30}(\.[0-9]{1,18})?$/),
    ),
    default: { USD: '10000', EUR: '10000' },
    doc: 'Bank payouts above this amount of their asset wait for a platform operator to approve them (`POST /v1/admin/bank_payouts/{bank_payout}/approve`). A payout in an asset not listed always waits.',
  }),
  merchantsCheckoutMaxStreams: setting<number>({
    env: 'VW_MERCHANTS_CHECKOUT_MAX_STREAMS',
    kind: 'int',
    schema: z.number().int().min(1).max(100_000),
    default: 1000,
    doc: 'Live-status streams (server-sent events) one `api` process holds open for the hosted checkout and the till; more get 503 and the page falls back to reloading. At most 20 per invoice.',
  }),
  merchantsCheckoutPostsPerMinute: setting<number>({
    env: 'VW_MERCHANTS_CHECKOUT_POSTS_PER_MINUTE',
    kind: 'int',
    schema: z.number().int().min(1).max(100_000),
    default: 30,
    doc: 'Form posts on the payment pages (logging in to pay, paying, using a payment link) per client IP a minute.',
  }),
  merchantsCheckoutBaseUrl: setting<string | undefined>({
    env: 'VW_MERCHANTS_CHECKOUT_BASE_URL',
    kind: 'string',
    schema: z.url({ protocol: /^https?$/ }).optional(),
    default: undefined,
    doc: 'Public origin of the hosted payment pages as payers reach them (`https://pay.example.com`); the card processor sends payers back to it. Set it behind a TLS-terminating proxy, where the request the server sees is `http://`. Default: the origin of each request.',
  }),
  merchantsCardApiUrl: setting<string | undefined>({
    env: 'VW_MERCHANTS_CARD_API_URL',
    kind: 'string',
    schema: z.url({ protocol: /^https?$/ }).optional(),
    default: undefined,
    doc: 'Base URL of the card processor API (Stripe charges API: `/v1/charges`, `/v1/refunds`, `/v1/tokens`). Unset: no card payments. A mode takes cards when its two keys are set too.',
  }),
  merchantsCardPublicUrl: setting<string | undefined>({
    env: 'VW_MERCHANTS_CARD_PUBLIC_URL',
    kind: 'string',
    schema: z.url({ protocol: /^https?$/ }).optional(),
    default: undefined,
    doc: "The card processor's base URL as payers' browsers reach it (the checkout's card form posts the card to `<this>/v1/tokens`). Default: `VW_MERCHANTS_CARD_API_URL`.",
  }),
  merchantsCardLiveSecretKey: setting<string | undefined>({
    env: 'VW_MERCHANTS_CARD_LIVE_SECRET_KEY',
    kind: 'string',
    schema: z.string().min(8).max(300).optional(),
    default: undefined,
    secret: true,
    doc: "The card processor's secret key for live invoices (`sk_live_…`).",
  }),
  merchantsCardLivePublishableKey: setting<string | undefined>({
    env: 'VW_MERCHANTS_CARD_LIVE_PUBLISHABLE_KEY',
    kind: 'string',
    schema: z.string().min(8).max(300).optional(),
    default: undefined,
    doc: "The card processor's publishable key for live invoices (`pk_live_…`, sent to browsers: it can only make card tokens).",
  }),
  merchantsCardTestSecretKey: setting<string | undefined>({
    env: 'VW_MERCHANTS_CARD_TEST_SECRET_KEY',
    kind: 'string',
    schema: z.string().min(8).max(300).optional(),
    default: undefined,
    secret: true,
    doc: "The card processor's secret key for test-mode invoices (`sk_test_…`).",
  }),
  merchantsCardTestPublishableKey: setting<string | undefined>({
    env: 'VW_MERCHANTS_CARD_TEST_PUBLISHABLE_KEY',
    kind: 'string',
    schema: z.string().min(8).max(300).optional(),
    default: undefined,
    doc: "The card processor's publishable key for test-mode invoices (`pk_test_…`).",
  }),
  merchantsCardCurrencies: setting<string[]>({
    env: 'VW_MERCHANTS_CARD_CURRENCIES',
    kind: 'json',
    schema: z.array(z.string().regex(/^[A-Z]{3}$/)).max(50),
    default: ['USD', 'EUR', 'GBP'],
    doc: 'Pricing currencies an invoice may be paid in by card (the invoice must also accept that currency as an asset).',
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
  // Invoices on a chain each take a fresh deposit address: its deriving thread starts with
  // the process, not with the first invoice.
  onStart: ({ settings, deps }) => {
    if (settings.merchantsLiveChain || settings.merchantsTestChain) {
      deps.chains.custody.prepareFreshAddresses();
    }
    return Promise.resolve();
  },
  build: ({ platform, settings, deps }: BuildContext<typeof MERCHANTS_SETTINGS, Deps>) => {
    const clock = () => new Date(platform.now());
    const directory = createMerchantDirectory({
      db: platform.db,
      audit: platform.audit,
      ledger: deps.ledger,
      totpEnabled: async (userId) => (await deps.identity.getUser(userId))?.totpEnabled ?? false,
      logger: platform.logger,
    });
    platform.lifecycle.onStop('merchants: key revocations', () => directory.close());
    const invoices = createInvoiceService({
      db: platform.db,
      ledger: deps.ledger,
      outbox: platform.outbox,
      audit: platform.audit,
      chains: deps.chains,
      price: (base, quote) => deps.wallet.price(base, quote),
      merchant: (id) => directory.get(id),
      walletSpend: (userId, asset, amount) => deps.wallet.authorizeSpend(userId, asset, amount),
      clock,
      settings: {
        cardCurrencies: settings.merchantsCardCurrencies,
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
    const processor = (secretKey?: string, publishableKey?: string) =>
      settings.merchantsCardApiUrl && secretKey && publishableKey
        ? createHttpCardProcessor({
            apiUrl: settings.merchantsCardApiUrl,
            publicUrl: settings.merchantsCardPublicUrl,
            secretKey,
            publishableKey,
          })
        : undefined;
    // One processor client per mode, shared by card payments and their refunds.
    const cardProcessors = {
      live: processor(
        settings.merchantsCardLiveSecretKey,
        settings.merchantsCardLivePublishableKey,
      ),
      test: processor(
        settings.merchantsCardTestSecretKey,
        settings.merchantsCardTestPublishableKey,
      ),
    };
    const refunds = createRefundService({
      db: platform.db,
      ledger: deps.ledger,
      outbox: platform.outbox,
      audit: platform.audit,
      clock,
      secretBox: platform.secretBox,
      withdrawals: deps.chains.withdrawals,
      merchantName: async (id) => (await directory.get(id))?.name,
      cardProcessor: (livemode) => (livemode ? cardProcessors.live : cardProcessors.test),
    });
    const links = createPaymentLinkService({
      db: platform.db,
      ledger: deps.ledger,
      invoices,
      audit: platform.audit,
    });
    const terminals = createPosTerminalService({
      db: platform.db,
      ledger: deps.ledger,
      invoices,
      audit: platform.audit,
    });
    // Refunds sent on chain follow their withdrawal (owned by the merchant account).
    platform.outbox.subscribe<{ id?: unknown; user_id?: unknown }>(
      'merchants.refund_withdrawals',
      ['withdrawal.*'],
      async (event) => {
        const { id, user_id: owner } = event.payload;
        if (typeof id === 'string' && typeof owner === 'string' && owner.startsWith('mca_')) {
          await refunds.syncWithdrawal(id);
        }
      },
    );
    const rail = (url: string | undefined, key: string | undefined, name: string) =>
      url && key ? createHttpPayoutRail({ name, baseUrl: url, apiKey: key }) : undefined;
    const rails: Record<'live' | 'test', PayoutRail | undefined> = {
      live: rail(settings.merchantsPayoutRailUrl, settings.merchantsPayoutRailKey, 'bank'),
      test: rail(settings.merchantsTestPayoutRailUrl, settings.merchantsTestPayoutRailKey, 'test'),
    };
    const approvalLimits = new Map<string, bigint | undefined>();
    const payouts = createPayoutService({
      db: platform.db,
      ledger: deps.ledger,
      outbox: platform.outbox,
      audit: platform.audit,
      jobs: platform.jobs,
      clock,
      rail: (livemode) => (livemode ? rails.live : rails.test),
      approvalAbove: async (asset) => {
        if (!approvalLimits.has(asset)) {
          const text = settings.merchantsPayoutApprovalAbove[asset];
          const parsed =
            text === undefined ? undefined : await deps.ledger.parseAmount(asset, text);
          approvalLimits.set(asset, parsed?.ok ? parsed.amount : undefined);
        }
        return approvalLimits.get(asset);
      },
      totpEnabled: async (userId) => (await deps.identity.getUser(userId))?.totpEnabled ?? false,
    });
    // Not transactional: the rail is the network; each booking opens its own transaction.
    platform.jobs.register(
      PayoutRailQueue,
      async (job) => {
        // On the last attempt a payout still in transit is flagged before the job goes
        // dead, or it would sit in transit with nobody told (not on shutdown: an aborted
        // job is handed back without using up the attempt).
        const last = () => job.attempt >= job.maxAttempts && !job.signal.aborted;
        let r;
        try {
          r = await payouts.advance(job.payload.payoutId, job.signal);
        } catch (err) {
          if (last()) await payouts.flagStuck(job.payload.payoutId, (err as Error).message);
          throw err;
        }
        if (r.state === 'pending') {
          if (last())
            await payouts.flagStuck(job.payload.payoutId, 'the rail still has it pending');
          throw new RetryLaterError('the rail has not paid it yet', 30_000);
        }
      },
      { transactional: false },
    );
    platform.jobs.register(PayoutScheduleQueue, async (job) => {
      await payouts.runSchedule(job.payload.accountId, job.payload.asset);
    });
    const cards = createCardPayments({
      invoices,
      processors: cardProcessors,
      currencies: settings.merchantsCardCurrencies,
      clock,
    });
    return createMerchantsService({
      db: platform.db,
      payouts,
      ledger: deps.ledger,
      directory,
      invoices,
      refunds,
      links,
      terminals,
      cards,
    });
  },
  authenticate:
    ({ service }) =>
    (token) =>
      service.directory.authenticate(token),
  routes: (http, { service, deps, settings, platform }) => {
    registerMerchantRoutes(http, {
      merchants: service,
      findUserByEmail: (email) => deps.identity.findUserByEmail(email),
    });
    const chainOf: ChainOf = (chainKey, asset) => {
      const chain = chainKey ? deps.chains.chain(chainKey) : undefined;
      if (!chain) return undefined;
      if (chain.nativeAsset.code === asset) return { chainId: chain.chainId };
      const token = chain.tokens.find((t) => t.code === asset);
      return token ? { chainId: chain.chainId, tokenAddress: token.address } : undefined;
    };
    registerInvoiceRoutes(http, { merchants: service, chainOf });
    registerLinkRoutes(http, { merchants: service });
    const watch: InvoiceWatch = createInvoiceWatch({
      db: platform.db,
      clock: () => new Date(platform.now()),
      maxStreams: settings.merchantsCheckoutMaxStreams,
      maxPerInvoice: 20,
      intervalMs: 1000,
    });
    platform.lifecycle.onStop('merchants checkout streams', () => {
      watch.close();
      return Promise.resolve();
    });
    registerCheckoutRoutes(http, {
      merchants: service,
      identity: deps.identity,
      chainOf,
      watch,
      rateLimiter: platform.rateLimiter,
      clock: () => new Date(platform.now()),
      postsPerMinute: settings.merchantsCheckoutPostsPerMinute,
      publicBaseUrl: settings.merchantsCheckoutBaseUrl,
    });
    registerRefundLinkRoutes(http, { merchants: service });
    registerSettlementRoutes(http, {
      merchants: service,
      db: platform.db,
      ledger: deps.ledger,
    });
    registerBankPayoutRoutes(http, { merchants: service });
    registerPayoutRoutes(http, {
      merchants: service,
      withdrawals: deps.chains.withdrawals,
      chainFor: (livemode) =>
        livemode ? settings.merchantsLiveChain : settings.merchantsTestChain,
    });
  },
  maintenance: ({ service }) => [
    { name: 'merchantInvoiceExpiry', run: () => service.invoices.expireDue() },
    { name: 'merchantPayoutSchedules', run: () => service.payouts.enqueueDueSchedules() },
    { name: 'merchantCardPaymentsResume', run: () => service.cards.resumeStale() },
    { name: 'merchantCardRefundsResume', run: () => service.refunds.resumeCardRefunds() },
  ],
});
