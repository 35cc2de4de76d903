import type { HttpApp } from '../platform/http/app.js';
import { registerChainStatusRoutes } from './routes/chains.js';
import { registerDepositRoutes } from './routes/deposits.js';
import { registerWithdrawalRoutes } from './routes/withdrawals.js';
import type { ChainsService } from './service.js';

/**
 * Registers /v1 chain routes: chain status, deposit addresses, deposits, withdrawals. One
 * file per resource under `routes/`; the order here is the order of the published API
 * reference.
 */
export function registerChainRoutes(app: HttpApp, deps: { chains: ChainsService }): void {
  registerChainStatusRoutes(app, deps);
  registerDepositRoutes(app, deps);
  registerWithdrawalRoutes(app, deps);
}
