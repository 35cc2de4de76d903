/**
 * `npm run bench:webhooks`: webhook delivery throughput, latency and cost per CPU-second,
 * against a receiver on loopback (its own process), all in one run:
 *
 * (a) raw ceiling: undici posting the same payloads straight to the receiver;
 * (b) Vaultwire end to end — event in (ingest) → signed delivery acknowledged → outcome
 *     recorded in PostgreSQL — with one `delivery` worker process (the real binary), on
 *     the PostgreSQL engine and on NATS JetStream;
 * (c) the usual Node baseline: BullMQ on the local Redis, a worker signing and posting
 *     through undici;
 * then two NATS workers sharing one load (nothing lost, nothing doubled), and the
 * resident memory of a worker process matching blocks against 1,000,000 watched
 * addresses.
 *
 * Throughput runs put N events in as fast as ingest takes them and time until the last
 * outcome is recorded. Latency (event in → request at the receiver) is measured in a
 * second, paced run at half the measured throughput, so it is latency, not queueing.
 * Worker CPU is read from /proc for the worker process only; machine CPU for the whole
 * host over the run is printed beside it (the host is shared: read the load figures).
 *
 * Results: stdout and bench/results/webhooks.json. Floors: NATS ≥ 35 % of the raw
 * ceiling (deliveries/s) and ≥ 1.5× BullMQ's deliveries per worker CPU-second; the
 * 1M-address worker under 300 MB; nothing lost or doubled with two workers. Any run that
 * loses or doubles a delivery fails the benchmark (non-zero exit).
 *
 * Environment: BENCH_DATABASE_URL, NATS_URL, BENCH_N (default 30000), BENCH_WARMUP (default 5000, per run), BENCH_ROUNDS (default 3:
 * raw, PostgreSQL, NATS and BullMQ runs interleaved, medians reported), BENCH_REDIS_PORT,
 * BENCH_ONLY=raw|postgres|nats|bullmq|memory (one run), BENCH_PROFILE=dir (V8 CPU profiles of the
 * workers), BENCH_PERF=1 (JIT symbols for Linux perf), BENCH_NODE_FLAGS (node flags of the workers).
 * BENCH_SMOKE=1: one round of 300 events (100 warm-up), 1 s of paced latency, 20,000
 * watched addresses (see bench/lib/smoke.ts).
 */
import { migrationSources } from '../../src/migrations.js';
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect as natsConnect } from '@nats-io/transport-node';
import { Queue } from 'bullmq';
import pg from 'pg';
import { buildVaultwire, type Vaultwire } from '../../src/app.js';
import { loadConfig } from '../../src/modules.js';
import { openDb } from '../../src/platform/db/drivers.js';
import { migrate } from '../../src/platform/db/migrate.js';
import { isFailure } from '../../src/platform/failure.js';
import { announceSmoke, resultsFile, setting, SMOKE } from '../lib/smoke.js';
import { round, table } from '../lib/stats.js';

const N = setting('BENCH_N', 30_000, 300);
/**
 * Events each process handles before its measured run (raw client, Vaultwire worker,
 * BullMQ worker alike): every run starts a fresh process, and its first thousands of
 * requests run in V8's slower tiers and fill connection pools. Unmeasured, that start-up
 * cost weighed most on the shortest runs, i.e. the fastest systems.
 */
const WARMUP = setting('BENCH_WARMUP', 5_000, 100);
const ROUNDS = setting('BENCH_ROUNDS', 3, 1);
/** How long each latency run is paced. */
const PACED_MS = SMOKE ? 1000 : 4000;
/** Addresses the memory run's worker watches (matcher-worker.ts's blocks hit 1..10,100). */
const WATCHED = SMOKE ? 20_000 : 1_000_000;
const round_ = (v: number) => Math.round(v);
const CONCURRENCY = 64;
const BASE_URL = process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
const MASTER_KEY = Buffer.alloc(32, 7).toString('base64');
const repo = fileURLToPath(new URL('../../', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));
const tag = Date.now().toString(36);
const dbName = `vw_bench_wh_${tag}`;
const stream = `VW_BENCH_${tag.toUpperCase()}`;

function withDb(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}
const dbUrl = withDb(BASE_URL, dbName);

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: BASE_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** utime + stime of a process, in seconds (Linux /proc). */
function cpuOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Busy CPU-seconds of the whole machine so far (all cores). */
function machineCpu(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  const total = v.reduce((a, b) => a + b, 0);
  return (total - idle) / 100;
}

/**
 * CPU-seconds so far of the servers by name (all PostgreSQL backends, nats-server,
 * redis-server). They are shared with whatever else runs on the host: approximate.
 */
function serverCpu(): Record<string, number> {
  const out: Record<string, number> = { postgres: 0, 'nats-server': 0, 'redis-server': 0 };
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const comm = readFileSync(`/proc/${d}/comm`, 'utf8').trim();
      if (comm in out) out[comm] = (out[comm] ?? 0) + cpuOf(Number(d));
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

function cpuDelta(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.keys(a).map((k) => [k, round((b[k] ?? 0) - (a[k] ?? 0), 2)]));
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

// --- the receiver process ---------------------------------------------------------
interface RxStats {
  count: number;
  unique: number;
  duplicates: number;
  p50: number;
  p99: number;
}
const receiver = fork(join(here, 'receiver.ts'), [], {
  execArgv: ['--import', 'tsx'],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
function ask<T>(child: ChildProcess, cmd: string, key: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (msg: Record<string, unknown>) => {
      if (key in msg) {
        child.off('message', on);
        resolve(msg[key] as T);
      }
    };
    child.on('message', on);
    child.send({ cmd });
  });
}
const rxPort = await new Promise<number>((resolve) => {
  receiver.once('message', (m: { ready: number }) => {
    resolve(m.ready);
  });
});
const rxUrl = `http://127.0.0.1:${rxPort}/hook`;
const rxStats = () => ask<RxStats>(receiver, 'stats', 'stats');
const rxReset = () => ask<boolean>(receiver, 'reset', 'reset');

interface Result {
  deliveriesPerSecond: number;
  seconds: number;
  /** The same run timed to the driver's poll that saw it complete (upper bound). */
  polledSeconds?: number;
  delivered: number;
  workerCpuSeconds: number;
  deliveriesPerWorkerCpuSecond: number;
  machineCpuSeconds: number;
  /** CPU-seconds of PostgreSQL, NATS and Redis server processes over the throughput run. */
  serverCpuSeconds?: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
  pacedRate: number;
  duplicates: number;
  lost: number;
}

function payload(i: number, prefix: string): { id: string; body: string } {
  const id = `evt_${prefix}_${i}`;
  return {
    id,
    body: JSON.stringify({
      id,
      type: 'payment.completed',
      created_ms: Date.now(),
      data: { n: i, amount: '12.50', currency: 'USD', account: 'acct_0123456789' },
    }),
  };
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(100);
  }
  return false;
}

// --- (a) raw ceiling ----------------------------------------------------------------
async function raw(): Promise<Result> {
  const child = fork(
    join(here, 'raw.ts'),
    [rxUrl, String(N), String(CONCURRENCY), String(WARMUP)],
    { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  // It warms up, then waits for the counters to be reset before its measured run.
  await new Promise<void>((resolve) => {
    child.once('message', () => {
      resolve();
    });
  });
  await rxReset();
  const m0 = machineCpu();
  child.send({ cmd: 'go' });
  const done = await new Promise<{
    count: number;
    seconds: number;
    cpuSeconds: number;
    p50: number;
    p99: number;
  }>((resolve) => {
    child.once('message', (m: { done: never }) => {
      resolve(m.done);
    });
  });
  const s = await rxStats();
  return {
    deliveriesPerSecond: done.count / done.seconds,
    seconds: done.seconds,
    delivered: s.unique,
    workerCpuSeconds: done.cpuSeconds,
    deliveriesPerWorkerCpuSecond: done.count / done.cpuSeconds,
    machineCpuSeconds: machineCpu() - m0,
    p50Ms: done.p50,
    p99Ms: done.p99,
    pacedRate: 0,
    duplicates: s.duplicates,
    lost: done.count - s.unique,
  };
}

// --- (b) Vaultwire ------------------------------------------------------------------
function env(engine: 'postgres' | 'nats'): Record<string, string> {
  return {
    DATABASE_URL: dbUrl,
    VW_DATA_DIR: mkdtempSync(join(tmpdir(), 'vw-bench-wh-')),
    VW_MASTER_KEY: MASTER_KEY,
    LOG_LEVEL: 'warn',
    VW_WEBHOOK_ENGINE: engine,
    NATS_URL,
    VW_WEBHOOK_NATS_STREAM: stream,
    VW_WEBHOOK_SSRF_ALLOW: '127.0.0.1/32',
    VW_WEBHOOK_POLL_MS: '50',
    VW_WEBHOOK_CONCURRENCY: String(CONCURRENCY * 4),
    VW_WEBHOOK_ENDPOINT_IN_FLIGHT: String(CONCURRENCY),
    VW_DB_POOL_MAX: '10',
  };
}

function startWorker(engine: 'postgres' | 'nats', name: string): Promise<ChildProcess> {
  // BENCH_PROFILE=dir: a V8 CPU profile of each worker there. It samples wall-clock time,
  // so on a busy two-core host it charges a process's waits for a core to whatever it was
  // running (a socket write that woke the receiver looks expensive). BENCH_PERF=1 instead
  // emits JIT symbols for Linux `perf record -p <pid>`, which counts CPU time only.
  // BENCH_NODE_FLAGS: extra node flags for the workers (space-separated), for experiments.
  const profile = process.env['BENCH_PROFILE'];
  const flags = [
    ...(profile ? [`--cpu-prof`, `--cpu-prof-dir=${profile}`] : []),
    ...(process.env['BENCH_PERF'] ? ['--perf-basic-prof'] : []),
    ...(process.env['BENCH_NODE_FLAGS'] ?? '').split(' ').filter(Boolean),
  ];
  const child = spawn(
    process.execPath,
    [...flags, '--import', 'tsx', 'src/bin/vaultwire.ts', 'start'],
    {
      cwd: repo,
      env: {
        PATH: process.env['PATH'] ?? '',
        ...env(engine),
        LOG_LEVEL: 'info',
        VW_ROLES: 'delivery',
        VW_INSTANCE_ID: name,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    // Under tsx on a loaded two-core host a worker has taken over a minute to start.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`worker ${name} did not start within 3 minutes`));
    }, 180_000);
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('webhook delivery running')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
  });
}

async function stopWorker(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

async function countDelivered(vw: Vaultwire, endpointId: string): Promise<number> {
  const { rows } = await vw.db.query<{ n: bigint }>(
    `SELECT count(*) AS n FROM webhook_messages WHERE endpoint_id = $1 AND state = 'delivered'`,
    [endpointId],
  );
  return Number(rows[0]?.n ?? 0n);
}

/** When the endpoint's newest outcome was recorded (epoch ms, the database's clock). */
async function lastDeliveredMs(vw: Vaultwire, endpointId: string): Promise<number> {
  const { rows } = await vw.db.query<{ ms: number | null }>(
    `SELECT (extract(epoch FROM max(delivered_at)) * 1000)::float8 AS ms
       FROM webhook_messages WHERE endpoint_id = $1 AND state = 'delivered'`,
    [endpointId],
  );
  return rows[0]?.ms ?? 0;
}

/**
 * A throughput run's duration: from the first event in to the newest outcome recorded,
 * as the system under test timestamped it (Vaultwire: the outcome rows' `delivered_at`;
 * BullMQ: its worker's last `completed` event), rather than to the driver's next 100 ms
 * poll, which charged a run of ~3 s up to 10 % and one of ~6 s half as much. Same host,
 * same clock. `delivered_at` is its flush's statement time, a few ms before the commit
 * (a flush of 500 rows takes ~10 ms): Vaultwire's end is early by at most that, under
 * 0.5 % of a run. Falls back to the polled time if the stamp is missing or out of range.
 */
function exactSeconds(t0Ms: number, endMs: number, polledSeconds: number): number {
  const s = (endMs - t0Ms) / 1000;
  return s > 0 && s <= polledSeconds ? s : polledSeconds;
}

async function produce(
  vw: Vaultwire,
  endpointId: string,
  from: number,
  count: number,
  prefix: string,
) {
  const batch = 1000;
  const lanes = 2;
  let next = from;
  const end = from + count;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < end) {
        const start = next;
        next = Math.min(end, next + batch);
        const items = [];
        for (let i = start; i < next; i++) {
          const p = payload(i, prefix);
          items.push({ endpointId, eventId: p.id, eventType: 'payment.completed', body: p.body });
        }
        await vw.webhooks.ingest.createMessages(items);
      }
    }),
  );
}

async function vaultwire(
  engine: 'postgres' | 'nats',
  workers = 1,
): Promise<Result & { shares?: Record<string, number> }> {
  const config = loadConfig({ env: { ...env(engine), VW_ROLES: 'api' } });
  const vw = await buildVaultwire({ config, migrate: false });
  const children: ChildProcess[] = [];
  try {
    const created = await vw.webhooks.endpoints.create(
      { userId: `usr_bench_${engine}_${workers}`, staff: true },
      { url: rxUrl, eventTypes: ['payment.completed'] },
    );
    if (isFailure(created)) throw new Error(created.code);
    const endpointId = created.endpoint.id;
    for (let w = 0; w < workers; w++)
      children.push(await startWorker(engine, `bench-${engine}-${workers}-${w}`));
    // The creation ping goes first; then a clean slate.
    await waitUntil(async () => (await countDelivered(vw, endpointId)) >= 1, 30_000);
    await rxReset();
    await produce(vw, endpointId, 0, WARMUP, `${engine}${workers}w`);
    await waitUntil(async () => (await rxStats()).unique >= WARMUP, 120_000);
    await waitUntil(async () => (await countDelivered(vw, endpointId)) >= WARMUP + 1, 120_000);
    await rxReset();
    const before = WARMUP + 1; // the ping and the warm-up
    const cpu0 = children.map((c) => cpuOf(c.pid ?? 0));
    const rx0 = cpuOf(receiver.pid ?? 0);
    const own0 = process.cpuUsage();
    const m0 = machineCpu();
    const s0 = serverCpu();
    const t0 = performance.now();
    const t0Ms = Date.now();
    await produce(vw, endpointId, 0, N, `${engine}${workers}`);
    // The receiver's count first (an IPC round trip), then the recorded outcomes: counting
    // rows every 100 ms from the start would itself cost PostgreSQL CPU the run is
    // measuring (a scan of the endpoint's rows per poll).
    const complete =
      (await waitUntil(async () => (await rxStats()).unique >= N, 300_000)) &&
      (await waitUntil(async () => (await countDelivered(vw, endpointId)) >= N + before, 300_000));
    const polledSeconds = (performance.now() - t0) / 1000;
    const seconds = exactSeconds(t0Ms, await lastDeliveredMs(vw, endpointId), polledSeconds);
    const workerCpu = children.reduce((a, c, i) => a + cpuOf(c.pid ?? 0) - (cpu0[i] ?? 0), 0);
    const machine = machineCpu() - m0;
    const servers = cpuDelta(s0, serverCpu());
    servers['receiver'] = round(cpuOf(receiver.pid ?? 0) - rx0, 2);
    const own = process.cpuUsage(own0);
    servers['ingest (this process)'] = round((own.user + own.system) / 1e6, 2);
    const s = await rxStats();
    const delivered = (await countDelivered(vw, endpointId)) - before;
    if (!complete)
      console.warn(
        `  ${engine}: only ${delivered} of ${N} outcomes recorded before the time limit`,
      );
    const rate = delivered / seconds;

    // Latency, paced at half the throughput.
    await rxReset();
    const paced = Math.max(100, Math.floor(rate / 2));
    const tick = 50;
    const perTick = Math.max(1, Math.round((paced * tick) / 1000));
    let sent = 0;
    const until = performance.now() + PACED_MS;
    while (performance.now() < until) {
      const t = performance.now();
      await produce(vw, endpointId, N + sent, perTick, `${engine}${workers}p`);
      sent += perTick;
      await sleep(Math.max(0, tick - (performance.now() - t)));
    }
    await waitUntil(async () => (await rxStats()).unique >= sent, 60_000);
    const lat = await rxStats();

    let shares: Record<string, number> | undefined;
    if (workers > 1) {
      const { rows } = await vw.db.query<{ worker: string; n: bigint }>(
        `SELECT last_worker AS worker, count(*) AS n FROM webhook_messages
          WHERE endpoint_id = $1 AND state = 'delivered' AND event_id LIKE $2 GROUP BY last_worker`,
        // The measured run's events only (not the warm-up's nor the paced run's).
        [endpointId, `evt\\_${engine}${workers}\\_%`],
      );
      shares = Object.fromEntries(rows.map((r) => [r.worker, Number(r.n)]));
    }
    for (const c of children.splice(0)) await stopWorker(c);
    return {
      deliveriesPerSecond: rate,
      seconds,
      polledSeconds,
      delivered,
      workerCpuSeconds: workerCpu,
      deliveriesPerWorkerCpuSecond: delivered / workerCpu,
      machineCpuSeconds: machine,
      serverCpuSeconds: servers,
      p50Ms: lat.p50,
      p99Ms: lat.p99,
      pacedRate: paced,
      duplicates: s.duplicates,
      lost: N - s.unique,
      ...(shares ? { shares } : {}),
    };
  } finally {
    // A run that failed halfway must not leave its workers running.
    for (const c of children) if (c.exitCode === null && c.signalCode === null) await stopWorker(c);
    await vw.stop('bench');
  }
}

// --- (c) BullMQ baseline --------------------------------------------------------------
async function bullmq(): Promise<Result> {
  const queueName = `vw-bench-${tag}`;
  const connection = { host: '127.0.0.1', port: Number(process.env['BENCH_REDIS_PORT'] ?? 6379) };
  const queue = new Queue(queueName, { connection });
  const worker = fork(join(here, 'bullmq-worker.ts'), [queueName, rxUrl, String(CONCURRENCY)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve) => {
    worker.once('message', () => {
      resolve();
    });
  });
  const add = async (from: number, count: number, prefix: string) => {
    for (let i = from; i < from + count; i += 1000) {
      const jobs = [];
      for (let j = i; j < Math.min(from + count, i + 1000); j++) {
        const p = payload(j, prefix);
        jobs.push({
          name: 'deliver',
          data: p,
          opts: {
            jobId: p.id,
            removeOnComplete: true,
            attempts: 10,
            backoff: { type: 'exponential', delay: 5000 },
          },
        });
      }
      await queue.addBulk(jobs);
    }
  };
  /** Until the receiver has `count` distinct requests and no job waits or runs. */
  const drained = (count: number, timeoutMs: number) =>
    waitUntil(async () => {
      const c = await queue.getJobCounts('wait', 'active', 'delayed');
      return (
        (await rxStats()).unique >= count &&
        (c['wait'] ?? 0) + (c['active'] ?? 0) + (c['delayed'] ?? 0) === 0
      );
    }, timeoutMs);
  try {
    await rxReset();
    await add(0, WARMUP, 'bullw');
    await drained(WARMUP, 120_000);
    await rxReset();
    const cpu0 = await ask<number>(worker, 'cpu', 'cpu');
    const rx0 = cpuOf(receiver.pid ?? 0);
    const own0 = process.cpuUsage();
    const m0 = machineCpu();
    const s0 = serverCpu();
    const t0 = performance.now();
    const t0Ms = Date.now();
    await add(0, N, 'bull');
    await drained(N, 300_000);
    const polledSeconds = (performance.now() - t0) / 1000;
    const seconds = exactSeconds(t0Ms, await ask<number>(worker, 'last', 'last'), polledSeconds);
    const cpu = (await ask<number>(worker, 'cpu', 'cpu')) - cpu0;
    const machine = machineCpu() - m0;
    const servers = cpuDelta(s0, serverCpu());
    servers['receiver'] = round(cpuOf(receiver.pid ?? 0) - rx0, 2);
    const own = process.cpuUsage(own0);
    servers['producer (this process)'] = round((own.user + own.system) / 1e6, 2);
    const s = await rxStats();
    const rate = s.unique / seconds;

    await rxReset();
    const paced = Math.max(100, Math.floor(rate / 2));
    const perTick = Math.max(1, Math.round(paced / 20));
    let sent = 0;
    const until = performance.now() + PACED_MS;
    while (performance.now() < until) {
      const t = performance.now();
      await add(N + sent, perTick, 'bullp');
      sent += perTick;
      await sleep(Math.max(0, 50 - (performance.now() - t)));
    }
    await waitUntil(async () => (await rxStats()).unique >= sent, 60_000);
    const lat = await rxStats();
    return {
      deliveriesPerSecond: rate,
      seconds,
      polledSeconds,
      delivered: s.unique,
      workerCpuSeconds: cpu,
      deliveriesPerWorkerCpuSecond: s.unique / cpu,
      machineCpuSeconds: machine,
      serverCpuSeconds: servers,
      p50Ms: lat.p50,
      p99Ms: lat.p99,
      pacedRate: paced,
      duplicates: s.duplicates,
      lost: N - s.unique,
    };
  } finally {
    worker.send({ cmd: 'exit' });
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
}

// --- memory of a worker watching 1,000,000 addresses ------------------------------------
async function matcherMemory(): Promise<{
  rssMb: number;
  /** Measured on the compiled tree (true) or under tsx. */
  compiled: boolean;
  baselineRssMb: number;
  addresses: number;
  blocks: number;
  matched: number;
}> {
  const db = await openDb({ databaseUrl: dbUrl, poolMax: 2 });
  try {
    const endpoint = 'whe_bench_memory';
    await db.query(
      `INSERT INTO webhook_endpoints (id, owner_id, url, event_types) VALUES ($1, 'usr_bench', $2, ARRAY['address.activity'])`,
      [endpoint, rxUrl],
    );
    await db.transaction(async () => {
      await db.query('SELECT pg_advisory_xact_lock(7263040)');
      const { rows } = await db.query<{ seq: bigint }>(
        `INSERT INTO webhook_changes (entity, entity_id) VALUES ('subscription', 'wsub_bench_memory') RETURNING seq`,
      );
      await db.query(
        `INSERT INTO webhook_subscriptions (id, endpoint_id, owner_id, kind, chain_key, address_count)
         VALUES ('wsub_bench_memory', $1, 'usr_bench', 'address_activity', 'eth', $2)`,
        [endpoint, WATCHED],
      );
      await db.query(
        `INSERT INTO webhook_watch_items (subscription_id, item, from_block, change_seq)
         SELECT 'wsub_bench_memory', '0x' || lpad(to_hex(g), 40, '0'), 0, $1
           FROM generate_series(1, $2::int) g`,
        [rows[0]?.seq, WATCHED],
      );
    });
  } finally {
    await db.close();
  }
  // Measured as production runs it: compiled JavaScript under plain node (tsx keeps
  // every module's source map in memory, some 100 MB more). Falls back to tsx when the
  // tree does not build right now.
  const built = spawnSync(
    process.execPath,
    [join(repo, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: repo,
      encoding: 'utf8',
    },
  );
  const compiled = built.status === 0;
  if (!compiled) console.warn(`  build failed, measuring under tsx instead:\n${built.stdout}`);
  const workerEnv = { ...process.env, ...env('postgres'), VW_ROLES: 'worker' };
  const child = compiled
    ? spawn(process.execPath, ['--input-type=module', '-e', matcherWorkerJs(join(repo, 'dist'))], {
        env: workerEnv,
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      })
    : fork(join(here, 'matcher-worker.ts'), [], {
        execArgv: ['--import', 'tsx'],
        env: workerEnv,
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
  const r = await new Promise<{
    baselineRssMb: number;
    addresses: number;
    blocks: number;
    matched: number;
  }>((resolve) => {
    child.once('message', (m: { done: never }) => {
      resolve(m.done);
    });
  });
  const rss = rssMb(child.pid ?? 0);
  child.send({ cmd: 'exit' });
  return { rssMb: rss, compiled, ...r };
}

/** matcher-worker.ts as plain JavaScript over the compiled tree (same steps). */
function matcherWorkerJs(dist: string): string {
  const worker = readFileSync(join(here, 'matcher-worker.ts'), 'utf8');
  return (
    worker
      .replace(/^import type .*$/gm, '')
      // Every import of the source tree, whatever module it names, from the compiled one.
      .replace(/'\.\.\/\.\.\/src\/([^']+)'/g, (_m, path: string) =>
        JSON.stringify(`${dist}/${path}`),
      )
      .replace(/: ChainBlockNotice/g, '')
      .replace(/ as const/g, '')
  );
}

// --- run ---------------------------------------------------------------------------------
const load0 = loadavg();
announceSmoke('webhook delivery against raw undici and BullMQ');
console.log(
  `webhooks benchmark: N=${N} events per run, ${cpus().length} cores, load average ${load0.map((l) => l.toFixed(2)).join(' ')} (shared machine)`,
);
await admin(`CREATE DATABASE "${dbName}"`);
try {
  const mdb = await openDb({ databaseUrl: dbUrl, poolMax: 1 });
  await migrate(mdb, { sources: migrationSources() });
  await mdb.close();

  // BENCH_ONLY=raw|postgres|nats|bullmq|memory: one run, for profiling (nothing written).
  const only = process.env['BENCH_ONLY'];
  if (only === 'postgres' || only === 'nats') {
    console.log(JSON.stringify(await vaultwire(only), null, 2));
  } else if (only === 'raw') {
    console.log(JSON.stringify(await raw(), null, 2));
  } else if (only === 'bullmq') {
    console.log(JSON.stringify(await bullmq(), null, 2));
  } else if (only === 'memory') {
    console.log(JSON.stringify(await matcherMemory(), null, 2));
  } else {
    await full();
  }
} finally {
  receiver.send({ cmd: 'exit' });
  await admin(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch(() => undefined);
  const nc = await natsConnect({ servers: NATS_URL }).catch(() => undefined);
  if (nc) {
    await (await jetstreamManager(nc)).streams.delete(stream).catch(() => false);
    await nc.close();
  }
}
process.exit(process.exitCode ?? 0);

/** The run with the median throughput (its other figures come with it). */
function median<T extends { deliveriesPerSecond: number }>(runs: T[]): T {
  const sorted = [...runs].sort((x, y) => x.deliveriesPerSecond - y.deliveriesPerSecond);
  const m = sorted[Math.floor(sorted.length / 2)];
  if (!m) throw new Error('no runs');
  return m;
}

async function full(): Promise<void> {
  // This host's speed moves by ±20 % from one run to the next (a shared machine):
  // rounds interleave the four runs so drift hits them alike, and each figure printed is
  // its median round.
  const runs: { a: Result[]; pg: Result[]; nats: Result[]; bull: Result[] } = {
    a: [],
    pg: [],
    nats: [],
    bull: [],
  };
  for (let round = 1; round <= ROUNDS; round++) {
    console.log(`round ${round} of ${ROUNDS}`);
    console.log('  (a) raw ceiling: undici → receiver');
    runs.a.push(await raw());
    console.log('  (b) Vaultwire, PostgreSQL engine, 1 delivery worker');
    runs.pg.push(await vaultwire('postgres'));
    console.log('  (b) Vaultwire, NATS JetStream engine, 1 delivery worker');
    runs.nats.push(await vaultwire('nats'));
    console.log('  (c) BullMQ on Redis + undici worker');
    runs.bull.push(await bullmq());
    const last = (r: Result[]) => round_(r[r.length - 1]?.deliveriesPerSecond ?? 0);
    console.log(
      `  deliveries/s this round: raw ${last(runs.a)}, PostgreSQL ${last(runs.pg)}, NATS ${last(runs.nats)}, BullMQ ${last(runs.bull)}`,
    );
  }
  const a = median(runs.a);
  const bPg = median(runs.pg);
  const bNats = median(runs.nats);
  const c = median(runs.bull);
  console.log('two NATS delivery workers on one load');
  const two = await vaultwire('nats', 2);
  console.log(
    `memory: a worker matching blocks against ${WATCHED.toLocaleString('en')} watched addresses`,
  );
  const mem = await matcherMemory();

  const row = (name: string, r: Result) => [
    name,
    round(r.deliveriesPerSecond, 0).toString(),
    round(r.p50Ms, 1).toString(),
    round(r.p99Ms, 1).toString(),
    round(r.deliveriesPerWorkerCpuSecond, 0).toString(),
    round(1e6 / r.deliveriesPerWorkerCpuSecond, 0).toString(),
    round(r.workerCpuSeconds, 2).toString(),
    round(r.machineCpuSeconds, 1).toString(),
    String(r.lost),
    String(r.duplicates),
  ];
  console.log(
    `\n${table([
      [
        'run',
        'deliveries/s',
        'p50 ms',
        'p99 ms',
        'per worker CPU-s',
        'worker µs each',
        'worker CPU-s',
        'machine CPU-s',
        'lost',
        'dup',
      ],
      row('(a) raw undici', a),
      row('(b) Vaultwire PostgreSQL', bPg),
      row('(b) Vaultwire NATS', bNats),
      row('(c) BullMQ + undici', c),
      row('two NATS workers', two),
    ])}`,
  );
  // Ratios are paired: each round's runs ran minutes apart on the same host state, so
  // the ratio is taken per round and its median reported (a ratio of independent medians
  // would pair one round's raw run with another round's Vaultwire run).
  const paired = (x: Result[], y: Result[], f: (r: Result) => number) =>
    x.map((r, i) => f(r) / f(y[i] ?? r)).sort((p, q) => p - q)[Math.floor(x.length / 2)] ?? 0;
  const perSecond = (r: Result) => r.deliveriesPerSecond;
  const perCpu = (r: Result) => r.deliveriesPerWorkerCpuSecond;
  const ratio = {
    natsOfRaw: paired(runs.nats, runs.a, perSecond),
    natsOverBullmq: paired(runs.nats, runs.bull, perSecond),
    pgOfRaw: paired(runs.pg, runs.a, perSecond),
    pgOverBullmq: paired(runs.pg, runs.bull, perSecond),
    natsCpuEfficiencyOverBullmq: paired(runs.nats, runs.bull, perCpu),
    // The bound on the two ratios above: the raw run has no queue, no database and no
    // signing, so no queue-backed sender on this host can beat BullMQ by more than this
    // (the receiver's CPU, shared with everything else, weighs on both alike).
    rawOverBullmq: paired(runs.a, runs.bull, perSecond),
  };
  console.log(
    `\nper round, NATS/raw: ${runs.nats.map((r, i) => `${round_((r.deliveriesPerSecond / (runs.a[i]?.deliveriesPerSecond ?? 1)) * 100)} %`).join(', ')}; ` +
      `NATS/BullMQ: ${runs.nats.map((r, i) => `${(r.deliveriesPerSecond / (runs.bull[i]?.deliveriesPerSecond ?? 1)).toFixed(2)}×`).join(', ')}`,
  );
  const floors = {
    natsAtLeast35PercentOfRaw: ratio.natsOfRaw >= 0.35,
    natsAtLeast1point5xBullmqPerWorkerCpuSecond: ratio.natsCpuEfficiencyOverBullmq >= 1.5,
    memoryUnder300MbFor1MAddresses: mem.rssMb < 300,
    twoWorkersNothingLostOrDoubled: two.lost === 0 && two.duplicates === 0,
  };
  console.log(
    `ratios (median of the rounds' ratios): NATS/raw ${round(ratio.natsOfRaw * 100, 1)} % (floor 35 %), NATS/BullMQ ${round(ratio.natsOverBullmq, 2)}×, ` +
      `PostgreSQL/raw ${round(ratio.pgOfRaw * 100, 1)} %, PostgreSQL/BullMQ ${round(ratio.pgOverBullmq, 2)}×, ` +
      `NATS/BullMQ per worker CPU-second ${round(ratio.natsCpuEfficiencyOverBullmq, 2)}× (floor 1.5×); ` +
      `raw/BullMQ ${round(ratio.rawOverBullmq, 2)}× (the ceiling of any ratio over BullMQ on this host)`,
  );
  console.log(
    `server CPU-s over the throughput runs (whole processes, shared host): PostgreSQL engine ${JSON.stringify(bPg.serverCpuSeconds)}, ` +
      `NATS engine ${JSON.stringify(bNats.serverCpuSeconds)}, BullMQ ${JSON.stringify(c.serverCpuSeconds)}`,
  );
  console.log(
    `latency p50/p99 measured paced at half the throughput: PostgreSQL ${bPg.pacedRate}/s, NATS ${bNats.pacedRate}/s, BullMQ ${c.pacedRate}/s`,
  );
  console.log(
    `two workers: shares ${JSON.stringify(two.shares)}, lost ${two.lost}, duplicates ${two.duplicates}`,
  );
  console.log(
    `memory: worker RSS ${round(mem.rssMb, 0)} MB with ${mem.addresses} watched addresses (${mem.compiled ? 'compiled build, plain node' : 'under tsx'}; same process before loading: ${round(mem.baselineRssMb, 0)} MB), ${mem.blocks} blocks matched, ${mem.matched} matches`,
  );
  console.log(SMOKE ? 'floors: not checked in a smoke run' : `floors: ${JSON.stringify(floors)}`);
  // Losing or doubling a delivery is wrong at any size and on any host: it fails the run.
  const runsByName: [string, Result][] = [
    ['raw', a],
    ['PostgreSQL', bPg],
    ['NATS', bNats],
    ['BullMQ', c],
    ['two NATS workers', two],
  ];
  const broken = runsByName.filter(
    ([, r]) => r.lost !== 0 || r.duplicates !== 0 || r.delivered === 0,
  );
  for (const [name] of broken) console.log(`FAIL  ${name}: lost, doubled or delivered nothing`);
  if (mem.matched === 0) console.log('FAIL  memory run: the matcher matched nothing');
  if (broken.length > 0 || mem.matched === 0) process.exitCode = 1;
  const load1 = loadavg();
  console.log(`load average at the end: ${load1.map((l) => l.toFixed(2)).join(' ')}`);
  const results = {
    when: new Date().toISOString(),
    n: N,
    rounds: runs,
    cores: cpus().length,
    loadAverageStart: load0,
    loadAverageEnd: load1,
    raw: a,
    vaultwirePostgres: bPg,
    vaultwireNats: bNats,
    bullmq: c,
    twoNatsWorkers: two,
    memory: mem,
    ratios: ratio,
    floors,
  };
  mkdirSync(join(repo, 'bench/results'), { recursive: true });
  const file = `bench/results/${resultsFile('webhooks')}`;
  writeFileSync(join(repo, file), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`wrote ${file}`);
}
