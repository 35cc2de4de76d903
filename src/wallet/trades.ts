import { LedgerError } from '../ledger/errors.js';
import type { Asset, HouseAccount, Leg } from '../ledger/model.js';
import { invertRate, type Rate } from '../ledger/money.js';
import { embed, prepared, SQLSTATE, sqlState } from '../platform/db/db.js';
import { newId } from '../platform/ids.js';
import { fail, isFailure, rollback } from '../platform/failure.js';
import { WalletError, type WalletFailure } from './errors.js';
import {
  AlreadyDone,
  alreadyDone,
  refuse,
  type NewActivity,
  type WalletContext,
} from './internal.js';
import { tradeJson } from './json.js';
import type { Quote, TradeSide } from './model.js';
import type { ObservedPrice } from './prices/source.js';
import { computeQuote, type QuoteMode } from './quote-math.js';
import { TIERS, type Tier } from './settings.js';

export interface QuoteInput {
  userId: string;
  /** Asset spent. */
  from: string;
  /** Asset received. */
  to: string;
  /** Total to spend, fee included (decimal string); or give `receiveAmount`. */
  spendAmount?: string | undefined;
  /** Exact amount to receive (decimal string); or give `spendAmount`. */
  receiveAmount?: string | undefined;
  /**
   * The caller's idempotency key (the HTTP `Idempotency-Key`), stored with the quote: the
   * same key again answers that quote (`replayed`), however late; with another request,
   * `idempotency_conflict`.
   */
  requestKey?: string | undefined;
}

export type QuoteResult = { ok: true; quote: Quote; replayed: boolean } | WalletFailure;
export type ExecuteResult = { ok: true; quote: Quote; replayed: boolean } | WalletFailure;

interface QuoteRow {
  id: string;
  user_id: string;
  side: TradeSide;
  mode: QuoteMode;
  spend_asset: string;
  receive_asset: string;
  spend_amount: string;
  receive_amount: string;
  fee_amount: string;
  cost_amount: string;
  residue_amount: string;
  rate_numerator: string;
  rate_denominator: string;
  mid_numerator: string;
  mid_denominator: string;
  spread_bps: number;
  fee_bps: number;
  price_source: string;
  price_observed_at: Date;
  status: 'open' | 'executed';
  request_key: string | null;
  trade_id: string;
  ledger_transaction_id: string | null;
  created_at: Date;
  expires_at: Date;
  executed_at: Date | null;
}

const QUOTE_COLUMNS = `id, user_id, side, mode, spend_asset, receive_asset,
  spend_amount::text AS spend_amount, receive_amount::text AS receive_amount,
  fee_amount::text AS fee_amount, cost_amount::text AS cost_amount,
  residue_amount::text AS residue_amount, rate_numerator::text AS rate_numerator,
  rate_denominator::text AS rate_denominator, mid_numerator::text AS mid_numerator,
  mid_denominator::text AS mid_denominator, spread_bps, fee_bps, price_source,
  price_observed_at, status, request_key, trade_id, ledger_transaction_id, created_at, expires_at,
  executed_at`;

function sideOf(from: Asset, to: Asset): TradeSide | undefined {
  if (from.kind === 'fiat' && to.kind === 'crypto') return 'buy';
  if (from.kind === 'crypto' && to.kind === 'fiat') return 'sell';
  if (from.kind === 'crypto' && to.kind === 'crypto') return 'convert';
  return undefined;
}

export function createTrades(ctx: WalletContext) {
  const { db, ledger, prices, settings } = ctx.deps;

  async function toQuote(r: QuoteRow): Promise<Quote> {
    const spend = BigInt(r.spend_amount);
    const receive = BigInt(r.receive_amount);
    const fee = BigInt(r.fee_amount);
    const expired = r.status === 'open' && ctx.clock() >= r.expires_at;
    return {
      id: r.id,
      userId: r.user_id,
      side: r.side,
      mode: r.mode,
      spendAsset: r.spend_asset,
      receiveAsset: r.receive_asset,
      spendAmount: spend,
      receiveAmount: receive,
      feeAmount: fee,
      costAmount: BigInt(r.cost_amount),
      residueAmount: BigInt(r.residue_amount),
      spendDecimal: await ctx.format(r.spend_asset, spend),
      receiveDecimal: await ctx.format(r.receive_asset, receive),
      feeDecimal: await ctx.format(r.spend_asset, fee),
      rate: { numerator: BigInt(r.rate_numerator), denominator: BigInt(r.rate_denominator) },
      mid: { numerator: BigInt(r.mid_numerator), denominator: BigInt(r.mid_denominator) },
      spreadBps: r.spread_bps,
      feeBps: r.fee_bps,
      priceSource: r.price_source,
      priceObservedAt: r.price_observed_at,
      status: expired ? 'expired' : r.status,
      tradeId: r.trade_id,
      ledgerTransactionId: r.ledger_transaction_id,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
      executedAt: r.executed_at,
    };
  }

  /** One price from the source, refused when unknown, unavailable or too old. */
  async function observe(
    base: string,
    quote: string,
  ): Promise<{ ok: true; price: ObservedPrice } | WalletFailure> {
    const r = await prices.price(base, quote);
    if (!r.ok) {
      return r.code === 'pair_unknown'
        ? fail(WalletError.PairNotSupported, {
            message: `No price for ${base}-${quote} from the ${prices.name} source`,
            param: 'to',
          })
        : fail(WalletError.PriceUnavailable, { message: r.message });
    }
    const ageMs = ctx.clock().getTime() - r.price.observedAt.getTime();
    if (ageMs > settings.priceMaxAgeSeconds * 1000) {
      return fail(WalletError.PriceStale, {
        message: `The ${base}-${quote} price is ${Math.round(ageMs / 1000)} s old; quotes need one at most ${settings.priceMaxAgeSeconds} s old`,
      });
    }
    return r;
  }

  /** The mid rate as whole `to` units per whole `from` unit, with its observation time. */
  async function midRate(
    from: Asset,
    to: Asset,
    side: TradeSide,
  ): Promise<{ ok: true; mid: Rate; observedAt: Date; source: string } | WalletFailure> {
    if (side === 'buy') {
      const p = await observe(to.code, from.code);
      if (!p.ok) return p;
      return {
        ok: true,
        mid: invertRate(p.price.mid),
        observedAt: p.price.observedAt,
        source: p.price.source,
      };
    }
    if (side === 'sell') {
      const p = await observe(from.code, to.code);
      if (!p.ok) return p;
      return { ok: true, mid: p.price.mid, observedAt: p.price.observedAt, source: p.price.source };
    }
    const ref = settings.priceReference;
    const a = await observe(from.code, ref);
    if (!a.ok) return a;
    const b = await observe(to.code, ref);
    if (!b.ok) return b;
    // (ref per from) / (ref per to) = to per from.
    return {
      ok: true,
      mid: {
        numerator: a.price.mid.numerator * b.price.mid.denominator,
        denominator: a.price.mid.denominator * b.price.mid.numerator,
      },
      observedAt: a.price.observedAt < b.price.observedAt ? a.price.observedAt : b.price.observedAt,
      source: a.price.source,
    };
  }

  /**
   * A quote made with an Idempotency-Key answers it again for the same request, even
   * where quoting now would be refused (the price moved, the money was spent); the key
   * with another request is a conflict. Undefined when the key is unused.
   */
  async function quoteReplay(input: QuoteInput, key: string): Promise<QuoteResult | undefined> {
    const { rows } = await db.query<QuoteRow>(
      `SELECT ${QUOTE_COLUMNS} FROM wallet_quotes WHERE user_id = $1 AND request_key = $2`,
      [input.userId, key],
    );
    const prior = rows[0];
    if (!prior) return undefined;
    const spendMode = input.spendAmount !== undefined;
    const amount = await ctx.parseAmount(
      spendMode ? input.from : input.to,
      (spendMode ? input.spendAmount : input.receiveAmount) ?? '',
    );
    const same =
      (await ctx.asset(input.from))?.code === prior.spend_asset &&
      (await ctx.asset(input.to))?.code === prior.receive_asset &&
      prior.mode === (spendMode ? 'spend' : 'receive') &&
      amount.ok &&
      amount.amount === BigInt(spendMode ? prior.spend_amount : prior.receive_amount);
    if (!same) {
      return fail(WalletError.IdempotencyConflict, {
        message: 'This Idempotency-Key was already used for a different quote',
        param: 'Idempotency-Key',
      });
    }
    return { ok: true, quote: await toQuote(prior), replayed: true };
  }

  async function createQuote(input: QuoteInput): Promise<QuoteResult> {
    const key = input.requestKey;
    if (key === undefined) return newQuote(input);
    let r: QuoteResult | undefined;
    try {
      r = await newQuote(input);
    } catch (err) {
      // The same key at the same moment: the other request's quote holds the key's index.
      if (sqlState(err) !== SQLSTATE.uniqueViolation) throw err;
    }
    // No quote made (the key's index, or a refusal): the key's first use answers, if any.
    if (r?.ok) return r;
    const replay = await quoteReplay(input, key);
    if (replay) return replay;
    if (!r) throw new Error('quote neither made nor found under its key');
    return r;
  }

  async function newQuote(input: QuoteInput): Promise<QuoteResult> {
    const hasSpend = input.spendAmount !== undefined;
    if (hasSpend === (input.receiveAmount !== undefined)) {
      return fail(WalletError.AmountBothOrNeither, {
        message: 'Give exactly one of spend_amount and receive_amount',
        param: 'spend_amount',
      });
    }
    const from = await ctx.asset(input.from);
    if (!from)
      return fail(LedgerError.UnknownAsset, { message: `No asset ${input.from}`, param: 'from' });
    const to = await ctx.asset(input.to);
    if (!to)
      return fail(LedgerError.UnknownAsset, { message: `No asset ${input.to}`, param: 'to' });
    const side = from.code === to.code ? undefined : sideOf(from, to);
    if (!side) {
      return fail(WalletError.PairNotSupported, {
        message: `${from.code} cannot be traded for ${to.code}`,
        param: 'to',
      });
    }
    const mode: QuoteMode = hasSpend ? 'spend' : 'receive';
    const parsed = await ctx.parseAmount(
      hasSpend ? from.code : to.code,
      (hasSpend ? input.spendAmount : input.receiveAmount) ?? '',
      hasSpend ? 'spend_amount' : 'receive_amount',
    );
    if (!parsed.ok) return parsed;

    // Two independent reads, side by side (neither is a lock: execution decides).
    const [{ rows: profileRows }, account] = await Promise.all([
      db.query<{ frozen: boolean; tier: Tier }>(
        prepared('SELECT frozen, tier FROM wallet_profiles WHERE user_id = $1'),
        [input.userId],
      ),
      ledger.findAccount(input.userId, from.code),
    ]);
    const profile = profileRows[0] ?? { frozen: false, tier: TIERS[0] };
    if (profile.frozen) {
      return fail(WalletError.AccountFrozen, { message: 'Your wallet is frozen; contact support' });
    }

    const mid = await midRate(from, to, side);
    if (!mid.ok) return mid;
    const math = computeQuote(
      {
        spendScale: from.scale,
        receiveScale: to.scale,
        mid: mid.mid,
        spreadBps: settings.spreadBps,
        feeBps: settings.feeBps,
      },
      mode,
      parsed.amount,
    );
    if (isFailure(math)) {
      return fail(WalletError.AmountTooSmall, {
        message: math.message,
        param: hasSpend ? 'spend_amount' : 'receive_amount',
      });
    }
    const a = math.amounts;

    // Early answers for the user; execution checks all of it again, atomically.
    const limits = ctx.limitsOf(profile.tier, from);
    if (!limits) {
      return fail(WalletError.LimitNotConfigured, {
        message: `${from.code} cannot be spent at your tier: no limits are configured for it`,
        param: 'from',
      });
    }
    if (a.spend > limits.perTransaction) {
      return fail(WalletError.AmountAboveLimit, {
        message: `The per-transaction limit is ${await ctx.format(from.code, limits.perTransaction)} ${from.code}`,
        param: hasSpend ? 'spend_amount' : 'receive_amount',
      });
    }
    const available = account?.balance.available ?? 0n;
    if (available < a.spend) {
      return fail(LedgerError.InsufficientFunds, {
        message: `Insufficient funds: ${await ctx.format(from.code, available)} ${from.code} available, the quote needs ${await ctx.format(from.code, a.spend)}`,
        param: hasSpend ? 'spend_amount' : 'receive_amount',
      });
    }

    const now = ctx.clock();
    const { rows } = await db.query<QuoteRow>(
      prepared(
        `INSERT INTO wallet_quotes (id, user_id, side, mode, spend_asset, receive_asset, spend_amount,
         receive_amount, fee_amount, cost_amount, residue_amount, rate_numerator, rate_denominator,
         mid_numerator, mid_denominator, spread_bps, fee_bps, price_source, price_observed_at,
         trade_id, created_at, expires_at, request_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
               $19, $20, $21, $22, $23)
       RETURNING ${QUOTE_COLUMNS}`,
      ),
      [
        newId('quo'),
        input.userId,
        side,
        mode,
        from.code,
        to.code,
        a.spend.toString(),
        a.receive.toString(),
        a.fee.toString(),
        a.cost.toString(),
        a.residue.toString(),
        a.rate.numerator.toString(),
        a.rate.denominator.toString(),
        mid.mid.numerator.toString(),
        mid.mid.denominator.toString(),
        settings.spreadBps,
        settings.feeBps,
        mid.source,
        mid.observedAt,
        newId('trd'),
        now,
        new Date(now.getTime() + settings.quoteTtlSeconds * 1000),
        input.requestKey ?? null,
      ],
    );
    if (!rows[0]) throw new Error('quote not inserted');
    return { ok: true, quote: await toQuote(rows[0]), replayed: false };
  }

  async function quoteRow(id: string, lock: boolean): Promise<QuoteRow | undefined> {
    const { rows } = await db.query<QuoteRow>(
      prepared(
        `SELECT ${QUOTE_COLUMNS} FROM wallet_quotes WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
      ),
      [id],
    );
    return rows[0];
  }

  /** The ledger legs of a trade: balanced per asset, zero legs left out. */
  function legsOf(
    q: QuoteRow,
    a: {
      userSpend: string;
      userReceive: string;
      fees: string;
      liquiditySpend: string;
      rounding: string;
      liquidityReceive: string;
    },
  ): Leg[] {
    const S = q.spend_asset;
    const R = q.receive_asset;
    const legs: Leg[] = [
      { accountId: a.userSpend, asset: S, direction: 'debit', amount: BigInt(q.spend_amount) },
      { accountId: a.fees, asset: S, direction: 'credit', amount: BigInt(q.fee_amount) },
      { accountId: a.liquiditySpend, asset: S, direction: 'credit', amount: BigInt(q.cost_amount) },
      { accountId: a.rounding, asset: S, direction: 'credit', amount: BigInt(q.residue_amount) },
      {
        accountId: a.liquidityReceive,
        asset: R,
        direction: 'debit',
        amount: BigInt(q.receive_amount),
      },
      { accountId: a.userReceive, asset: R, direction: 'credit', amount: BigInt(q.receive_amount) },
    ];
    return legs.filter((l) => l.amount > 0n);
  }

  // House accounts' ids by `${kind}:${asset}`, as the ledger last gave them (never
  // deleted). Only the one-statement path uses them, as a proposal: the ledger's own
  // statement refuses an account that is not there, and the full path reads them again.
  const houseIds = new Map<string, string>();
  async function houseAccountId(kind: HouseAccount, asset: string): Promise<string | undefined> {
    const cached = houseIds.get(`${kind}:${asset}`);
    if (cached !== undefined) return cached;
    const r = await ledger.houseAccount(kind, asset);
    if (!r.ok) return undefined;
    houseIds.set(`${kind}:${asset}`, r.account.id);
    return r.account.id;
  }

  /** The ledger posting of a quote's trade, and what is written with it. */
  async function tradePosting(q: QuoteRow, legs: Leg[], now: Date) {
    const receiveDecimal = await ctx.format(q.receive_asset, BigInt(q.receive_amount));
    const posting = {
      key: `wallet:trade:${q.id}`,
      legs,
      description: `${q.side} ${receiveDecimal} ${q.receive_asset}`,
      metadata: { wallet: 'trade', quote: q.id, trade: q.trade_id, user: q.user_id },
      effectiveAt: now,
    };
    const activity = (quote: Quote, ledgerTransactionId: string): NewActivity[] => {
      const common = {
        userId: q.user_id,
        type: 'trade' as const,
        referenceId: q.trade_id,
        counterpartyId: null,
        description: posting.description,
        ledgerTransactionId,
        occurredAt: now,
      };
      return [
        { ...common, asset: q.spend_asset, amount: -quote.spendAmount },
        { ...common, asset: q.receive_asset, amount: quote.receiveAmount },
      ];
    };
    return { posting, activity };
  }

  /**
   * The common case of `executeQuote` in one autocommitted statement: the quote, still
   * open and unexpired, is marked executed as the statement's first lock
   * (migrations/wallet/0127), then the profile lock and limit counters as a payment
   * takes them (`paymentGuard`), then the ledger posting with the activity and the
   * event. Null when anything is not plain (expired, executed, raced, frozen, limits,
   * funds, an account not yet recorded): nothing was written and the full path answers.
   */
  async function fastExecute(q: QuoteRow): Promise<Quote | null> {
    if (db.inTransaction()) return null;
    const now = ctx.clock();
    if (now >= q.expires_at) return null;
    const spendAsset = await ctx.asset(q.spend_asset);
    const [userSpend] = ctx.knownAccounts([q.user_id], q.spend_asset) ?? [];
    const [userReceive] = ctx.knownAccounts([q.user_id], q.receive_asset) ?? [];
    if (!spendAsset || userSpend === undefined || userReceive === undefined) return null;
    const fees = await houseAccountId('fees', q.spend_asset);
    const liquiditySpend = await houseAccountId('liquidity', q.spend_asset);
    const rounding = await houseAccountId('rounding', q.spend_asset);
    const liquidityReceive = await houseAccountId('liquidity', q.receive_asset);
    if (!fees || !liquiditySpend || !rounding || !liquidityReceive) return null;
    const legs = legsOf(q, {
      userSpend,
      userReceive,
      fees,
      liquiditySpend,
      rounding,
      liquidityReceive,
    });
    const { posting, activity } = await tradePosting(q, legs, now);
    const spend = BigInt(q.spend_amount);
    const guard = ctx.paymentGuard([q.user_id], [userSpend], q.user_id, spendAsset, spend);
    // The answer as it will stand, but for the ledger transaction's id (formatted now:
    // the statement's parts are built synchronously).
    const base = await toQuote({ ...q, status: 'executed', executed_at: now });
    const executed = (ledgerTransactionId: string): Quote => ({ ...base, ledgerTransactionId });
    const t = await ledger.postGuarded(posting, {
      guard: (posted) => {
        const claim = [
          q.id,
          q.user_id,
          q.spend_asset,
          q.receive_asset,
          q.spend_amount,
          q.receive_amount,
          now,
          posted.transactionId,
          userReceive,
        ];
        return {
          sql: `SELECT CASE WHEN (SELECT wallet_claim_quote($1, $2, $3, $4, $5::numeric,
                                      $6::numeric, $7::timestamptz, $8, $9))
                       THEN (${embed(guard, claim.length)}) ELSE false END`,
          params: [...claim, ...guard.params],
        };
      },
      alongside: (posted) => {
        const quote = executed(posted.transactionId);
        return [
          ctx.activityStatement(activity(quote, posted.transactionId), 'posted'),
          ctx.eventStatement('trade.executed', q.trade_id, tradeJson(quote), 'posted'),
        ];
      },
    });
    return t ? executed(t.id) : null;
  }

  /**
   * Executes a quote once. The quote row, locked first, decides: concurrent calls queue
   * on it and, after the first commits, find it executed and answer the same trade. An
   * expired quote, or one the user cannot afford, moves nothing and stays as it was.
   */
  async function executeQuote(userId: string, quoteId: string): Promise<ExecuteResult> {
    const seen = await quoteRow(quoteId, false);
    if (!seen || seen.user_id !== userId) {
      return fail(WalletError.QuoteNotFound, { message: `No quote ${quoteId}`, param: 'id' });
    }
    if (seen.status === 'executed') return { ok: true, quote: await toQuote(seen), replayed: true };
    const fast = await fastExecute(seen);
    if (fast) return { ok: true, quote: fast, replayed: false };
    const r = await ctx.tx(async (): Promise<Quote | WalletFailure | AlreadyDone<QuoteRow>> => {
      const q = await quoteRow(quoteId, true);
      if (!q) throw new Error(`quote ${quoteId} vanished`);
      if (q.status === 'executed') alreadyDone(q);
      const now = ctx.clock();
      if (now >= q.expires_at) {
        refuse(
          WalletError.QuoteExpired,
          `The quote expired at ${q.expires_at.toISOString()}; ask for a new one`,
          'id',
        );
      }
      const spendAsset = await ctx.asset(q.spend_asset);
      if (!spendAsset) throw new Error(`asset ${q.spend_asset} vanished`);
      const spend = BigInt(q.spend_amount);
      // The profile lock, the spending account (recorded) and the limit counters in one
      // round trip; then the receiving account, recorded too, so that the user's next
      // trade can take the one-statement path.
      const { profiles, accounts, counted } = await ctx.lockProfilesAccountsAndLimits(
        [userId],
        userId,
        spendAsset,
        spend,
      );
      const profile = profiles.get(userId);
      if (!profile) throw new Error('profile vanished');
      if (profile.frozen)
        refuse(WalletError.AccountFrozen, 'Your wallet is frozen; contact support');
      await ctx.consumeLimits(profile, spendAsset, spend, counted);
      const [userSpend] = accounts;
      if (userSpend === undefined) throw new Error('spending account not opened');
      const [userReceive] = await ctx.recordedAccounts([userId], q.receive_asset);
      if (userReceive === undefined) throw new Error('receiving account not opened');
      // Read again (and remembered for the one-statement path).
      const house = async (kind: HouseAccount, asset: string) => {
        const id = await ctx.houseAccount(kind, asset);
        houseIds.set(`${kind}:${asset}`, id);
        return id;
      };
      const legs = legsOf(q, {
        userSpend,
        userReceive,
        fees: await house('fees', q.spend_asset),
        liquiditySpend: await house('liquidity', q.spend_asset),
        rounding: await house('rounding', q.spend_asset),
        liquidityReceive: await house('liquidity', q.receive_asset),
      });
      const { posting, activity } = await tradePosting(q, legs, now);
      const posted = await ledger.post(posting);
      if (!posted.ok) return rollback(await ctx.fromLedger(posted, userSpend));
      if (posted.replayed) {
        throw new Error(`quote ${q.id} was posted to the ledger but is not marked executed`);
      }
      const { rows } = await db.query<QuoteRow>(
        `UPDATE wallet_quotes SET status = 'executed', executed_at = $2, ledger_transaction_id = $3
            WHERE id = $1 RETURNING ${QUOTE_COLUMNS}`,
        [q.id, now, posted.transaction.id],
      );
      if (!rows[0]) throw new Error(`quote ${q.id} vanished`);
      const quote = await toQuote(rows[0]);
      await ctx.addActivity(activity(quote, posted.transaction.id));
      await ctx.publish('trade.executed', q.trade_id, tradeJson(quote));
      return quote;
    });
    if (r instanceof AlreadyDone)
      return { ok: true, quote: await toQuote(r.value), replayed: true };
    if (isFailure(r)) return r;
    return { ok: true, quote: r, replayed: false };
  }

  async function getQuote(userId: string, id: string): Promise<Quote | undefined> {
    const row = await quoteRow(id, false);
    return row && row.user_id === userId ? toQuote(row) : undefined;
  }

  async function getTrade(userId: string, tradeId: string): Promise<Quote | undefined> {
    const { rows } = await db.query<QuoteRow>(
      `SELECT ${QUOTE_COLUMNS} FROM wallet_quotes
        WHERE user_id = $1 AND trade_id = $2 AND status = 'executed'`,
      [userId, tradeId],
    );
    return rows[0] ? toQuote(rows[0]) : undefined;
  }

  /** Executed quotes (trades), newest first; `startingAfter` is a trade id. */
  async function listTrades(
    userId: string,
    q: { limit: number; startingAfter?: string | undefined },
  ): Promise<Quote[]> {
    const { rows } = await db.query<QuoteRow>(
      `SELECT ${QUOTE_COLUMNS} FROM wallet_quotes
        WHERE user_id = $1 AND status = 'executed' AND ($2::text IS NULL OR trade_id < $2)
        ORDER BY trade_id DESC LIMIT $3`,
      [userId, q.startingAfter ?? null, q.limit],
    );
    return Promise.all(rows.map(toQuote));
  }

  return { createQuote, executeQuote, getQuote, getTrade, listTrades };
}

export type Trades = ReturnType<typeof createTrades>;
