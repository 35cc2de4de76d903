import { InvalidArgumentError } from 'commander';
import { z } from 'zod';
import type { LedgerService } from '../ledger/service.js';
// Nodes node operations banned leave every RPC pool. Chains owns the port
// (`EndpointBanSource`); this is the one place that plugs the node-ops ban feed into it.
import { createNodeBanFeed } from '../nodeops/bans.js';
import { setting } from '../platform/config/config.js';
import { defineModule, type BuildContext, type ModuleCli } from '../platform/modules/descriptor.js';
// The contracts webhook subscriptions name, read from the webhooks' change log: the
// follower must emit their every log. Chains owns the port (`LogInterestSource`); this is
// the one place that plugs the webhooks' reader into it.
import { createContractLogInterest } from '../webhooks/subscriptions/log-interest.js';
import {
  runChainsBackfill,
  runChainsExportSeed,
  runChainsRewind,
  runChainsStatus,
  runChainsXpub,
} from './cli.js';
import { createEndpointBans } from './endpoint-bans.js';
import { CHAIN_EVENT_REGISTRY } from './events.js';
import { createLedgerFunds } from './funds.js';
import { registerChainRoutes } from './routes.js';
import { CHAIN_SCOPES, createChainsService, type ChainsService } from './service.js';
import { ChainsSettingsSchema, type ChainSettings } from './settings.js';

/** The chains module's settings, by YAML key. */
export const CHAINS_SETTINGS = {
  chains: setting<ChainSettings[]>({
    env: 'VW_CHAINS',
    kind: 'json',
    schema: ChainsSettingsSchema,
    default: [],
    doc: 'Chains to follow: a YAML list under `chains:` (or JSON in `VW_CHAINS`), each with `key`, `chainId`, `rpcUrls`, `confirmations`, `nativeAsset`, `tokens`, `logFilters`, `withdrawals`. See src/chains/settings.ts.',
  }),
  custodyXpub: setting<string | undefined>({
    env: 'VW_CUSTODY_XPUB',
    kind: 'string',
    schema: z
      .string()
      .regex(/^[xt]pub[1-9A-HJ-NP-Za-km-z]{100,112}$/, 'must be an xpub (account level)')
      .optional(),
    default: undefined,
    doc: "Watch-only custody: the account-level xpub (m/44'/60'/0') deposit addresses derive from. No private key is kept and withdrawals are refused.",
  }),
  custodyMnemonic: setting<string | undefined>({
    env: 'VW_CUSTODY_MNEMONIC',
    kind: 'string',
    schema: z.string().min(20).optional(),
    default: undefined,
    doc: 'BIP-39 mnemonic to import as the wallet seed on first start (stored encrypted, then unset it). Without it a seed is generated. A different stored seed is never replaced.',
    secret: true,
  }),
} as const;

/** Chain followers, custody, deposits and withdrawals; the `follower` role. */
export const chainsModule = defineModule<{ ledger: LedgerService }>()({
  name: 'chains',
  dependsOn: ['ledger'],
  settings: CHAINS_SETTINGS,
  scopes: CHAIN_SCOPES,
  events: CHAIN_EVENT_REGISTRY,
  roles: [
    {
      name: 'follower',
      description: 'One follower and one withdrawal sender per chain, each under its own lease',
      start: ({ service }) => service.startFollowers(),
    },
  ],
  build: async ({
    platform,
    settings,
    deps,
  }: BuildContext<typeof CHAINS_SETTINGS, { ledger: LedgerService }>) => {
    // A node out of consensus must serve neither the followers nor the withdrawal senders.
    const bans = createEndpointBans({
      source: createNodeBanFeed({ db: platform.db }),
      logger: platform.logger.child({ module: 'chains' }),
    });
    if (settings.chains.length > 0) {
      await bans.start();
      platform.lifecycle.onStop('chains.bans', () => bans.close());
    }
    const chains = createChainsService({
      db: platform.db,
      logger: platform.logger,
      outbox: platform.outbox,
      leases: platform.leases,
      funds: createLedgerFunds(deps.ledger),
      secretBox: platform.secretBox,
      registry: platform.metrics.registry,
      chains: settings.chains,
      custody: { xpub: settings.custodyXpub, mnemonic: settings.custodyMnemonic },
      logInterest: createContractLogInterest({ db: platform.db }),
      audit: platform.audit,
      bans,
    });
    // Checks the custody wallet against its settings and registers chain assets in the
    // ledger before anything runs; without chains or custody settings it waits for first use.
    if (settings.chains.length > 0 || settings.custodyXpub || settings.custodyMnemonic) {
      await chains.init();
    }
    return chains;
  },
  routes: (http, { service }) => {
    registerChainRoutes(http, { chains: service });
  },
  cli: chainsCli,
});

function parseBlock(value: string): bigint {
  if (!/^\d{1,19}$/.test(value)) throw new InvalidArgumentError('must be a block number');
  return BigInt(value);
}

function chainsCli(cli: ModuleCli<ChainsService, typeof CHAINS_SETTINGS>): void {
  const { program, output } = cli;
  const chainsCommand = program
    .command('chains')
    .description('Chain followers, custody and backfills');

  chainsCommand
    .command('status')
    .description('Each chain: follower cursor, confirmed height, node head, lag, lease holder')
    .option('--json', 'print one JSON object per chain')
    .action(async (opts: { json?: boolean }) => {
      await cli.run(({ service }) => runChainsStatus(service, output, opts));
    });

  chainsCommand
    .command('backfill')
    .description('Re-read a confirmed block range and store any event not stored yet')
    .requiredOption('--chain <key>', 'chain key from the configuration')
    .requiredOption('--from <n>', 'first block', parseBlock)
    .requiredOption('--to <n>', 'last block (at or below the confirmed height)', parseBlock)
    .action(async (opts: { chain: string; from: bigint; to: bigint }) => {
      await cli.run(({ service }) => runChainsBackfill(service, output, opts));
    });

  chainsCommand
    .command('rewind')
    .description(
      'Ask the follower to go back to a block (events above it are removed and re-read); ' +
        'also restarts a follower halted by a reorg deeper than its window',
    )
    .requiredOption('--chain <key>', 'chain key from the configuration')
    .requiredOption('--to <n>', 'block to go back to (pick a final one)', parseBlock)
    .option(
      '--unverified',
      'accept a block below the stored window, whose hash cannot be checked against the node',
    )
    .action(async (opts: { chain: string; to: bigint; unverified?: boolean }) => {
      await cli.run(({ service }) => runChainsRewind(service, output, opts));
    });

  chainsCommand
    .command('xpub')
    .description("Print the deposit account's xpub (for a watch-only deployment)")
    .action(async () => {
      await cli.run(({ service }) => runChainsXpub(service, output));
    });

  chainsCommand
    .command('export-seed')
    .description('Print the wallet mnemonic for an offline backup (needs --yes)')
    .option('--yes', 'yes, print the secret')
    .action(async (opts: { yes?: boolean }) => {
      await cli.run(({ service }) => runChainsExportSeed(service, output, opts));
    });
}
