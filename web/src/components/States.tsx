import type { ReactNode } from 'react';
import { VaultwireApiError } from '../api';

/** Shown while a view's data loads. */
export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

/** Shown when a view has nothing to list yet, with what to do about it. */
export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state empty">
      <p className="state-title">{title}</p>
      {children}
    </div>
  );
}

/** Shown when a view's data could not be loaded, with the API's message and a retry. */
export function LoadError({ error, retry }: { error: unknown; retry?: () => void }) {
  const message =
    error instanceof VaultwireApiError
      ? error.message
      : 'The server could not be reached. Check your connection.';
  return (
    <div className="state error" role="alert">
      <p className="state-title">Could not load this</p>
      <p>{message}</p>
      {retry && (
        <button type="button" className="button secondary" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}
