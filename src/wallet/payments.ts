import { createHash } from 'node:crypto';
import type { Asset } from '../ledger/model.js';
import type { LedgerService, PostedRef } from '../ledger/service.js';
import { createBatcher } from '../platform/db/batcher.js';
import { embed, prepared, SQLSTATE, sqlState, type Statement } from '../platform/db/db.js';
import { newId } from '../platform/ids.js';
import { fail, isFailure, rollbackWith } from '../platform/failure.js';
import { WalletError, type WalletFailure } from './errors.js';
import { AlreadyDone, refuse, type UserRef, type WalletContext } from './internal.js';
import { paymentJson, paymentRequestJson } from './json.js';
import type { Payment, PaymentRequest, PaymentRequestStatus } from './model.js';

/** Longest note on a payment or payment request. */
export const MAX_NOTE = 280;

export interface PayInput {
  payerId: string;
  /** `@handle`, handle, email or user id of the payee. */
  to: string;
  asset: string;
  /** Decimal string at the asset's scale. */
  amount: string;
  note?: string | undefined;
  /**
   * The caller's idempotency key (the HTTP `Idempotency-Key`). The same key again returns
   * the first payment, however late; the ledger write is keyed by it too.
   */
  requestKey?: string | undefined;
}

export interface PaymentRequestInput {
  requesterId: string;
  /** Who is asked to pay: `@handle`, handle, email or user id. */
  from: string;
  asset: string;
  amount: string;
  note?: string | undefined;
  /** The caller's idempotency key (the HTTP `Idempotency-Key`), stored with the request. */
  requestKey?: string | undefined;
}

export interface ListQuery {
  limit: number;
  /** An id of the previous page's last item: return older items. */
  startingAfter?: string | undefined;
}

export type PaymentResult = { ok: true; payment: Payment; replayed: boolean } | WalletFailure;

interface PaymentRow {
  id: string;
  payer_id: string;
  payee_id: string;
  asset: string;
  amount: string;
  note: string | null;
  payment_request_id: string | null;
  request_key: string | null;
  ledger_transaction_id: string;
  created_at: Date;
}

interface RequestRow {
  id: string;
  requester_id: string;
  payer_id: string;
  asset: string;
  amount: string;
  note: string | null;
  status: PaymentRequestStatus;
  payment_id: string | null;
  created_at: Date;
  resolved_at: Date | null;
  request_key: string | null;
}

const PAYMENT_COLUMNS = `id, payer_id, payee_id, asset, amount::text AS amount, note, payment_request_id,
  request_key, ledger_transaction_id, created_at`;
const REQUEST_COLUMNS = `id, requester_id, payer_id, asset, amount::text AS amount, note, status,
  payment_id, created_at, resolved_at, request_key`;

export function createPayments(ctx: WalletContext) {
  const { db, ledger } = ctx.deps;

  async function toPayment(r: PaymentRow): Promise<Payment> {
    const amount = BigInt(r.amount);
    return {
      id: r.id,
      payerId: r.payer_id,
      payeeId: r.payee_id,
      asset: r.asset,
      amount,
      amountDecimal: await ctx.format(r.asset, amount),
      note: r.note,
      paymentRequestId: r.payment_request_id,
      ledgerTransactionId: r.ledger_transaction_id,
      createdAt: r.created_at,
    };
  }

  async function toRequest(r: RequestRow): Promise<PaymentRequest> {
    const amount = BigInt(r.amount);
    return {
      id: r.id,
      requesterId: r.requester_id,
      payerId: r.payer_id,
      asset: r.asset,
      amount,
      amountDecimal: await ctx.format(r.asset, amount),
      note: r.note,
      status: r.status,
      paymentId: r.payment_id,
      createdAt: r.created_at,
      resolvedAt: r.resolved_at,
    };
  }

  function checkNote(note: string | undefined): WalletFailure | undefined {
    if (note !== undefined && note.length > MAX_NOTE) {
      return fail(WalletError.NoteTooLong, {
        message: `A note has at most ${MAX_NOTE} characters`,
        param: 'note',
      });
    }
    return undefined;
  }

  async function counterparty(
    selfId: string,
    ref: string,
    param: string,
  ): Promise<{ ok: true; id: string } | WalletFailure> {
    const user = await ctx.resolveUser(ref);
    if (!user) return fail(WalletError.RecipientNotFound, { message: `No user ${ref}`, param });
    if (user.id === selfId) {
      return fail(WalletError.SelfPayment, {
        message: 'You cannot pay or request money from yourself',
        param,
      });
    }
    return { ok: true, id: user.id };
  }

  async function paymentByLedgerTx(ledgerTxId: string): Promise<Payment | undefined> {
    const { rows } = await db.query<PaymentRow>(
      `SELECT ${PAYMENT_COLUMNS} FROM wallet_payments WHERE ledger_transaction_id = $1`,
      [ledgerTxId],
    );
    return rows[0] ? toPayment(rows[0]) : undefined;
  }

  /** A retry answers the first payment; the same key for something else is refused. */
  function replayOrConflict(
    p: Payment,
    want: { payeeId: string; asset: string; amount: bigint; note: string | null },
  ): PaymentResult {
    if (
      p.paymentRequestId !== null ||
      p.payeeId !== want.payeeId ||
      p.asset !== want.asset ||
      p.amount !== want.amount ||
      p.note !== want.note
    ) {
      return fail(WalletError.IdempotencyConflict, {
        message: 'This Idempotency-Key was already used for a different payment',
        param: 'Idempotency-Key',
      });
    }
    return { ok: true, payment: p, replayed: true };
  }

  /** What a caller of `fastPay` adds to its one statement. */
  interface FastPayExtra {
    /**
     * A query of one boolean that runs before the payment's guard and takes its lock
     * first (the row the payment settles); false declines the statement.
     */
    first?: (payment: Payment) => Statement;
    /** More rows written with the payment, gated on it like the payment's own. */
    also?: (payment: Payment) => Statement[];
  }

  interface MoveInput {
    payerId: string;
    payeeId: string;
    asset: Asset;
    amount: bigint;
    note: string | null;
    ledgerKey: string;
    requestKey: string | null;
    paymentRequestId: string | null;
  }

  /**
   * A payment's ledger transfer and the payment it becomes once posted; its rows are
   * written by the ledger's own statement (`paymentRows`).
   */
  async function paymentPosting(input: MoveInput, from: string, to: string) {
    const { payerId, payeeId, asset, amount } = input;
    const id = newId('pay');
    const amountDecimal = await ctx.format(asset.code, amount);
    const paymentOf = (ledgerTransactionId: string, at: Date): Payment => ({
      id,
      payerId,
      payeeId,
      asset: asset.code,
      amount,
      amountDecimal,
      note: input.note,
      paymentRequestId: input.paymentRequestId,
      ledgerTransactionId,
      createdAt: at,
    });
    const transfer = {
      key: input.ledgerKey,
      from,
      to,
      asset: asset.code,
      amount,
      description: input.note ?? 'Payment',
      // Only what the request itself fixes, so a retry's ledger write is identical.
      metadata: { wallet: 'payment', payer: payerId, payee: payeeId },
    };
    const rowsOf = (posted: PostedRef) => ({
      payment: paymentOf(posted.transactionId, posted.effectiveAt),
      requestKey: input.requestKey,
    });
    return { transfer, paymentOf, rowsOf };
  }

  /**
   * The rows of payments about to be posted, written by the ledger's own statement and
   * only if every transfer of it applies (`posted`): the payments, both users' activity
   * of each, and the events, in three statements whatever the number of payments (their
   * rows travel as arrays, so the text stays the same and stays prepared).
   */
  function paymentRows(
    payments: readonly { payment: Payment; requestKey: string | null }[],
  ): Statement[] {
    const list = payments.map((p) => p.payment);
    return [
      {
        sql: `INSERT INTO wallet_payments (id, payer_id, payee_id, asset, amount, note,
                                           payment_request_id, request_key,
                                           ledger_transaction_id, created_at)
              SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[],
                                   $5::numeric[], $6::text[], $7::text[], $8::text[],
                                   $9::text[], $10::timestamptz[])
               WHERE EXISTS (SELECT 1 FROM posted)`,
        params: [
          list.map((p) => p.id),
          list.map((p) => p.payerId),
          list.map((p) => p.payeeId),
          list.map((p) => p.asset),
          list.map((p) => p.amount.toString()),
          list.map((p) => p.note),
          list.map((p) => p.paymentRequestId),
          payments.map((p) => p.requestKey),
          list.map((p) => p.ledgerTransactionId),
          list.map((p) => p.createdAt),
        ],
      },
      ctx.activityStatement(
        list.flatMap((p) => {
          const common = {
            type: 'payment' as const,
            asset: p.asset,
            referenceId: p.id,
            description: p.note,
            ledgerTransactionId: p.ledgerTransactionId,
            occurredAt: p.createdAt,
          };
          return [
            { ...common, userId: p.payerId, amount: -p.amount, counterpartyId: p.payeeId },
            { ...common, userId: p.payeeId, amount: p.amount, counterpartyId: p.payerId },
          ];
        }),
        'posted',
      ),
      ctx.eventsStatement(
        list.map((p) => ({
          type: 'payment.completed' as const,
          aggregateId: p.id,
          payload: paymentJson(p),
        })),
        'posted',
      ),
    ];
  }

  /**
   * The common case in one autocommitted statement: both users' accounts known, nobody
   * frozen, the limits allow it, the funds are there, the key is new. The guard takes
   * the same profile locks and counts the same limits as `move`, in the same order,
   * before the ledger locks the accounts; anything else (a refusal, a replay, a first
   * payment, a deadlock) leaves nothing and answers null, and `move` decides as always.
   * Payments that arrive together share that statement and its commit (`fastPayments`).
   */
  async function fastPay(input: MoveInput, extra: FastPayExtra = {}): Promise<Payment | null> {
    if (db.inTransaction()) return null;
    const accounts = ctx.knownAccounts([input.payerId, input.payeeId], input.asset.code);
    const [from, to] = accounts ?? [];
    if (!accounts || from === undefined || to === undefined) return null;
    const item = { input, from, to, first: extra.first };
    // Rows written besides the payment's own are the caller's to gate, and a payment
    // under an Idempotency-Key's fence must commit with that fence: neither is grouped.
    return extra.also || db.inFence() ? fastPayAlone(item, extra.also) : fastPayments.submit(item);
  }

  interface FastItem {
    input: MoveInput;
    from: string;
    to: string;
    first: FastPayExtra['first'];
  }

  /** One payment's guard (its `first` claim, then its profile, limit and balance checks). */
  function itemGuard({ input, from, to, first }: FastItem, payment: Payment): Statement {
    const users = [input.payerId, input.payeeId];
    const guard = ctx.paymentGuard(users, [from, to], input.payerId, input.asset, input.amount);
    return firstThen(first, payment, guard);
  }

  async function fastPayAlone(
    item: FastItem,
    also?: FastPayExtra['also'],
  ): Promise<Payment | null> {
    const { input, from, to } = item;
    const { transfer, paymentOf, rowsOf } = await paymentPosting(input, from, to);
    const t = await ledger.transferGuarded(transfer, {
      guard: (posted) => itemGuard(item, paymentOf(posted.transactionId, posted.effectiveAt)),
      alongside: (posted) => {
        const rows = rowsOf(posted);
        return [...paymentRows([rows]), ...(also?.(rows.payment) ?? [])];
      },
    });
    return t ? paymentOf(t.id, t.effectiveAt) : null;
  }

  /** `first` takes its lock before the payment's guard: CASE evaluates in order. */
  function firstThen(first: FastPayExtra['first'], payment: Payment, guard: Statement): Statement {
    if (!first) return guard;
    const claim = first(payment);
    return {
      sql: `SELECT CASE WHEN (${claim.sql}) THEN (${embed(guard, claim.params.length)})
                        ELSE false END`,
      params: [...claim.params, ...guard.params],
    };
  }

  /**
   * Group commit of the one-statement path: payments that arrive while earlier ones are
   * in the database go together in one statement and one commit (createBatcher: no timer,
   * a lone payment goes at once). All or nothing: if any of them would not apply (a
   * guard declines, a refusal, a replayed key, a deadlock), nothing of the statement
   * stays and each then goes alone, so one payment never fails the others. One payment
   * per payer in a statement, in payer order: a payer's limit counters are locked once,
   * and two statements lock the counters they share in the same order. Two groups in
   * flight, not four: the next group gathers what arrives while they run, so at 8 clients
   * a statement carries about twice the payments (bench:api, same run: server CPU per
   * payment 0.86 -> 0.77 ms at 8 clients, 0.56 -> 0.48 at 32) and throughput did not drop.
   * The second goes only once 4 payments wait: at 8 clients a second statement for one or
   * two payments cost the database more than their wait for the first (bench:api, same
   * run: database CPU per payment 1.64 -> 1.05 ms, 1.79 -> 1.18 ms; server CPU 1.20 ->
   * 1.02, 1.41 -> 1.15 ms; payments/s up 18-24 %); at 32 and 64 clients 4 always wait.
   */
  const fastPayments = createBatcher<FastItem, Payment | null>(
    // Detached: a group serves many requests, none of whose context it may run in.
    (items) => db.detached(() => fastPayGroup(items)),
    { maxBatch: 32, maxInFlight: 2, minBatch: 8, openLaneAt: 4 },
  );

  /** Each payer once in the group statement; a payer's further payments go alone. */
  async function fastPayGroup(items: FastItem[]): Promise<(Payment | null)[]> {
    const payers = new Set<string>();
    const grouped: FastItem[] = [];
    const alone: FastItem[] = [];
    for (const item of items) {
      if (payers.has(item.input.payerId)) alone.push(item);
      else {
        payers.add(item.input.payerId);
        grouped.push(item);
      }
    }
    grouped.sort((a, b) => (a.input.payerId < b.input.payerId ? -1 : 1));
    const results = new Map<FastItem, Payment | null>();
    const [together, others] = await Promise.all([
      fastPayTogether(grouped),
      Promise.all(alone.map((item) => fastPayAlone(item))),
    ]);
    grouped.forEach((item, i) => results.set(item, together[i] ?? null));
    alone.forEach((item, i) => results.set(item, others[i] ?? null));
    return items.map((item) => results.get(item) ?? null);
  }

  /**
   * A group's payments in one statement, whatever their number: the ledger's arrays, the
   * group guard's arrays (migrations/wallet/0132) and the rows' arrays keep one text, so
   * each connection parses and plans it once.
   */
  async function fastPayTogether(items: readonly FastItem[]): Promise<(Payment | null)[]> {
    if (items.length === 1) return [await fastPayAlone(items[0] as FastItem)];
    const postings = await Promise.all(
      items.map(({ input, from, to }) => paymentPosting(input, from, to)),
    );
    let done: Awaited<ReturnType<LedgerService['transferGuardedMany']>>;
    try {
      done = await ledger.transferGuardedMany(
        postings.map((p) => p.transfer),
        {
          guard: () =>
            ctx.paymentGroupGuard(
              items.map(({ input, from, to }) => ({
                payerId: input.payerId,
                payeeId: input.payeeId,
                payerAccount: from,
                payeeAccount: to,
                asset: input.asset,
                amount: input.amount,
              })),
            ),
          alongside: (posted) =>
            paymentRows(postings.map((p, i) => p.rowsOf(posted[i] as PostedRef))),
        },
      );
    } catch (err) {
      // The database refused the statement (nothing of it stays): each alone says why.
      if (sqlState(err) === undefined) throw err;
      done = null;
    }
    if (!done) return Promise.all(items.map((item) => fastPayAlone(item)));
    return done.map((t, i) =>
      (postings[i] as (typeof postings)[number]).paymentOf(t.id, t.effectiveAt),
    );
  }

  /**
   * The movement itself, inside the caller's transaction: risk state, limits, the ledger
   * transfer, the payment row, activity and the event, all or nothing.
   */
  async function move(input: MoveInput): Promise<Payment | AlreadyDone<string>> {
    const { payerId, payeeId, asset, amount } = input;
    // The profile locks and the payer's limit counters in one round trip: the fewer the
    // round trips while the locks are held, the less two payments of one user queue.
    const { profiles, accounts, counted } = await ctx.lockProfilesAccountsAndLimits(
      [payerId, payeeId],
      payerId,
      asset,
      amount,
    );
    if (profiles.get(payerId)?.frozen !== false) {
      refuse(WalletError.AccountFrozen, 'Your wallet is frozen; contact support');
    }
    if (profiles.get(payeeId)?.frozen !== false) {
      refuse(WalletError.RecipientUnavailable, 'This user cannot receive payments right now', 'to');
    }
    const payerProfile = profiles.get(payerId);
    if (!payerProfile) throw new Error('payer profile vanished');
    await ctx.consumeLimits(payerProfile, asset, amount, counted);
    const [from, to] = accounts;
    if (from === undefined || to === undefined) throw new Error('user accounts not opened');
    const { transfer, paymentOf, rowsOf } = await paymentPosting(input, from, to);
    const r = await ledger.transfer(transfer, {
      alongside: (posted) => paymentRows([rowsOf(posted)]),
    });
    if (!r.ok) refuse(await ctx.fromLedger(r, from));
    // The ledger key was used before: the earlier payment answers; this one's limit
    // usage rolls back.
    if (r.replayed) return rollbackWith(new AlreadyDone(r.transaction.id));
    return paymentOf(r.transaction.id, r.transaction.effectiveAt);
  }

  function hashKey(key: string): string {
    return createHash('sha256').update(key).digest('base64url');
  }

  // Payees as last looked up, by the `@handle` or email a payer named them with (key:
  // `handle:…` or `email:…`). A handle can pass to another user, so a remembered payee
  // is only a proposal: the payment's own statement checks it first (`namesStatement`)
  // and declines if it no longer holds. Bounded: cleared when full, re-read on demand.
  const payeeIds = new Map<string, string>();
  const PAYEE_CACHE_MAX = 100_000;
  const refKey = (by: UserRef) =>
    'id' in by ? by.id : 'email' in by ? `email:${by.email}` : `handle:${by.handle}`;

  /**
   * The payee `ref` names without a lookup: a user id, or a handle or email looked up
   * before, with the payer's and payee's ledger accounts in `asset` known (an account is
   * only recorded for a user, and users are never deleted), and what checks the name.
   */
  function rememberedPayee(
    payerId: string,
    ref: string,
    asset: string,
  ): { id: string; check: Statement | undefined } | undefined {
    const by = ctx.userRef(ref);
    if (!by) return undefined;
    const id = 'id' in by ? by.id : payeeIds.get(refKey(by));
    if (id === undefined || id === payerId || !ctx.knownAccounts([payerId, id], asset)) {
      return undefined;
    }
    return { id, check: 'id' in by ? undefined : ctx.deps.users.namesStatement(id, by) };
  }

  function rememberPayee(ref: string, id: string): void {
    const by = ctx.userRef(ref);
    if (!by || 'id' in by) return;
    if (payeeIds.size >= PAYEE_CACHE_MAX) payeeIds.clear();
    payeeIds.set(refKey(by), id);
  }

  async function pay(input: PayInput): Promise<PaymentResult> {
    const bad = checkNote(input.note);
    if (bad) return bad;
    const parsed = await ctx.parseAmount(input.asset, input.amount);
    if (!parsed.ok) return parsed;
    // The common case needs no lookup of the payee before its one statement: a payee
    // named by id, or by a name looked up before (checked in the statement). Anything the
    // statement declines (a stale name, a refusal, a replay) goes the whole way below.
    const remembered = rememberedPayee(input.payerId, input.to, parsed.asset.code);
    if (remembered) {
      const { check } = remembered;
      try {
        const fast = await fastPay(
          moveInputFor(input, remembered.id, parsed.asset, parsed.amount),
          check ? { first: () => check } : {},
        );
        if (fast) return { ok: true, payment: fast, replayed: false };
      } catch (err) {
        // Nothing was written (one statement): the whole way below decides, as always.
        if (sqlState(err) !== SQLSTATE.uniqueViolation) throw err;
      }
    }
    const payee = await counterparty(input.payerId, input.to, 'to');
    if (!payee.ok) return payee;
    rememberPayee(input.to, payee.id);
    const note = input.note ?? null;
    const want = { payeeId: payee.id, asset: parsed.asset.code, amount: parsed.amount, note };
    const requestKey = input.requestKey ?? null;
    const moveInput = moveInputFor(input, payee.id, parsed.asset, parsed.amount);
    let r: Payment | AlreadyDone<string> | WalletFailure;
    try {
      const fast = await fastPay(moveInput);
      if (fast) return { ok: true, payment: fast, replayed: false };
      r = await ctx.tx(() => move(moveInput));
    } catch (err) {
      // The key is on a payment its ledger key does not lead to (a request paid with
      // it): the payment's row met the key's unique index and nothing was written.
      if (requestKey === null || sqlState(err) !== SQLSTATE.uniqueViolation) throw err;
      const prior = await paymentByKey(input.payerId, requestKey);
      if (!prior) throw err;
      return replayOrConflict(prior, want);
    }
    if (r instanceof AlreadyDone) {
      const prior = await paymentByLedgerTx(r.value);
      if (!prior) throw new Error(`ledger transaction ${r.value} has no payment`);
      return replayOrConflict(prior, want);
    }
    if (!isFailure(r)) return { ok: true, payment: r, replayed: false };
    // The same key again answers the first payment, even if this retry would now be
    // refused (frozen since, over a limit, the funds spent). Looked for on refusals
    // only: a retry that gets through them meets the ledger's key (derived from the
    // request key, kept forever) and replays there, so a payment costs no lookup.
    if (requestKey === null) return r;
    const prior = await paymentByKey(input.payerId, requestKey);
    return prior ? replayOrConflict(prior, want) : r;
  }

  function moveInputFor(input: PayInput, payeeId: string, asset: Asset, amount: bigint): MoveInput {
    const requestKey = input.requestKey ?? null;
    return {
      payerId: input.payerId,
      payeeId,
      asset,
      amount,
      note: input.note ?? null,
      // With a request key the ledger key derives from it: two concurrent retries meet on
      // the ledger's key and the second replays the first instead of paying again.
      ledgerKey:
        requestKey === null
          ? `wallet:payment:${newId('pay')}`
          : `wallet:payment:${input.payerId}:${hashKey(requestKey)}`,
      requestKey,
      paymentRequestId: null,
    };
  }

  /** The payment `payerId` made with this Idempotency-Key, paid request or not. */
  async function paymentByKey(payerId: string, requestKey: string): Promise<Payment | undefined> {
    const { rows } = await db.query<PaymentRow>(
      `SELECT ${PAYMENT_COLUMNS} FROM wallet_payments WHERE payer_id = $1 AND request_key = $2`,
      [payerId, requestKey],
    );
    return rows[0] ? toPayment(rows[0]) : undefined;
  }

  async function getPayment(userId: string, id: string): Promise<Payment | undefined> {
    const { rows } = await db.query<PaymentRow>(
      `SELECT ${PAYMENT_COLUMNS} FROM wallet_payments
        WHERE id = $1 AND (payer_id = $2 OR payee_id = $2)`,
      [id, userId],
    );
    return rows[0] ? toPayment(rows[0]) : undefined;
  }

  /** Payments sent or received, newest first. */
  async function listPayments(
    userId: string,
    q: ListQuery & { direction?: 'sent' | 'received' | undefined },
  ): Promise<Payment[]> {
    const { rows } = await db.query<PaymentRow>(
      `SELECT ${PAYMENT_COLUMNS} FROM (
         SELECT * FROM wallet_payments WHERE payer_id = $1 AND $2::text IS DISTINCT FROM 'received'
         UNION ALL
         SELECT * FROM wallet_payments WHERE payee_id = $1 AND $2::text IS DISTINCT FROM 'sent'
       ) p
        WHERE ($3::text IS NULL OR id < $3)
        ORDER BY id DESC LIMIT $4`,
      [userId, q.direction ?? null, q.startingAfter ?? null, q.limit],
    );
    return Promise.all(rows.map(toPayment));
  }

  type AskResult = { ok: true; request: PaymentRequest; replayed: boolean } | WalletFailure;

  /**
   * A request made with an Idempotency-Key answers it again for the same ask, even where
   * asking now would be refused; the key with another ask is a conflict. Undefined when
   * the key is unused.
   */
  async function askReplay(
    input: PaymentRequestInput,
    key: string,
  ): Promise<AskResult | undefined> {
    const { rows } = await db.query<RequestRow>(
      `SELECT ${REQUEST_COLUMNS} FROM wallet_payment_requests
        WHERE requester_id = $1 AND request_key = $2`,
      [input.requesterId, key],
    );
    const prior = rows[0];
    if (!prior) return undefined;
    const payer = await ctx.resolveUser(input.from);
    const amount = await ctx.parseAmount(input.asset, input.amount);
    const same =
      payer?.id === prior.payer_id &&
      amount.ok &&
      amount.asset.code === prior.asset &&
      amount.amount === BigInt(prior.amount) &&
      prior.note === (input.note ?? null);
    if (!same) {
      return fail(WalletError.IdempotencyConflict, {
        message: 'This Idempotency-Key was already used for a different payment request',
        param: 'Idempotency-Key',
      });
    }
    return { ok: true, request: await toRequest(prior), replayed: true };
  }

  async function requestPayment(input: PaymentRequestInput): Promise<AskResult> {
    const r = await newRequest(input);
    // Not made (a refusal, or the key's request already there): its first use answers.
    if (r.ok || input.requestKey === undefined) return r;
    return (await askReplay(input, input.requestKey)) ?? r;
  }

  async function newRequest(input: PaymentRequestInput): Promise<AskResult> {
    const bad = checkNote(input.note);
    if (bad) return bad;
    const parsed = await ctx.parseAmount(input.asset, input.amount);
    if (!parsed.ok) return parsed;
    const payer = await counterparty(input.requesterId, input.from, 'from');
    if (!payer.ok) return payer;
    const request: PaymentRequest = {
      id: newId('prq'),
      requesterId: input.requesterId,
      payerId: payer.id,
      asset: parsed.asset.code,
      amount: parsed.amount,
      amountDecimal: await ctx.format(parsed.asset.code, parsed.amount),
      note: input.note ?? null,
      status: 'pending',
      paymentId: null,
      createdAt: ctx.clock(),
      resolvedAt: null,
    };
    // One autocommitted statement: the requester's profile lock (a freeze waits for it,
    // or it sees the freeze), the row only if they are not frozen and the key is new,
    // and its event.
    const profile = ctx.lockProfilesStatement([input.requesterId]);
    const n = profile.params.length;
    const event = ctx.eventStatement(
      'payment_request.created',
      request.id,
      paymentRequestJson(request),
      'inserted',
    );
    // Prepared, as the other texts of a request's life below: one text whatever the
    // request, and parsing it each time cost more than running it (bench:api statement log).
    const { rows } = await db.query<{ inserted: boolean }>(
      prepared(`WITH profile AS (${profile.sql}),
            inserted AS (
              INSERT INTO wallet_payment_requests (id, requester_id, payer_id, asset, amount,
                                                   note, created_at, request_key)
              SELECT $${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5}::numeric, $${n + 6},
                     $${n + 7}::timestamptz, $${n + 8}
                FROM profile WHERE profile.user_id = $${n + 2} AND NOT profile.frozen
              ON CONFLICT (requester_id, request_key) WHERE request_key IS NOT NULL DO NOTHING
              RETURNING id
            ),
            event AS (${embed(event, n + 8)})
       SELECT EXISTS (SELECT 1 FROM inserted) AS inserted`),
      [
        ...profile.params,
        request.id,
        request.requesterId,
        request.payerId,
        request.asset,
        request.amount.toString(),
        request.note,
        request.createdAt,
        input.requestKey ?? null,
        ...event.params,
      ],
    );
    if (!rows[0]?.inserted) {
      // Frozen, or (with a key) the key's request is there already: `requestPayment`
      // answers that one instead.
      return fail(WalletError.AccountFrozen, {
        message: 'Your wallet is frozen; contact support',
      });
    }
    return { ok: true as const, request, replayed: false };
  }

  async function requestRow(id: string): Promise<RequestRow | undefined> {
    const { rows } = await db.query<RequestRow>(
      prepared(`SELECT ${REQUEST_COLUMNS} FROM wallet_payment_requests WHERE id = $1`),
      [id],
    );
    return rows[0];
  }

  function notFound(): never {
    refuse(WalletError.PaymentRequestNotFound, 'No such payment request', 'id');
  }

  type PaidRequest = { ok: true; request: PaymentRequest; payment: Payment; replayed: boolean };

  /**
   * What an Idempotency-Key already used by `userId` answers for paying `requestId`: the
   * same request again replays its payment; the key on any other payment is a conflict;
   * undefined when the key is unused.
   */
  async function requestReplay(
    userId: string,
    requestId: string,
    requestKey: string,
  ): Promise<PaidRequest | WalletFailure | undefined> {
    const prior = await paymentByKey(userId, requestKey);
    if (!prior) return undefined;
    const row = prior.paymentRequestId === requestId ? await requestRow(requestId) : undefined;
    if (!row || row.payment_id !== prior.id) {
      return fail(WalletError.IdempotencyConflict, {
        message: 'This Idempotency-Key was already used for a different payment',
        param: 'Idempotency-Key',
      });
    }
    return { ok: true, request: await toRequest(row), payment: prior, replayed: true };
  }

  /**
   * The common case of `payRequest` in one autocommitted statement after one read: the
   * request, still pending, is marked paid as the statement's first lock
   * (migrations/wallet/0114), then the payment goes as `fastPay` sends it, with the
   * request's event. Null when anything is not plain (not found, not pending, raced,
   * frozen, limits, funds, the key used before): nothing was written and `payRequest`'s
   * full path answers.
   */
  async function fastPayRequest(
    userId: string,
    requestId: string,
    requestKey: string | null,
  ): Promise<PaidRequest | null> {
    if (db.inTransaction()) return null;
    // The key's earlier use is read with the request: a fresh key costs no round trip.
    const { rows } = await db.query<RequestRow & { key_used: boolean }>(
      prepared(`SELECT ${REQUEST_COLUMNS},
              EXISTS (SELECT 1 FROM wallet_payments
                       WHERE payer_id = $2 AND request_key = $3) AS key_used
         FROM wallet_payment_requests WHERE id = $1`),
      [requestId, userId, requestKey],
    );
    const row = rows[0];
    if (!row || row.payer_id !== userId || row.status !== 'pending' || row.key_used) return null;
    const asset = await ctx.asset(row.asset);
    if (!asset) return null;
    const pending = await toRequest(row);
    const paidBy = (payment: Payment): PaymentRequest => ({
      ...pending,
      status: 'paid',
      paymentId: payment.id,
      resolvedAt: payment.createdAt,
    });
    const payment = await fastPay(
      {
        payerId: userId,
        payeeId: row.requester_id,
        asset,
        amount: BigInt(row.amount),
        note: row.note,
        ledgerKey: `wallet:payment_request:${row.id}`,
        requestKey,
        paymentRequestId: row.id,
      },
      {
        first: (p) => ({
          sql: `SELECT wallet_claim_payment_request($1, $2, $3, $4, $5::numeric, $6, $7::timestamptz)`,
          params: [row.id, userId, row.requester_id, row.asset, row.amount, p.id, p.createdAt],
        }),
        also: (p) => [
          ctx.eventStatement(
            'payment_request.paid',
            row.id,
            paymentRequestJson(paidBy(p)),
            'posted',
          ),
        ],
      },
    );
    return payment ? { ok: true, request: paidBy(payment), payment, replayed: false } : null;
  }

  /**
   * Pays a request addressed to `userId`: once, whatever the concurrency. With a
   * `requestKey` (the HTTP Idempotency-Key) it is stored with the payment: the same key
   * for the same request again answers that payment (replayed), however late, and the
   * key on any other payment is refused.
   */
  async function payRequest(
    userId: string,
    requestId: string,
    requestKey?: string,
  ): Promise<PaidRequest | WalletFailure> {
    const key = requestKey ?? null;
    let r: PaidRequest | WalletFailure;
    try {
      r = (await fastPayRequest(userId, requestId, key)) ?? (await slowPayRequest());
    } catch (err) {
      // Another request paid with this key at the same moment: its payment row met the
      // key's unique index, and this statement or transaction left nothing.
      if (key === null || sqlState(err) !== SQLSTATE.uniqueViolation) throw err;
      const replay = await requestReplay(userId, requestId, key);
      if (!replay) throw err;
      return replay;
    }
    // A key used before answers its first use, even where paying now would be refused
    // (already paid, by that very key). Looked for on refusals only.
    if (isFailure(r) && key !== null) return (await requestReplay(userId, requestId, key)) ?? r;
    return r;

    function slowPayRequest() {
      return ctx.tx(async () => {
        // The request row is the lock that makes "pay" happen once.
        const { rows } = await db.query<RequestRow>(
          `SELECT ${REQUEST_COLUMNS} FROM wallet_payment_requests WHERE id = $1 AND payer_id = $2 FOR UPDATE`,
          [requestId, userId],
        );
        const row = rows[0];
        if (!row) notFound();
        if (row.status !== 'pending') {
          refuse(
            WalletError.PaymentRequestNotPending,
            `The payment request is already ${row.status}`,
            'id',
          );
        }
        // A key used on another payment meets its unique index with this payment's row
        // and rolls all of it back (caught above).
        const asset = await ctx.asset(row.asset);
        if (!asset) throw new Error(`asset ${row.asset} vanished`);
        const payment = await move({
          payerId: userId,
          payeeId: row.requester_id,
          asset,
          amount: BigInt(row.amount),
          note: row.note,
          ledgerKey: `wallet:payment_request:${row.id}`,
          requestKey: key,
          paymentRequestId: row.id,
        });
        // Its ledger key is the request's, used only under the request's row lock.
        if (payment instanceof AlreadyDone) {
          throw new Error(`payment request ${row.id} is paid in the ledger but still pending`);
        }
        const updated = await db.query<RequestRow>(
          `UPDATE wallet_payment_requests SET status = 'paid', payment_id = $2, resolved_at = $3
            WHERE id = $1 RETURNING ${REQUEST_COLUMNS}`,
          [row.id, payment.id, payment.createdAt],
        );
        if (!updated.rows[0]) throw new Error('payment request vanished');
        const request = await toRequest(updated.rows[0]);
        await ctx.publish('payment_request.paid', request.id, paymentRequestJson(request));
        return { ok: true as const, request, payment, replayed: false };
      });
    }
  }

  /** Declined by the payer or cancelled by the requester; a resolved request stays so. */
  async function resolveRequest(
    userId: string,
    requestId: string,
    to: 'declined' | 'cancelled',
  ): Promise<{ ok: true; request: PaymentRequest } | WalletFailure> {
    return ctx.tx(async () => {
      const who = to === 'declined' ? 'payer_id' : 'requester_id';
      const { rows } = await db.query<RequestRow>(
        `UPDATE wallet_payment_requests SET status = $3, resolved_at = $4
          WHERE id = $1 AND ${who} = $2 AND status = 'pending'
          RETURNING ${REQUEST_COLUMNS}`,
        [requestId, userId, to, ctx.clock()],
      );
      const row = rows[0];
      if (!row) {
        const prior = await requestRow(requestId);
        const mine = to === 'declined' ? prior?.payer_id : prior?.requester_id;
        if (!prior || mine !== userId) notFound();
        refuse(
          WalletError.PaymentRequestNotPending,
          `The payment request is already ${prior.status}`,
          'id',
        );
      }
      const request = await toRequest(row);
      await ctx.publish(
        to === 'declined' ? 'payment_request.declined' : 'payment_request.cancelled',
        request.id,
        paymentRequestJson(request),
      );
      return { ok: true as const, request };
    });
  }

  async function getRequest(userId: string, id: string): Promise<PaymentRequest | undefined> {
    const row = await requestRow(id);
    if (!row || (row.payer_id !== userId && row.requester_id !== userId)) return undefined;
    return toRequest(row);
  }

  async function listRequests(
    userId: string,
    q: ListQuery & {
      direction?: 'incoming' | 'outgoing' | undefined;
      status?: PaymentRequestStatus | undefined;
    },
  ): Promise<PaymentRequest[]> {
    const { rows } = await db.query<RequestRow>(
      `SELECT ${REQUEST_COLUMNS} FROM (
         SELECT * FROM wallet_payment_requests WHERE payer_id = $1 AND $2::text IS DISTINCT FROM 'outgoing'
         UNION ALL
         SELECT * FROM wallet_payment_requests WHERE requester_id = $1 AND $2::text IS DISTINCT FROM 'incoming'
       ) r
        WHERE ($3::text IS NULL OR status = $3) AND ($4::text IS NULL OR id < $4)
        ORDER BY id DESC LIMIT $5`,
      [userId, q.direction ?? null, q.status ?? null, q.startingAfter ?? null, q.limit],
    );
    return Promise.all(rows.map(toRequest));
  }

  /**
   * A payment out of a user's wallet that another module books (a merchant invoice), made
   * inside that module's transaction: the payer's profile lock (shared, so a freeze waits
   * for it and stops every later one) and the limit counters in one round trip, then the
   * freeze and the tier's limits, exactly as `move` checks a payment to another user. The
   * lock and the consumed usage are held until the caller's transaction ends; a refusal
   * rolls back only what this call wrote, and the caller must roll back the rest.
   */
  async function authorizeSpend(
    userId: string,
    assetCode: string,
    amount: bigint,
  ): Promise<{ ok: true; accountId: string } | WalletFailure> {
    const asset = await ctx.asset(assetCode);
    if (!asset) return fail(WalletError.LimitNotConfigured, { param: 'asset' });
    return ctx.tx(async () => {
      const { profiles, accounts, counted } = await ctx.lockProfilesAccountsAndLimits(
        [userId],
        userId,
        asset,
        amount,
      );
      const profile = profiles.get(userId);
      if (!profile) throw new Error('payer profile vanished');
      if (profile.frozen)
        refuse(WalletError.AccountFrozen, 'Your wallet is frozen; contact support');
      await ctx.consumeLimits(profile, asset, amount, counted);
      const [accountId] = accounts;
      if (!accountId) throw new Error('payer account not opened');
      return { ok: true as const, accountId };
    });
  }

  return {
    pay,
    authorizeSpend,
    getPayment,
    listPayments,
    requestPayment,
    payRequest,
    declineRequest: (userId: string, id: string) => resolveRequest(userId, id, 'declined'),
    cancelRequest: (userId: string, id: string) => resolveRequest(userId, id, 'cancelled'),
    getRequest,
    listRequests,
  };
}

export type Payments = ReturnType<typeof createPayments>;
