/**
 * `npm run bench:producer`: how fast the active block producer moves to the other region
 * after an involuntary loss, and how many signatures one fenced signer gives per second.
 *
 * - Failover: two region processes (src/producer/testing/region-process.ts) on a 3-member
 *   etcd cluster of the benchmark's own, both asking for every step of every block. The
 *   active one is SIGKILLed; failover time is its last signature → the other region's
 *   first, from the signature log. Baseline, same run: the same pair with the Consul-style
 *   15 s lock delay operators run today. Every signature pair is checked: 0 double signs.
 * - Signatures/s through one signer, each one etcd transaction that checks the lease and
 *   advances the mark; baseline: the raw etcd transaction rate (a put, no compares).
 *
 * BENCH_FAILOVERS (default 100; 3 smoke), BENCH_BASELINE_FAILOVERS (3; 1 smoke),
 * BENCH_TTL seconds (3), BENCH_LOCK_DELAY_MS (1000), BENCH_SIGNATURES (2000; 200 smoke).
 * Prints a table and writes bench/results/producer.json. Floor (full runs): failover p99
 * ≤ 10 s with 0 double signs.
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isFailure } from '../../src/platform/failure.js';
import { createRegionElection } from '../../src/producer/election.js';
import { createEtcdClient } from '../../src/producer/etcd.js';
import { randomPrivateKey, signingKey } from '../../src/producer/keys.js';
import { encodeSignBytes } from '../../src/producer/sign-bytes.js';
import { createChainSigner } from '../../src/producer/signer.js';
import {
  doubleSigns,
  percentile,
  regionProcess,
  sleep,
  startCluster,
  type Cluster,
  type LogSignature,
  type RegionProcess,
} from '../../src/producer/testing/harness.js';
import { announceSmoke, resultsFile, setting, SMOKE } from '../lib/smoke.js';
import { round, table } from '../lib/stats.js';

const FAILOVERS = setting('BENCH_FAILOVERS', 100, 3);
const BASELINE_FAILOVERS = setting('BENCH_BASELINE_FAILOVERS', 3, 1);
const TTL = setting('BENCH_TTL', 3, 2);
const LOCK_DELAY = setting('BENCH_LOCK_DELAY_MS', 1000, 500);
const SIGNATURES = setting('BENCH_SIGNATURES', 2000, 200);
const CHAIN = 'test-1';

interface FailoverRun {
  gapsMs: number[];
  doubleSigns: number;
  signatures: number;
}

async function leaderRegion(cluster: Cluster, root: string): Promise<string | undefined> {
  for (const url of cluster.urls) {
    try {
      const res = await fetch(`${url}/v3/kv/range`, {
        method: 'POST',
        body: JSON.stringify({ key: Buffer.from(`${root}/${CHAIN}/leader`).toString('base64') }),
        signal: AbortSignal.timeout(500),
      });
      const j = (await res.json()) as { kvs?: { value: string }[] };
      const v = j.kvs?.[0]?.value;
      return v
        ? (JSON.parse(Buffer.from(v, 'base64').toString()) as { region: string }).region
        : undefined;
    } catch {
      // next member
    }
  }
  return undefined;
}

/**
 * The signature log, read incrementally: the benchmark polls it every 50 ms for minutes,
 * and re-reading and parsing the whole file each time would load the 2 cores the region
 * processes run on, and slow the very failovers being measured.
 */
function logTail(file: string) {
  let offset = 0;
  let rest = '';
  const sigs: LogSignature[] = [];
  const ready: { g: string; t: number }[] = [];
  return {
    sigs,
    read() {
      if (!existsSync(file)) return;
      const fd = openSync(file, 'r');
      try {
        const size = fstatSync(fd).size;
        if (size <= offset) return;
        const buf = Buffer.alloc(size - offset);
        readSync(fd, buf, 0, buf.length, offset);
        offset = size;
        const lines = (rest + buf.toString('utf8')).split('\n');
        rest = lines.pop() ?? '';
        for (const l of lines) {
          if (l.startsWith('{"g"')) sigs.push(JSON.parse(l) as LogSignature);
          else if (l.startsWith('{"ev":"standby_ready"'))
            ready.push(JSON.parse(l) as { g: string; t: number });
        }
      } finally {
        closeSync(fd);
      }
    },
    /** The region, as a standby, has seen the active one since `since`. */
    standbyReady(region: string, since: number) {
      return ready.some((r) => r.g === region && r.t >= since);
    },
  };
}

async function failovers(
  cluster: Cluster,
  n: number,
  lockDelayMs: number,
  label: string,
): Promise<FailoverRun> {
  const dir = mkdtempSync(join(tmpdir(), 'vw-bench-producer-'));
  const log = join(dir, 'signatures.jsonl');
  const root = `/bench/${label}/${Date.now()}`;
  const key = Buffer.from(randomPrivateKey('ed25519')).toString('hex');
  const common = { etcd: cluster.urls, root, log, epoch: Date.now(), key, ttl: TTL, lockDelayMs };
  const regions: RegionProcess[] = [
    regionProcess({ ...common, region: 'eu' }),
    regionProcess({ ...common, region: 'us' }),
  ];
  const gaps: number[] = [];
  const startedAt = new Map<string, number>();
  const tail = logTail(log);
  try {
    for (const r of regions) r.start();
    for (let i = 0; i < n; i++) {
      let active: string | undefined;
      const until = Date.now() + 60_000;
      // Both running, one active and signing.
      while (Date.now() < until) {
        active = await leaderRegion(cluster, root);
        tail.read();
        const sigs = tail.sigs;
        if (active && sigs.at(-1)?.g === active && Date.now() - (sigs.at(-1)?.t ?? 0) < 1000) break;
        await sleep(100);
      }
      const victim = regions.find((r) => r.region === active);
      if (!victim) throw new Error(`${label}: no active region`);
      // The standby is up and has seen the active region (its start-up is not failover).
      const standby = regions.find((r) => r !== victim);
      while (
        Date.now() < until &&
        standby &&
        !tail.standbyReady(standby.region, startedAt.get(standby.region) ?? 0)
      ) {
        await sleep(100);
        tail.read();
      }
      victim.kill();
      const killedAt = Date.now();
      const deadline = killedAt + 60_000;
      tail.read();
      const from = tail.sigs.length;
      for (;;) {
        tail.read();
        const sigs = tail.sigs;
        const lastOld = sigs.findLast((s) => s.g === victim.region);
        let firstNew: LogSignature | undefined;
        for (let j = from; j < sigs.length && !firstNew; j++) {
          const s = sigs[j];
          if (s && s.g !== victim.region && s.t >= killedAt) firstNew = s;
        }
        if (lastOld && firstNew) {
          gaps.push(firstNew.t - lastOld.t);
          break;
        }
        if (Date.now() > deadline) throw new Error(`${label}: no failover within 60 s`);
        await sleep(50);
      }
      victim.start();
      startedAt.set(victim.region, Date.now());
      process.stdout.write(`${label} failover ${i + 1}/${n}: ${gaps.at(-1)} ms\n`);
    }
  } finally {
    await Promise.all(regions.map((r) => r.terminate()));
  }
  tail.read();
  return { gapsMs: gaps, doubleSigns: doubleSigns(tail.sigs).length, signatures: tail.sigs.length };
}

async function signatureRate(cluster: Cluster) {
  const etcd = createEtcdClient({ endpoints: cluster.urls, timeoutMs: 1000 });
  const root = `/bench/rate/${Date.now()}`;
  const election = createRegionElection({
    etcd,
    root,
    chain: CHAIN,
    region: 'eu',
    ttlSeconds: 5,
    clockMargin: 0.2,
    lockDelayMs: 0,
    pollMs: 50,
  });
  const key = signingKey('ed25519', randomPrivateKey('ed25519'));
  const signer = createChainSigner({
    etcd,
    root,
    chain: CHAIN,
    region: 'eu',
    election,
    key: () => Promise.resolve(key),
  });
  election.start();
  while (!election.signingLease()) await sleep(20);
  const blockId = `${'ab'.repeat(32)}:1:${'cd'.repeat(32)}`;
  let t0 = performance.now();
  for (let h = 1; h <= SIGNATURES; h++) {
    const signBytes = encodeSignBytes({
      kind: 'precommit',
      height: BigInt(h),
      round: 0,
      blockId,
      chainId: CHAIN,
    });
    const r = await signer.sign({ height: BigInt(h), round: 0, step: 3, blockId, signBytes });
    if (isFailure(r)) throw new Error(`signature ${h} refused: ${r.code}`);
  }
  const fenced = SIGNATURES / ((performance.now() - t0) / 1000);
  t0 = performance.now();
  for (let i = 0; i < SIGNATURES; i++) {
    await etcd.txn({ compare: [], success: [{ put: { key: `${root}/raw`, value: String(i) } }] });
  }
  const raw = SIGNATURES / ((performance.now() - t0) / 1000);
  await election.stop();
  await etcd.close();
  return { fenced, raw };
}

announceSmoke('bench:producer');
const cluster = await startCluster(23840);
try {
  const rate = await signatureRate(cluster);
  const ours = await failovers(cluster, FAILOVERS, LOCK_DELAY, 'fenced');
  const consul = await failovers(cluster, BASELINE_FAILOVERS, 15_000, 'consul-15s');
  const stats = (r: FailoverRun) => ({
    failovers: r.gapsMs.length,
    p50_ms: percentile(r.gapsMs, 50),
    p99_ms: percentile(r.gapsMs, 99),
    max_ms: Math.max(...r.gapsMs),
    signatures: r.signatures,
    double_signs: r.doubleSigns,
  });
  const result = {
    smoke: SMOKE,
    config: { ttl_seconds: TTL, lock_delay_ms: LOCK_DELAY, block_ms: 300 },
    failover: stats(ours),
    baseline_consul_lock_delay_15s: stats(consul),
    signatures_per_second: round(rate.fenced),
    baseline_raw_etcd_txn_per_second: round(rate.raw),
  };
  console.log(
    table([
      ['', 'failovers', 'p50 ms', 'p99 ms', 'max ms', 'double signs'],
      ...(
        [
          [`fenced (TTL ${TTL}s, lock delay ${LOCK_DELAY}ms)`, result.failover],
          ['baseline: Consul-style 15 s lock delay', result.baseline_consul_lock_delay_15s],
        ] as const
      ).map(([name, s]) => [
        name,
        String(s.failovers),
        String(s.p50_ms),
        String(s.p99_ms),
        String(s.max_ms),
        String(s.double_signs),
      ]),
    ]),
  );
  console.log(
    `signatures/s through one fenced signer: ${result.signatures_per_second} (baseline, raw etcd txn/s: ${result.baseline_raw_etcd_txn_per_second})`,
  );
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(`bench/results/${resultsFile('producer')}`, `${JSON.stringify(result, null, 2)}\n`);
  if (ours.doubleSigns > 0 || consul.doubleSigns > 0) {
    console.error('FAIL: double signs');
    process.exitCode = 1;
  } else if (!SMOKE && result.failover.p99_ms > 10_000) {
    console.error(`FAIL: failover p99 ${result.failover.p99_ms} ms > 10 s floor`);
    process.exitCode = 1;
  }
} finally {
  await cluster.stopAll();
}
