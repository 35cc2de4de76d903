import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  COINBASE_RECORDINGS,
  loadRecording,
  startReplayServer,
  type ReplayServer,
} from '../../../test/fixtures/wallet/replay-server.js';
import { createCoinbasePriceSource } from './coinbase.js';
import { cachedPriceSource, createStaticPriceSource } from './source.js';

/**
 * The Coinbase Exchange ticker client against a local server replaying recorded
 * responses of the real API (test/fixtures/wallet/coinbase/), including its errors.
 */

let server: ReplayServer;

beforeAll(async () => {
  server = await startReplayServer(COINBASE_RECORDINGS);
});
afterEach(() => {
  server.reset();
});
afterAll(async () => {
  await server.close();
});

// Generous unless a test is about the timeout: a loaded CI machine answered the first
// request of a run after more than 2 s.
const source = (timeoutMs = 20_000) =>
  createCoinbasePriceSource({ baseUrl: server.url, timeoutMs });

describe('Coinbase ticker client', () => {
  it('parses a recorded ticker: the exact mid of bid and ask, at the exchange’s time', async () => {
    const r = await source().price('BTC', 'USD');
    expect(r).toMatchObject({
      ok: true,
      price: {
        base: 'BTC',
        quote: 'USD',
        observedAt: new Date('2025-01-15T14:02:31.870Z'),
        source: 'coinbase',
      },
    });
    // (96511.02 + 96512.35) / 2 = 96511.685, exactly: no float on the way.
    if (r.ok) expect(r.price.mid.numerator * 1000n).toBe(96_511_685n * r.price.mid.denominator);
  });

  it('an unlisted product is pair_unknown (the API’s 404)', async () => {
    const r = await source().price('DOGE', 'EUR');
    expect(r).toMatchObject({ ok: false, code: 'pair_unknown' });
  });

  it('rate limiting and server errors are source_unavailable, with the status', async () => {
    const limited = loadRecording(COINBASE_RECORDINGS, 'rate-limited.json');
    server.override('/products/BTC-USD/ticker', limited.response);
    const r = await source().price('BTC', 'USD');
    expect(r).toMatchObject({ ok: false, code: 'source_unavailable' });
    if (!r.ok) expect(r.message).toContain('HTTP 429');
    server.override('/products/BTC-USD/ticker', { status: 502, body: '<html>Bad gateway</html>' });
    expect(await source().price('BTC', 'USD')).toMatchObject({ code: 'source_unavailable' });
  });

  it('a slow answer times out as source_unavailable', async () => {
    server.override('/products/ETH-USD/ticker', { delayMs: 1000 });
    const started = Date.now();
    const r = await source(100).price('ETH', 'USD');
    expect(r).toMatchObject({ ok: false, code: 'source_unavailable' });
    if (!r.ok) expect(r.message).toContain('no answer within 100 ms');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it.each([
    ['not JSON', 'upstream connect error'],
    ['no bid', '{"ask":"1.00","time":"2025-01-15T14:02:31Z"}'],
    ['a float bid', '{"bid":1.5,"ask":"1.6","time":"2025-01-15T14:02:31Z"}'],
    ['exponent notation', '{"bid":"1e3","ask":"1001","time":"2025-01-15T14:02:31Z"}'],
    ['a crossed book', '{"bid":"101","ask":"100","time":"2025-01-15T14:02:31Z"}'],
    ['a zero ask', '{"bid":"0","ask":"0","time":"2025-01-15T14:02:31Z"}'],
    ['a bad time', '{"bid":"100","ask":"101","time":"yesterday"}'],
  ])('%s is source_unavailable, never a price', async (_name, body) => {
    server.override('/products/USDC-USD/ticker', { body });
    expect(await source().price('USDC', 'USD')).toMatchObject({
      ok: false,
      code: 'source_unavailable',
    });
  });

  it('a refused connection is source_unavailable', async () => {
    const down = createCoinbasePriceSource({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 1000 });
    expect(await down.price('BTC', 'USD')).toMatchObject({
      ok: false,
      code: 'source_unavailable',
    });
  });

  it('the cache shares one request among concurrent quotes, and never keeps a failure', async () => {
    let now = 0;
    const cached = cachedPriceSource(source(), { ttlMs: 1000, clock: () => now });
    const all = await Promise.all(Array.from({ length: 20 }, () => cached.price('BTC', 'USD')));
    expect(all.every((r) => r.ok)).toBe(true);
    expect(server.hits.get('/products/BTC-USD/ticker')).toBe(1);
    now = 1000;
    await cached.price('BTC', 'USD');
    expect(server.hits.get('/products/BTC-USD/ticker')).toBe(2);

    server.override('/products/ETH-USD/ticker', { status: 503, body: '{}' });
    expect((await cached.price('ETH', 'USD')).ok).toBe(false);
    server.reset();
    expect((await cached.price('ETH', 'USD')).ok).toBe(true);
  });
});

describe('static source', () => {
  it('answers configured pairs as observed now, and nothing else', async () => {
    const at = new Date('2025-01-01T00:00:00Z');
    const s = createStaticPriceSource({ 'BTC-USD': '65000.50' }, () => at);
    expect(await s.price('BTC', 'USD')).toEqual({
      ok: true,
      price: {
        base: 'BTC',
        quote: 'USD',
        mid: { numerator: 130001n, denominator: 2n },
        observedAt: at,
        source: 'static',
      },
    });
    expect(await s.price('USD', 'BTC')).toMatchObject({ ok: false, code: 'pair_unknown' });
  });
});
