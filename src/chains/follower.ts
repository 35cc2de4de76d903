import type { Db } from '../platform/db/db.js';
import type { Logger } from '../platform/observability/logger.js';
import { fail, type Failure } from '../platform/failure.js';
import type { Outbox } from '../platform/outbox/outbox.js';
import type { ChainAdapter, LogInterest, LogInterestSource } from './adapter.js';
import { ChainError } from './errors.js';
import type { ChainMetrics } from './metrics.js';
import type { ChainSettings } from './settings.js';
import type { HeadSignal } from './evm/heads.js';
import { sleep } from './sleep.js';
import type { BlockRef, ChainBlock, ChainEvent, ChainEventStage } from './types.js';

/**
 * The reorg-safe block follower of one chain.
 *
 * It keeps the recent canonical blocks linked by parent hash (`chain_blocks`) and a
 * durable cursor (`chain_cursors`). Each step either ingests the next blocks, checking
 * that each one's parent is the block before it, or, when a parent does not match,
 * walks the node's chain back by hash to the common ancestor and marks every event of
 * the dropped blocks `removed` before ingesting the replacements. A block's events go
 * out as `pending`; once the node's head is `confirmations` blocks above it, as
 * `confirmed`. Blocks already that deep when first read go out as `confirmed` only.
 *
 * Everything one step writes (blocks, events, stage changes, outbox messages, what
 * deposits make of them, and the cursor) commits in one transaction that first checks
 * the lease's fencing token and the cursor it started from. So a crash at any point
 * resumes from the last committed cursor with nothing lost or repeated, and a follower
 * that lost its lease cannot write at all.
 *
 * With a `logInterest`, each step that reads new blocks first refreshes it, so a contract
 * added there before the step counts from the blocks that step reads; blocks fetched
 * ahead under an older interest are read again. Their logs are then events like any
 * other: stored, announced, confirmed and removed on reorgs the same way. The cursor
 * move of such a step also stores the interest's `mark` (`interest_mark`): every block
 * above that cursor is read under an interest at least as new.
 *
 * Why not viem's `watchBlocks`: in polling mode it never emits a block whose number it
 * has already seen, so a replacement block at the same height is silently dropped.
 */
export interface Follower {
  readonly chainKey: string;
  /** One poll. Resolves with what happened; throws on RPC or fencing failures. */
  step(ctx: FollowerContext): Promise<StepResult>;
  /** Steps until `ctx.signal` aborts, sleeping `pollMs` when caught up, backing off on errors. */
  run(ctx: FollowerContext): Promise<void>;
  /**
   * Re-reads blocks `from..to` (at or below the confirmed height) and stores any event
   * not stored yet, e.g. after adding a log filter. It never moves the cursor.
   */
  backfill(
    from: bigint,
    to: bigint,
    options?: { onProgress?: (done: bigint) => void },
  ): Promise<{ blocks: number; inserted: number } | BackfillError>;
  /**
   * Asks the lease holder to go back to block `to` (marking every event above it
   * removed) and follow again from there; also how a halted follower is restarted after
   * a reorg deeper than its window. Pick a block you know is final.
   *
   * A target whose stored hash differs from the node's is refused (rewinding above the
   * fork point would skip canonical blocks and keep stale events), naming the last
   * stored block still on the node's chain. A target below the stored window has no
   * hash to check and needs `unverified`.
   */
  requestRewind(to: bigint, options?: { unverified?: boolean }): Promise<true | RewindRefusal>;
}

/** A refused rewind; its `message` says what to do instead, for the operator. */
export type RewindRefusal = Failure<
  | ChainError.FollowerNotStarted
  | ChainError.RewindTargetNotCanonical
  | ChainError.RewindTargetUnverified
> & { readonly message: string };

function refuseRewind(code: RewindRefusal['code'], message: string): RewindRefusal {
  return fail(code, { message }) as RewindRefusal;
}

export type BackfillError = Failure<
  ChainError.BackfillBeyondConfirmed | ChainError.BackfillRangeInvalid
>;

/** The lease the follower works under. */
export interface FollowerContext {
  signal: AbortSignal;
  token: bigint;
  holder: string;
  /** Throws unless the lease is still current (joins the transaction). */
  fence: () => Promise<void>;
}

export type StepResult =
  | { kind: 'idle'; head: bigint; cursor: bigint }
  | { kind: 'advanced'; blocks: number; events: number; cursor: bigint; head: bigint }
  | { kind: 'reorg'; depth: number; ancestor: bigint; removedEvents: number }
  | { kind: 'halted'; reason: string };

/** Runs in the follower's transaction after each step that stored or changed events. */
export interface FollowerHook {
  afterStep(chainKey: string, change: StepChange): Promise<void>;
}

/** What a step changed: blocks whose events were stored, and where a reorg cut. */
export interface StepChange {
  ingested?: { from: bigint; to: bigint };
  /** Events above this block were just marked removed. */
  removedAbove?: bigint;
}

/** The cursor moved under us: another holder, or a lost lease. Never retried blindly. */
export class CursorConflictError extends Error {
  override name = 'CursorConflictError';
}

interface CursorRow {
  block_number: bigint;
  block_hash: string;
  confirmed_number: bigint;
  status: 'running' | 'halted';
  halt_reason: string | null;
  rewind_to: bigint | null;
  interest_mark: bigint | null;
}

const ZERO_HASH = `0x${'0'.repeat(64)}`;

export interface FollowerDeps {
  db: Db;
  adapter: ChainAdapter;
  settings: ChainSettings;
  outbox: Pick<Outbox, 'publish'>;
  metrics: ChainMetrics;
  logger: Logger;
  hooks?: readonly FollowerHook[];
  /** Largest number of blocks read and committed per step while catching up. */
  maxBatchBlocks?: number;
  /** What a caught-up follower waits on (default: `pollMs` of sleep). */
  heads?: HeadSignal;
  /** Contracts whose every log is emitted, beyond the configured log filters. */
  logInterest?: LogInterestSource;
}

export function createFollower(deps: FollowerDeps): Follower {
  const { db, adapter, settings, metrics } = deps;
  const chainKey = settings.key;
  const log = deps.logger.child({ chain: chainKey });
  const hooks = deps.hooks ?? [];
  const conf = BigInt(settings.confirmations);
  const windowBlocks = BigInt(settings.windowBlocks);
  const perFetch = BigInt(settings.fetchConcurrency);
  const maxBatch = BigInt(deps.maxBatchBlocks ?? settings.fetchConcurrency * 4);
  const label = { chain: chainKey };

  // Blocks fetched ahead while the previous batch commits (catch-up only), with the
  // log interest they were decoded under.
  let prefetch:
    | { from: bigint; to: bigint; interest: LogInterest | undefined; blocks: Promise<ChainBlock[]> }
    | undefined;

  const currentInterest = async (): Promise<LogInterest | undefined> => {
    const source = deps.logInterest;
    if (!source) return undefined;
    await source.refresh();
    return source.current(chainKey);
  };

  const readCursor = async (): Promise<CursorRow | undefined> => {
    const { rows } = await db.query<CursorRow>(
      `SELECT block_number, block_hash, confirmed_number, status, halt_reason, rewind_to,
              interest_mark
         FROM chain_cursors WHERE chain_key = $1`,
      [chainKey],
    );
    return rows[0];
  };

  /**
   * The fenced write every transaction starts with: cursor from `expect` to `next`. With
   * `interestMark` (the mark of the log interest the new blocks were decoded under) it
   * is stored too; without, the stored one stays.
   */
  const moveCursor = async (
    ctx: FollowerContext,
    expectHash: string,
    next: { number: bigint; hash: string; confirmed: bigint; head: bigint; interestMark?: bigint },
  ) => {
    await ctx.fence();
    const { rowCount } = await db.query(
      `UPDATE chain_cursors
          SET block_number = $2, block_hash = $3, confirmed_number = $4, head_number = $5,
              fencing_token = $6, holder = $7, updated_at = now(),
              interest_mark = COALESCE($9::bigint, interest_mark)
        WHERE chain_key = $1 AND block_hash = $8 AND fencing_token <= $6 AND status = 'running'`,
      [
        chainKey,
        next.number,
        next.hash,
        next.confirmed,
        next.head,
        ctx.token,
        ctx.holder,
        expectHash,
        next.interestMark ?? null,
      ],
    );
    if (rowCount !== 1) {
      throw new CursorConflictError(
        `${chainKey}: cursor changed under this follower (token ${ctx.token}); another holder wrote`,
      );
    }
  };

  const initCursor = async (ctx: FollowerContext, head: BlockRef): Promise<CursorRow> => {
    const start = settings.startBlock === 'latest' ? head.number : BigInt(settings.startBlock);
    let anchor: BlockRef;
    if (start === 0n) {
      anchor = { number: -1n, hash: ZERO_HASH, parentHash: ZERO_HASH, timestamp: 0 };
    } else {
      const ref = await adapter.getBlockRef(start - 1n);
      if (!ref) throw new Error(`${chainKey}: start block ${start - 1n} not on the node`);
      anchor = ref;
    }
    await db.transaction(async () => {
      await ctx.fence();
      await db.query(
        `INSERT INTO chain_cursors (chain_key, block_number, block_hash, confirmed_number, fencing_token, holder, head_number)
         VALUES ($1, $2, $3, $2, $4, $5, $6) ON CONFLICT (chain_key) DO NOTHING`,
        [chainKey, anchor.number, anchor.hash, ctx.token, ctx.holder, head.number],
      );
      await db.query(
        `INSERT INTO chain_blocks (chain_key, number, hash, parent_hash, block_time)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
        [chainKey, anchor.number, anchor.hash, anchor.parentHash, anchor.timestamp],
      );
    });
    log.info({ startBlock: String(start) }, 'follower cursor created');
    const row = await readCursor();
    if (!row) throw new Error('cursor vanished');
    return row;
  };

  const fetchRange = async (
    from: bigint,
    to: bigint,
    interest?: LogInterest,
  ): Promise<ChainBlock[]> => {
    const parts: { size: number; blocks: Promise<ChainBlock[]> }[] = [];
    for (let a = from; a <= to; a += perFetch) {
      const b = a + perFetch - 1n < to ? a + perFetch - 1n : to;
      parts.push({ size: Number(b - a + 1n), blocks: adapter.fetchBlocks(a, b, interest) });
    }
    const lists = await Promise.all(parts.map((p) => p.blocks));
    const out: ChainBlock[] = [];
    for (const [i, list] of lists.entries()) {
      out.push(...list);
      // A short part means the head moved back: nothing after it is contiguous.
      if (list.length < (parts[i]?.size ?? 0)) break;
    }
    return out;
  };

  /** Blocks `from..to` (or fewer), with the interest they were decoded under. */
  const takeRange = (
    from: bigint,
    to: bigint,
    interest?: LogInterest,
  ): { blocks: Promise<ChainBlock[]>; interest: LogInterest | undefined } => {
    const p = prefetch;
    prefetch = undefined;
    if (
      p &&
      p.from === from &&
      p.to <= to &&
      (p.interest?.version ?? 0) === (interest?.version ?? 0)
    ) {
      // The same set of contracts; its mark may be older, and that older one is stored.
      // A read ahead that failed (the chain reorganised under it: a receipt from another
      // block; a node error) is read again now rather than failing this step.
      return {
        blocks: p.blocks.catch(() => fetchRange(from, p.to, p.interest)),
        interest: p.interest,
      };
    }
    void p?.blocks.catch(() => undefined);
    return { blocks: fetchRange(from, to, interest), interest };
  };

  const eventRow = (e: ChainEvent, stage: ChainEventStage) => ({
    id: e.id,
    chain_key: e.chainKey,
    block_number: e.blockNumber.toString(),
    block_hash: e.blockHash,
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
    stage,
  });

  // A block that a reorg dropped can come back (the chain flips back): its events get
  // their old ids and leave `removed` again.
  const insertEvents = async (rows: ReturnType<typeof eventRow>[]): Promise<number> => {
    let inserted = 0;
    // Chunks keep one statement's JSON parameter to a sane size.
    for (let i = 0; i < rows.length; i += 5000) {
      const chunk = rows.slice(i, i + 5000);
      const r = await db.query(
        `INSERT INTO chain_events (id, chain_key, block_number, block_hash, tx_hash, tx_index, log_index,
                                   item_index, kind, contract, from_address, to_address, token_id, amount,
                                   filter, topics, data, decoded, stage, confirmed_at)
         SELECT id, chain_key, block_number, block_hash, tx_hash, tx_index, log_index, item_index, kind,
                contract, from_address, to_address, token_id, amount, filter, topics, data, decoded, stage,
                CASE WHEN stage = 'confirmed' THEN now() END
           FROM jsonb_to_recordset($1::jsonb) AS x(
                id text, chain_key text, block_number bigint, block_hash text, tx_hash text,
                tx_index integer, log_index integer, item_index integer, kind text, contract text,
                from_address text, to_address text, token_id numeric, amount numeric, filter text,
                topics jsonb, data text, decoded jsonb, stage text)
         ON CONFLICT (id) DO UPDATE
           SET stage = excluded.stage, removed_at = NULL, confirmed_at = excluded.confirmed_at
           WHERE chain_events.stage = 'removed'`,
        [JSON.stringify(chunk)],
      );
      inserted += r.rowCount;
    }
    return inserted;
  };

  const publishBlock = async (
    stage: ChainEventStage,
    block: { number: bigint; hash: string; parentHash?: string; timestamp?: number },
    events: unknown[],
  ) => {
    await deps.outbox.publish({
      type: `chain.block.${stage}`,
      aggregateId: `${chainKey}:${block.number}`,
      payload: {
        chain: chainKey,
        stage,
        block: {
          number: block.number.toString(),
          hash: block.hash,
          ...(block.parentHash !== undefined ? { parent_hash: block.parentHash } : {}),
          ...(block.timestamp !== undefined ? { timestamp: block.timestamp } : {}),
        },
        events,
      },
    });
  };

  /**
   * An event as outbox messages carry it: every field (nulls included, subscribers such
   * as webhooks rely on the shape) except what the message's block already says.
   */
  const wireEvent = (row: ReturnType<typeof eventRow>) => {
    const { chain_key: _c, block_hash: _h, ...rest } = row;
    return rest;
  };

  /**
   * The highest stored block the node still has at its height, or null when none is
   * (with the stored range). Stored blocks link by hash, so being canonical holds for a
   * prefix of them: a binary search asks the node about a handful only.
   */
  const lastCanonical = async (): Promise<{
    block: bigint | null;
    oldest: bigint | null;
    newest: bigint | null;
  }> => {
    const { rows } = await db.query<{ number: bigint; hash: string }>(
      'SELECT number, hash FROM chain_blocks WHERE chain_key = $1 AND number >= 0 ORDER BY number',
      [chainKey],
    );
    let lo = 0;
    let hi = rows.length - 1;
    let best: bigint | null = null;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const row = rows[mid];
      if (!row) break;
      if ((await adapter.getBlockRef(row.number))?.hash === row.hash) {
        best = row.number;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return { block: best, oldest: rows[0]?.number ?? null, newest: rows.at(-1)?.number ?? null };
  };

  const rewindAdvice = (c: { block: bigint | null; oldest: bigint | null }) =>
    c.block !== null
      ? `the last stored block still on the node's chain is ${c.block}: ` +
        `vaultwire chains rewind --chain ${chainKey} --to ${c.block}`
      : `none of the stored blocks (from ${c.oldest ?? '?'}) is on the node's chain: rewind to ` +
        `a final block below ${c.oldest ?? 'them'}: ` +
        `vaultwire chains rewind --chain ${chainKey} --to <n> --unverified`;

  /** Whether `to` is a safe rewind target (its stored hash is the node's); see requestRewind. */
  const checkRewindTarget = async (
    to: bigint,
    unverified: boolean,
  ): Promise<true | RewindRefusal> => {
    const { rows } = await db.query<{ hash: string }>(
      'SELECT hash FROM chain_blocks WHERE chain_key = $1 AND number = $2',
      [chainKey, to],
    );
    const stored = rows[0]?.hash;
    if (stored !== undefined) {
      if ((await adapter.getBlockRef(to))?.hash === stored) return true;
      return refuseRewind(
        ChainError.RewindTargetNotCanonical,
        `block ${to} as stored here is not on the node's chain; ${rewindAdvice(await lastCanonical())}`,
      );
    }
    // Below the window: only events still carry hashes. The nearest one must be canonical.
    const { rows: ev } = await db.query<{ block_number: bigint; block_hash: string }>(
      `SELECT block_number, block_hash FROM chain_events
        WHERE chain_key = $1 AND block_number <= $2 AND stage <> 'removed'
        ORDER BY block_number DESC LIMIT 1`,
      [chainKey, to],
    );
    const e = ev[0];
    if (e && (await adapter.getBlockRef(e.block_number))?.hash !== e.block_hash) {
      return refuseRewind(
        ChainError.RewindTargetNotCanonical,
        `events stored in block ${e.block_number} (at or below ${to}) are not on the node's chain: rewind below ${e.block_number}`,
      );
    }
    if (unverified) return true;
    const c = await lastCanonical();
    return refuseRewind(
      ChainError.RewindTargetUnverified,
      `block ${to} is below the stored blocks (from ${c.oldest ?? '?'}), so its hash cannot be checked; ${
        c.block !== null ? rewindAdvice(c) : 'if you know it is final, add --unverified'
      }`,
    );
  };

  /** Walks the node's chain back by parent hash from `from` to a block we also hold. */
  const findAncestor = async (
    from: BlockRef,
  ): Promise<{ ancestor: BlockRef } | { beyondWindow: true; oldest: bigint }> => {
    const { rows } = await db.query<{
      number: bigint;
      hash: string;
      parent_hash: string;
      block_time: bigint;
    }>('SELECT number, hash, parent_hash, block_time FROM chain_blocks WHERE chain_key = $1', [
      chainKey,
    ]);
    const local = new Map(rows.map((r) => [r.number, r]));
    const oldest = rows.reduce((m, r) => (r.number < m ? r.number : m), from.number);
    let remote: BlockRef = from;
    for (;;) {
      const mine = local.get(remote.number);
      if (mine?.hash === remote.hash) return { ancestor: remote };
      if (remote.number <= oldest) return { beyondWindow: true, oldest };
      const parentNumber = remote.number - 1n;
      const parentLocal = local.get(parentNumber);
      if (parentLocal?.hash === remote.parentHash) {
        return {
          ancestor: {
            number: parentNumber,
            hash: parentLocal.hash,
            parentHash: parentLocal.parent_hash,
            timestamp: Number(parentLocal.block_time),
          },
        };
      }
      const parent = await adapter.getBlockRefByHash(remote.parentHash);
      if (!parent) {
        throw new Error(
          `${chainKey}: node does not know block ${remote.parentHash} (reorg in flight)`,
        );
      }
      remote = parent;
    }
  };

  /**
   * In the caller's transaction: moves the cursor back to `ancestor` and marks every
   * event above it removed, announcing each dropped block (newest first) with the
   * original event ids. Shared by reorgs and operator rewinds.
   */
  const dropAbove = async (
    ctx: FollowerContext,
    cursor: CursorRow,
    ancestor: BlockRef,
    head: BlockRef,
    depth: number,
  ): Promise<{ count: number; lostConfirmed: number }> => {
    const confirmed =
      cursor.confirmed_number > ancestor.number ? ancestor.number : cursor.confirmed_number;
    await moveCursor(ctx, cursor.block_hash, {
      number: ancestor.number,
      hash: ancestor.hash,
      confirmed,
      head: head.number,
    });
    const { rows: dropped } = await db.query<{ number: bigint; hash: string }>(
      `DELETE FROM chain_blocks WHERE chain_key = $1 AND number > $2 RETURNING number, hash`,
      [chainKey, ancestor.number],
    );
    const { rows: events } = await db.query<
      ReturnType<typeof eventRow> & { previous_stage: string }
    >(
      `UPDATE chain_events e SET stage = 'removed', removed_at = now()
         FROM (SELECT id, stage AS previous_stage FROM chain_events
                WHERE chain_key = $1 AND block_number > $2 AND stage <> 'removed' FOR UPDATE) p
        WHERE e.id = p.id
        RETURNING e.id, e.block_number::text AS block_number, e.block_hash, e.tx_hash, e.tx_index,
                  e.log_index, e.item_index, e.kind, e.contract, e.from_address, e.to_address,
                  e.token_id::text AS token_id, e.amount::text AS amount, e.filter, e.topics, e.data,
                  e.decoded, e.stage, p.previous_stage`,
      [chainKey, ancestor.number],
    );
    // Every dropped block: those still in the window, and (after a rewind past it) those
    // known only from their events.
    const blocks = new Map<string, bigint>(dropped.map((b) => [b.hash, b.number]));
    const byBlock = new Map<string, typeof events>();
    for (const e of events) {
      const list = byBlock.get(e.block_hash) ?? [];
      list.push(e);
      byBlock.set(e.block_hash, list);
      if (!blocks.has(e.block_hash)) blocks.set(e.block_hash, BigInt(e.block_number));
    }
    const ordered = [...blocks.entries()].sort((a, b) => (a[1] > b[1] ? -1 : 1));
    for (const [hash, number] of ordered) {
      await publishBlock(
        'removed',
        { number, hash },
        (byBlock.get(hash) ?? []).map((e) => {
          const { block_hash: _h, ...rest } = e;
          return rest;
        }),
      );
    }
    const lostConfirmed = events.filter((e) => e.previous_stage === 'confirmed');
    if (lostConfirmed.length > 0) {
      await deps.outbox.publish({
        type: 'chain.reorg.deep',
        aggregateId: chainKey,
        payload: {
          chain: chainKey,
          ancestor: ancestor.number.toString(),
          depth,
          removed_confirmed_event_ids: lostConfirmed.map((e) => e.id),
        },
      });
    }
    for (const h of hooks) await h.afterStep(chainKey, { removedAbove: ancestor.number });
    return { count: events.length, lostConfirmed: lostConfirmed.length };
  };

  /** An operator asked (`vaultwire chains rewind`) to go back to `rewind_to` and re-read. */
  const rewind = async (
    ctx: FollowerContext,
    cursor: CursorRow & { rewind_to: bigint },
    head: BlockRef,
  ): Promise<StepResult> => {
    const target = cursor.rewind_to < cursor.block_number ? cursor.rewind_to : cursor.block_number;
    const ref = await adapter.getBlockRef(target);
    if (!ref)
      throw new Error(`${chainKey}: cannot rewind to ${target}: the node has no such block`);
    // Checked again here: the node may have moved since the request was accepted.
    const { rows: stored } = await db.query<{ hash: string }>(
      'SELECT hash FROM chain_blocks WHERE chain_key = $1 AND number = $2',
      [chainKey, target],
    );
    if (stored[0] && stored[0].hash !== ref.hash) {
      const why = `rewind to ${target} refused: its stored hash is not on the node's chain; ${rewindAdvice(await lastCanonical())}`;
      await db.query(
        `UPDATE chain_cursors SET rewind_to = NULL,
                halt_reason = CASE WHEN status = 'halted' THEN $3 ELSE halt_reason END
          WHERE chain_key = $1 AND fencing_token <= $2 AND rewind_to = $4`,
        [chainKey, ctx.token, why, cursor.rewind_to],
      );
      log.error({ to: String(target) }, why);
      return cursor.status === 'halted'
        ? { kind: 'halted', reason: why }
        : { kind: 'idle', head: head.number, cursor: cursor.block_number };
    }
    const depth = Number(cursor.block_number - target);
    const removed = await db.transaction(async () => {
      await ctx.fence();
      const { rowCount } = await db.query(
        `UPDATE chain_cursors SET status = 'running', halt_reason = NULL, rewind_to = NULL
          WHERE chain_key = $1 AND fencing_token <= $2 AND rewind_to = $3`,
        [chainKey, ctx.token, cursor.rewind_to],
      );
      if (rowCount !== 1) throw new CursorConflictError(`${chainKey}: rewind request changed`);
      const r = await dropAbove(ctx, cursor, ref, head, depth);
      await db.query(
        `INSERT INTO chain_blocks (chain_key, number, hash, parent_hash, block_time)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (chain_key, number) DO UPDATE SET hash = excluded.hash, parent_hash = excluded.parent_hash`,
        [chainKey, ref.number, ref.hash, ref.parentHash, ref.timestamp],
      );
      return r;
    });
    metrics.halted.set(label, 0);
    metrics.cursor.set(label, Number(ref.number));
    log.warn(
      { to: String(ref.number), removed: removed.count, removedConfirmed: removed.lostConfirmed },
      'rewound on operator request',
    );
    return { kind: 'reorg', depth, ancestor: ref.number, removedEvents: removed.count };
  };

  const resolveReorg = async (
    ctx: FollowerContext,
    cursor: CursorRow,
    remote: BlockRef,
    head: BlockRef,
  ): Promise<StepResult> => {
    const found = await findAncestor(remote);
    if ('beyondWindow' in found) {
      const reason =
        `reorg deeper than the ${settings.windowBlocks}-block window; follower halted, events ` +
        `above the fork may be stale; ${rewindAdvice(await lastCanonical())}`;
      await db.transaction(async () => {
        await ctx.fence();
        await db.query(
          `UPDATE chain_cursors SET status = 'halted', halt_reason = $2, updated_at = now()
            WHERE chain_key = $1 AND fencing_token <= $3`,
          [chainKey, reason, ctx.token],
        );
        await deps.outbox.publish({
          type: 'chain.follower.halted',
          aggregateId: chainKey,
          payload: { chain: chainKey, reason, cursor: cursor.block_number.toString() },
        });
      });
      metrics.deepReorgs.inc(label);
      metrics.halted.set(label, 1);
      log.error({ cursor: String(cursor.block_number), oldest: String(found.oldest) }, reason);
      return { kind: 'halted', reason };
    }
    const ancestor = found.ancestor;
    const depth = Number(cursor.block_number - ancestor.number);
    const removed = await db.transaction(() => dropAbove(ctx, cursor, ancestor, head, depth));
    metrics.reorgs.inc(label);
    metrics.reorgDepth.observe(label, depth);
    metrics.cursor.set(label, Number(ancestor.number));
    if (removed.lostConfirmed > 0) {
      metrics.deepReorgs.inc(label);
      log.error(
        { depth, ancestor: String(ancestor.number), removedConfirmed: removed.lostConfirmed },
        'reorg removed CONFIRMED events: deeper than the confirmation depth',
      );
    } else {
      log.warn({ depth, ancestor: String(ancestor.number), removed: removed.count }, 'reorg');
    }
    return { kind: 'reorg', depth, ancestor: ancestor.number, removedEvents: removed.count };
  };

  const commitBlocks = async (
    ctx: FollowerContext,
    cursor: CursorRow,
    blocks: ChainBlock[],
    head: BlockRef,
    interest: LogInterest | undefined,
    confirmUpTo: bigint,
  ): Promise<number> => {
    const last = blocks[blocks.length - 1];
    if (!last) return 0;
    const tip = last.number;
    const newConfirmed =
      confirmUpTo > cursor.confirmed_number ? confirmUpTo : cursor.confirmed_number;
    let eventCount = 0;
    await db.transaction(async () => {
      await moveCursor(ctx, cursor.block_hash, {
        number: tip,
        hash: last.hash,
        confirmed: newConfirmed,
        head: head.number,
        ...(interest ? { interestMark: interest.mark } : {}),
      });
      await db.query(
        `INSERT INTO chain_blocks (chain_key, number, hash, parent_hash, block_time)
         SELECT $1, number, hash, parent_hash, block_time
           FROM jsonb_to_recordset($2::jsonb) AS x(number bigint, hash text, parent_hash text, block_time bigint)
         ON CONFLICT (chain_key, number) DO UPDATE
           SET hash = excluded.hash, parent_hash = excluded.parent_hash, block_time = excluded.block_time`,
        [
          chainKey,
          JSON.stringify(
            blocks.map((b) => ({
              number: b.number.toString(),
              hash: b.hash,
              parent_hash: b.parentHash,
              block_time: b.timestamp,
            })),
          ),
        ],
      );
      const rowsByBlock = new Map<bigint, ReturnType<typeof eventRow>[]>();
      const all: ReturnType<typeof eventRow>[] = [];
      for (const b of blocks) {
        const stage: ChainEventStage = b.number <= newConfirmed ? 'confirmed' : 'pending';
        const rows = b.events.map((e) => eventRow(e, stage));
        rowsByBlock.set(b.number, rows);
        all.push(...rows);
      }
      eventCount = all.length;
      await insertEvents(all);

      // Pending events of earlier blocks that now have enough blocks on top.
      const confirmedEarlier = new Map<string, unknown[]>();
      if (newConfirmed > cursor.confirmed_number) {
        const { rows } = await db.query<ReturnType<typeof eventRow>>(
          `UPDATE chain_events SET stage = 'confirmed', confirmed_at = now()
            WHERE chain_key = $1 AND stage = 'pending' AND block_number > $2 AND block_number <= $3
            RETURNING id, chain_key, block_number::text AS block_number, block_hash, tx_hash, tx_index,
                      log_index, item_index, kind, contract, from_address, to_address,
                      token_id::text AS token_id, amount::text AS amount, filter, topics, data, decoded, stage`,
          [chainKey, cursor.confirmed_number, newConfirmed],
        );
        for (const r of rows) {
          const list = confirmedEarlier.get(r.block_hash) ?? [];
          list.push(wireEvent(r));
          confirmedEarlier.set(r.block_hash, list);
        }
        const batchStart = blocks[0]?.number ?? tip;
        const { rows: earlier } = await db.query<{ number: bigint; hash: string }>(
          `SELECT number, hash FROM chain_blocks
            WHERE chain_key = $1 AND number > $2 AND number <= $3 AND number < $4 ORDER BY number`,
          [chainKey, cursor.confirmed_number, newConfirmed, batchStart],
        );
        for (const b of earlier) {
          await publishBlock('confirmed', b, confirmedEarlier.get(b.hash) ?? []);
        }
      }
      for (const b of blocks) {
        const rows = (rowsByBlock.get(b.number) ?? []).map(wireEvent);
        await publishBlock(b.number <= newConfirmed ? 'confirmed' : 'pending', b, rows);
      }
      const ingested = { from: blocks[0]?.number ?? tip, to: tip };
      for (const h of hooks) await h.afterStep(chainKey, { ingested });
      await db.query('DELETE FROM chain_blocks WHERE chain_key = $1 AND number < $2', [
        chainKey,
        tip - windowBlocks,
      ]);
    });
    metrics.blocks.inc(label, blocks.length);
    const kinds = new Map<string, number>();
    for (const b of blocks)
      for (const e of b.events) kinds.set(e.kind, (kinds.get(e.kind) ?? 0) + 1);
    for (const [kind, n] of kinds) metrics.events.inc({ chain: chainKey, kind }, n);
    metrics.cursor.set(label, Number(tip));
    metrics.lag.set(label, head.number > tip ? Number(head.number - tip) : 0);
    return eventCount;
  };

  /**
   * Caught up, with no block to read: none can be read under an older interest, so the
   * interest's current mark is stored now rather than with the next block. A module
   * waiting for it (a contract-log backfill) then need not wait for the chain's next
   * block, which on a chain that makes blocks only on demand may never come. Written
   * only when the mark moved, and only while the cursor (its hash) and this holder's
   * lease (no newer token has written) are what this step saw.
   */
  const storeIdleMark = async (ctx: FollowerContext, cursor: CursorRow) => {
    const interest = await currentInterest();
    if (!interest) return;
    if (cursor.interest_mark !== null && cursor.interest_mark >= interest.mark) return;
    await db.query(
      `UPDATE chain_cursors SET interest_mark = $2
        WHERE chain_key = $1 AND block_hash = $3 AND fencing_token <= $4 AND status = 'running'
          AND (interest_mark IS NULL OR interest_mark < $2)`,
      [chainKey, interest.mark, cursor.block_hash, ctx.token],
    );
  };

  const step = async (ctx: FollowerContext): Promise<StepResult> => {
    const head = await adapter.getHead();
    metrics.head.set(label, Number(head.number));
    const cursor = (await readCursor()) ?? (await initCursor(ctx, head));
    if (cursor.rewind_to !== null) {
      return rewind(ctx, { ...cursor, rewind_to: cursor.rewind_to }, head);
    }
    // The node's head may be below our cursor (a reorg to a shorter chain): lag is then
    // 0, never negative; while halted, cursor and lag still describe the stored state.
    metrics.cursor.set(label, Number(cursor.block_number));
    metrics.lag.set(
      label,
      head.number > cursor.block_number ? Number(head.number - cursor.block_number) : 0,
    );
    if (cursor.status === 'halted') {
      metrics.halted.set(label, 1);
      return { kind: 'halted', reason: cursor.halt_reason ?? 'halted' };
    }
    metrics.halted.set(label, 0);

    if (head.number <= cursor.block_number) {
      if (head.number === cursor.block_number && head.hash === cursor.block_hash) {
        await storeIdleMark(ctx, cursor);
        return { kind: 'idle', head: head.number, cursor: cursor.block_number };
      }
      // The node's chain at our height differs, or the node went back below it.
      const ours =
        head.number === cursor.block_number ? head : await adapter.getBlockRef(cursor.block_number);
      if (ours?.hash === cursor.block_hash) {
        return { kind: 'idle', head: head.number, cursor: cursor.block_number };
      }
      return resolveReorg(ctx, cursor, ours ?? head, head);
    }

    const from = cursor.block_number + 1n;
    const to = head.number - from + 1n > maxBatch ? from + maxBatch - 1n : head.number;
    const interest = await currentInterest();
    const taken = takeRange(from, to, interest);
    const blocks = await taken.blocks;
    if (blocks.length === 0)
      return { kind: 'idle', head: head.number, cursor: cursor.block_number };

    // Keep the linked prefix; a break inside the batch is left for the next step.
    const linked: ChainBlock[] = [];
    let parent = cursor.block_hash;
    for (const b of blocks) {
      if (b.parentHash !== parent) break;
      linked.push(b);
      parent = b.hash;
    }
    const first = blocks[0];
    if (linked.length === 0 && first) return resolveReorg(ctx, cursor, first, head);

    const lastLinked = linked[linked.length - 1];
    const tip = lastLinked?.number ?? cursor.block_number;
    // Depth is counted only on blocks we linked by hash ourselves, and only once the node
    // says our tip is canonical *now*: blocks fetched ahead (or before a reorg) may be
    // older than the head, and a depth measured from a newer head on another branch
    // would confirm (and credit) a block that never had `confirmations` on top. A tip
    // equal to the head read at the start of this step needs no second look.
    const canonical =
      lastLinked !== undefined &&
      ((tip === head.number && lastLinked.hash === head.hash) ||
        (await adapter.getBlockRef(tip))?.hash === lastLinked.hash);
    if (!canonical) prefetch = undefined;
    if (canonical && linked.length === blocks.length && head.number > tip) {
      const nextFrom = tip + 1n;
      const nextTo =
        head.number - nextFrom + 1n > maxBatch ? nextFrom + maxBatch - 1n : head.number;
      const p = fetchRange(nextFrom, nextTo, interest);
      p.catch(() => undefined);
      prefetch = { from: nextFrom, to: nextTo, interest, blocks: p };
    }
    const confirmUpTo = canonical ? tip - conf : cursor.confirmed_number;
    const events = await commitBlocks(ctx, cursor, linked, head, taken.interest, confirmUpTo);
    return { kind: 'advanced', blocks: linked.length, events, cursor: tip, head: head.number };
  };

  // A function, so the check after an await is not narrowed away by the loop condition.
  const aborted = (signal: AbortSignal) => signal.aborted;

  return {
    chainKey,
    step,
    async run(ctx) {
      let failures = 0;
      let haltedLogged = false;
      while (!ctx.signal.aborted) {
        try {
          const r = await step(ctx);
          failures = 0;
          if (r.kind === 'halted') {
            if (!haltedLogged)
              log.error({ reason: r.reason }, 'follower halted; operator action needed');
            haltedLogged = true;
            await sleep(Math.max(settings.pollMs, 5000), ctx.signal);
          } else if (r.kind === 'idle') {
            await (deps.heads?.wait ?? sleep)(settings.pollMs, ctx.signal);
          }
        } catch (err) {
          prefetch = undefined;
          if (aborted(ctx.signal)) break;
          if (err instanceof CursorConflictError) throw err;
          failures += 1;
          const wait = Math.min(60_000, 250 * 2 ** Math.min(failures, 8));
          log.warn({ err, failures, retryInMs: wait }, 'follower step failed; retrying');
          await sleep(wait, ctx.signal);
        }
      }
    },
    async requestRewind(to, options = {}) {
      const cursor = await readCursor();
      if (!cursor) {
        return refuseRewind(ChainError.FollowerNotStarted, `${chainKey} has no cursor yet`);
      }
      const target = to < cursor.block_number ? to : cursor.block_number;
      const checked = await checkRewindTarget(target, options.unverified === true);
      if (checked !== true) return checked;
      const { rowCount } = await db.query(
        'UPDATE chain_cursors SET rewind_to = $2, updated_at = now() WHERE chain_key = $1',
        [chainKey, to],
      );
      return rowCount === 1
        ? true
        : refuseRewind(ChainError.FollowerNotStarted, `${chainKey} has no cursor yet`);
    },
    async backfill(from, to, options = {}) {
      if (from < 0n || to < from) return fail(ChainError.BackfillRangeInvalid);
      const cursor = await readCursor();
      if (!cursor || to > cursor.confirmed_number) return fail(ChainError.BackfillBeyondConfirmed);
      let inserted = 0;
      let blocksDone = 0;
      for (let a = from; a <= to; a += maxBatch) {
        const b = a + maxBatch - 1n < to ? a + maxBatch - 1n : to;
        const blocks = await fetchRange(a, b);
        for (let i = 1; i < blocks.length; i++) {
          if (blocks[i]?.parentHash !== blocks[i - 1]?.hash) {
            throw new Error(`${chainKey}: blocks ${a}..${b} do not link; node reorganising, retry`);
          }
        }
        const rows = blocks.flatMap((blk) => blk.events.map((e) => eventRow(e, 'confirmed')));
        await db.transaction(async () => {
          // Only blocks that are canonical as we know them: compare with the kept window.
          const { rows: known } = await db.query<{ number: bigint; hash: string }>(
            'SELECT number, hash FROM chain_blocks WHERE chain_key = $1 AND number BETWEEN $2 AND $3',
            [chainKey, a, b],
          );
          for (const k of known) {
            const got = blocks.find((x) => x.number === k.number);
            if (got && got.hash !== k.hash) {
              throw new Error(`${chainKey}: block ${k.number} differs from the followed chain`);
            }
          }
          inserted += await insertEvents(rows);
          for (const h of hooks) await h.afterStep(chainKey, { ingested: { from: a, to: b } });
        });
        blocksDone += blocks.length;
        options.onProgress?.(b);
      }
      log.info({ from: String(from), to: String(to), inserted }, 'backfill done');
      return { blocks: blocksDone, inserted };
    },
  };
}
