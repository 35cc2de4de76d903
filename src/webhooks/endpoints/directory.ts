import type { SecretBox } from '../../platform/crypto/secret-box.js';
import type { Db } from '../../platform/db/db.js';
import { changesSince, latestChange } from '../changes.js';
import { typeMatcher } from '../event-types.js';
import { secretKey } from '../signing/signing.js';
import { ENDPOINT_COLUMNS, toEndpoint, type Endpoint, type EndpointRow } from '../model.js';

/**
 * Every endpoint, in memory, kept current from the change log: ingest asks it which
 * endpoints take an event type, delivery asks it for an endpoint's URL and signing keys.
 * A sync is one indexed range read, so callers run it before each batch. It also carries
 * the circuits delivery workers share (`circuitOpenUntil`, written with a change).
 */
export interface EndpointDirectory {
  /** Catches up with the change log (first call loads everything). */
  sync(): Promise<void>;
  get(id: string): CachedEndpoint | undefined;
  /**
   * The endpoint, read from the database at once when this process has not seen it yet
   * (created since the last sync); undefined only when it does not exist.
   */
  lookup(id: string): Promise<CachedEndpoint | undefined>;
  /**
   * Endpoints that accept `type`, whatever their status: a disabled endpoint's messages
   * are recorded (`skipped`) for its owner to recover.
   */
  accepting(type: string): CachedEndpoint[];
  /** Live signing keys of an endpoint, decrypted once and cached until a change. */
  keys(id: string, nowMs: number): Promise<Buffer[]>;
  /** The keys when they are cached and still valid at `nowMs` (no await on the hot path). */
  cachedKeys(id: string, nowMs: number): Buffer[] | undefined;
  readonly size: number;
}

export interface CachedEndpoint extends Endpoint {
  url: string;
  parsedUrl: URL;
  accepts: (type: string) => boolean;
  /** A circuit opened by any delivery worker: none of them sends before this. */
  circuitOpenUntil: Date | null;
}

/** Delivery state the API does not show, read along with the endpoint. */
const DIRECTORY_COLUMNS = `${ENDPOINT_COLUMNS}, circuit_open_until`;
type DirectoryRow = EndpointRow & { circuit_open_until: Date | null };

export function secretContext(endpointId: string): string {
  return `webhook_secret:${endpointId}`;
}

export function createEndpointDirectory(deps: { db: Db; secretBox: SecretBox }): EndpointDirectory {
  const { db } = deps;
  const endpoints = new Map<string, CachedEndpoint>();
  const keyCache = new Map<string, Promise<{ key: Buffer; expiresAt: number | null }[]>>();
  // Resolved key lists, valid until the earliest expiry among them.
  const ready = new Map<string, { keys: Buffer[]; validUntil: number }>();
  let seq: bigint | undefined;
  let syncing: Promise<void> | undefined;
  const lookups = new Map<string, Promise<CachedEndpoint | undefined>>();

  const put = (row: DirectoryRow) => {
    const e = toEndpoint(row);
    endpoints.set(e.id, {
      ...e,
      parsedUrl: new URL(e.url),
      accepts: typeMatcher(e.eventTypes),
      circuitOpenUntil: row.circuit_open_until,
    });
  };

  const load = async (ids: string[] | undefined) => {
    const { rows } = await db.query<DirectoryRow>(
      ids === undefined
        ? `SELECT ${DIRECTORY_COLUMNS} FROM webhook_endpoints`
        : `SELECT ${DIRECTORY_COLUMNS} FROM webhook_endpoints WHERE id = ANY($1::text[])`,
      ids === undefined ? [] : [ids],
    );
    if (ids !== undefined) {
      for (const id of ids) {
        endpoints.delete(id);
        keyCache.delete(id);
        ready.delete(id);
      }
    }
    for (const r of rows) put(r);
  };

  const doSync = async () => {
    if (seq === undefined) {
      const latest = await latestChange(db);
      await load(undefined);
      seq = latest;
      return;
    }
    for (;;) {
      const changes = await changesSince(db, seq);
      if (changes.length === 0) return;
      const ids = [
        ...new Set(changes.filter((c) => c.entity === 'endpoint').map((c) => c.entityId)),
      ];
      if (ids.length > 0) await load(ids);
      seq = changes[changes.length - 1]?.seq ?? seq;
      if (changes.length < 10_000) return;
    }
  };

  return {
    get size() {
      return endpoints.size;
    },
    sync() {
      // Concurrent callers share one round trip.
      syncing ??= doSync().finally(() => {
        syncing = undefined;
      });
      return syncing;
    },
    get: (id) => endpoints.get(id),
    lookup(id) {
      const known = endpoints.get(id);
      if (known) return Promise.resolve(known);
      let pending = lookups.get(id);
      if (!pending) {
        // One read per unknown endpoint however many of its messages arrive together.
        pending = (async () => {
          const { rows } = await db.query<DirectoryRow>(
            `SELECT ${DIRECTORY_COLUMNS} FROM webhook_endpoints WHERE id = $1`,
            [id],
          );
          // A sync that loaded it meanwhile read it no earlier than this: keep that one.
          if (rows[0] && !endpoints.has(id)) put(rows[0]);
          return endpoints.get(id);
        })().finally(() => lookups.delete(id));
        lookups.set(id, pending);
      }
      return pending;
    },
    accepting(type) {
      const out: CachedEndpoint[] = [];
      for (const e of endpoints.values()) {
        if (e.accepts(type)) out.push(e);
      }
      return out;
    },
    async keys(id, nowMs) {
      let cached = keyCache.get(id);
      if (!cached) {
        cached = (async () => {
          const { rows } = await db.query<{ secret_sealed: string; expires_at: Date | null }>(
            `SELECT secret_sealed, expires_at FROM webhook_secrets
              WHERE endpoint_id = $1 AND (expires_at IS NULL OR expires_at > now())
              ORDER BY created_at DESC`,
            [id],
          );
          return Promise.all(
            rows.map(async (r) => ({
              key: secretKey(
                (await deps.secretBox.decrypt(r.secret_sealed, secretContext(id))).toString(),
              ),
              expiresAt: r.expires_at?.getTime() ?? null,
            })),
          );
        })();
        keyCache.set(id, cached);
        cached.catch(() => keyCache.delete(id));
      }
      const all = await cached;
      const live = all.filter((k) => k.expiresAt === null || k.expiresAt > nowMs);
      if (keyCache.get(id) === cached) {
        ready.set(id, {
          keys: live.map((k) => k.key),
          validUntil: Math.min(...live.map((k) => k.expiresAt ?? Infinity)),
        });
      }
      return live.map((k) => k.key);
    },
    cachedKeys(id, nowMs) {
      const r = ready.get(id);
      return r && r.validUntil > nowMs ? r.keys : undefined;
    },
  };
}
