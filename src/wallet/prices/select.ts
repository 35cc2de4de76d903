import type { PriceSourceName, StaticPrices } from '../settings.js';
import { createCoinbasePriceSource } from './coinbase.js';
import { cachedPriceSource, createStaticPriceSource, type PriceSource } from './source.js';

/** The configured price source; exchange answers are shared for a second. */
export function createPriceSource(options: {
  source: PriceSourceName;
  staticPrices: StaticPrices;
  url: string;
  timeoutMs: number;
  userAgent: string;
  clock: () => Date;
}): PriceSource {
  switch (options.source) {
    case 'static':
      return createStaticPriceSource(options.staticPrices, options.clock);
    case 'coinbase':
      return cachedPriceSource(
        createCoinbasePriceSource({
          baseUrl: options.url,
          timeoutMs: options.timeoutMs,
          userAgent: options.userAgent,
        }),
        { ttlMs: 1000, clock: () => options.clock().getTime() },
      );
  }
}
