import { createHash } from 'node:crypto';
import type { Asset } from '../ledger/model.js';
import { formatAmount } from '../ledger/money.js';
import { deleteInSlices, DELETE_SLICE } from '../platform/db/db.js';
import { newId } from '../platform/ids.js';
import { fail, isFailure, rollback } from '../platform/failure.js';
import { WalletError, type WalletFailure } from './errors.js';
import {
  AlreadyDone,
  alreadyDone,
  PROFILE_COLUMNS,
  profileFromRow,
  refuse,
  type ProfileRow,
  type WalletContext,
} from './internal.js';
import { adjustmentJson, profileJson } from './json.js';
import type { Adjustment, WalletActor, WalletProfile } from './model.js';
import { TIERS, type Tier } from './settings.js';

export interface AdjustmentInput {
  actor: WalletActor;
  userId: string;
  asset: string;
  direction: 'credit' | 'debit';
  amount: string;
  reason: string;
  requestKey?: string | undefined;
}

/** What a user may still do today, at their tier. */
export interface LimitUsage {
  asset: string;
  perTransaction: string;
  daily: string;
  usedToday: string;
}

interface AdjustmentRow {
  id: string;
  user_id: string;
  asset: string;
  direction: 'credit' | 'debit';
  amount: string;
  reason: string;
  actor_id: string;
  ledger_transaction_id: string;
  created_at: Date;
}

const ADJUSTMENT_COLUMNS = `id, user_id, asset, direction, amount::text AS amount, reason, actor_id,
  ledger_transaction_id, created_at`;

export function createAdmin(ctx: WalletContext) {
  const { db, ledger, audit, users } = ctx.deps;

  async function toAdjustment(r: AdjustmentRow): Promise<Adjustment> {
    const amount = BigInt(r.amount);
    return {
      id: r.id,
      userId: r.user_id,
      asset: r.asset,
      direction: r.direction,
      amount,
      amountDecimal: await ctx.format(r.asset, amount),
      reason: r.reason,
      actorId: r.actor_id,
      ledgerTransactionId: r.ledger_transaction_id,
      createdAt: r.created_at,
    };
  }

  function checkReason(reason: string): string | WalletFailure {
    const r = reason.trim();
    if (r.length < 3 || r.length > 500) {
      return fail(WalletError.ReasonRequired, {
        message: 'A reason of 3 to 500 characters is required',
        param: 'reason',
      });
    }
    return r;
  }

  async function requireUser(userId: string): Promise<WalletFailure | undefined> {
    if (!(await users.get(userId))) {
      return fail(WalletError.UserNotFound, { message: `No user ${userId}`, param: 'user_id' });
    }
    return undefined;
  }

  function auditActor(actor: WalletActor) {
    return {
      actorType: actor.type,
      actorId: actor.id,
      credentialId: actor.credentialId,
      ip: actor.ip,
      requestId: actor.requestId,
    };
  }

  /**
   * Credits or debits a user against the house's liquidity account, with a reason, in
   * one transaction with its audit record and event. A debit is refused if the user's
   * available balance does not cover it.
   */
  async function adjust(
    input: AdjustmentInput,
  ): Promise<{ ok: true; adjustment: Adjustment; replayed: boolean } | WalletFailure> {
    const reason = checkReason(input.reason);
    if (typeof reason !== 'string') return reason;
    const missing = await requireUser(input.userId);
    if (missing) return missing;
    const parsed = await ctx.parseAmount(input.asset, input.amount);
    if (!parsed.ok) return parsed;
    const key = input.requestKey ?? null;
    const same = (a: Adjustment) =>
      a.userId === input.userId &&
      a.asset === parsed.asset.code &&
      a.direction === input.direction &&
      a.amount === parsed.amount &&
      a.reason === reason;
    const replay = async (
      row: AdjustmentRow | undefined,
    ): Promise<{ ok: true; adjustment: Adjustment; replayed: boolean } | WalletFailure> => {
      if (!row) throw new Error('adjustment vanished');
      const a = await toAdjustment(row);
      if (!same(a)) {
        return fail(WalletError.IdempotencyConflict, {
          message: 'This Idempotency-Key was already used for a different adjustment',
          param: 'Idempotency-Key',
        });
      }
      return { ok: true, adjustment: a, replayed: true };
    };
    const byKey = async () => {
      const { rows } = await db.query<AdjustmentRow>(
        `SELECT ${ADJUSTMENT_COLUMNS} FROM wallet_adjustments WHERE actor_id = $1 AND request_key = $2`,
        [input.actor.id, key],
      );
      return rows[0];
    };
    if (key !== null) {
      const prior = await byKey();
      if (prior) return replay(prior);
    }
    const id = newId('adj');
    const ledgerKey =
      key === null
        ? `wallet:adjustment:${id}`
        : `wallet:adjustment:${input.actor.id}:${createHash('sha256').update(key).digest('base64url')}`;
    const r = await ctx.tx(async (): Promise<Adjustment | WalletFailure | AlreadyDone> => {
      const user = await ctx.userAccount(input.userId, parsed.asset.code);
      const house = await ctx.houseAccount('liquidity', parsed.asset.code);
      const credit = input.direction === 'credit';
      const t = await ledger.transfer({
        key: ledgerKey,
        from: credit ? house : user,
        to: credit ? user : house,
        asset: parsed.asset.code,
        amount: parsed.amount,
        description: `Adjustment: ${reason}`,
        metadata: { wallet: 'adjustment', user: input.userId, actor: input.actor.id },
      });
      if (!t.ok) return rollback(await ctx.fromLedger(t, user));
      if (t.replayed) alreadyDone(null);
      const at = t.transaction.effectiveAt;
      const { rows } = await db.query<AdjustmentRow>(
        `INSERT INTO wallet_adjustments (id, user_id, asset, direction, amount, reason, actor_id,
                                           request_key, ledger_transaction_id, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${ADJUSTMENT_COLUMNS}`,
        [
          id,
          input.userId,
          parsed.asset.code,
          input.direction,
          parsed.amount.toString(),
          reason,
          input.actor.id,
          key,
          t.transaction.id,
          at,
        ],
      );
      if (!rows[0]) throw new Error('adjustment not inserted');
      const adjustment = await toAdjustment(rows[0]);
      await ctx.addActivity([
        {
          userId: input.userId,
          type: 'adjustment',
          asset: parsed.asset.code,
          amount: credit ? parsed.amount : -parsed.amount,
          referenceId: id,
          counterpartyId: null,
          description: reason,
          ledgerTransactionId: t.transaction.id,
          occurredAt: at,
        },
      ]);
      await audit.record({
        action: 'wallet.adjustment_created',
        ...auditActor(input.actor),
        targetType: 'user',
        targetId: input.userId,
        data: {
          adjustment_id: id,
          asset: parsed.asset.code,
          direction: input.direction,
          amount: adjustment.amountDecimal,
          reason,
          ledger_transaction_id: t.transaction.id,
        },
      });
      await ctx.publish('adjustment.created', id, adjustmentJson(adjustment));
      return adjustment;
    });
    if (r instanceof AlreadyDone) return replay(await byKey());
    return isFailure(r) ? r : { ok: true, adjustment: r, replayed: false };
  }

  async function listAdjustments(
    userId: string,
    q: { limit: number; startingAfter?: string | undefined },
  ): Promise<Adjustment[]> {
    const { rows } = await db.query<AdjustmentRow>(
      `SELECT ${ADJUSTMENT_COLUMNS} FROM wallet_adjustments
        WHERE user_id = $1 AND ($2::text IS NULL OR id < $2) ORDER BY id DESC LIMIT $3`,
      [userId, q.startingAfter ?? null, q.limit],
    );
    return Promise.all(rows.map(toAdjustment));
  }

  /** The user's risk state; a user the wallet has not seen yet is at the first tier. */
  async function profile(userId: string): Promise<WalletProfile> {
    const { rows } = await db.query<ProfileRow>(
      `SELECT ${PROFILE_COLUMNS} FROM wallet_profiles WHERE user_id = $1`,
      [userId],
    );
    return rows[0]
      ? profileFromRow(rows[0])
      : {
          userId,
          tier: TIERS[0],
          frozen: false,
          frozenReason: null,
          frozenAt: null,
          frozenBy: null,
        };
  }

  /** Limits of the user's tier per asset, with what was used today (UTC) and this hour. */
  async function limits(
    userId: string,
  ): Promise<{ tier: Tier; perHour: number; usedThisHour: number; assets: LimitUsage[] }> {
    const p = await profile(userId);
    const now = ctx.clock();
    const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    const hour = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000);
    const { rows } = await db.query<{ counter: string; amount: string }>(
      `SELECT counter, amount::text AS amount FROM wallet_limit_counters
        WHERE user_id = $1 AND ((counter LIKE 'daily:%' AND period_start = $2)
                             OR (counter = 'hourly' AND period_start = $3))`,
      [userId, day, hour],
    );
    const used = new Map(rows.map((r) => [r.counter, BigInt(r.amount)]));
    const assets: LimitUsage[] = [];
    for (const a of await ledger.listAssets()) {
      const l = ctx.limitsOf(p.tier, a);
      if (!l) continue;
      assets.push({
        asset: a.code,
        perTransaction: formatAmount(l.perTransaction, a.scale),
        daily: formatAmount(l.daily, a.scale),
        usedToday: formatAmount(used.get(`daily:${a.code}`) ?? 0n, a.scale),
      });
    }
    return {
      tier: p.tier,
      perHour: ctx.deps.settings.limits[p.tier].perHour,
      usedThisHour: Number(used.get('hourly') ?? 0n),
      assets,
    };
  }

  /**
   * Changes a user's risk state with a reason, audited and announced. Freezing waits for
   * the user's movements in flight (they hold the profile lock shared; see LOCK ORDER in
   * internal.ts), never for ones that arrive after it, and refuses every later one;
   * doing what is already done changes nothing and records nothing.
   */
  async function changeProfile(
    actor: WalletActor,
    userId: string,
    reasonText: string,
    change: { frozen: boolean } | { tier: Tier },
  ): Promise<{ ok: true; profile: WalletProfile; changed: boolean } | WalletFailure> {
    const reason = checkReason(reasonText);
    if (typeof reason !== 'string') return reason;
    const missing = await requireUser(userId);
    if (missing) return missing;
    return ctx.tx(async () => {
      await ctx.lockProfileExclusively(userId);
      await db.query(
        'INSERT INTO wallet_profiles (user_id, tier) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING',
        [userId, TIERS[0]],
      );
      const now = ctx.clock();
      const { rows } =
        'tier' in change
          ? await db.query<ProfileRow>(
              `UPDATE wallet_profiles SET tier = $2, updated_at = $3
                WHERE user_id = $1 AND tier <> $2 RETURNING ${PROFILE_COLUMNS}`,
              [userId, change.tier, now],
            )
          : change.frozen
            ? await db.query<ProfileRow>(
                `UPDATE wallet_profiles SET frozen = true, frozen_reason = $2, frozen_at = $3,
                        frozen_by = $4, updated_at = $3
                  WHERE user_id = $1 AND NOT frozen RETURNING ${PROFILE_COLUMNS}`,
                [userId, reason, now, actor.id],
              )
            : await db.query<ProfileRow>(
                `UPDATE wallet_profiles SET frozen = false, frozen_reason = NULL, frozen_at = NULL,
                        frozen_by = NULL, updated_at = $2
                  WHERE user_id = $1 AND frozen RETURNING ${PROFILE_COLUMNS}`,
                [userId, now],
              );
      const row = rows[0];
      if (!row) return { ok: true as const, profile: await profile(userId), changed: false };
      const p = profileFromRow(row);
      const event =
        'tier' in change
          ? 'wallet.tier_changed'
          : change.frozen
            ? 'wallet.frozen'
            : 'wallet.unfrozen';
      await audit.record({
        action: event,
        ...auditActor(actor),
        targetType: 'user',
        targetId: userId,
        data: { reason, tier: p.tier, frozen: p.frozen },
      });
      await ctx.publish(event, userId, profileJson(p));
      return { ok: true as const, profile: p, changed: true };
    });
  }

  /** Registers an asset (and its house accounts) in the ledger; audited when created. */
  async function createAsset(
    actor: WalletActor,
    input: { code: string; kind: 'fiat' | 'crypto'; scale: number; name?: string | undefined },
  ): Promise<{ ok: true; asset: Asset; created: boolean } | WalletFailure> {
    return ctx.tx(async () => {
      const r = await ledger.createAsset({
        code: input.code,
        kind: input.kind,
        scale: input.scale,
        ...(input.name !== undefined ? { name: input.name } : {}),
      });
      if (!r.ok) refuse(r.code, r.message, r.param ?? 'code');
      if (r.created) {
        await audit.record({
          action: 'asset.created',
          ...auditActor(actor),
          targetType: 'asset',
          targetId: r.asset.code,
          data: { kind: r.asset.kind, scale: r.asset.scale, name: r.asset.name },
        });
      }
      return { ok: true as const, asset: r.asset, created: r.created };
    });
  }

  /**
   * Deletes limit counters of periods that ended before yesterday (UTC): a daily counter
   * matters for its day and an hourly one for its hour, and `limits` only reads the
   * current ones. One day more is kept so support can see yesterday's usage.
   */
  function pruneLimitCounters(): Promise<number> {
    const now = ctx.clock();
    const yesterday = new Date(
      Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - 86_400_000,
    );
    return deleteInSlices(
      db,
      `DELETE FROM wallet_limit_counters WHERE (user_id, counter, period_start) IN (
         SELECT user_id, counter, period_start FROM wallet_limit_counters
          WHERE period_start < $1 LIMIT ${DELETE_SLICE})`,
      [yesterday],
    );
  }

  return {
    adjust,
    listAdjustments,
    pruneLimitCounters,
    createAsset,
    profile,
    limits,
    freeze: (actor: WalletActor, userId: string, reason: string) =>
      changeProfile(actor, userId, reason, { frozen: true }),
    unfreeze: (actor: WalletActor, userId: string, reason: string) =>
      changeProfile(actor, userId, reason, { frozen: false }),
    setTier: (actor: WalletActor, userId: string, tier: Tier, reason: string) =>
      changeProfile(actor, userId, reason, { tier }),
  };
}

export type Admin = ReturnType<typeof createAdmin>;
