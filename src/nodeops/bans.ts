import type { Db, Queryable } from '../platform/db/db.js';

/**
 * The banned nodes' endpoints, for pools outside this module that must skip them (the
 * chains module's RPC fallback lists). Readers get the list and a signal when it may have
 * changed; the ban itself and its announcement commit together.
 *
 * @example
 * const feed = createNodeBanFeed({ db });
 * const urls = await feed.bannedUrls();
 * const watching = await feed.watch(() => void reload());
 */
export interface NodeBanFeed {
  /** The endpoint URLs of every banned node. */
  bannedUrls(): Promise<string[]>;
  /**
   * Calls `onChange` a few milliseconds after any process commits a ban, an unban or a
   * fleet change, and whenever changes may have gone unheard (the listening connection
   * dropped and came back): the caller then reads `bannedUrls` again.
   */
  watch(onChange: () => void): Promise<{ close(): Promise<void> }>;
}

/** PostgreSQL channel bans, unbans and fleet changes are announced on (payload: node id or ''). */
export const BANS_CHANNEL = 'vw_nodeops_bans';

/** In the changing transaction: every process watching bans hears it on commit. */
export async function announceBans(tx: Queryable, nodeId: string): Promise<void> {
  await tx.query('SELECT pg_notify($1, $2)', [BANS_CHANNEL, nodeId]);
}

export function createNodeBanFeed(deps: { db: Db }): NodeBanFeed {
  return {
    async bannedUrls() {
      const { rows } = await deps.db.query<{ url: string }>(
        'SELECT DISTINCT url FROM nodeops_nodes WHERE banned_at IS NOT NULL ORDER BY url',
      );
      return rows.map((r) => r.url);
    },
    async watch(onChange) {
      const subscription = await deps.db.subscribe(BANS_CHANNEL, {
        message: onChange,
        gap: onChange,
      });
      return { close: () => subscription.close() };
    },
  };
}
