import { useQuery } from '@tanstack/react-query';
import { Link, Outlet } from '@tanstack/react-router';
import { meQuery, Page } from '../../components/Layout';
import { Empty } from '../../components/States';
import { QueryView } from '../../components/ui';

const SECTIONS = [
  ['/ops', 'Chains'],
  ['/ops/nodes', 'Nodes and alerts'],
  ['/ops/producer', 'Producer'],
  ['/ops/deliveries', 'Webhook deliveries'],
  ['/ops/queues', 'Queues'],
  ['/ops/withdrawals', 'Withdrawals'],
  ['/ops/users', 'Users'],
] as const;

/**
 * The operations console, for the operator and admin roles. The API enforces every scope;
 * the console only leaves out what the role cannot open (the audit log is admin-only).
 */
export function OpsLayout() {
  const me = useQuery(meQuery);
  return (
    <QueryView query={me}>
      {(user) =>
        user.role !== 'operator' && user.role !== 'admin' ? (
          <Page title="Operations console">
            <Empty title="For operators">
              <p>This console needs the operator or admin role; an admin grants it.</p>
            </Empty>
          </Page>
        ) : (
          <Page title="Operations console">
            <nav aria-label="Console">
              <ul className="subnav">
                {[
                  ...SECTIONS,
                  ...(user.role === 'admin' ? ([['/ops/audit', 'Audit log']] as const) : []),
                ].map(([to, label]) => (
                  <li key={to}>
                    <Link
                      to={to}
                      activeOptions={{ exact: to === '/ops' }}
                      activeProps={{ 'aria-current': 'page' }}
                    >
                      {label}
                    </Link>
                  </li>
                ))}
              </ul>
            </nav>
            <Outlet />
          </Page>
        )
      }
    </QueryView>
  );
}
