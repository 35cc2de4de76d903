/**
 * One region of the fault test and the benchmark, as its own process: the region
 * election, the fenced signer (an in-memory key) and a scripted producer that asks for a
 * proposal, a prevote and a precommit every block, on a block clock shared with the other
 * region (both ask for the same heights: the worst case). Every signature released is
 * appended to the log before anything else happens. The block id names the region, so
 * two regions signing one height/round/step always shows as two block ids.
 *
 * Signals: SIGUSR1 cuts this region off etcd (a partition), SIGUSR2 restores it.
 * Environment: see `RegionProcessEnv` in harness.ts.
 */
import { appendFileSync } from 'node:fs';
import { isFailure } from '../../platform/failure.js';
import { createRegionElection } from '../election.js';
import { createEtcdClient, EtcdUnavailableError, type EtcdClient } from '../etcd.js';
import { signingKey } from '../keys.js';
import { encodeSignBytes } from '../sign-bytes.js';
import { createChainSigner } from '../signer.js';

const env = (k: string, d?: string): string => {
  const v = process.env[k] ?? d;
  if (v === undefined) throw new Error(`${k} is not set`);
  return v;
};

const region = env('PRODUCER_REGION');
const chain = env('PRODUCER_CHAIN', 'test-1');
const log = env('PRODUCER_LOG');
const blockMs = Number(env('PRODUCER_BLOCK_MS', '300'));
const epoch = Number(env('PRODUCER_EPOCH'));
const clockRate = Number(env('PRODUCER_CLOCK_RATE', '1'));
const key = signingKey('ed25519', Buffer.from(env('PRODUCER_KEY'), 'hex'));

let partitioned = false;
process.on('SIGUSR1', () => {
  partitioned = true;
});
process.on('SIGUSR2', () => {
  partitioned = false;
});

const real = createEtcdClient({
  endpoints: env('PRODUCER_ETCD').split(','),
  timeoutMs: Number(env('PRODUCER_ETCD_TIMEOUT_MS', '400')),
});
// A partition: every call fails as an unreachable cluster would (after a short wait).
const guard =
  <A extends unknown[], R>(fn: (...a: A) => Promise<R>) =>
  async (...a: A): Promise<R> => {
    if (partitioned) {
      await new Promise((r) => setTimeout(r, 50));
      throw new EtcdUnavailableError('partitioned (test)');
    }
    return fn(...a);
  };
const etcd: EtcdClient = {
  range: guard((key: string, o?: { prefix?: boolean }) => real.range(key, o)),
  put: guard((key: string, value: string, o?: { lease?: string }) => real.put(key, value, o)),
  delete: guard((key: string) => real.delete(key)),
  txn: guard((t: Parameters<EtcdClient['txn']>[0]) => real.txn(t)),
  grantLease: guard((ttl: number) => real.grantLease(ttl)),
  keepAlive: guard((id: string) => real.keepAlive(id)),
  revokeLease: guard((id: string) => real.revokeLease(id)),
  close: () => real.close(),
};

// A clock running at `clockRate` of real time (0.9: this region thinks less time passed).
const start = performance.now();
const clock = () => start + (performance.now() - start) * clockRate;

const election = createRegionElection({
  etcd,
  root: env('PRODUCER_ROOT'),
  chain,
  region,
  ttlSeconds: Number(env('PRODUCER_TTL', '2')),
  clockMargin: Number(env('PRODUCER_CLOCK_MARGIN', '0.2')),
  lockDelayMs: Number(env('PRODUCER_LOCK_DELAY_MS', '500')),
  pollMs: Number(env('PRODUCER_POLL_MS', '50')),
  clock,
  onChange: (c) => {
    appendFileSync(
      log,
      `${JSON.stringify({ ev: c.kind, g: region, reason: c.reason, t: Date.now() })}\n`,
    );
    return Promise.resolve();
  },
});
const signer = createChainSigner({
  etcd,
  root: env('PRODUCER_ROOT'),
  chain,
  region,
  election,
  key: () => Promise.resolve(key),
});

const blockIdOf = (h: bigint) =>
  `${Buffer.from(`${region}:${h}`).toString('hex').padEnd(64, '0').slice(0, 64)}:1:${'00'.repeat(32)}`;

async function produce() {
  let last = 0n;
  for (;;) {
    const h = BigInt(Math.floor((Date.now() - epoch) / blockMs)) + 1n;
    if (h > last) {
      last = h;
      for (const kind of ['proposal', 'prevote', 'precommit'] as const) {
        const blockId = blockIdOf(h);
        const signBytes = encodeSignBytes({
          kind,
          height: h,
          round: 0,
          blockId,
          chainId: chain,
          timestamp: { seconds: BigInt(Math.floor(Date.now() / 1000)), nanos: 0 },
          polRound: -1,
        });
        const step = kind === 'proposal' ? 1 : kind === 'prevote' ? 2 : 3;
        const r = await signer.sign({ height: h, round: 0, step, blockId, signBytes });
        if (!isFailure(r)) {
          appendFileSync(
            log,
            `${JSON.stringify({ g: region, h: String(h), r: 0, s: step, b: r.blockId, sig: Buffer.from(r.signature).toString('base64'), rep: r.repeat, t: Date.now() })}\n`,
          );
        }
      }
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

election.start();
// Once this process, as a standby, has seen the active region: the benchmark kills the
// active one only then, so a failover never includes this process's start-up.
const ready = setInterval(() => {
  const st = election.status();
  if (st.state === 'standby' && st.leader && st.leader.region !== region) {
    appendFileSync(log, `${JSON.stringify({ ev: 'standby_ready', g: region, t: Date.now() })}\n`);
    clearInterval(ready);
  }
}, 50);
process.on('SIGTERM', () => {
  void election.stop().then(() => process.exit(0));
});
void produce();
