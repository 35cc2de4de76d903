/**
 * `npm run bench:api`: what the API's users get, measured from outside.
 *
 * A real server process (`vaultwire start --roles api`, default settings except lifted
 * per-user limits and rate limits) runs on a fresh PostgreSQL database, and then on the
 * embedded PGlite. A separate load process (bench/api/load.ts, undici keep-alive
 * connections) drives it at 8, 32 and 64 concurrent connections. Each connection acts
 * for its own funded user (many distinct users with one request in flight each, as a
 * wallet's API sees them); counterparties are random. Per route it reports requests/s,
 * p50/p99 latency of an operation, the server process's CPU per request (from
 * /proc/<pid>/stat) and the machine's idle share while measuring (from /proc/stat).
 *
 * Routes (an operation is one request unless said):
 * - payment: POST /v1/payments 0.01 USD to a random user, a fresh Idempotency-Key each;
 * - payment-unkeyed: the same payment without an Idempotency-Key (what the key costs);
 * - balances: GET /v1/wallet/balances with a session token;
 * - login: POST /v1/sessions (password hashing: scrypt, CPU-bound by design);
 * - history: GET /v1/wallet/history?limit=20;
 * - quote-execute: POST /v1/quotes (1.00 USD → BTC) then POST /v1/quotes/{id}/execute (2);
 * - payment-request: POST /v1/payment_requests, then the asked user pays it (2);
 * - webhook-endpoints: GET /v1/webhook_endpoints and GET /v1/webhook_endpoints/{id} (2).
 *
 * Baselines in the same run, on the same PostgreSQL server: pgbench's TPC-B-like
 * transaction at the same client counts; the ledger's in-process transfer rate
 * (ledger.transfer from 512 concurrent callers through N database sessions, as
 * bench:ledger measures it); and GET /livez, the HTTP ceiling of the server process.
 *
 * Floors (PostgreSQL): payments >= 50 % of pgbench tps at 32 and 64 clients with
 * p99 <= 200 ms (a payment does about twice a TPC-B transaction's work); server CPU
 * <= 1 ms per payment; balance reads >= 3,000/s at 32 clients; payments/s rising from
 * 8 to 32 to 64 clients unless the machine is already busy (idle < 10 %).
 *
 * Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres),
 * BENCH_SECONDS per measurement (default 5), BENCH_CLIENTS (default 8,32,64),
 * BENCH_USERS (default 64), BENCH_ROUTES (comma-separated subset), BENCH_PGLITE=0 to skip
 * the embedded run, PGBENCH (default pgbench), BENCH_PGBENCH_SCALE (default 32),
 * BENCH_SMOKE=1: a few seconds in all, tiny workload, for CI (floors printed, not
 * enforced); BENCH_JIT_WARMUP_SECONDS (default 6), how long each route runs unmeasured on
 * a fresh server before its first figure; BENCH_COMPARE_TREE, another checkout measured in turn with this one (see
 * COMPARE_TREE). Results go to stdout and bench/results/api.json.
 */
import { migrationSources } from '../../src/migrations.js';
import { adminSql, withDatabase } from '../lib/database.js';
import { databaseCpu, processCpuSeconds } from '../lib/proc-cpu.js';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createLedgerService } from '../../src/ledger/service.js';
import { openDb } from '../../src/platform/db/drivers.js';
import { migrate } from '../../src/platform/db/migrate.js';
import { freePort } from '../../test/support/ports.js';
import { REPO_ROOT, spawnVaultwire, type VaultwireProcess } from '../../test/support/process.js';
import { pgbenchInit, pgbenchTps } from '../lib/pgbench.js';
import { round, table } from '../lib/stats.js';
import type { BenchUser, LoadResult, LoadSpec, Operation } from './load.js';

const SMOKE = process.env['BENCH_SMOKE'] === '1';
const ADMIN_URL =
  process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? (SMOKE ? 0.5 : 5));
const WARMUP_MS = SMOKE ? 200 : 1000;
/**
 * A fresh server compiles its hot code while the first figures are taken: in a `perf`
 * profile of the first payment phase (8 clients), V8's optimising compiler was 14 % of
 * the server's CPU. A server in service has long done that, so each route first runs
 * unmeasured for this long at the largest client count, and every figure is a warm one.
 */
const JIT_WARMUP_SECONDS = Number(process.env['BENCH_JIT_WARMUP_SECONDS'] ?? (SMOKE ? 0 : 6));
const CLIENTS = (process.env['BENCH_CLIENTS'] ?? (SMOKE ? '2' : '8,32,64')).split(',').map(Number);
const USERS = Number(process.env['BENCH_USERS'] ?? (SMOKE ? 4 : 64));
const PGBENCH = process.env['PGBENCH'] ?? 'pgbench';
const PGBENCH_SCALE = Number(process.env['BENCH_PGBENCH_SCALE'] ?? (SMOKE ? 1 : 32));
const WITH_PGLITE = process.env['BENCH_PGLITE'] !== '0';
const LEDGER_CALLERS = SMOKE ? 16 : 512;
const PASSWORD = 'correct horse battery staple';
/** Bounds every load loop, whatever the speed. */
const MAX_PER_CONNECTION = 200_000;

const ALL_ROUTES: Operation[] = [
  'payment',
  'payment-unkeyed',
  'balances',
  'login',
  'history',
  'quote-execute',
  'payment-request',
  'webhook-endpoints',
];
const ROUTES: Operation[] = process.env['BENCH_ROUTES']
  ? (process.env['BENCH_ROUTES'].split(',') as Operation[])
  : ALL_ROUTES;
/** On the embedded database: the two headline routes. */
const PGLITE_ROUTES: Operation[] = ['payment', 'balances'];

const FLOORS = {
  paymentShareOfPgbench: 0.5,
  paymentP99Ms: 200,
  cpuMsPerPayment: 1,
  balances: 3000,
};

// --- measuring the machine -------------------------------------------------------------

/**
 * Write system calls the process has made so far: one per database statement sent and
 * one per HTTP response, so per request it counts round trips, a figure the machine's
 * load does not blur.
 */
function processWrites(pid: number): number {
  const m = /^syscw:\s*(\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
  return Number(m?.[1] ?? Number.NaN);
}

function cpuDelta(begin: Map<number, number>, end: Map<number, number>): number {
  let sum = 0;
  for (const [pid, cpu] of end) sum += cpu - (begin.get(pid) ?? 0);
  return sum;
}

/** Idle (idle + iowait) and total jiffies of the whole machine. */
function machineJiffies(): { idle: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return { idle: (v[3] ?? 0) + (v[4] ?? 0), total };
}

// --- one measurement -------------------------------------------------------------------

interface Measurement extends LoadResult {
  backend: 'postgres' | 'pglite';
  requestsPerSec: number;
  opsPerSec: number;
  serverCpuMsPerRequest: number;
  /** Server write system calls per request (database statements + the response). */
  serverWritesPerRequest: number;
  /** Server process CPU, in cores (1 = one core busy). */
  serverCores: number;
  /** CPU of the database backends serving this server's database, per request. */
  databaseCpuMsPerRequest: number;
  /** CPU of the load process itself, per request (it shares the machine). */
  loadCpuMsPerRequest: number;
  machineIdle: number;
}

function runLoad(
  backend: 'postgres' | 'pglite',
  serverPid: number,
  spec: LoadSpec,
  database: string | undefined,
): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/api/load.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, BENCH_LOAD: JSON.stringify(spec) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    let begin:
      | {
          cpu: number;
          writes: number;
          machine: { idle: number; total: number };
          db: Map<number, number>;
          load: number;
        }
      | undefined;
    let end: typeof begin;
    const reading = () => ({
      cpu: processCpuSeconds(serverPid),
      writes: processWrites(serverPid),
      machine: machineJiffies(),
      db: database === undefined ? new Map<number, number>() : databaseCpu(database),
      load: child.pid === undefined ? Number.NaN : processCpuSeconds(child.pid),
    });
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (!begin && out.includes('measuring\n')) begin = reading();
      if (!end && out.includes('done\n')) end = reading();
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !begin || !end || !last.startsWith('{')) {
        reject(new Error(`load process failed (${code}):\n${out}`));
        return;
      }
      const r = JSON.parse(last) as LoadResult;
      const cpu = end.cpu - begin.cpu;
      const total = end.machine.total - begin.machine.total;
      resolve({
        ...r,
        backend,
        requestsPerSec: r.requests / r.seconds,
        opsPerSec: r.ops / r.seconds,
        serverCpuMsPerRequest: r.requests === 0 ? Number.NaN : (cpu * 1000) / r.requests,
        serverWritesPerRequest:
          r.requests === 0 ? Number.NaN : (end.writes - begin.writes) / r.requests,
        serverCores: cpu / r.seconds,
        databaseCpuMsPerRequest:
          r.requests === 0 || database === undefined
            ? Number.NaN
            : (cpuDelta(begin.db, end.db) * 1000) / r.requests,
        loadCpuMsPerRequest:
          r.requests === 0 ? Number.NaN : ((end.load - begin.load) * 1000) / r.requests,
        machineIdle: total === 0 ? Number.NaN : (end.machine.idle - begin.machine.idle) / total,
      });
    });
  });
}

// --- the server and its users ----------------------------------------------------------

function serverEnv(extra: Record<string, string>): Record<string, string> {
  return {
    VW_PROFILE: 'dev',
    LOG_LEVEL: 'warn',
    // Lift the per-user limits and rate limits: the bench sends thousands of small
    // payments per user from one address.
    VW_WALLET_LIMITS: JSON.stringify(
      Object.fromEntries(
        ['unverified', 'verified', 'enhanced'].map((t) => [
          t,
          {
            perTransaction: { USD: '1000000.00', BTC: '100.00000000' },
            daily: { USD: '100000000.00', BTC: '100000.00000000' },
            perHour: 1_000_000,
          },
        ]),
      ),
    ),
    VW_RATE_LIMIT_IP_PER_MIN: '100000000',
    VW_RATE_LIMIT_KEY_PER_MIN: '100000000',
    // The log-in throttle too (10 attempts a minute per IP and email by default): each
    // connection logs in as its own user from one address, so at 8 clients every user
    // spent its 10 attempts in the first seconds and the rest were 429s, counted as
    // thousands of failed log-ins, while at 32 and 64 clients each user stayed under it.
    VW_RATE_LIMIT_LOGIN_PER_MIN: '100000000',
    VW_WEBHOOK_SSRF_ALLOW: '127.0.0.0/8',
    ...extra,
  };
}

/**
 * How the server process runs: from this tree by default. BENCH_SERVER_TREE, another
 * checkout (with its node_modules), measures that code with this bench (before/after);
 * BENCH_SERVER_NODE_ARGS, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`, profiles it.
 */
interface ServerTree {
  cwd: string;
  nodeArgs: string[];
}

function serverTree(cwd: string): ServerTree {
  return {
    cwd,
    nodeArgs: [
      '--import',
      'tsx',
      ...(process.env['BENCH_SERVER_NODE_ARGS']?.split(' ').filter(Boolean) ?? []),
    ],
  };
}

const SERVER_TREE = serverTree(process.env['BENCH_SERVER_TREE'] ?? REPO_ROOT);

/**
 * BENCH_COMPARE_TREE, another checkout (with its node_modules, e.g. a `git worktree` of
 * main): its server runs beside this one on a database of its own, and every figure is
 * measured on both, one right after the other, so a before/after comparison shares the
 * machine's moment (on a shared machine, runs minutes apart do not).
 */
const COMPARE_TREE = process.env['BENCH_COMPARE_TREE']
  ? serverTree(process.env['BENCH_COMPARE_TREE'])
  : undefined;

async function runCli(
  args: string[],
  env: Record<string, string>,
  tree: ServerTree = SERVER_TREE,
): Promise<void> {
  const p = spawnVaultwire(args, env, 'src/bin/vaultwire.ts', tree);
  const code = await p.exited;
  if (code !== 0)
    throw new Error(`vaultwire ${args.join(' ')} failed (${code}):\n${p.lines.join('\n')}`);
}

async function startServer(
  env: Record<string, string>,
  tree: ServerTree,
): Promise<{ proc: VaultwireProcess; base: string }> {
  const port = await freePort();
  const proc = spawnVaultwire(
    ['start', '--roles', 'api'],
    { ...env, PORT: String(port) },
    'src/bin/vaultwire.ts',
    tree,
  );
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    const ready = await fetch(`${base}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { proc, base };
    if (Date.now() > deadline || proc.proc.exitCode !== null) {
      throw new Error(`API not ready:\n${proc.lines.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function api(
  base: string,
  method: string,
  path: string,
  token: string | undefined,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Runs `fn` over `items`, `width` at a time. */
async function eachLimited<T>(
  items: readonly T[],
  width: number,
  fn: (t: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const item = items[next++];
        if (item !== undefined) await fn(item);
      }
    }),
  );
}

/**
 * Assets, then USERS users, each logged in, credited 1,000,000 USD by an admin
 * adjustment, and given one webhook endpoint.
 */
async function prepare(base: string, run: string): Promise<BenchUser[]> {
  const admin = await api(base, 'POST', '/v1/sessions', undefined, {
    email: 'admin@bench.example',
    password: PASSWORD,
  });
  const adminToken = String(admin['token']);
  await api(base, 'POST', '/v1/assets', adminToken, { code: 'USD', kind: 'fiat', scale: 2 });
  await api(base, 'POST', '/v1/assets', adminToken, { code: 'BTC', kind: 'crypto', scale: 8 });
  const users: BenchUser[] = [];
  await eachLimited(
    Array.from({ length: USERS }, (_, i) => i),
    8,
    async (i) => {
      const handle = `bench_${run}_${i}`;
      const email = `${handle}@bench.example`;
      const created = await api(base, 'POST', '/v1/users', undefined, {
        email,
        password: PASSWORD,
        handle,
      });
      const session = await api(base, 'POST', '/v1/sessions', undefined, {
        email,
        password: PASSWORD,
      });
      const token = String(session['token']);
      await api(base, 'POST', '/v1/admin/adjustments', adminToken, {
        user: String(created['id']),
        asset: 'USD',
        direction: 'credit',
        amount: '1000000.00',
        reason: 'bench funding',
      });
      const endpoint = await api(base, 'POST', '/v1/webhook_endpoints', token, {
        url: `http://127.0.0.1:9/hooks/${handle}`,
        event_types: ['payment.completed'],
      });
      users[i] = {
        id: String(created['id']),
        email,
        handle,
        token,
        endpointId: String(endpoint['id']),
      };
    },
  );
  return users;
}

/** A server process, started, with its users prepared. */
interface BenchServer {
  base: string;
  pid: number;
  users: BenchUser[];
  /** Its PostgreSQL database's name (undefined on PGlite, which runs in the server). */
  database: string | undefined;
  stop(): Promise<void>;
}

async function openServer(
  env: Record<string, string>,
  tree: ServerTree,
  run: string,
  afterPrepare?: () => Promise<void>,
): Promise<BenchServer> {
  await runCli(
    ['admin', 'create', '--email', 'admin@bench.example', '--handle', 'bench_admin'],
    { ...env, VW_ADMIN_PASSWORD: PASSWORD },
    tree,
  );
  const server = await startServer(env, tree);
  const stop = async () => {
    server.proc.kill('SIGTERM');
    await server.proc.exited;
  };
  try {
    const pid = server.proc.proc.pid;
    if (pid === undefined) throw new Error('server has no pid');
    const users = await prepare(server.base, run);
    await afterPrepare?.();
    const url = env['DATABASE_URL'];
    const database = url?.startsWith('postgres') ? new URL(url).pathname.slice(1) : undefined;
    return { base: server.base, pid, users, database, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

interface ServerRun {
  results: Measurement[];
  livez: Measurement[];
}

/** The other server of a comparison (BENCH_COMPARE_TREE): its environment and setup. */
interface CompareSpec {
  env: Record<string, string>;
  tree: ServerTree;
  afterPrepare?: () => Promise<void>;
}

/**
 * Every route at every client count against one server, and against the comparison's
 * server right after each figure when there is one.
 */
async function measureServer(
  backend: 'postgres' | 'pglite',
  env: Record<string, string>,
  routes: readonly Operation[],
  run: string,
  afterPrepare?: () => Promise<void>,
  compare?: CompareSpec,
): Promise<ServerRun & { compare?: ServerRun }> {
  const servers: BenchServer[] = [];
  try {
    servers.push(await openServer(env, SERVER_TREE, run, afterPrepare));
    if (compare) {
      servers.push(await openServer(compare.env, compare.tree, `${run}c`, compare.afterPrepare));
    }
    const runs: ServerRun[] = servers.map(() => ({ results: [], livez: [] }));
    const spec = (server: BenchServer, operation: Operation, concurrency: number): LoadSpec => ({
      base: server.base,
      operation,
      concurrency,
      warmupMs: WARMUP_MS,
      seconds: SECONDS,
      maxPerConnection: MAX_PER_CONNECTION,
      users: server.users,
      password: PASSWORD,
      run: `${run}-${backend}-${operation}-${concurrency}`,
    });
    const label = (i: number) => (i === 0 ? backend : `${backend} (compare)`);
    if (JIT_WARMUP_SECONDS > 0) {
      const clients = Math.max(...CLIENTS);
      for (const route of ['livez' as const, ...routes]) {
        for (const server of servers) {
          const warm = await runLoad(
            backend,
            server.pid,
            {
              ...spec(server, route, clients),
              seconds: JIT_WARMUP_SECONDS,
              run: `${run}-${backend}-${route}-warm`,
            },
            server.database,
          );
          if (warm.failed) {
            throw new Error(`${route} failed while warming up: ${warm.failures[0] ?? ''}`);
          }
        }
      }
    }
    for (const clients of CLIENTS) {
      for (const [i, server] of servers.entries()) {
        const l = await runLoad(
          backend,
          server.pid,
          spec(server, 'livez', clients),
          server.database,
        );
        runs[i]?.livez.push(l);
        console.log(`  ${label(i)} ${clients} clients: /livez ${round(l.requestsPerSec, 0)}/s`);
      }
      for (const route of routes) {
        for (const [i, server] of servers.entries()) {
          const m = await runLoad(
            backend,
            server.pid,
            spec(server, route, clients),
            server.database,
          );
          runs[i]?.results.push(m);
          console.log(
            `  ${label(i)} ${clients} clients: ${route} ${round(m.requestsPerSec, 0)} req/s, p50 ${round(m.p50Ms, 1)} ms, ` +
              `p99 ${round(m.p99Ms, 1)} ms, server ${round(m.serverCpuMsPerRequest, 2)} ms CPU/req, ` +
              (server.database
                ? `database ${round(m.databaseCpuMsPerRequest, 2)} ms CPU/req, `
                : '') +
              `load ${round(m.loadCpuMsPerRequest, 2)} ms CPU/req, ` +
              `${round(m.serverWritesPerRequest, 1)} writes/req, ` +
              `idle ${Math.round(m.machineIdle * 100)} %` +
              (m.failed
                ? `, ${m.failed} failed (${failureSummary(m.failedByStatus)}): ${m.failures[0] ?? ''}`
                : ''),
          );
        }
      }
    }
    const [own, other] = runs;
    if (!own) throw new Error('no server measured');
    return other ? { ...own, compare: other } : own;
  } finally {
    for (const server of servers) await server.stop();
  }
}

/** This tree's figures beside the comparison tree's, route by route. */
function compareTable(own: ServerRun, other: ServerRun): string {
  const rows: string[][] = [
    [
      'route',
      'clients',
      'req/s',
      'compare req/s',
      'p99 ms',
      'compare p99 ms',
      'CPU ms/req',
      'compare CPU ms/req',
      'writes/req',
      'compare writes/req',
    ],
  ];
  const all = (r: ServerRun) => [
    ...r.livez.map((l) => ({ ...l, operation: 'livez' })),
    ...r.results,
  ];
  const theirs = all(other);
  for (const m of all(own)) {
    const o = theirs.find((x) => x.operation === m.operation && x.concurrency === m.concurrency);
    rows.push([
      m.operation,
      String(m.concurrency),
      String(round(m.requestsPerSec, 0)),
      String(round(o?.requestsPerSec ?? Number.NaN, 0)),
      String(round(m.p99Ms, 1)),
      String(round(o?.p99Ms ?? Number.NaN, 1)),
      String(round(m.serverCpuMsPerRequest, 3)),
      String(round(o?.serverCpuMsPerRequest ?? Number.NaN, 3)),
      String(round(m.serverWritesPerRequest, 1)),
      String(round(o?.serverWritesPerRequest ?? Number.NaN, 1)),
    ]);
  }
  return table(rows);
}

// --- baselines -------------------------------------------------------------------------

/** ledger.transfer from LEDGER_CALLERS concurrent callers through `clients` sessions. */
async function ledgerRate(databaseUrl: string, run: string): Promise<Record<number, number>> {
  const db = await openDb({ databaseUrl, poolMax: Math.max(...CLIENTS) + 2 });
  try {
    const setup = createLedgerService({ db });
    const settlement = await setup.houseAccount('settlement', 'USD');
    if (!settlement.ok) throw new Error(settlement.message);
    const accounts: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const a = await setup.openAccount({ owner: `usr_ledgerbench_${run}_${i}`, asset: 'USD' });
      if (!a.ok) throw new Error(a.message);
      accounts.push(a.account.id);
    }
    const funded = await setup.transferBatch(
      accounts.map((id) => ({
        key: `bench:${run}:ledger-fund:${id}`,
        from: settlement.account.id,
        to: id,
        asset: 'USD',
        amount: 100_000_000n,
      })),
    );
    if (!funded.every((r) => r.ok)) throw new Error('ledger funding failed');
    await db.query('ANALYZE');
    const rates: Record<number, number> = {};
    for (const clients of CLIENTS) {
      const ledger = createLedgerService({ db, batching: { maxInFlight: clients } });
      let counting = false;
      let stop = false;
      let done = 0;
      const caller = async (n: number) => {
        for (let i = 0; i < MAX_PER_CONNECTION && !stop; i++) {
          const from = accounts[Math.floor(Math.random() * accounts.length)] ?? '';
          let to = from;
          while (to === from) to = accounts[Math.floor(Math.random() * accounts.length)] ?? '';
          const r = await ledger.transfer({
            key: `bench:${run}:ledger:${clients}:${n}:${i}`,
            from,
            to,
            asset: 'USD',
            amount: 1n,
          });
          if (counting && r.ok) done++;
        }
      };
      const loops = Array.from({ length: LEDGER_CALLERS }, (_, n) => caller(n));
      await new Promise((r) => setTimeout(r, WARMUP_MS));
      counting = true;
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, SECONDS * 1000));
      counting = false;
      rates[clients] = done / ((performance.now() - t0) / 1000);
      stop = true;
      await Promise.all(loops);
      console.log(
        `  ledger in-process, ${clients} sessions: ${round(rates[clients], 0)} transfers/s`,
      );
    }
    return rates;
  } finally {
    await db.close();
  }
}

// --- the report ------------------------------------------------------------------------

interface Floor {
  floor: string;
  measured: string;
  required: string;
  ok: boolean;
}

function floorsOf(pgResults: readonly Measurement[], pgbench: Record<number, number>): Floor[] {
  const floors: Floor[] = [];
  const find = (op: Operation, c: number) =>
    pgResults.find((m) => m.operation === op && m.concurrency === c);
  for (const clients of [32, 64].filter((c) => CLIENTS.includes(c))) {
    const p = find('payment', clients);
    const base = pgbench[clients];
    if (!p || base === undefined) continue;
    const need = base * FLOORS.paymentShareOfPgbench;
    floors.push({
      floor: `payments at ${clients} clients >= 50 % of pgbench TPC-B (${round(base, 0)} tps)`,
      measured: `${round(p.requestsPerSec, 0)}/s`,
      required: `${round(need, 0)}/s`,
      ok: p.requestsPerSec >= need,
    });
    floors.push({
      floor: `payment p99 at ${clients} clients <= ${FLOORS.paymentP99Ms} ms`,
      measured: `${round(p.p99Ms, 1)} ms`,
      required: `${FLOORS.paymentP99Ms} ms`,
      ok: p.p99Ms <= FLOORS.paymentP99Ms,
    });
  }
  const payments = pgResults.filter((m) => m.operation === 'payment');
  if (payments.length > 0) {
    const worst = Math.max(...payments.map((m) => m.serverCpuMsPerRequest));
    floors.push({
      floor: `server CPU per payment <= ${FLOORS.cpuMsPerPayment} ms (worst client count)`,
      measured: `${round(worst, 2)} ms`,
      required: `${FLOORS.cpuMsPerPayment} ms`,
      ok: worst <= FLOORS.cpuMsPerPayment,
    });
  }
  const balances = find('balances', 32);
  if (balances) {
    floors.push({
      floor: `balance reads at 32 clients >= ${FLOORS.balances}/s`,
      measured: `${round(balances.requestsPerSec, 0)}/s`,
      required: `${FLOORS.balances}/s`,
      ok: balances.requestsPerSec >= FLOORS.balances,
    });
  }
  // A figure with failed operations measures refusals, not the route: none may fail.
  const failing = pgResults.filter((m) => m.failed > 0);
  floors.push({
    floor: 'no operation failed (every route, every client count)',
    measured:
      failing.length === 0
        ? 'none'
        : failing
            .map((m) => `${m.operation} at ${m.concurrency}: ${failureSummary(m.failedByStatus)}`)
            .join('; '),
    required: 'none',
    ok: failing.length === 0,
  });
  const sorted = [...payments].sort((a, b) => a.concurrency - b.concurrency);
  for (let i = 1; i < sorted.length; i++) {
    const lo = sorted[i - 1];
    const hi = sorted[i];
    if (!lo || !hi) continue;
    // Rising by at least 5 %, or the machine was already busy at the lower count.
    const rising = hi.requestsPerSec >= lo.requestsPerSec * 1.05;
    const busy = lo.machineIdle < 0.1;
    floors.push({
      floor: `payments/s rise from ${lo.concurrency} to ${hi.concurrency} clients unless the CPU is busy`,
      measured: `${round(lo.requestsPerSec, 0)} → ${round(hi.requestsPerSec, 0)}/s, idle at ${lo.concurrency}: ${Math.round(lo.machineIdle * 100)} %`,
      required: '+5 % or idle < 10 %',
      ok: rising || busy,
    });
  }
  return floors;
}

/** Failures by HTTP status, e.g. `429 × 17095`. */
function failureSummary(byStatus: Readonly<Record<string, number>>): string {
  return Object.entries(byStatus)
    .map(([status, n]) => `${status} × ${n}`)
    .join(', ');
}

function resultTable(results: readonly Measurement[], livez: readonly Measurement[]): string {
  const rows: string[][] = [
    [
      'route',
      'clients',
      'req/s',
      'ops/s',
      'p50 ms',
      'p99 ms',
      'CPU ms/req',
      'writes/req',
      'server cores',
      'idle',
      'failed',
    ],
  ];
  const all = [...livez.map((l) => ({ ...l, operation: 'livez' })), ...results];
  for (const op of ['livez', ...ALL_ROUTES] as Operation[]) {
    for (const m of all.filter((r) => r.operation === op)) {
      rows.push([
        op,
        String(m.concurrency),
        String(round(m.requestsPerSec, 0)),
        String(round(m.opsPerSec, 0)),
        String(round(m.p50Ms, 1)),
        String(round(m.p99Ms, 1)),
        String(round(m.serverCpuMsPerRequest, 3)),
        String(round(m.serverWritesPerRequest, 1)),
        String(round(m.serverCores, 2)),
        `${Math.round(m.machineIdle * 100)} %`,
        String(m.failed),
      ]);
    }
  }
  return table(rows);
}

async function main(): Promise<void> {
  const run = randomBytes(3).toString('hex');
  console.log(
    `API benchmark${SMOKE ? ' (smoke)' : ''}: ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(
        ' ',
      )}, ${SECONDS}s per figure after ${WARMUP_MS} ms warm-up, clients ${CLIENTS.join('/')}, ${USERS} users`,
  );
  const apiDb = `vw_bench_api_${run}`;
  const pgbenchDb = `vw_bench_api_pgbench_${run}`;
  await adminSql(ADMIN_URL, `CREATE DATABASE "${apiDb}"`);
  await adminSql(ADMIN_URL, `CREATE DATABASE "${pgbenchDb}"`);
  const apiUrl = withDatabase(ADMIN_URL, apiDb);
  // The comparison tree's server migrates its own database, with its own migrations.
  const compareDb = `${apiDb}_compare`;
  if (COMPARE_TREE) await adminSql(ADMIN_URL, `CREATE DATABASE "${compareDb}"`);
  const compareUrl = withDatabase(ADMIN_URL, compareDb);
  const dataDir = mkdtempSync(join(tmpdir(), 'vw-bench-api-'));
  try {
    // Migrated once here, so the server starts as it would on an existing database.
    const db = await openDb({ databaseUrl: apiUrl });
    await migrate(db, { sources: migrationSources() });
    await db.close();

    console.log('PostgreSQL:');
    // Freshly filled tables have no planner statistics yet (autovacuum would gather them
    // within a minute in a live system).
    const analyze = (url: string) => async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query('ANALYZE');
      await c.end();
    };
    const pgRun = await measureServer(
      'postgres',
      serverEnv({ DATABASE_URL: apiUrl }),
      ROUTES,
      run,
      analyze(apiUrl),
      COMPARE_TREE
        ? {
            env: serverEnv({ DATABASE_URL: compareUrl }),
            tree: COMPARE_TREE,
            afterPrepare: analyze(compareUrl),
          }
        : undefined,
    );

    console.log('Baselines:');
    const pgbenchUrl = withDatabase(ADMIN_URL, pgbenchDb);
    pgbenchInit({ url: pgbenchUrl, binary: PGBENCH }, PGBENCH_SCALE);
    const pgbench: Record<number, number> = {};
    for (const clients of CLIENTS) {
      pgbench[clients] = pgbenchTps(
        { url: pgbenchUrl, binary: PGBENCH },
        clients,
        Math.max(1, Math.round(SECONDS)),
      );
      console.log(`  pgbench TPC-B, ${clients} clients: ${round(pgbench[clients], 0)} tps`);
    }
    const ledger = await ledgerRate(apiUrl, run);

    let pgliteRun: { results: Measurement[]; livez: Measurement[] } | undefined;
    if (WITH_PGLITE) {
      console.log('PGlite (embedded):');
      pgliteRun = await measureServer(
        'pglite',
        serverEnv({ VW_DATA_DIR: dataDir }),
        ROUTES.filter((r) => PGLITE_ROUTES.includes(r)),
        run,
      );
    }

    console.log(`\nPostgreSQL, server process \`vaultwire start --roles api\`:\n`);
    console.log(resultTable(pgRun.results, pgRun.livez));
    if (pgRun.compare) {
      console.log(
        `\nPostgreSQL, this tree beside BENCH_COMPARE_TREE (${COMPARE_TREE?.cwd ?? ''}), measured in turn:\n`,
      );
      console.log(compareTable(pgRun, pgRun.compare));
    }
    if (pgliteRun) {
      console.log(`\nPGlite (embedded, one connection), same server:\n`);
      console.log(resultTable(pgliteRun.results, pgliteRun.livez));
    }
    const baseRows = [
      ['clients', 'pgbench TPC-B tps', 'ledger transfers/s (in-process)', 'GET /livez /s'],
    ];
    for (const clients of CLIENTS) {
      baseRows.push([
        String(clients),
        String(round(pgbench[clients] ?? Number.NaN, 0)),
        String(round(ledger[clients] ?? Number.NaN, 0)),
        String(
          round(
            pgRun.livez.find((l) => l.concurrency === clients)?.requestsPerSec ?? Number.NaN,
            0,
          ),
        ),
      ]);
    }
    console.log(
      `\nBaselines in this run (same PostgreSQL server, same machine):\n\n${table(baseRows)}\n`,
    );
    console.log(
      'req/s: HTTP requests answered per second; ops/s: operations (quote-execute, payment-request and\n' +
        'webhook-endpoints take two requests each); p50/p99: of an operation; CPU ms/req: server process\n' +
        'CPU (user + system) per request; writes/req: its write system calls per request, i.e. database\n' +
        'statements sent + the response (round trips: each costs CPU in the kernel and a wait);\n' +
        "server cores: its CPU use in cores; idle: the whole machine's idle share while measuring\n" +
        "(a shared machine's other work shows here too: compare figures from a quiet machine).\n",
    );

    const floors = floorsOf(pgRun.results, pgbench);
    for (const f of floors) {
      console.log(`${f.ok ? 'PASS' : 'FAIL'}  ${f.floor}: ${f.measured} (needs ${f.required})`);
    }
    if (SMOKE) console.log('(smoke run: floors are printed, not meaningful at this size)');

    const resultsDir = join(REPO_ROOT, 'bench/results');
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(
      join(resultsDir, 'api.json'),
      `${JSON.stringify(
        {
          at: new Date().toISOString(),
          smoke: SMOKE,
          cpus: cpus().length,
          seconds: SECONDS,
          clients: CLIENTS,
          users: USERS,
          postgres: pgRun,
          pglite: pgliteRun ?? null,
          baselines: {
            pgbenchTps: pgbench,
            pgbenchScale: PGBENCH_SCALE,
            ledgerTransfersPerSec: ledger,
          },
          floors,
        },
        null,
        2,
      )}\n`,
    );
    console.log(`\nWrote bench/results/api.json`);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    await adminSql(ADMIN_URL, `DROP DATABASE IF EXISTS "${apiDb}" WITH (FORCE)`).catch(
      () => undefined,
    );
    await adminSql(ADMIN_URL, `DROP DATABASE IF EXISTS "${pgbenchDb}" WITH (FORCE)`).catch(
      () => undefined,
    );
    if (COMPARE_TREE) {
      await adminSql(ADMIN_URL, `DROP DATABASE IF EXISTS "${compareDb}" WITH (FORCE)`).catch(
        () => undefined,
      );
    }
  }
}

await main();
