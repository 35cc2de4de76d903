/**
 * `npm run bench:ledger`: ledger transfers per second on the local PostgreSQL, against
 * pgbench's TPC-B-like transaction measured in the same run on the same server.
 *
 * Each client is an async loop that issues one `ledger.transfer()` at a time and awaits
 * it, exactly as an API request handler would: the same validation, idempotency key,
 * balance guard and group-commit batcher. Two workloads:
 * - random: between two random user accounts (both guarded: may not go negative);
 * - hot: every transfer goes through the house liquidity account (a user buys from or
 *   sells to the house), the account every trade touches.
 * The machine may be shared, and its load moves within a run. So for each client count
 * the three measurements (random, hot, pgbench) run back to back, in several rounds,
 * and the medians are compared: a ratio always compares figures taken moments apart.
 * Afterwards `verifyLedger` must pass. Figures go to stdout and bench/results/ledger.json.
 *
 * Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres),
 * BENCH_SECONDS per measurement (default 5), BENCH_ROUNDS (default 3), BENCH_CLIENTS
 * (default 1,8,32), PGBENCH (default pgbench), BENCH_POOL (connections, default 20 like
 * VW_DB_POOL_MAX).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import pg from 'pg';
import { createLedgerService, type LedgerService } from '../../src/ledger/service.js';
import { formatVerifyReport, verifyLedger } from '../../src/ledger/verify.js';
import { openDb } from '../../src/platform/db/drivers.js';
import { migrate } from '../../src/platform/db/migrate.js';
import { pgbenchInit, pgbenchTps } from '../lib/pgbench.js';
import { percentile, round, table } from '../lib/stats.js';

const ADMIN_URL =
  process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const CLIENTS = (process.env['BENCH_CLIENTS'] ?? '1,8,32').split(',').map(Number);
const POOL = Number(process.env['BENCH_POOL'] ?? 20);
const PGBENCH = process.env['PGBENCH'] ?? 'pgbench';
/** pgbench scale: one branch row per client at 32 clients, so it is not throttled by its own hot row. */
const PGBENCH_SCALE = 32;
const USERS = 10_000;
const WARMUP_MS = 1000;
/** Upper bound on transfers per client per measurement, whatever the speed. */
const MAX_PER_CLIENT = 1_000_000;

const FLOORS = { ratioToPgbench: 2, randomAt32: 10_000, hotAt32: 3_000 };

type Workload = 'random' | 'hot';

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
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
}

interface Fixture {
  ledger: LedgerService;
  users: string[];
  liquidity: string;
  run: string;
}

/** One timed measurement: `clients` loops, each awaiting one transfer at a time. */
async function measure(
  f: Fixture,
  workload: Workload,
  clients: number,
  round: number,
): Promise<Round> {
  let counting = false;
  let stop = false;
  let transfers = 0;
  let refused = 0;
  const latencies: number[] = [];

  async function client(n: number): Promise<void> {
    for (let i = 0; i < MAX_PER_CLIENT && !stop; i++) {
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
      const r = await f.ledger.transfer({
        key: `bench:${f.run}:${workload}:${clients}:${round}:${n}:${i}`,
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

  const loops = Array.from({ length: clients }, (_, n) => client(n));
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  const s0 = f.ledger.batchStats();
  counting = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  counting = false;
  const elapsed = (performance.now() - t0) / 1000;
  const s1 = f.ledger.batchStats();
  stop = true;
  await Promise.all(loops);
  return {
    tps: transfers / elapsed,
    refused,
    latencies,
    batches: s1.batches - s0.batches,
    items: s1.items - s0.items,
  };
}

interface Summary {
  workload: Workload;
  clients: number;
  /** Median over rounds. */
  tps: number;
  rounds: number[];
  refused: number;
  p50Ms: number;
  p99Ms: number;
  meanBatch: number;
}

function summarise(workload: Workload, clients: number, rounds: readonly Round[]): Summary {
  const latencies = rounds.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const batches = rounds.reduce((a, r) => a + r.batches, 0);
  const items = rounds.reduce((a, r) => a + r.items, 0);
  return {
    workload,
    clients,
    tps: round(median(rounds.map((r) => r.tps)), 0),
    rounds: rounds.map((r) => round(r.tps, 0)),
    refused: rounds.reduce((a, r) => a + r.refused, 0),
    p50Ms: round(percentile(latencies, 0.5), 2),
    p99Ms: round(percentile(latencies, 0.99), 2),
    meanBatch: batches === 0 ? 0 : round(items / batches, 1),
  };
}

async function main(): Promise<void> {
  const suffix = randomBytes(4).toString('hex');
  const ledgerDbName = `vw_bench_ledger_${suffix}`;
  const pgbenchDbName = `vw_bench_pgbench_${suffix}`;
  console.log(
    `Ledger benchmark: ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(
        ' ',
      )}, ${ROUNDS} rounds of ${SECONDS}s per figure, clients ${CLIENTS.join('/')}, pool ${POOL}`,
  );

  await admin(`CREATE DATABASE "${ledgerDbName}"`);
  await admin(`CREATE DATABASE "${pgbenchDbName}"`);
  const db = await openDb({ databaseUrl: withDatabase(ADMIN_URL, ledgerDbName), poolMax: POOL });
  try {
    await migrate(db);
    // The service exactly as src/app.ts builds it (default batching).
    const ledger = createLedgerService({ db });
    const created = await ledger.createAsset({ code: 'USD', kind: 'fiat', scale: 2 });
    const settlement = await ledger.houseAccount('settlement', 'USD');
    const liquidity = await ledger.houseAccount('liquidity', 'USD');
    if (!created.ok || !settlement.ok || !liquidity.ok) throw new Error('setup failed');
    const users: string[] = [];
    for (let i = 0; i < USERS; i++) {
      const a = await ledger.openAccount({ owner: `usr_bench_${i}`, asset: 'USD' });
      if (!a.ok) throw new Error(a.message);
      users.push(a.account.id);
    }
    for (let i = 0; i < users.length; i += 1000) {
      const funding = await ledger.transferBatch(
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
    // Tables filled a moment ago have no planner statistics yet (autovacuum would
    // gather them within a minute in a live system); without them PostgreSQL scans
    // instead of using the primary keys.
    await db.query('ANALYZE');
    const fixture: Fixture = { ledger, users, liquidity: liquidity.account.id, run: suffix };

    const pgbenchUrl = withDatabase(ADMIN_URL, pgbenchDbName);
    pgbenchInit({ url: pgbenchUrl, binary: PGBENCH }, PGBENCH_SCALE);

    const results: Summary[] = [];
    const pgbench: Record<number, { tps: number; rounds: number[] }> = {};
    for (const clients of CLIENTS) {
      const random: Round[] = [];
      const hot: Round[] = [];
      const base: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        random.push(await measure(fixture, 'random', clients, r));
        hot.push(await measure(fixture, 'hot', clients, r));
        base.push(pgbenchTps({ url: pgbenchUrl, binary: PGBENCH }, clients, SECONDS));
      }
      const rs = summarise('random', clients, random);
      const hs = summarise('hot', clients, hot);
      results.push(rs, hs);
      pgbench[clients] = { tps: round(median(base), 0), rounds: base.map((b) => round(b, 0)) };
      console.log(
        `  ${String(clients).padStart(2)} clients: random ${rs.tps}/s ${JSON.stringify(rs.rounds)}, ` +
          `hot ${hs.tps}/s ${JSON.stringify(hs.rounds)}, pgbench ${pgbench[clients].tps} tps ${JSON.stringify(pgbench[clients].rounds)}`,
      );
    }

    const report = await verifyLedger(db);

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
        'hot p50',
        'hot p99',
        'batch',
      ],
    ];
    for (const clients of CLIENTS) {
      const r = results.find((m) => m.workload === 'random' && m.clients === clients);
      const h = results.find((m) => m.workload === 'hot' && m.clients === clients);
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
        String(h?.p50Ms),
        String(h?.p99Ms),
        String(r?.meanBatch),
      ]);
    }
    console.log(`\n${table(rows)}\n`);

    const floors: { floor: string; measured: number; required: number; ok: boolean }[] = [];
    for (const clients of CLIENTS.filter((c) => c >= 8)) {
      const r = results.find((m) => m.workload === 'random' && m.clients === clients);
      const required = round((pgbench[clients]?.tps ?? 0) * FLOORS.ratioToPgbench, 0);
      floors.push({
        floor: `random at ${clients} clients >= 2x pgbench`,
        measured: r?.tps ?? 0,
        required,
        ok: (r?.tps ?? 0) >= required,
      });
    }
    const r32 = results.find((m) => m.workload === 'random' && m.clients === 32);
    if (r32) {
      floors.push({
        floor: 'random at 32 clients >= 10,000/s',
        measured: r32.tps,
        required: FLOORS.randomAt32,
        ok: r32.tps >= FLOORS.randomAt32,
      });
    }
    const h32 = results.find((m) => m.workload === 'hot' && m.clients === 32);
    if (h32) {
      floors.push({
        floor: 'through the hot account at 32 clients >= 3,000/s',
        measured: h32.tps,
        required: FLOORS.hotAt32,
        ok: h32.tps >= FLOORS.hotAt32,
      });
    }
    for (const f of floors) {
      console.log(`${f.ok ? 'PASS' : 'FAIL'}  ${f.floor}: ${f.measured} (needs ${f.required})`);
    }
    console.log(
      `load average at the end: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    console.log(report.ok ? 'verifyLedger: ok' : formatVerifyReport(report));

    mkdirSync('bench/results', { recursive: true });
    writeFileSync(
      'bench/results/ledger.json',
      `${JSON.stringify(
        {
          at: new Date().toISOString(),
          cpus: cpus().length,
          loadAverageAtEnd: loadavg(),
          secondsPerMeasurement: SECONDS,
          rounds: ROUNDS,
          pool: POOL,
          users: USERS,
          ledger: results,
          pgbench: { scale: PGBENCH_SCALE, byClients: pgbench },
          floors,
          verify: { ok: report.ok, counts: report.counts },
        },
        null,
        2,
      )}\n`,
    );
    console.log('Wrote bench/results/ledger.json');
    if (!report.ok) process.exitCode = 1;
  } finally {
    await db.close();
    await admin(`DROP DATABASE IF EXISTS "${ledgerDbName}" WITH (FORCE)`);
    await admin(`DROP DATABASE IF EXISTS "${pgbenchDbName}" WITH (FORCE)`);
  }
}

await main();
