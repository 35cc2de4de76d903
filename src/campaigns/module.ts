import type { LedgerService } from '../ledger/service.js';
import type { MerchantsService } from '../merchants/service.js';
import {
  collectArg as collect,
  runWithApi,
  intArg as int,
  withApiOptions,
  type ApiOptions,
} from '../platform/cli/api-client.js';
import { defineModule, type BuildContext, type ModuleCli } from '../platform/modules/descriptor.js';
import { merchantAccess } from './access.js';
import {
  runCampaignsAddCode,
  runCampaignsCreate,
  runCampaignsExport,
  runCampaignsGenerate,
  runCampaignsList,
  type CampaignCreateOptions,
} from './cli.js';
import { createExternalRedemptions } from './redemptions.js';
import { registerCampaignRoutes } from './routes.js';
import { createCampaignsService, type CampaignsService } from './service.js';

export const CAMPAIGN_SCOPES = {
  'campaigns:read': 'Read your merchants’ campaigns, their codes (and CSV export) and analytics',
  'campaigns:write': 'Create and pause your merchants’ campaigns, add and generate coupon codes',
} as const satisfies Record<string, string>;

const CAMPAIGNS_SETTINGS = {} as const;

type Deps = { ledger: LedgerService; merchants: MerchantsService };

/**
 * DIY campaigns of merchant tenants: schedule, budget, target, discount rules and coupon
 * codes. Who may run a merchant's campaigns is asked of the merchants module.
 */
export const campaignsModule = defineModule<Deps>()({
  name: 'campaigns',
  dependsOn: ['ledger', 'merchants'],
  settings: CAMPAIGNS_SETTINGS,
  scopes: CAMPAIGN_SCOPES,
  build: ({ platform, deps }: BuildContext<typeof CAMPAIGNS_SETTINGS, Deps>): CampaignsService => {
    const service = createCampaignsService({
      db: platform.db,
      jobs: platform.jobs,
      audit: platform.audit,
      currencyExists: async (code) => (await deps.ledger.getAsset(code)) !== undefined,
      clock: () => new Date(platform.now()),
      onListenError: (err) => {
        platform.logger.warn({ err }, 'campaign changes cannot be heard; their rules are read');
      },
    });
    platform.lifecycle.onStop('campaigns: campaign changes', () => service.close());
    return service;
  },
  routes: (http, { service, deps, platform }) => {
    registerCampaignRoutes(http, {
      campaigns: service,
      redemptions: createExternalRedemptions({
        db: platform.db,
        campaigns: service,
        audit: platform.audit,
        clock: () => new Date(platform.now()),
      }),
      ledger: deps.ledger,
      access: merchantAccess(deps.merchants.directory),
    });
  },
  cli: campaignsCli,
});

/**
 * `vaultwire campaigns list|create|add-code|generate|export`: through the HTTP API with
 * the caller's token (`VW_API_TOKEN`: a member's session or key, or the merchant's live
 * key), so they may do what that caller may do there and no more; no database is opened.
 */
function campaignsCli(
  cli: Pick<ModuleCli<unknown, typeof CAMPAIGNS_SETTINGS>, 'program' | 'output'>,
): void {
  const { program, output } = cli;
  const run = runWithApi;
  const campaigns = program
    .command('campaigns')
    .description('Your merchants’ campaigns and coupon codes (over the API)');
  withApiOptions(campaigns.command('list'))
    .description('Campaigns of your merchants (or of one), newest first')
    .option('--merchant <id>', 'only this merchant’s')
    .option('--json', 'one JSON object per campaign')
    .action(async (opts: ApiOptions & { merchant?: string; json?: boolean }) => {
      await run(opts, (api, o) => runCampaignsList(api, output, o));
    });
  withApiOptions(campaigns.command('create'))
    .description('Create a campaign; prints its id')
    .option('--merchant <id>', 'the merchant it is for (a merchant key: its own)')
    .requiredOption('--name <name>', 'its name')
    .requiredOption('--channel <label>', 'where it runs (tv-cricket, instagram)')
    .requiredOption('--currency <code>', 'the currency of its amounts (USD)')
    .option('--starts-at <time>', 'ISO 8601 start (default: now)')
    .option('--ends-at <time>', 'ISO 8601 end')
    .option('--percent-off <bps>', 'rule: basis points off (1000 = 10 %)', int)
    .option('--amount-off <amount>', 'rule: a fixed amount off (5.00)')
    .option('--free-variant <id>', 'rule: one unit of this variant free')
    .option('--min-spend <amount>', 'the least eligible amount')
    .option('--first-order-only', 'only a customer’s first order')
    .option('--store <id>', 'target this store (repeat)', collect)
    .option('--product <id>', 'target this product (repeat)', collect)
    .option('--segment <who>', 'everyone, members or guests')
    .option('--budget <amount>', 'most discount in total')
    .option('--redemption-limit <n>', 'most redemptions in total', int)
    .option('--per-customer-limit <n>', 'most redemptions per customer', int)
    .option('--json', 'print the whole campaign as JSON')
    .action(async (opts: ApiOptions & CampaignCreateOptions) => {
      await run(opts, (api, o) => runCampaignsCreate(api, output, o));
    });
  withApiOptions(campaigns.command('add-code'))
    .description('Add a code of your choice (a shared code such as CRICKET25)')
    .argument('<campaign>', 'the campaign (cmp_…)')
    .argument('<code>', 'the code')
    .option('--usage-limit <n>', 'most redemptions of this code', int)
    .action(async (campaign: string, code: string, opts: ApiOptions & { usageLimit?: number }) => {
      await run(opts, (api, o) => runCampaignsAddCode(api, output, { ...o, campaign, code }));
    });
  withApiOptions(campaigns.command('generate'))
    .description('Generate unique codes (more than 10,000 run as a job)')
    .argument('<campaign>', 'the campaign (cmp_…)')
    .requiredOption('--count <n>', 'how many', int)
    .option('--length <n>', 'random characters per code', int)
    .option('--prefix <text>', 'before each code')
    .option('--pattern <pattern>', '# is a random character (####-####)')
    .option('--usage-limit <n>', 'redemptions per code (default 1)', int)
    .option('--wait', 'for a job: wait until it ends, printing its progress')
    .action(
      async (
        campaign: string,
        opts: ApiOptions & {
          count: number;
          length?: number;
          prefix?: string;
          pattern?: string;
          usageLimit?: number;
          wait?: boolean;
        },
      ) => {
        await run(opts, (api, o) =>
          runCampaignsGenerate(api, output, {
            ...o,
            campaign,
            ...(o.wait ? { waitMs: 1000 } : {}),
          }),
        );
      },
    );
  withApiOptions(campaigns.command('export'))
    .description('Every code of a campaign as CSV (code,kind,usage_limit,used,created_at)')
    .argument('<campaign>', 'the campaign (cmp_…)')
    .option('--out <file>', 'write it to this file (mode 600) instead of stdout')
    .action(async (campaign: string, opts: ApiOptions & { out?: string }) => {
      await run(opts, (api, o) => runCampaignsExport(api, output, { ...o, campaign }));
    });
}
