import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { formatAmount } from '../../api';
import { Page } from '../../components/Layout';
import { Empty, LoadError, Loading } from '../../components/States';
import { DisplayTotal } from './DisplayTotal';
import { balancesQuery, walletQuery } from './queries';

/** Balances, and the actions a person comes for. */
export function HomePage() {
  const wallet = useQuery(walletQuery);
  const balances = useQuery(balancesQuery);
  return (
    <Page title="Balances">
      <div className="actions">
        <Link to="/pay" className="button">
          Pay a friend
        </Link>
        <Link to="/add-money" className="button secondary">
          Add money
        </Link>
        <Link to="/trade" className="button secondary">
          Buy or sell
        </Link>
        <Link to="/requests" className="button secondary">
          Request money
        </Link>
        <Link to="/receive" className="button secondary">
          Receive crypto
        </Link>
        <Link to="/send" className="button secondary">
          Send crypto
        </Link>
      </div>
      {wallet.isPending || balances.isPending ? (
        <Loading label="Loading balances…" />
      ) : wallet.isError || balances.isError ? (
        <LoadError
          error={wallet.error ?? balances.error}
          retry={() => {
            void wallet.refetch();
            void balances.refetch();
          }}
        />
      ) : (
        <>
          {wallet.data.frozen && (
            <p className="banner" role="alert">
              Your wallet is frozen
              {wallet.data.frozen_reason ? `: ${wallet.data.frozen_reason}` : ''}. Money cannot
              leave it until support lifts the freeze.
            </p>
          )}
          {balances.data.every((b) => /^0(\.0+)?$/.test(b.total)) ? (
            <Empty title="No money here yet">
              <p>
                <Link to="/add-money">Add money</Link> from your bank, or share your handle so
                friends can pay you.
              </p>
            </Empty>
          ) : (
            <>
              <DisplayTotal balances={balances.data} />
              <ul className="list balances" aria-label="Balances">
                {balances.data.map((b) => (
                  <li key={b.asset} className="row">
                    <span className="asset-badge" aria-hidden="true">
                      {b.asset.slice(0, 3)}
                    </span>
                    <span className="row-main">
                      <span className="row-title">{b.asset}</span>
                      <span className="row-sub">
                        {b.held !== '0' && !/^0(\.0+)?$/.test(b.held)
                          ? `${formatAmount(b.held, b.asset)} on hold · `
                          : ''}
                        {!/^0(\.0+)?$/.test(b.incoming)
                          ? `${formatAmount(b.incoming, b.asset)} incoming · `
                          : ''}
                        {b.kind}
                      </span>
                    </span>
                    <span className="amount">{formatAmount(b.available, b.asset)}</span>
                  </li>
                ))}
              </ul>
            </>
          )}
          <p className="muted">Verification tier: {wallet.data.tier}</p>
        </>
      )}
    </Page>
  );
}
