import type { LedgerService } from '../ledger/service.js';
import type { HttpApp } from '../platform/http/app.js';
import { registerWalletAdminRoutes } from './routes/admin.js';
import { registerBalanceRoutes } from './routes/balances.js';
import { registerFiatRoutes } from './routes/fiat.js';
import { registerPaymentRequestRoutes } from './routes/payment-requests.js';
import { registerPaymentRoutes } from './routes/payments.js';
import { registerTradeRoutes } from './routes/trades.js';
import type { WalletService } from './service.js';

/**
 * Registers the wallet's /v1 routes: balances, history, payments, trades, bank transfers,
 * admin. One file per resource under `routes/`; the order here is the order of the
 * published API reference.
 */
export function registerWalletRoutes(
  app: HttpApp,
  deps: { wallet: WalletService; ledger: LedgerService },
): void {
  registerBalanceRoutes(app, deps);
  registerPaymentRoutes(app, deps);
  registerPaymentRequestRoutes(app, deps);
  registerTradeRoutes(app, deps);
  registerFiatRoutes(app, deps);
  registerWalletAdminRoutes(app, deps);
}
