import type { Db } from '../../platform/db/db.js';
import { changesSince, latestChange } from '../changes.js';

/**
 * The contracts named by contract-log subscriptions, per chain: what the chain follower
 * must emit every log of, whatever its own log filters (wired in the composition root as
 * the chains module's log interest; this module does not import chains code).
 *
 * It follows the change log like the matcher, but holds only contract-log subscriptions,
 * so a follower process does not load every watched address. `refresh()` is one indexed
 * read of `webhook_changes` when nothing changed; subscription rows are read only for
 * the ids that changed. A subscription names at most 100 contracts (its filter schema),
 * so the set grows with subscriptions, never with chain activity.
 */
export interface ContractLogInterest {
  /** Catches up with every change committed before the call. */
  refresh(): Promise<void>;
  /**
   * The contracts wanted on `chainKey`; `version` changes whenever they do. `mark` is the
   * change-log sequence taken in so far (0 before the first refresh): every subscription
   * whose change is at or below it is in the set. Contract-log backfills wait for the
   * follower to read a block under a mark at or above their subscription's change.
   */
  current(chainKey: string): {
    readonly version: number;
    readonly mark: bigint;
    wants(contract: string): boolean;
  };
  stats(): { subscriptions: number; contracts: number };
}

interface Watched {
  endpointId: string;
  chainKey: string;
  contracts: string[];
}

interface ChainInterest {
  /** contract → number of subscriptions naming it. */
  counts: Map<string, number>;
  version: number;
}

const ADDRESS = /^0x[0-9a-f]{40}$/;

/**
 * The contracts of a stored contract-log filter, lowercase, each once; a malformed one
 * names none. What the follower watches for a subscription, and what its backfill reads.
 */
export function contractsOf(filter: Record<string, unknown>): string[] {
  const raw = filter['addresses'];
  if (!Array.isArray(raw)) return [];
  const out = new Set<string>();
  for (const a of raw) {
    if (typeof a !== 'string') continue;
    const v = a.toLowerCase();
    if (ADDRESS.test(v)) out.add(v);
  }
  return [...out];
}

export function createContractLogInterest(deps: { db: Db }): ContractLogInterest {
  const { db } = deps;
  const subs = new Map<string, Watched>();
  const chains = new Map<string, ChainInterest>();
  let seq: bigint | undefined;
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;

  const chainOf = (key: string): ChainInterest => {
    let c = chains.get(key);
    if (!c) chains.set(key, (c = { counts: new Map(), version: 0 }));
    return c;
  };

  const remove = (id: string) => {
    const old = subs.get(id);
    if (!old) return;
    subs.delete(id);
    const c = chainOf(old.chainKey);
    for (const a of old.contracts) {
      const n = (c.counts.get(a) ?? 0) - 1;
      if (n <= 0) c.counts.delete(a);
      else c.counts.set(a, n);
    }
    c.version += 1;
  };

  interface Row {
    id: string;
    endpoint_id: string;
    chain_key: string;
    filter: Record<string, unknown>;
  }

  const upsert = (r: Row) => {
    const contracts = contractsOf(r.filter);
    const old = subs.get(r.id);
    // Re-read for an endpoint change and unchanged: keep the version, so blocks fetched
    // ahead are not read again for nothing.
    if (
      old?.chainKey === r.chain_key &&
      old.contracts.length === contracts.length &&
      old.contracts.every((a, i) => a === contracts[i])
    ) {
      old.endpointId = r.endpoint_id;
      return;
    }
    remove(r.id);
    subs.set(r.id, { endpointId: r.endpoint_id, chainKey: r.chain_key, contracts });
    const c = chainOf(r.chain_key);
    for (const a of contracts) c.counts.set(a, (c.counts.get(a) ?? 0) + 1);
    c.version += 1;
  };

  const doRefresh = async () => {
    if (seq === undefined) {
      const latest = await latestChange(db);
      const { rows } = await db.query<Row>(
        `SELECT id, endpoint_id, chain_key, filter FROM webhook_subscriptions
          WHERE kind = 'contract_log'`,
      );
      for (const r of rows) upsert(r);
      seq = latest;
      return;
    }
    for (;;) {
      const from: bigint = seq;
      const changes = await changesSince(db, from);
      if (changes.length === 0) return;
      const ids = new Set<string>();
      const endpoints = new Set<string>();
      for (const c of changes) (c.entity === 'subscription' ? ids : endpoints).add(c.entityId);
      // Deleting an endpoint deletes its subscriptions (a cascade, with no change of their
      // own): re-read the ones we hold for every endpoint that changed.
      if (endpoints.size > 0) {
        for (const [id, w] of subs) if (endpoints.has(w.endpointId)) ids.add(id);
      }
      if (ids.size > 0) {
        const { rows } = await db.query<Row>(
          `SELECT id, endpoint_id, chain_key, filter FROM webhook_subscriptions
            WHERE id = ANY($1::text[]) AND kind = 'contract_log'`,
          [[...ids]],
        );
        const found = new Set(rows.map((r) => r.id));
        for (const id of ids) if (!found.has(id)) remove(id);
        for (const r of rows) upsert(r);
      }
      seq = changes[changes.length - 1]?.seq ?? from;
      if (changes.length < 10_000) return;
    }
  };

  // A caller must see every change committed before it called: joining a read already
  // under way could miss one, so it waits for the next read (shared by all who wait).
  const refresh = (): Promise<void> => {
    if (!running) {
      running = doRefresh().finally(() => {
        running = undefined;
      });
      return running;
    }
    queued ??= running
      .catch(() => undefined)
      .then(() => {
        queued = undefined;
        return refresh();
      });
    return queued;
  };

  return {
    refresh,
    current(chainKey) {
      const mark = seq ?? 0n;
      const c = chains.get(chainKey);
      if (!c) return { version: 0, mark, wants: () => false };
      const { counts } = c;
      return { version: c.version, mark, wants: (contract) => counts.has(contract) };
    },
    stats() {
      let contracts = 0;
      for (const c of chains.values()) contracts += c.counts.size;
      return { subscriptions: subs.size, contracts };
    },
  };
}
