import type { LedgerService } from '../ledger/service.js';
import type { HttpApp } from '../platform/http/app.js';
import type { CampaignsService } from './service.js';

/** Registers the /v1 campaign routes. */
export function registerCampaignRoutes(
  _app: HttpApp,
  _deps: { campaigns: CampaignsService; ledger: LedgerService },
): void {}
