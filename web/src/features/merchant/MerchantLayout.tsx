import { useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link, Outlet, useRouterState } from '@tanstack/react-router';
import { useMemo, useState } from 'react';
import { api, unwrap } from '../../api';
import { Page } from '../../components/Layout';
import { ActionButton, QueryView } from '../../components/ui';
import { dashboardKeys, merchantClient, MerchantContext, type Mode } from './context';

const route = getRouteApi('/_app/merchant/$merchantId');

/** Pages that work with the person's own session (no merchant key needed). */
const SESSION_PAGES = /\/(keys|team)$/;

/** A merchant's dashboard: its name, the test/live switch, the sections, the page. */
export function MerchantLayout() {
  const { merchantId } = route.useParams();
  const merchant = useQuery({
    queryKey: ['merchants', merchantId],
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/merchants/{merchant}', { params: { path: { merchant: merchantId } } }),
      ),
  });
  const [mode, setModeState] = useState<Mode>(() => dashboardKeys.mode(merchantId));
  const [, setKeyVersion] = useState(0);
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  const token = dashboardKeys.get(merchantId, mode);
  // Read from storage at each render: a key just connected (keyVersion) shows at once.
  const client = useMemo(() => (token ? merchantClient(token) : undefined), [token]);
  const setMode = (m: Mode) => {
    dashboardKeys.setMode(merchantId, m);
    setModeState(m);
  };
  return (
    <QueryView query={merchant}>
      {(m) => (
        <Page
          title={m.name}
          actions={
            <div className="mode-switch" role="group" aria-label="Data shown">
              {(['test', 'live'] as const).map((x) => (
                <button
                  key={x}
                  type="button"
                  aria-pressed={mode === x}
                  onClick={() => {
                    setMode(x);
                  }}
                >
                  {x === 'test' ? 'Test mode' : 'Live'}
                </button>
              ))}
            </div>
          }
        >
          <nav aria-label="Merchant">
            <ul className="subnav">
              {(
                [
                  ['/merchant/$merchantId', 'Invoices'],
                  ['/merchant/$merchantId/refunds', 'Refunds'],
                  ['/merchant/$merchantId/payouts', 'Payouts'],
                  ['/merchant/$merchantId/links', 'Payment links'],
                  ['/merchant/$merchantId/webhooks', 'Webhooks'],
                  ['/merchant/$merchantId/keys', 'API keys'],
                  ['/merchant/$merchantId/team', 'Team'],
                ] as const
              ).map(([to, label]) => (
                <li key={to}>
                  <Link
                    to={to}
                    params={{ merchantId }}
                    activeOptions={{ exact: to === '/merchant/$merchantId' }}
                    activeProps={{ 'aria-current': 'page' }}
                  >
                    {label}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
          {mode === 'test' && (
            <p className="muted">
              Test mode: invoices here are paid by simulated payments, never real money.
            </p>
          )}
          <MerchantContext.Provider
            value={{
              merchant: m,
              mode,
              client,
              key: (...parts) => ['merchant', merchantId, mode, ...parts],
            }}
          >
            {client || SESSION_PAGES.test(pathname) ? (
              <Outlet />
            ) : (
              <Connect
                merchantId={merchantId}
                mode={mode}
                onConnected={() => {
                  setKeyVersion((v) => v + 1);
                }}
              />
            )}
          </MerchantContext.Provider>
        </Page>
      )}
    </QueryView>
  );
}

/** No merchant key for this mode in this browser yet: make one for the dashboard. */
function Connect({
  merchantId,
  mode,
  onConnected,
}: {
  merchantId: string;
  mode: Mode;
  onConnected: () => void;
}) {
  const queryClient = useQueryClient();
  return (
    <div className="card">
      <h2>Connect {mode === 'test' ? 'test mode' : 'live mode'}</h2>
      <p>
        Invoices, refunds, payouts and webhooks answer to a merchant API key. The dashboard makes
        one named “Dashboard ({mode})” and keeps it in this browser; revoke it on the API keys page
        at any time.
      </p>
      <ActionButton
        label={`Create a ${mode} dashboard key`}
        variant="primary"
        run={async () =>
          unwrap(
            await api.POST('/v1/merchants/{merchant}/api_keys', {
              params: { path: { merchant: merchantId } },
              body: { name: `Dashboard (${mode})`, mode },
            }),
          )
        }
        done={async (key) => {
          dashboardKeys.set(merchantId, mode, key.token);
          await queryClient.invalidateQueries({ queryKey: ['merchant', merchantId] });
          onConnected();
        }}
      />
    </div>
  );
}
