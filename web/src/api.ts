import { QueryCache, QueryClient, MutationCache } from '@tanstack/react-query';
import { createVaultwireClient, unwrap, VaultwireApiError, type Schema } from '@vaultwire/client';

export { unwrap, VaultwireApiError };
export type { Schema };

const SESSION_KEY = 'vaultwire.session';

interface StoredSession {
  token: string;
  expiresAt: string;
}

/**
 * The signed-in session. Kept in localStorage so a reload or a second tab stays signed in;
 * the CSP (scripts from this origin only) is what keeps other scripts from reading it.
 */
export const session = {
  token(): string | undefined {
    const raw = localStorage.getItem(SESSION_KEY);
    if (!raw) return undefined;
    try {
      const s = JSON.parse(raw) as StoredSession;
      if (Date.parse(s.expiresAt) > Date.now()) return s.token;
    } catch {
      // A corrupt entry is the same as none.
    }
    localStorage.removeItem(SESSION_KEY);
    return undefined;
  },
  save(token: string, expiresAt: string): void {
    localStorage.setItem(SESSION_KEY, JSON.stringify({ token, expiresAt }));
  },
  clear(): void {
    localStorage.removeItem(SESSION_KEY);
  },
};

/** The typed client every page calls the API through, on this same origin. */
export const api = createVaultwireClient({ token: () => session.token() });

let onSignedOut: () => void = () => undefined;

/** What to do when the API says the session is gone (expired, revoked): set by the router. */
export function whenSignedOut(fn: () => void): void {
  onSignedOut = fn;
}

function signedOut(error: unknown): void {
  if (error instanceof VaultwireApiError && error.status === 401 && session.token()) {
    session.clear();
    queryClient.clear();
    onSignedOut();
  }
}

export const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError: signedOut }),
  mutationCache: new MutationCache({ onError: signedOut }),
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      // A typed 4xx will answer the same again; retry only what may pass (network, 5xx).
      retry: (count, error) =>
        count < 2 && !(error instanceof VaultwireApiError && error.status < 500),
    },
  },
});

/** Amount strings as the user reads them: grouped, never through a float. */
export function formatAmount(amount: string, asset: string): string {
  const negative = amount.startsWith('-');
  const [whole = '0', fraction] = amount.replace(/^[-+]/, '').split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const trimmed = fraction?.replace(/0+$/, '');
  const shown = trimmed ? `${grouped}.${trimmed.padEnd(2, '0')}` : `${grouped}.00`;
  return `${negative ? '−' : ''}${shown} ${asset}`;
}

export function formatTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
