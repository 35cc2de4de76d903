import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createHttpSender } from '../delivery/sender.js';
import { createSsrfGuard, parseEndpointUrl } from './ssrf.js';

describe('SSRF guard', () => {
  const guard = createSsrfGuard();

  it('refuses loopback, private, link-local, metadata and mapped addresses', () => {
    expect(guard.forbidden('127.0.0.1')).toBe('loopback');
    expect(guard.forbidden('10.1.2.3')).toBe('private');
    expect(guard.forbidden('172.20.0.1')).toBe('private');
    expect(guard.forbidden('192.168.1.1')).toBe('private');
    expect(guard.forbidden('100.64.0.1')).toBe('private');
    expect(guard.forbidden('169.254.169.254')).toBe('metadata');
    expect(guard.forbidden('169.254.10.10')).toBe('link_local');
    expect(guard.forbidden('0.0.0.0')).toBe('unspecified');
    expect(guard.forbidden('::1')).toBe('loopback');
    expect(guard.forbidden('fd12::1')).toBe('private');
    expect(guard.forbidden('fe80::1')).toBe('link_local');
    expect(guard.forbidden('::ffff:127.0.0.1')).toBe('loopback');
    expect(guard.forbidden('::ffff:a9fe:a9fe')).toBe('metadata');
    expect(guard.forbidden('93.184.216.34')).toBeUndefined();
    expect(guard.forbidden('2606:4700::1111')).toBeUndefined();
  });

  it('classifies IPv6 addresses that carry an IPv4 one by the IPv4 address they reach', async () => {
    // IPv4-compatible, SIIT, 6to4, NAT64 (well-known prefix) and Teredo (client inverted).
    expect(guard.forbidden('::127.0.0.1')).toBe('loopback');
    expect(guard.forbidden('::7f00:1')).toBe('loopback');
    expect(guard.forbidden('::a00:1')).toBe('private');
    expect(guard.forbidden('::ffff:0:10.0.0.1')).toBe('private');
    expect(guard.forbidden('2002:7f00:1::1')).toBe('loopback');
    expect(guard.forbidden('2002:a9fe:a9fe::')).toBe('metadata');
    expect(guard.forbidden('2002:c0a8:101::1')).toBe('private');
    expect(guard.forbidden('64:ff9b::127.0.0.1')).toBe('loopback');
    expect(guard.forbidden('64:ff9b::a9fe:a9fe')).toBe('metadata');
    expect(guard.forbidden('64:ff9b:1::a00:1')).toBe('reserved');
    // Teredo: server 65.54.227.120, client 127.0.0.1 (stored as ~127.0.0.1 = 80ff:fffe).
    expect(guard.forbidden('2001:0:4136:e378:8000:63bf:80ff:fffe')).toBe('loopback');
    // Teredo whose server is private.
    expect(guard.forbidden('2001:0:a00:1:8000:63bf:a3b4:bcbb')).toBe('private');
    // The same forms around public IPv4 addresses go through.
    expect(guard.forbidden('::ffff:93.184.216.34')).toBeUndefined();
    expect(guard.forbidden('2002:5db8:d822::1')).toBeUndefined();
    expect(guard.forbidden('64:ff9b::5db8:d822')).toBeUndefined();
    expect(guard.forbidden('2001:0:4136:e378:8000:63bf:a247:27dd')).toBeUndefined();
    // As an endpoint URL writes them: bracketed, in the form the URL parser normalises to.
    for (const url of ['https://[::127.0.0.1]/h', 'https://[2002:7f00:1::1]/h']) {
      const r = await guard.check(new URL(url).hostname);
      expect(r, url).toMatchObject({ ok: false, reason: 'loopback' });
    }
  });

  it('refuses the special-purpose ranges of the registries', () => {
    expect(guard.forbidden('255.255.255.255')).toBe('reserved');
    expect(guard.forbidden('192.0.2.1')).toBe('reserved');
    expect(guard.forbidden('198.18.0.1')).toBe('reserved');
    expect(guard.forbidden('224.0.0.1')).toBe('multicast');
    expect(guard.forbidden('fec0::1')).toBe('private');
    expect(guard.forbidden('2001:db8::1')).toBe('reserved');
    expect(guard.forbidden('2001:2::1')).toBe('reserved');
    expect(guard.forbidden('100::1')).toBe('reserved');
    expect(guard.forbidden('ff02::1')).toBe('multicast');
    expect(guard.forbidden('::')).toBe('unspecified');
  });

  it('checks every address a host name resolves to', async () => {
    const g = createSsrfGuard({
      resolver: (host) =>
        Promise.resolve(
          host === 'mixed.test'
            ? [
                { address: '93.184.216.34', family: 4 },
                { address: '10.0.0.7', family: 4 },
              ]
            : [{ address: '93.184.216.34', family: 4 }],
        ),
    });
    expect(await g.check('mixed.test')).toEqual({
      ok: false,
      reason: 'private',
      address: '10.0.0.7',
    });
    expect(await g.check('public.test')).toEqual({ ok: true, addresses: ['93.184.216.34'] });
    expect((await guard.check('localhost')).ok).toBe(false);
  });

  it('lets an operator allowlist a range', () => {
    const g = createSsrfGuard({ allow: ['127.0.0.0/8', '::1'] });
    expect(g.forbidden('127.0.0.1')).toBeUndefined();
    expect(g.forbidden('::1')).toBeUndefined();
    expect(g.forbidden('10.0.0.1')).toBe('private');
  });

  it('refuses at connection time a host that now resolves to a private address (DNS rebinding)', async () => {
    const server = createServer((_req, res) => res.end('secret'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    let calls = 0;
    // Public at registration, loopback when the worker connects.
    const g = createSsrfGuard({
      resolver: () =>
        Promise.resolve([{ address: calls++ === 0 ? '93.184.216.34' : '127.0.0.1', family: 4 }]),
    });
    expect((await g.check('rebind.test')).ok).toBe(true);
    const sender = createHttpSender({ guard: g, timeoutMs: 2000 });
    try {
      const r = await sender.post(
        { endpointId: 'whe_1', url: new URL(`http://rebind.test:${port}/`), connections: 1 },
        {},
        '{}',
      );
      expect(r.kind).toBe('blocked');
      // A literal private address is refused before any connection.
      const literal = await sender.post(
        { endpointId: 'whe_2', url: new URL(`http://127.0.0.1:${port}/`), connections: 1 },
        {},
        '{}',
      );
      expect(literal.kind).toBe('blocked');
    } finally {
      await sender.close();
      server.close();
    }
  });

  it('parses endpoint URLs: https only outside dev, no credentials', () => {
    expect(parseEndpointUrl('not a url', { allowHttp: false })).toMatchObject({
      code: 'url_invalid',
    });
    expect(parseEndpointUrl('ftp://x.example', { allowHttp: true })).toMatchObject({
      code: 'url_invalid',
    });
    expect(parseEndpointUrl('http://x.example/h', { allowHttp: false })).toMatchObject({
      code: 'url_not_https',
    });
    expect(parseEndpointUrl('https://u:p@x.example/h', { allowHttp: false })).toMatchObject({
      code: 'url_has_credentials',
    });
    const ok = parseEndpointUrl('http://x.example/h#f', { allowHttp: true });
    expect(ok instanceof URL ? ok.href : ok).toBe('http://x.example/h');
  });
});
