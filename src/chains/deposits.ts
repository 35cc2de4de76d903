import type { Db } from '../platform/db/db.js';
import { newId } from '../platform/ids.js';
import type { Logger } from '../platform/observability/logger.js';
import type { Outbox } from '../platform/outbox/outbox.js';
import { formatAmount } from '../ledger/money.js';
import type { FollowerHook, StepChange } from './follower.js';
import type { ChainFunds } from './funds.js';
import type { ChainMetrics } from './metrics.js';
import type { ChainSettings } from './settings.js';

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
}

export type DepositStatus =
  'pending' | 'confirmed' | 'credit_failed' | 'removed' | 'reorged_after_credit';

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
  createdAt: Date;
  confirmedAt: Date | null;
  removedAt: Date | null;
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
  created_at: Date;
  confirmed_at: Date | null;
  removed_at: Date | null;
}

const COLUMNS = `id, event_id, chain_key, user_id, asset, amount::text AS amount, address, from_address,
  tx_hash, block_number, block_hash, status, created_at, confirmed_at, removed_at`;

export function createDepositService(deps: {
  db: Db;
  outbox: Pick<Outbox, 'publish'>;
  funds: ChainFunds;
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
      createdAt: r.created_at,
      confirmedAt: r.confirmed_at,
      removedAt: r.removed_at,
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
    const ids = candidates.map(() => newId('dep'));
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
      [chain.key, ids, candidates.map((c) => c.event_id), JSON.stringify(assets)],
    );
    rows.sort((a, b) => (a.id < b.id ? -1 : 1));
    for (const r of rows) await publish('deposit.pending', toDeposit(r));
  };

  const settle = async (chainKey: string, change: StepChange) => {
    // Driven from the few open deposits (partial indexes), then each event by its key:
    // the cost of a step must not grow with the chain_events table.
    const { rows: open } = await db.query<{ event_id: string }>(
      `SELECT event_id FROM deposits WHERE chain_key = $1 AND status IN ('pending', 'removed')`,
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

    if (change.removedAbove !== undefined) {
      // Deeper than the confirmation depth: already credited. Flag it; reversing money
      // the user may have spent is an operator's call.
      const { rows: lost } = await db.query<DepositRow>(
        `UPDATE deposits d SET status = 'reorged_after_credit', removed_at = now()
           FROM chain_events e
          WHERE d.chain_key = $1 AND d.block_number > $2 AND d.status = 'confirmed'
            AND e.id = d.event_id AND e.stage = 'removed'
          RETURNING ${prefixed}`,
        [chainKey, change.removedAbove],
      );
      for (const r of lost) {
        deps.logger.error(
          { depositId: r.id, chain: chainKey, txHash: r.tx_hash },
          'a CREDITED deposit was reorged out; operator review needed',
        );
        await publish('deposit.reorged_after_credit', toDeposit(r));
      }
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
  };
}

const prefixed = `d.id, d.event_id, d.chain_key, d.user_id, d.asset, d.amount::text AS amount, d.address,
  d.from_address, d.tx_hash, d.block_number, d.block_hash, d.status, d.created_at, d.confirmed_at, d.removed_at`;
