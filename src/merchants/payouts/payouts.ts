import { LedgerError } from '../../ledger/errors.js';
import { formatAmount } from '../../ledger/money.js';
import type { LedgerService } from '../../ledger/service.js';
import type { AuditLog, JsonValue } from '../../platform/audit/audit.js';
import type { Db } from '../../platform/db/db.js';
import { fail, isFailure, rollback } from '../../platform/failure.js';
import { newId } from '../../platform/ids.js';
import type { Outbox } from '../../platform/outbox/outbox.js';
import { defineQueue, type JobQueue } from '../../platform/queue/queue.js';
import { recordMerchantAction } from '../audit.js';
import { amountError, MerchantError, type MerchantFailure } from '../errors.js';
import type { Actor, MerchantAccount } from '../model.js';
import { nextRunAfter, type PayoutPeriod } from './periods.js';
import type { PayoutRail } from './rail.js';

export type PayoutStatus =
  'pending_approval' | 'in_transit' | 'paid' | 'failed' | 'rejected' | 'canceled';

/** A bank payout of a merchant balance. */
export interface BankPayout {
  id: string;
  accountId: string;
  merchantId: string;
  livemode: boolean;
  asset: string;
  amount: bigint;
  scale: number;
  destination: string;
  description: string | null;
  status: PayoutStatus;
  /** True for a payout a schedule created. */
  scheduled: boolean;
  rail: string | null;
  railReference: string | null;
  approvedBy: string | null;
  approvedAt: Date | null;
  failureReason: string | null;
  /** Balance → payouts in transit. */
  ledgerTransferId: string;
  /** In transit → settlement (paid), or the reversal (failed, rejected, canceled). */
  ledgerFinishId: string | null;
  createdBy: string;
  createdAt: Date;
  finishedAt: Date | null;
}

/** A merchant account's payout schedule for one asset. */
export interface PayoutSchedule {
  accountId: string;
  asset: string;
  scale: number;
  enabled: boolean;
  period: PayoutPeriod;
  /** 1 = Monday … 7 = Sunday, for weekly schedules. */
  weekday: number | null;
  minimum: bigint;
  destination: string;
  nextRunAt: Date;
  lastRunAt: Date | null;
}

export interface PayoutScheduleInput {
  asset: string;
  enabled: boolean;
  period: PayoutPeriod;
  weekday?: number | undefined;
  minimum: string;
  destination: string;
}

/** Drives one payout at its rail until it is paid or failed. */
export const PayoutRailQueue = defineQueue<{ payoutId: string }>('merchants.payout.rail');
/** Runs one schedule when it is due. */
export const PayoutScheduleQueue = defineQueue<{ accountId: string; asset: string }>(
  'merchants.payout.schedule',
);

/**
 * Bank payouts of a merchant balance, by hand or on a schedule, on the double-entry
 * ledger: creating one transfers the amount from the merchant account to its "payouts in
 * transit" account, and that one ledger transfer is the guard (the ledger refuses it,
 * under the account's row lock, when the available balance does not cover it), so
 * concurrent payouts can never take more than the balance. A job then hands the payout
 * to the payout rail (its id is the idempotency key) and follows it: paid moves the
 * amount on to the settlement house account (it left the operator's bank); failed
 * reverses the first transfer. Payouts above the asset's approval limit wait, the amount
 * already reserved, for a platform operator (with TOTP, not a member of the merchant) to
 * approve or reject them; rejection and a merchant's cancel reverse it too.
 *
 * @example
 * const p = await payouts.create(actor, account, { asset: 'USD', amount: '120.00', destination: 'DE89…' });
 * // later, from the `merchants.payout.rail` job:
 * await payouts.advance(p.id);
 */
export interface PayoutService {
  create(
    actor: Actor,
    account: MerchantAccount,
    input: {
      asset: string;
      amount: string;
      destination: string;
      description?: string | undefined;
    },
  ): Promise<BankPayout | MerchantFailure>;
  get(accountId: string, id: string): Promise<BankPayout | undefined>;
  list(
    accountId: string,
    query: { limit: number; startingAfter?: string | undefined; status?: PayoutStatus | undefined },
  ): Promise<BankPayout[]>;
  /** The merchant withdraws a payout still waiting for approval: the amount goes back. */
  cancel(actor: Actor, accountId: string, id: string): Promise<BankPayout | MerchantFailure>;

  /** Operators: payouts waiting for approval, oldest first. */
  listPendingApproval(query: {
    limit: number;
    startingAfter?: string | undefined;
  }): Promise<BankPayout[]>;
  /** Operators (TOTP, not a member of the merchant): send it to the rail. */
  approve(actor: Actor, id: string): Promise<BankPayout | MerchantFailure>;
  /** Operators (TOTP, not a member of the merchant): refuse it; the amount goes back. */
  reject(actor: Actor, id: string, reason: string): Promise<BankPayout | MerchantFailure>;

  /**
   * One step at the rail (what the `merchants.payout.rail` job runs): ask for the payout
   * if the rail has not made it, ask where it stands, book the outcome. Safe to repeat.
   */
  advance(id: string, signal?: AbortSignal): Promise<{ state: 'done' } | { state: 'pending' }>;
  /**
   * The rail job used its last attempt and the payout is still in transit (the rail kept
   * answering pending, or could not be reached): nothing is booked (the rail may still pay
   * it), but `payout.stuck` and a `merchant.payout_stuck` audit entry say so, for the
   * operator to look at the rail and requeue the dead job. False when it is no longer in transit.
   */
  flagStuck(id: string, reason: string): Promise<boolean>;

  schedules(accountId: string): Promise<PayoutSchedule[]>;
  setSchedule(
    actor: Actor,
    account: MerchantAccount,
    input: PayoutScheduleInput,
  ): Promise<PayoutSchedule | MerchantFailure>;
  /**
   * Runs a due schedule once for its period: pays out the whole available balance if it
   * reaches the minimum, and moves the schedule to its next period. Answers the payout.
   */
  runSchedule(accountId: string, asset: string): Promise<BankPayout | undefined>;
  /** Enqueues a run of every due schedule (the maintenance pass; runs are deduplicated). */
  enqueueDueSchedules(): Promise<number>;
}

interface PayoutRow {
  id: string;
  account_id: string;
  merchant_id: string;
  livemode: boolean;
  asset: string;
  amount: string;
  destination: string;
  description: string | null;
  status: PayoutStatus;
  schedule_key: string | null;
  ledger_transfer_id: string;
  ledger_finish_id: string | null;
  rail: string | null;
  rail_reference: string | null;
  approved_by: string | null;
  approved_at: Date | null;
  failure_reason: string | null;
  created_by: string;
  created_at: Date;
  finished_at: Date | null;
}

interface ScheduleRow {
  account_id: string;
  asset: string;
  merchant_id: string;
  livemode: boolean;
  enabled: boolean;
  period: PayoutPeriod;
  weekday: number | null;
  minimum: string;
  destination: string;
  next_run_at: Date;
  last_run_at: Date | null;
}

const COLUMNS = `id, account_id, merchant_id, livemode, asset, amount::text AS amount, destination,
  description, status, schedule_key, ledger_transfer_id, ledger_finish_id, rail, rail_reference,
  approved_by, approved_at, failure_reason, created_by, created_at, finished_at`;
const SCHEDULE_COLUMNS = `account_id, asset, merchant_id, livemode, enabled, period, weekday,
  minimum::text AS minimum, destination, next_run_at, last_run_at`;

const DESTINATION = /^[\x20-\x7e]{1,100}$/;

/** The ledger owner of a merchant account's payouts in transit. */
export const inTransitOwner = (accountId: string) => `${accountId}:payouts_in_transit`;

type PayoutEvent =
  | 'payout.created'
  | 'payout.approved'
  | 'payout.rejected'
  | 'payout.canceled'
  | 'payout.paid'
  | 'payout.failed'
  | 'payout.stuck';

export function createPayoutService(deps: {
  db: Db;
  ledger: LedgerService;
  outbox: Pick<Outbox, 'publish'>;
  audit: Pick<AuditLog, 'record'>;
  jobs: Pick<JobQueue, 'enqueue'>;
  clock: () => Date;
  /** The rail bank payouts of this mode go through, if one is configured. */
  rail(livemode: boolean): PayoutRail | undefined;
  /** Payouts above this amount of the asset (minor units) wait for an operator; absent: all do. */
  approvalAbove(asset: string): Promise<bigint | undefined>;
  /** Whether the user has a confirmed TOTP factor (identity). */
  totpEnabled(userId: string): Promise<boolean>;
}): PayoutService {
  const { db, ledger } = deps;

  const toPayout = async (r: PayoutRow): Promise<BankPayout> => ({
    id: r.id,
    accountId: r.account_id,
    merchantId: r.merchant_id,
    livemode: r.livemode,
    asset: r.asset,
    amount: BigInt(r.amount),
    scale: (await ledger.getAsset(r.asset))?.scale ?? 0,
    destination: r.destination,
    description: r.description,
    status: r.status,
    scheduled: r.schedule_key !== null,
    rail: r.rail,
    railReference: r.rail_reference,
    approvedBy: r.approved_by,
    approvedAt: r.approved_at,
    failureReason: r.failure_reason,
    ledgerTransferId: r.ledger_transfer_id,
    ledgerFinishId: r.ledger_finish_id,
    createdBy: r.created_by,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
  });

  const toSchedule = async (r: ScheduleRow): Promise<PayoutSchedule> => ({
    accountId: r.account_id,
    asset: r.asset,
    scale: (await ledger.getAsset(r.asset))?.scale ?? 0,
    enabled: r.enabled,
    period: r.period,
    weekday: r.weekday,
    minimum: BigInt(r.minimum),
    destination: r.destination,
    nextRunAt: r.next_run_at,
    lastRunAt: r.last_run_at,
  });

  const byId = async (id: string, lock = false): Promise<PayoutRow | undefined> => {
    const { rows } = await db.query<PayoutRow>(
      `SELECT ${COLUMNS} FROM merchant_payouts WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return rows[0];
  };

  const publish = (type: PayoutEvent, p: BankPayout) =>
    deps.outbox.publish({
      type,
      aggregateId: p.id,
      payload: {
        id: p.id,
        object: 'payout',
        method: 'bank',
        account_id: p.accountId,
        merchant_id: p.merchantId,
        livemode: p.livemode,
        asset: p.asset,
        amount: formatAmount(p.amount, p.scale, { trim: true }),
        status: p.status,
        scheduled: p.scheduled,
        approved_by: p.approvedBy,
        failure_reason: p.failureReason,
      },
    });

  const audit = (
    actor: Actor | 'system',
    action: string,
    p: { id: string; merchantId: string; accountId: string },
    data: Record<string, JsonValue>,
  ) =>
    recordMerchantAction(
      deps.audit,
      actor,
      action,
      { type: 'merchant_payout', id: p.id },
      { merchant_id: p.merchantId, account_id: p.accountId, ...data },
    );

  const amountText = async (asset: string, amount: bigint) =>
    formatAmount(amount, (await ledger.getAsset(asset))?.scale ?? 0, { trim: true });

  /** A fiat asset and a positive amount of it, or why not. */
  const parseFiat = async (
    asset: string,
    text: string,
    param: string,
  ): Promise<bigint | MerchantFailure> => {
    const parsed = await ledger.parseAmount(asset, text);
    if (!parsed.ok) {
      const code = amountError(parsed.code);
      return fail(code, { param: code === MerchantError.AssetUnknown ? 'asset' : param });
    }
    if (parsed.asset.kind !== 'fiat') return fail(MerchantError.PayoutAssetNotFiat);
    return parsed.amount;
  };

  const enqueueRail = (id: string) =>
    deps.jobs.enqueue(
      PayoutRailQueue,
      { payoutId: id },
      { dedupeKey: `payout:${id}`, maxAttempts: 200 },
    );

  /**
   * Writes a payout: the transfer to in-transit (the guard) and its row, in the caller's
   * transaction. Refused with `payout_exceeds_balance` when the balance does not cover it.
   */
  const open = async (
    actor: Actor | 'system',
    account: MerchantAccount,
    input: {
      asset: string;
      amount: bigint;
      destination: string;
      description: string | null;
      scheduleKey: string | null;
    },
  ): Promise<BankPayout | MerchantFailure> => {
    const rail = deps.rail(account.livemode);
    if (!rail) return fail(MerchantError.PayoutRailMissing);
    const limit = await deps.approvalAbove(input.asset);
    const status: PayoutStatus =
      limit !== undefined && input.amount <= limit ? 'in_transit' : 'pending_approval';
    const id = newId('po');
    const from = await ledger.openAccount({ owner: account.id, asset: input.asset });
    const to = await ledger.openAccount({ owner: inTransitOwner(account.id), asset: input.asset });
    if (!from.ok || !to.ok) throw new Error('payout accounts cannot be opened');
    const moved = await ledger.transfer({
      key: `merchants:payout:${id}`,
      from: from.account.id,
      to: to.account.id,
      asset: input.asset,
      amount: input.amount,
      description: 'Payout to bank (in transit)',
      metadata: { payoutId: id, payout: 'in_transit' },
    });
    if (!moved.ok) {
      return rollback(
        fail(
          moved.code === LedgerError.InsufficientFunds
            ? MerchantError.PayoutExceedsBalance
            : MerchantError.AccountFrozen,
        ),
      );
    }
    const now = deps.clock();
    const { rows } = await db.query<PayoutRow>(
      `INSERT INTO merchant_payouts (id, account_id, merchant_id, livemode, asset, amount,
              destination, description, status, schedule_key, ledger_transfer_id, rail,
              created_by, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)
       RETURNING ${COLUMNS}`,
      [
        id,
        account.id,
        account.merchantId,
        account.livemode,
        input.asset,
        input.amount.toString(),
        input.destination,
        input.description,
        status,
        input.scheduleKey,
        moved.transaction.id,
        rail.name,
        actor === 'system' ? 'schedule' : actor.userId,
        now,
      ],
    );
    if (!rows[0]) throw new Error('payout insert returned nothing');
    const payout = await toPayout(rows[0]);
    await publish('payout.created', payout);
    if (status === 'in_transit') await enqueueRail(id);
    await audit(actor, 'merchant.payout_created', payout, {
      asset: payout.asset,
      amount: await amountText(payout.asset, payout.amount),
      status,
      scheduled: payout.scheduled,
    });
    return payout;
  };

  /** Gives a payout's amount back to the merchant balance and closes it as `status`. */
  const reverse = async (
    row: PayoutRow,
    status: 'failed' | 'rejected' | 'canceled',
    reason: string | null,
  ): Promise<BankPayout> => {
    const back = await ledger.reverse({
      key: `merchants:payout:${row.id}:reverse`,
      transactionId: row.ledger_transfer_id,
      description: `Payout ${status}: returned to the balance`,
      metadata: { payoutId: row.id, payout: status },
    });
    if (!back.ok) throw new Error(`reversing payout ${row.id} was refused: ${back.message}`);
    const now = deps.clock();
    const { rows } = await db.query<PayoutRow>(
      `UPDATE merchant_payouts SET status = $2, failure_reason = $3, ledger_finish_id = $4,
              updated_at = $5, finished_at = $5
        WHERE id = $1 RETURNING ${COLUMNS}`,
      [row.id, status, reason, back.transaction.id, now],
    );
    if (!rows[0]) throw new Error('payout vanished');
    return toPayout(rows[0]);
  };

  /** The payout an operator may decide on, locked; or why not. */
  const forDecision = async (actor: Actor, id: string): Promise<PayoutRow | MerchantFailure> => {
    const row = await byId(id, true);
    if (!row) return fail(MerchantError.PayoutNotFound, { param: 'payout' });
    if (row.status !== 'pending_approval') return fail(MerchantError.PayoutNotPendingApproval);
    const { rows } = await db.query(
      'SELECT 1 FROM merchant_members WHERE merchant_id = $1 AND user_id = $2',
      [row.merchant_id, actor.userId],
    );
    if (rows.length > 0) return fail(MerchantError.PayoutApproverIsMember);
    return row;
  };

  /** Books what the rail said, once: only a payout still in transit moves. */
  const book = async (
    id: string,
    outcome: { state: 'paid' } | { state: 'failed'; reason: string },
  ): Promise<void> => {
    await db.attempt(
      async () => {
        const row = await byId(id, true);
        if (row?.status !== 'in_transit') return;
        let payout: BankPayout;
        if (outcome.state === 'failed') {
          payout = await reverse(row, 'failed', outcome.reason);
          await publish('payout.failed', payout);
        } else {
          const settlement = await ledger.houseAccount('settlement', row.asset);
          const inTransit = await ledger.openAccount({
            owner: inTransitOwner(row.account_id),
            asset: row.asset,
          });
          if (!settlement.ok || !inTransit.ok) throw new Error('payout accounts missing');
          const paid = await ledger.transfer({
            key: `merchants:payout:${id}:paid`,
            from: inTransit.account.id,
            to: settlement.account.id,
            asset: row.asset,
            amount: BigInt(row.amount),
            description: 'Payout to bank (paid)',
            metadata: { payoutId: id, payout: 'paid' },
          });
          if (!paid.ok)
            throw new Error(`booking payout ${id} as paid was refused: ${paid.message}`);
          const now = deps.clock();
          const { rows } = await db.query<PayoutRow>(
            `UPDATE merchant_payouts SET status = 'paid', ledger_finish_id = $2, updated_at = $3,
                    finished_at = $3
              WHERE id = $1 RETURNING ${COLUMNS}`,
            [id, paid.transaction.id, now],
          );
          if (!rows[0]) throw new Error('payout vanished');
          payout = await toPayout(rows[0]);
          await publish('payout.paid', payout);
        }
        await audit('system', `merchant.payout_${payout.status}`, payout, {
          rail: row.rail,
          rail_reference: row.rail_reference,
          ...(payout.failureReason ? { reason: payout.failureReason } : {}),
        });
      },
      { retryTransient: true },
    );
  };

  const service: PayoutService = {
    async flagStuck(id, reason) {
      return db.attempt(
        async () => {
          const row = await byId(id, true);
          if (row?.status !== 'in_transit') return false;
          const payout = await toPayout(row);
          await publish('payout.stuck', payout);
          await audit('system', 'merchant.payout_stuck', payout, {
            rail: row.rail,
            rail_reference: row.rail_reference,
            reason: reason.slice(0, 200),
          });
          return true;
        },
        { retryTransient: true },
      );
    },

    async create(actor, account, input) {
      if (!DESTINATION.test(input.destination)) {
        return fail(MerchantError.PayoutDestinationInvalid);
      }
      const amount = await parseFiat(input.asset, input.amount, 'amount');
      if (isFailure(amount)) return amount;
      return db.attempt(
        () =>
          open(actor, account, {
            asset: input.asset,
            amount,
            destination: input.destination,
            description: input.description ?? null,
            scheduleKey: null,
          }),
        { retryTransient: true },
      );
    },

    async get(accountId, id) {
      const row = await byId(id);
      return row?.account_id === accountId ? toPayout(row) : undefined;
    },

    async list(accountId, q) {
      const { rows } = await db.query<PayoutRow>(
        `SELECT ${COLUMNS} FROM merchant_payouts
          WHERE account_id = $1 AND ($2::text IS NULL OR id < $2)
            AND ($3::text IS NULL OR status = $3)
          ORDER BY id DESC LIMIT $4`,
        [accountId, q.startingAfter ?? null, q.status ?? null, q.limit],
      );
      return Promise.all(rows.map(toPayout));
    },

    async cancel(actor, accountId, id) {
      return db.attempt(
        async () => {
          const row = await byId(id, true);
          if (row?.account_id !== accountId) {
            return fail(MerchantError.PayoutNotFound, { param: 'payout' });
          }
          if (row.status !== 'pending_approval') {
            return fail(MerchantError.PayoutNotPendingApproval);
          }
          const payout = await reverse(row, 'canceled', null);
          await publish('payout.canceled', payout);
          await audit(actor, 'merchant.payout_canceled', payout, {});
          return payout;
        },
        { retryTransient: true },
      );
    },

    async listPendingApproval(q) {
      const { rows } = await db.query<PayoutRow>(
        `SELECT ${COLUMNS} FROM merchant_payouts
          WHERE status = 'pending_approval' AND ($1::text IS NULL OR id > $1)
          ORDER BY id LIMIT $2`,
        [q.startingAfter ?? null, q.limit],
      );
      return Promise.all(rows.map(toPayout));
    },

    async approve(actor, id) {
      if (!(await deps.totpEnabled(actor.userId))) return fail(MerchantError.TotpRequired);
      return db.attempt(
        async () => {
          const row = await forDecision(actor, id);
          if (isFailure(row)) return row;
          const now = deps.clock();
          const { rows } = await db.query<PayoutRow>(
            `UPDATE merchant_payouts SET status = 'in_transit', approved_by = $2, approved_at = $3,
                    updated_at = $3
              WHERE id = $1 RETURNING ${COLUMNS}`,
            [id, actor.userId, now],
          );
          if (!rows[0]) throw new Error('payout vanished');
          const payout = await toPayout(rows[0]);
          await enqueueRail(id);
          await publish('payout.approved', payout);
          await audit(actor, 'merchant.payout_approved', payout, {
            asset: payout.asset,
            amount: await amountText(payout.asset, payout.amount),
          });
          return payout;
        },
        { retryTransient: true },
      );
    },

    async reject(actor, id, reason) {
      if (!(await deps.totpEnabled(actor.userId))) return fail(MerchantError.TotpRequired);
      return db.attempt(
        async () => {
          const row = await forDecision(actor, id);
          if (isFailure(row)) return row;
          const payout = await reverse(row, 'rejected', reason);
          await publish('payout.rejected', payout);
          await audit(actor, 'merchant.payout_rejected', payout, { reason });
          return payout;
        },
        { retryTransient: true },
      );
    },

    async advance(id, signal) {
      const row = await byId(id);
      if (!row) throw new Error(`no payout ${id}`);
      if (row.status !== 'in_transit') return { state: 'done' };
      const rail = deps.rail(row.livemode);
      if (!rail) throw new Error(`no payout rail for payout ${id}`);
      let reference = row.rail_reference;
      if (reference === null) {
        // Outside any transaction: the rail is the network. The payout id is the key, so
        // asking again after a lost answer gets the payout the rail already made.
        const made = await rail.create(
          {
            idempotencyKey: row.id,
            amount: BigInt(row.amount),
            currency: row.asset,
            destination: row.destination,
            metadata: { payout: row.id, merchant: row.merchant_id },
          },
          signal,
        );
        if (!made.ok) {
          await book(id, { state: 'failed', reason: made.reason });
          return { state: 'done' };
        }
        reference = made.payout.reference;
        await db.query(
          `UPDATE merchant_payouts SET rail_reference = $2 WHERE id = $1 AND rail_reference IS NULL`,
          [id, reference],
        );
      }
      const at = await rail.get(reference, signal);
      if (at.state === 'pending') return { state: 'pending' };
      await book(
        id,
        at.state === 'paid'
          ? { state: 'paid' }
          : { state: 'failed', reason: at.failureReason ?? 'failed' },
      );
      return { state: 'done' };
    },

    async schedules(accountId) {
      const { rows } = await db.query<ScheduleRow>(
        `SELECT ${SCHEDULE_COLUMNS} FROM merchant_payout_schedules WHERE account_id = $1
          ORDER BY asset`,
        [accountId],
      );
      return Promise.all(rows.map(toSchedule));
    },

    async setSchedule(actor, account, input) {
      if (!DESTINATION.test(input.destination)) {
        return fail(MerchantError.PayoutDestinationInvalid);
      }
      const minimum = await parseFiat(input.asset, input.minimum, 'minimum');
      if (isFailure(minimum)) return minimum;
      if (input.enabled && !deps.rail(account.livemode)) {
        return fail(MerchantError.PayoutRailMissing);
      }
      const weekday = input.period === 'weekly' ? (input.weekday ?? 1) : null;
      const now = deps.clock();
      const next = nextRunAfter(now, input.period, weekday);
      return db.attempt(
        async () => {
          const { rows } = await db.query<ScheduleRow>(
            `INSERT INTO merchant_payout_schedules (account_id, asset, merchant_id, livemode,
                    enabled, period, weekday, minimum, destination, next_run_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT (account_id, asset) DO UPDATE SET enabled = $5, period = $6,
                    weekday = $7, minimum = $8, destination = $9, next_run_at = $10,
                    updated_at = $11
             RETURNING ${SCHEDULE_COLUMNS}`,
            [
              account.id,
              input.asset,
              account.merchantId,
              account.livemode,
              input.enabled,
              input.period,
              weekday,
              minimum.toString(),
              input.destination,
              next,
              now,
            ],
          );
          if (!rows[0]) throw new Error('schedule upsert returned nothing');
          if (input.enabled) await enqueueSchedule(account.id, input.asset, next);
          await recordMerchantAction(
            deps.audit,
            actor,
            'merchant.payout_schedule_set',
            { type: 'merchant_account', id: account.id },
            {
              merchant_id: account.merchantId,
              asset: input.asset,
              enabled: input.enabled,
              period: input.period,
              minimum: input.minimum,
              destination: input.destination,
            },
          );
          return toSchedule(rows[0]);
        },
        { retryTransient: true },
      );
    },

    async runSchedule(accountId, asset) {
      const r = await db.attempt(
        async (): Promise<BankPayout | MerchantFailure | undefined> => {
          const now = deps.clock();
          // Locked, so two runners of one schedule take turns; the second finds it moved on.
          const { rows } = await db.query<ScheduleRow>(
            `SELECT ${SCHEDULE_COLUMNS} FROM merchant_payout_schedules
              WHERE account_id = $1 AND asset = $2 AND enabled AND next_run_at <= $3
              FOR UPDATE SKIP LOCKED`,
            [accountId, asset, now],
          );
          const s = rows[0];
          if (!s) return undefined;
          const next = nextRunAfter(now, s.period, s.weekday);
          await db.query(
            `UPDATE merchant_payout_schedules SET next_run_at = $3, last_run_at = $4
              WHERE account_id = $1 AND asset = $2`,
            [accountId, asset, next, now],
          );
          await enqueueSchedule(accountId, asset, next);
          const available = (await ledger.findAccount(accountId, asset))?.balance.available ?? 0n;
          if (available < BigInt(s.minimum)) return undefined;
          // The balance read is no guard: the transfer is. A payment spent meanwhile makes
          // it refused, and this period's run is tried again by the next pass.
          const payout = await open(
            'system',
            { id: accountId, merchantId: s.merchant_id, livemode: s.livemode },
            {
              asset,
              amount: available,
              destination: s.destination,
              description: `Scheduled ${s.period} payout`,
              scheduleKey: `${accountId}:${asset}:${s.next_run_at.toISOString()}`,
            },
          );
          return payout;
        },
        { retryTransient: true },
      );
      // Refused (the balance was spent meanwhile, no rail, a frozen account): nothing paid
      // this time; the schedule is tried again on its next pass.
      return isFailure(r) ? undefined : r;
    },

    async enqueueDueSchedules() {
      const { rows } = await db.query<{ account_id: string; asset: string; next_run_at: Date }>(
        `SELECT account_id, asset, next_run_at FROM merchant_payout_schedules
          WHERE enabled AND next_run_at <= $1 ORDER BY next_run_at LIMIT 1000`,
        [deps.clock()],
      );
      for (const r of rows) await enqueueSchedule(r.account_id, r.asset, r.next_run_at, true);
      return rows.length;
    },
  };

  /**
   * The run of a schedule's period: one job per period, and one more per period from the
   * maintenance pass (a backstop for a lost job or a moved clock). Both may run: the
   * schedule row's lock and its `next_run_at` let only the first pay.
   */
  async function enqueueSchedule(accountId: string, asset: string, at: Date, now = false) {
    await deps.jobs.enqueue(
      PayoutScheduleQueue,
      { accountId, asset },
      {
        dedupeKey: `schedule:${accountId}:${asset}:${at.toISOString()}${now ? ':due' : ''}`,
        ...(now ? {} : { runAt: at }),
        maxAttempts: 50,
      },
    );
  }

  return service;
}
