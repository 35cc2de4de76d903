/**
 * `npm run bench:merchants`: invoice creations over HTTP against a real server process.
 *
 * A fresh PostgreSQL database, migrated; `vaultwire start --roles api` in the `dev`
 * profile (demo assets, static prices) on it; one merchant with a live key. C concurrent
 * keep-alive callers each create invoices (`POST /v1/invoices`, 12.34 USD payable in USD,
 * ETH and USDC: three locked rates per invoice) for BENCH_SECONDS; the bench reports
 * invoices/s and p50/p99 latency per client count.
 *
 * Baseline in the same run, on the same database: the ledger's in-process transfer rate
 * (ledger.transfer from C concurrent callers over 1,000 accounts).
 *
 * Floors (issue 20): ≥ 1,000 invoices/s at p99 ≤ 50 ms; printed, not enforced. Not yet
 * measured here: confirmation → `invoice.paid` webhook latency and search.
 *
 * Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres),
 * BENCH_SECONDS (default 5), BENCH_CLIENTS (default 8,32), BENCH_SMOKE=1 (a few seconds
 * in all). Results go to stdout and bench/results/merchants.json.
 */
import { randomBytes } from 'node:crypto';
import { adminSql, withDatabase } from '../lib/database.js';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { migrationSources } from '../../src/migrations.js';
import { createLedgerService } from '../../src/ledger/service.js';
import { openDb } from '../../src/platform/db/drivers.js';
import { migrate } from '../../src/platform/db/migrate.js';
import { base32Decode, totp } from '../../src/platform/crypto/totp.js';
import { freePort } from '../../test/support/ports.js';
import { REPO_ROOT, spawnVaultwire } from '../../test/support/process.js';
import { percentile, round, table } from '../lib/stats.js';

const SMOKE = process.env['BENCH_SMOKE'] === '1';
const ADMIN_URL =
  process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? (SMOKE ? 0.5 : 5));
const CLIENTS = (process.env['BENCH_CLIENTS'] ?? (SMOKE ? '2' : '8,32')).split(',').map(Number);

const agent = new Agent({ connections: 256, pipelining: 1 });

async function call(
  base: string,
  method: string,
  path: string,
  token: string | undefined,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await request(`${base}${path}`, {
    method: method as 'POST',
    dispatcher: agent,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await r.body.text();
  return { status: r.statusCode, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function measureInvoices(base: string, key: string, clients: number) {
  const latencies: number[] = [];
  let failures = 0;
  let counting = false;
  let stop = false;
  const caller = async () => {
    while (!stop) {
      const started = performance.now();
      const r = await call(base, 'POST', '/v1/invoices', key, {
        currency: 'USD',
        amount: '12.34',
        assets: ['USD', 'ETH', 'USDC'],
        order_id: `o-${randomBytes(6).toString('hex')}`,
      });
      if (!counting) continue;
      if (r.status !== 201) failures++;
      else latencies.push(performance.now() - started);
    }
  };
  const running = Array.from({ length: clients }, () => caller());
  await new Promise((r) => setTimeout(r, SMOKE ? 200 : 1000));
  counting = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  counting = false;
  const seconds = (performance.now() - t0) / 1000;
  stop = true;
  await Promise.all(running);
  latencies.sort((a, b) => a - b);
  return {
    clients,
    invoicesPerSec: latencies.length / seconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    failures,
  };
}

async function ledgerRate(databaseUrl: string, clients: number): Promise<number> {
  const db = await openDb({ databaseUrl, poolMax: clients + 2 });
  try {
    const ledger = createLedgerService({ db, batching: { maxInFlight: Math.min(clients, 8) } });
    const liquidity = await ledger.houseAccount('liquidity', 'USD');
    if (!liquidity.ok) throw new Error(liquidity.message);
    const accounts: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const a = await ledger.openAccount({ owner: `usr_bench_${clients}_${i}`, asset: 'USD' });
      if (!a.ok) throw new Error(a.message);
      accounts.push(a.account.id);
    }
    const funded = await ledger.transferBatch(
      accounts.map((id) => ({
        key: `bench:fund:${id}`,
        from: liquidity.account.id,
        to: id,
        asset: 'USD',
        amount: 100_000_000n,
      })),
    );
    if (!funded.every((r) => r.ok)) throw new Error('ledger funding failed');
    let counting = false;
    let stop = false;
    let done = 0;
    const caller = async (n: number) => {
      for (let i = 0; !stop; i++) {
        const from = accounts[(n * 7919 + i) % accounts.length] ?? '';
        const to = accounts[(n * 104_729 + i * 13 + 1) % accounts.length] ?? '';
        if (from === to) continue;
        const r = await ledger.transfer({
          key: `bench:${clients}:${n}:${i}`,
          from,
          to,
          asset: 'USD',
          amount: 1n,
        });
        if (counting && r.ok) done++;
      }
    };
    const running = Array.from({ length: clients }, (_, n) => caller(n));
    await new Promise((r) => setTimeout(r, SMOKE ? 200 : 1000));
    counting = true;
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    counting = false;
    const seconds = (performance.now() - t0) / 1000;
    stop = true;
    await Promise.all(running);
    await ledger.drain();
    return done / seconds;
  } finally {
    await db.close();
  }
}

async function main(): Promise<void> {
  const name = `vw_bench_merchants_${Date.now().toString(36)}`;
  await adminSql(ADMIN_URL, `CREATE DATABASE "${name}"`);
  const url = withDatabase(ADMIN_URL, name);
  const dataDir = mkdtempSync(join(tmpdir(), 'vw-bench-merchants-'));
  try {
    const db = await openDb({ databaseUrl: url });
    await migrate(db, { sources: migrationSources() });
    await db.close();

    const port = await freePort();
    const server = spawnVaultwire(['start', '--roles', 'api'], {
      VW_PROFILE: 'dev',
      LOG_LEVEL: 'warn',
      DATABASE_URL: url,
      VW_DATA_DIR: dataDir,
      PORT: String(port),
      VW_RATE_LIMIT_IP_PER_MIN: '100000000',
      VW_RATE_LIMIT_KEY_PER_MIN: '100000000',
    });
    const base = `http://127.0.0.1:${port}`;
    try {
      const deadline = Date.now() + 120_000;
      while (
        !(await fetch(`${base}/readyz`).then(
          (r) => r.ok,
          () => false,
        ))
      ) {
        if (Date.now() > deadline || server.proc.exitCode !== null) {
          throw new Error(`API not ready:\n${server.lines.join('\n')}`);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      const pw = 'correct horse battery staple';
      await call(base, 'POST', '/v1/users', undefined, {
        email: 'bench@example.com',
        password: pw,
      });
      const session = await call(base, 'POST', '/v1/sessions', undefined, {
        email: 'bench@example.com',
        password: pw,
      });
      const token = session.json['token'] as string;
      // Merchant owners must have TOTP on before they create a merchant.
      const started = await call(base, 'POST', '/v1/me/totp', token, {});
      const secret = started.json['secret'] as string;
      const confirmed = await call(base, 'POST', '/v1/me/totp/confirm', token, {
        code: totp(base32Decode(secret), Date.now()),
      });
      if (confirmed.status !== 200) throw new Error(`no TOTP: ${JSON.stringify(confirmed.json)}`);
      const m = await call(base, 'POST', '/v1/merchants', token, { name: 'Bench Shop' });
      const key = await call(
        base,
        'POST',
        `/v1/merchants/${String(m.json['id'])}/api_keys`,
        token,
        {
          name: 'bench',
          mode: 'live',
        },
      );
      if (key.status !== 201) throw new Error(`no key: ${JSON.stringify(key.json)}`);
      const liveKey = key.json['token'] as string;

      const rows: string[][] = [
        ['clients', 'invoices/s', 'p50 ms', 'p99 ms', 'failed', 'ledger transfers/s (baseline)'],
      ];
      const results = [];
      for (const clients of CLIENTS) {
        const inv = await measureInvoices(base, liveKey, clients);
        const baseline = await ledgerRate(url, clients);
        results.push({ ...inv, ledgerTransfersPerSec: baseline });
        rows.push([
          String(clients),
          String(round(inv.invoicesPerSec)),
          String(round(inv.p50Ms, 2)),
          String(round(inv.p99Ms, 2)),
          String(inv.failures),
          String(round(baseline)),
        ]);
      }
      console.log('Invoice creation over HTTP (PostgreSQL, one server process):');
      console.log(table(rows));
      const best = results.reduce((a, b) => (b.invoicesPerSec > a.invoicesPerSec ? b : a));
      const floor = best.invoicesPerSec >= 1000 && best.p99Ms <= 50;
      console.log(
        `Floor ≥ 1,000 invoices/s at p99 ≤ 50 ms: ${floor ? 'met' : 'NOT met'} (best ${round(best.invoicesPerSec)}/s, p99 ${round(best.p99Ms, 2)} ms)`,
      );
      mkdirSync(join(REPO_ROOT, 'bench/results'), { recursive: true });
      writeFileSync(
        join(REPO_ROOT, 'bench/results/merchants.json'),
        `${JSON.stringify({ smoke: SMOKE, seconds: SECONDS, results, floorMet: floor }, null, 2)}\n`,
      );
    } finally {
      server.kill('SIGTERM');
      await server.exited;
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    await adminSql(ADMIN_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

await main();
await agent.close();
