/**
 * (a) The raw ceiling: undici posting the same payloads straight to the receiver, no
 * queue, no signing, no database. In its own process so its CPU time is its own. It
 * uses undici's leanest interface (dispatch with a handler, no response stream), the
 * one Vaultwire's sender uses, so the ceiling is a ceiling.
 * argv: url count concurrency warmup. After the warm-up it says so over IPC and waits for
 * `go` (the driver resets its counters in between).
 */
import { Pool } from 'undici';

const [url = '', countText = '10000', concText = '64', warmText = '0'] = process.argv.slice(2);
const concurrency = Number(concText);
const target = new URL(url);
const pool = new Pool(target.origin, {
  connections: concurrency,
  pipelining: 1,
  keepAliveTimeout: 60_000,
});

/**
 * Posts `count` requests over `concurrency` lanes; returns each one's latency (ms).
 * Request ids are `<prefix><i>`: the warm-up's and the measured run's differ.
 */
async function post(count: number, prefix: string): Promise<number[]> {
  let next = 0;
  const lat: number[] = [];
  const lane = async () => {
    while (next < count) {
      const i = next++;
      const body = JSON.stringify({
        id: `wev_raw_${i}`,
        type: 'payment.completed',
        created_ms: Date.now(),
        data: { n: i, amount: '12.50', currency: 'USD', account: 'acct_0123456789' },
      });
      const t0 = performance.now();
      await new Promise<void>((resolve, reject) => {
        pool.dispatch(
          {
            method: 'POST',
            path: target.pathname,
            headers: { 'content-type': 'application/json', 'webhook-id': `${prefix}${i}` },
            body,
          },
          {
            onRequestStart() {
              // nothing before the request is written
            },
            onResponseEnd() {
              resolve();
            },
            onResponseError(_c, err) {
              reject(err);
            },
          },
        );
      });
      lat.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, () => lane()));
  return lat;
}

await post(Number(warmText), 'raw_w_');
await new Promise<void>((resolve) => {
  process.once('message', () => {
    resolve();
  });
  process.send?.({ warm: true });
});
const count = Number(countText);
const cpu0 = process.cpuUsage();
const started = performance.now();
const lat = await post(count, 'raw_');
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpu0);
await pool.close();
lat.sort((a, b) => a - b);
process.send?.({
  done: {
    count,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    p50: lat[Math.floor(lat.length * 0.5)] ?? 0,
    p99: lat[Math.floor(lat.length * 0.99)] ?? 0,
  },
});
