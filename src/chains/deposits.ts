import type { Db } from '../platform/db/db.js';
import { newId } from '../platform/ids.js';
import type { Logger } from '../platform/observability/logger.js';
import type { Outbox } from '../platform/outbox/outbox.js';
import { formatAmount } from '../ledger/money.js';
import type { FollowerHook, StepChange } from './follower.js';
import type { ChainFunds } from './funds.js';
import type { ChainMetrics } from './metrics.js';
import type { ChainSettings } from './settings.js';
import type { AuditLog } from '../platform/audit/audit.js';
import { fail, rollback, type Failure } from '../platform/failure.js';
import { ChainError } from './errors.js';

/**
 * Deposits: native and ERC-20 transfers to users' deposit addresses.
 *
 * A follower hook, so it runs inside the follower's transaction: a deposit row appears
 * with the event (`pending`), becomes `confirmed` and is credited to the ledger in the
 * same transaction that confirms the event, or becomes `removed` with it. The credit is
 * guarded by the conditional `pending → confirmed` update (one winner) and by the ledger
 * idempotency key `chains:deposit:<id>`, so it happens exactly once, and never for a
 * transfer that a reorg dropped before its confirmation.
 *
 * Only the chain's native asset and its configured tokens count: a transfer of any other
 * token to a deposit address is an event, not a deposit.
 */
export interface DepositService extends FollowerHook {
  list(query: {
    userId?: string;
    chainKey?: string;
    status?: DepositStatus;
    limit: number;
    startingAfter?: string;
  }): Promise<Deposit[]>;
  get(id: string): Promise<Deposit | undefined>;
  /**
   * An operator's answer to a `reorged_after_credit` deposit whose transfer is gone: the
   * held credit is reversed in the ledger (a reversal linked to the credit), audited.
   */
  reverse(
    id: string,
    operator: { id: string; reason: string },
  ): Promise<Deposit | Failure<DepositReversalError>>;
}

/** Why a deposit cannot be reversed (the ledger refusing is `ledger_refused`). */
export type DepositReversalError =
  ChainError.DepositNotFound | ChainError.DepositNotReorged | ChainError.LedgerRefused;

export type DepositStatus =
  'pending' | 'confirmed' | 'credit_failed' | 'removed' | 'reorged_after_credit' | 'reversed';

export interface Deposit {
  id: string;
  eventId: string;
  chainKey: string;
  userId: string;
  asset: string;
  /** Minor units (token base units). */
  amount: bigint;
  /** Decimal string at the asset's scale. */
  amountDecimal: string;
  address: string;
  fromAddress: string | null;
  txHash: string;
  blockNumber: bigint;
  blockHash: string;
  status: DepositStatus;
  confirmations: number;
  /** The credit is held (the user cannot spend it) while its transfer is off the chain. */
  onHold: boolean;
  /** Why the ledger refused that hold (the user had already spent the credit). */
  holdError: string | null;
  /** Times the transfer moved to another block after a reorg (same deposit, no new credit). */
  reincluded: number;
  reversedBy: string | null;
  reversalReason: string | null;
  createdAt: Date;
  confirmedAt: Date | null;
  removedAt: Date | null;
  reversedAt: Date | null;
}

interface DepositRow {
  id: string;
  event_id: string;
  chain_key: string;
  user_id: string;
  asset: string;
  amount: string;
  address: string;
  from_address: string | null;
  tx_hash: string;
  block_number: bigint;
  block_hash: string;
  status: DepositStatus;
  ledger_ref: string | null;
  hold_ref: string | null;
  hold_error: string | null;
  reincluded: number;
  reversed_by: string | null;
  reversal_reason: string | null;
  created_at: Date;
  confirmed_at: Date | null;
  removed_at: Date | null;
  reversed_at: Date | null;
}

const COLUMNS = `id, event_id, chain_key, user_id, asset, amount::text AS amount, address, from_address,
  tx_hash, block_number, block_hash, status, ledger_ref, hold_ref, hold_error, reincluded,
  reversed_by, reversal_reason, created_at, confirmed_at, removed_at, reversed_at`;

export function createDepositService(deps: {
  db: Db;
  outbox: Pick<Outbox, 'publish'>;
  funds: ChainFunds;
  audit?: Pick<AuditLog, 'record'>;
  chains: readonly ChainSettings[];
  metrics: ChainMetrics;
  logger: Logger;
}): DepositService {
  const { db, funds } = deps;
  const byKey = new Map(deps.chains.map((c) => [c.key, c]));

  const scaleOf = (chainKey: string, asset: string): number => {
    const c = byKey.get(chainKey);
    if (!c) return 0;
    if (c.nativeAsset.code === asset) return c.nativeAsset.decimals;
    return c.tokens.find((t) => t.code === asset)?.decimals ?? 0;
  };

  const toDeposit = (r: DepositRow): Deposit => {
    const amount = BigInt(r.amount);
    return {
      id: r.id,
      eventId: r.event_id,
      chainKey: r.chain_key,
      userId: r.user_id,
      asset: r.asset,
      amount,
      amountDecimal: formatAmount(amount, scaleOf(r.chain_key, r.asset), { trim: true }),
      address: r.address,
      fromAddress: r.from_address,
      txHash: r.tx_hash,
      blockNumber: r.block_number,
      blockHash: r.block_hash,
      status: r.status,
      confirmations: byKey.get(r.chain_key)?.confirmations ?? 0,
      onHold: r.hold_ref !== null,
      holdError: r.hold_error,
      reincluded: r.reincluded,
      reversedBy: r.reversed_by,
      reversalReason: r.reversal_reason,
      createdAt: r.created_at,
      confirmedAt: r.confirmed_at,
      removedAt: r.removed_at,
      reversedAt: r.reversed_at,
    };
  };

  const publish = async (type: string, d: Deposit) => {
    deps.metrics.deposits.inc({ chain: d.chainKey, asset: d.asset, status: d.status });
    await deps.outbox.publish({
      type,
      aggregateId: d.id,
      payload: {
        id: d.id,
        user_id: d.userId,
        chain: d.chainKey,
        asset: d.asset,
        amount: d.amountDecimal,
        address: d.address,
        from_address: d.fromAddress,
        tx_hash: d.txHash,
        block_number: d.blockNumber.toString(),
        block_hash: d.blockHash,
        event_id: d.eventId,
        status: d.status,
      },
    });
  };

  /**
   * A deposit is one on-chain transfer, not one event: after a reorg the same transaction
   * is usually mined again in another block, where its event has a new id. Each new
   * event that repeats a transfer whose event was removed (same transaction, address,
   * asset and amount; paired in log order) moves that deposit to the new block instead
   * of making a second deposit, so it is never credited twice. A deposit never credited
   * goes back to `pending`; one credited and reorged out stays `reorged_after_credit`
   * (its credit held) until the new block is confirmed. Returns the events taken.
   */
  const reinclude = async (chain: ChainSettings, eventIds: string[]): Promise<Set<string>> => {
    const { rows: events } = await db.query<{
      id: string;
      tx_hash: string;
      to_address: string;
      contract: string | null;
      amount: string;
      block_number: bigint;
      block_hash: string;
    }>(
      `SELECT id, tx_hash, to_address, contract, amount::text AS amount, block_number, block_hash
         FROM chain_events WHERE id = ANY($1::text[]) ORDER BY block_number, log_index, item_index`,
      [eventIds],
    );
    const { rows: gone } = await db.query<{
      id: string;
      tx_hash: string;
      address: string;
      asset: string;
      amount: string;
    }>(
      `SELECT d.id, d.tx_hash, d.address, d.asset, d.amount::text AS amount
         FROM deposits d JOIN chain_events e ON e.id = d.event_id
        WHERE d.chain_key = $1 AND d.tx_hash = ANY($2::text[]) AND e.stage = 'removed'
          AND d.status IN ('pending', 'removed', 'reorged_after_credit')
        ORDER BY d.block_number, d.id`,
      [chain.key, [...new Set(events.map((e) => e.tx_hash))]],
    );
    const assetOf = (contract: string | null) =>
      contract === null
        ? chain.nativeAsset.code
        : chain.tokens.find((t) => t.address.toLowerCase() === contract)?.code;
    const taken = new Set<string>();
    const used = new Set<string>();
    for (const e of events) {
      const d = gone.find(
        (g) =>
          !used.has(g.id) &&
          g.tx_hash === e.tx_hash &&
          g.address === e.to_address &&
          g.asset === assetOf(e.contract) &&
          g.amount === e.amount,
      );
      if (!d) continue;
      used.add(d.id);
      taken.add(e.id);
      const { rows } = await db.query<DepositRow>(
        `UPDATE deposits SET event_id = $2, block_number = $3, block_hash = $4,
                reincluded = reincluded + 1,
                status = CASE WHEN status = 'removed' THEN 'pending' ELSE status END,
                removed_at = CASE WHEN status = 'removed' THEN NULL ELSE removed_at END
          WHERE id = $1 RETURNING ${COLUMNS}`,
        [d.id, e.id, e.block_number, e.block_hash],
      );
      const r = rows[0];
      if (!r) continue;
      deps.logger.warn(
        { depositId: r.id, chain: chain.key, txHash: r.tx_hash, block: String(r.block_number) },
        'deposit re-included in another block after a reorg (same deposit, no new credit)',
      );
      await publish('deposit.reincluded', toDeposit(r));
    }
    return taken;
  };

  const detectNew = async (chain: ChainSettings, from: bigint, to: bigint) => {
    const assets = [
      { contract: null, asset: chain.nativeAsset.code, kind: 'native' },
      ...chain.tokens.map((t) => ({
        contract: t.address.toLowerCase(),
        asset: t.code,
        kind: 'erc20',
      })),
    ];
    const { rows: candidates } = await db.query<{ event_id: string }>(
      `SELECT e.id AS event_id
         FROM chain_events e
         JOIN deposit_addresses a ON a.chain_key = e.chain_key AND a.address = e.to_address
         JOIN jsonb_to_recordset($4::jsonb) AS t(contract text, asset text, kind text)
           ON t.kind = e.kind AND t.contract IS NOT DISTINCT FROM e.contract
        WHERE e.chain_key = $1 AND e.block_number BETWEEN $2 AND $3
          AND e.kind IN ('native', 'erc20') AND e.stage <> 'removed' AND e.amount > 0
          AND NOT EXISTS (SELECT 1 FROM deposits d WHERE d.event_id = e.id)
        ORDER BY e.block_number, e.tx_index, e.log_index`,
      [chain.key, from, to, JSON.stringify(assets)],
    );
    if (candidates.length === 0) return;
    const fresh = await reinclude(
      chain,
      candidates.map((c) => c.event_id),
    );
    const left = candidates.filter((c) => !fresh.has(c.event_id));
    if (left.length === 0) return;
    const ids = left.map(() => newId('dep'));
    const { rows } = await db.query<DepositRow>(
      `INSERT INTO deposits (id, event_id, chain_key, user_id, asset, amount, address, from_address,
                             tx_hash, block_number, block_hash, status)
       SELECT x.id, e.id, e.chain_key, a.user_id, t.asset, e.amount, e.to_address, e.from_address,
              e.tx_hash, e.block_number, e.block_hash, 'pending'
         FROM unnest($2::text[], $3::text[]) AS x(id, event_id)
         JOIN chain_events e ON e.id = x.event_id
         JOIN deposit_addresses a ON a.chain_key = e.chain_key AND a.address = e.to_address
         JOIN jsonb_to_recordset($4::jsonb) AS t(contract text, asset text, kind text)
           ON t.kind = e.kind AND t.contract IS NOT DISTINCT FROM e.contract
        WHERE e.chain_key = $1
       ON CONFLICT (event_id) DO NOTHING
       RETURNING ${COLUMNS}`,
      [chain.key, ids, left.map((c) => c.event_id), JSON.stringify(assets)],
    );
    rows.sort((a, b) => (a.id < b.id ? -1 : 1));
    for (const r of rows) await publish('deposit.pending', toDeposit(r));
  };

  const countOnHold = async (chainKey: string) => {
    const { rows } = await db.query<{ n: bigint }>(
      `SELECT count(*) AS n FROM deposits WHERE chain_key = $1 AND status = 'reorged_after_credit'`,
      [chainKey],
    );
    deps.metrics.depositsOnHold.set({ chain: chainKey }, Number(rows[0]?.n ?? 0));
  };

  const settle = async (chainKey: string, change: StepChange) => {
    // Driven from the few open deposits (partial indexes), then each event by its key:
    // the cost of a step must not grow with the chain_events table.
    const { rows: open } = await db.query<{ event_id: string }>(
      `SELECT event_id FROM deposits
        WHERE chain_key = $1 AND status IN ('pending', 'removed', 'reorged_after_credit')`,
      [chainKey],
    );
    const ids = open.map((o) => o.event_id);
    const transition = (from: DepositStatus, to: DepositStatus, stageTest: string) =>
      ids.length === 0
        ? Promise.resolve({ rows: [] as DepositRow[] })
        : db.query<DepositRow>(
            `UPDATE deposits d SET status = '${to}',
                    ${to === 'confirmed' ? 'confirmed_at = now()' : to === 'removed' ? 'removed_at = now()' : 'removed_at = NULL'}
               FROM chain_events e
              WHERE d.event_id = ANY($2::text[]) AND d.chain_key = $1 AND d.status = '${from}'
                AND e.id = d.event_id AND ${stageTest}
              RETURNING ${prefixed}`,
            [chainKey, ids],
          );

    // A dropped block that came back (the chain flipped back): pending again.
    const { rows: revived } = await transition('removed', 'pending', "e.stage <> 'removed'");
    for (const r of revived) await publish('deposit.pending', toDeposit(r));

    const { rows: removed } = await transition('pending', 'removed', "e.stage = 'removed'");
    for (const r of removed) await publish('deposit.removed', toDeposit(r));

    const { rows: confirmed } = await transition('pending', 'confirmed', "e.stage = 'confirmed'");
    confirmed.sort((a, b) => (a.id < b.id ? -1 : 1));
    for (const r of confirmed) {
      const d = toDeposit(r);
      const credit = await funds.creditDeposit({
        key: `chains:deposit:${d.id}`,
        userId: d.userId,
        asset: d.asset,
        amount: d.amount,
        metadata: { depositId: d.id, chain: d.chainKey, txHash: d.txHash, eventId: d.eventId },
      });
      if (credit.ok) {
        await db.query('UPDATE deposits SET ledger_ref = $2 WHERE id = $1', [d.id, credit.ref]);
        await publish('deposit.confirmed', d);
      } else {
        // The chain moved the money; the ledger refused (frozen account, …). Recorded
        // for an operator rather than blocking the chain for everyone.
        await db.query(
          `UPDATE deposits SET status = 'credit_failed', credit_error = $2 WHERE id = $1`,
          [d.id, `${credit.code}: ${credit.message}`],
        );
        deps.logger.error(
          { depositId: d.id, code: credit.code, chain: chainKey },
          'confirmed deposit could not be credited',
        );
        await publish('deposit.credit_failed', { ...d, status: 'credit_failed' });
      }
    }

    // A credited deposit reorged out and now confirmed again (its transfer re-included,
    // or the chain flipped back): the held credit is released; nothing is credited twice.
    const { rows: back } =
      ids.length === 0
        ? { rows: [] as DepositRow[] }
        : await db.query<DepositRow>(
            `UPDATE deposits d SET status = 'confirmed', removed_at = NULL, hold_ref = NULL,
                    hold_error = NULL
               FROM chain_events e,
                    (SELECT id, hold_ref AS old_hold FROM deposits
                      WHERE event_id = ANY($2::text[]) AND chain_key = $1
                        AND status = 'reorged_after_credit') o
              WHERE o.id = d.id AND e.id = d.event_id AND e.stage = 'confirmed'
              RETURNING ${prefixed}, o.old_hold`,
            [chainKey, ids],
          );
    for (const r of back) {
      const old = (r as DepositRow & { old_hold: string | null }).old_hold;
      if (old) {
        const v = await funds.voidHold({
          key: `chains:deposit:${r.id}:release:${old}`,
          holdRef: old,
        });
        if (!v.ok) throw new Error(`releasing the hold of deposit ${r.id} failed: ${v.message}`);
      }
      deps.logger.warn(
        { depositId: r.id, chain: chainKey, txHash: r.tx_hash },
        'reorged-out deposit confirmed again; its credit is released',
      );
      await publish('deposit.reconfirmed', toDeposit(r));
    }

    if (back.length > 0) await countOnHold(chainKey);
    if (change.removedAbove !== undefined) {
      // Deeper than the confirmation depth: already credited. The credit is held at once
      // (the user cannot withdraw money the chain no longer shows); whether to reverse it
      // is an operator's call, unless the transfer comes back.
      const { rows: lost } = await db.query<DepositRow>(
        `UPDATE deposits d SET status = 'reorged_after_credit', removed_at = now()
           FROM chain_events e
          WHERE d.chain_key = $1 AND d.block_number > $2 AND d.status = 'confirmed'
            AND e.id = d.event_id AND e.stage = 'removed'
          RETURNING ${prefixed}`,
        [chainKey, change.removedAbove],
      );
      for (const r of lost) {
        const hold = await funds.hold({
          key: `chains:deposit:${r.id}:hold:${r.event_id}`,
          userId: r.user_id,
          asset: r.asset,
          amount: BigInt(r.amount),
          metadata: { depositId: r.id, chain: chainKey, txHash: r.tx_hash, reason: 'reorged' },
        });
        const { rows: held } = await db.query<DepositRow>(
          `UPDATE deposits SET hold_ref = $2, hold_error = $3 WHERE id = $1 RETURNING ${COLUMNS}`,
          [r.id, hold.ok ? hold.holdRef : null, hold.ok ? null : `${hold.code}: ${hold.message}`],
        );
        deps.metrics.reorgedAfterCredit.inc({ chain: chainKey, asset: r.asset });
        deps.logger.error(
          {
            depositId: r.id,
            chain: chainKey,
            txHash: r.tx_hash,
            held: hold.ok,
            ...(hold.ok ? {} : { holdRefused: hold.code }),
          },
          'a CREDITED deposit was reorged out; credit held, operator review needed',
        );
        await publish('deposit.reorged_after_credit', toDeposit(held[0] ?? r));
      }
      await countOnHold(chainKey);
    }
  };

  return {
    async afterStep(chainKey, change) {
      const chain = byKey.get(chainKey);
      if (!chain) return;
      if (change.ingested) await detectNew(chain, change.ingested.from, change.ingested.to);
      await settle(chainKey, change);
    },
    async list(query) {
      const params: unknown[] = [];
      const where: string[] = [];
      const add = (sql: string, v: unknown) => {
        params.push(v);
        where.push(sql.replace('?', `$${params.length}`));
      };
      if (query.userId !== undefined) add('user_id = ?', query.userId);
      if (query.chainKey !== undefined) add('chain_key = ?', query.chainKey);
      if (query.status !== undefined) add('status = ?', query.status);
      if (query.startingAfter !== undefined) add('id < ?', query.startingAfter);
      params.push(query.limit);
      const { rows } = await db.query<DepositRow>(
        `SELECT ${COLUMNS} FROM deposits ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
          ORDER BY id DESC LIMIT $${params.length}`,
        params,
      );
      return rows.map(toDeposit);
    },
    async get(id) {
      const { rows } = await db.query<DepositRow>(`SELECT ${COLUMNS} FROM deposits WHERE id = $1`, [
        id,
      ]);
      return rows[0] ? toDeposit(rows[0]) : undefined;
    },
    async reverse(id, operator) {
      return db.attempt(async (): Promise<Deposit | Failure<DepositReversalError>> => {
        const { rows } = await db.query<DepositRow>(
          `SELECT ${COLUMNS} FROM deposits WHERE id = $1 FOR UPDATE`,
          [id],
        );
        const r = rows[0];
        if (!r) return fail(ChainError.DepositNotFound);
        // Only a credit whose transfer is off the chain now: a re-included one is
        // confirmed again by the follower, never reversed by hand.
        const { rows: ev } = await db.query<{ stage: string }>(
          'SELECT stage FROM chain_events WHERE id = $1',
          [r.event_id],
        );
        if (r.status !== 'reorged_after_credit' || ev[0]?.stage !== 'removed' || !r.ledger_ref) {
          return fail(ChainError.DepositNotReorged);
        }
        if (r.hold_ref) {
          const v = await funds.voidHold({
            key: `chains:deposit:${id}:unhold`,
            holdRef: r.hold_ref,
          });
          if (!v.ok) return fail(ChainError.LedgerRefused);
        }
        const rev = await funds.reverse({
          key: `chains:deposit:${id}:reverse`,
          ref: r.ledger_ref,
          description: 'Reversal of an on-chain deposit removed by a reorg',
          metadata: {
            depositId: id,
            chain: r.chain_key,
            txHash: r.tx_hash,
            operator: operator.id,
          },
        });
        // Refused (the user spent it before the hold): nothing above is kept.
        if (!rev.ok) return rollback(fail(ChainError.LedgerRefused));
        const { rows: done } = await db.query<DepositRow>(
          `UPDATE deposits SET status = 'reversed', hold_ref = NULL, reversal_ref = $2,
                  reversed_by = $3, reversal_reason = $4, reversed_at = now()
            WHERE id = $1 RETURNING ${COLUMNS}`,
          [id, rev.ref, operator.id, operator.reason],
        );
        const d = toDeposit(done[0] ?? r);
        await deps.audit?.record({
          action: 'deposit.reversed',
          actorType: 'user',
          actorId: operator.id,
          targetType: 'deposit',
          targetId: id,
          data: {
            chain: d.chainKey,
            tx_hash: d.txHash,
            asset: d.asset,
            amount: d.amountDecimal,
            reason: operator.reason,
            ledger_transaction_id: rev.ref,
          },
        });
        await publish('deposit.reversed', d);
        await countOnHold(d.chainKey);
        return d;
      });
    },
  };
}

const prefixed = `d.id, d.event_id, d.chain_key, d.user_id, d.asset, d.amount::text AS amount, d.address,
  d.from_address, d.tx_hash, d.block_number, d.block_hash, d.status, d.ledger_ref, d.hold_ref, d.hold_error,
  d.reincluded, d.reversed_by, d.reversal_reason, d.created_at, d.confirmed_at, d.removed_at, d.reversed_at`;
