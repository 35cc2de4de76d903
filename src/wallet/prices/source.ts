import { parseRate, type Rate } from '../../ledger/money.js';
import { fail, type Failure } from '../../platform/failure.js';
import type { StaticPrices } from '../settings.js';

/**
 * Where quote prices come from. A source answers mid prices and says when it observed
 * them; deciding whether a price is too old to quote is the caller's (the wallet refuses
 * a price older than `VW_WALLET_PRICE_MAX_AGE_SECONDS`), so no source can hide staleness.
 */
export interface PriceSource {
  readonly name: string;
  /** How many whole `quote` one whole `base` is worth (`price('BTC', 'USD')`). */
  price(base: string, quote: string): Promise<PriceResult>;
}

export interface ObservedPrice {
  base: string;
  quote: string;
  /** Mid-market price, exact: whole `quote` units per whole `base` unit. */
  mid: Rate;
  /** When the source observed it (the exchange's own timestamp where it gives one). */
  observedAt: Date;
  source: string;
}

export type PriceError =
  /** The source does not list this pair. */
  | 'pair_unknown'
  /** The source failed, timed out or answered something we could not trust. */
  | 'source_unavailable';

/** A source's refusal: the code and a sentence saying what went wrong. */
export type PriceFailure = Failure<PriceError> & { readonly message: string };

export function priceFailure(code: PriceError, message: string): PriceFailure {
  return fail(code, { message }) as PriceFailure;
}

export type PriceResult = { ok: true; price: ObservedPrice } | PriceFailure;

/**
 * Fixed prices from configuration (`VW_WALLET_STATIC_PRICES`), for development, tests
 * and deployments that set prices by hand. They are observed "now" on every call:
 * whoever configured them vouches for them.
 */
export function createStaticPriceSource(
  prices: StaticPrices,
  clock: () => Date = () => new Date(),
): PriceSource {
  const table = new Map<string, Rate>();
  for (const [pair, text] of Object.entries(prices)) {
    const r = parseRate(text);
    if (!r.ok) throw new RangeError(`static price ${pair}: ${r.message}`);
    table.set(pair, r.value);
  }
  return {
    name: 'static',
    price(base, quote) {
      const mid = table.get(`${base}-${quote}`);
      if (!mid) {
        return Promise.resolve(
          priceFailure('pair_unknown', `No static price for ${base}-${quote}`),
        );
      }
      return Promise.resolve({
        ok: true,
        price: { base, quote, mid, observedAt: clock(), source: 'static' },
      });
    },
  };
}

/**
 * Shares one fetch per pair among concurrent callers and reuses an answer for `ttlMs`,
 * so a burst of quotes costs the exchange one request. Failures are not cached.
 */
export function cachedPriceSource(
  source: PriceSource,
  options: { ttlMs: number; clock?: () => number },
): PriceSource {
  const clock = options.clock ?? Date.now;
  const cache = new Map<string, { at: number; result: Promise<PriceResult> }>();
  return {
    name: source.name,
    price(base, quote) {
      const key = `${base}-${quote}`;
      const hit = cache.get(key);
      if (hit && clock() - hit.at < options.ttlMs) return hit.result;
      const result = source.price(base, quote).then((r) => {
        if (!r.ok) cache.delete(key);
        return r;
      });
      cache.set(key, { at: clock(), result });
      return result;
    },
  };
}
