import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSsrfGuard } from '../ssrf/ssrf.js';
import { createHttpSender, type HttpSender } from './sender.js';

// A receiver that behaves as its path says.
let server: Server;
let base: string;
const bodies: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString());
      if (req.url === '/ok') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('thanks');
      } else if (req.url === '/busy') {
        res.writeHead(429, { 'retry-after': '7' }).end('slow down');
      } else if (req.url === '/huge') {
        // 1 MiB answer: more than the sender reads.
        res.writeHead(200, { 'content-type': 'text/plain' });
        const block = 'x'.repeat(64 * 1024);
        for (let i = 0; i < 16; i++) res.write(block);
        res.end();
      } else if (req.url === '/chunked') {
        res.writeHead(500);
        res.write('é'.repeat(300));
        res.end('tail');
      } else if (req.url === '/slow') {
        setTimeout(() => res.writeHead(200).end('late'), 1_000);
      } else if (req.url === '/moved') {
        res.writeHead(301, { location: '/ok' }).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function sender(timeoutMs = 5_000): HttpSender {
  return createHttpSender({ guard: createSsrfGuard({ allow: ['127.0.0.1/32'] }), timeoutMs });
}

const target = (path: string) => ({
  endpointId: `whe_${path}`,
  url: new URL(`${base}${path}`),
  connections: 4,
});

describe('HTTP sender', () => {
  it('posts the exact body with the given headers and reports status and answer', async () => {
    const s = sender();
    const r = await s.post(
      target('/ok'),
      { 'content-type': 'application/json', 'webhook-id': 'msg_1' },
      '{"a":1}',
    );
    expect(r).toMatchObject({ kind: 'response', status: 200, excerpt: 'thanks' });
    expect(bodies.at(-1)).toBe('{"a":1}');
    await s.close();
  });

  it('reads Retry-After, and treats a redirect as an answer, not something to follow', async () => {
    const s = sender();
    expect(await s.post(target('/busy'), {}, '{}')).toMatchObject({ status: 429, retryAfter: '7' });
    const before = bodies.length;
    expect(await s.post(target('/moved'), {}, '{}')).toMatchObject({ status: 301 });
    expect(bodies.length).toBe(before + 1);
    await s.close();
  });

  it('keeps the first 512 bytes of a large answer and does not read a megabyte', async () => {
    const s = sender();
    const r = await s.post(target('/huge'), {}, '{}');
    expect(r).toMatchObject({ kind: 'response', status: 200 });
    if (r.kind !== 'response') throw new Error('no response');
    expect(r.excerpt).toBe('x'.repeat(512));
    // The same endpoint still works afterwards (a fresh connection if the old one was dropped).
    expect(await s.post(target('/huge'), {}, '{}')).toMatchObject({ status: 200 });
    await s.close();
  });

  it('cuts a multi-chunk answer at 512 bytes', async () => {
    const s = sender();
    const r = await s.post(target('/chunked'), {}, '{}');
    if (r.kind !== 'response') throw new Error('no response');
    expect(r.status).toBe(500);
    expect(Buffer.byteLength(r.excerpt.replace(/\uFFFD$/, ''))).toBeLessThanOrEqual(512);
    expect(r.excerpt.startsWith('é'.repeat(255))).toBe(true);
    await s.close();
  });

  it('times out a receiver that does not answer in time', async () => {
    const s = sender(200);
    const r = await s.post(target('/slow'), {}, '{}');
    expect(r.kind).toBe('timeout');
    await s.close();
  });

  it('refuses a loopback address that is not allowlisted, before connecting', async () => {
    const s = createHttpSender({ guard: createSsrfGuard(), timeoutMs: 1_000 });
    const before = bodies.length;
    const r = await s.post(target('/ok'), {}, '{}');
    expect(r.kind).toBe('blocked');
    expect(bodies.length).toBe(before);
    await s.close();
  });
});
