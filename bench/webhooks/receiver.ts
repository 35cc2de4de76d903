/**
 * The benchmark's webhook receiver, in its own process so its CPU is not charged to the
 * sender. Answers 200 at once, keeps connections alive, and records per request the
 * event-to-arrival latency (the body's `created_ms`) and the `webhook-id` (duplicates).
 * Driven over IPC: `reset`, `stats`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

let count = 0;
let latencies: number[] = [];
let ids = new Set<string>();
let duplicates = 0;

const server = createServer({ keepAlive: true, keepAliveTimeout: 120_000 }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    count++;
    const body = Buffer.concat(chunks).toString();
    const m = /"created_ms":(\d+)/.exec(body);
    if (m?.[1]) latencies.push(Date.now() - Number(m[1]));
    const id = req.headers['webhook-id'];
    const key = typeof id === 'string' ? id : (/"id":"([^"]+)"/.exec(body)?.[1] ?? '');
    if (ids.has(key)) duplicates++;
    else ids.add(key);
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
    res.end('ok');
  });
});
server.listen(0, '127.0.0.1', () => {
  process.send?.({ ready: (server.address() as AddressInfo).port });
});

process.on('message', (msg: { cmd: string }) => {
  if (msg.cmd === 'reset') {
    count = 0;
    latencies = [];
    ids = new Set();
    duplicates = 0;
    process.send?.({ reset: true });
  } else if (msg.cmd === 'stats') {
    const sorted = latencies.slice().sort((a, b) => a - b);
    const pct = (p: number) =>
      sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
    process.send?.({
      stats: { count, unique: ids.size, duplicates, p50: pct(0.5), p99: pct(0.99) },
    });
  } else if (msg.cmd === 'exit') {
    server.close();
    process.exit(0);
  }
});
