import { LedgerError } from '../ledger/errors.js';
import type { Asset, Leg } from '../ledger/model.js';
import { invertRate, type Rate } from '../ledger/money.js';
import { newId } from '../platform/ids.js';
import { fail, isFailure, rollback } from '../platform/failure.js';
import { WalletError, type WalletFailure } from './errors.js';
import { AlreadyDone, alreadyDone, refuse, type WalletContext } from './internal.js';
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
}

export type QuoteResult = { ok: true; quote: Quote } | WalletFailure;
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
  price_observed_at, status, trade_id, ledger_transaction_id, created_at, expires_at, executed_at`;

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

  async function createQuote(input: QuoteInput): Promise<QuoteResult> {
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

    const { rows: profileRows } = await db.query<{ frozen: boolean; tier: Tier }>(
      'SELECT frozen, tier FROM wallet_profiles WHERE user_id = $1',
      [input.userId],
    );
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
    const account = await ledger.findAccount(input.userId, from.code);
    const available = account?.balance.available ?? 0n;
    if (available < a.spend) {
      return fail(LedgerError.InsufficientFunds, {
        message: `Insufficient funds: ${await ctx.format(from.code, available)} ${from.code} available, the quote needs ${await ctx.format(from.code, a.spend)}`,
        param: hasSpend ? 'spend_amount' : 'receive_amount',
      });
    }

    const now = ctx.clock();
    const { rows } = await db.query<QuoteRow>(
      `INSERT INTO wallet_quotes (id, user_id, side, mode, spend_asset, receive_asset, spend_amount,
         receive_amount, fee_amount, cost_amount, residue_amount, rate_numerator, rate_denominator,
         mid_numerator, mid_denominator, spread_bps, fee_bps, price_source, price_observed_at,
         trade_id, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
               $19, $20, $21, $22)
       RETURNING ${QUOTE_COLUMNS}`,
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
      ],
    );
    if (!rows[0]) throw new Error('quote not inserted');
    return { ok: true, quote: await toQuote(rows[0]) };
  }

  async function quoteRow(id: string, lock: boolean): Promise<QuoteRow | undefined> {
    const { rows } = await db.query<QuoteRow>(
      `SELECT ${QUOTE_COLUMNS} FROM wallet_quotes WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return rows[0];
  }

  /** The ledger legs of a trade: balanced per asset, zero legs left out. */
  async function legsOf(q: QuoteRow): Promise<{ legs: Leg[]; userSpend: string }> {
    // Sequential: inside a transaction, calls share one connection.
    const userSpend = await ctx.userAccount(q.user_id, q.spend_asset);
    const userReceive = await ctx.userAccount(q.user_id, q.receive_asset);
    const fees = await ctx.houseAccount('fees', q.spend_asset);
    const liquiditySpend = await ctx.houseAccount('liquidity', q.spend_asset);
    const rounding = await ctx.houseAccount('rounding', q.spend_asset);
    const liquidityReceive = await ctx.houseAccount('liquidity', q.receive_asset);
    const S = q.spend_asset;
    const R = q.receive_asset;
    const legs: Leg[] = [
      { accountId: userSpend, asset: S, direction: 'debit', amount: BigInt(q.spend_amount) },
      { accountId: fees, asset: S, direction: 'credit', amount: BigInt(q.fee_amount) },
      { accountId: liquiditySpend, asset: S, direction: 'credit', amount: BigInt(q.cost_amount) },
      { accountId: rounding, asset: S, direction: 'credit', amount: BigInt(q.residue_amount) },
      {
        accountId: liquidityReceive,
        asset: R,
        direction: 'debit',
        amount: BigInt(q.receive_amount),
      },
      { accountId: userReceive, asset: R, direction: 'credit', amount: BigInt(q.receive_amount) },
    ];
    return { legs: legs.filter((l) => l.amount > 0n), userSpend };
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
      const profiles = await ctx.lockProfiles([userId]);
      const profile = profiles.get(userId);
      if (!profile) throw new Error('profile vanished');
      if (profile.frozen)
        refuse(WalletError.AccountFrozen, 'Your wallet is frozen; contact support');
      const spendAsset = await ctx.asset(q.spend_asset);
      if (!spendAsset) throw new Error(`asset ${q.spend_asset} vanished`);
      await ctx.consumeLimits(profile, spendAsset, BigInt(q.spend_amount));

      const { legs, userSpend } = await legsOf(q);
      const receiveDecimal = await ctx.format(q.receive_asset, BigInt(q.receive_amount));
      const posted = await ledger.post({
        key: `wallet:trade:${q.id}`,
        legs,
        description: `${q.side} ${receiveDecimal} ${q.receive_asset}`,
        metadata: { wallet: 'trade', quote: q.id, trade: q.trade_id, user: userId },
        effectiveAt: now,
      });
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
      const common = {
        userId,
        type: 'trade' as const,
        referenceId: q.trade_id,
        counterpartyId: null,
        description: posted.transaction.description,
        ledgerTransactionId: posted.transaction.id,
        occurredAt: now,
      };
      await ctx.addActivity([
        { ...common, asset: q.spend_asset, amount: -quote.spendAmount },
        { ...common, asset: q.receive_asset, amount: quote.receiveAmount },
      ]);
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
