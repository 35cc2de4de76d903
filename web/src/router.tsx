import {
  createRootRoute,
  createRoute,
  createRouter,
  lazyRouteComponent,
  Outlet,
  redirect,
} from '@tanstack/react-router';
import { session, whenSignedOut } from './api';
import { SignedInLayout } from './components/Layout';
import { LogInPage } from './features/auth/LogInPage';
import { SignUpPage } from './features/auth/SignUpPage';
import { parseHistorySearch } from './features/wallet/historySearch';
import { HomePage } from './features/wallet/HomePage';

// Route-level code splitting: the first load carries the shell, log-in, sign-up and the
// balances page; every other page is its own chunk, fetched when a link to it is hovered
// or followed (defaultPreload: 'intent'), so the merchant dashboard and the operations
// console cost a person opening the wallet nothing.

const rootRoute = createRootRoute({ component: Outlet });

const signedOutOnly = () => {
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- TanStack Router redirects by throwing
  if (session.token()) throw redirect({ to: '/' });
};

const logInRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/login',
  beforeLoad: signedOutOnly,
  component: LogInPage,
});

const signUpRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/signup',
  beforeLoad: signedOutOnly,
  component: SignUpPage,
});

/** Every page behind sign-in: no session, to the log-in page. */
const signedInRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: '_app',
  beforeLoad: () => {
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- TanStack Router redirects by throwing
    if (!session.token()) throw redirect({ to: '/login' });
  },
  component: SignedInLayout,
});

const homeRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/',
  component: HomePage,
});

const payRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/pay',
  component: lazyRouteComponent(() => import('./features/wallet/PayPage'), 'PayPage'),
});
const addMoneyRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/add-money',
  component: lazyRouteComponent(() => import('./features/wallet/AddMoneyPage'), 'AddMoneyPage'),
});
const tradeRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/trade',
  component: lazyRouteComponent(() => import('./features/wallet/TradePage'), 'TradePage'),
});
const receiveRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/receive',
  component: lazyRouteComponent(() => import('./features/wallet/ReceivePage'), 'ReceivePage'),
});
const requestsRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/requests',
  component: lazyRouteComponent(() => import('./features/wallet/RequestsPage'), 'RequestsPage'),
});
const sendRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/send',
  component: lazyRouteComponent(() => import('./features/wallet/SendCryptoPage'), 'SendCryptoPage'),
});
const moreRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/more',
  component: lazyRouteComponent(() => import('./features/settings/MorePage'), 'MorePage'),
});
const securityRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/security',
  component: lazyRouteComponent(() => import('./features/settings/SecurityPage'), 'SecurityPage'),
});
const profileRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/profile',
  component: lazyRouteComponent(() => import('./features/settings/ProfilePage'), 'ProfilePage'),
});
const apiKeysRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/api-keys',
  component: lazyRouteComponent(() => import('./features/settings/ApiKeysPage'), 'ApiKeysPage'),
});

const historyRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/history',
  validateSearch: parseHistorySearch,
  component: lazyRouteComponent(() => import('./features/wallet/HistoryPage'), 'HistoryPage'),
});

const merchantsRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/merchant',
  component: lazyRouteComponent(() => import('./features/merchant/MerchantsPage'), 'MerchantsPage'),
});
const merchantRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/merchant/$merchantId',
  component: lazyRouteComponent(
    () => import('./features/merchant/MerchantLayout'),
    'MerchantLayout',
  ),
});
const invoicesRoute = createRoute({
  getParentRoute: () => merchantRoute,
  path: '/',
  component: lazyRouteComponent(() => import('./features/merchant/InvoicesPage'), 'InvoicesPage'),
});
const invoiceRoute = createRoute({
  getParentRoute: () => merchantRoute,
  path: '/invoices/$invoiceId',
  component: lazyRouteComponent(() => import('./features/merchant/InvoicePage'), 'InvoicePage'),
});
const refundsRoute = createRoute({
  getParentRoute: () => merchantRoute,
  path: '/refunds',
  component: lazyRouteComponent(() => import('./features/merchant/RefundsPage'), 'RefundsPage'),
});
const payoutsRoute = createRoute({
  getParentRoute: () => merchantRoute,
  path: '/payouts',
  component: lazyRouteComponent(() => import('./features/merchant/PayoutsPage'), 'PayoutsPage'),
});
const paymentLinksRoute = createRoute({
  getParentRoute: () => merchantRoute,
  path: '/links',
  component: lazyRouteComponent(
    () => import('./features/merchant/PaymentLinksPage'),
    'PaymentLinksPage',
  ),
});
const webhooksRoute = createRoute({
  getParentRoute: () => merchantRoute,
  path: '/webhooks',
  component: lazyRouteComponent(() => import('./features/merchant/WebhooksPage'), 'WebhooksPage'),
});
const webhookEndpointRoute = createRoute({
  getParentRoute: () => merchantRoute,
  path: '/webhooks/$endpointId',
  component: lazyRouteComponent(
    () => import('./features/merchant/WebhookEndpointPage'),
    'WebhookEndpointPage',
  ),
});
const merchantKeysRoute = createRoute({
  getParentRoute: () => merchantRoute,
  path: '/keys',
  component: lazyRouteComponent(
    () => import('./features/merchant/MerchantKeysPage'),
    'MerchantKeysPage',
  ),
});
const teamRoute = createRoute({
  getParentRoute: () => merchantRoute,
  path: '/team',
  component: lazyRouteComponent(() => import('./features/merchant/TeamPage'), 'TeamPage'),
});
const opsRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/ops',
  component: lazyRouteComponent(() => import('./features/ops/OpsLayout'), 'OpsLayout'),
});
const opsChainsRoute = createRoute({
  getParentRoute: () => opsRoute,
  path: '/',
  component: lazyRouteComponent(() => import('./features/ops/ChainsPage'), 'ChainsPage'),
});
const opsNodesRoute = createRoute({
  getParentRoute: () => opsRoute,
  path: '/nodes',
  component: lazyRouteComponent(() => import('./features/ops/NodesPage'), 'NodesPage'),
});
const opsProducerRoute = createRoute({
  getParentRoute: () => opsRoute,
  path: '/producer',
  component: lazyRouteComponent(() => import('./features/ops/ProducerPage'), 'ProducerPage'),
});
const opsDeliveriesRoute = createRoute({
  getParentRoute: () => opsRoute,
  path: '/deliveries',
  component: lazyRouteComponent(() => import('./features/ops/DeliveriesPage'), 'DeliveriesPage'),
});
const opsDeliveryEndpointRoute = createRoute({
  getParentRoute: () => opsRoute,
  path: '/deliveries/$endpointId',
  component: lazyRouteComponent(
    () => import('./features/ops/DeliveryEndpointPage'),
    'DeliveryEndpointPage',
  ),
});
const opsQueuesRoute = createRoute({
  getParentRoute: () => opsRoute,
  path: '/queues',
  component: lazyRouteComponent(() => import('./features/ops/QueuesPage'), 'QueuesPage'),
});
const opsWithdrawalsRoute = createRoute({
  getParentRoute: () => opsRoute,
  path: '/withdrawals',
  component: lazyRouteComponent(() => import('./features/ops/WithdrawalsPage'), 'WithdrawalsPage'),
});
const opsUsersRoute = createRoute({
  getParentRoute: () => opsRoute,
  path: '/users',
  component: lazyRouteComponent(() => import('./features/ops/UsersPage'), 'UsersPage'),
});
const opsAuditRoute = createRoute({
  getParentRoute: () => opsRoute,
  path: '/audit',
  component: lazyRouteComponent(() => import('./features/ops/AuditPage'), 'AuditPage'),
});

const routeTree = rootRoute.addChildren([
  logInRoute,
  signUpRoute,
  signedInRoute.addChildren([
    homeRoute,
    historyRoute,
    payRoute,
    addMoneyRoute,
    tradeRoute,
    receiveRoute,
    requestsRoute,
    sendRoute,
    moreRoute,
    securityRoute,
    profileRoute,
    apiKeysRoute,
    merchantsRoute,
    merchantRoute.addChildren([
      invoicesRoute,
      invoiceRoute,
      refundsRoute,
      payoutsRoute,
      paymentLinksRoute,
      webhooksRoute,
      webhookEndpointRoute,
      merchantKeysRoute,
      teamRoute,
    ]),
    opsRoute.addChildren([
      opsChainsRoute,
      opsNodesRoute,
      opsProducerRoute,
      opsDeliveriesRoute,
      opsDeliveryEndpointRoute,
      opsQueuesRoute,
      opsWithdrawalsRoute,
      opsUsersRoute,
      opsAuditRoute,
    ]),
  ]),
]);

export const router = createRouter({
  routeTree,
  basepath: '/app',
  defaultPreload: 'intent',
  scrollRestoration: true,
});

whenSignedOut(() => {
  void router.navigate({ to: '/login' });
});

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
