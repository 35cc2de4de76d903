import type { Logger } from '../platform/observability/logger.js';

/**
 * Where the chains module learns which RPC endpoints it must not use: nodes the
 * node-operations checks banned (out of consensus past `banAfterSeconds`, or by an
 * operator). Chains owns this port; the composition plugs the `nodeops` fleet into it
 * (`NodeopsService.fleet.bannedUrls` / `watchBans`), so chains never reads its tables.
 */
export interface EndpointBanSource {
  /** URLs of the banned endpoints now. */
  bannedUrls(): Promise<readonly string[]>;
  /** Calls `onChange` after every ban, unban or fleet change, and when some may have been missed. */
  watch(onChange: () => void): Promise<{ close(): Promise<void> }>;
}

/** The bans as the RPC pools see them: a synchronous lookup kept fresh in the background. */
export interface EndpointBans {
  isBanned(url: string): boolean;
  /** Reads the list and starts listening for changes (a failure is logged, never thrown). */
  start(): Promise<void>;
  /** Reads the list again now (after a change is heard, and every `refreshMs`). */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

/** No bans (no node operations wired in). */
export const noEndpointBans: EndpointBans = {
  isBanned: () => false,
  start: () => Promise.resolve(),
  refresh: () => Promise.resolve(),
  close: () => Promise.resolve(),
};

/**
 * One form for URLs written by different hands: `http://Node:8545/` and
 * `http://node:8545` are the same endpoint. Query and path are kept (API keys live there).
 */
export function endpointKey(url: string): string {
  try {
    const u = new URL(url);
    u.hash = '';
    const s = u.toString();
    return u.search === '' && s.endsWith('/') ? s.slice(0, -1) : s;
  } catch {
    return url.trim();
  }
}

export function createEndpointBans(deps: {
  source: EndpointBanSource;
  logger: Logger;
  /** Reads the list this often even with no change heard (a missed notification heals). */
  refreshMs?: number;
}): EndpointBans {
  const refreshMs = deps.refreshMs ?? 30_000;
  let banned = new Set<string>();
  const keys = new Map<string, string>();
  const keyOf = (url: string): string => {
    let k = keys.get(url);
    if (k === undefined) {
      k = endpointKey(url);
      if (keys.size < 10_000) keys.set(url, k);
    }
    return k;
  };
  let watching: { close(): Promise<void> } | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let closed = false;

  // One read at a time; a change heard during a read causes one more read after it.
  let heard = 0;
  let read = 0;
  const refresh = (): Promise<void> => {
    heard++;
    if (running) return running;
    running = (async () => {
      while (read !== heard && !closed) {
        read = heard;
        try {
          const urls = await deps.source.bannedUrls();
          const next = new Set(urls.map(endpointKey));
          if (!sameSet(next, banned)) {
            deps.logger.warn({ banned: [...next].length }, 'RPC endpoint bans changed');
          }
          banned = next;
        } catch (err) {
          // Keep the last list we read: dropping every ban on a database hiccup would
          // send requests back to nodes that are out of consensus.
          deps.logger.warn({ err }, 'cannot read RPC endpoint bans; keeping the last list');
        }
      }
    })().finally(() => {
      running = undefined;
      if (read !== heard && !closed) void refresh();
    });
    return running;
  };

  return {
    isBanned: (url) => banned.size > 0 && banned.has(keyOf(url)),
    refresh,
    async start() {
      try {
        watching = await deps.source.watch(() => void refresh());
      } catch (err) {
        deps.logger.warn({ err }, 'cannot listen for RPC endpoint bans; reading them periodically');
      }
      await refresh();
      const tick = () => {
        timer = setTimeout(() => {
          void refresh().finally(() => {
            if (!closed) tick();
          });
        }, refreshMs);
        timer.unref();
      };
      if (!closed) tick();
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await running;
      await watching?.close();
    },
  };
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}
