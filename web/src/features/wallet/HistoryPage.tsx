import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import { useId, useState, type SyntheticEvent } from 'react';
import { api, formatAmount, formatTime, session, unwrap, type Schema } from '../../api';
import { Page } from '../../components/Layout';
import { Empty, LoadError, Loading } from '../../components/States';
import { TYPES, type ActivityType, type HistorySearch } from './historySearch';
import { assetsQuery } from './queries';

const TYPE_LABEL: Record<ActivityType, string> = {
  payment: 'Payments',
  trade: 'Trades',
  fiat_deposit: 'Bank deposits',
  fiat_withdrawal: 'Bank withdrawals',
  adjustment: 'Adjustments',
};

const route = getRouteApi('/_app/history');

/** Every movement of the wallet, newest first, filtered by asset, kind and dates. */
export function HistoryPage() {
  const search = route.useSearch();
  const history = useInfiniteQuery({
    queryKey: ['history', search],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.GET('/v1/wallet/history', {
          params: {
            query: { ...search, limit: 20, ...(pageParam ? { starting_after: pageParam } : {}) },
          },
        }),
      ),
    getNextPageParam: (last) => (last.has_more ? (last.next_cursor ?? undefined) : undefined),
  });
  const items = history.data?.pages.flatMap((p) => p.data) ?? [];
  const filtered = Object.keys(search).length > 0;
  return (
    <Page title="History" actions={<StatementButton search={search} />}>
      <Filters search={search} />
      {history.isPending ? (
        <Loading label="Loading history…" />
      ) : history.isError ? (
        <LoadError error={history.error} retry={() => void history.refetch()} />
      ) : items.length === 0 ? (
        <Empty title={filtered ? 'Nothing matches these filters' : 'No activity yet'}>
          <p>
            {filtered
              ? 'Try a wider date range or another asset.'
              : 'Payments, trades and deposits appear here.'}
          </p>
        </Empty>
      ) : (
        <>
          <ul className="list" aria-label="Activity">
            {items.map((a) => (
              <ActivityRow key={a.id} activity={a} />
            ))}
          </ul>
          {history.hasNextPage && (
            <button
              type="button"
              className="button secondary wide"
              disabled={history.isFetchingNextPage}
              onClick={() => void history.fetchNextPage()}
            >
              {history.isFetchingNextPage ? 'Loading…' : 'Show more'}
            </button>
          )}
        </>
      )}
    </Page>
  );
}

/**
 * Who a payment was with, as the person reads it: "To @bob", "From @bob". A payment to or
 * from someone without a handle says only which way it went (their email stays private).
 */
export function counterpartyLabel(a: Schema<'Activity'>): string | undefined {
  if (a.type !== 'payment') return undefined;
  const incoming = !a.amount.startsWith('-');
  const who = a.counterparty_handle === null ? undefined : `@${a.counterparty_handle}`;
  if (incoming) return who ? `From ${who}` : 'Received';
  return who ? `To ${who}` : 'Sent';
}

function ActivityRow({ activity: a }: { activity: Schema<'Activity'> }) {
  const incoming = !a.amount.startsWith('-');
  const who = counterpartyLabel(a);
  const kind = TYPE_LABEL[a.type].replace(/s$/, '').toLowerCase();
  return (
    <li className="row">
      <span className="row-main">
        <span className="row-title">{who ?? a.description ?? TYPE_LABEL[a.type]}</span>
        <span className="row-sub">
          <time dateTime={a.occurred_at}>{formatTime(a.occurred_at)}</time> ·{' '}
          {who && a.description ? a.description : kind}
        </span>
      </span>
      <span className={`amount ${incoming ? 'in' : 'out'}`}>
        {incoming ? '+' : ''}
        {formatAmount(a.amount, a.asset)}
      </span>
    </li>
  );
}

function Filters({ search }: { search: HistorySearch }) {
  const navigate = useNavigate({ from: '/history' });
  const assets = useQuery(assetsQuery);
  const id = useId();
  const [draft, setDraft] = useState(search);
  const apply = (e: SyntheticEvent) => {
    e.preventDefault();
    const next = Object.fromEntries(Object.entries(draft).filter(([, v]) => v)) as HistorySearch;
    void navigate({ search: next });
  };
  return (
    <form className="filters" onSubmit={apply} aria-label="Filter history">
      <div className="field">
        <label htmlFor={`${id}-asset`}>Asset</label>
        <select
          id={`${id}-asset`}
          value={draft.asset ?? ''}
          onChange={(e) => {
            setDraft({ ...draft, asset: e.target.value });
          }}
        >
          <option value="">All</option>
          {(assets.data ?? []).map((a) => (
            <option key={a.code} value={a.code}>
              {a.code}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-type`}>Kind</label>
        <select
          id={`${id}-type`}
          value={draft.type ?? ''}
          onChange={(e) => {
            setDraft({ ...draft, type: (e.target.value || undefined) as ActivityType | undefined });
          }}
        >
          <option value="">All</option>
          {TYPES.map((t) => (
            <option key={t} value={t}>
              {TYPE_LABEL[t]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-from`}>From</label>
        <input
          id={`${id}-from`}
          type="date"
          value={draft.from ?? ''}
          onChange={(e) => {
            setDraft({ ...draft, from: e.target.value });
          }}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-to`}>Before</label>
        <input
          id={`${id}-to`}
          type="date"
          value={draft.to ?? ''}
          onChange={(e) => {
            setDraft({ ...draft, to: e.target.value });
          }}
        />
      </div>
      <button type="submit" className="button secondary">
        Apply
      </button>
    </form>
  );
}

/** The statement as CSV, with the same filters (asset and dates). */
function StatementButton({ search }: { search: HistorySearch }) {
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);
  const download = async () => {
    setBusy(true);
    setFailed(false);
    try {
      const query = new URLSearchParams(
        Object.entries({ asset: search.asset, from: search.from, to: search.to }).filter(
          (e): e is [string, string] => e[1] !== undefined,
        ),
      );
      const res = await fetch(`/v1/wallet/statement?${query.toString()}`, {
        headers: { authorization: `Bearer ${session.token() ?? ''}` },
      });
      if (!res.ok) throw new Error(String(res.status));
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = 'vaultwire-statement.csv';
      a.click();
      URL.revokeObjectURL(url);
    } catch {
      setFailed(true);
    } finally {
      setBusy(false);
    }
  };
  return (
    <button
      type="button"
      className="button secondary small"
      disabled={busy}
      onClick={() => void download()}
    >
      {failed ? 'Download failed — retry' : busy ? 'Preparing…' : 'Statement (CSV)'}
    </button>
  );
}
