import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createWalletHarness,
  type TestUser,
  type WalletHarness,
} from '../../../test/fixtures/wallet/harness.js';
import {
  COINBASE_RECORDINGS,
  startReplayServer,
  type ReplayServer,
} from '../../../test/fixtures/wallet/replay-server.js';

/**
 * Quotes priced by the Coinbase source (a local server replaying recorded tickers), through
 * HTTP: a fresh price quotes, a price older than its limit is refused and nothing is
 * written, an exchange outage is a 503, not a 500.
 */

const OBSERVED = Date.parse('2025-01-15T14:02:31.870Z');

let server: ReplayServer;
let h: WalletHarness;
let ann: TestUser;

beforeAll(async () => {
  server = await startReplayServer(COINBASE_RECORDINGS);
  h = await createWalletHarness({
    VW_WALLET_PRICE_SOURCE: 'coinbase',
    VW_WALLET_PRICE_URL: server.url,
    VW_WALLET_PRICE_MAX_AGE_SECONDS: '30',
    VW_WALLET_PRICE_TIMEOUT_MS: '300',
  });
  ann = await h.user('ann');
  await h.fund(ann, 'USD', '500.00');
});

afterAll(async () => {
  await h.close();
  await server.close();
});

const quote = (body: Record<string, string>) =>
  h.t.request('POST', '/v1/quotes', { token: ann.token, body });

describe('quotes on exchange prices', () => {
  it('quotes at the recorded mid price, stamped with the exchange’s time', async () => {
    h.clock.now = OBSERVED + 5_000;
    const r = await quote({ from: 'USD', to: 'BTC', spend_amount: '100.00' });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({
      price_source: 'coinbase',
      price_observed_at: '2025-01-15T14:02:31.870Z',
      mid_price: '96511.685',
    });
    const x = await h.t.request('POST', `/v1/quotes/${r.body.id}/execute`, { token: ann.token });
    expect(x.status, x.text).toBe(200);
  });

  it('prices BTC → ETH through both USD tickers', async () => {
    h.clock.now = OBSERVED + 5_000;
    const r = await quote({ from: 'BTC', to: 'ETH', spend_amount: '0.0001' });
    expect(r.status, r.text).toBe(201);
    // 96511.685 / 3287.765 ETH per BTC.
    expect(r.body.mid_price).toBe('29.3548002975');
  });

  it('a price older than the limit refuses to quote, and writes nothing', async () => {
    h.clock.now = OBSERVED + 31_000;
    const before = await h.snapshot();
    const r = await quote({ from: 'USD', to: 'BTC', spend_amount: '100.00' });
    expect(r.status).toBe(503);
    expect(r.body.error).toMatchObject({ type: 'api_error', code: 'price_stale' });
    expect(r.body.error.message).toContain('31 s old');
    expect(await h.snapshot()).toBe(before);
  });

  it('an exchange outage or timeout is a 503 price_unavailable', async () => {
    h.clock.now = OBSERVED + 10_000; // past the 1 s price cache of the tests above
    server.override('/products/ETH-USD/ticker', { status: 500, body: '{"message":"oops"}' });
    const r = await quote({ from: 'USD', to: 'ETH', spend_amount: '10.00' });
    expect(r.status).toBe(503);
    expect(r.body.error.code).toBe('price_unavailable');
    server.override('/products/ETH-USD/ticker', { delayMs: 2_000 });
    h.clock.now += 2_000; // past the price cache
    const slow = await quote({ from: 'USD', to: 'ETH', spend_amount: '10.00' });
    expect(slow.status).toBe(503);
    server.reset();
  });

  it('a pair the exchange does not list is refused as unsupported', async () => {
    h.clock.now = OBSERVED + 1_000;
    const r = await quote({ from: 'EUR', to: 'USDC', spend_amount: '10.00' });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('pair_not_supported');
  });
});
