/**
 * `npm run bench:nodeops`: detection latency of a node leaving consensus, from the fault's
 * onset to the notification received at a local receiver, p50/p99.
 *
 * - Vaultwire: the nodeops monitor (its defaults: 2 s poll, stall after 2 block times,
 *   lag over 3 blocks, 2 missed precommits in a row) watching scripted CometBFT nodes
 *   (src/nodeops/simulator.ts), sending to a Telegram-Bot-API-shaped receiver.
 * - Baseline, in the same run, on the same nodes: real Prometheus and Alertmanager
 *   (Debian packages) scraping the nodes' CometBFT metrics, with what operators run (the
 *   reference doc, shared/reference/nodeops.md): 1 m scrape and evaluation, the stall
 *   rule `changes(cometbft_consensus_height[3m]) == 0` with `for: 1m`, the lag rule
 *   "more than 10 blocks behind the highest" with `for: 1m`, `group_wait: 30s`,
 *   delivering to a local webhook receiver. These exporters publish no block hashes
 *   and no other validators' signatures, so the baseline has no rule for forks and
 *   missed precommits: those are reported as not detected.
 *
 * Faults: `stall` (the node stops at its height), `lag` (it falls 20 blocks behind at
 * once and follows from there, as a node restored from a snapshot), `fork` (it goes on other blocks),
 * `missed` (a validator's precommits stop), each injected at a random moment into its
 * own node, at 6.5 s blocks.
 *
 * BENCH_SMOKE=1 runs everything with time scaled down twentyfold (0.325 s blocks, 3 s
 * scrape and evaluation, `for: 3s`, `group_wait: 2s`, 100 ms polls) and 3 faults of each
 * kind, and capacity at 30 nodes: under a minute on a quiet machine. Its figures are
 * printed scaled back (×20) next to the real ones.
 * Environment: BENCH_DATABASE_URL, BENCH_FAULTS (per kind; default 20, smoke 3),
 * BENCH_SCALE (time factor; default 1, smoke 0.05), BENCH_PHASES (`latency`, `capacity`;
 * default both).
 *
 * Capacity (capacity.ts): nodes one monitor process watches per CPU core at a 5 s
 * interval, at BENCH_CAPACITY_SIZES nodes (default 100,1000,5000; smoke 30), with the
 * detection p50/p99 of BENCH_CAPACITY_FAULTS stalls (default 10) at each size, next to
 * Prometheus scraping the same nodes at the same interval (its CPU per node), over a
 * BENCH_CAPACITY_WINDOW_MS window (default 30 s). A full run of both phases takes about
 * 15 minutes, every wait bounded: latency about 9 (warm-up 150 s, detection at most
 * 400 s), capacity about 2 per size.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { buildVaultwire } from '../../src/app.js';
import { migrationSources } from '../../src/migrations.js';
import { loadConfig } from '../../src/modules.js';
import { openDb } from '../../src/platform/db/drivers.js';
import { migrate } from '../../src/platform/db/migrate.js';
import { startScriptedChain } from '../../src/nodeops/simulator.js';
import { runCapacity, type CapacityResult } from './capacity.js';
import { announceSmoke, resultsFile, setting, SMOKE } from '../lib/smoke.js';
import { percentile, round, table } from '../lib/stats.js';

const SCALE = setting('BENCH_SCALE', 1, 0.05);
const FAULTS = setting('BENCH_FAULTS', 20, 3);
const BLOCK_MS = 6500 * SCALE;
const BASE_URL = process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const KINDS = ['stall', 'lag', 'fork', 'missed'] as const;
/** How far a `lag` fault puts a node behind: past both Vaultwire's 3 and the baseline's 10. */
const LAG_BLOCKS = 20;
/** `latency`, `capacity` or both (default): run one phase alone. */
const PHASES = new Set((process.env['BENCH_PHASES'] ?? 'latency,capacity').split(','));
const SIZES = (process.env['BENCH_CAPACITY_SIZES'] ?? (SMOKE ? '30' : '100,1000,5000'))
  .split(',')
  .map(Number);
const CAPACITY_FAULTS = setting('BENCH_CAPACITY_FAULTS', 10, 2);
const CAPACITY_WINDOW_MS = setting('BENCH_CAPACITY_WINDOW_MS', 30_000, 3000);
type Kind = (typeof KINDS)[number];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dur = (ms: number) => `${Math.max(1, Math.round(ms / 1000))}s`;
const tag = Date.now().toString(36);
const dbName = `vw_bench_nodeops_${tag}`;
const dbUrl = (() => {
  const u = new URL(BASE_URL);
  u.pathname = `/${dbName}`;
  return u.toString();
})();

async function admin(sql: string) {
  const c = new pg.Client({ connectionString: BASE_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** A receiver that records when each node was first named in a firing notification. */
async function receiver(parse: (body: unknown) => { node: string; firing: boolean }[]) {
  const firstSeen = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      try {
        for (const { node, firing } of parse(JSON.parse(Buffer.concat(chunks).toString('utf8')))) {
          if (firing && !firstSeen.has(node)) firstSeen.set(node, at);
        }
      } catch {
        // not a notification
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, result: { message_id: 1 } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    firstSeen,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => {
          r();
        });
        server.closeAllConnections();
      }),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => {
        resolve(port);
      });
    });
  });
}

async function waitHttp(url: string, ms = 30_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await sleep(100);
  }
  throw new Error(`${url} did not come up`);
}

/** Prometheus and Alertmanager from Debian, configured as the baseline says. */
async function startBaseline(scrapeUrl: URL, webhookUrl: string) {
  const dir = mkdtempSync(join(tmpdir(), 'vw-bench-prom-'));
  const s = (seconds: number) => `${Math.max(1, Math.round(seconds * SCALE))}s`;
  const [promPort, amPort] = [await freePort(), await freePort()];
  writeFileSync(
    join(dir, 'rules.yml'),
    `groups:
  - name: nodes
    rules:
      - alert: NodeStalled
        expr: changes(cometbft_consensus_height[${s(180)}]) == 0
        for: ${s(60)}
      - alert: NodeLagging
        expr: max by (chain_id) (cometbft_consensus_height) - on (chain_id) group_right cometbft_consensus_height > 10
        for: ${s(60)}
`,
  );
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global:
  scrape_interval: ${s(60)}
  evaluation_interval: ${s(60)}
rule_files: [rules.yml]
alerting:
  alertmanagers:
    - static_configs: [{ targets: ['127.0.0.1:${amPort}'] }]
scrape_configs:
  - job_name: cometbft
    metrics_path: ${scrapeUrl.pathname}
    static_configs: [{ targets: ['${scrapeUrl.host}'] }]
`,
  );
  writeFileSync(
    join(dir, 'alertmanager.yml'),
    `route:
  receiver: ops
  group_by: [alertname, node]
  group_wait: ${s(30)}
  group_interval: ${s(300)}
  repeat_interval: 4h
receivers:
  - name: ops
    webhook_configs: [{ url: '${webhookUrl}', send_resolved: false }]
`,
  );
  const procs: ChildProcess[] = [
    spawn(
      'prometheus-alertmanager',
      [
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${join(dir, 'am')}`,
        `--web.listen-address=127.0.0.1:${amPort}`,
        '--cluster.listen-address=',
      ],
      { stdio: 'ignore' },
    ),
    spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      { stdio: 'ignore', cwd: dir },
    ),
  ];
  await waitHttp(`http://127.0.0.1:${amPort}/-/ready`);
  await waitHttp(`http://127.0.0.1:${promPort}/-/ready`);
  return {
    stop: async () => {
      for (const p of procs) p.kill('SIGTERM');
      await sleep(200);
    },
  };
}

// --- run -----------------------------------------------------------------------------------
announceSmoke('3 faults per kind with time scaled down twentyfold, 30 nodes for capacity');
console.log(
  `nodeops benchmark: ${FAULTS} faults per kind at ${BLOCK_MS / 1000} s blocks (scale ${SCALE}), ${cpus().length} cores, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} (shared machine)`,
);

await admin(`CREATE DATABASE "${dbName}"`);
const cleanup: (() => Promise<void>)[] = [];
const output: { scale: number; latency?: unknown; capacity?: CapacityResult[] } = { scale: SCALE };
let failure: string | undefined;
try {
  const mdb = await openDb({ databaseUrl: dbUrl, poolMax: 1 });
  await migrate(mdb, { sources: migrationSources() });
  await mdb.close();
  if (PHASES.has('latency')) await latencyPhase();
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
  if (PHASES.has('capacity')) await capacityPhase();
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(`bench/results/${resultsFile('nodeops')}`, `${JSON.stringify(output, null, 2)}\n`);
  if (failure) throw new Error(failure);
} finally {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
  await admin(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
}

async function latencyPhase() {
  const chain = await startScriptedChain({
    chainId: 'bench-1',
    blockTimeMs: BLOCK_MS,
    validators: FAULTS + 3,
  });
  cleanup.push(() => chain.close());
  const nodes: { name: string; kind: Kind | 'ref'; validator?: string }[] = [];
  for (const kind of KINDS) {
    for (let i = 0; i < FAULTS; i++) {
      nodes.push({
        name: `${kind}-${i}`,
        kind,
        ...(kind === 'missed' ? { validator: chain.validators[i] } : {}),
      });
    }
  }
  for (const n of [...nodes.map((x) => x.name), 'ref-a', 'ref-b', 'ref-c']) chain.addNode(n);

  const telegram = await receiver((body) => {
    const text = (body as { text?: string }).text ?? '';
    const m = /^\[FIRING \w+\] bench\/([\w-]+) /.exec(text);
    return m?.[1] ? [{ node: m[1], firing: true }] : [];
  });
  cleanup.push(() => telegram.close());
  const am = await receiver((body) =>
    ((body as { alerts?: { status: string; labels: Record<string, string> }[] }).alerts ?? []).map(
      (a) => ({ node: a.labels['node'] ?? '', firing: a.status === 'firing' }),
    ),
  );
  cleanup.push(() => am.close());

  const baseline = await startBaseline(new URL(`${chain.url}/metrics`), am.url);
  cleanup.push(() => baseline.stop());

  const config = loadConfig({
    env: {
      DATABASE_URL: dbUrl,
      LOG_LEVEL: 'warn',
      VW_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
      VW_DATA_DIR: mkdtempSync(join(tmpdir(), 'vw-bench-nodeops-')),
      VW_NODEOPS: JSON.stringify({
        enabled: true,
        intervalMs: Math.round(2000 * SCALE),
        sendPollMs: Math.max(20, Math.round(250 * SCALE)),
        ssrfAllow: ['127.0.0.0/8'],
        chains: [
          {
            key: 'bench',
            family: 'cometbft',
            blockTimeSeconds: BLOCK_MS / 1000,
            minPeers: 0,
            references: ['ref-a', 'ref-b', 'ref-c'].map((r) => chain.nodeUrl(r)),
          },
        ],
        nodes: nodes.map((n) => ({
          name: n.name,
          chain: 'bench',
          region: 'eu',
          role: n.validator ? 'validator' : 'rpc',
          url: chain.nodeUrl(n.name),
          ...(n.validator ? { validatorAddress: n.validator } : {}),
        })),
        channels: [
          { name: 'tg', kind: 'telegram', botToken: TOKEN, chatId: '1', apiUrl: telegram.url },
        ],
      }),
    },
  });
  const vw = await buildVaultwire({ config, migrate: false });
  cleanup.push(() => vw.lifecycle.stop('bench done'));
  const role = await vw.nodeops.startRole();
  cleanup.push(() => role.stop());

  // Both watchers see the fleet healthy first (Prometheus needs its rule window filled).
  const warmup = Math.max(5000, 150_000 * SCALE);
  console.log(`warming up ${dur(warmup)} (the baseline's stall window must fill first)`);
  await sleep(warmup);
  if (telegram.firstSeen.size + am.firstSeen.size > 0) {
    throw new Error(
      `alerts before any fault: ${[...telegram.firstSeen.keys(), ...am.firstSeen.keys()].join(', ')}`,
    );
  }

  // Faults at random moments over a spread of a few blocks.
  const onset = new Map<string, number>();
  const spread = BLOCK_MS * 4;
  await Promise.all(
    nodes.map(async (n) => {
      await sleep(Math.random() * spread);
      onset.set(n.name, Date.now());
      if (n.kind === 'stall') chain.stall(n.name);
      else if (n.kind === 'lag') chain.behind(n.name, LAG_BLOCKS);
      else if (n.kind === 'fork') chain.fork(n.name);
      else if (n.validator) chain.stopSigning(n.validator);
    }),
  );
  // Wait for every detection (or the baseline's worst case and a margin).
  const deadline = Date.now() + Math.max(20_000, 400_000 * SCALE);
  // The baseline has rules for stalls and lag only (see the header).
  const stalls = nodes.filter((n) => n.kind === 'stall' || n.kind === 'lag').map((n) => n.name);
  while (Date.now() < deadline) {
    const vwDone = nodes.every((n) => telegram.firstSeen.has(n.name));
    const baseDone = stalls.every((n) => am.firstSeen.has(n));
    if (vwDone && baseDone) break;
    await sleep(200);
  }

  const figures = (seen: Map<string, number>, kind: Kind) => {
    const ms = nodes
      .filter((n) => n.kind === kind)
      .flatMap((n) => {
        const at = seen.get(n.name);
        const from = onset.get(n.name);
        return at !== undefined && from !== undefined ? [at - from] : [];
      })
      .sort((a, b) => a - b);
    return {
      detected: ms.length,
      of: FAULTS,
      p50_s: ms.length ? round(percentile(ms, 0.5) / 1000, 2) : null,
      p99_s: ms.length ? round(percentile(ms, 0.99) / 1000, 2) : null,
    };
  };
  const results = KINDS.map((kind) => ({
    kind,
    vaultwire: figures(telegram.firstSeen, kind),
    baseline: figures(am.firstSeen, kind),
  }));
  const at65 = (v: number | null) => (v === null ? '-' : `${round(v / SCALE, 1)} s`);
  const rows = [
    ['fault', 'Vaultwire p50', 'p99', 'detected', 'Prometheus+Alertmanager p50', 'p99', 'detected'],
    ...results.map((r) => [
      r.kind,
      at65(r.vaultwire.p50_s),
      at65(r.vaultwire.p99_s),
      `${r.vaultwire.detected}/${r.vaultwire.of}`,
      at65(r.baseline.p50_s),
      at65(r.baseline.p99_s),
      `${r.baseline.detected}/${r.baseline.of}`,
    ]),
  ];
  console.log(
    `\nDetection latency, fault onset -> notification received, at 6.5 s blocks${SCALE !== 1 ? ` (measured at scale ${SCALE}, shown ×${round(1 / SCALE, 1)})` : ''}:`,
  );
  console.log(table(rows));
  const worst = Math.max(...results.map((r) => (r.vaultwire.p99_s ?? Infinity) / SCALE));
  console.log(
    `Floor: p99 <= 20 s at 6.5 s blocks: ${worst <= 20 ? 'met' : 'NOT met'} (worst p99 ${round(worst, 1)} s)${SMOKE ? ' (smoke: not checked)' : ''}`,
  );
  output.latency = { faultsPerKind: FAULTS, blockMs: BLOCK_MS, results };
  const missing = results.some((r) => r.vaultwire.detected < r.vaultwire.of);
  const baselineRan = results.find((r) => r.kind === 'stall')?.baseline.detected ?? 0;
  if (missing) failure = 'Vaultwire missed a fault';
  else if (baselineRan === 0) failure = 'the baseline detected nothing: did it run?';
  if (!SMOKE && worst > 20) process.exitCode = 1;
}

async function capacityPhase() {
  const capacity = await runCapacity({
    dbUrl,
    sizes: SIZES,
    scale: SCALE,
    faults: CAPACITY_FAULTS,
    windowMs: CAPACITY_WINDOW_MS,
    receiver,
    freePort,
    waitHttp,
    beforeSize: async () => {
      // A fresh fleet per size: no alert still open from the previous one.
      const c = new pg.Client({ connectionString: dbUrl });
      await c.connect();
      try {
        await c.query('DELETE FROM nodeops_nodes');
      } finally {
        await c.end();
      }
    },
  });
  output.capacity = capacity;
  const at65 = (v: number | null) => (v === null ? '-' : `${round(v / SCALE, 1)} s`);
  console.log(
    `\nCapacity at a ${(5000 * SCALE) / 1000} s interval, one monitor process (CPU of this process; PostgreSQL server not counted)${SCALE !== 1 ? `, detection shown ×${round(1 / SCALE, 1)}` : ''}:`,
  );
  console.log(
    table([
      [
        'nodes',
        'checks/s',
        'keeps up',
        'CPU cores',
        'nodes/core',
        'detect p50',
        'p99',
        'detected',
        'Prometheus CPU cores',
        'nodes/core',
        'targets up',
      ],
      ...capacity.map((c) => [
        String(c.nodes),
        String(c.vaultwire.checksPerSecond),
        c.vaultwire.keepsUp ? 'yes' : 'NO',
        String(c.vaultwire.cpuCores),
        String(c.vaultwire.nodesPerCore ?? '-'),
        at65(c.vaultwire.detection.p50_s),
        at65(c.vaultwire.detection.p99_s),
        `${c.vaultwire.detection.detected}/${c.vaultwire.detection.of}`,
        String(c.baseline.cpuCores),
        String(c.baseline.nodesPerCore ?? '-'),
        `${c.baseline.targetsUp}/${c.nodes}`,
      ]),
    ]),
  );
  if (capacity.some((c) => c.vaultwire.checksPerSecond === 0)) {
    failure ??= 'the capacity phase made no checks: did the monitor run?';
  }
  if (capacity.some((c) => c.baseline.targetsUp === 0)) {
    failure ??= 'Prometheus scraped nothing in the capacity phase: did it run?';
  }
}
