import type { Db, Queryable, Subscription } from '../db/db.js';
import type { Principal } from './access.js';
import type { Logger } from '../observability/logger.js';

/**
 * Verified bearer tokens, kept so that an authenticated request costs no database lookup
 * (bench:api: the lookup was one of a payment's statements and half of a balance read).
 * Identity keeps users' sessions and API keys in one; the merchants module its merchant
 * API keys in another, on a channel of its own.
 *
 * Correctness comes from PostgreSQL notifications, not from a short lifetime: every
 * change to a principal's credentials (a user's sessions, API keys or role; a merchant
 * key's revocation) sends `NOTIFY <channel>, '<principal id>'` in the transaction that
 * makes it, and every process drops that principal's entries when it hears it, a few
 * milliseconds after the commit. The cache is used only while this
 * process is listening: when the listening connection drops, notifications may be
 * missed, so everything is dropped and tokens are looked up again until it is back.
 * A lookup that raced with a change is not stored (`version`). Entries also end with
 * the credential's own expiry and after `ttlMs` at the latest.
 */
export interface CredentialCache {
  /** The verified principal for a token hash, if cached and still trustworthy. */
  get(hash: string): CachedCredential | undefined;
  /** The change counter to pass to `put`, read before the lookup it guards. */
  version(): number;
  /** Stores a lookup's result unless a change was heard since `version`. */
  put(hash: string, version: number, entry: Omit<CachedCredential, 'until'>): void;
  /** In the changing transaction: every process forgets this user's tokens on commit. */
  changed(tx: Queryable, userId: string): Promise<void>;
  close(): Promise<void>;
}

/** A signed-in user (what `authenticate` answers for a valid token). */
export type UserPrincipal = Extract<Principal, { kind: 'user' }>;

export interface CachedCredential {
  principal: UserPrincipal;
  /** The credential's own expiry (ms). */
  expiresAt: number;
  /** When its last use was recorded (ms); the caller updates it when it records one. */
  lastUsedAt: number;
  /** Dropped after this (ms): min(expiry, cached at + ttl). */
  until: number;
}

export const CREDENTIALS_CHANNEL = 'vw_credentials';

export function createCredentialCache(deps: {
  db: Db;
  logger: Logger;
  /** The notification channel changes are heard on (default `vw_credentials`). */
  channel?: string;
  ttlMs?: number;
  maxEntries?: number;
}): CredentialCache {
  const channel = deps.channel ?? CREDENTIALS_CHANNEL;
  const ttlMs = deps.ttlMs ?? 60_000;
  const maxEntries = deps.maxEntries ?? 50_000;
  const entries = new Map<string, CachedCredential>();
  const byUser = new Map<string, Set<string>>();
  let changes = 0;
  let subscription: Subscription | undefined;
  let subscribing: Promise<void> | undefined;
  let closed = false;

  const clear = () => {
    changes++;
    entries.clear();
    byUser.clear();
  };
  const forget = (userId: string) => {
    changes++;
    for (const hash of byUser.get(userId) ?? []) entries.delete(hash);
    byUser.delete(userId);
  };

  /** Starts listening on first use, so CLI commands that never authenticate do not. */
  function listening(): boolean {
    if (subscription) return subscription.live;
    if (!subscribing && !closed) {
      subscribing = deps.db
        .subscribe(channel, { message: forget, gap: clear })
        .then(async (s) => {
          if (closed) await s.close();
          else subscription = s;
        })
        .catch((err: unknown) => {
          deps.logger.warn({ err }, 'credential changes cannot be heard; tokens are looked up');
        });
    }
    return false;
  }

  return {
    get(hash) {
      if (!listening()) return undefined;
      const e = entries.get(hash);
      if (!e) return undefined;
      // Wall time, as the database's now() that a lookup would compare expiry with.
      if (Date.now() >= e.until) {
        entries.delete(hash);
        return undefined;
      }
      return e;
    },

    version: () => changes,

    put(hash, version, entry) {
      if (!listening() || version !== changes) return;
      if (entries.size >= maxEntries) clear();
      const userId = entry.principal.userId;
      entries.set(hash, { ...entry, until: Math.min(entry.expiresAt, Date.now() + ttlMs) });
      let hashes = byUser.get(userId);
      if (!hashes) byUser.set(userId, (hashes = new Set()));
      hashes.add(hash);
    },

    async changed(tx, userId) {
      // Here at once; everywhere (this process included, again) when the NOTIFY arrives.
      forget(userId);
      await tx.query('SELECT pg_notify($1, $2)', [channel, userId]);
    },

    async close() {
      closed = true;
      clear();
      await subscribing;
      await subscription?.close();
      subscription = undefined;
    },
  };
}
