import {
  createRootRoute,
  createRoute,
  createRouter,
  Outlet,
  redirect,
} from '@tanstack/react-router';
import { session, whenSignedOut } from './api';
import { SignedInLayout } from './components/Layout';
import { LogInPage } from './features/auth/LogInPage';
import { SignUpPage } from './features/auth/SignUpPage';
import { ApiKeysPage } from './features/settings/ApiKeysPage';
import { MorePage } from './features/settings/MorePage';
import { SecurityPage } from './features/settings/SecurityPage';
import { AddMoneyPage } from './features/wallet/AddMoneyPage';
import { HistoryPage, parseHistorySearch } from './features/wallet/HistoryPage';
import { HomePage } from './features/wallet/HomePage';
import { PayPage } from './features/wallet/PayPage';
import { ReceivePage } from './features/wallet/ReceivePage';
import { TradePage } from './features/wallet/TradePage';

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
  component: PayPage,
});
const addMoneyRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/add-money',
  component: AddMoneyPage,
});
const tradeRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/trade',
  component: TradePage,
});
const receiveRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/receive',
  component: ReceivePage,
});
const moreRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/more',
  component: MorePage,
});
const securityRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/security',
  component: SecurityPage,
});
const apiKeysRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/api-keys',
  component: ApiKeysPage,
});

const historyRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/history',
  validateSearch: parseHistorySearch,
  component: HistoryPage,
});

const routeTree = rootRoute.addChildren([
  logInRoute,
  signUpRoute,
  signedInRoute.addChildren([
    homeRoute,
    payRoute,
    addMoneyRoute,
    tradeRoute,
    receiveRoute,
    historyRoute,
    moreRoute,
    securityRoute,
    apiKeysRoute,
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
