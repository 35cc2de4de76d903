import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFailure } from '../../src/platform/failure.js';
import {
  NetworkInTransactionError,
  networkCall,
  takeNetworkViolations,
} from '../../src/platform/db/network-guard.js';
import {
  createWalletHarness,
  type TestUser,
  type WalletHarness,
} from '../fixtures/wallet/harness.js';
import {
  COINBASE_RECORDINGS,
  startReplayServer,
  type ReplayServer,
} from '../fixtures/wallet/replay-server.js';

/**
 * No network call inside a database transaction. The guard (every test file has it on,
 * test/support/network-guard.ts) fails a test whose code makes one; here the routes that
 * call out are driven with an Idempotency-Key (quote creation fetches a price from a
 * local exchange server, endpoint creation resolves the endpoint's host name), and the
 * same service calls made inside a transaction, as the Idempotency-Key middleware used
 * to run them, are shown to be caught.
 */

const OBSERVED = Date.parse('2025-01-15T14:02:31.870Z');

let prices: ReplayServer;
let receiver: Server;
let receiverPort: number;
let h: WalletHarness;
let ann: TestUser;

beforeAll(async () => {
  prices = await startReplayServer(COINBASE_RECORDINGS);
  receiver = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverPort = (receiver.address() as AddressInfo).port;
  h = await createWalletHarness({
    VW_WALLET_PRICE_SOURCE: 'coinbase',
    VW_WALLET_PRICE_URL: prices.url,
    VW_WALLET_PRICE_MAX_AGE_SECONDS: '60',
    VW_WEBHOOK_SSRF_ALLOW: '127.0.0.1/32,::1/128',
  });
  ann = await h.user('ann');
  await h.fund(ann, 'USD', '500.00');
});

afterAll(async () => {
  await h.close();
  await prices.close();
  await new Promise((resolve) => receiver.close(resolve));
});

describe('the guard', () => {
  it('records an HTTP request made inside a transaction, and not one made outside', async () => {
    const url = `http://127.0.0.1:${receiverPort}/probe`;
    await (await fetch(url)).text();
    expect(takeNetworkViolations()).toEqual([]);
    await h.t.vw.db.transaction(async () => {
      await (await fetch(url)).text();
    });
    const seen = takeNetworkViolations();
    expect(seen.map((v) => v.what)).toEqual([`GET http://127.0.0.1:${receiverPort}/probe`]);
  });

  it('refuses a reported call (DNS, SMTP) inside a transaction', async () => {
    expect(() => {
      networkCall('dns lookup example.com');
    }).not.toThrow();
    await expect(
      h.t.vw.db.transaction(() => {
        networkCall('dns lookup example.com');
        return Promise.resolve();
      }),
    ).rejects.toThrow(NetworkInTransactionError);
    expect(takeNetworkViolations()).toHaveLength(1);
  });
});

describe('routes that call out hold no transaction meanwhile', () => {
  it('quote creation fetches its price outside any transaction', async () => {
    h.clock.now = OBSERVED + 5_000;
    const before = prices.hits.get('/products/BTC-USD/ticker') ?? 0;
    const r = await h.t.request('POST', '/v1/quotes', {
      token: ann.token,
      body: { from: 'USD', to: 'BTC', spend_amount: '100.00' },
      headers: { 'idempotency-key': 'quote-net-1' },
    });
    expect(r.status, r.text).toBe(201);
    expect(prices.hits.get('/products/BTC-USD/ticker')).toBe(before + 1);
    expect(takeNetworkViolations()).toEqual([]);
  });

  it('quote creation inside a transaction would be caught', async () => {
    h.clock.now = OBSERVED + 20_000; // past the price cache: this quote fetches again
    const before = prices.hits.get('/products/BTC-USD/ticker') ?? 0;
    const q = await h.t.vw.db.transaction(() =>
      h.t.vw.wallet.createQuote({ userId: ann.id, from: 'USD', to: 'BTC', spendAmount: '5.00' }),
    );
    expect(q.ok).toBe(true);
    expect(prices.hits.get('/products/BTC-USD/ticker')).toBe(before + 1);
    expect(takeNetworkViolations().map((v) => v.what)).toEqual([
      `GET ${prices.url}/products/BTC-USD/ticker`,
    ]);
  });

  it('webhook endpoint creation resolves the host outside any transaction', async () => {
    const r = await h.t.request('POST', '/v1/webhook_endpoints', {
      token: ann.token,
      body: { url: `http://localhost:${receiverPort}/hook`, event_types: ['payment.completed'] },
      headers: { 'idempotency-key': 'endpoint-net-1' },
    });
    expect(r.status, r.text).toBe(201);
    expect(takeNetworkViolations()).toEqual([]);
  });

  it('webhook endpoint creation inside a transaction would be caught', async () => {
    const r = await h.t.vw.db.transaction(() =>
      h.t.vw.webhooks.endpoints.create(
        { userId: ann.id, staff: false },
        { url: `http://localhost:${receiverPort}/hook2`, eventTypes: ['payment.completed'] },
      ),
    );
    // The lookup was refused, so the endpoint was refused as unresolvable.
    expect(isFailure(r) && r.code).toBe('url_unresolvable');
    expect(takeNetworkViolations().map((v) => v.what)).toEqual(['dns lookup localhost']);
  });
});
