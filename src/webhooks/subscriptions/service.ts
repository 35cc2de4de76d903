import type { Db } from '../../platform/db/db.js';
import { newId } from '../../platform/ids.js';
import { recordChange } from '../changes.js';
import { fail, isFailure, rollback } from '../../platform/failure.js';
import { WebhookError, type WebhookFailure } from '../errors.js';
import type { Caller } from '../model.js';
import type { Backfills } from './backfill.js';
import { parseFilter, type SubscriptionKind } from './filters.js';
import { contractsOf } from './log-interest.js';

/**
 * Subscriptions to chain activity, each feeding one endpoint. Address-activity and
 * transaction subscriptions hold their watch lists in `webhook_watch_items`; adds and
 * removals are bulk statements, effective from a block (`from_block`), so an address
 * added for block N counts from N on with no reload gap. Addresses added with a
 * `from_block` the follower has already passed are backfilled (see backfill.ts); a
 * transaction hash is armed with its `tx.dropped` deadline (see tx-drops.ts).
 *
 * A contract-log subscription counts from its own `from_block`. The follower emits the
 * logs of its contracts from the blocks it reads after the subscription committed; the
 * blocks from `from_block` (without one, from the first block the follower had not
 * committed) that it read before are backfilled (as `confirmed`, once the follower reads
 * with the subscription; see backfill.ts).
 *
 * @example
 * const s = await subscriptions.create(caller, { endpointId, kind: 'address_activity', chain: 'eth',
 *   items: ['0x8ba1f109551bd432803012645ac136ddd64dba72'], fromBlock: 19_000_000n });
 */
export interface SubscriptionService {
  create(caller: Caller, input: SubscriptionInput): Promise<Subscription | WebhookFailure>;
  get(caller: Caller, id: string): Promise<Subscription | WebhookFailure>;
  list(
    caller: Caller,
    q: { endpointId?: string; limit: number; startingAfter?: string },
  ): Promise<Subscription[]>;
  remove(caller: Caller, id: string): Promise<true | WebhookFailure>;
  /**
   * Adds addresses (or tx hashes); already watched ones get the new `fromBlock`. Given a
   * `fromBlock` the follower has passed, the added addresses are backfilled.
   */
  addItems(
    caller: Caller,
    id: string,
    items: readonly string[],
    fromBlock?: bigint,
  ): Promise<Subscription | WebhookFailure>;
  /** Stops watching from `fromBlock` (default: at once). */
  removeItems(
    caller: Caller,
    id: string,
    items: readonly string[],
    fromBlock?: bigint,
  ): Promise<Subscription | WebhookFailure>;
  /** Watched items, in item order. */
  items(
    caller: Caller,
    id: string,
    q: { limit: number; startingAfter?: string },
  ): Promise<{ item: string; fromBlock: bigint; untilBlock: bigint | null }[] | WebhookFailure>;
}

export interface SubscriptionInput {
  endpointId: string;
  kind: SubscriptionKind;
  chain: string;
  filter?: unknown;
  /** Addresses (address_activity) or transaction hashes (transaction). */
  items?: readonly string[];
  /** First block counted: of the items, or of a contract-log subscription. */
  fromBlock?: bigint;
}

export interface Subscription {
  id: string;
  endpointId: string;
  kind: SubscriptionKind;
  chain: string;
  filter: Record<string, unknown>;
  itemCount: number;
  /** Contract logs: the first block counted, when one was given. */
  fromBlock: bigint | null;
  createdAt: Date;
  updatedAt: Date;
  /** The backfill this create or add started, if it started one. */
  backfillId?: string;
}

interface Row {
  id: string;
  endpoint_id: string;
  owner_id: string;
  kind: SubscriptionKind;
  chain_key: string;
  filter: Record<string, unknown>;
  address_count: number;
  from_block: bigint | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS =
  'id, endpoint_id, owner_id, kind, chain_key, filter, address_count, from_block, created_at, updated_at';

const toSub = (r: Row): Subscription => ({
  id: r.id,
  endpointId: r.endpoint_id,
  kind: r.kind,
  chain: r.chain_key,
  filter: r.filter,
  itemCount: r.address_count,
  fromBlock: r.from_block,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const ADDRESS = /^0x[0-9a-f]{40}$/;
const TX_HASH = /^0x[0-9a-f]{64}$/;

export function createSubscriptionService(deps: {
  db: Db;
  /** Chain keys subscriptions may name. */
  knownChains: () => readonly string[];
  backfills: Pick<Backfills, 'plan' | 'schedule' | 'nextBlock'>;
  settings: {
    maxItemsPerSubscription: number;
    /** `drop_after_seconds` of transaction subscriptions that do not set their own. */
    txDropAfterSeconds: number;
  };
}): SubscriptionService {
  const { db, settings } = deps;

  /** Seconds a watched hash of this subscription has to be mined in; null for addresses. */
  const dropAfter = (kind: SubscriptionKind, filter: Record<string, unknown>): number | null => {
    if (kind !== 'transaction') return null;
    const own = filter['drop_after_seconds'];
    return typeof own === 'number' ? own : settings.txDropAfterSeconds;
  };

  /**
   * The block a create's or an add's backfill starts at (undefined: none), or the error:
   * address activity from a block already followed, and every contract-log subscription.
   * A contract-log one without a from_block still gets a backfill, from the first block
   * the follower has not committed: a step already under way reads its blocks without the
   * new contracts (its interest was taken before this commit), and the backfill gives
   * those blocks' logs, so nothing mined after the call is missed. (The subscription
   * keeps no from_block: it matches whatever the live path emits, re-reads after a reorg
   * included.) Address watch lists need none of this: the matcher sees them at once.
   */
  const planBackfill = async (
    kind: SubscriptionKind,
    chain: string,
    items: readonly unknown[],
    fromBlock: bigint | undefined,
  ): Promise<bigint | undefined | WebhookFailure> => {
    if (kind === 'contract_log') {
      if (fromBlock === undefined) return deps.backfills.nextBlock(chain);
      // Even for a block the follower has not reached: between this check and its next
      // interest refresh it may read past `fromBlock` without the subscription's
      // contracts. The backfill then covers those blocks, or ends empty.
      const plan = await deps.backfills.plan(chain, fromBlock);
      return plan === 'none' || plan === 'needed' ? fromBlock : plan;
    }
    if (fromBlock === undefined || kind !== 'address_activity' || items.length === 0) {
      return undefined;
    }
    const plan = await deps.backfills.plan(chain, fromBlock);
    return plan === 'needed' ? fromBlock : plan === 'none' ? undefined : plan;
  };

  const owned = async (caller: Caller, id: string, lock = false): Promise<Row | undefined> => {
    const { rows } = await db.query<Row>(
      `SELECT ${COLUMNS} FROM webhook_subscriptions WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
      [id],
    );
    const r = rows[0];
    return r && (caller.staff || r.owner_id === caller.userId) ? r : undefined;
  };

  const normalise = (
    kind: SubscriptionKind,
    items: readonly string[],
  ): string[] | WebhookFailure => {
    const pattern = kind === 'transaction' ? TX_HASH : ADDRESS;
    const out = new Set<string>();
    for (const raw of items) {
      const v = raw.toLowerCase();
      if (!pattern.test(v)) return fail(WebhookError.AddressInvalid);
      out.add(v);
    }
    return [...out];
  };

  /**
   * Upserts items under change `seq`, then checks the cap (rolls back when over). A
   * transaction hash (re)added is (re)armed: its drop deadline counts from now.
   */
  const putItems = async (
    sub: Row,
    items: string[],
    fromBlock: bigint,
    seq: bigint,
  ): Promise<number | WebhookFailure> => {
    const dropAfterSeconds = dropAfter(sub.kind, sub.filter);
    for (let i = 0; i < items.length; i += 20_000) {
      await db.query(
        `INSERT INTO webhook_watch_items (subscription_id, item, from_block, until_block, change_seq, drop_at)
         SELECT $1, x, $2, NULL, $3, now() + $5::int * interval '1 second' FROM unnest($4::text[]) AS x
         ON CONFLICT (subscription_id, item) DO UPDATE
           SET from_block = excluded.from_block, until_block = NULL, change_seq = excluded.change_seq,
               drop_at = excluded.drop_at, dropped_at = NULL`,
        [sub.id, fromBlock, seq, items.slice(i, i + 20_000), dropAfterSeconds],
      );
    }
    const { rows } = await db.query<{ n: bigint }>(
      'SELECT count(*) AS n FROM webhook_watch_items WHERE subscription_id = $1 AND until_block IS NULL',
      [sub.id],
    );
    const n = Number(rows[0]?.n ?? 0n);
    if (n > settings.maxItemsPerSubscription) return fail(WebhookError.TooManyAddresses);
    return n;
  };

  return {
    async create(caller, input) {
      if (!deps.knownChains().includes(input.chain)) return fail(WebhookError.ChainUnknown);
      const parsed = parseFilter(input.kind, input.filter);
      if (isFailure(parsed)) {
        return fail(WebhookError.FilterInvalid, { message: parsed.message ?? 'invalid filter' });
      }
      // The follower emits every log of the contracts named here: the same cap as a watch list.
      const contracts = parsed['addresses'];
      if (Array.isArray(contracts) && contracts.length > settings.maxItemsPerSubscription) {
        return fail(WebhookError.FilterInvalid, {
          message: `filter.addresses: at most ${settings.maxItemsPerSubscription} contracts`,
        });
      }
      const watches = input.kind === 'address_activity' || input.kind === 'transaction';
      if (!watches && input.items !== undefined && input.items.length > 0) {
        return fail(WebhookError.SubscriptionKindMismatch);
      }
      let items: string[] = [];
      if (watches) {
        const n = normalise(input.kind, input.items ?? []);
        if (isFailure(n)) return n;
        if (n.length > settings.maxItemsPerSubscription) {
          return fail(WebhookError.TooManyAddresses);
        }
        items = n;
      }
      const backfillFrom = await planBackfill(input.kind, input.chain, items, input.fromBlock);
      if (isFailure(backfillFrom)) return backfillFrom;
      return db.attempt(async () => {
        const { rows: ep } = await db.query<{ owner_id: string }>(
          'SELECT owner_id FROM webhook_endpoints WHERE id = $1',
          [input.endpointId],
        );
        if (!ep[0] || (!caller.staff && ep[0].owner_id !== caller.userId)) {
          return rollback(fail(WebhookError.EndpointNotFound));
        }
        const id = newId('wsub');
        const { rows } = await db.query<Row>(
          `INSERT INTO webhook_subscriptions (id, endpoint_id, owner_id, kind, chain_key, filter, from_block)
           VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7) RETURNING ${COLUMNS}`,
          [
            id,
            input.endpointId,
            ep[0].owner_id,
            input.kind,
            input.chain,
            JSON.stringify(parsed),
            input.kind === 'contract_log' ? (input.fromBlock ?? null) : null,
          ],
        );
        const row = rows[0];
        if (!row) throw new Error('subscription not inserted');
        const seq = await recordChange(db, 'subscription', id);
        if (items.length > 0) {
          const n = await putItems(row, items, input.fromBlock ?? 0n, seq);
          if (isFailure(n)) return rollback(n);
          row.address_count = n;
          await db.query('UPDATE webhook_subscriptions SET address_count = $2 WHERE id = $1', [
            id,
            n,
          ]);
        }
        const sub = toSub(row);
        if (backfillFrom !== undefined) {
          sub.backfillId = await deps.backfills.schedule({
            subscriptionId: id,
            chainKey: input.chain,
            fromBlock: backfillFrom,
            ...(input.kind === 'contract_log'
              ? {
                  // Its logs come from blocks the follower reads once its interest has
                  // taken in this change; the backfill covers every block before.
                  addresses: contractsOf(parsed),
                  readyMark: seq,
                }
              : { addresses: items }),
          });
        }
        return sub;
      });
    },

    async get(caller, id) {
      const r = await owned(caller, id);
      return r ? toSub(r) : fail(WebhookError.SubscriptionNotFound);
    },

    async list(caller, q) {
      const { rows } = await db.query<Row>(
        `SELECT ${COLUMNS} FROM webhook_subscriptions
          WHERE ($1::text IS NULL OR owner_id = $1) AND ($2::text IS NULL OR endpoint_id = $2)
            AND ($3::text IS NULL OR id > $3)
          ORDER BY id LIMIT $4`,
        [
          caller.staff ? null : caller.userId,
          q.endpointId ?? null,
          q.startingAfter ?? null,
          q.limit,
        ],
      );
      return rows.map(toSub);
    },

    async remove(caller, id) {
      return db.transaction(async () => {
        const r = await owned(caller, id, true);
        if (!r) return fail(WebhookError.SubscriptionNotFound);
        await recordChange(db, 'subscription', id);
        await db.query('DELETE FROM webhook_subscriptions WHERE id = $1', [id]);
        return true as const;
      });
    },

    async addItems(caller, id, raw, fromBlock) {
      // Read first, outside the transaction: planning a backfill asks how far the
      // follower is, which should not hold the subscription's row lock.
      const before = await owned(caller, id);
      if (!before) return fail(WebhookError.SubscriptionNotFound);
      // Only watch lists take items.
      if (before.kind !== 'address_activity' && before.kind !== 'transaction') {
        return fail(WebhookError.SubscriptionKindMismatch);
      }
      const backfillFrom = await planBackfill(before.kind, before.chain_key, raw, fromBlock);
      if (isFailure(backfillFrom)) return backfillFrom;
      return db.attempt(async () => {
        const r = await owned(caller, id, true);
        if (!r) return rollback(fail(WebhookError.SubscriptionNotFound));
        if (r.kind !== 'address_activity' && r.kind !== 'transaction') {
          return rollback(fail(WebhookError.SubscriptionKindMismatch));
        }
        const items = normalise(r.kind, raw);
        if (isFailure(items)) return rollback(items);
        if (items.length > settings.maxItemsPerSubscription) {
          return rollback(fail(WebhookError.TooManyAddresses));
        }
        const seq = await recordChange(db, 'subscription', id);
        const n = await putItems(r, items, fromBlock ?? 0n, seq);
        if (isFailure(n)) return rollback(n);
        const { rows } = await db.query<Row>(
          `UPDATE webhook_subscriptions SET address_count = $2, updated_at = now() WHERE id = $1
           RETURNING ${COLUMNS}`,
          [id, n],
        );
        const row = rows[0];
        if (!row) throw new Error('subscription vanished');
        const sub = toSub(row);
        if (backfillFrom !== undefined && items.length > 0) {
          sub.backfillId = await deps.backfills.schedule({
            subscriptionId: id,
            chainKey: r.chain_key,
            addresses: items,
            fromBlock: backfillFrom,
          });
        }
        return sub;
      });
    },

    async removeItems(caller, id, raw, fromBlock = 0n) {
      return db.attempt(async () => {
        const r = await owned(caller, id, true);
        if (!r) return rollback(fail(WebhookError.SubscriptionNotFound));
        if (r.kind !== 'address_activity' && r.kind !== 'transaction') {
          return rollback(fail(WebhookError.SubscriptionKindMismatch));
        }
        const items = normalise(r.kind, raw);
        if (isFailure(items)) return rollback(items);
        const seq = await recordChange(db, 'subscription', id);
        await db.query(
          `UPDATE webhook_watch_items SET until_block = $3, change_seq = $4, drop_at = NULL
            WHERE subscription_id = $1 AND item = ANY($2::text[]) AND until_block IS NULL`,
          [id, items, fromBlock, seq],
        );
        const { rows } = await db.query<Row>(
          `UPDATE webhook_subscriptions SET updated_at = now(),
                  address_count = (SELECT count(*) FROM webhook_watch_items
                                    WHERE subscription_id = $1 AND until_block IS NULL)
            WHERE id = $1 RETURNING ${COLUMNS}`,
          [id],
        );
        const row = rows[0];
        if (!row) throw new Error('subscription vanished');
        return toSub(row);
      });
    },

    async items(caller, id, q) {
      const r = await owned(caller, id);
      if (!r) return fail(WebhookError.SubscriptionNotFound);
      const { rows } = await db.query<{
        item: string;
        from_block: bigint;
        until_block: bigint | null;
      }>(
        `SELECT item, from_block, until_block FROM webhook_watch_items
          WHERE subscription_id = $1 AND item > $2 ORDER BY item LIMIT $3`,
        [id, q.startingAfter ?? '', q.limit],
      );
      return rows.map((x) => ({
        item: x.item,
        fromBlock: x.from_block,
        untilBlock: x.until_block,
      }));
    },
  };
}
