import { useMutation, type UseQueryResult } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { VaultwireApiError } from '../api';
import { Empty, LoadError, Loading } from './States';

/**
 * One query's three states and its data: a spinner while loading, the API's error with a
 * retry, an empty state when there is nothing to show.
 */
export function QueryView<T>({
  query,
  isEmpty,
  empty,
  loading,
  children,
}: {
  query: UseQueryResult<T>;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  loading?: string;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading {...(loading ? { label: loading } : {})} />;
  if (query.isError) return <LoadError error={query.error} retry={() => void query.refetch()} />;
  if (isEmpty?.(query.data)) return <>{empty ?? <Empty title="Nothing here yet" />}</>;
  return <>{children(query.data)}</>;
}

/** The message a person reads for an error: the API's own, or the network's. */
export function errorMessage(error: unknown): string {
  return error instanceof VaultwireApiError
    ? error.message
    : 'The server could not be reached. Check your connection.';
}

/**
 * A button running one API action; busy while it runs, the API's error announced beside
 * it, `done` called with the answer (to invalidate queries).
 */
export function ActionButton<T>({
  label,
  run,
  done,
  variant = 'secondary',
  confirm,
  describedBy,
}: {
  label: string;
  run: () => Promise<T>;
  done?: (result: T) => unknown;
  variant?: 'primary' | 'secondary' | 'danger';
  confirm?: string;
  describedBy?: string;
}) {
  const action = useMutation({ mutationFn: run, onSuccess: (r) => done?.(r) });
  return (
    <span className="action">
      <button
        type="button"
        className={`button small ${variant === 'primary' ? '' : variant}`}
        disabled={action.isPending}
        aria-busy={action.isPending}
        aria-describedby={describedBy}
        onClick={() => {
          if (confirm && !window.confirm(confirm)) return;
          action.mutate();
        }}
      >
        {action.isPending ? 'Working…' : label}
      </button>
      {action.isError && (
        <span className="field-error" role="alert">
          {errorMessage(action.error)}
        </span>
      )}
    </span>
  );
}

/** A short state word with a colour that never carries the meaning alone. */
export function Badge({ value }: { value: string }) {
  const tone = /^(paid|ok|running|active|completed|confirmed|delivered|succeeded|enabled)$/.test(
    value,
  )
    ? 'good'
    : /^(halted|failed|firing|critical|rejected|disabled|frozen|banned|expired|underpaid|declined|dead)$/.test(
          value,
        )
      ? 'bad'
      : 'neutral';
  return <span className={`badge ${tone}`}>{value.replace(/_/g, ' ')}</span>;
}

/** A secret shown once: copy it now, it is never shown again. */
export function OnceSecret({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="card success" role="status">
      <p className="row-title">{label}</p>
      <p className="mono" aria-label={label}>
        {value}
      </p>
      <p className="muted">Copy it now: it is not shown again.</p>
      <button
        type="button"
        className="button small secondary"
        onClick={() => {
          void navigator.clipboard.writeText(value).then(() => {
            setCopied(true);
          });
        }}
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}

/** A list page's table: a caption for screen readers, scrolls sideways on a phone. */
export function Table({
  caption,
  head,
  children,
}: {
  caption: string;
  head: string[];
  children: ReactNode;
}) {
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label={caption}>
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {head.map((h) => (
              <th key={h} scope="col">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

export function shortTime(iso: string | null | undefined): string {
  return iso
    ? new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' })
    : '—';
}
