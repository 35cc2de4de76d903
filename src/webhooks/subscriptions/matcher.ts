import type { Db } from '../../platform/db/db.js';
import { changesSince, latestChange } from '../changes.js';
import { HexKeyTable } from './hex-table.js';
import { rawLogOf, type ChainBlockNotice, type WireChainEvent } from './chain-notice.js';
import {
  compileLogFilter,
  decodeWith,
  evaluate,
  topicsMatch,
  type CompiledLogFilter,
  type Stage,
  type SubscriptionKind,
} from './filters.js';

/**
 * Every subscription in memory, indexed so that matching a block costs a hash lookup per
 * address in it, whatever the number of watched addresses: a byte hash table (address →
 * ref) per chain, where a ref names a (subscription, block range) group. Addresses added
 * in one bulk call share one group, so a million addresses of one subscription cost a
 * million 24-byte slots and one small object, not a million objects.
 *
 * Kept current from the change log like the endpoint directory; `sync()` before each
 * block makes an address added "from block N" count for block N as soon as the add has
 * committed.
 */
export interface SubscriptionMatcher {
  sync(): Promise<void>;
  /** The subscriptions a block notice matches, with what each matched. */
  match(notice: ChainBlockNotice): Match[];
  stats(): { subscriptions: number; addresses: number; transactions: number };
  /** True when some subscription watches transaction hashes on `chainKey`. */
  watchesTransactions(chainKey: string): boolean;
  /**
   * Watched hashes that appear in a notice, whatever the subscriptions' stage filters:
   * what disarms their `tx.dropped` deadline.
   */
  watchedTransactions(notice: ChainBlockNotice): { subscriptionId: string; txHash: string }[];
  /** Adds watch items directly (tests and the memory benchmark). */
  load(
    sub: SubscriptionDef,
    items: Iterable<string>,
    range?: { from: number; until: number | null },
  ): void;
}

export interface SubscriptionDef {
  id: string;
  endpointId: string;
  kind: SubscriptionKind;
  chainKey: string;
  filter: Record<string, unknown>;
  /** Contract logs: the first block counted (default: every block). */
  fromBlock?: bigint | null;
}

export type Match =
  | {
      kind: 'address_activity';
      sub: SubscriptionDef;
      event: WireChainEvent;
      addresses: string[];
    }
  | {
      kind: 'contract_log';
      sub: SubscriptionDef;
      event: WireChainEvent;
      decoded: { eventName: string; args: Record<string, unknown> } | null;
    }
  | { kind: 'transaction'; sub: SubscriptionDef; txHash: string; events: WireChainEvent[] }
  | { kind: 'new_block'; sub: SubscriptionDef };

interface Entry extends SubscriptionDef {
  stages: Set<Stage> | null;
  kinds: Set<string> | null;
  log: CompiledLogFilter | null;
  /** First block a contract-log subscription counts (0: all). */
  from: number;
}

interface Range {
  sub: Entry;
  from: number;
  until: number;
}

/**
 * item → one range, or several when more than one subscription watches it. Stored in a
 * byte table: an even value is a range index times two, an odd one points into `multi`.
 */
class WatchMap {
  readonly items: HexKeyTable;
  private readonly ranges: Range[] = [];
  private readonly rangeIds = new Map<string, number>();
  private readonly multi: number[][] = [];

  constructor(keyBytes: number) {
    this.items = new HexKeyTable(keyBytes);
  }

  private rangeOf(sub: Entry, from: number, until: number): number {
    const key = `${sub.id}/${from}/${until}`;
    let i = this.rangeIds.get(key);
    if (i === undefined) {
      i = this.ranges.length;
      this.ranges.push({ sub, from, until });
      this.rangeIds.set(key, i);
    }
    return i;
  }

  private refs(v: number): number[] {
    return v % 2 === 0 ? [v / 2] : (this.multi[(v - 1) / 2] ?? []);
  }

  private encode(list: number[]): number {
    if (list.length === 1) return (list[0] ?? 0) * 2;
    this.multi.push(list);
    return (this.multi.length - 1) * 2 + 1;
  }

  set(item: string, sub: Entry, from: number, until: number): void {
    const r = this.rangeOf(sub, from, until);
    const cur = this.items.get(item);
    if (cur === undefined) {
      this.items.set(item, r * 2);
      return;
    }
    const list = this.refs(cur).filter((x) => this.ranges[x]?.sub.id !== sub.id);
    list.push(r);
    if (cur % 2 === 1 && list.length > 1) {
      this.multi[(cur - 1) / 2] = list;
      return;
    }
    this.items.set(item, this.encode(list));
  }

  dropSubscription(subId: string): void {
    this.items.update((v) => {
      const list = this.refs(v).filter((x) => this.ranges[x]?.sub.id !== subId);
      if (list.length === 0) return null;
      if (v % 2 === 1 && list.length > 1) {
        this.multi[(v - 1) / 2] = list;
        return undefined;
      }
      return this.encode(list);
    });
  }

  /** Subscriptions watching `item` at block `block`. */
  lookup(item: string, block: number, out: Entry[]): void {
    const v = this.items.get(item);
    if (v === undefined) return;
    if (v % 2 === 0) {
      const r = this.ranges[v / 2];
      if (r && block >= r.from && block < r.until) out.push(r.sub);
      return;
    }
    for (const x of this.multi[(v - 1) / 2] ?? []) {
      const r = this.ranges[x];
      if (r && block >= r.from && block < r.until) out.push(r.sub);
    }
  }

  /** Points ranges at a subscription's updated definition. */
  refresh(sub: Entry): void {
    for (const r of this.ranges) if (r.sub.id === sub.id) r.sub = sub;
  }
}

interface ChainIndex {
  addresses: WatchMap;
  txs: WatchMap;
  logsByAddress: Map<string, Entry[]>;
  logsAnyAddress: Entry[];
  blocks: Entry[];
}

const NEVER = Number.MAX_SAFE_INTEGER;
const PAGE = 20_000;

export function createSubscriptionMatcher(deps: { db?: Db }): SubscriptionMatcher {
  const subs = new Map<string, Entry>();
  const chains = new Map<string, ChainIndex>();
  let seq: bigint | undefined;
  let syncing: Promise<void> | undefined;

  const chainOf = (key: string): ChainIndex => {
    let c = chains.get(key);
    if (!c) {
      c = {
        addresses: new WatchMap(20),
        txs: new WatchMap(32),
        logsByAddress: new Map(),
        logsAnyAddress: [],
        blocks: [],
      };
      chains.set(key, c);
    }
    return c;
  };

  const compile = (def: SubscriptionDef): Entry => {
    const f = def.filter as {
      stages?: Stage[];
      kinds?: string[];
    };
    return {
      ...def,
      stages: f.stages ? new Set(f.stages) : null,
      kinds: f.kinds ? new Set(f.kinds) : null,
      log: def.kind === 'contract_log' ? compileLogFilter(def.filter) : null,
      from: def.fromBlock == null ? 0 : Number(def.fromBlock),
    };
  };

  const unlistFilters = (id: string, c: ChainIndex) => {
    c.blocks = c.blocks.filter((e) => e.id !== id);
    c.logsAnyAddress = c.logsAnyAddress.filter((e) => e.id !== id);
    for (const [a, list] of c.logsByAddress) {
      const kept = list.filter((e) => e.id !== id);
      if (kept.length === 0) c.logsByAddress.delete(a);
      else c.logsByAddress.set(a, kept);
    }
  };

  const upsert = (def: SubscriptionDef) => {
    const entry = compile(def);
    const old = subs.get(def.id);
    subs.set(def.id, entry);
    const c = chainOf(def.chainKey);
    if (old) unlistFilters(def.id, c);
    if (entry.kind === 'new_block') c.blocks.push(entry);
    if (entry.kind === 'contract_log' && entry.log) {
      if (entry.log.addresses) {
        for (const a of entry.log.addresses) {
          const list = c.logsByAddress.get(a) ?? [];
          list.push(entry);
          c.logsByAddress.set(a, list);
        }
      } else c.logsAnyAddress.push(entry);
    }
    if (old) {
      c.addresses.refresh(entry);
      c.txs.refresh(entry);
    }
    return entry;
  };

  const remove = (id: string) => {
    const old = subs.get(id);
    if (!old) return;
    subs.delete(id);
    const c = chainOf(old.chainKey);
    unlistFilters(id, c);
    if (old.kind === 'address_activity') c.addresses.dropSubscription(id);
    if (old.kind === 'transaction') c.txs.dropSubscription(id);
  };

  const applyItem = (subId: string, item: string, from: bigint, until: bigint | null) => {
    const sub = subs.get(subId);
    if (!sub) return;
    const c = chainOf(sub.chainKey);
    const map = sub.kind === 'transaction' ? c.txs : c.addresses;
    map.set(item, sub, Number(from), until === null ? NEVER : Number(until));
  };

  interface SubRow {
    id: string;
    endpoint_id: string;
    kind: SubscriptionKind;
    chain_key: string;
    filter: Record<string, unknown>;
    from_block: bigint | null;
  }
  const toDef = (r: SubRow): SubscriptionDef => ({
    id: r.id,
    endpointId: r.endpoint_id,
    kind: r.kind,
    chainKey: r.chain_key,
    filter: r.filter,
    fromBlock: r.from_block,
  });

  const doSync = async () => {
    const db = deps.db;
    if (!db) return;
    if (seq === undefined) {
      const latest = await latestChange(db);
      const { rows } = await db.query<SubRow>(
        'SELECT id, endpoint_id, kind, chain_key, filter, from_block FROM webhook_subscriptions',
      );
      for (const r of rows) upsert(toDef(r));
      // Pages come back as one comma-joined string per (subscription, range) group, not
      // one object per row: a million addresses load without a million short-lived rows.
      let after = { sub: '', item: '' };
      for (;;) {
        const { rows: groups } = await db.query<{
          subscription_id: string;
          from_block: bigint;
          until_block: bigint | null;
          items: string;
          last_item: string;
          n: bigint;
        }>(
          `SELECT subscription_id, from_block, until_block, string_agg(item, ',') AS items,
                  max(item) AS last_item, count(*) AS n
             FROM (SELECT subscription_id, item, from_block, until_block FROM webhook_watch_items
                    WHERE (subscription_id, item) > ($1, $2) AND change_seq <= $3
                    ORDER BY subscription_id, item LIMIT $4) page
            GROUP BY subscription_id, from_block, until_block`,
          [after.sub, after.item, latest, PAGE],
        );
        let total = 0;
        for (const g of groups) {
          total += Number(g.n);
          for (const item of g.items.split(',')) {
            applyItem(g.subscription_id, item, g.from_block, g.until_block);
          }
          if (
            g.subscription_id > after.sub ||
            (g.subscription_id === after.sub && g.last_item > after.item)
          ) {
            after = { sub: g.subscription_id, item: g.last_item };
          }
        }
        if (total < PAGE) break;
      }
      seq = latest;
      return;
    }
    for (;;) {
      const from: bigint = seq;
      const changes = await changesSince(db, from);
      if (changes.length === 0) return;
      const to: bigint = changes[changes.length - 1]?.seq ?? from;
      const ids = [
        ...new Set(changes.filter((c) => c.entity === 'subscription').map((c) => c.entityId)),
      ];
      if (ids.length > 0) {
        const { rows } = await db.query<SubRow>(
          'SELECT id, endpoint_id, kind, chain_key, filter, from_block FROM webhook_subscriptions WHERE id = ANY($1::text[])',
          [ids],
        );
        const found = new Set(rows.map((r) => r.id));
        for (const id of ids) if (!found.has(id)) remove(id);
        for (const r of rows) upsert(toDef(r));
        const { rows: items } = await db.query<{
          subscription_id: string;
          item: string;
          from_block: bigint;
          until_block: bigint | null;
        }>(
          `SELECT subscription_id, item, from_block, until_block FROM webhook_watch_items
            WHERE change_seq > $1 AND change_seq <= $2`,
          [from, to],
        );
        for (const i of items) applyItem(i.subscription_id, i.item, i.from_block, i.until_block);
      }
      seq = to;
      if (changes.length < 10_000) return;
    }
  };

  const stageOk = (e: Entry, stage: Stage) => e.stages === null || e.stages.has(stage);

  return {
    sync() {
      syncing ??= doSync().finally(() => {
        syncing = undefined;
      });
      return syncing;
    },

    load(def, items, range = { from: 0, until: null }) {
      const entry = subs.get(def.id) ?? upsert(def);
      const c = chainOf(entry.chainKey);
      const map = entry.kind === 'transaction' ? c.txs : c.addresses;
      const until = range.until ?? NEVER;
      for (const item of items) map.set(item, entry, range.from, until);
    },

    stats() {
      let addresses = 0;
      let transactions = 0;
      for (const c of chains.values()) {
        addresses += c.addresses.items.size;
        transactions += c.txs.items.size;
      }
      return { subscriptions: subs.size, addresses, transactions };
    },

    watchesTransactions(chainKey) {
      return (chains.get(chainKey)?.txs.items.size ?? 0) > 0;
    },

    watchedTransactions(notice) {
      const c = chains.get(notice.chain);
      if (!c || c.txs.items.size === 0) return [];
      const out = new Map<string, { subscriptionId: string; txHash: string }>();
      const found: Entry[] = [];
      const block = Number(notice.block.number);
      for (const e of notice.events) {
        found.length = 0;
        // At the block it was mined in, as `match` does: a hash watched from block N (or
        // removed from block N on) counts only in blocks inside that range.
        c.txs.lookup(e.tx_hash, block, found);
        for (const s of found) {
          out.set(`${s.id}/${e.tx_hash}`, { subscriptionId: s.id, txHash: e.tx_hash });
        }
      }
      return [...out.values()];
    },

    match(notice) {
      const c = chains.get(notice.chain);
      if (!c) return [];
      const stage = notice.stage;
      const block = Number(notice.block.number);
      const out: Match[] = [];
      const found: Entry[] = [];
      const txMatches = new Map<string, { sub: Entry; txHash: string; events: WireChainEvent[] }>();
      for (const e of notice.events) {
        // Address activity: a lookup for each side of the transfer.
        if (e.kind !== 'log' && c.addresses.items.size > 0) {
          const bySub = new Map<Entry, string[]>();
          for (const a of [e.from_address, e.to_address]) {
            if (a === null) continue;
            found.length = 0;
            c.addresses.lookup(a, block, found);
            for (const s of found) {
              const list = bySub.get(s) ?? [];
              if (!list.includes(a)) list.push(a);
              bySub.set(s, list);
            }
          }
          for (const [s, addresses] of bySub) {
            if (!stageOk(s, stage) || (s.kinds && !s.kinds.has(e.kind))) continue;
            out.push({ kind: 'address_activity', sub: s, event: e, addresses });
          }
        }
        // Contract logs: candidates by emitting contract, then topics and predicate.
        if (e.contract !== null && (c.logsByAddress.size > 0 || c.logsAnyAddress.length > 0)) {
          const candidates = [...(c.logsByAddress.get(e.contract) ?? []), ...c.logsAnyAddress];
          if (candidates.length > 0) {
            const raw = rawLogOf(e);
            if (raw) {
              for (const s of candidates) {
                const f = s.log;
                if (!f || block < s.from || !stageOk(s, stage)) continue;
                if (!topicsMatch(f, raw.topics)) continue;
                let decoded = e.decoded;
                if (f.abi) {
                  decoded = decodeWith(f.abi, raw.topics, raw.data);
                  if (!decoded) continue;
                }
                if (f.where && !(decoded && evaluate(f.where, decoded.args))) continue;
                out.push({ kind: 'contract_log', sub: s, event: e, decoded });
              }
            }
          }
        }
        // Watched transactions.
        if (c.txs.items.size > 0) {
          found.length = 0;
          c.txs.lookup(e.tx_hash, block, found);
          for (const s of found) {
            if (!stageOk(s, stage)) continue;
            const key = `${s.id}/${e.tx_hash}`;
            const m = txMatches.get(key) ?? { sub: s, txHash: e.tx_hash, events: [] };
            m.events.push(e);
            txMatches.set(key, m);
          }
        }
      }
      for (const m of txMatches.values()) out.push({ kind: 'transaction', ...m });
      for (const s of c.blocks) if (stageOk(s, stage)) out.push({ kind: 'new_block', sub: s });
      return out;
    },
  };
}
