import { z } from 'zod';
import { parseRate, type Rate } from '../../ledger/money.js';
import { priceFailure, type PriceResult, type PriceSource } from './source.js';

/**
 * The Coinbase Exchange public ticker (no API key): `GET /products/BTC-USD/ticker`
 * answers the best bid and ask and the exchange's own time:
 *
 * ```json
 * {"ask":"65012.34","bid":"65010.01","volume":"8123.5","trade_id":73400512,
 *  "price":"65011.00","size":"0.0021","time":"2025-01-15T10:30:00.123456Z","rfq_volume":"1.2"}
 * ```
 *
 * The mid price is (bid + ask) / 2, kept exact; `time` is the observation time, so a
 * ticker that stopped moving is seen as stale by the caller. Anything unexpected (a
 * crossed book, a missing field, a non-JSON body, a timeout, a 5xx or a 429) is
 * `source_unavailable`; an unlisted product (404) is `pair_unknown`.
 */

export interface CoinbaseOptions {
  /** `https://api.exchange.coinbase.com` in production; a replay server in tests. */
  baseUrl: string;
  timeoutMs: number;
  /** Our asset code → Coinbase currency id, where they differ. */
  symbols?: Readonly<Record<string, string>>;
  userAgent?: string;
  fetch?: typeof fetch;
}

const decimal = z.string().regex(/^(0|[1-9][0-9]*)(\.[0-9]+)?$/);
const TickerSchema = z.object({ bid: decimal, ask: decimal, time: z.string().min(1) });

const MAX_BODY_CHARS = 64 * 1024;

function midOf(bid: Rate, ask: Rate): Rate {
  return {
    numerator: bid.numerator * ask.denominator + ask.numerator * bid.denominator,
    denominator: 2n * bid.denominator * ask.denominator,
  };
}

export function createCoinbasePriceSource(options: CoinbaseOptions): PriceSource {
  const doFetch = options.fetch ?? fetch;
  const base = options.baseUrl.replace(/\/+$/, '');
  const symbol = (code: string) => options.symbols?.[code] ?? code;
  const unavailable = (message: string): PriceResult =>
    priceFailure('source_unavailable', `Coinbase: ${message}`);

  return {
    name: 'coinbase',
    async price(baseCode, quoteCode) {
      const product = `${symbol(baseCode)}-${symbol(quoteCode)}`;
      if (!/^[A-Z0-9]{2,16}-[A-Z0-9]{2,16}$/.test(product)) {
        return priceFailure('pair_unknown', `Coinbase has no product ${product}`);
      }
      let res: Response;
      let text: string;
      try {
        res = await doFetch(`${base}/products/${product}/ticker`, {
          headers: {
            accept: 'application/json',
            'user-agent': options.userAgent ?? 'vaultwire',
          },
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        text = await res.text();
      } catch (err) {
        const e = err as Error;
        return unavailable(
          e.name === 'TimeoutError' ? `no answer within ${options.timeoutMs} ms` : e.message,
        );
      }
      if (res.status === 404) {
        return priceFailure('pair_unknown', `Coinbase has no product ${product}`);
      }
      if (!res.ok) {
        return unavailable(`HTTP ${res.status} ${text.slice(0, 200)}`);
      }
      if (text.length > MAX_BODY_CHARS) return unavailable('the ticker body is too large');
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return unavailable('the ticker is not JSON');
      }
      const parsed = TickerSchema.safeParse(body);
      if (!parsed.success) return unavailable('the ticker lacks a valid bid, ask or time');
      const bid = parseRate(parsed.data.bid);
      const ask = parseRate(parsed.data.ask);
      if (!bid.ok || !ask.ok) return unavailable('the ticker has a zero bid or ask');
      if (
        bid.value.numerator * ask.value.denominator >
        ask.value.numerator * bid.value.denominator
      ) {
        return unavailable(`the book is crossed (bid ${parsed.data.bid} > ask ${parsed.data.ask})`);
      }
      const observedAt = new Date(parsed.data.time);
      if (Number.isNaN(observedAt.getTime())) {
        return unavailable(`the ticker time ${parsed.data.time} is not a date`);
      }
      return {
        ok: true,
        price: {
          base: baseCode,
          quote: quoteCode,
          mid: midOf(bid.value, ask.value),
          observedAt,
          source: 'coinbase',
        },
      };
    },
  };
}
