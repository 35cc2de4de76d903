import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, type RunningServer } from '../../src/platform/http/server.js';
import {
  createWalletHarness,
  type TestUser,
  type WalletHarness,
} from '../fixtures/wallet/harness.js';

/**
 * Inputs that once reached a handler, or a query, and came back as a 500: the edge
 * (src/platform/http/body.ts) refuses them for every route with a typed 400, and a
 * client that goes away mid-body is a client abort, not a fault.
 */

let h: WalletHarness;
let payer: TestUser;
let server: RunningServer;

beforeAll(async () => {
  h = await createWalletHarness({
    VW_WEBHOOK_SSRF_ALLOW: '127.0.0.1/32',
    VW_BODY_LIMIT_BYTES: '65536',
  });
  payer = await h.user('edger');
  await h.user('edgee');
  await h.fund(payer, 'USD', '1000.00');
  server = await listen(h.t.vw.http, { port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await server.close();
  await h.close();
});

const raw = (path: string, rawBody: string, token = payer.token) =>
  h.t.request('POST', path, { token, rawBody });

describe('request bodies refused at the edge, for every route', () => {
  it('a duplicate key is refused, not resolved in favour of the last one', async () => {
    const before = await h.snapshot();
    for (const body of [
      '{"to":"@edgee","asset":"USD","amount":"1.00","amount":"400.00"}',
      // The same key spelled with an escape is the same key.
      '{"to":"@edgee","asset":"USD","amount":"1.00","\\u0061mount":"400.00"}',
    ]) {
      const r = await raw('/v1/payments', body);
      expect(r.status, r.text).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'body_duplicate_key', param: 'amount' });
    }
    expect(await h.snapshot()).toBe(before);
    expect(await h.balance(payer, 'USD')).toMatchObject({ available: '1000.00' });
  });

  it('a duplicate key deep in a body names where it is', async () => {
    const r = await raw(
      '/v1/webhook_endpoints',
      '{"url":"http://127.0.0.1:9/x","metadata":{"a":{"b":1,"b":2}}}',
    );
    expect(r.status, r.text).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'body_duplicate_key', param: 'metadata.a.b' });
  });

  it('a lone surrogate is refused in every free-text field alike', async () => {
    const before = await h.snapshot();
    const payment = await raw(
      '/v1/payments',
      '{"to":"@edgee","asset":"USD","amount":"1.00","note":"hi \\ud800"}',
    );
    const ask = await raw(
      '/v1/payment_requests',
      '{"from":"@edgee","asset":"USD","amount":"1.00","note":"\\udc00 there"}',
    );
    const key = await raw('/v1/api_keys', '{"name":"key \\ud800"}');
    for (const r of [payment, ask, key]) {
      expect(r.status, r.text).toBe(400);
      expect(r.body.error.code).toBe('string_invalid_unicode');
    }
    expect(payment.body.error.param).toBe('note');
    expect(await h.snapshot()).toBe(before);
    // A pair that makes a real character is fine.
    const ok = await raw(
      '/v1/payments',
      '{"to":"@edgee","asset":"USD","amount":"1.00","note":"\\ud83d\\udcb8"}',
    );
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body.note).toBe('💸');
  });

  it('bytes that are not UTF-8 are refused, not stored as U+FFFD', async () => {
    const res = await h.t.vw.http.request('/v1/payments', {
      method: 'POST',
      headers: { authorization: `Bearer ${payer.token}`, 'content-type': 'application/json' },
      body: Buffer.concat([
        Buffer.from('{"to":"@edgee","asset":"USD","amount":"1.00","note":"'),
        Buffer.from([0xc3, 0x28, 0xff]),
        Buffer.from('"}'),
      ]),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
      'body_invalid_utf8',
    );
  });

  it('a `where` nested 1,000 deep is refused before any validator walks it', async () => {
    let where: unknown = { field: 'value', op: 'eq', value: '1' };
    for (let i = 0; i < 1000; i++) where = { and: [where] };
    const r = await h.t.request('POST', '/v1/webhook_subscriptions', {
      token: payer.token,
      body: {
        endpoint_id: 'whe_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y',
        kind: 'contract_log',
        chain: 'local',
        filter: {
          abi: 'event Transfer(address indexed from, address indexed to, uint256 value)',
          where,
        },
      },
    });
    expect(r.status, r.text).toBe(400);
    expect(r.body.error.code).toBe('body_too_deep');
  });

  it('a block number beyond the bigint column is a typed 400, not an overflow', async () => {
    const ep = await h.t.request('POST', '/v1/webhook_endpoints', {
      token: payer.token,
      body: { url: 'http://127.0.0.1:9/blocks', event_types: ['address.activity'] },
    });
    expect(ep.status, ep.text).toBe(201);
    for (const big of ['99999999999999999999', '9223372036854775808']) {
      const r = await h.t.request('POST', `/v1/webhook_endpoints/${ep.body.id}/replay`, {
        token: payer.token,
        body: { chain: 'local', from_block: '1', to_block: big },
      });
      expect(r.status, r.text).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'parameter_invalid', param: 'to_block' });
    }
  });
});

/** Sends `head` and `body` on one socket, then whatever `then` does; resolves with all it read. */
function exchange(
  head: string,
  body: string,
  then: 'end' | 'destroy' | 'wait',
): Promise<{ text: string; closedByServer: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1');
    let text = '';
    let closedByServer = false;
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (text += d));
    socket.on('end', () => {
      closedByServer = true;
    });
    socket.on('close', () => {
      resolve({ text, closedByServer });
    });
    socket.on('error', reject);
    socket.write(head + body);
    if (then === 'destroy') setTimeout(() => socket.destroy(), 100);
    setTimeout(() => socket.destroy(), 3000);
  });
}

async function metricsText(): Promise<string> {
  return h.t.vw.metrics.registry.metrics();
}

describe('connections', () => {
  it('a client that disconnects mid-body is a client abort, not a 500', async () => {
    const fiveHundreds = (s: string) =>
      [
        ...s.matchAll(
          /vaultwire_http_request_duration_seconds_count\{[^}]*status="500"[^}]*\} (\d+)/g,
        ),
      ]
        .map((m) => Number(m[1]))
        .reduce((a, b) => a + b, 0);
    const before = fiveHundreds(await metricsText());
    for (let i = 0; i < 3; i++) {
      await exchange(
        'POST /v1/sessions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n',
        '{"email":"a@example.com",',
        'destroy',
      );
    }
    // The server notices the abort on its own time.
    await new Promise((r) => setTimeout(r, 300));
    const after = await metricsText();
    expect(fiveHundreds(after)).toBe(before);
    expect(after).toMatch(
      /vaultwire_http_request_duration_seconds_count\{[^}]*status="499"[^}]*\} [1-9]/,
    );
  });

  it('a 413 on a keep-alive connection says Connection: close, then closes', async () => {
    const big = 'x'.repeat(70_000);
    const r = await exchange(
      `POST /v1/sessions HTTP/1.1\r\nhost: x\r\nconnection: keep-alive\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n`,
      `${big.length.toString(16)}\r\n${big}\r\n`,
      'wait',
    );
    expect(r.text).toMatch(/^HTTP\/1\.1 413/);
    expect(r.text.toLowerCase()).toContain('connection: close');
    expect(r.closedByServer).toBe(true);
  });
});
