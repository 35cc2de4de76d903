/**
 * The capacity phase of bench:nodeops: how many nodes one Vaultwire monitor process
 * watches per CPU core at a 5 s interval, and how fast it still detects a fault at that
 * size; next to the baseline, Prometheus scraping the same nodes (one target each) at
 * the same interval with the usual stall rule, measured in the same window.
 *
 * Per size: a scripted CometBFT chain with that many nodes runs in a child process
 * (sim-server.ts; its CPU is nobody's figure), one for each watcher, so neither's
 * requests queue behind the other's at the single-threaded simulator. The nodeops role runs in this process;
 * over the measurement window we take this process's CPU time (the monitor: probes,
 * checks, PostgreSQL client; not the PostgreSQL server's) and the checks made (the
 * `/status` requests the nodes answered), and the Prometheus process's CPU time from
 * /proc. Nodes per core = nodes checked per interval / cores used. "keeps up" means every
 * node was checked at least 90 % as often as the interval asks. Then stall faults are
 * injected at random moments and timed from onset to the notification at a local
 * Telegram-shaped receiver.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { buildVaultwire } from '../../src/app.js';
import { loadConfig } from '../../src/modules.js';
import { percentile, round } from '../lib/stats.js';

export interface CapacityResult {
  nodes: number;
  intervalMs: number;
  vaultwire: {
    checksPerSecond: number;
    keepsUp: boolean;
    cpuCores: number;
    nodesPerCore: number | null;
    detection: { detected: number; of: number; p50_s: number | null; p99_s: number | null };
  };
  baseline: {
    cpuCores: number;
    nodesPerCore: number | null;
    targetsUp: number;
  };
}

export interface Receiver {
  url: string;
  firstSeen: Map<string, number>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
/** USER_HZ: the unit of /proc/<pid>/stat CPU times on Linux. */
const CLOCK_TICKS = 100;

function procCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime is 14th, stime 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** The simulator child: a line protocol over stdin/stdout. */
async function startSim(nodes: number, blockMs: number) {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/nodeops/sim-server.ts', String(nodes), String(blockMs)],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: proc.stdout, terminal: false });
  const waiting: ((line: string) => void)[] = [];
  let first: ((line: string) => void) | undefined;
  const ready = new Promise<string>((resolve) => (first = resolve));
  lines.on('line', (line) => {
    if (first) {
      const f = first;
      first = undefined;
      f(line);
      return;
    }
    waiting.shift()?.(line);
  });
  const ask = (cmd: string) =>
    new Promise<string>((resolve) => {
      waiting.push(resolve);
      proc.stdin.write(`${cmd}\n`);
    });
  const { url } = JSON.parse(await ready) as { url: string };
  return {
    url,
    stall: (node: string) => ask(`stall ${node}`),
    statusRequests: async () => Number(await ask('count')),
    stop: async () => {
      proc.stdin.end();
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    },
  };
}

async function startPrometheus(
  simUrl: URL,
  nodes: number,
  intervalMs: number,
  freePort: () => Promise<number>,
  waitHttp: (url: string) => Promise<void>,
) {
  const dir = mkdtempSync(join(tmpdir(), 'vw-bench-prom-cap-'));
  const port = await freePort();
  const every = `${intervalMs}ms`;
  writeFileSync(
    join(dir, 'rules.yml'),
    `groups:
  - name: nodes
    rules:
      - alert: NodeStalled
        expr: changes(cometbft_consensus_height[${Math.max(3 * intervalMs, 1000)}ms]) == 0
        for: ${every}
`,
  );
  // One target per node, as each node exports its own metrics in production.
  const targets = Array.from({ length: nodes }, (_, i) => `cap-${i}`);
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global:
  scrape_interval: ${every}
  evaluation_interval: ${every}
  scrape_timeout: ${every}
rule_files: [rules.yml]
scrape_configs:
${targets
  .map(
    (t) => `  - job_name: ${t}
    metrics_path: /metrics
    params: { node: ['${t}'] }
    static_configs: [{ targets: ['${simUrl.host}'] }]`,
  )
  .join('\n')}
`,
  );
  const proc: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: 'ignore', cwd: dir },
  );
  await waitHttp(`http://127.0.0.1:${port}/-/ready`);
  return {
    pid: proc.pid,
    async targetsUp(): Promise<number> {
      const r = await fetch(
        `http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent('count(up == 1)')}`,
      );
      const body = (await r.json()) as { data?: { result?: { value?: [number, string] }[] } };
      return Number(body.data?.result?.[0]?.value?.[1] ?? 0);
    },
    stop: async () => {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    },
  };
}

export async function runCapacity(o: {
  dbUrl: string;
  sizes: readonly number[];
  scale: number;
  faults: number;
  windowMs: number;
  receiver: (parse: (body: unknown) => { node: string; firing: boolean }[]) => Promise<Receiver>;
  freePort: () => Promise<number>;
  waitHttp: (url: string) => Promise<void>;
  /** Runs before each size (the caller clears the previous fleet). */
  beforeSize: () => Promise<void>;
}): Promise<CapacityResult[]> {
  const intervalMs = Math.round(5000 * o.scale);
  const blockMs = Math.round(6500 * o.scale);
  const results: CapacityResult[] = [];
  for (const size of o.sizes) {
    const cleanup: (() => Promise<void>)[] = [];
    try {
      console.log(`capacity: ${size} nodes at a ${intervalMs / 1000} s interval`);
      await o.beforeSize();
      const sim = await startSim(size, blockMs);
      cleanup.push(() => sim.stop());
      const telegram = await o.receiver((body) => {
        const text = (body as { text?: string }).text ?? '';
        const m = /^\[FIRING \w+\] cap\/([\w-]+) /.exec(text);
        return m?.[1] ? [{ node: m[1], firing: true }] : [];
      });
      cleanup.push(() => telegram.close());
      const names = Array.from({ length: size }, (_, i) => `cap-${i}`);
      const config = loadConfig({
        env: {
          DATABASE_URL: o.dbUrl,
          LOG_LEVEL: 'error',
          VW_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
          VW_DATA_DIR: mkdtempSync(join(tmpdir(), 'vw-bench-nodeops-cap-')),
          VW_NODEOPS: JSON.stringify({
            enabled: true,
            intervalMs,
            sendPollMs: Math.max(20, Math.round(250 * o.scale)),
            ssrfAllow: ['127.0.0.0/8'],
            chains: [
              {
                key: 'cap',
                family: 'cometbft',
                blockTimeSeconds: blockMs / 1000,
                minPeers: 0,
                references: ['ref-a', 'ref-b'].map((r) => `${sim.url}/${r}`),
              },
            ],
            nodes: names.map((name, i) => ({
              name,
              chain: 'cap',
              region: i % 2 === 0 ? 'eu' : 'us',
              role: 'rpc',
              url: `${sim.url}/${name}`,
            })),
            channels: [
              { name: 'tg', kind: 'telegram', botToken: TOKEN, chatId: '1', apiUrl: telegram.url },
            ],
          }),
        },
      });
      const vw = await buildVaultwire({ config, migrate: false });
      cleanup.push(() => vw.lifecycle.stop('capacity size done'));
      // Prometheus scrapes its own copy of the scripted chain: the simulator is one
      // single-threaded process, and 1,000 scrapes a second on the copy Vaultwire polls
      // would slow its answers to both watchers (the figure would be the simulator's).
      const promSim = await startSim(size, blockMs);
      cleanup.push(() => promSim.stop());
      const prom = await startPrometheus(
        new URL(promSim.url),
        size,
        intervalMs,
        o.freePort,
        o.waitHttp,
      );
      cleanup.push(() => prom.stop());
      const role = await vw.nodeops.startRole();
      cleanup.push(() => role.stop());

      // Warm up: a few intervals, so connections and the alert state exist, and every
      // Prometheus target scraped (it applies discovered targets every 5 s at most).
      await sleep(Math.max(3 * intervalMs, 1500));
      const upBy = Date.now() + 60_000;
      while (Date.now() < upBy && (await prom.targetsUp().catch(() => 0)) < size) await sleep(250);
      const cpu0 = process.cpuUsage();
      const prom0 = procCpuSeconds(prom.pid);
      const checks0 = await sim.statusRequests();
      const t0 = performance.now();
      await sleep(o.windowMs);
      const seconds = (performance.now() - t0) / 1000;
      const checks = (await sim.statusRequests()) - checks0;
      const cpu = process.cpuUsage(cpu0);
      const promSeconds = procCpuSeconds(prom.pid) - prom0;
      const targetsUp = await prom.targetsUp();

      // Own nodes only: the references are checked once per interval too.
      const checksPerSecond = Math.max(0, checks / seconds - 2 / (intervalMs / 1000));
      const wanted = size / (intervalMs / 1000);
      const cores = (cpu.user + cpu.system) / 1e6 / seconds;
      const promCores = promSeconds / seconds;
      const perInterval = checksPerSecond * (intervalMs / 1000);

      // Detection at this size: stall faults at random moments over a few blocks.
      const victims = names
        .map((n) => ({ n, r: Math.random() }))
        .sort((a, b) => a.r - b.r)
        .slice(0, Math.min(o.faults, size))
        .map((x) => x.n);
      const onset = new Map<string, number>();
      await Promise.all(
        victims.map(async (v) => {
          await sleep(Math.random() * blockMs * 3);
          onset.set(v, Date.now());
          await sim.stall(v);
        }),
      );
      const deadline = Date.now() + Math.max(8000, 60_000 * o.scale * 10);
      while (Date.now() < deadline && !victims.every((v) => telegram.firstSeen.has(v))) {
        await sleep(100);
      }
      const ms = victims
        .flatMap((v) => {
          const at = telegram.firstSeen.get(v);
          const from = onset.get(v);
          return at !== undefined && from !== undefined ? [at - from] : [];
        })
        .sort((a, b) => a - b);
      results.push({
        nodes: size,
        intervalMs,
        vaultwire: {
          checksPerSecond: round(checksPerSecond, 1),
          keepsUp: checksPerSecond >= 0.9 * wanted,
          cpuCores: round(cores, 3),
          nodesPerCore: cores > 0 ? Math.round(perInterval / cores) : null,
          detection: {
            detected: ms.length,
            of: victims.length,
            p50_s: ms.length ? round(percentile(ms, 0.5) / 1000, 2) : null,
            p99_s: ms.length ? round(percentile(ms, 0.99) / 1000, 2) : null,
          },
        },
        baseline: {
          cpuCores: round(promCores, 3),
          nodesPerCore: promCores > 0 ? Math.round(Math.min(targetsUp, size) / promCores) : null,
          targetsUp,
        },
      });
    } finally {
      for (const c of cleanup.reverse()) await c().catch(() => undefined);
    }
  }
  return results;
}
