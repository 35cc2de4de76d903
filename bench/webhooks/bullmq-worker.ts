/**
 * (c) The baseline most Node teams would build: a BullMQ queue on Redis and a worker
 * that signs each payload (HMAC-SHA256, Standard Webhooks style) and posts it through
 * undici with keep-alive. BullMQ marks each job completed in Redis (its outcome record).
 * argv: queueName url concurrency
 */
import { createHmac } from 'node:crypto';
import { Worker } from 'bullmq';
import { Agent, request } from 'undici';

const [queueName = 'bench', url = '', concText = '64'] = process.argv.slice(2);
const concurrency = Number(concText);
const key = Buffer.alloc(32, 9);
const dispatcher = new Agent({ connections: concurrency, keepAliveTimeout: 60_000 });

const worker = new Worker<{ id: string; body: string }>(
  queueName,
  async (job) => {
    const ts = Math.floor(Date.now() / 1000);
    const sig = createHmac('sha256', key)
      .update(`${job.data.id}.${ts}.${job.data.body}`)
      .digest('base64');
    const res = await request(url, {
      method: 'POST',
      dispatcher,
      headers: {
        'content-type': 'application/json',
        'webhook-id': job.data.id,
        'webhook-timestamp': String(ts),
        'webhook-signature': `v1,${sig}`,
      },
      body: job.data.body,
    });
    await res.body.dump();
    if (res.statusCode >= 300) throw new Error(`HTTP ${res.statusCode}`);
  },
  {
    connection: { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null },
    concurrency,
    removeOnComplete: { count: 1000 },
  },
);
// When the newest job was marked completed in Redis (its outcome recorded): the end of a
// throughput run, read exactly rather than at the driver's next poll.
let lastCompletedMs = 0;
worker.on('completed', () => {
  lastCompletedMs = Date.now();
});
worker.on('ready', () => process.send?.({ ready: true }));
process.on('message', (msg: { cmd: string }) => {
  if (msg.cmd === 'cpu') {
    const u = process.cpuUsage();
    process.send?.({ cpu: (u.user + u.system) / 1e6 });
  } else if (msg.cmd === 'last') {
    process.send?.({ last: lastCompletedMs });
  } else if (msg.cmd === 'exit') {
    void worker.close().then(() => process.exit(0));
  }
});
