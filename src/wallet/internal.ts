import type { AuditLog } from '../platform/audit/audit.js';
import type { Db, Statement } from '../platform/db/db.js';
import { newId } from '../platform/ids.js';
import type { Logger } from '../platform/observability/logger.js';
import type { Outbox } from '../platform/outbox/outbox.js';
import type { JobQueue } from '../platform/queue/queue.js';
import { LedgerError, type LedgerFailure } from '../ledger/errors.js';
import type { Asset, HouseAccount } from '../ledger/model.js';
import { formatAmount, parseAmount } from '../ledger/money.js';
import type { LedgerService } from '../ledger/service.js';
import { fail, isFailure, rollback, rollbackWith } from '../platform/failure.js';
import { WalletError, type WalletCode, type WalletFailure } from './errors.js';
import type { WalletEventPayloads, WalletEventType } from './events.js';
import type { ActivityType, WalletProfile } from './model.js';
import type { PriceSource } from './prices/source.js';
import type { PaymentRail } from './rails/rail.js';
import { TIERS, type Tier, type WalletLimits } from './settings.js';

/** The people the wallet moves money between, as the identity module knows them. */
export interface UserDirectory {
  get(id: string): Promise<WalletUser | undefined>;
  findByEmail(email: string): Promise<WalletUser | undefined>;
  findByHandle(handle: string): Promise<WalletUser | undefined>;
  /**
   * A query of one boolean, true while the handle or email still names user `id` (a
   * remembered lookup, checked inside the statement that relies on it).
   */
  namesStatement(id: string, by: { handle: string } | { email: string }): Statement;
  /** Public handles by user id, in one lookup (`null`: no handle; unknown ids left out). */
  handlesOf(ids: readonly string[]): Promise<Map<string, string | null>>;
}

/** A reference to a user, as `resolveUser` reads it. */
export type UserRef = { id: string } | { email: string } | { handle: string };

export interface WalletUser {
  id: string;
  email: string;
  handle: string | null;
}

export interface WalletSettings {
  quoteTtlSeconds: number;
  spreadBps: number;
  feeBps: number;
  priceMaxAgeSeconds: number;
  /** Conversions between two cryptos are priced through this asset. */
  priceReference: string;
  limits: WalletLimits;
}

export interface WalletDeps {
  db: Db;
  ledger: LedgerService;
  outbox: Outbox;
  jobs: JobQueue;
  audit: AuditLog;
  users: UserDirectory;
  prices: PriceSource;
  /** The fiat payment rail; without one, bank deposits and withdrawals are refused. */
  rail?: PaymentRail | undefined;
  logger: Logger;
  settings: WalletSettings;
  /** Source of "now" (tests move it). */
  clock?: () => Date;
}

/**
 * What `ctx.tx` resolves with when the work turned out to be done already (a retried
 * request meeting the first one's result) after the transaction wrote something that
 * must not stand (a limit consumed, a lock-step row): see `alreadyDone`. `value` is what
 * finds the earlier result (a ledger transaction id, the executed quote), or null.
 */
export class AlreadyDone<T = null> {
  constructor(readonly value: T) {}
}

/**
 * From anywhere inside `ctx.tx`: what the transaction wrote is rolled back and it
 * resolves with `new AlreadyDone(value)` (see `rollbackWith`). Typed `never` like
 * `refuse`; the caller names `AlreadyDone<T>` in `ctx.tx`'s type to receive it.
 */
export function alreadyDone(value: unknown): never {
  return rollbackWith(new AlreadyDone(value)) as never;
}

/**
 * Refuses from anywhere inside `ctx.tx`: what the transaction wrote is rolled back and
 * the refusal becomes its result (see `rollback`). Typed `never` so a caller deep in a
 * helper needs no failure in its own return type.
 */
export function refuse(failure: WalletFailure): never;
export function refuse(code: WalletCode, message: string, param?: string): never;
export function refuse(
  codeOrFailure: WalletCode | WalletFailure,
  message?: string,
  param?: string,
): never {
  const failure = isFailure(codeOrFailure)
    ? codeOrFailure
    : fail(codeOrFailure, { message, param });
  return rollback(failure) as never;
}

/** Whether the daily and the hourly counter took a movement (see `consumeLimits`). */
export interface LimitCounts {
  daily: boolean;
  hourly: boolean;
}

export interface ProfileRow {
  user_id: string;
  tier: Tier;
  frozen: boolean;
  frozen_reason: string | null;
  frozen_at: Date | null;
  frozen_by: string | null;
}

export function profileFromRow(r: ProfileRow): WalletProfile {
  return {
    userId: r.user_id,
    tier: r.tier,
    frozen: r.frozen,
    frozenReason: r.frozen_reason,
    frozenAt: r.frozen_at,
    frozenBy: r.frozen_by,
  };
}

export const PROFILE_COLUMNS = 'user_id, tier, frozen, frozen_reason, frozen_at, frozen_by';

export interface NewActivity {
  userId: string;
  type: ActivityType;
  asset: string;
  /** Signed change to the user's balance. */
  amount: bigint;
  referenceId: string;
  counterpartyId: string | null;
  description: string | null;
  ledgerTransactionId: string;
  occurredAt: Date;
}

const HANDLE = /^[a-z0-9_]{3,30}$/;

/** One payment of a group guard (`paymentGroupGuard`): its users, their accounts, the movement. */
export interface GroupPayment {
  payerId: string;
  payeeId: string;
  payerAccount: string;
  payeeAccount: string;
  asset: Asset;
  amount: bigint;
}

/** Shared plumbing of the wallet's parts (payments, trades, fiat, admin, reports). */
export interface WalletContext {
  deps: WalletDeps;
  clock(): Date;
  /**
   * Runs `fn` in a database transaction (a savepoint inside a caller's, such as the
   * Idempotency-Key middleware's). A `rollback(failure)` (or `refuse`) anywhere inside
   * rolls it back and becomes the result.
   * Outside a caller's transaction a deadlock or serialisation failure is retried.
   */
  tx<T>(fn: () => Promise<T>): Promise<T | WalletFailure>;
  asset(code: string): Promise<Asset | undefined>;
  /** Minor units as a decimal string at the asset's scale. */
  format(asset: string, amount: bigint): Promise<string>;
  /** A positive amount of `asset` from a decimal string, or the ledger's refusal. */
  parseAmount(
    assetCode: string,
    text: string,
    param?: string,
  ): Promise<{ ok: true; amount: bigint; asset: Asset } | WalletFailure>;
  /** A user by id, `@handle`, handle or email. */
  resolveUser(ref: string): Promise<WalletUser | undefined>;
  /** What `resolveUser` looks `ref` up by; `undefined`: no user can have it. */
  userRef(ref: string): UserRef | undefined;
  /** The user's ledger account in `asset`, opened on first use (inside the caller's transaction). */
  userAccount(userId: string, asset: string): Promise<string>;
  /** `userAccount` of several users, in their order, found with one query. */
  userAccounts(userIds: readonly string[], asset: string): Promise<string[]>;
  houseAccount(kind: HouseAccount, asset: string): Promise<string>;
  /**
   * Takes the users' profile locks in shared mode, in id order, then reads their risk
   * state (creating it on first use): a freeze waits for the movements in flight, and
   * every later one sees it. See LOCK ORDER.
   */
  lockProfiles(userIds: readonly string[]): Promise<Map<string, WalletProfile>>;
  /**
   * `lockProfiles`, and the users' ledger accounts in `asset` (in `userIds` order) in the
   * same round trip once the wallet has recorded them (opened on first use).
   */
  lockProfilesAndAccounts(
    userIds: readonly string[],
    asset: string,
  ): Promise<{ profiles: Map<string, WalletProfile>; accounts: string[] }>;
  /**
   * `lockProfilesAndAccounts`, and in the same round trip the payer's limit counters
   * consumed for `amount` (migrations/wallet/0090) when no user is frozen and the
   * payer's tier allows the amount outright. Pass `counted` to `consumeLimits`, which
   * then refuses exactly as it would have after its own statement.
   */
  lockProfilesAccountsAndLimits(
    userIds: readonly string[],
    payerId: string,
    asset: Asset,
    amount: bigint,
  ): Promise<{
    profiles: Map<string, WalletProfile>;
    accounts: string[];
    counted: LimitCounts | undefined;
  }>;
  /**
   * `lockProfiles` as a statement to embed (rows `user_id`, `frozen`), for a write that
   * goes ahead in the same statement only for users who are not frozen.
   */
  lockProfilesStatement(userIds: readonly string[]): Statement;
  /**
   * Takes the user's profile lock exclusively (a freeze, unfreeze or tier change): it
   * waits for the user's movements in flight, and movements arriving meanwhile queue
   * behind it instead of overtaking it.
   */
  lockProfileExclusively(userId: string): Promise<void>;
  /**
   * The users' ledger accounts in `asset` as the wallet recorded them, in `userIds` order,
   * read from the database (never from this process's memory), opened and recorded on
   * first use inside the caller's transaction; remembered for `knownAccounts`.
   */
  recordedAccounts(userIds: readonly string[], asset: string): Promise<string[]>;
  /**
   * The users' ledger accounts in an asset as this process last read them (they never
   * change once recorded), or undefined unless every one is known.
   */
  knownAccounts(userIds: readonly string[], asset: string): string[] | undefined;
  /**
   * The guard of a payment's one-statement path (`LedgerService.transferGuarded`): the
   * profile locks and the payer's limit counters, as `lockProfilesAccountsAndLimits`
   * takes them, answering true only when the payment may go ahead as built: nobody
   * frozen, the tier allows the amount and both counters took it, and `accounts` are
   * the users' accounts (migrations/wallet/0106).
   */
  paymentGuard(
    userIds: readonly string[],
    accounts: readonly string[],
    payerId: string,
    asset: Asset,
    amount: bigint,
  ): Statement;
  /**
   * The guard of several payments in one statement (`LedgerService.transferGuardedMany`),
   * one text whatever their number (migrations/wallet/0132): every user's profile lock,
   * shared, in id order for the whole lot (so a group keeps the LOCK ORDER below as one
   * payment does), one read of their profiles and accounts, then the payers' counters in
   * the order given. True only when `paymentGuard` would answer true for each payment.
   * One payment per payer.
   */
  paymentGroupGuard(payments: readonly GroupPayment[]): Statement;
  /**
   * Checks and consumes the user's limits for an outgoing movement, atomically; with
   * `counted` (from `lockProfilesAccountsAndLimits`) the counters were already consumed.
   */
  consumeLimits(
    profile: WalletProfile,
    asset: Asset,
    amount: bigint,
    counted?: LimitCounts,
  ): Promise<void>;
  /**
   * Gives back the daily usage of a movement that consumed it at `at` and then did not
   * happen (a payout the rail refused): the user may move that amount again today.
   */
  releaseDailyLimit(userId: string, asset: string, amount: bigint, at: Date): Promise<void>;
  /** The limits of a tier for an asset (undefined: not configured, i.e. not allowed). */
  limitsOf(
    tier: Tier,
    asset: Asset,
  ): { perTransaction: bigint; daily: bigint; perHour: number } | undefined;
  /**
   * Inserts activity rows; `alongside`, another INSERT whose parameters are numbered from
   * $11, runs in the same statement (one round trip for a movement's row and its
   * activity).
   */
  addActivity(
    rows: readonly NewActivity[],
    alongside?: { sql: string; params: readonly unknown[] },
  ): Promise<void>;
  /** `addActivity`'s INSERT as a statement to embed, its rows gated on `onlyIf` if given. */
  activityStatement(rows: readonly NewActivity[], onlyIf?: string): Statement;
  publish<T extends WalletEventType>(
    type: T,
    aggregateId: string,
    payload: WalletEventPayloads[T],
  ): Promise<void>;
  /** `publish` as a statement to embed (see `Outbox.publishStatement`). */
  eventStatement<T extends WalletEventType>(
    type: T,
    aggregateId: string,
    payload: WalletEventPayloads[T],
    onlyIf?: string,
  ): Statement;
  /** `eventStatement` for several events in one text whatever their number, in order. */
  eventsStatement(
    events: readonly {
      [T in WalletEventType]: { type: T; aggregateId: string; payload: WalletEventPayloads[T] };
    }[WalletEventType][],
    onlyIf?: string,
  ): Statement;
  /** A ledger refusal as the wallet's; insufficient funds says what is available. */
  fromLedger(f: LedgerFailure, accountId?: string): Promise<WalletFailure>;
}

/**
 * LOCK ORDER. Every wallet transaction that moves money or changes a user's risk state
 * takes its locks in this order, and never back:
 *
 * 1. the row it acts on, FOR UPDATE (a quote, a payment request, a bank transfer);
 * 2. the users' profile locks (`lockProfiles`, shared, users in id order; a freeze takes
 *    one exclusively with `lockProfileExclusively`);
 * 3. the limit counters (`consumeLimits`, `releaseDailyLimit`);
 * 4. the ledger accounts (the ledger locks them in id order).
 *
 * A group of one-statement payments (`paymentGroupGuard`) takes all its users' profile
 * locks first, in id order, then its payers' counters in payer order, then the accounts.
 *
 * The profile lock is a transaction-scoped advisory lock rather than a row lock: a
 * row's share locks are granted to newcomers ahead of a waiting exclusive locker, so
 * under a stream of movements a freeze could wait for seconds. The lock manager queues
 * newcomers behind a waiting exclusive request, so a freeze waits only for the
 * movements already in flight. (Two users whose ids hash alike share a lock; that only
 * makes one's freeze wait for the other's movements in flight.) A deadlock despite the
 * order is retried at the transaction boundary (`db.attempt`).
 */
const PROFILE_LOCK_CLASS = 7_263_100;

export function createWalletContext(deps: WalletDeps): WalletContext {
  const { db, ledger } = deps;
  const clock = deps.clock ?? (() => new Date());
  const limitCache = new Map<string, { perTransaction: bigint; daily: bigint } | null>();

  function limitAmount(text: string, asset: Asset, where: string): bigint {
    const r = parseAmount(text, asset.scale);
    if (!r.ok) throw new Error(`walletLimits ${where} ${asset.code}: ${r.message}`);
    return r.value;
  }

  function activityStatement(rows: readonly NewActivity[], onlyIf?: string): Statement {
    return {
      sql: `INSERT INTO wallet_activity (id, user_id, type, asset, amount, reference_id,
                                         counterparty_id, description, ledger_transaction_id, occurred_at)
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::numeric[],
                                 $6::text[], $7::text[], $8::text[], $9::text[], $10::timestamptz[])
            ${onlyIf ? `WHERE EXISTS (SELECT 1 FROM ${onlyIf})` : ''}`,
      params: [
        rows.map(() => newId('act')),
        rows.map((r) => r.userId),
        rows.map((r) => r.type),
        rows.map((r) => r.asset),
        rows.map((r) => r.amount.toString()),
        rows.map((r) => r.referenceId),
        rows.map((r) => r.counterpartyId),
        rows.map((r) => r.description),
        rows.map((r) => r.ledgerTransactionId),
        rows.map((r) => r.occurredAt),
      ],
    };
  }

  /**
   * The profile locks and rows in one round trip (migrations/0057_payment_round_trips.sql:
   * the read after the lock sees a freeze that committed while this one waited), with
   * the users' recorded ledger accounts in `asset` if one is given.
   */
  async function lockProfilesFor(
    userIds: readonly string[],
    asset?: string,
    spend?: { payerId: string; asset: Asset; amount: bigint },
  ): Promise<{
    profiles: Map<string, WalletProfile>;
    accounts: Map<string, string>;
    counted: LimitCounts | undefined;
  }> {
    const ids = [...new Set(userIds)].sort();
    type Row = ProfileRow & {
      ledger_account_id: string | null;
      daily_ok?: boolean | null;
      hourly_ok?: boolean | null;
    };
    let rows: Row[];
    if (spend) {
      // The tiers whose limits allow the amount outright: for the others consumeLimits
      // refuses before it would count anything, so the counters are not tried.
      const eligible = eligibleTiers(spend.asset, spend.amount);
      const { day, hour } = limitPeriods();
      ({ rows } = await db.query<Row>(
        `SELECT ${PROFILE_COLUMNS}, ledger_account_id, daily_ok, hourly_ok
           FROM wallet_lock_profiles_and_limits($1, $2::text[], $3, $4, $5, $6, $7::numeric,
                $8, $9, $10::text[], $11::numeric[], $12::int[])`,
        [
          PROFILE_LOCK_CLASS,
          ids,
          TIERS[0],
          asset ?? null,
          spend.payerId,
          `daily:${spend.asset.code}`,
          spend.amount.toString(),
          day,
          hour,
          eligible.map((e) => e.tier),
          eligible.map((e) => e.daily),
          eligible.map((e) => e.perHour),
        ],
      ));
    } else {
      ({ rows } = await db.query<Row>(
        `SELECT ${PROFILE_COLUMNS}, ledger_account_id
           FROM wallet_lock_profiles($1, $2::text[], $3, $4)`,
        [PROFILE_LOCK_CLASS, ids, TIERS[0], asset ?? null],
      ));
    }
    const accounts = new Map<string, string>();
    for (const r of rows) {
      if (!r.ledger_account_id) continue;
      accounts.set(r.user_id, r.ledger_account_id);
      if (asset !== undefined) rememberAccount(r.user_id, asset, r.ledger_account_id);
    }
    const payerRow = spend ? rows.find((r) => r.user_id === spend.payerId) : undefined;
    const counted =
      payerRow && typeof payerRow.daily_ok === 'boolean' && typeof payerRow.hourly_ok === 'boolean'
        ? { daily: payerRow.daily_ok, hourly: payerRow.hourly_ok }
        : undefined;
    return {
      profiles: new Map(rows.map((r) => [r.user_id, profileFromRow(r)])),
      accounts,
      counted,
    };
  }

  /**
   * The tiers whose limits allow the amount outright: for the others consumeLimits
   * refuses before it would count anything, so the counters are not tried.
   */
  function eligibleTiers(
    asset: Asset,
    amount: bigint,
  ): { tier: Tier; daily: string; perHour: number }[] {
    return TIERS.flatMap((tier) => {
      const l = ctx.limitsOf(tier, asset);
      return l && amount <= l.perTransaction && amount <= l.daily
        ? [{ tier, daily: l.daily.toString(), perHour: l.perHour }]
        : [];
    });
  }

  // Users' ledger accounts by `${user}:${asset}`, as read from wallet_ledger_accounts
  // (a row is never changed or deleted). Bounded: cleared when full, re-read on demand.
  const accountCache = new Map<string, string>();
  const ACCOUNT_CACHE_MAX = 100_000;
  function rememberAccount(userId: string, asset: string, accountId: string): void {
    if (accountCache.size >= ACCOUNT_CACHE_MAX) accountCache.clear();
    accountCache.set(`${userId}:${asset}`, accountId);
  }

  /** The limit counters' periods that hold this moment: its UTC day and hour. */
  function limitPeriods(): { day: Date; hour: Date } {
    const now = clock();
    return {
      day: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())),
      hour: new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000),
    };
  }

  /** Opens (or finds) the ledger accounts the wallet has not recorded yet, and records them. */
  async function completeAccounts(
    userIds: readonly string[],
    asset: string,
    accounts: Map<string, string>,
  ): Promise<string[]> {
    const missing = userIds.filter((id) => !accounts.has(id));
    if (missing.length > 0) {
      // First movement of these users in this asset: found or opened through the
      // ledger, and recorded in this transaction (it rolls back with an opening).
      const found = await ctx.userAccounts(missing, asset);
      await db.query(
        `INSERT INTO wallet_ledger_accounts (user_id, asset, account_id)
         SELECT u, $2, a FROM unnest($1::text[], $3::text[]) AS x(u, a)
         ON CONFLICT (user_id, asset) DO NOTHING`,
        [missing, asset, found],
      );
      missing.forEach((id, i) => {
        const account = found[i] ?? '';
        accounts.set(id, account);
        // Should this transaction roll back, the payment guard finds no such row and
        // declines (the cache is only ever a proposal it checks).
        rememberAccount(id, asset, account);
      });
    }
    return userIds.map((id) => accounts.get(id) ?? '');
  }

  const ctx: WalletContext = {
    deps,
    clock,

    tx<T>(fn: () => Promise<T>) {
      // A refusal deep inside `fn` resolves the attempt with its failure, which `fn`'s
      // own type cannot show.
      return db.attempt<T | WalletFailure>(() => fn(), {
        retryTransient: true,
        onRetry: (err, attempt) => {
          deps.logger.warn({ err, attempt }, 'wallet transaction retried');
        },
      });
    },

    asset: (code) => ledger.getAsset(code),

    async format(code, amount) {
      const a = await ledger.getAsset(code);
      if (!a) throw new Error(`asset ${code} vanished`);
      return formatAmount(amount, a.scale);
    },

    async parseAmount(code, text, param = 'amount') {
      const r = await ledger.parseAmount(code, text);
      if (r.ok) return { ok: true, amount: r.amount, asset: r.asset };
      const at = r.code === LedgerError.UnknownAsset ? 'asset' : param;
      return fail(r.code, { message: r.message, param: at });
    },

    async resolveUser(ref) {
      const by = ctx.userRef(ref);
      if (!by) return undefined;
      if ('id' in by) return deps.users.get(by.id);
      if ('email' in by) return deps.users.findByEmail(by.email);
      return deps.users.findByHandle(by.handle);
    },

    userRef(ref) {
      const text = ref.trim();
      if (text.startsWith('usr_')) return { id: text };
      if (text.includes('@') && !text.startsWith('@')) return { email: text.toLowerCase() };
      const handle = text.replace(/^@/, '').toLowerCase();
      return HANDLE.test(handle) ? { handle } : undefined;
    },

    async userAccount(userId, code) {
      const found = await ledger.findAccount(userId, code);
      if (found) return found.id;
      const r = await ledger.openAccount({ owner: userId, asset: code });
      if (!r.ok) refuse(r.code, r.message, 'asset');
      return r.account.id;
    },

    async userAccounts(userIds, code) {
      const found = new Map(
        (await ledger.findAccounts(userIds, code)).map((a) => [a.owner ?? '', a.id]),
      );
      const ids: string[] = [];
      // Sequential: inside a transaction, calls share one connection.
      for (const userId of userIds)
        ids.push(found.get(userId) ?? (await ctx.userAccount(userId, code)));
      return ids;
    },

    async houseAccount(kind, code) {
      const r = await ledger.houseAccount(kind, code);
      if (!r.ok) refuse(r.code, r.message, 'asset');
      return r.account.id;
    },

    async lockProfiles(userIds) {
      return (await lockProfilesFor(userIds)).profiles;
    },

    async lockProfilesAndAccounts(userIds, asset) {
      const { profiles, accounts } = await lockProfilesFor(userIds, asset);
      return { profiles, accounts: await completeAccounts(userIds, asset, accounts) };
    },

    async lockProfilesAccountsAndLimits(userIds, payerId, asset, amount) {
      const { profiles, accounts, counted } = await lockProfilesFor(userIds, asset.code, {
        payerId,
        asset,
        amount,
      });
      return {
        profiles,
        accounts: await completeAccounts(userIds, asset.code, accounts),
        counted,
      };
    },

    async recordedAccounts(userIds, asset) {
      const { rows } = await db.query<{ user_id: string; account_id: string }>(
        `SELECT user_id, account_id FROM wallet_ledger_accounts
          WHERE user_id = ANY($1::text[]) AND asset = $2`,
        [userIds, asset],
      );
      const accounts = new Map<string, string>();
      for (const r of rows) {
        accounts.set(r.user_id, r.account_id);
        rememberAccount(r.user_id, asset, r.account_id);
      }
      return completeAccounts(userIds, asset, accounts);
    },

    knownAccounts(userIds, asset) {
      const out: string[] = [];
      for (const id of userIds) {
        const a = accountCache.get(`${id}:${asset}`);
        if (a === undefined) return undefined;
        out.push(a);
      }
      return out;
    },

    paymentGuard(userIds, accounts, payerId, asset, amount) {
      const eligible = eligibleTiers(asset, amount);
      const { day, hour } = limitPeriods();
      return {
        sql: `SELECT wallet_payment_guard($1, $2::text[], $3::text[], $4, $5, $6, $7, $8::numeric,
                                          $9::timestamptz, $10::timestamptz, $11::text[],
                                          $12::numeric[], $13::int[])`,
        params: [
          PROFILE_LOCK_CLASS,
          userIds,
          accounts,
          TIERS[0],
          asset.code,
          payerId,
          `daily:${asset.code}`,
          amount.toString(),
          day,
          hour,
          eligible.map((e) => e.tier),
          eligible.map((e) => e.daily),
          eligible.map((e) => e.perHour),
        ],
      };
    },

    paymentGroupGuard(payments) {
      const { day, hour } = limitPeriods();
      const daily: (string | null)[] = [];
      const perHour: (number | null)[] = [];
      for (const p of payments) {
        const eligible = new Map(eligibleTiers(p.asset, p.amount).map((e) => [e.tier, e]));
        for (const tier of TIERS) {
          const e = eligible.get(tier);
          daily.push(e?.daily ?? null);
          perHour.push(e?.perHour ?? null);
        }
      }
      return {
        sql: `SELECT wallet_payment_group_guard($1, $2::text[], $3::text[], $4::text[], $5::text[],
                                                $6::text[], $7::numeric[], $8::timestamptz,
                                                $9::timestamptz, $10::text[], $11::numeric[],
                                                $12::int[])`,
        params: [
          PROFILE_LOCK_CLASS,
          payments.map((p) => p.payerId),
          payments.map((p) => p.payeeId),
          payments.map((p) => p.payerAccount),
          payments.map((p) => p.payeeAccount),
          payments.map((p) => p.asset.code),
          payments.map((p) => p.amount.toString()),
          day,
          hour,
          TIERS,
          daily,
          perHour,
        ],
      };
    },

    lockProfilesStatement(userIds) {
      return {
        sql: `SELECT user_id, frozen FROM wallet_lock_profiles($1, $2::text[], $3, NULL)`,
        params: [PROFILE_LOCK_CLASS, [...new Set(userIds)].sort(), TIERS[0]],
      };
    },

    async lockProfileExclusively(userId) {
      await db.query(`SELECT pg_advisory_xact_lock(${PROFILE_LOCK_CLASS}, hashtext($1))`, [userId]);
    },

    limitsOf(tier, asset) {
      const key = `${tier}:${asset.code}`;
      let cached = limitCache.get(key);
      if (cached === undefined) {
        const t = deps.settings.limits[tier];
        const perTx = t.perTransaction[asset.code];
        const daily = t.daily[asset.code];
        cached =
          perTx === undefined || daily === undefined
            ? null
            : {
                perTransaction: limitAmount(perTx, asset, `${tier}.perTransaction`),
                daily: limitAmount(daily, asset, `${tier}.daily`),
              };
        limitCache.set(key, cached);
      }
      return cached === null
        ? undefined
        : { ...cached, perHour: deps.settings.limits[tier].perHour };
    },

    async releaseDailyLimit(userId, asset, amount, at) {
      const day = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
      await db.query(
        `UPDATE wallet_limit_counters SET amount = greatest(amount - $4, 0)
          WHERE user_id = $1 AND counter = $2 AND period_start = $3`,
        [userId, `daily:${asset}`, day, amount.toString()],
      );
    },

    async consumeLimits(profile, asset, amount, counted) {
      const limits = ctx.limitsOf(profile.tier, asset);
      const show = (v: bigint) => `${formatAmount(v, asset.scale)} ${asset.code}`;
      if (!limits) {
        refuse(
          WalletError.LimitNotConfigured,
          `${asset.code} cannot be moved out at the ${profile.tier} tier: no limits are configured for it`,
          'asset',
        );
      }
      if (amount > limits.perTransaction) {
        refuse(
          WalletError.AmountAboveLimit,
          `The per-transaction limit at the ${profile.tier} tier is ${show(limits.perTransaction)}`,
          'amount',
        );
      }
      const hourlyRefusal = () =>
        refuse(
          WalletError.VelocityLimitExceeded,
          `At most ${limits.perHour} outgoing movements per hour at the ${profile.tier} tier`,
        );
      const dailyRefusal = () =>
        refuse(
          WalletError.DailyLimitExceeded,
          `This would take you over your daily limit of ${show(limits.daily)}`,
          'amount',
        );
      if (amount > limits.daily) dailyRefusal();
      if (counted) {
        if (!counted.daily) dailyRefusal();
        if (!counted.hourly) hourlyRefusal();
        return;
      }
      const { day, hour } = limitPeriods();
      // One statement decides both counters: each upsert's row lock serialises
      // concurrent movements of this user, and its WHERE sees the latest committed usage
      // (ON CONFLICT re-reads a row it waited for). No row back from an upsert: over. A
      // refusal rolls the whole statement back with the caller's transaction, so the
      // counter that did take the movement keeps nothing either.
      const { rows } = await db.query<{ daily: boolean; hourly: boolean }>(
        `WITH daily AS (
           INSERT INTO wallet_limit_counters AS c (user_id, counter, period_start, amount)
           VALUES ($1, $2, $3, $4)
           ON CONFLICT (user_id, counter, period_start)
           DO UPDATE SET amount = c.amount + excluded.amount
            WHERE c.amount + excluded.amount <= $5
           RETURNING 1
         ), hourly AS (
           INSERT INTO wallet_limit_counters AS c (user_id, counter, period_start, amount)
           VALUES ($1, 'hourly', $6, 1)
           ON CONFLICT (user_id, counter, period_start)
           DO UPDATE SET amount = c.amount + excluded.amount
            WHERE c.amount + excluded.amount <= $7
           RETURNING 1
         )
         SELECT EXISTS (SELECT 1 FROM daily) AS daily, EXISTS (SELECT 1 FROM hourly) AS hourly`,
        [
          profile.userId,
          `daily:${asset.code}`,
          day,
          amount.toString(),
          limits.daily.toString(),
          hour,
          String(limits.perHour),
        ],
      );
      if (!rows[0]?.daily) dailyRefusal();
      if (!rows[0]?.hourly) hourlyRefusal();
    },

    async addActivity(rows, alongside) {
      if (rows.length === 0) {
        if (alongside) throw new Error('addActivity: an alongside statement needs activity rows');
        return;
      }
      const insert = activityStatement(rows);
      await db.query(`${alongside ? `WITH alongside AS (${alongside.sql}) ` : ''}${insert.sql}`, [
        ...insert.params,
        ...(alongside?.params ?? []),
      ]);
    },

    activityStatement,

    async publish(type, aggregateId, payload) {
      await deps.outbox.publish({ type, aggregateId, payload });
    },

    eventStatement: (type, aggregateId, payload, onlyIf) =>
      deps.outbox.publishStatement({ type, aggregateId, payload }, { onlyIf }),

    eventsStatement: (events, onlyIf) => deps.outbox.publishEachStatement(events, { onlyIf }),

    async fromLedger(f, accountId) {
      if (f.code === LedgerError.InsufficientFunds && accountId !== undefined) {
        const account = await ledger.getAccount(accountId);
        if (account) {
          const a = await ledger.getAsset(account.asset);
          if (a) {
            return fail(f.code, {
              message: `Insufficient funds: ${formatAmount(account.balance.available, a.scale)} ${a.code} available`,
              param: 'amount',
            });
          }
        }
      }
      // Codes the wallet shares with the ledger get the wallet's words: the ledger's name
      // internal accounts and keys.
      if (f.code === LedgerError.AccountFrozen) {
        return fail(f.code, { message: 'The account is frozen; contact support' });
      }
      if (f.code === LedgerError.IdempotencyConflict) {
        return fail(f.code, {
          message: 'This Idempotency-Key was already used for a different request',
          param: 'Idempotency-Key',
        });
      }
      return f;
    },
  };
  return ctx;
}
