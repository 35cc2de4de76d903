import { defineQueue } from '../platform/queue/queue.js';
import { newId } from '../platform/ids.js';
import { fail, isFailure, rollback } from '../platform/failure.js';
import { WalletError, type WalletFailure } from './errors.js';
import { AlreadyDone, alreadyDone, refuse, type WalletContext } from './internal.js';
import { fiatDepositJson, fiatWithdrawalJson } from './json.js';
import type { FiatDeposit, FiatWithdrawal } from './model.js';
import type { PaymentRail, RailStatus } from './rails/rail.js';

/** Drives one fiat deposit or withdrawal at its rail until it settles or fails. */
export const SettleFiatQueue = defineQueue<{ kind: 'deposit' | 'withdrawal'; id: string }>(
  'wallet.fiat.settle',
);

export interface FiatDepositInput {
  userId: string;
  asset: string;
  amount: string;
  requestKey?: string | undefined;
}

export interface FiatWithdrawalInput extends FiatDepositInput {
  /** The bank account to pay to, as the rail names it. */
  destination: string;
}

export type ProcessOutcome = { state: 'done' } | { state: 'pending'; retryAfterMs: number };

interface DepositRow {
  id: string;
  user_id: string;
  asset: string;
  amount: string;
  rail: string;
  rail_reference: string | null;
  status: 'pending' | 'settled' | 'failed';
  failure_reason: string | null;
  request_key: string | null;
  ledger_transaction_id: string | null;
  created_at: Date;
  finished_at: Date | null;
}

interface WithdrawalRow extends Omit<DepositRow, 'status'> {
  destination: string;
  status: 'pending' | 'completed' | 'failed';
  ledger_hold_id: string;
}

const DEPOSIT_COLUMNS = `id, user_id, asset, amount::text AS amount, rail, rail_reference, status,
  failure_reason, request_key, ledger_transaction_id, created_at, finished_at`;
const WITHDRAWAL_COLUMNS = `${DEPOSIT_COLUMNS}, destination, ledger_hold_id`;

const DESTINATION = /^[\x20-\x7e]{1,100}$/;

export function createFiat(ctx: WalletContext) {
  const { db, ledger, jobs } = ctx.deps;

  async function toDeposit(r: DepositRow): Promise<FiatDeposit> {
    const amount = BigInt(r.amount);
    return {
      id: r.id,
      userId: r.user_id,
      asset: r.asset,
      amount,
      amountDecimal: await ctx.format(r.asset, amount),
      rail: r.rail,
      railReference: r.rail_reference,
      status: r.status,
      failureReason: r.failure_reason,
      ledgerTransactionId: r.ledger_transaction_id,
      createdAt: r.created_at,
      finishedAt: r.finished_at,
    };
  }

  async function toWithdrawal(r: WithdrawalRow): Promise<FiatWithdrawal> {
    const amount = BigInt(r.amount);
    return {
      id: r.id,
      userId: r.user_id,
      asset: r.asset,
      amount,
      amountDecimal: await ctx.format(r.asset, amount),
      destination: r.destination,
      rail: r.rail,
      railReference: r.rail_reference,
      status: r.status,
      failureReason: r.failure_reason,
      ledgerHoldId: r.ledger_hold_id,
      ledgerTransactionId: r.ledger_transaction_id,
      createdAt: r.created_at,
      finishedAt: r.finished_at,
    };
  }

  function railOrFailure(): PaymentRail | WalletFailure {
    return (
      ctx.deps.rail ??
      fail(WalletError.RailUnavailable, {
        message:
          'No payment rail is configured for bank deposits and withdrawals (test mode is off)',
      })
    );
  }

  async function fiatAmount(input: FiatDepositInput) {
    const parsed = await ctx.parseAmount(input.asset, input.amount);
    if (!parsed.ok) return parsed;
    if (parsed.asset.kind !== 'fiat') {
      return fail(WalletError.AssetNotFiat, {
        message: `${parsed.asset.code} is not a fiat asset; crypto arrives on chain`,
        param: 'asset',
      });
    }
    return parsed;
  }

  function conflict(): WalletFailure {
    return fail(WalletError.IdempotencyConflict, {
      message: 'This Idempotency-Key was already used for a different request',
      param: 'Idempotency-Key',
    });
  }

  async function depositByKey(userId: string, key: string): Promise<DepositRow | undefined> {
    const { rows } = await db.query<DepositRow>(
      `SELECT ${DEPOSIT_COLUMNS} FROM wallet_fiat_deposits WHERE user_id = $1 AND request_key = $2`,
      [userId, key],
    );
    return rows[0];
  }

  async function withdrawalByKey(userId: string, key: string): Promise<WithdrawalRow | undefined> {
    const { rows } = await db.query<WithdrawalRow>(
      `SELECT ${WITHDRAWAL_COLUMNS} FROM wallet_fiat_withdrawals WHERE user_id = $1 AND request_key = $2`,
      [userId, key],
    );
    return rows[0];
  }

  /** Records a bank deposit; the money is credited when the rail settles it. */
  async function deposit(
    input: FiatDepositInput,
  ): Promise<{ ok: true; deposit: FiatDeposit; replayed: boolean } | WalletFailure> {
    const rail = railOrFailure();
    if (isFailure(rail)) return rail;
    const parsed = await fiatAmount(input);
    if (!parsed.ok) return parsed;
    const key = input.requestKey ?? null;
    const replay = async (): Promise<
      { ok: true; deposit: FiatDeposit; replayed: boolean } | WalletFailure
    > => {
      const prior = key === null ? undefined : await depositByKey(input.userId, key);
      if (!prior) throw new Error('deposit with this key vanished');
      if (prior.asset !== parsed.asset.code || BigInt(prior.amount) !== parsed.amount) {
        return conflict();
      }
      return { ok: true, deposit: await toDeposit(prior), replayed: true };
    };
    if (key !== null && (await depositByKey(input.userId, key))) return replay();
    const r = await ctx.tx(async (): Promise<FiatDeposit | AlreadyDone> => {
      const profiles = await ctx.lockProfiles([input.userId]);
      if (profiles.get(input.userId)?.frozen !== false) {
        refuse(WalletError.AccountFrozen, 'Your wallet is frozen; contact support');
      }
      const { rows } = await db.query<DepositRow>(
        `INSERT INTO wallet_fiat_deposits (id, user_id, asset, amount, rail, request_key, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (user_id, request_key) WHERE request_key IS NOT NULL DO NOTHING
           RETURNING ${DEPOSIT_COLUMNS}`,
        [
          newId('fdp'),
          input.userId,
          parsed.asset.code,
          parsed.amount.toString(),
          rail.name,
          key,
          ctx.clock(),
        ],
      );
      if (!rows[0]) alreadyDone(null);
      const d = await toDeposit(rows[0]);
      await jobs.enqueue(
        SettleFiatQueue,
        { kind: 'deposit', id: d.id },
        { dedupeKey: d.id, maxAttempts: 200 },
      );
      await ctx.publish('fiat_deposit.created', d.id, fiatDepositJson(d));
      return d;
    });
    if (r instanceof AlreadyDone) return replay();
    return isFailure(r) ? r : { ok: true, deposit: r, replayed: false };
  }

  /** Holds the amount and records a bank payout; the hold is posted when the rail pays. */
  async function withdraw(
    input: FiatWithdrawalInput,
  ): Promise<{ ok: true; withdrawal: FiatWithdrawal; replayed: boolean } | WalletFailure> {
    const rail = railOrFailure();
    if (isFailure(rail)) return rail;
    if (!DESTINATION.test(input.destination)) {
      return fail(WalletError.DestinationInvalid, {
        message: 'destination is 1 to 100 printable ASCII characters',
        param: 'destination',
      });
    }
    const parsed = await fiatAmount(input);
    if (!parsed.ok) return parsed;
    const key = input.requestKey ?? null;
    const replay = async (): Promise<
      { ok: true; withdrawal: FiatWithdrawal; replayed: boolean } | WalletFailure
    > => {
      const prior = key === null ? undefined : await withdrawalByKey(input.userId, key);
      if (!prior) throw new Error('withdrawal with this key vanished');
      if (
        prior.asset !== parsed.asset.code ||
        BigInt(prior.amount) !== parsed.amount ||
        prior.destination !== input.destination
      ) {
        return conflict();
      }
      return { ok: true, withdrawal: await toWithdrawal(prior), replayed: true };
    };
    if (key !== null && (await withdrawalByKey(input.userId, key))) return replay();
    const r = await ctx.tx(async (): Promise<FiatWithdrawal | WalletFailure | AlreadyDone> => {
      const profiles = await ctx.lockProfiles([input.userId]);
      const profile = profiles.get(input.userId);
      if (!profile) throw new Error('profile vanished');
      if (profile.frozen)
        refuse(WalletError.AccountFrozen, 'Your wallet is frozen; contact support');
      await ctx.consumeLimits(profile, parsed.asset, parsed.amount);
      const user = await ctx.userAccount(input.userId, parsed.asset.code);
      const settlement = await ctx.houseAccount('settlement', parsed.asset.code);
      const id = newId('fwd');
      const hold = await ledger.createHold({
        key: `wallet:fiat_withdrawal:${id}:hold`,
        from: user,
        to: settlement,
        asset: parsed.asset.code,
        amount: parsed.amount,
        description: 'Bank withdrawal',
        metadata: { wallet: 'fiat_withdrawal', withdrawal: id },
      });
      if (!hold.ok) return rollback(await ctx.fromLedger(hold, user));
      const { rows } = await db.query<WithdrawalRow>(
        `INSERT INTO wallet_fiat_withdrawals (id, user_id, asset, amount, destination, rail,
                                                request_key, ledger_hold_id, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (user_id, request_key) WHERE request_key IS NOT NULL DO NOTHING
           RETURNING ${WITHDRAWAL_COLUMNS}`,
        [
          id,
          input.userId,
          parsed.asset.code,
          parsed.amount.toString(),
          input.destination,
          rail.name,
          key,
          hold.hold.id,
          ctx.clock(),
        ],
      );
      if (!rows[0]) alreadyDone(null);
      const w = await toWithdrawal(rows[0]);
      await jobs.enqueue(
        SettleFiatQueue,
        { kind: 'withdrawal', id: w.id },
        { dedupeKey: w.id, maxAttempts: 200 },
      );
      await ctx.publish('fiat_withdrawal.created', w.id, fiatWithdrawalJson(w));
      return w;
    });
    if (r instanceof AlreadyDone) return replay();
    return isFailure(r) ? r : { ok: true, withdrawal: r, replayed: false };
  }

  /**
   * One step of a transfer at its rail: start it if the rail has not taken it yet, ask
   * where it stands, and book the outcome. Safe to run any number of times, from any
   * process: each booking locks the row, checks it is still pending, and uses a ledger
   * key that can apply once. `simulate` settles a test-rail transfer now (the CLI's
   * "fund in test mode"); a real rail ignores it.
   */
  async function process(
    kind: 'deposit' | 'withdrawal',
    id: string,
    options: { simulate?: boolean } = {},
  ): Promise<ProcessOutcome> {
    const rail = ctx.deps.rail;
    if (!rail) throw new Error('no payment rail is configured');
    const table = kind === 'deposit' ? 'wallet_fiat_deposits' : 'wallet_fiat_withdrawals';
    const columns = kind === 'deposit' ? DEPOSIT_COLUMNS : WITHDRAWAL_COLUMNS;
    // A deposit row has no destination or hold; only withdrawals read those.
    const read = async (lock: boolean) => {
      const { rows } = await db.query<WithdrawalRow>(
        `SELECT ${columns} FROM ${table} WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
        [id],
      );
      return rows[0];
    };
    const row = await read(false);
    if (!row) throw new Error(`no fiat ${kind} ${id}`);
    if (row.status !== 'pending') return { state: 'done' };

    let reference = row.rail_reference;
    if (reference === null) {
      const transfer = { id, userId: row.user_id, asset: row.asset, amount: BigInt(row.amount) };
      const started =
        kind === 'deposit'
          ? await rail.startDeposit(transfer)
          : await rail.startWithdrawal({ ...transfer, destination: row.destination });
      reference = started.reference;
      await db.query(
        `UPDATE ${table} SET rail_reference = $2 WHERE id = $1 AND rail_reference IS NULL`,
        [id, reference],
      );
    }
    const status: RailStatus =
      options.simulate && rail.testMode
        ? { state: 'settled' }
        : await rail.status({
            kind,
            reference,
            createdAt: row.created_at,
            ...(kind === 'withdrawal' ? { destination: row.destination } : {}),
          });
    if (status.state === 'pending') return status;

    const booked = await ctx.tx(async () => {
      const current = await read(true);
      if (current?.status !== 'pending') return;
      const now = ctx.clock();
      if (kind === 'deposit') await bookDeposit(current as unknown as DepositRow, status, now);
      else await bookWithdrawal(current, status, now);
    });
    if (booked !== undefined) throw new Error(`fiat ${kind} ${id}: ${booked.message}`);
    return { state: 'done' };
  }

  async function bookDeposit(
    row: DepositRow,
    status: Exclude<RailStatus, { state: 'pending' }>,
    now: Date,
  ): Promise<void> {
    if (status.state === 'failed') {
      const { rows } = await db.query<DepositRow>(
        `UPDATE wallet_fiat_deposits SET status = 'failed', failure_reason = $2, finished_at = $3
          WHERE id = $1 RETURNING ${DEPOSIT_COLUMNS}`,
        [row.id, status.reason, now],
      );
      if (!rows[0]) throw new Error('deposit vanished');
      const d = await toDeposit(rows[0]);
      await ctx.publish('fiat_deposit.failed', d.id, fiatDepositJson(d));
      return;
    }
    const user = await ctx.userAccount(row.user_id, row.asset);
    const settlement = await ctx.houseAccount('settlement', row.asset);
    const amount = BigInt(row.amount);
    const t = await ledger.transfer({
      key: `wallet:fiat_deposit:${row.id}`,
      from: settlement,
      to: user,
      asset: row.asset,
      amount,
      description: 'Bank deposit',
      metadata: { wallet: 'fiat_deposit', deposit: row.id },
    });
    if (!t.ok) throw new Error(`crediting deposit ${row.id} was refused: ${t.message}`);
    const { rows } = await db.query<DepositRow>(
      `UPDATE wallet_fiat_deposits SET status = 'settled', ledger_transaction_id = $2, finished_at = $3
        WHERE id = $1 RETURNING ${DEPOSIT_COLUMNS}`,
      [row.id, t.transaction.id, now],
    );
    if (!rows[0]) throw new Error('deposit vanished');
    const d = await toDeposit(rows[0]);
    await ctx.addActivity([
      {
        userId: row.user_id,
        type: 'fiat_deposit',
        asset: row.asset,
        amount,
        referenceId: row.id,
        counterpartyId: null,
        description: 'Bank deposit',
        ledgerTransactionId: t.transaction.id,
        occurredAt: t.transaction.effectiveAt,
      },
    ]);
    await ctx.publish('fiat_deposit.settled', d.id, fiatDepositJson(d));
  }

  async function bookWithdrawal(
    row: WithdrawalRow,
    status: Exclude<RailStatus, { state: 'pending' }>,
    now: Date,
  ): Promise<void> {
    if (status.state === 'failed') {
      // The money never left: neither should it count against today's limit. (The
      // hourly movement count stays: it limits attempts, and this was one.) The counter
      // before the ledger account, as every movement takes them (LOCK ORDER, internal.ts).
      await ctx.releaseDailyLimit(row.user_id, row.asset, BigInt(row.amount), row.created_at);
      const v = await ledger.voidHold({
        key: `wallet:fiat_withdrawal:${row.id}:void`,
        holdId: row.ledger_hold_id,
      });
      if (!v.ok) throw new Error(`releasing withdrawal ${row.id} was refused: ${v.message}`);
      const { rows } = await db.query<WithdrawalRow>(
        `UPDATE wallet_fiat_withdrawals SET status = 'failed', failure_reason = $2, finished_at = $3
          WHERE id = $1 RETURNING ${WITHDRAWAL_COLUMNS}`,
        [row.id, status.reason, now],
      );
      if (!rows[0]) throw new Error('withdrawal vanished');
      const w = await toWithdrawal(rows[0]);
      await ctx.publish('fiat_withdrawal.failed', w.id, fiatWithdrawalJson(w));
      return;
    }
    const p = await ledger.postHold({
      key: `wallet:fiat_withdrawal:${row.id}:post`,
      holdId: row.ledger_hold_id,
    });
    if (!p.ok) throw new Error(`posting withdrawal ${row.id} was refused: ${p.message}`);
    const { rows } = await db.query<WithdrawalRow>(
      `UPDATE wallet_fiat_withdrawals SET status = 'completed', ledger_transaction_id = $2, finished_at = $3
        WHERE id = $1 RETURNING ${WITHDRAWAL_COLUMNS}`,
      [row.id, p.transaction.id, now],
    );
    if (!rows[0]) throw new Error('withdrawal vanished');
    const w = await toWithdrawal(rows[0]);
    await ctx.addActivity([
      {
        userId: row.user_id,
        type: 'fiat_withdrawal',
        asset: row.asset,
        amount: -BigInt(row.amount),
        referenceId: row.id,
        counterpartyId: null,
        description: 'Bank withdrawal',
        ledgerTransactionId: p.transaction.id,
        occurredAt: p.transaction.effectiveAt,
      },
    ]);
    await ctx.publish('fiat_withdrawal.completed', w.id, fiatWithdrawalJson(w));
  }

  async function getDeposit(userId: string, id: string): Promise<FiatDeposit | undefined> {
    const { rows } = await db.query<DepositRow>(
      `SELECT ${DEPOSIT_COLUMNS} FROM wallet_fiat_deposits WHERE id = $1 AND user_id = $2`,
      [id, userId],
    );
    return rows[0] ? toDeposit(rows[0]) : undefined;
  }

  async function listDeposits(
    userId: string,
    q: { limit: number; startingAfter?: string | undefined },
  ): Promise<FiatDeposit[]> {
    const { rows } = await db.query<DepositRow>(
      `SELECT ${DEPOSIT_COLUMNS} FROM wallet_fiat_deposits
        WHERE user_id = $1 AND ($2::text IS NULL OR id < $2) ORDER BY id DESC LIMIT $3`,
      [userId, q.startingAfter ?? null, q.limit],
    );
    return Promise.all(rows.map(toDeposit));
  }

  async function getWithdrawal(userId: string, id: string): Promise<FiatWithdrawal | undefined> {
    const { rows } = await db.query<WithdrawalRow>(
      `SELECT ${WITHDRAWAL_COLUMNS} FROM wallet_fiat_withdrawals WHERE id = $1 AND user_id = $2`,
      [id, userId],
    );
    return rows[0] ? toWithdrawal(rows[0]) : undefined;
  }

  async function listWithdrawals(
    userId: string,
    q: { limit: number; startingAfter?: string | undefined },
  ): Promise<FiatWithdrawal[]> {
    const { rows } = await db.query<WithdrawalRow>(
      `SELECT ${WITHDRAWAL_COLUMNS} FROM wallet_fiat_withdrawals
        WHERE user_id = $1 AND ($2::text IS NULL OR id < $2) ORDER BY id DESC LIMIT $3`,
      [userId, q.startingAfter ?? null, q.limit],
    );
    return Promise.all(rows.map(toWithdrawal));
  }

  return {
    deposit,
    withdraw,
    process,
    getDeposit,
    listDeposits,
    getWithdrawal,
    listWithdrawals,
  };
}

export type Fiat = ReturnType<typeof createFiat>;
