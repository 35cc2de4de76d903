import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { meQuery, Page, useSignOut } from '../../components/Layout';
import { LoadError, Loading } from '../../components/States';

/** The account: who is signed in, security, API keys, receive, sign out. */
export function MorePage() {
  const me = useQuery(meQuery);
  const signOut = useSignOut();
  return (
    <Page title="Account">
      {me.isPending ? (
        <Loading />
      ) : me.isError ? (
        <LoadError error={me.error} retry={() => void me.refetch()} />
      ) : (
        <div className="card">
          <p className="row-title">{me.data.email}</p>
          <p className="muted">
            {me.data.handle
              ? `Friends pay you at @${me.data.handle}`
              : 'No handle: friends pay you by email'}
          </p>
        </div>
      )}
      <ul className="list links" aria-label="Wallet">
        <li>
          <Link to="/requests">Request money</Link>
        </li>
        <li>
          <Link to="/receive">Receive crypto</Link>
        </li>
        <li>
          <Link to="/send">Send crypto</Link>
        </li>
        <li>
          <Link to="/add-money">Add money</Link>
        </li>
      </ul>
      <ul className="list links" aria-label="Settings">
        <li>
          <Link to="/profile">Profile, password and sessions</Link>
        </li>
        <li>
          <Link to="/security">Two-factor authentication</Link>
        </li>
        <li>
          <Link to="/api-keys">API keys</Link>
        </li>
      </ul>
      <ul className="list links" aria-label="Work">
        <li>
          <Link to="/merchant">Merchant dashboard</Link>
        </li>
        {me.data && (me.data.role === 'operator' || me.data.role === 'admin') && (
          <li>
            <Link to="/ops">Operations console</Link>
          </li>
        )}
      </ul>
      <button type="button" className="button secondary wide" onClick={signOut}>
        Log out
      </button>
    </Page>
  );
}
