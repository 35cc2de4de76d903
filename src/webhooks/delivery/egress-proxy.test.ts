import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  startConnectProxy,
  type ConnectProxy,
} from '../../../test/fixtures/webhooks/connect-proxy.js';
import { selfSignedCertificate } from '../../../test/support/tls.js';
import { createSsrfGuard, type Resolver } from '../ssrf/ssrf.js';
import { createHttpSender } from './sender.js';

/** What this host's DNS says (the proxy has its own table). */
const resolveTo =
  (address: string): Resolver =>
  () =>
    Promise.resolve([{ address, family: 4 }]);

let proxy: ConnectProxy;
let cert: string;
let httpsReceiver: HttpsServer;
let httpReceiver: Server;
let httpsPort: number;
let httpPort: number;
/** `host` header and body of each request the receivers got. */
const received: string[] = [];

function receiver(answer: string) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push(`${req.headers.host} ${Buffer.concat(chunks).toString()}`);
      res.writeHead(202).end(answer);
    });
  };
}

beforeAll(async () => {
  const tls = selfSignedCertificate();
  cert = tls.cert;
  httpsReceiver = createHttpsServer({ key: tls.key, cert }, receiver('secure'));
  httpReceiver = createServer(receiver('plain'));
  await new Promise<void>((r) => httpsReceiver.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => httpReceiver.listen(0, '127.0.0.1', r));
  httpsPort = (httpsReceiver.address() as AddressInfo).port;
  httpPort = (httpReceiver.address() as AddressInfo).port;
  // The receivers' names, as only the proxy knows them: `localhost` is the name the
  // test certificate is for.
  proxy = await startConnectProxy({ localhost: '127.0.0.1', 'hooks.test': '127.0.0.1' });
});

afterAll(async () => {
  await proxy.close();
  httpsReceiver.closeAllConnections();
  httpReceiver.closeAllConnections();
  await new Promise((r) => httpsReceiver.close(r));
  await new Promise((r) => httpReceiver.close(r));
});

beforeEach(() => {
  proxy.asked.length = 0;
  proxy.auth.length = 0;
  proxy.refuseWith = undefined;
});

describe('HTTP sender through an egress proxy', () => {
  it('tunnels https with CONNECT to the host name, TLS verified end to end, and keeps the tunnel', async () => {
    // This host sees a public address; loopback is not allowlisted, and the proxy itself
    // (on loopback) is reached all the same: it is the operator's, not a receiver.
    const s = createHttpSender({
      guard: createSsrfGuard({ resolver: resolveTo('93.184.216.34') }),
      timeoutMs: 5_000,
      proxy: proxy.url,
      tls: { ca: cert },
    });
    const target = {
      endpointId: 'whe_proxied_tls',
      url: new URL(`https://localhost:${httpsPort}/hook`),
      connections: 1,
    };
    expect(await s.post(target, { 'webhook-id': 'msg_1' }, '{"n":1}')).toMatchObject({
      kind: 'response',
      status: 202,
      excerpt: 'secure',
    });
    expect(await s.post(target, { 'webhook-id': 'msg_2' }, '{"n":2}')).toMatchObject({
      status: 202,
    });
    expect(proxy.asked).toEqual([`localhost:${httpsPort}`]);
    expect(received.slice(-2)).toEqual([
      `localhost:${httpsPort} {"n":1}`,
      `localhost:${httpsPort} {"n":2}`,
    ]);
    await s.close();
  });

  it('refuses a certificate that is not for the name, through the tunnel as without it', async () => {
    const s = createHttpSender({
      guard: createSsrfGuard({ resolver: resolveTo('93.184.216.34') }),
      timeoutMs: 5_000,
      proxy: proxy.url,
      tls: { ca: cert },
    });
    const before = received.length;
    const r = await s.post(
      {
        endpointId: 'whe_wrong_name',
        url: new URL(`https://hooks.test:${httpsPort}/`),
        connections: 1,
      },
      {},
      '{}',
    );
    expect(r).toMatchObject({ kind: 'network', error: expect.stringMatching(/hooks\.test/) });
    expect(proxy.asked).toEqual([`hooks.test:${httpsPort}`]);
    expect(received.length).toBe(before);
    await s.close();
  });

  it('tunnels plain http too, and sends the proxy credentials to the proxy only', async () => {
    const url = new URL(proxy.url);
    url.username = 'vaultwire';
    url.password = 's3cret:x';
    const s = createHttpSender({
      guard: createSsrfGuard({ resolver: resolveTo('93.184.216.34') }),
      timeoutMs: 5_000,
      proxy: url,
    });
    const r = await s.post(
      {
        endpointId: 'whe_proxied',
        url: new URL(`http://hooks.test:${httpPort}/h`),
        connections: 2,
      },
      {},
      '{"plain":true}',
    );
    expect(r).toMatchObject({ kind: 'response', status: 202, excerpt: 'plain' });
    expect(proxy.asked).toEqual([`hooks.test:${httpPort}`]);
    expect(proxy.auth).toEqual([`Basic ${Buffer.from('vaultwire:s3cret:x').toString('base64')}`]);
    expect(received.at(-1)).toBe(`hooks.test:${httpPort} {"plain":true}`);
    await s.close();
  });

  it('refuses a receiver whose name resolves to a private address, without asking the proxy', async () => {
    const s = createHttpSender({
      guard: createSsrfGuard({ resolver: resolveTo('10.1.2.3') }),
      timeoutMs: 5_000,
      proxy: proxy.url,
    });
    const byName = await s.post(
      { endpointId: 'whe_private', url: new URL(`http://hooks.test:${httpPort}/`), connections: 1 },
      {},
      '{}',
    );
    expect(byName).toMatchObject({ kind: 'blocked', error: expect.stringContaining('10.1.2.3') });
    const literal = await s.post(
      { endpointId: 'whe_loopback', url: new URL(`http://127.0.0.1:${httpPort}/`), connections: 1 },
      {},
      '{}',
    );
    expect(literal.kind).toBe('blocked');
    expect(proxy.asked).toEqual([]);
    await s.close();
  });

  it('lets an allowlisted private receiver through the proxy', async () => {
    const s = createHttpSender({
      guard: createSsrfGuard({ allow: ['127.0.0.1/32'], resolver: resolveTo('127.0.0.1') }),
      timeoutMs: 5_000,
      proxy: proxy.url,
    });
    const r = await s.post(
      { endpointId: 'whe_allowed', url: new URL(`http://hooks.test:${httpPort}/`), connections: 1 },
      {},
      '{}',
    );
    expect(r).toMatchObject({ kind: 'response', status: 202 });
    expect(proxy.asked).toEqual([`hooks.test:${httpPort}`]);
    await s.close();
  });

  it('leaves a name this host cannot resolve to the proxy', async () => {
    const s = createHttpSender({
      guard: createSsrfGuard({ resolver: () => Promise.reject(new Error('ENOTFOUND')) }),
      timeoutMs: 5_000,
      proxy: proxy.url,
    });
    const r = await s.post(
      {
        endpointId: 'whe_proxy_dns',
        url: new URL(`http://hooks.test:${httpPort}/`),
        connections: 1,
      },
      {},
      '{}',
    );
    expect(r).toMatchObject({ kind: 'response', status: 202 });
    expect(proxy.asked).toEqual([`hooks.test:${httpPort}`]);
    await s.close();
  });

  it('reports a tunnel the proxy refuses as a network failure, and sends nothing', async () => {
    proxy.refuseWith = 403;
    const s = createHttpSender({
      guard: createSsrfGuard({ resolver: resolveTo('93.184.216.34') }),
      timeoutMs: 5_000,
      proxy: proxy.url,
    });
    const before = received.length;
    const r = await s.post(
      {
        endpointId: 'whe_denied',
        url: new URL(`https://denied.test:${httpsPort}/`),
        connections: 1,
      },
      {},
      '{}',
    );
    expect(r).toMatchObject({ kind: 'network', error: expect.stringContaining('403') });
    expect(proxy.asked).toEqual([`denied.test:${httpsPort}`]);
    expect(received.length).toBe(before);
    await s.close();
  });
});
