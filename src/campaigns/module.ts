import type { LedgerService } from '../ledger/service.js';
import { defineModule, type BuildContext } from '../platform/modules/descriptor.js';
import { registerCampaignRoutes } from './routes.js';
import { createCampaignsService, type CampaignsService } from './service.js';

export const CAMPAIGN_SCOPES = {
  'campaigns:read': 'Read your campaigns, their codes (and CSV export) and analytics',
  'campaigns:write': 'Create and pause campaigns, add and generate coupon codes',
} as const satisfies Record<string, string>;

const CAMPAIGNS_SETTINGS = {} as const;

/** DIY campaigns: schedule, budget, target, discount rules and coupon codes. */
export const campaignsModule = defineModule<{ ledger: LedgerService }>()({
  name: 'campaigns',
  dependsOn: ['ledger'],
  settings: CAMPAIGNS_SETTINGS,
  scopes: CAMPAIGN_SCOPES,
  build: ({
    platform,
    deps,
  }: BuildContext<typeof CAMPAIGNS_SETTINGS, { ledger: LedgerService }>): CampaignsService =>
    createCampaignsService({
      db: platform.db,
      jobs: platform.jobs,
      currencyExists: async (code) => (await deps.ledger.getAsset(code)) !== undefined,
      clock: () => new Date(platform.now()),
    }),
  routes: (http, { service, deps }) => {
    registerCampaignRoutes(http, { campaigns: service, ledger: deps.ledger });
  },
});
