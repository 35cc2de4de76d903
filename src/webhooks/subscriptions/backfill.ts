import type { Db } from '../../platform/db/db.js';
import { newId } from '../../platform/ids.js';
import type { Logger } from '../../platform/observability/logger.js';
import { defineQueue, type Job, type JobQueue } from '../../platform/queue/queue.js';
import type { EndpointDirectory } from '../endpoints/directory.js';
import { fail } from '../../platform/failure.js';
import { WebhookError, type WebhookFailure } from '../errors.js';
import type { Ingest } from '../ingest.js';
import type { WebhookMetrics } from '../metrics.js';
import type { NewMessage } from '../model.js';
import { messagesForBlock } from './chain-ingest.js';
import type { ChainBlockNotice, WireChainEvent } from './chain-notice.js';
import type { ChainSource, SourceBlock, SourceEvent } from './chain-source.js';
import type { SubscriptionKind } from './filters.js';
import { createSubscriptionMatcher } from './matcher.js';

/**
 * Backfills: addresses added to an `address_activity` subscription, or a `contract_log`
 * subscription created, with a `from_block` the follower has already passed get the
 * activity (logs) of those blocks delivered.
 *
 * A backfill re-reads blocks `from_block` up to the follower's confirmed height (taken
 * when the job first runs, which is after the add committed: every later confirmation
 * reaches the live path with the addresses already in the matcher, so no block falls
 * between the two) through the chain adapter, matches them against the added addresses
 * only, and creates `confirmed` messages with the ids live delivery gives the same
 * events. A block both paths see, or the same addresses added twice, therefore yields
 * one message, not two. Blocks above the confirmed height are left to the live path.
 *
 * Contract logs differ: the follower emits the logs of a subscription's contracts only in
 * blocks it reads once its log interest includes the subscription, and a block read
 * before never carries them, even when it is confirmed later. So such a backfill first
 * waits (in delayed continuation jobs) until the follower's `interestMark` reaches the
 * change that created the subscription (`ready_mark`); the follower's cursor at that
 * point is `to_block`, as every block above it is read with the subscription's contracts.
 * It then re-reads blocks with those contracts' logs, each once it is confirmed (the
 * messages are `confirmed`), waiting again while the confirmed height is below the next.
 *
 * It runs as a job of the PostgreSQL queue (worker role) in slices: each chunk of blocks
 * commits its messages with its progress (`next_block`), and after `sliceMs` the job
 * hands over to a continuation job, so a restart resumes where the last chunk ended and
 * a long range never holds one claim for long.
 */
export interface Backfills {
  /**
   * Before an add: `needed` when blocks from `fromBlock` on were already followed,
   * `none` when the live path will see them all, or the error when the range is longer
   * than a backfill may be.
   */
  plan(
    chainKey: string,
    fromBlock: bigint,
  ): Promise<'none' | 'needed' | WebhookFailure<WebhookError.BackfillTooDeep>>;
  /**
   * The first block the follower has not committed yet (its cursor + 1), or undefined
   * before it has followed the chain at all.
   */
  nextBlock(chainKey: string): Promise<bigint | undefined>;
  /** In the add's transaction: records the backfill and enqueues its job; returns its id. */
  schedule(input: {
    subscriptionId: string;
    chainKey: string;
    /** The added addresses, or a contract-log subscription's contracts (lowercase). */
    addresses: readonly string[];
    fromBlock: bigint;
    /**
     * Contract logs: the change-log sequence of the subscription's creation, which the
     * follower's interest must have reached before `to_block` is fixed.
     */
    readyMark?: bigint;
  }): Promise<string>;
  /** A subscription's backfills, oldest first (ids page like every list). */
  list(subscriptionId: string, q: { limit: number; startingAfter?: string }): Promise<Backfill[]>;
  /** The job handler. */
  run(job: Job<BackfillJob>): Promise<void>;
}

export type BackfillState = 'queued' | 'running' | 'done' | 'failed';

export interface Backfill {
  id: string;
  subscriptionId: string;
  chain: string;
  /** Addresses added, or the contracts of a contract-log subscription. */
  addressCount: number;
  fromBlock: bigint;
  /**
   * Fixed when the job first runs (contract logs: once the follower reads with the
   * subscription); null before.
   */
  toBlock: bigint | null;
  /** The first block not scanned yet. */
  nextBlock: bigint;
  state: BackfillState;
  /** Messages created so far (not counting events already delivered live). */
  messages: number;
  lastError: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export interface BackfillJob {
  backfillId: string;
}

export const BACKFILL_QUEUE = defineQueue<BackfillJob>('webhooks.backfill');

export interface BackfillSettings {
  /** Most blocks behind the follower's cursor a backfill may start. */
  maxBlocks: number;
  /** Blocks fetched and committed per step. */
  chunkBlocks: number;
  /** Work per job before handing over to a continuation job. */
  sliceMs: number;
  /** Delay of the continuation job while a contract-log backfill waits on the follower. */
  waitMs?: number;
}

interface Row {
  id: string;
  subscription_id: string;
  chain_key: string;
  addresses: string[];
  from_block: bigint;
  to_block: bigint | null;
  next_block: bigint;
  last_hash: string | null;
  ready_mark: bigint | null;
  state: BackfillState;
  job_id: string | null;
  messages: number;
  last_error: string | null;
  created_at: Date;
  finished_at: Date | null;
}

const COLUMNS = `id, subscription_id, chain_key, addresses, from_block, to_block, next_block,
  last_hash, ready_mark, state, job_id, messages, last_error, created_at, finished_at`;

const toBackfill = (r: Row): Backfill => ({
  id: r.id,
  subscriptionId: r.subscription_id,
  chain: r.chain_key,
  addressCount: r.addresses.length,
  fromBlock: r.from_block,
  toBlock: r.to_block,
  nextBlock: r.next_block,
  state: r.state,
  messages: r.messages,
  lastError: r.last_error,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
});

/** Another job now owns the backfill (a continuation, after a crash mid-handover). */
class Superseded extends Error {
  override name = 'Superseded';
}

/** An event as the follower's notices carry it (see `wireEvent` in src/chains/follower.ts). */
function wireEvent(e: SourceEvent): WireChainEvent {
  return {
    id: e.id,
    block_number: e.blockNumber.toString(),
    tx_hash: e.txHash,
    tx_index: e.txIndex,
    log_index: e.logIndex,
    item_index: e.itemIndex,
    kind: e.kind,
    contract: e.contract,
    from_address: e.from,
    to_address: e.to,
    token_id: e.tokenId,
    amount: e.amount,
    filter: e.filter,
    topics: e.topics,
    data: e.data,
    decoded: e.decoded,
    stage: 'confirmed',
  };
}

function confirmedNotice(chain: string, b: SourceBlock): ChainBlockNotice {
  return {
    chain,
    stage: 'confirmed',
    block: {
      number: b.number.toString(),
      hash: b.hash,
      parent_hash: b.parentHash,
      timestamp: b.timestamp,
    },
    events: b.events.map(wireEvent),
  };
}

export function createBackfills(deps: {
  db: Db;
  jobs: Pick<JobQueue, 'enqueue'>;
  chains: Pick<ChainSource, 'heights' | 'fetchBlocks'>;
  directory: EndpointDirectory;
  ingest: Pick<Ingest, 'insertMessages' | 'dispatch'>;
  metrics: Pick<WebhookMetrics, 'backfillBlocks'>;
  logger: Logger;
  settings: BackfillSettings;
}): Backfills {
  const { db, chains, directory, ingest, settings } = deps;
  const log = deps.logger.child({ component: 'webhook-backfill' });

  /** Writes to the backfill, only while `jobId` owns it. */
  const update = async (id: string, jobId: string, set: string, params: unknown[] = []) => {
    const { rowCount } = await db.query(
      `UPDATE webhook_backfills SET ${set}, updated_at = now() WHERE id = $1 AND job_id = $2`,
      [id, jobId, ...params],
    );
    if (rowCount !== 1) throw new Superseded(id);
  };

  const handOver = async (row: Row, jobId: string, delayMs?: number) => {
    await db.transaction(async () => {
      const next = await deps.jobs.enqueue(
        BACKFILL_QUEUE,
        { backfillId: row.id },
        delayMs === undefined ? undefined : { delayMs },
      );
      await update(row.id, jobId, 'job_id = $3', [next.id]);
    });
  };
  const waitMs = settings.waitMs ?? 1000;
  /**
   * The delay of the next look at the follower while a contract-log backfill waits: a
   * tenth of the wait so far, from `waitMs` up to 30 s, so a halted or absent follower
   * costs a job every 30 s, not every second.
   */
  const nextWait = (row: Row) =>
    Math.min(30_000, Math.max(waitMs, Math.floor((Date.now() - row.created_at.getTime()) / 10)));

  /**
   * The last block the backfill covers, fixed when it first runs; undefined while a
   * contract-log backfill still waits for the follower to read with its subscription.
   */
  const fixToBlock = async (
    row: Row,
    jobId: string,
    logs: boolean,
  ): Promise<bigint | undefined> => {
    const h = await chains.heights(row.chain_key);
    let to: bigint;
    if (logs) {
      // Every block read before the follower's interest took in the subscription lacks its
      // logs, confirmed or not: cover them all, up to the first cursor read with it.
      if (!h || h.interestMark === null || h.interestMark < (row.ready_mark ?? 0n)) {
        return undefined;
      }
      to = h.cursor;
    } else {
      // Nothing confirmed yet (or the follower never started): the live path has it all.
      to = h?.confirmed ?? row.from_block - 1n;
    }
    await update(row.id, jobId, `to_block = $3, state = 'running'`, [to]);
    return to;
  };

  /** Scans from `next_block` until done, the slice ends, or the job is aborted. */
  const work = async (row: Row, job: Job<BackfillJob>) => {
    const started = Date.now();
    const { rows: subs } = await db.query<{
      id: string;
      endpoint_id: string;
      kind: SubscriptionKind;
      chain_key: string;
      filter: Record<string, unknown>;
      from_block: bigint | null;
    }>(
      `SELECT id, endpoint_id, kind, chain_key, filter, from_block FROM webhook_subscriptions
        WHERE id = $1`,
      [row.subscription_id],
    );
    const sub = subs[0];
    if (!sub) return;
    const logs = sub.kind === 'contract_log';
    const to = row.to_block ?? (await fixToBlock(row, job.id, logs));
    if (to === undefined) {
      await handOver(row, job.id, nextWait(row));
      return;
    }
    const matcher = createSubscriptionMatcher({});
    const def = {
      id: sub.id,
      endpointId: sub.endpoint_id,
      kind: sub.kind,
      chainKey: sub.chain_key,
      filter: sub.filter,
      fromBlock: sub.from_block,
    };
    if (logs) {
      // As the live matcher loads it: its filter, counted from its own from_block.
      matcher.load(def, []);
    } else {
      // The added addresses only, each until the block it was removed from (if it was).
      const { rows: items } = await db.query<{ item: string; until_block: bigint | null }>(
        `SELECT item, until_block FROM webhook_watch_items
          WHERE subscription_id = $1 AND item = ANY($2::text[])`,
        [sub.id, row.addresses],
      );
      for (const i of items) {
        matcher.load(def, [i.item], {
          from: Number(row.from_block),
          until: i.until_block === null ? null : Number(i.until_block),
        });
      }
    }
    // Contract logs: the logs of the subscription's contracts, as the follower emits them.
    const contracts = logs ? row.addresses : undefined;
    /** The last block that may be scanned now: contract logs wait for their confirmation. */
    const reachable = async (): Promise<bigint> => {
      if (!logs) return to;
      const confirmed = (await chains.heights(row.chain_key))?.confirmed ?? -1n;
      return confirmed < to ? confirmed : to;
    };

    let next = row.next_block;
    let lastHash = row.last_hash;
    let ceiling = logs ? next - 1n : to;
    const chunk = BigInt(settings.chunkBlocks);
    while (next <= to) {
      if (job.signal.aborted) throw new Error('backfill stopped; it resumes from its progress');
      if (Date.now() - started > settings.sliceMs) {
        await handOver(row, job.id);
        return;
      }
      if (next > ceiling) {
        ceiling = await reachable();
        if (next > ceiling) {
          await handOver(row, job.id, nextWait(row));
          return;
        }
      }
      const end = next + chunk - 1n < ceiling ? next + chunk - 1n : ceiling;
      const blocks = await chains.fetchBlocks(row.chain_key, next, end, contracts);
      if (blocks.length !== Number(end - next + 1n)) {
        throw new Error(`node returned ${blocks.length} blocks for ${next}..${end}; retrying`);
      }
      for (const b of blocks) {
        if (lastHash !== null && b.parentHash !== lastHash) {
          throw new Error(`block ${b.number} does not link to the one before; node reorganising`);
        }
        lastHash = b.hash;
      }
      await directory.sync();
      const nowIso = new Date().toISOString();
      const messages: NewMessage[] = [];
      for (const b of blocks) {
        const notice = confirmedNotice(row.chain_key, b);
        const matches = matcher.match(notice);
        if (matches.length > 0)
          messages.push(...messagesForBlock(notice, matches, directory, nowIso));
      }
      const inserted = await db.transaction(async () => {
        const r = await ingest.insertMessages(messages);
        await update(
          row.id,
          job.id,
          'next_block = $3, last_hash = $4, messages = messages + $5, last_error = NULL',
          [end + 1n, lastHash, r.count],
        );
        return r;
      });
      await ingest.dispatch(inserted);
      deps.metrics.backfillBlocks.inc({ chain: row.chain_key }, blocks.length);
      next = end + 1n;
    }
    await update(row.id, job.id, `state = 'done', finished_at = now()`);
    log.info(
      {
        backfill: row.id,
        subscription: row.subscription_id,
        from: String(row.from_block),
        to: String(to),
      },
      'backfill done',
    );
  };

  return {
    async plan(chainKey, fromBlock) {
      const h = await chains.heights(chainKey);
      if (!h || fromBlock > h.cursor) return 'none';
      if (h.cursor - fromBlock + 1n > BigInt(settings.maxBlocks))
        return fail(WebhookError.BackfillTooDeep);
      return 'needed';
    },

    async nextBlock(chainKey) {
      const h = await chains.heights(chainKey);
      return h ? h.cursor + 1n : undefined;
    },

    async schedule(input) {
      const id = newId('wbf');
      const job = await deps.jobs.enqueue(BACKFILL_QUEUE, { backfillId: id });
      await db.query(
        `INSERT INTO webhook_backfills (id, subscription_id, chain_key, addresses, from_block, next_block,
                                        job_id, ready_mark)
         VALUES ($1, $2, $3, $4::text[], $5, $5, $6, $7)`,
        [
          id,
          input.subscriptionId,
          input.chainKey,
          input.addresses,
          input.fromBlock,
          job.id,
          input.readyMark ?? null,
        ],
      );
      return id;
    },

    async list(subscriptionId, q) {
      const { rows } = await db.query<Row>(
        `SELECT ${COLUMNS} FROM webhook_backfills
          WHERE subscription_id = $1 AND ($2::text IS NULL OR id > $2)
          ORDER BY id LIMIT $3`,
        [subscriptionId, q.startingAfter ?? null, q.limit],
      );
      return rows.map(toBackfill);
    },

    async run(job) {
      const { rows } = await db.query<Row>(
        `SELECT ${COLUMNS} FROM webhook_backfills WHERE id = $1`,
        [job.payload.backfillId],
      );
      const row = rows[0];
      // Gone with its subscription, finished, or owned by a newer job: nothing to do.
      if (!row || row.state === 'done' || row.state === 'failed' || row.job_id !== job.id) return;
      try {
        await work(row, job);
      } catch (err) {
        if (err instanceof Superseded) return;
        if (job.signal.aborted) throw err;
        const message = err instanceof Error ? err.message : String(err);
        const last = job.attempt >= job.maxAttempts;
        await update(
          row.id,
          job.id,
          `last_error = $3, state = CASE WHEN $4 THEN 'failed' ELSE state END,
           finished_at = CASE WHEN $4 THEN now() END`,
          [message.slice(0, 1000), last],
        ).catch(() => undefined);
        if (!last) throw err;
        log.error({ err, backfill: row.id }, 'backfill failed for good');
      }
    },
  };
}
