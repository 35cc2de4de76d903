import { InvalidArgumentError } from 'commander';
import { z } from 'zod';
import { setting } from '../platform/config/config.js';
import type { Logger } from '../platform/observability/logger.js';
import { defineModule, type BuildContext, type ModuleCli } from '../platform/modules/descriptor.js';
import { runAssetsCreate, runAssetsList, runLedgerVerify } from './cli.js';
import { createLedgerService, type LedgerService } from './service.js';

/** The ledger's settings, by YAML key. */
export const LEDGER_SETTINGS = {
  demoAssets: setting<boolean>({
    env: 'VW_DEMO_ASSETS',
    kind: 'bool',
    schema: z.boolean(),
    default: (p) => p === 'dev',
    doc: 'Register the demo assets USD, EUR (fiat, 2 decimals), BTC (8), ETH (18) and USDC (6) at start, if missing, so a fresh install can move money at once. On in dev only.',
  }),
} as const;

/** What the `dev` profile registers at start (VW_DEMO_ASSETS), so the walkthrough needs no setup. */
export const DEMO_ASSETS = [
  { code: 'USD', kind: 'fiat', scale: 2, name: 'US Dollar' },
  { code: 'EUR', kind: 'fiat', scale: 2, name: 'Euro' },
  { code: 'BTC', kind: 'crypto', scale: 8, name: 'Bitcoin' },
  { code: 'ETH', kind: 'crypto', scale: 18, name: 'Ether' },
  { code: 'USDC', kind: 'crypto', scale: 6, name: 'USD Coin' },
] as const;

async function seedDemoAssets(ledger: LedgerService, logger: Logger): Promise<void> {
  const created: string[] = [];
  for (const asset of DEMO_ASSETS) {
    const r = await ledger.createAsset(asset);
    // An asset of that code with other settings is the operator's: theirs stands.
    if (!r.ok)
      logger.warn({ asset: asset.code, error: r.code }, `demo asset not added: ${r.message}`);
    else if (r.created) created.push(asset.code);
  }
  if (created.length > 0) logger.info({ assets: created }, 'demo assets added');
}

/** The double-entry ledger: assets, accounts, balances, transfers, holds. */
export const ledgerModule = defineModule()({
  name: 'ledger',
  dependsOn: [],
  settings: LEDGER_SETTINGS,
  build: ({ platform }: BuildContext<typeof LEDGER_SETTINGS, object>) => {
    // Ledger events are not wired to the outbox yet: the wallet publishes its own domain
    // events; a ledger registry would plug in as `events` here.
    const ledger = createLedgerService({
      db: platform.db,
      logger: platform.logger,
      clock: () => new Date(platform.now()),
    });
    // Registered before the roles start, so it runs after the HTTP server has stopped.
    platform.lifecycle.onStop('ledger', () => ledger.drain());
    return ledger;
  },
  onStart: async ({ service, platform, settings }) => {
    if (settings.demoAssets) await seedDemoAssets(service, platform.logger);
  },
  cli: ledgerCli,
});

function ledgerCli(cli: ModuleCli<LedgerService, typeof LEDGER_SETTINGS>): void {
  const { program, output } = cli;
  program
    .command('ledger')
    .description('The double-entry ledger')
    .command('verify')
    .description(
      'Check every ledger invariant (balanced transactions, zero sum per asset, stored balances ' +
        'equal their entries and holds, no forbidden negative): exit 0, or 1 with a report',
    )
    .option('--json', 'print the report as JSON')
    .action(async (opts: { json?: boolean }) => {
      await cli.run(({ platform }) => runLedgerVerify(platform.db, output, opts));
    });

  const assetsCommand = program.command('assets').description('Assets the ledger holds');
  assetsCommand
    .command('create')
    .description('Register an asset and its house accounts (liquidity, fees, rounding, settlement)')
    .argument('<code>', 'upper-case code, e.g. USD, BTC, ETH, USDC')
    .requiredOption('--kind <kind>', 'fiat or crypto')
    .requiredOption(
      '--scale <decimals>',
      'decimals of the minor unit (USD 2, BTC 8, ETH 18); can never change',
      (v: string) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0 || n > 36) {
          throw new InvalidArgumentError('must be an integer from 0 to 36');
        }
        return n;
      },
    )
    .option('--name <name>', 'display name')
    .action(async (code: string, opts: { kind: string; scale: number; name?: string }) => {
      await cli.run(({ service }) => runAssetsCreate(service, output, { code, ...opts }));
    });
  assetsCommand
    .command('list')
    .description('List assets')
    .action(async () => {
      await cli.run(({ service }) => runAssetsList(service, output));
    });
}
