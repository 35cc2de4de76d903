/**
 * `npm run bench:ledger`: ledger transfers per second on the local PostgreSQL, against
 * pgbench's TPC-B-like transaction measured in the same run on the same server.
 *
 * What "clients" means. A pgbench client is one database session running one
 * transaction at a time. Here, likewise, N clients are N database sessions the ledger
 * may keep busy at once (its batcher's maxInFlight, and a pool of N connections); each
 * session carries one batch at a time. The load offered is the same at every client
 * count: BENCH_CALLERS (default 512) concurrent callers, each an async loop that issues
 * one `ledger.transfer()` and awaits it, exactly as an API request handler does (the
 * same validation, idempotency key, balance guard and group-commit batcher, with the
 * batcher's default batch sizes). The ratio to pgbench thus compares transfers per second
 * through N sessions with TPC-B transactions per second through N sessions.
 *
 * Workloads:
 * - random: between two random user accounts (both guarded: may not go negative);
 * - hot: every transfer goes through the house liquidity account (a user buys from or
 *   sells to the house), the account every trade touches;
 * - random, one caller per client: N callers only, so at most N transfers are in flight.
 *   This is the latency-bound shape (no more than N transfers to batch), printed so the
 *   difference batching makes under load is visible.
 * While the random load runs, a real server process (`vaultwire start --roles api` on
 * the same database) is sent one API payment at a time (POST /v1/payments), and its
 * latency is reported: what a user of the API sees while the ledger is under that load.
 *
 * The machine may be shared, and its load moves within a run. So for each client count
 * the measurements run back to back, in several rounds, and the medians are compared: a
 * ratio always compares figures taken moments apart. Afterwards `verifyLedger` must pass.
 * Figures go to stdout and bench/results/ledger.json.
 *
 * Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres),
 * BENCH_SECONDS per measurement (default 5), BENCH_ROUNDS (default 3), BENCH_CLIENTS
 * (default 1,8,32), BENCH_CALLERS (default 512), PGBENCH (default pgbench). BENCH_SMOKE=1:
 * one round of 1 s at 8 clients, 32 callers, 200 users, pgbench at scale 1 (see
 * bench/lib/smoke.ts).
 */
import { migrationSources } from '../../src/migrations.js';
import { adminSql, withDatabase } from '../lib/database.js';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { createLedgerService, type LedgerService } from '../../src/ledger/service.js';
import { formatVerifyReport, verifyLedger } from '../../src/ledger/verify.js';
import { openDb } from '../../src/platform/db/drivers.js';
import { migrate } from '../../src/platform/db/migrate.js';
import { freePort } from '../../test/support/ports.js';
import { spawnVaultwire, type VaultwireProcess } from '../../test/support/process.js';
import { pgbenchInit, pgbenchTps } from '../lib/pgbench.js';
import { announceSmoke, resultsFile, setting, SMOKE } from '../lib/smoke.js';
import { percentile, round, table } from '../lib/stats.js';

const ADMIN_URL =
  process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SECONDS = setting('BENCH_SECONDS', 5, 1);
const ROUNDS = setting('BENCH_ROUNDS', 3, 1);
const CLIENTS = (process.env['BENCH_CLIENTS'] ?? (SMOKE ? '8' : '1,8,32')).split(',').map(Number);
const CALLERS = setting('BENCH_CALLERS', 512, 32);
const PGBENCH = process.env['PGBENCH'] ?? 'pgbench';
/** pgbench scale: one branch row per client at 32 clients, so it is not throttled by its own hot row. */
const PGBENCH_SCALE = SMOKE ? 1 : 32;
const USERS = SMOKE ? 200 : 10_000;
const WARMUP_MS = SMOKE ? 200 : 1000;
/** Upper bound on transfers per caller per measurement, whatever the speed. */
const MAX_PER_CALLER = 1_000_000;
/** Upper bound on API payments per measurement. */
const MAX_PAYMENTS = 10_000;

const FLOORS = { ratioToPgbench: 2, randomAt32: 10_000, hotAt32: 3_000 };

type Workload = 'random' | 'hot' | 'random-1-per-client';

async function admin(sql: string): Promise<void> {
  await adminSql(ADMIN_URL, sql);
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return percentile(s, 0.5);
}

interface Round {
  tps: number;
  refused: number;
  latencies: number[];
  batches: number;
  items: number;
  apiLatencies: number[];
  apiFailed: number;
}

interface Fixture {
  users: string[];
  liquidity: string;
  run: string;
}

/** The API server and the two users whose payments are timed. */
interface ApiProbe {
  base: string;
  token: string;
  payee: string;
}

/**
 * Sends one API payment at a time until `stop()` says so; returns each one's latency.
 * Every payment carries its own Idempotency-Key, as a careful client's would.
 */
function probeApi(
  api: ApiProbe,
  run: string,
): { stop: () => Promise<{ ms: number[]; failed: number }> } {
  const state = { stopped: false };
  const ms: number[] = [];
  let failed = 0;
  const loop = (async () => {
    for (let i = 0; i < MAX_PAYMENTS && !state.stopped; i++) {
      const started = performance.now();
      const res = await fetch(`${api.base}/v1/payments`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${api.token}`,
          'content-type': 'application/json',
          'idempotency-key': `bench-${run}-${i}-${Math.random()}`,
        },
        body: JSON.stringify({ to: api.payee, asset: 'USD', amount: '0.01', note: 'bench' }),
      });
      await res.arrayBuffer();
      if (res.status === 201 || res.status === 200) ms.push(performance.now() - started);
      else failed++;
    }
  })();
  return {
    stop: async () => {
      state.stopped = true;
      await loop;
      return { ms, failed };
    },
  };
}

/**
 * One timed measurement: `callers` loops on `ledger`, each awaiting one transfer at a
 * time, and, if given, the API probe alongside.
 */
async function measure(
  f: Fixture,
  ledger: LedgerService,
  workload: Workload,
  callers: number,
  label: string,
  api: ApiProbe | undefined,
): Promise<Round> {
  let counting = false;
  let stop = false;
  let transfers = 0;
  let refused = 0;
  const latencies: number[] = [];

  async function caller(n: number): Promise<void> {
    for (let i = 0; i < MAX_PER_CALLER && !stop; i++) {
      const user = f.users[Math.floor(Math.random() * f.users.length)] ?? '';
      let from = user;
      let to: string;
      if (workload === 'hot') {
        // Buy from and sell to the house in turn, so neither side drains.
        to = f.liquidity;
        if (i % 2 === 1) [from, to] = [f.liquidity, user];
      } else {
        do to = f.users[Math.floor(Math.random() * f.users.length)] ?? '';
        while (to === from);
      }
      const started = performance.now();
      const r = await ledger.transfer({
        key: `bench:${f.run}:${label}:${n}:${i}`,
        from,
        to,
        asset: 'USD',
        amount: BigInt(1 + Math.floor(Math.random() * 100)),
      });
      const ms = performance.now() - started;
      if (!counting) continue;
      if (r.ok) {
        transfers++;
        latencies.push(ms);
      } else {
        refused++;
      }
    }
  }

  const loops = Array.from({ length: callers }, (_, n) => caller(n));
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  const s0 = ledger.batchStats();
  const probe = api ? probeApi(api, `${f.run}-${label}`) : undefined;
  counting = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  counting = false;
  const elapsed = (performance.now() - t0) / 1000;
  const s1 = ledger.batchStats();
  const apiResult = probe ? await probe.stop() : { ms: [], failed: 0 };
  stop = true;
  await Promise.all(loops);
  return {
    tps: transfers / elapsed,
    refused,
    latencies,
    batches: s1.batches - s0.batches,
    items: s1.items - s0.items,
    apiLatencies: apiResult.ms,
    apiFailed: apiResult.failed,
  };
}

interface Summary {
  workload: Workload;
  clients: number;
  callers: number;
  /** Median over rounds. */
  tps: number;
  rounds: number[];
  refused: number;
  p50Ms: number;
  p99Ms: number;
  meanBatch: number;
  /** One API payment at a time during this load (random workload only). */
  apiPayment?: { count: number; failed: number; p50Ms: number; p99Ms: number };
}

function summarise(
  workload: Workload,
  clients: number,
  callers: number,
  rounds: readonly Round[],
): Summary {
  const latencies = rounds.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const api = rounds.flatMap((r) => r.apiLatencies).sort((a, b) => a - b);
  const batches = rounds.reduce((a, r) => a + r.batches, 0);
  const items = rounds.reduce((a, r) => a + r.items, 0);
  return {
    workload,
    clients,
    callers,
    tps: round(median(rounds.map((r) => r.tps)), 0),
    rounds: rounds.map((r) => round(r.tps, 0)),
    refused: rounds.reduce((a, r) => a + r.refused, 0),
    p50Ms: round(percentile(latencies, 0.5), 2),
    p99Ms: round(percentile(latencies, 0.99), 2),
    meanBatch: batches === 0 ? 0 : round(items / batches, 1),
    ...(api.length > 0
      ? {
          apiPayment: {
            count: api.length,
            failed: rounds.reduce((a, r) => a + r.apiFailed, 0),
            p50Ms: round(percentile(api, 0.5), 2),
            p99Ms: round(percentile(api, 0.99), 2),
          },
        }
      : {}),
  };
}

async function json(res: Response): Promise<Record<string, unknown>> {
  const body = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** Starts `vaultwire start --roles api` on the bench database and readies two users. */
async function startApi(
  databaseUrl: string,
  fund: (userId: string) => Promise<void>,
): Promise<{ proc: VaultwireProcess; probe: ApiProbe }> {
  const port = await freePort();
  const proc = spawnVaultwire(['start', '--roles', 'api'], {
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    VW_PROFILE: 'dev',
    LOG_LEVEL: 'warn',
    // Lift the per-user limits: the probe sends thousands of small payments.
    VW_WALLET_LIMITS: JSON.stringify(
      Object.fromEntries(
        ['unverified', 'verified', 'enhanced'].map((t) => [
          t,
          {
            perTransaction: { USD: '1000000.00' },
            daily: { USD: '100000000.00' },
            perHour: 1_000_000,
          },
        ]),
      ),
    ),
    VW_RATE_LIMIT_IP_PER_MIN: '1000000',
    VW_RATE_LIMIT_KEY_PER_MIN: '1000000',
  });
  const base = `http://127.0.0.1:${port}`;
  // Its logs are quiet (warn), so readiness is polled rather than read from a log line.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ready = await fetch(`${base}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`API not ready:\n${proc.lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const ids: string[] = [];
  for (const who of ['payer', 'payee']) {
    const user = await json(
      await fetch(`${base}/v1/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: `${who}@bench.example`,
          password: 'correct horse battery staple',
          handle: `bench_${who}`,
        }),
      }),
    );
    ids.push(String(user['id']));
  }
  const session = await json(
    await fetch(`${base}/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: 'payer@bench.example',
        password: 'correct horse battery staple',
      }),
    }),
  );
  await fund(ids[0] ?? '');
  return { proc, probe: { base, token: String(session['token']), payee: '@bench_payee' } };
}

async function main(): Promise<void> {
  const suffix = randomBytes(4).toString('hex');
  const ledgerDbName = `vw_bench_ledger_${suffix}`;
  const pgbenchDbName = `vw_bench_pgbench_${suffix}`;
  const maxClients = Math.max(...CLIENTS);
  announceSmoke('ledger transfers against pgbench');
  console.log(
    `Ledger benchmark: ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(
        ' ',
      )}, ${ROUNDS} rounds of ${SECONDS}s per figure, clients (database sessions) ${CLIENTS.join('/')}, ${CALLERS} concurrent callers`,
  );

  await admin(`CREATE DATABASE "${ledgerDbName}"`);
  await admin(`CREATE DATABASE "${pgbenchDbName}"`);
  const ledgerUrl = withDatabase(ADMIN_URL, ledgerDbName);
  // One pool large enough for the largest client count; each measurement's ledger uses
  // at most `clients` of its connections at once (its batcher's maxInFlight).
  const db = await openDb({ databaseUrl: ledgerUrl, poolMax: maxClients + 2 });
  let api: { proc: VaultwireProcess; probe: ApiProbe } | undefined;
  try {
    await migrate(db, { sources: migrationSources() });
    const setup = createLedgerService({ db });
    const created = await setup.createAsset({ code: 'USD', kind: 'fiat', scale: 2 });
    const settlement = await setup.houseAccount('settlement', 'USD');
    const liquidity = await setup.houseAccount('liquidity', 'USD');
    if (!created.ok || !settlement.ok || !liquidity.ok) throw new Error('setup failed');
    const users: string[] = [];
    for (let i = 0; i < USERS; i++) {
      const a = await setup.openAccount({ owner: `usr_bench_${i}`, asset: 'USD' });
      if (!a.ok) throw new Error(a.message);
      users.push(a.account.id);
    }
    for (let i = 0; i < users.length; i += 1000) {
      const funding = await setup.transferBatch(
        users.slice(i, i + 1000).map((id) => ({
          key: `bench:${suffix}:fund:${id}`,
          from: settlement.account.id,
          to: id,
          asset: 'USD',
          amount: 100_000_000n,
        })),
      );
      if (!funding.every((r) => r.ok)) throw new Error('funding failed');
    }
    api = await startApi(ledgerUrl, async (userId) => {
      const account = await setup.openAccount({ owner: userId, asset: 'USD' });
      if (!account.ok) throw new Error(account.message);
      const r = await setup.transfer({
        key: `bench:${suffix}:fund-api`,
        from: settlement.account.id,
        to: account.account.id,
        asset: 'USD',
        amount: 100_000_000n,
      });
      if (!r.ok) throw new Error(r.message);
    });
    // Tables filled a moment ago have no planner statistics yet (autovacuum would
    // gather them within a minute in a live system); without them PostgreSQL scans
    // instead of using the primary keys.
    await db.query('ANALYZE');
    const fixture: Fixture = { users, liquidity: liquidity.account.id, run: suffix };

    const pgbenchUrl = withDatabase(ADMIN_URL, pgbenchDbName);
    pgbenchInit({ url: pgbenchUrl, binary: PGBENCH }, PGBENCH_SCALE);

    const results: Summary[] = [];
    const pgbench: Record<number, { tps: number; rounds: number[] }> = {};
    for (const clients of CLIENTS) {
      // The service as src/app.ts builds it (default batch sizes), given `clients` sessions.
      const ledger = createLedgerService({ db, batching: { maxInFlight: clients } });
      const random: Round[] = [];
      const hot: Round[] = [];
      const single: Round[] = [];
      const base: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        const tag = `${clients}:${r}`;
        random.push(await measure(fixture, ledger, 'random', CALLERS, `r:${tag}`, api.probe));
        hot.push(await measure(fixture, ledger, 'hot', CALLERS, `h:${tag}`, undefined));
        single.push(
          await measure(fixture, ledger, 'random-1-per-client', clients, `s:${tag}`, undefined),
        );
        base.push(pgbenchTps({ url: pgbenchUrl, binary: PGBENCH }, clients, SECONDS));
      }
      const rs = summarise('random', clients, CALLERS, random);
      const hs = summarise('hot', clients, CALLERS, hot);
      const ss = summarise('random-1-per-client', clients, clients, single);
      results.push(rs, hs, ss);
      pgbench[clients] = { tps: round(median(base), 0), rounds: base.map((b) => round(b, 0)) };
      console.log(
        `  ${String(clients).padStart(2)} clients: random ${rs.tps}/s ${JSON.stringify(rs.rounds)}, ` +
          `hot ${hs.tps}/s ${JSON.stringify(hs.rounds)}, one caller per client ${ss.tps}/s ${JSON.stringify(ss.rounds)}, ` +
          `pgbench ${pgbench[clients].tps} tps ${JSON.stringify(pgbench[clients].rounds)}`,
      );
    }

    const report = await verifyLedger(db);

    const find = (w: Workload, c: number) =>
      results.find((m) => m.workload === w && m.clients === c);
    const rows: string[][] = [
      [
        'clients',
        'pgbench tps',
        'random/s',
        'ratio',
        'hot/s',
        'ratio',
        'p50 ms',
        'p99 ms',
        'batch',
        '1 caller/client',
        'p50 ms',
        'API payment p50',
        'p99',
      ],
    ];
    for (const clients of CLIENTS) {
      const r = find('random', clients);
      const h = find('hot', clients);
      const s1 = find('random-1-per-client', clients);
      const base = pgbench[clients]?.tps ?? Number.NaN;
      rows.push([
        String(clients),
        String(base),
        String(r?.tps),
        `${round((r?.tps ?? 0) / base, 2)}x`,
        String(h?.tps),
        `${round((h?.tps ?? 0) / base, 2)}x`,
        String(r?.p50Ms),
        String(r?.p99Ms),
        String(r?.meanBatch),
        `${s1?.tps} (${round((s1?.tps ?? 0) / base, 2)}x)`,
        String(s1?.p50Ms),
        String(r?.apiPayment?.p50Ms ?? '-'),
        String(r?.apiPayment?.p99Ms ?? '-'),
      ]);
    }
    console.log(`\n${table(rows)}\n`);
    console.log(
      `random and hot: ${CALLERS} callers through N sessions; "1 caller/client": N callers, ` +
        'one transfer each in flight; API payment: one POST /v1/payments at a time to a ' +
        'server process on the same database during the random load (ms).',
    );

    const floors: { floor: string; measured: number; required: number; ok: boolean }[] = [];
    for (const clients of CLIENTS.filter((c) => c >= 8)) {
      const r = find('random', clients);
      const required = round((pgbench[clients]?.tps ?? 0) * FLOORS.ratioToPgbench, 0);
      floors.push({
        floor: `random at ${clients} clients >= 2x pgbench`,
        measured: r?.tps ?? 0,
        required,
        ok: (r?.tps ?? 0) >= required,
      });
    }
    const r32 = find('random', 32);
    if (r32) {
      floors.push({
        floor: 'random at 32 clients >= 10,000/s',
        measured: r32.tps,
        required: FLOORS.randomAt32,
        ok: r32.tps >= FLOORS.randomAt32,
      });
    }
    const h32 = find('hot', 32);
    if (h32) {
      floors.push({
        floor: 'through the hot account at 32 clients >= 3,000/s',
        measured: h32.tps,
        required: FLOORS.hotAt32,
        ok: h32.tps >= FLOORS.hotAt32,
      });
    }
    for (const f of SMOKE ? [] : floors) {
      console.log(`${f.ok ? 'PASS' : 'FAIL'}  ${f.floor}: ${f.measured} (needs ${f.required})`);
    }
    // Whatever the figures, a workload that moved nothing is a broken benchmark.
    const idle = results.filter((r) => !(r.tps > 0) || r.apiPayment?.count === 0);
    for (const r of idle) {
      console.log(
        `FAIL  ${r.workload} at ${r.clients} clients: no transfer or API payment went through`,
      );
    }
    console.log(
      `load average at the end: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    console.log(report.ok ? 'verifyLedger: ok' : formatVerifyReport(report));

    mkdirSync('bench/results', { recursive: true });
    writeFileSync(
      `bench/results/${resultsFile('ledger')}`,
      `${JSON.stringify(
        {
          at: new Date().toISOString(),
          cpus: cpus().length,
          loadAverageAtEnd: loadavg(),
          secondsPerMeasurement: SECONDS,
          rounds: ROUNDS,
          callers: CALLERS,
          users: USERS,
          clientsMeans: 'database sessions the ledger may keep busy at once',
          ledger: results,
          pgbench: { scale: PGBENCH_SCALE, byClients: pgbench },
          floors,
          verify: { ok: report.ok, counts: report.counts },
        },
        null,
        2,
      )}\n`,
    );
    console.log(`Wrote bench/results/${resultsFile('ledger')}`);
    if (!report.ok || idle.length > 0) process.exitCode = 1;
  } finally {
    if (api) {
      api.proc.kill('SIGTERM');
      await api.proc.exited;
    }
    await db.close();
    await admin(`DROP DATABASE IF EXISTS "${ledgerDbName}" WITH (FORCE)`);
    await admin(`DROP DATABASE IF EXISTS "${pgbenchDbName}" WITH (FORCE)`);
  }
}

await main();
