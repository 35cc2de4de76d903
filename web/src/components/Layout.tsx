import { useQuery } from '@tanstack/react-query';
import { Link, Outlet, useNavigate, useRouterState } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { api, queryClient, session, unwrap } from '../api';

const NAV = [
  { to: '/', label: 'Home' },
  { to: '/pay', label: 'Pay' },
  { to: '/trade', label: 'Trade' },
  { to: '/history', label: 'History' },
  { to: '/more', label: 'More' },
] as const;

export const meQuery = {
  queryKey: ['me'],
  queryFn: async () => unwrap(await api.GET('/v1/me')),
};

/** The frame of every signed-in page: header, the page, the bottom navigation. */
export function SignedInLayout() {
  const me = useQuery(meQuery);
  // The dashboard and the console show tables: they take the screen's width.
  const wide = useRouterState({
    select: (s) => /\/(merchant|ops)(\/|$)/.test(s.location.pathname),
  });
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand">
          Vaultwire
        </Link>
        <span className="who">
          {me.data ? (me.data.handle ? `@${me.data.handle}` : me.data.email) : ''}
        </span>
      </header>
      <main id="main" className={wide ? 'content wide' : 'content'}>
        <Outlet />
      </main>
      <nav className="tabbar" aria-label="Main">
        {NAV.map((item) => (
          <Link
            key={item.to}
            to={item.to}
            activeOptions={{ exact: item.to === '/' }}
            activeProps={{ 'aria-current': 'page', className: 'active' }}
          >
            {item.label}
          </Link>
        ))}
      </nav>
    </div>
  );
}

/** A page's title and its content; the title is the page's one h1. */
export function Page({
  title,
  children,
  actions,
}: {
  title: string;
  children: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <section className="page" aria-labelledby="page-title">
      <div className="page-head">
        <h1 id="page-title">{title}</h1>
        {actions}
      </div>
      {children}
    </section>
  );
}

/** The pages before sign-in: a centred card. */
export function AuthFrame({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main id="main" className="auth">
      <div className="card auth-card">
        <p className="brand">Vaultwire</p>
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}

export function useSignOut(): () => void {
  const navigate = useNavigate();
  return () => {
    void api.DELETE('/v1/sessions/current').finally(() => {
      session.clear();
      queryClient.clear();
      void navigate({ to: '/login' });
    });
  };
}
