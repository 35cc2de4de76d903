import { embed, prepared, type Queryable, type Statement } from '../platform/db/db.js';
import type {
  Account,
  Asset,
  Balance,
  Hold,
  Holding,
  HouseAccount,
  LedgerTransaction,
  Metadata,
  Side,
  TransactionKind,
} from './model.js';

/**
 * The ledger's SQL. Every write goes through `applyMovements`, which calls the
 * `ledger_apply` database function (migrations/0010_ledger.sql): it claims the
 * idempotency keys, locks and reads the accounts, decides each movement in order and
 * writes the whole batch, in one round trip. The lock order and why the house accounts
 * do not become a bottleneck are explained there.
 */

export interface Claim {
  key: string;
  operation: string;
  requestHash: string;
  resultId: string;
}

export interface StoredClaim {
  operation: string;
  requestHash: string;
  resultId: string;
}

/** One change to one account: a posted leg (one entry) or a pending (hold) change. */
export interface MovementChange {
  accountId: string;
  asset: string;
  direction: Side;
  /** Posted: positive. Pending: signed (a release is negative). */
  amount: bigint;
  pending: boolean;
}

/** One all-or-nothing unit of a batch. */
export interface Movement extends Claim {
  /** False when the caller claimed the key itself (hold and reversal paths). */
  claim: boolean;
  /** Frozen accounts refuse the movement (releases and corrections pass false). */
  requireActive: boolean;
  /** The transaction to record, if the movement posts anything. */
  transaction: NewTransaction | null;
  changes: readonly MovementChange[];
}

export interface NewTransaction {
  id: string;
  kind: TransactionKind;
  idempotencyKey: string;
  reversesId: string | null;
  holdId: string | null;
  description: string | null;
  metadata: Metadata | null;
  effectiveAt: Date;
}

/** What the engine decided for one movement. */
export interface MovementOutcome {
  /** 'ok', 'replay' (the key was used by this same request) or a LedgerError code. */
  status: string;
  /** The new result's id, or for a replay the original one. */
  resultId: string;
  /** The account a refusal is about. */
  accountId: string | null;
  /** Its available balance before the refused movement (insufficient_funds). */
  available: bigint | null;
  /** Commit-time clock of the write (created_at of what it wrote). */
  now: Date;
}

/**
 * Slots over which the running totals of accounts that may go negative are spread (see
 * ledger_balance_slots in the migration): enough that concurrent batches of several
 * processes rarely share one.
 */
export const BALANCE_SLOTS = 64;

/**
 * Decides and writes a batch of movements (see the module comment). `slot` (0 to
 * BALANCE_SLOTS - 1) is where this batch adds to house accounts; batches running at the
 * same time should use different ones. `alongside` (a batch of one movement only): the
 * caller's statements, run in the same statement over the relation `posted` (see
 * `PostingOptions`).
 */
export async function applyMovements(
  q: Queryable,
  movements: readonly Movement[],
  options: {
    atomic: boolean;
    slot: number;
    alongside?: readonly Statement[];
    /**
     * A query of one boolean run before ledger_apply in the same statement (the caller's
     * locks and rules); false raises VWL01 (migrations/ledger/0105).
     */
    guard?: Statement;
    /** Raise VWL01 unless every movement is applied, so nothing of the statement stays. */
    requireApplied?: boolean;
  },
): Promise<MovementOutcome[]> {
  const accountIndex = new Map<string, number>();
  const accounts: string[] = [];
  const first: number[] = [];
  const last: number[] = [];
  const c = {
    item: [] as number[],
    account: [] as number[],
    asset: [] as string[],
    direction: [] as string[],
    amount: [] as string[],
    pending: [] as boolean[],
    leg: [] as number[],
  };
  movements.forEach((m, i) => {
    first.push(c.item.length + 1);
    let leg = 0;
    for (const ch of m.changes) {
      let a = accountIndex.get(ch.accountId);
      if (a === undefined) {
        accounts.push(ch.accountId);
        a = accounts.length;
        accountIndex.set(ch.accountId, a);
      }
      c.item.push(i + 1);
      c.account.push(a);
      c.asset.push(ch.asset);
      c.direction.push(ch.direction);
      c.amount.push(ch.amount.toString());
      c.pending.push(ch.pending);
      c.leg.push(ch.pending ? -1 : leg++);
    }
    last.push(c.item.length);
  });
  const tx = (m: Movement) => m.transaction;
  const params: unknown[] = [
    movements.map((m) => m.key),
    movements.map((m) => m.claim),
    movements.map((m) => m.operation),
    movements.map((m) => m.requestHash),
    movements.map((m) => m.resultId),
    movements.map((m) => m.requireActive),
    movements.map((m) => tx(m)?.id ?? null),
    movements.map((m) => tx(m)?.kind ?? null),
    movements.map((m) => tx(m)?.reversesId ?? null),
    movements.map((m) => tx(m)?.holdId ?? null),
    movements.map((m) => tx(m)?.description ?? null),
    movements.map((m) => {
      const meta = tx(m)?.metadata;
      return meta ? JSON.stringify(meta) : null;
    }),
    movements.map((m) => tx(m)?.effectiveAt.toISOString() ?? null),
    first,
    last,
    accounts,
    c.item,
    c.account,
    c.asset,
    c.direction,
    c.amount,
    c.pending,
    c.leg,
    options.atomic,
    options.slot,
  ];
  // The guard runs first: it is an argument of ledger_apply, evaluated before the call.
  let slot = '$25::int';
  if (options.guard) {
    slot = `ledger_after_guard((${embed(options.guard, params.length)}), $25::int)`;
    params.push(...options.guard.params);
  }
  const apply = `ledger_apply($1::text[], $2::boolean[], $3::text[], $4::text[], $5::text[],
                         $6::boolean[], $7::text[], $8::text[], $9::text[], $10::text[],
                         $11::text[], $12::jsonb[], $13::timestamptz[], $14::int[], $15::int[],
                         $16::text[], $17::int[], $18::int[], $19::text[], $20::text[],
                         $21::numeric[], $22::boolean[], $23::int[], $24::boolean, ${slot})`;
  const outputs =
    'r_status, r_result_id, r_account_id, r_available::text[] AS r_available, r_now' +
    (options.requireApplied ? ', ledger_require_applied(r_status) AS r_applied' : '');
  // Kept prepared: the text repeats (a batch's size is in its arrays, not its text), and
  // parsing and planning it cost the database more than applying it.
  let sql = prepared(`SELECT ${outputs} FROM ${apply}`);
  const alongside = options.alongside ?? [];
  if (alongside.length > 0) {
    // Several movements: their statements stand or fall together, so only all or nothing.
    if (movements.length !== 1 && !options.requireApplied) {
      throw new Error('alongside statements of a batch need requireApplied');
    }
    // Data-modifying CTEs always run to completion; `posted` gates the caller's rows on
    // the outcome, and reading it makes ledger_apply run (and lock) before them. It is
    // one row when every movement applied (a batch's has no single transaction id).
    const ctes = alongside.map((st, i) => {
      const cte = `alongside_${i} AS (${embed(st, params.length)})`;
      params.push(...st.params);
      return cte;
    });
    const posted =
      movements.length === 1
        ? `SELECT r_result_id[1] AS transaction_id, r_now AS created_at
             FROM applied WHERE r_status[1] = 'ok'`
        : `SELECT r_now AS created_at FROM applied WHERE 'ok' = ALL (r_status)`;
    sql = prepared(`WITH applied AS (SELECT * FROM ${apply}),
                posted AS (${posted}),
                ${ctes.join(',\n                ')}
           SELECT ${outputs} FROM applied`);
  }
  const { rows } = await q.query<{
    r_status: string[];
    r_result_id: string[];
    r_account_id: (string | null)[];
    r_available: (string | null)[];
    r_now: Date;
  }>(sql, params);
  const r = rows[0];
  if (r?.r_status.length !== movements.length) {
    throw new Error(
      `ledger_apply answered ${r?.r_status.length} outcomes for ${movements.length} movements`,
    );
  }
  return r.r_status.map((status, i) => {
    const available = r.r_available[i];
    return {
      status,
      resultId: r.r_result_id[i] ?? '',
      accountId: r.r_account_id[i] ?? null,
      available: available === null || available === undefined ? null : BigInt(available),
      now: r.r_now,
    };
  });
}

/** Claims one key on its own (paths that must claim before locking a hold or transaction). */
export async function claimKey(q: Queryable, claim: Claim): Promise<boolean> {
  const { rowCount } = await q.query(
    `INSERT INTO ledger_idempotency (key, operation, request_hash, result_id)
     VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO NOTHING`,
    [claim.key, claim.operation, claim.requestHash, claim.resultId],
  );
  return rowCount > 0;
}

/** What earlier writes stored under these keys (for replays and conflicts). */
export async function readClaims(
  q: Queryable,
  keys: readonly string[],
): Promise<Map<string, StoredClaim>> {
  const { rows } = await q.query<{
    key: string;
    operation: string;
    request_hash: string;
    result_id: string;
  }>(
    'SELECT key, operation, request_hash, result_id FROM ledger_idempotency WHERE key = ANY($1::text[])',
    [keys],
  );
  return new Map(
    rows.map((r) => [
      r.key,
      { operation: r.operation, requestHash: r.request_hash, resultId: r.result_id },
    ]),
  );
}

// --- reads --------------------------------------------------------------------------

/** Balances in the account's normal-side sign from its four running totals. */
export function balanceOf(a: {
  normalSide: Side;
  debitsPosted: bigint;
  creditsPosted: bigint;
  debitsPending: bigint;
  creditsPending: bigint;
}): Balance {
  const posted =
    a.normalSide === 'credit' ? a.creditsPosted - a.debitsPosted : a.debitsPosted - a.creditsPosted;
  return {
    posted,
    pendingDebits: a.debitsPending,
    pendingCredits: a.creditsPending,
    available: posted - (a.normalSide === 'credit' ? a.debitsPending : a.creditsPending),
  };
}

interface AccountRow {
  id: string;
  asset: string;
  owner: string | null;
  house: HouseAccount | null;
  normal_side: Side;
  may_go_negative: boolean;
  status: 'active' | 'frozen';
  debits_posted: string;
  credits_posted: string;
  debits_pending: string;
  credits_pending: string;
  created_at: Date;
}

/** Account columns with the totals including balance slots (alias `a`). */
export const ACCOUNT_COLUMNS = `a.id, a.asset, a.owner, a.house, a.normal_side, a.may_go_negative, a.status,
  (a.debits_posted + coalesce(s.dp, 0))::text AS debits_posted,
  (a.credits_posted + coalesce(s.cp, 0))::text AS credits_posted,
  (a.debits_pending + coalesce(s.dq, 0))::text AS debits_pending,
  (a.credits_pending + coalesce(s.cq, 0))::text AS credits_pending,
  a.created_at`;

/** The balance slots' totals of account `a` (alias `s`), for ACCOUNT_COLUMNS. */
const SLOTS_OF_A = `LEFT JOIN LATERAL (
  SELECT sum(debits_posted) AS dp, sum(credits_posted) AS cp,
         sum(debits_pending) AS dq, sum(credits_pending) AS cq
    FROM ledger_balance_slots WHERE account_id = a.id) s ON true`;

const ACCOUNT_FROM = `ledger_accounts a ${SLOTS_OF_A}`;

export function accountFromRow(r: AccountRow): Account {
  return {
    id: r.id,
    asset: r.asset,
    owner: r.owner,
    house: r.house,
    normalSide: r.normal_side,
    mayGoNegative: r.may_go_negative,
    status: r.status,
    balance: balanceOf({
      normalSide: r.normal_side,
      debitsPosted: BigInt(r.debits_posted),
      creditsPosted: BigInt(r.credits_posted),
      debitsPending: BigInt(r.debits_pending),
      creditsPending: BigInt(r.credits_pending),
    }),
    createdAt: r.created_at,
  };
}

/**
 * Accounts matching `where` (columns of alias `a`, one of a few constant conditions), with
 * their balances. Prepared: a trade's quote reads the spending account, and parsing and
 * planning this text each time cost it more than running it (bench:api statement log).
 */
export async function selectAccounts(
  q: Queryable,
  where: string,
  params: unknown[],
): Promise<Account[]> {
  const { rows } = await q.query<AccountRow>(
    prepared(`SELECT ${ACCOUNT_COLUMNS} FROM ${ACCOUNT_FROM} WHERE ${where} ORDER BY a.id`),
    params,
  );
  return rows.map(accountFromRow);
}

interface AssetRow {
  code: string;
  kind: 'fiat' | 'crypto';
  scale: number;
  name: string;
  created_at: Date;
}

export function assetFromRow(r: AssetRow): Asset {
  return {
    code: r.code,
    kind: r.kind,
    scale: r.scale,
    name: r.name,
    createdAt: r.created_at,
  };
}

export async function selectAssets(q: Queryable, codes?: readonly string[]): Promise<Asset[]> {
  const { rows } = await q.query<AssetRow>(
    codes
      ? 'SELECT code, kind, scale, name, created_at FROM ledger_assets WHERE code = ANY($1::text[]) ORDER BY code'
      : 'SELECT code, kind, scale, name, created_at FROM ledger_assets ORDER BY code',
    codes ? [codes] : [],
  );
  return rows.map(assetFromRow);
}

/** The slots' totals of account `a` as the four balance columns a holding needs. */
const HOLDING_COLUMNS = `a.normal_side,
  (a.debits_posted + coalesce(s.dp, 0))::text AS debits_posted,
  (a.credits_posted + coalesce(s.cp, 0))::text AS credits_posted,
  (a.debits_pending + coalesce(s.dq, 0))::text AS debits_pending,
  (a.credits_pending + coalesce(s.cq, 0))::text AS credits_pending`;

/**
 * Every asset with each owner's balance in it: each balance read runs it. Many owners at
 * once, so concurrent balance reads share one statement (and one round trip: on this
 * machine a write system call costs as much as the rest of a read's work); one text
 * whatever their number, so it is planned once. The slots are summed after the join, for
 * the accounts found: summed inside it, a plan that hashes the accounts (the generic plan
 * on a small table) summed them for every account there is. Only the columns a balance
 * answer shows: parsing the asset's and account's ids and timestamps was 4 % of a
 * balance read's server CPU (bench:api profile).
 */
const HOLDINGS = prepared(
  `SELECT o.owner AS for_owner, x.code, x.kind, x.scale, ${HOLDING_COLUMNS}
     FROM (SELECT DISTINCT unnest($1::text[]) AS owner) o
     CROSS JOIN ledger_assets x
     LEFT JOIN ledger_accounts a ON a.owner = o.owner AND a.asset = x.code
     ${SLOTS_OF_A}
    ORDER BY x.code`,
);

/**
 * HOLDINGS for one owner: half its database time (pgbench, one client, 64 users: 0.085 ms
 * against 0.164 ms for two owners in HOLDINGS), and most statements carry one owner when
 * reads are few.
 */
const HOLDINGS_OF_ONE = prepared(
  `SELECT $1::text AS for_owner, x.code, x.kind, x.scale, acc.*
     FROM ledger_assets x
     LEFT JOIN LATERAL (
       SELECT ${HOLDING_COLUMNS} FROM ${ACCOUNT_FROM} WHERE a.owner = $1 AND a.asset = x.code
     ) acc ON true
    ORDER BY x.code`,
);

/** Per owner (every one asked for), every asset by code with what the owner holds in it. */
export async function selectHoldings(
  q: Queryable,
  owners: readonly string[],
): Promise<Map<string, Holding[]>> {
  const { rows } = await q.query<{
    for_owner: string;
    code: string;
    kind: Asset['kind'];
    scale: number;
    normal_side: Side | null;
    debits_posted: string | null;
    credits_posted: string | null;
    debits_pending: string | null;
    credits_pending: string | null;
  }>(owners.length === 1 ? HOLDINGS_OF_ONE : HOLDINGS, owners.length === 1 ? owners : [owners]);
  const out = new Map<string, Holding[]>(owners.map((o) => [o, []]));
  for (const r of rows) {
    out.get(r.for_owner)?.push({
      asset: r.code,
      kind: r.kind,
      scale: r.scale,
      balance:
        r.normal_side === null
          ? { posted: 0n, pendingDebits: 0n, pendingCredits: 0n, available: 0n }
          : balanceOf({
              normalSide: r.normal_side,
              debitsPosted: BigInt(r.debits_posted ?? 0),
              creditsPosted: BigInt(r.credits_posted ?? 0),
              debitsPending: BigInt(r.debits_pending ?? 0),
              creditsPending: BigInt(r.credits_pending ?? 0),
            }),
    });
  }
  return out;
}

type EntryTuple = [accountId: string, asset: string, direction: Side, amount: string];

export async function loadTransactions(
  q: Queryable,
  ids: readonly string[],
): Promise<Map<string, LedgerTransaction>> {
  if (ids.length === 0) return new Map();
  const { rows } = await q.query<{
    id: string;
    kind: TransactionKind;
    idempotency_key: string;
    reverses_id: string | null;
    hold_id: string | null;
    description: string | null;
    metadata: Metadata | null;
    effective_at: Date;
    created_at: Date;
    entries: EntryTuple[];
  }>(
    `SELECT t.id, t.kind, t.idempotency_key, t.reverses_id, t.hold_id, t.description, t.metadata,
            t.effective_at, t.created_at,
            (SELECT json_agg(json_build_array(e.account_id, e.asset, e.direction, e.amount::text) ORDER BY e.leg)
               FROM ledger_entries e WHERE e.transaction_id = t.id) AS entries
       FROM ledger_transactions t
      WHERE t.id = ANY($1::text[])`,
    [ids],
  );
  return new Map(
    rows.map((r) => [
      r.id,
      {
        id: r.id,
        kind: r.kind,
        idempotencyKey: r.idempotency_key,
        reversesId: r.reverses_id,
        holdId: r.hold_id,
        description: r.description,
        metadata: r.metadata,
        effectiveAt: r.effective_at,
        createdAt: r.created_at,
        entries: r.entries.map(([accountId, asset, direction, amount]) => ({
          accountId,
          asset,
          direction,
          amount: BigInt(amount),
        })),
      },
    ]),
  );
}

export interface HoldRow {
  id: string;
  idempotency_key: string;
  debit_account_id: string;
  credit_account_id: string;
  asset: string;
  amount: string;
  status: Hold['status'];
  posted_amount: string | null;
  transaction_id: string | null;
  expires_at: Date | null;
  description: string | null;
  metadata: Metadata | null;
  created_at: Date;
  resolved_at: Date | null;
}

/** Hold columns, with the posting transaction found through its unique hold_id. */
export const HOLD_COLUMNS = `h.id, h.idempotency_key, h.debit_account_id, h.credit_account_id, h.asset,
  h.amount::text AS amount, h.status, h.posted_amount::text AS posted_amount, h.expires_at,
  h.description, h.metadata, h.created_at, h.resolved_at,
  (SELECT t.id FROM ledger_transactions t WHERE t.hold_id = h.id) AS transaction_id`;

export function holdFromRow(r: HoldRow): Hold {
  return {
    id: r.id,
    idempotencyKey: r.idempotency_key,
    fromAccountId: r.debit_account_id,
    toAccountId: r.credit_account_id,
    asset: r.asset,
    amount: BigInt(r.amount),
    status: r.status,
    postedAmount: r.posted_amount === null ? null : BigInt(r.posted_amount),
    transactionId: r.transaction_id,
    expiresAt: r.expires_at,
    description: r.description,
    metadata: r.metadata,
    createdAt: r.created_at,
    resolvedAt: r.resolved_at,
  };
}

export async function selectHold(q: Queryable, id: string): Promise<Hold | undefined> {
  const { rows } = await q.query<HoldRow>(
    `SELECT ${HOLD_COLUMNS} FROM ledger_holds h WHERE h.id = $1`,
    [id],
  );
  return rows[0] ? holdFromRow(rows[0]) : undefined;
}
