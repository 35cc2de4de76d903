/**
 * `npm run bench:merchants`: invoice creations over HTTP against a real server process.
 *
 * A fresh PostgreSQL database, migrated; `vaultwire start --roles api` in the `dev`
 * profile (demo assets, static prices) on it; one merchant with a live key. C concurrent
 * keep-alive callers each create invoices (`POST /v1/invoices`, 12.34 USD payable in USD,
 * ETH and USDC: three locked rates per invoice, and a deposit address of its own for ETH
 * on the live chain) for BENCH_SECONDS; the bench reports
 * invoices/s and p50/p99 latency per client count, and what an invoice costs whatever else
 * runs on the machine: the server's CPU, the PostgreSQL backends' CPU (from /proc) and
 * commits, per invoice created in the measured window.
 *
 * Baseline in the same run, on the same database: the ledger's in-process transfer rate
 * (ledger.transfer from C concurrent callers over 1,000 accounts).
 *
 * Each creation also writes its audit entry (`merchant.invoice_created`) to the audit log's
 * waiting list in its transaction; the server's sealer chains them meanwhile.
 *
 * Confirmation latency: a local Hardhat node and a second server process running every
 * role (follower, worker, scheduler, delivery) on its own database, with a merchant whose
 * webhook endpoint is a local HTTP receiver. In rounds, invoices (ETH) are paid in one
 * block; once each shows `processing`, the blocks on top are mined one by one and the
 * clock starts just before the block that gives the payment its confirmations is mined;
 * it stops when the receiver gets that invoice's signed `invoice.paid`. Two
 * configurations in the same run: wake-ups (database notifications for the outbox, jobs
 * and webhook messages; the follower woken by `newHeads` over WebSocket) and pure polling
 * (VW_DB_WAKEUPS=false, no WebSocket, the follower's default pollMs of 2 s).
 *
 * Floors (issue 20): ≥ 1,000 invoices/s at p99 ≤ 50 ms; confirmation → `invoice.paid`
 * p99 ≤ 1 s (with wake-ups); printed, not enforced. Search is `bench:merchants-search`.
 *
 * Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres),
 * BENCH_SECONDS (default 5), BENCH_WARMUP_SECONDS (default 3: creations at the largest client
 * count before the first measured phase), BENCH_CLIENTS (default 8,32), BENCH_CONFIRM_INVOICES (default
 * 100, smoke 3), BENCH_SMOKE=1 (a few seconds of creations, 3 invoices per configuration),
 * BENCH_PHASES (default `creations,confirmations`; one of them to run only that phase, and
 * then nothing is written to bench/results), BENCH_SERVER_NODE_ARGS (node flags for the
 * creation phase's server process, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to see
 * where a creation's time goes), BENCH_CREATE_ON_CHAIN=0 (creations without a chain, so
 * no deposit address per invoice). Results go to stdout and bench/results/merchants.json.
 */
import { randomBytes } from 'node:crypto';
import { adminSql, withDatabase } from '../lib/database.js';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { parseEther, type Address } from 'viem';
import { startLocalNode, type LocalNode } from '../../test/fixtures/chains/node.js';
import { startReceiver, type Receiver } from '../../test/fixtures/webhooks/receiver.js';
import { migrationSources } from '../../src/migrations.js';
import { createLedgerService } from '../../src/ledger/service.js';
import { openDb } from '../../src/platform/db/drivers.js';
import type { Db } from '../../src/platform/db/db.js';
import { migrate } from '../../src/platform/db/migrate.js';
import { base32Decode, totp } from '../../src/platform/crypto/totp.js';
import { freePort } from '../../test/support/ports.js';
import { REPO_ROOT, spawnVaultwire } from '../../test/support/process.js';
import { percentile, round, table } from '../lib/stats.js';

const SMOKE = process.env['BENCH_SMOKE'] === '1';
const ADMIN_URL =
  process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? (SMOKE ? 0.5 : 5));
/**
 * Creations before the first measured phase, not counted: the server's first few thousand
 * requests run partly unoptimised (V8 compiles the hot paths as they warm up, on threads
 * of the same process), which made the first client count look about twice as costly in
 * server CPU per invoice as the same count measured after it.
 */
const WARMUP_SECONDS = Number(process.env['BENCH_WARMUP_SECONDS'] ?? (SMOKE ? 0 : 3));
const CLIENTS = (process.env['BENCH_CLIENTS'] ?? (SMOKE ? '2' : '8,32')).split(',').map(Number);

const PHASES = new Set((process.env['BENCH_PHASES'] ?? 'creations,confirmations').split(','));
const CREATE_ON_CHAIN = process.env['BENCH_CREATE_ON_CHAIN'] !== '0';
const SERVER_NODE_ARGS = (process.env['BENCH_SERVER_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
const CONFIRM_INVOICES = Number(process.env['BENCH_CONFIRM_INVOICES'] ?? (SMOKE ? 3 : 100));
const CONFIRMATIONS = 3;
const MNEMONIC =
  'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';

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

/** Creates invoices from `clients` callers for `seconds`, measuring nothing. */
async function warmUp(base: string, key: string, clients: number, seconds: number) {
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) {
        await call(base, 'POST', '/v1/invoices', key, {
          currency: 'USD',
          amount: '12.34',
          assets: ['USD', 'ETH', 'USDC'],
          order_id: `w-${randomBytes(6).toString('hex')}`,
        });
      }
    }),
  );
}

/**
 * CPU time (ms, user + system, every thread) the processes `pids` have used so far, from
 * /proc (Linux; 0 elsewhere). A process gone since is missing from the sum.
 */
function cpuMs(pids: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    try {
      // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(pid, ((Number(f[11]) + Number(f[12])) * 1000) / 100);
    } catch {
      // Exited, or not Linux.
    }
  }
  return out;
}

/**
 * What one invoice costs, whatever else shares the machine: the server process's CPU and
 * PostgreSQL's (the backends serving the bench's database: their CPU, not the WAL writer's
 * or the checkpointer's), and commits, per invoice created in the measured window.
 */
async function costMeter(probe: Db, database: string, serverPid: number) {
  const backends = async () =>
    (
      await probe.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [database],
      )
    ).rows.map((r) => r.pid);
  const commits = async () =>
    Number(
      (
        await probe.query<{ n: string }>(
          'SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = $1',
          [database],
        )
      ).rows[0]?.n ?? 0,
    );
  const startPids = await backends();
  const server0 = cpuMs([serverPid]).get(serverPid) ?? 0;
  const db0 = cpuMs(startPids);
  const commits0 = await commits();
  return async (invoices: number) => {
    const server1 = cpuMs([serverPid]).get(serverPid) ?? 0;
    const db1 = cpuMs([...new Set([...startPids, ...(await backends())])]);
    let dbMs = 0;
    for (const [pid, ms] of db1) dbMs += ms - (db0.get(pid) ?? 0);
    // Less the probe's own two transactions.
    const committed = (await commits()) - commits0 - 2;
    const per = (x: number) => (invoices > 0 ? x / invoices : Number.NaN);
    return {
      serverCpuMsPerInvoice: per(server1 - server0),
      dbCpuMsPerInvoice: per(dbMs),
      commitsPerInvoice: per(committed),
    };
  };
}

async function measureInvoices(
  base: string,
  key: string,
  clients: number,
  meter: () => Promise<(invoices: number) => Promise<CreationCost>>,
) {
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
  const read = await meter();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  counting = false;
  const cost = await read(latencies.length);
  const seconds = (performance.now() - t0) / 1000;
  stop = true;
  await Promise.all(running);
  latencies.sort((a, b) => a - b);
  return {
    ...cost,
    clients,
    invoicesPerSec: latencies.length / seconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    failures,
  };
}

type CreationCost = Awaited<ReturnType<Awaited<ReturnType<typeof costMeter>>>>;

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

async function waitReady(base: string, server: ReturnType<typeof spawnVaultwire>): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (
    !(await fetch(`${base}/readyz`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (Date.now() > deadline || server.proc.exitCode !== null) {
      throw new Error(`server not ready:\n${server.lines.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A user with TOTP on, a merchant of theirs and a live key: returns the key. */
async function merchantKey(base: string, email: string): Promise<string> {
  const pw = 'correct horse battery staple';
  await call(base, 'POST', '/v1/users', undefined, { email, password: pw });
  const session = await call(base, 'POST', '/v1/sessions', undefined, { email, password: pw });
  const token = session.json['token'] as string;
  // Merchant owners must have TOTP on before they create a merchant.
  const started = await call(base, 'POST', '/v1/me/totp', token, {});
  const secret = started.json['secret'] as string;
  const confirmed = await call(base, 'POST', '/v1/me/totp/confirm', token, {
    code: totp(base32Decode(secret), Date.now()),
  });
  if (confirmed.status !== 200) throw new Error(`no TOTP: ${JSON.stringify(confirmed.json)}`);
  const m = await call(base, 'POST', '/v1/merchants', token, { name: 'Bench Shop' });
  const key = await call(base, 'POST', `/v1/merchants/${String(m.json['id'])}/api_keys`, token, {
    name: 'bench',
    mode: 'live',
  });
  if (key.status !== 201) throw new Error(`no key: ${JSON.stringify(key.json)}`);
  return key.json['token'] as string;
}

interface ConfirmationResult {
  config: 'wakeups' | 'polling';
  invoices: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /**
   * Median over rounds of when each step first wrote its row after the confirming block
   * was mined (ms; PostgreSQL's transaction start time, so a step's own work is in the next).
   */
  stagesMs: Record<string, number>;
}

/**
 * Confirmation → `invoice.paid` at the receiver, for one configuration, on a database and
 * server process of its own (the node is shared; each phase reads it from its own head).
 */
async function measureConfirmations(
  node: LocalNode,
  rx: Receiver,
  config: ConfirmationResult['config'],
): Promise<ConfirmationResult> {
  const name = `vw_bench_confirm_${config}_${Date.now().toString(36)}`;
  await adminSql(ADMIN_URL, `CREATE DATABASE "${name}"`);
  const url = withDatabase(ADMIN_URL, name);
  const dataDir = mkdtempSync(join(tmpdir(), 'vw-bench-confirm-'));
  const wakeups = config === 'wakeups';
  try {
    const db = await openDb({ databaseUrl: url });
    await migrate(db, { sources: migrationSources() });
    await db.close();
    const port = await freePort();
    const head = Number(BigInt(await node.rpc<string>('eth_blockNumber')));
    const chain = {
      key: 'local',
      chainId: node.chainId,
      rpcUrls: [node.url],
      confirmations: CONFIRMATIONS,
      startBlock: head,
      nativeAsset: { code: 'ETH', decimals: 18 },
      // With wake-ups the follower waits on newHeads (Hardhat serves WebSocket on its RPC
      // port); polling keeps the default pollMs (2 s), which then bounds the latency.
      ...(wakeups ? { wsUrl: node.url.replace(/^http/, 'ws') } : {}),
    };
    const server = spawnVaultwire(['start'], {
      VW_PROFILE: 'dev',
      LOG_LEVEL: 'warn',
      DATABASE_URL: url,
      VW_DATA_DIR: dataDir,
      PORT: String(port),
      VW_CUSTODY_MNEMONIC: MNEMONIC,
      VW_CHAINS: JSON.stringify([chain]),
      VW_MERCHANTS_LIVE_CHAIN: 'local',
      VW_WEBHOOK_SSRF_ALLOW: '127.0.0.1/32',
      VW_DB_WAKEUPS: String(wakeups),
    });
    const base = `http://127.0.0.1:${port}`;
    try {
      await waitReady(base, server);
      const key = await merchantKey(base, `confirm-${config}@example.com`);
      const path = `/${config}`;
      const endpoint = await call(base, 'POST', '/v1/webhook_endpoints', key, {
        url: `${rx.url}${path}`,
        event_types: ['invoice.paid'],
      });
      if (endpoint.status !== 201) throw new Error(`no endpoint: ${JSON.stringify(endpoint.json)}`);
      const [payer] = node.accounts as [Address];
      const latencies: number[] = [];
      const stages = new Map<string, number[]>();
      const probe = await openDb({ databaseUrl: url });
      // Where the time goes, from the rows each step writes (same machine, same clock).
      const stageTimes = async (since: number, paidBy: number) => {
        const { rows } = await probe.query<{ stage: string; ms: number }>(
          `SELECT 'event ' || type AS stage,
                  (extract(epoch FROM min(created_at)) * 1000 - $1)::float8 AS ms
             FROM outbox_events WHERE created_at >= to_timestamp($1 / 1000.0)
                  AND type IN ('deposit.confirmed', 'invoice.paid')
            GROUP BY type
           UNION ALL
           SELECT 'webhook message', (extract(epoch FROM min(created_at)) * 1000 - $1)::float8
             FROM webhook_messages WHERE created_at >= to_timestamp($1 / 1000.0)`,
          [since],
        );
        for (const r of [...rows, { stage: 'received', ms: paidBy - since }]) {
          stages.set(r.stage, [...(stages.get(r.stage) ?? []), r.ms]);
        }
      };
      // Rounds of up to 10 invoices paid in one block each, so the confirming blocks fall
      // at different points of every poll cycle.
      const perRound = Math.min(10, CONFIRM_INVOICES);
      for (let done = 0; done < CONFIRM_INVOICES; done += perRound) {
        const round = Math.min(perRound, CONFIRM_INVOICES - done);
        const invoices: { id: string; address: Address; due: string }[] = [];
        for (let i = 0; i < round; i++) {
          const r = await call(base, 'POST', '/v1/invoices', key, {
            currency: 'USD',
            amount: '12.34',
            assets: ['ETH'],
            order_id: `c-${randomBytes(6).toString('hex')}`,
          });
          if (r.status !== 201) throw new Error(`no invoice: ${JSON.stringify(r.json)}`);
          const options = r.json['payment_options'] as { address: Address; amount_due: string }[];
          const eth = options[0];
          if (!eth) throw new Error('invoice without an ETH option');
          invoices.push({ id: r.json['id'] as string, address: eth.address, due: eth.amount_due });
        }
        await node.rpc('evm_setAutomine', [false]);
        try {
          for (const inv of invoices) {
            await node.rpc('eth_sendTransaction', [
              { from: payer, to: inv.address, value: `0x${parseEther(inv.due).toString(16)}` },
            ]);
          }
          await node.mine(1);
        } finally {
          await node.rpc('evm_setAutomine', [true]);
        }
        // Seen on chain (processing) before the confirmations start.
        const seenBy = Date.now() + 60_000;
        for (const inv of invoices) {
          for (;;) {
            const g = await call(base, 'GET', `/v1/invoices/${inv.id}`, key);
            if (g.json['status'] === 'processing') break;
            if (Date.now() > seenBy)
              throw new Error(`invoice ${inv.id}: ${JSON.stringify(g.json)}`);
            await new Promise((r) => setTimeout(r, 50));
          }
        }
        // The payment block B is confirmed when the head reaches B + CONFIRMATIONS.
        await node.mine(CONFIRMATIONS - 1);
        const ids = new Set(invoices.map((i) => i.id));
        const paidAt = () => {
          const at = new Map<string, number>();
          for (const r of rx.received) {
            if (r.path !== path) continue;
            const e = JSON.parse(r.body) as { type: string; data: { id: string } };
            if (e.type === 'invoice.paid' && ids.has(e.data.id) && !at.has(e.data.id)) {
              at.set(e.data.id, r.at);
            }
          }
          return at;
        };
        // Nothing is paid one block short of the confirmations (checks the count above).
        await new Promise((r) => setTimeout(r, 300));
        if (paidAt().size > 0) throw new Error('invoice.paid before the confirming block');
        const minedAt = Date.now();
        await node.mine(1);
        const until = Date.now() + 60_000;
        let at = paidAt();
        while (at.size < ids.size) {
          if (Date.now() > until) throw new Error(`only ${at.size}/${ids.size} invoice.paid`);
          await new Promise((r) => setTimeout(r, 5));
          at = paidAt();
        }
        for (const t of at.values()) latencies.push(t - minedAt);
        await stageTimes(minedAt, Math.min(...at.values()));
      }
      await probe.close();
      latencies.sort((a, b) => a - b);
      return {
        config,
        invoices: latencies.length,
        p50Ms: percentile(latencies, 0.5),
        p99Ms: percentile(latencies, 0.99),
        maxMs: latencies[latencies.length - 1] ?? 0,
        stagesMs: Object.fromEntries(
          [...stages].map(([k, v]) => [
            k,
            round(
              percentile(
                [...v].sort((a, b) => a - b),
                0.5,
              ),
            ),
          ]),
        ),
      };
    } finally {
      server.kill('SIGTERM');
      await server.exited;
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    await adminSql(ADMIN_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

async function creations(): Promise<{ results: unknown[]; floorMet: boolean }> {
  const name = `vw_bench_merchants_${Date.now().toString(36)}`;
  await adminSql(ADMIN_URL, `CREATE DATABASE "${name}"`);
  const url = withDatabase(ADMIN_URL, name);
  const dataDir = mkdtempSync(join(tmpdir(), 'vw-bench-merchants-'));
  try {
    const db = await openDb({ databaseUrl: url });
    await migrate(db, { sources: migrationSources() });
    await db.close();

    const port = await freePort();
    // With a chain for live mode, each invoice derives its own deposit address, as in a
    // deployment that takes crypto. The api role never calls the chain's RPC (nothing
    // listens there); following it is the follower role's work.
    const chain = {
      key: 'local',
      chainId: 31337,
      rpcUrls: [`http://127.0.0.1:${await freePort()}`],
      confirmations: CONFIRMATIONS,
      nativeAsset: { code: 'ETH', decimals: 18 },
    };
    const server = spawnVaultwire(
      ['start', '--roles', 'api'],
      {
        VW_PROFILE: 'dev',
        LOG_LEVEL: 'warn',
        DATABASE_URL: url,
        VW_DATA_DIR: dataDir,
        PORT: String(port),
        VW_RATE_LIMIT_IP_PER_MIN: '100000000',
        VW_RATE_LIMIT_KEY_PER_MIN: '100000000',
        ...(CREATE_ON_CHAIN
          ? {
              VW_CUSTODY_MNEMONIC: MNEMONIC,
              VW_CHAINS: JSON.stringify([chain]),
              VW_MERCHANTS_LIVE_CHAIN: 'local',
            }
          : {}),
      },
      'src/bin/vaultwire.ts',
      { cwd: REPO_ROOT, nodeArgs: ['--import', 'tsx', ...SERVER_NODE_ARGS] },
    );
    const base = `http://127.0.0.1:${port}`;
    try {
      await waitReady(base, server);
      const liveKey = await merchantKey(base, 'bench@example.com');

      const rows: string[][] = [
        [
          'clients',
          'invoices/s',
          'p50 ms',
          'p99 ms',
          'failed',
          'server CPU ms/inv',
          'PG CPU ms/inv',
          'commits/inv',
          'ledger transfers/s (baseline)',
        ],
      ];
      const results = [];
      const probe = await openDb({ databaseUrl: url, poolMax: 1 });
      const serverPid = server.proc.pid ?? 0;
      if (WARMUP_SECONDS > 0) await warmUp(base, liveKey, Math.max(...CLIENTS), WARMUP_SECONDS);
      for (const clients of CLIENTS) {
        const inv = await measureInvoices(base, liveKey, clients, () =>
          costMeter(probe, name, serverPid),
        );
        const baseline = await ledgerRate(url, clients);
        results.push({ ...inv, ledgerTransfersPerSec: baseline });
        rows.push([
          String(clients),
          String(round(inv.invoicesPerSec)),
          String(round(inv.p50Ms, 2)),
          String(round(inv.p99Ms, 2)),
          String(inv.failures),
          String(round(inv.serverCpuMsPerInvoice, 3)),
          String(round(inv.dbCpuMsPerInvoice, 3)),
          String(round(inv.commitsPerInvoice, 3)),
          String(round(baseline)),
        ]);
      }
      await probe.close();
      // Every created invoice has exactly one chained audit entry once the sealer caught up.
      const check = await openDb({ databaseUrl: url });
      let audited:
        { invoices: number; entries: number; waiting: number; addressed: number } | undefined;
      try {
        const until = Date.now() + 30_000;
        for (;;) {
          const { rows } = await check.query<{
            invoices: number;
            entries: number;
            waiting: number;
            addressed: number;
          }>(
            `SELECT (SELECT count(*) FROM merchant_invoices)::int AS invoices,
                    (SELECT count(*) FROM merchant_invoices WHERE address IS NOT NULL)::int
                      AS addressed,
                    (SELECT count(*) FROM audit_events
                      WHERE action = 'merchant.invoice_created')::int AS entries,
                    (SELECT count(*) FROM audit_pending)::int AS waiting`,
          );
          audited = rows[0];
          if (audited?.waiting === 0 || Date.now() > until) break;
          await new Promise((r) => setTimeout(r, 100));
        }
      } finally {
        await check.close();
      }
      if (!audited || audited.waiting !== 0 || audited.entries !== audited.invoices) {
        throw new Error(`audit entries do not match invoices: ${JSON.stringify(audited)}`);
      }
      if (audited.addressed !== (CREATE_ON_CHAIN ? audited.invoices : 0)) {
        throw new Error(`deposit addresses do not match invoices: ${JSON.stringify(audited)}`);
      }
      console.log('Invoice creation over HTTP (PostgreSQL, one server process):');
      console.log(table(rows));
      const best = results.reduce((a, b) => (b.invoicesPerSec > a.invoicesPerSec ? b : a));
      const floor = best.invoicesPerSec >= 1000 && best.p99Ms <= 50;
      console.log(
        `Audit: ${audited.entries} invoice_created entries chained for ${audited.invoices} invoices, none waiting.`,
      );
      console.log(
        `Floor ≥ 1,000 invoices/s at p99 ≤ 50 ms: ${floor ? 'met' : 'NOT met'} (best ${round(best.invoicesPerSec)}/s, p99 ${round(best.p99Ms, 2)} ms)`,
      );
      return { results, floorMet: floor };
    } finally {
      server.kill('SIGTERM');
      await server.exited;
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    await adminSql(ADMIN_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

async function confirmations(): Promise<{
  results: ConfirmationResult[];
  floorMet: boolean;
}> {
  const node = await startLocalNode();
  const rx = await startReceiver();
  try {
    const results = [
      await measureConfirmations(node, rx, 'wakeups'),
      await measureConfirmations(node, rx, 'polling'),
    ];
    const woken = results[0];
    const floor = woken !== undefined && woken.p99Ms <= 1000;
    console.log('Confirmation → invoice.paid at the receiver (Hardhat, PostgreSQL, every role):');
    console.log(
      table([
        ['configuration', 'invoices', 'p50 ms', 'p99 ms', 'max ms'],
        ...results.map((r) => [
          r.config === 'wakeups' ? 'wake-ups + newHeads' : 'pure polling (baseline)',
          String(r.invoices),
          String(round(r.p50Ms)),
          String(round(r.p99Ms)),
          String(round(r.maxMs)),
        ]),
      ]),
    );
    for (const r of results) {
      const steps = Object.entries(r.stagesMs)
        .sort((a, b) => a[1] - b[1])
        .map(([k, v]) => `${k} +${v} ms`)
        .join(', ');
      console.log(`  ${r.config}, first of each round (median): ${steps}`);
    }
    console.log(
      `Floor confirmation → webhook p99 ≤ 1 s: ${floor ? 'met' : 'NOT met'} (p99 ${round(woken?.p99Ms ?? NaN)} ms with wake-ups)`,
    );
    return { results, floorMet: floor };
  } finally {
    await rx.close();
    await node.stop();
  }
}

const created = PHASES.has('creations') ? await creations() : undefined;
const confirmed = PHASES.has('confirmations') ? await confirmations() : undefined;
// A partial run leaves the recorded results as they are.
if (created && confirmed) {
  mkdirSync(join(REPO_ROOT, 'bench/results'), { recursive: true });
  writeFileSync(
    join(REPO_ROOT, 'bench/results/merchants.json'),
    `${JSON.stringify(
      {
        smoke: SMOKE,
        seconds: SECONDS,
        results: created.results,
        floorMet: created.floorMet,
        confirmation: { confirmations: CONFIRMATIONS, ...confirmed },
      },
      null,
      2,
    )}\n`,
  );
}
await agent.close();
