import { getAddress } from 'viem';
import type { Db } from '../../platform/db/db.js';
import { newId } from '../../platform/ids.js';
import type { Outbox } from '../../platform/outbox/outbox.js';
import { formatAmount, parseAmount } from '../../ledger/money.js';
import type { CustodyService } from '../custody/service.js';
import { fail, isFailure, rollback } from '../../platform/failure.js';
import { ChainError, type ChainFailure } from '../errors.js';
import type { ChainFunds } from '../funds.js';
import type { ChainMetrics } from '../metrics.js';
import type { ChainSettings } from '../settings.js';

/**
 * Withdrawals (on-chain sends) as users and operators see them: request, approve,
 * reject, list. Requesting validates everything first, then in one transaction takes
 * the daily limit, holds the funds in the ledger and records the withdrawal, so a
 * refusal leaves nothing behind. A send to another user's deposit address settles in
 * the ledger at once. Signing and broadcasting happen in the sender (./sender.ts).
 */
export interface WithdrawalService {
  request(input: WithdrawalRequest): Promise<Withdrawal | ChainFailure>;
  approve(id: string, operatorId: string): Promise<Withdrawal | ChainFailure>;
  reject(id: string, operatorId: string, reason: string): Promise<Withdrawal | ChainFailure>;
  get(id: string): Promise<Withdrawal | undefined>;
  list(query: {
    userId?: string;
    status?: WithdrawalStatus;
    limit: number;
    startingAfter?: string;
  }): Promise<Withdrawal[]>;
  allow(
    userId: string,
    chainKey: string,
    address: string,
    label?: string,
  ): Promise<ChainFailure | undefined>;
  /** Moves a finished withdrawal to `confirmed` / `failed`, posting or voiding its hold. */
  finish(
    id: string,
    outcome:
      | { ok: true; blockNumber: bigint }
      | {
          ok: false;
          reason: string;
          /** Where it reverted, when on chain. */ blockNumber?: bigint;
        },
  ): Promise<Withdrawal | undefined>;
  /**
   * A withdrawal that `failed` on chain (reverted, so its hold was released) whose
   * transaction went through after a reorg, on the branch the chain switched to: the
   * money left after all, so the user is debited again (once); `confirmed`. When the
   * user's balance no longer covers it, it stays `failed` with a `failure_reason` that
   * says so (operator action needed); a later call debits once the balance allows.
   */
  paidAfterFailure(
    id: string,
    info: { blockNumber: bigint },
  ): Promise<Withdrawal | { refused: ChainError; newlyFlagged: boolean } | undefined>;
  /**
   * A `confirmed` withdrawal whose transaction a reorg removed goes back to `broadcast`
   * (its hold stays posted; the sender re-sends the same signed transaction).
   */
  reorged(id: string, info: { blockNumber: bigint | null }): Promise<Withdrawal | undefined>;
}

export interface WithdrawalRequest {
  userId: string;
  chainKey: string;
  asset: string;
  toAddress: string;
  /** Decimal string at the asset's scale. */
  amount: string;
}

export type WithdrawalStatus =
  | 'pending_approval'
  | 'queued'
  | 'signed'
  | 'broadcast'
  | 'confirmed'
  | 'failed'
  | 'rejected'
  | 'completed';

export interface Withdrawal {
  id: string;
  userId: string;
  chainKey: string;
  asset: string;
  toAddress: string;
  amount: bigint;
  amountDecimal: string;
  status: WithdrawalStatus;
  /** Set when the send settled inside the ledger (to another user's deposit address). */
  internalUserId: string | null;
  fromAddress: string | null;
  nonce: bigint | null;
  txHash: string | null;
  blockNumber: bigint | null;
  failureReason: string | null;
  approvedBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

export interface WithdrawalRow {
  id: string;
  user_id: string;
  chain_key: string;
  asset: string;
  to_address: string;
  amount: string;
  status: WithdrawalStatus;
  internal_user_id: string | null;
  hold_ref: string | null;
  from_address: string | null;
  nonce: bigint | null;
  tx_hash: string | null;
  gas_limit: bigint | null;
  block_number: bigint | null;
  failure_reason: string | null;
  approved_by: string | null;
  post_ref: string | null;
  reorged: number;
  usage_day: string;
  created_at: Date;
  updated_at: Date;
  broadcast_at: Date | null;
  finished_at: Date | null;
}

export const WITHDRAWAL_COLUMNS = `id, user_id, chain_key, asset, to_address, amount::text AS amount, status,
  internal_user_id, hold_ref, from_address, nonce, tx_hash, gas_limit, block_number, failure_reason,
  approved_by, post_ref, reorged, usage_day::text AS usage_day, created_at, updated_at, broadcast_at,
  finished_at`;

/** The asset's scale and token contract on a chain, if the chain has it. */
export function assetOn(
  chain: ChainSettings,
  asset: string,
): { decimals: number; token?: string; gasLimit: bigint } | undefined {
  if (chain.nativeAsset.code === asset)
    return { decimals: chain.nativeAsset.decimals, gasLimit: 21_000n };
  const t = chain.tokens.find((x) => x.code === asset);
  return t
    ? { decimals: t.decimals, token: t.address.toLowerCase(), gasLimit: BigInt(t.gasLimit) }
    : undefined;
}

/** Validates an EVM address: 0x + 40 hex; mixed case must carry a correct EIP-55 checksum. */
export function checkAddress(address: string): { ok: true; address: string } | ChainFailure {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) return fail(ChainError.AddressInvalid);
  const body = address.slice(2);
  const mixed = body !== body.toLowerCase() && body !== body.toUpperCase();
  if (mixed && getAddress(address) !== address) {
    return fail(ChainError.AddressChecksum);
  }
  const lower = address.toLowerCase();
  if (/^0x0{40}$/.test(lower)) return fail(ChainError.AddressInvalid);
  return { ok: true, address: lower };
}

export function createWithdrawalService(deps: {
  db: Db;
  outbox: Pick<Outbox, 'publish'>;
  funds: ChainFunds;
  custody: CustodyService;
  chains: readonly ChainSettings[];
  metrics: ChainMetrics;
  now?: () => Date;
}): WithdrawalService {
  const { db, funds } = deps;
  const now = deps.now ?? (() => new Date());
  const byKey = new Map(deps.chains.map((c) => [c.key, c]));

  const toWithdrawal = (r: WithdrawalRow): Withdrawal => {
    const chain = byKey.get(r.chain_key);
    const decimals = chain ? (assetOn(chain, r.asset)?.decimals ?? 0) : 0;
    const amount = BigInt(r.amount);
    return {
      id: r.id,
      userId: r.user_id,
      chainKey: r.chain_key,
      asset: r.asset,
      toAddress: r.to_address,
      amount,
      amountDecimal: formatAmount(amount, decimals, { trim: true }),
      status: r.status,
      internalUserId: r.internal_user_id,
      fromAddress: r.from_address,
      nonce: r.nonce,
      txHash: r.tx_hash,
      blockNumber: r.block_number,
      failureReason: r.failure_reason,
      approvedBy: r.approved_by,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      finishedAt: r.finished_at,
    };
  };

  /** The `withdrawal` object every `withdrawal.*` event carries. */
  const eventPayload = (w: Withdrawal) => ({
    id: w.id,
    user_id: w.userId,
    chain: w.chainKey,
    asset: w.asset,
    amount: w.amountDecimal,
    to_address: w.toAddress,
    status: w.status,
    internal: w.internalUserId !== null,
    tx_hash: w.txHash,
    nonce: w.nonce?.toString() ?? null,
    failure_reason: w.failureReason,
  });

  const publish = async (w: Withdrawal) => {
    deps.metrics.withdrawals.inc({ chain: w.chainKey, asset: w.asset, status: w.status });
    await deps.outbox.publish({
      type: `withdrawal.${w.status}`,
      aggregateId: w.id,
      payload: eventPayload(w),
    });
  };

  const lockRow = async (id: string): Promise<WithdrawalRow | undefined> => {
    const { rows } = await db.query<WithdrawalRow>(
      `SELECT ${WITHDRAWAL_COLUMNS} FROM withdrawals WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0];
  };

  const releaseUsage = async (r: WithdrawalRow) => {
    await db.query(
      `UPDATE withdrawal_usage SET amount = GREATEST(amount - $4::numeric, 0)
        WHERE user_id = $1 AND asset = $2 AND day = $3::date`,
      [r.user_id, r.asset, r.usage_day, r.amount],
    );
  };

  const service: WithdrawalService = {
    async request(input) {
      const chain = byKey.get(input.chainKey);
      if (!chain) return fail(ChainError.ChainUnknown);
      const asset = assetOn(chain, input.asset);
      if (!asset) return fail(ChainError.AssetUnknown);
      if (!chain.withdrawals.enabled) return fail(ChainError.WithdrawalsDisabled);
      const checked = checkAddress(input.toAddress);
      if (isFailure(checked)) return checked;
      const to = checked.address;
      const parsed = parseAmount(input.amount, asset.decimals);
      if (!parsed.ok) {
        return fail(
          parsed.code === 'amount_too_precise'
            ? ChainError.AmountTooPrecise
            : ChainError.AmountInvalid,
        );
      }
      const amount = parsed.value;
      if (amount <= 0n) return fail(ChainError.AmountInvalid);
      const owner = await deps.custody.ownerOf(chain.key, to);
      if (owner === input.userId) return fail(ChainError.AddressOwn);
      if (owner === undefined && (await deps.custody.mode()) === 'watch_only') {
        return fail(ChainError.CustodyWatchOnly);
      }
      if (chain.withdrawals.requireAllowlist && owner === undefined) {
        const { rowCount } = await db.query(
          'SELECT 1 FROM withdrawal_allowlist WHERE user_id = $1 AND chain_key = $2 AND address = $3',
          [input.userId, chain.key, to],
        );
        if (rowCount === 0) return fail(ChainError.AddressNotAllowed);
      }
      const limitText = chain.withdrawals.dailyLimit[input.asset];
      const limit = limitText === undefined ? undefined : parseAmount(limitText, asset.decimals);
      const approvalText = chain.withdrawals.approvalAbove[input.asset];
      const approvalAbove =
        approvalText === undefined ? undefined : parseAmount(approvalText, asset.decimals);
      const day = now().toISOString().slice(0, 10);
      const id = newId('wd');

      // A refusal inside rolls back the limit usage and any hold taken before it.
      const row = await db.attempt(async () => {
        // One atomic statement: the row is created or grown only while under the limit.
        const usage = await db.query(
          `INSERT INTO withdrawal_usage AS u (user_id, asset, day, amount)
             SELECT $1, $2, $3::date, $4::numeric WHERE $4::numeric <= $5::numeric
             ON CONFLICT (user_id, asset, day) DO UPDATE SET amount = u.amount + excluded.amount
               WHERE u.amount + excluded.amount <= $5::numeric`,
          [
            input.userId,
            input.asset,
            day,
            amount.toString(),
            limit?.ok ? limit.value.toString() : '1e80',
          ],
        );
        if (usage.rowCount === 0) return rollback(fail(ChainError.DailyLimitExceeded));

        if (owner !== undefined) {
          const moved = await funds.transferBetweenUsers({
            key: `chains:withdrawal:${id}`,
            fromUserId: input.userId,
            toUserId: owner,
            asset: input.asset,
            amount,
            metadata: { withdrawalId: id, chain: chain.key },
          });
          if (!moved.ok) return rollback(fail(refusalCode(moved.code)));
          const { rows } = await db.query<WithdrawalRow>(
            `INSERT INTO withdrawals (id, user_id, chain_key, asset, to_address, amount, status,
                                        internal_user_id, hold_ref, usage_day, finished_at)
               VALUES ($1, $2, $3, $4, $5, $6, 'completed', $7, $8, $9::date, now())
               RETURNING ${WITHDRAWAL_COLUMNS}`,
            [
              id,
              input.userId,
              chain.key,
              input.asset,
              to,
              amount.toString(),
              owner,
              moved.ref,
              day,
            ],
          );
          const done = rows[0];
          if (done) await publish(toWithdrawal(done));
          return done;
        }

        const held = await funds.hold({
          key: `chains:withdrawal:${id}:hold`,
          userId: input.userId,
          asset: input.asset,
          amount,
          metadata: { withdrawalId: id, chain: chain.key, to },
        });
        if (!held.ok) return rollback(fail(refusalCode(held.code)));
        const needsApproval = approvalAbove?.ok === true && amount > approvalAbove.value;
        const { rows } = await db.query<WithdrawalRow>(
          `INSERT INTO withdrawals (id, user_id, chain_key, asset, to_address, amount, status,
                                      hold_ref, gas_limit, usage_day)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::date)
             RETURNING ${WITHDRAWAL_COLUMNS}`,
          [
            id,
            input.userId,
            chain.key,
            input.asset,
            to,
            amount.toString(),
            needsApproval ? 'pending_approval' : 'queued',
            held.holdRef,
            asset.gasLimit,
            day,
          ],
        );
        const r = rows[0];
        if (r) await publish(toWithdrawal(r));
        return r;
      });
      if (isFailure(row)) return row;
      if (!row) throw new Error('withdrawal insert returned nothing');
      return toWithdrawal(row);
    },

    async approve(id, operatorId) {
      return db.transaction(async () => {
        const r = await lockRow(id);
        if (!r) return fail(ChainError.WithdrawalNotFound);
        if (r.status !== 'pending_approval') return fail(ChainError.WithdrawalNotAwaitingApproval);
        const { rows } = await db.query<WithdrawalRow>(
          `UPDATE withdrawals SET status = 'queued', approved_by = $2, updated_at = now()
            WHERE id = $1 RETURNING ${WITHDRAWAL_COLUMNS}`,
          [id, operatorId],
        );
        const w = toWithdrawal(rows[0] ?? r);
        await publish(w);
        return w;
      });
    },

    async reject(id, operatorId, reason) {
      return db.transaction(async () => {
        const r = await lockRow(id);
        if (!r) return fail(ChainError.WithdrawalNotFound);
        if (r.status !== 'pending_approval') return fail(ChainError.WithdrawalNotAwaitingApproval);
        if (r.hold_ref) {
          const v = await funds.voidHold({
            key: `chains:withdrawal:${id}:void`,
            holdRef: r.hold_ref,
          });
          if (!v.ok) throw new Error(`voiding hold of ${id} failed: ${v.message}`);
        }
        await releaseUsage(r);
        const { rows } = await db.query<WithdrawalRow>(
          `UPDATE withdrawals SET status = 'rejected', approved_by = $2, failure_reason = $3,
                  updated_at = now(), finished_at = now()
            WHERE id = $1 RETURNING ${WITHDRAWAL_COLUMNS}`,
          [id, operatorId, reason],
        );
        const w = toWithdrawal(rows[0] ?? r);
        await publish(w);
        return w;
      });
    },

    async finish(id, outcome) {
      return db.transaction(async () => {
        const r = await lockRow(id);
        if (!r || (r.status !== 'broadcast' && r.status !== 'signed')) return undefined;
        let postRef = r.post_ref;
        if (outcome.ok) {
          // Posted once: a withdrawal confirmed again after a reorg is not debited twice.
          if (r.hold_ref && !postRef) {
            const p = await funds.postHold({
              key: `chains:withdrawal:${id}:post`,
              holdRef: r.hold_ref,
              metadata: { withdrawalId: id },
            });
            if (!p.ok) throw new Error(`posting hold of ${id} failed: ${p.message}`);
            postRef = p.ref;
          }
        } else if (postRef) {
          // Posted at an earlier confirmation that a reorg undid, and now failed: the
          // debit is reversed.
          const v = await funds.reverse({
            key: `chains:withdrawal:${id}:refund`,
            ref: postRef,
            description: 'On-chain withdrawal failed after a reorg',
            metadata: { withdrawalId: id, reason: outcome.reason },
          });
          if (!v.ok) throw new Error(`reversing the posted hold of ${id} failed: ${v.message}`);
          await releaseUsage(r);
        } else {
          if (r.hold_ref) {
            const v = await funds.voidHold({
              key: `chains:withdrawal:${id}:void`,
              holdRef: r.hold_ref,
            });
            if (!v.ok) throw new Error(`voiding hold of ${id} failed: ${v.message}`);
          }
          await releaseUsage(r);
        }
        const { rows } = await db.query<WithdrawalRow>(
          `UPDATE withdrawals SET status = $2, block_number = $3, failure_reason = $4,
                  post_ref = $5, updated_at = now(), finished_at = now()
            WHERE id = $1 RETURNING ${WITHDRAWAL_COLUMNS}`,
          [
            id,
            outcome.ok ? 'confirmed' : 'failed',
            outcome.blockNumber ?? null,
            outcome.ok ? null : outcome.reason,
            postRef,
          ],
        );
        const w = toWithdrawal(rows[0] ?? r);
        await publish(w);
        return w;
      });
    },

    async paidAfterFailure(id, info) {
      return db.transaction(async () => {
        const r = await lockRow(id);
        if (r?.status !== 'failed') return undefined;
        // Held and posted under keys of their own: the first hold was voided (or its
        // posting reversed), and a second run of this is refused by the keys, not doubled.
        const held = await funds.hold({
          key: `chains:withdrawal:${id}:rehold`,
          userId: r.user_id,
          asset: r.asset,
          amount: BigInt(r.amount),
          metadata: { withdrawalId: id, chain: r.chain_key, paidAfterFailure: 'true' },
        });
        if (!held.ok) {
          const refused = refusalCode(held.code);
          const reason =
            `PAID ON CHAIN after a reorg (block ${info.blockNumber}), but the user's balance ` +
            `does not cover the debit again (${refused}): operator action needed`;
          const { rows } = await db.query(
            `UPDATE withdrawals SET failure_reason = $2, updated_at = now()
              WHERE id = $1 AND failure_reason IS DISTINCT FROM $2 RETURNING id`,
            [id, reason],
          );
          return { refused, newlyFlagged: rows.length > 0 };
        }
        const posted = await funds.postHold({
          key: `chains:withdrawal:${id}:repost`,
          holdRef: held.holdRef,
          metadata: { withdrawalId: id },
        });
        if (!posted.ok) throw new Error(`posting the new hold of ${id} failed: ${posted.message}`);
        const { rows } = await db.query<WithdrawalRow>(
          `UPDATE withdrawals SET status = 'confirmed', block_number = $2, failure_reason = NULL,
                  hold_ref = $3, post_ref = $4, updated_at = now(), finished_at = now()
            WHERE id = $1 RETURNING ${WITHDRAWAL_COLUMNS}`,
          [id, info.blockNumber, held.holdRef, posted.ref],
        );
        const w = toWithdrawal(rows[0] ?? r);
        await publish(w);
        return w;
      });
    },

    async reorged(id, info) {
      return db.transaction(async () => {
        const r = await lockRow(id);
        if (r?.status !== 'confirmed') return undefined;
        const { rows } = await db.query<WithdrawalRow>(
          `UPDATE withdrawals SET status = 'broadcast', block_number = NULL, finished_at = NULL,
                  reorged = reorged + 1, broadcast_at = now(), updated_at = now()
            WHERE id = $1 RETURNING ${WITHDRAWAL_COLUMNS}`,
          [id],
        );
        const w = toWithdrawal(rows[0] ?? r);
        deps.metrics.withdrawalsReorged.inc({ chain: w.chainKey });
        await deps.outbox.publish({
          type: 'withdrawal.reorged',
          aggregateId: w.id,
          payload: {
            ...eventPayload(w),
            removed_block_number: info.blockNumber?.toString() ?? null,
          },
        });
        return w;
      });
    },

    async get(id) {
      const { rows } = await db.query<WithdrawalRow>(
        `SELECT ${WITHDRAWAL_COLUMNS} FROM withdrawals WHERE id = $1`,
        [id],
      );
      return rows[0] ? toWithdrawal(rows[0]) : undefined;
    },

    async list(query) {
      const params: unknown[] = [];
      const where: string[] = [];
      const add = (sql: string, v: unknown) => {
        params.push(v);
        where.push(sql.replace('?', `$${params.length}`));
      };
      if (query.userId !== undefined) add('user_id = ?', query.userId);
      if (query.status !== undefined) add('status = ?', query.status);
      if (query.startingAfter !== undefined) add('id < ?', query.startingAfter);
      params.push(query.limit);
      const { rows } = await db.query<WithdrawalRow>(
        `SELECT ${WITHDRAWAL_COLUMNS} FROM withdrawals
          ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
          ORDER BY id DESC LIMIT $${params.length}`,
        params,
      );
      return rows.map(toWithdrawal);
    },

    async allow(userId, chainKey, address, label) {
      if (!byKey.has(chainKey)) return fail(ChainError.ChainUnknown);
      const checked = checkAddress(address);
      if (isFailure(checked)) return checked;
      const a = checked.address;
      await db.query(
        `INSERT INTO withdrawal_allowlist (user_id, chain_key, address, label) VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id, chain_key, address) DO UPDATE SET label = excluded.label`,
        [userId, chainKey, a, label ?? null],
      );
      return undefined;
    },
  };
  return service;
}

function refusalCode(code: string): ChainError {
  if (code === 'insufficient_funds') return ChainError.InsufficientFunds;
  if (code === 'account_frozen') return ChainError.AccountFrozen;
  if (code === 'amount_too_large') return ChainError.AmountInvalid;
  throw new Error(`ledger refused the withdrawal: ${code}`);
}
