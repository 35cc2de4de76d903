import { InvalidArgumentError } from 'commander';
import { z } from 'zod';
import type { IdentityService } from '../identity/service.js';
import type { LedgerService } from '../ledger/service.js';
import { setting } from '../platform/config/config.js';
import { defineModule, type BuildContext, type ModuleCli } from '../platform/modules/descriptor.js';
import {
  runWalletBalances,
  runWalletExecute,
  runWalletFund,
  runWalletProfileChange,
  runWalletQuote,
} from './cli.js';
import { WALLET_EVENT_REGISTRY } from './events.js';
import { createPriceSource } from './prices/select.js';
import { createTestRail } from './rails/test-rail.js';
import { registerWalletRoutes } from './routes.js';
import { createWalletService, WALLET_SCOPES, type WalletService } from './service.js';
import {
  DEFAULT_WALLET_LIMITS,
  DEMO_STATIC_PRICES,
  PRICE_SOURCES,
  StaticPricesSchema,
  TIERS,
  WalletLimitsSchema,
  type PriceSourceName,
  type StaticPrices,
  type Tier,
  type WalletLimits,
} from './settings.js';

/** The wallet's settings, by YAML key. */
export const WALLET_SETTINGS = {
  walletQuoteTtlSeconds: setting<number>({
    env: 'VW_WALLET_QUOTE_TTL_SECONDS',
    kind: 'int',
    schema: z.number().int().min(10).max(30),
    default: 15,
    doc: 'How long a buy/sell/convert quote holds its price, 10 to 30 seconds; executing it later moves nothing.',
  }),
  walletSpreadBps: setting<number>({
    env: 'VW_WALLET_SPREAD_BPS',
    kind: 'int',
    schema: z.number().int().min(0).max(2000),
    default: 50,
    doc: 'Spread on the mid price in basis points (50 = 0.5%): the customer always gets the worse side.',
  }),
  walletFeeBps: setting<number>({
    env: 'VW_WALLET_FEE_BPS',
    kind: 'int',
    schema: z.number().int().min(0).max(2000),
    default: 25,
    doc: 'Trading fee in basis points of the converted amount, charged in the asset spent and rounded up.',
  }),
  walletPriceSource: setting<PriceSourceName>({
    env: 'VW_WALLET_PRICE_SOURCE',
    kind: 'string',
    schema: z.enum(PRICE_SOURCES),
    default: 'static',
    doc: 'Where quote prices come from: `static` (`VW_WALLET_STATIC_PRICES`) or `coinbase` (the Coinbase Exchange public ticker at `VW_WALLET_PRICE_URL`).',
  }),
  walletStaticPrices: setting<StaticPrices>({
    env: 'VW_WALLET_STATIC_PRICES',
    kind: 'json',
    schema: StaticPricesSchema,
    default: (p) => (p === 'prod' ? {} : DEMO_STATIC_PRICES),
    doc: 'Prices of the `static` source: a mapping `BASE-QUOTE: "decimal"` (`{"BTC-USD":"65000.00"}`). Demo prices in dev and qa, none in prod.',
  }),
  walletPriceUrl: setting<string>({
    env: 'VW_WALLET_PRICE_URL',
    kind: 'string',
    schema: z.url({ protocol: /^https?$/ }),
    default: 'https://api.exchange.coinbase.com',
    doc: 'Base URL of the exchange API of the `coinbase` price source.',
  }),
  walletPriceMaxAgeSeconds: setting<number>({
    env: 'VW_WALLET_PRICE_MAX_AGE_SECONDS',
    kind: 'int',
    schema: z.number().int().min(1).max(3600),
    default: 30,
    doc: 'A price observed longer ago than this refuses to quote (`price_stale`).',
  }),
  walletPriceTimeoutMs: setting<number>({
    env: 'VW_WALLET_PRICE_TIMEOUT_MS',
    kind: 'int',
    schema: z.number().int().min(50).max(60_000),
    default: 3000,
    doc: 'Timeout of one request to the exchange price API.',
  }),
  walletPriceReference: setting<string>({
    env: 'VW_WALLET_PRICE_REFERENCE',
    kind: 'string',
    schema: z.string().regex(/^[A-Z][A-Z0-9]{1,15}$/),
    default: 'USD',
    doc: 'Asset that crypto-to-crypto conversions are priced through (BTC→ETH uses BTC-USD and ETH-USD).',
  }),
  walletLimits: setting<WalletLimits>({
    env: 'VW_WALLET_LIMITS',
    kind: 'json',
    schema: WalletLimitsSchema,
    default: DEFAULT_WALLET_LIMITS,
    doc: 'Per verification tier (`unverified`, `verified`, `enhanced`): `perTransaction` and `daily` amounts per asset, and `perHour` outgoing movements. An asset without limits at a tier cannot be moved out. See src/wallet/settings.ts.',
  }),
  walletTestRail: setting<boolean>({
    env: 'VW_WALLET_TEST_RAIL',
    kind: 'bool',
    schema: z.boolean(),
    default: (p) => p !== 'prod',
    doc: 'Enable the simulated fiat payment rail (test-mode deposits and withdrawals). On in dev and qa, off in prod.',
  }),
  walletTestRailSettleMs: setting<number>({
    env: 'VW_WALLET_TEST_RAIL_SETTLE_MS',
    kind: 'int',
    schema: z.number().int().min(0).max(86_400_000),
    default: 2000,
    doc: 'How long the test rail takes to settle a deposit or withdrawal.',
  }),
} as const;

/** Balances, payments, trades, bank transfers, limits and freezes, on the ledger. */
export const walletModule = defineModule<{ ledger: LedgerService; identity: IdentityService }>()({
  name: 'wallet',
  dependsOn: ['ledger', 'identity'],
  settings: WALLET_SETTINGS,
  scopes: WALLET_SCOPES,
  events: WALLET_EVENT_REGISTRY,
  build: ({
    platform,
    settings,
    deps,
  }: BuildContext<
    typeof WALLET_SETTINGS,
    { ledger: LedgerService; identity: IdentityService }
  >) => {
    const clock = () => new Date(platform.now());
    const { identity } = deps;
    return createWalletService({
      db: platform.db,
      ledger: deps.ledger,
      outbox: platform.outbox,
      jobs: platform.jobs,
      audit: platform.audit,
      logger: platform.logger,
      users: {
        get: (id) => identity.getUser(id),
        findByEmail: (email) => identity.findUserByEmail(email),
        findByHandle: (handle) => identity.findUserByHandle(handle),
        namesStatement: (id, by) => identity.namesUserStatement(id, by),
        handlesOf: (ids) => identity.handlesOf(ids),
      },
      prices: createPriceSource({
        source: settings.walletPriceSource,
        staticPrices: settings.walletStaticPrices,
        url: settings.walletPriceUrl,
        timeoutMs: settings.walletPriceTimeoutMs,
        userAgent: `vaultwire/${platform.version}`,
        clock,
      }),
      rail: settings.walletTestRail
        ? createTestRail({ settleMs: settings.walletTestRailSettleMs, clock })
        : undefined,
      settings: {
        quoteTtlSeconds: settings.walletQuoteTtlSeconds,
        spreadBps: settings.walletSpreadBps,
        feeBps: settings.walletFeeBps,
        priceMaxAgeSeconds: settings.walletPriceMaxAgeSeconds,
        priceReference: settings.walletPriceReference,
        limits: settings.walletLimits,
      },
      clock,
    });
  },
  routes: (http, { service, deps }) => {
    registerWalletRoutes(http, { wallet: service, ledger: deps.ledger });
  },
  maintenance: ({ service }) => [
    { name: 'walletLimitCounters', run: () => service.pruneLimitCounters() },
  ],
  cli: walletCli,
});

function walletCli(cli: ModuleCli<WalletService, typeof WALLET_SETTINGS>): void {
  const { program, output } = cli;
  const walletCommand = program
    .command('wallet')
    .description('Users’ wallets: fund in test mode, quote and trade, freeze, tiers');

  walletCommand
    .command('fund')
    .description('Deposit fiat to a user through the test-mode rail, settled at once')
    .requiredOption('--user <user>', 'user id, @handle or email')
    .requiredOption('--asset <code>', 'fiat asset, e.g. USD')
    .requiredOption('--amount <decimal>', 'e.g. 100.00')
    .action(async (opts: { user: string; asset: string; amount: string }) => {
      await cli.run(({ service }) => runWalletFund(service, output, opts));
    });

  walletCommand
    .command('balances')
    .description("A user's balances, tier and freeze state")
    .requiredOption('--user <user>', 'user id, @handle or email')
    .action(async (opts: { user: string }) => {
      await cli.run(({ service }) => runWalletBalances(service, output, opts));
    });

  walletCommand
    .command('quote')
    .description('Price a buy, sell or conversion for a user; --execute trades it at once')
    .requiredOption('--user <user>', 'user id, @handle or email')
    .requiredOption('--from <code>', 'asset spent')
    .requiredOption('--to <code>', 'asset received')
    .option('--spend <decimal>', 'total to spend, fee included')
    .option('--receive <decimal>', 'exact amount to receive')
    .option('--execute', 'execute the quote right away')
    .action(
      async (opts: {
        user: string;
        from: string;
        to: string;
        spend?: string;
        receive?: string;
        execute?: boolean;
      }) => {
        await cli.run(({ service }) => runWalletQuote(service, output, opts));
      },
    );

  walletCommand
    .command('execute')
    .description('Execute a quote (once: again answers the same trade)')
    .argument('<quote_id>', 'quo_…')
    .requiredOption('--user <user>', 'user id, @handle or email')
    .action(async (quote: string, opts: { user: string }) => {
      await cli.run(({ service }) => runWalletExecute(service, output, { user: opts.user, quote }));
    });

  for (const action of ['freeze', 'unfreeze'] as const) {
    walletCommand
      .command(action)
      .description(
        action === 'freeze' ? 'Stop every movement of a user (audited)' : 'Lift a freeze (audited)',
      )
      .requiredOption('--user <user>', 'user id, @handle or email')
      .requiredOption('--reason <text>', 'why (3 to 500 characters), kept in the audit log')
      .action(async (opts: { user: string; reason: string }) => {
        await cli.run(({ service, actor }) =>
          runWalletProfileChange(service, output, actor, { action, ...opts }),
        );
      });
  }

  walletCommand
    .command('tier')
    .description("Set a user's verification tier, which sets their limits (audited)")
    .requiredOption('--user <user>', 'user id, @handle or email')
    .requiredOption('--tier <tier>', TIERS.join(', '), (v: string) => {
      if (!(TIERS as readonly string[]).includes(v)) {
        throw new InvalidArgumentError(`tiers are ${TIERS.join(', ')}`);
      }
      return v as Tier;
    })
    .requiredOption('--reason <text>', 'why (3 to 500 characters), kept in the audit log')
    .action(async (opts: { user: string; tier: Tier; reason: string }) => {
      await cli.run(({ service, actor }) =>
        runWalletProfileChange(service, output, actor, { action: 'tier', ...opts }),
      );
    });
}
